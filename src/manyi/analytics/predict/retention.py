"""Recommended retention action per customer from an editable rule table.

A rule is one row of a readable table (a DataFrame, or a CSV a manager edits):

============== ============================================================================
column          meaning (blank or ``*`` = any)
============== ============================================================================
rule            short name of the rule
tier            value tiers it applies to, ``|``-separated (``vip|high``)
min_risk        churn probability at least this (0..1)
max_risk        churn probability below this (0..1)
reason          text that must appear in the customer's reasons (case-insensitive)
open_complaint  ``yes`` / ``no``: customer has an unresolved complaint
action          action code
label           what a person reads (English / 中文)
marketing       ``yes`` when the action is marketing (offers, campaigns)
============== ============================================================================

Rules are tried top to bottom and the first match wins. Whatever the table says, a marketing action
is never given to a customer without marketing consent: such a rule is skipped for them and the
next matching rule applies (the default table ends with a non-marketing fallback).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RULE_COLUMNS = (
    "rule", "tier", "min_risk", "max_risk", "reason", "open_complaint", "action", "label",
    "marketing",
)  # fmt: skip

DEFAULT_RULES = pd.DataFrame(
    [
        ("complaint", "*", 0.0, 1.01, "*", "yes", "service_recovery",
         "Service recovery: resolve the open complaint first / 服务补救：先解决未结投诉", "no"),
        ("vip_at_risk", "vip|high", 0.3, 1.01, "*", "*", "account_manager_callback",
         "Callback by the account manager / 客户经理回访", "no"),
        ("win_back", "medium|low", 0.5, 1.01, "*", "*", "win_back_offer",
         "Win-back offer / 挽回优惠", "yes"),
        ("nurture", "*", 0.3, 1.01, "*", "*", "care_message",
         "Care message with a relevant offer / 关怀与个性化推荐", "yes"),
        ("at_risk_no_consent", "*", 0.5, 1.01, "*", "*", "service_check_in",
         "Service check-in, no marketing (no consent) / 服务回访（无营销同意）", "no"),
        ("default", "*", 0.0, 1.01, "*", "*", "no_action",
         "No action needed / 无需行动", "no"),
    ],
    columns=list(RULE_COLUMNS),
)  # fmt: skip

_YES = {"yes", "y", "true", "1", "是"}
_NO = {"no", "n", "false", "0", "否"}


def _flag(value: object, column: str, rule: str) -> bool | None:
    """Parse a yes/no cell; None means 'any'."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip().lower()
    if text in ("", "*"):
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"rule {rule!r}: column {column!r} must be yes, no or *, got {value!r}")


def _any(value: object) -> bool:
    """True when a rule cell means 'any'."""
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or str(value).strip()
        in (
            "",
            "*",
        )
    )


def validate_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """Check a rule table's columns and values; return it with risk bounds as floats."""
    missing = [c for c in RULE_COLUMNS if c not in rules.columns]
    if missing:
        raise ValueError(f"rule table is missing columns {missing}")
    if rules.empty:
        raise ValueError("rule table has no rules")
    clean = rules.copy()
    for column, default in (("min_risk", 0.0), ("max_risk", 1.01)):
        values = pd.to_numeric(clean[column].replace({"*": None, "": None}), errors="coerce")
        bad = values.isna() & ~clean[column].map(_any)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"rule row {row}: column {column!r} is not a number")
        clean[column] = values.fillna(default).astype(float)
    for i, row in clean.iterrows():
        _flag(row["open_complaint"], "open_complaint", str(row["rule"]))
        _flag(row["marketing"], "marketing", str(row["rule"]))
        if _any(row["action"]):
            raise ValueError(f"rule row {i}: column 'action' is empty")
    return clean


def _customer_column(customers: pd.DataFrame, name: str, default: object) -> pd.Series:
    """A column of the customer table, or a constant when absent."""
    if name in customers.columns:
        return customers[name]
    return pd.Series([default] * len(customers), index=customers.index, dtype=object)


def _truthy(values: pd.Series) -> np.ndarray:
    """Yes/no-like column to booleans; blanks are False."""
    text = values.astype("string").str.strip().str.lower().fillna("")
    return text.isin(_YES).to_numpy()


def _rule_mask(rule: pd.Series, tier: np.ndarray, risk: np.ndarray, reasons: np.ndarray,
               complaint: np.ndarray) -> np.ndarray:  # fmt: skip
    """Customers matching one rule's conditions (consent is handled by the caller)."""
    mask = (risk >= rule["min_risk"]) & (risk < rule["max_risk"])
    if not _any(rule["tier"]):
        wanted = {t.strip().lower() for t in str(rule["tier"]).split("|")}
        mask &= np.isin(tier, list(wanted))
    if not _any(rule["reason"]):
        needle = str(rule["reason"]).strip().lower()
        mask &= np.array([needle in r for r in reasons], dtype=bool)
    wants_complaint = _flag(rule["open_complaint"], "open_complaint", str(rule["rule"]))
    if wants_complaint is not None:
        mask &= complaint == wants_complaint
    return np.asarray(mask)


def recommend_actions(customers: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Choose one retention action per customer by the first matching rule.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``churn_probability`` (required) and optionally ``tier``,
        ``reasons``, ``open_complaint`` (yes/no) and ``marketing_consent`` (yes/no; absent means
        no consent).
    rules : DataFrame, optional
        Rule table (see module docstring); :data:`DEFAULT_RULES` by default.

    Returns
    -------
    DataFrame indexed like `customers` with ``action, action_label, rule``.
    """
    if "churn_probability" not in customers.columns:
        raise ValueError("column 'churn_probability' not found in the customer table")
    risk = pd.to_numeric(customers["churn_probability"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(risk).any() or (risk < 0).any() or (risk > 1).any():
        row = int(np.flatnonzero(np.isnan(risk) | (risk < 0) | (risk > 1))[0])
        raise ValueError(f"column 'churn_probability': row {row} is not a probability in [0, 1]")
    table = validate_rules(DEFAULT_RULES if rules is None else rules)
    tier = _customer_column(customers, "tier", "").astype("string").str.lower().fillna("")
    reasons = _customer_column(customers, "reasons", "").astype("string").str.lower().fillna("")
    complaint = _truthy(_customer_column(customers, "open_complaint", "no"))
    consent = _truthy(_customer_column(customers, "marketing_consent", "no"))
    tier_arr, reason_arr = tier.to_numpy(dtype=object), reasons.to_numpy(dtype=object)
    n = len(customers)
    action = np.full(n, "no_action", dtype=object)
    label = np.full(n, "No action needed / 无需行动", dtype=object)
    chosen = np.full(n, "", dtype=object)
    open_rows = np.ones(n, dtype=bool)
    for _, rule in table.iterrows():
        mask = open_rows & _rule_mask(rule, tier_arr, risk, reason_arr, complaint)
        if _flag(rule["marketing"], "marketing", str(rule["rule"])):
            mask &= consent
        action[mask], label[mask], chosen[mask] = rule["action"], rule["label"], rule["rule"]
        open_rows &= ~mask
    return pd.DataFrame(
        {
            "action": pd.array(action, dtype="string"),
            "action_label": pd.array(label, dtype="string"),
            "rule": pd.array(chosen, dtype="string"),
        },
        index=customers.index,
    )
