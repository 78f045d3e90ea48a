"""Scoring service: P(alive), expected purchases, CLV, churn risk and value at risk per customer.

``score_customers`` reads completed orders up to an as-of date, fits BG/NBD and Gamma-Gamma, scores
every customer who has bought, adds reasons from their feedback and behaviour, stores one row per
customer per kind in ``customer_scores`` (replacing that date's earlier run) and writes recommended
retention actions from the editable rule table, honouring marketing consent. It does not commit:
the caller's transaction is the unit of work, so a failed run leaves the previous scores intact.

Churn risk for non-contractual retail is the model's probability that the customer makes no
purchase in the next ``horizon_weeks``:
``P(no purchase) = 1 - P(alive) + P(alive) * ((alpha + T) / (alpha + T + h)) ** (r + x)`` — the
customer has left, or is still active but quiet for the whole horizon at their own (posterior)
purchase rate. Unlike ``1 - P(alive)`` it is not 0 for one-time buyers, whom BG/NBD always treats
as alive.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from manyi import __version__
from manyi.analytics.predict.bgnbd import BetaGeoModel
from manyi.analytics.predict.clv import DAYS_PER_MONTH, customer_lifetime_value
from manyi.analytics.predict.gamma_gamma import GammaGammaModel
from manyi.analytics.predict.retention import DEFAULT_RULES, recommend_actions, validate_rules
from manyi.analytics.predict.rfm_summary import summary_from_transactions
from manyi.customer.models import Customer
from manyi.errors import InputError, NotFoundError
from manyi.scoring import actions as action_service
from manyi.scoring import frames
from manyi.scoring.bulk import driver_value, insert_rows
from manyi.scoring.models import CustomerScore, RetentionAction
from manyi.scoring.reasons import describe_all, top_reasons

KINDS = ("p_alive", "expected_purchases", "clv", "churn_risk", "value_at_risk")
TIERS = ("vip", "high", "medium", "low")
MODEL_VERSION = f"bgnbd+gamma-gamma/manyi-{__version__}"
_LOCK_KEY = 6_000_006  # PostgreSQL advisory lock: one scoring run at a time
_YES = {"yes", "y", "true", "1", "是"}

Progress = Callable[[str, int, int], None]
STEPS = ("read", "fit", "score", "reasons", "store", "actions")


@dataclass(frozen=True)
class ScoringResult:
    """What a scoring run did, with the fitted models and the top customers by value at risk."""

    as_of: date
    horizon_weeks: int
    model_version: str
    customers_scored: int
    rows_written: int
    purchase_model: dict[str, float]
    spend_model: dict[str, float]
    total_clv: float
    total_value_at_risk: float
    tiers: dict[str, int]
    recommended: dict[str, int]
    actions_created: int
    actions_refreshed: int
    actions_withdrawn: int
    seconds: float
    top: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        out = dict(self.__dict__)
        out["as_of"] = self.as_of.isoformat()
        return out


def no_purchase_probability(
    model: BetaGeoModel, summary: pd.DataFrame, horizon: float
) -> np.ndarray:
    """P(no purchase in the next `horizon` time units | history) under BG/NBD or MBG/NBD."""
    x, t_x, big_t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    alive = model.probability_alive(x, t_x, big_t)
    r, alpha = model.params_["r"], model.params_["alpha"]
    quiet = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + horizon)))
    return np.clip(1.0 - alive + alive * quiet, 0.0, 1.0)


def _fit(summary: pd.DataFrame) -> tuple[BetaGeoModel, GammaGammaModel, list[str]]:
    """Fit BG/NBD and Gamma-Gamma, turning model errors into a clear InputError."""
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float)
    usable = np.where((x > 0) & (m <= 0), 0.0, x)  # repeat buyers with zero spend: not for spend
    try:
        purchases = BetaGeoModel().fit(summary)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spend = GammaGammaModel().fit(usable, m)
    except ValueError as exc:
        raise InputError(
            f"not enough purchase history to fit the models: {exc} / 购买记录不足，无法拟合模型"
        ) from exc
    notes = [str(w.message) for w in caught]
    if not getattr(purchases, "converged_", True):
        notes.append("the BG/NBD fit did not fully converge; treat the scores with care")
    return purchases, spend, notes


def _marketing_actions(rules: pd.DataFrame) -> set[str]:
    """Action codes that the rule table marks as marketing."""
    flags = rules["marketing"].astype(str).str.strip().str.lower().isin(_YES)
    return set(rules.loc[flags, "action"].astype(str))


def _scores(summary: pd.DataFrame, purchases: BetaGeoModel, spend: GammaGammaModel,
            horizon_weeks: int, margin: float, discount: float) -> pd.DataFrame:  # fmt: skip
    """Per customer: p_alive, expected_purchases, clv, tier, churn_risk, value_at_risk."""
    months = max(1, round(horizon_weeks * 7 / DAYS_PER_MONTH))
    clv = customer_lifetime_value(
        purchases, spend, summary, horizon_months=months, monthly_discount_rate=discount,
        margin=margin, unit="W",
    )  # fmt: skip
    out = summary[["frequency", "recency", "T"]].copy()
    out["p_alive"] = clv["p_alive"]
    out["expected_purchases"] = purchases.predict(summary, float(horizon_weeks))[
        "expected_purchases"
    ]
    out["clv"] = clv["clv"].clip(lower=0.0)
    out["tier"] = clv["tier"]
    out["churn_risk"] = no_purchase_probability(purchases, summary, float(horizon_weeks))
    out["value_at_risk"] = out["clv"] * out["churn_risk"]
    numbers = out.drop(columns="tier").to_numpy(dtype=float)
    if not np.isfinite(numbers).all():
        raise InputError(
            f"the purchase model gave no usable prediction on this data (parameters "
            f"{purchases.params_}); check the order history / 模型无法在这些数据上给出预测"
        )
    return out


def _lock(session: Session) -> None:
    """Serialise scoring runs on PostgreSQL (SQLite serialises writers itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _store_scores(
    session: Session, scored: pd.DataFrame, reasons: list[list[dict[str, Any]]],
    recommended: pd.DataFrame, as_of: date,
) -> int:  # fmt: skip
    """Replace the as-of date's scores with one row per customer per kind."""
    session.execute(
        delete(CustomerScore).where(CustomerScore.as_of == as_of, CustomerScore.kind.in_(KINDS))
    )
    now = driver_value(session, datetime.now(UTC))
    day, version = driver_value(session, as_of), MODEL_VERSION
    ids = scored.index.to_numpy(dtype=np.int64).tolist()
    tiers = scored["tier"].astype(str).tolist()
    rows: list[tuple[Any, ...]] = []
    for kind in ("p_alive", "expected_purchases", "churn_risk"):
        values = scored[kind].to_numpy(dtype=float).tolist()
        rows += [(c, kind, v, day, version, None, now) for c, v in zip(ids, values, strict=True)]
    tier_json = {t: json.dumps({"tier": t}) for t in set(tiers)}
    clv = scored["clv"].to_numpy(dtype=float).tolist()
    rows += [(c, "clv", v, day, version, tier_json[t], now)
             for c, v, t in zip(ids, clv, tiers, strict=True)]  # fmt: skip
    var = scored["value_at_risk"].to_numpy(dtype=float).tolist()
    acts = recommended["action"].astype(str).tolist()
    rules = recommended["rule"].astype(str).tolist()
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    rows += [(c, "value_at_risk", v, day, version,
              dumps({"tier": t, "reasons": why, "action": a, "rule": r}), now)
             for c, v, t, why, a, r in zip(ids, var, tiers, reasons, acts, rules, strict=True)]  # fmt: skip
    columns = ["customer_id", "kind", "value", "as_of", "model_version", "detail", "created_at"]
    return insert_rows(session, CustomerScore.__table__, columns, rows)  # type: ignore[arg-type]


def _top(session: Session, scored: pd.DataFrame, n: int = 10) -> list[dict[str, Any]]:
    """The `n` customers with the highest value at risk, with their codes."""
    best = scored.nlargest(n, "value_at_risk")
    codes = dict(session.execute(
        select(Customer.id, Customer.customer_code).where(Customer.id.in_(best.index.tolist()))
    ).all())  # fmt: skip
    return [
        {"customer_code": codes.get(int(cid), str(cid)), "tier": str(row["tier"]),
         "churn_risk": float(row["churn_risk"]), "clv": float(row["clv"]),
         "value_at_risk": float(row["value_at_risk"])}
        for cid, row in best.iterrows()
    ]  # fmt: skip


def score_customers(
    *,
    session: Session,
    as_of: date | None = None,
    horizon_weeks: int = 52,
    margin: float = 1.0,
    monthly_discount_rate: float = 0.01,
    rules: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> ScoringResult:
    """Score every customer with a completed order up to `as_of` (default today, UTC) and store
    the scores and recommended retention actions (see the module docstring)."""
    started = time.perf_counter()
    as_of = as_of or datetime.now(UTC).date()
    if not 1 <= horizon_weeks <= 520:
        raise InputError("horizon_weeks: must be between 1 and 520")
    if not 0 < margin <= 1:
        raise InputError("margin: must be in (0, 1]")
    table = validate_rules(DEFAULT_RULES if rules is None else rules)
    report = progress or (lambda step, done, total: None)
    _lock(session)
    report("read", 0, len(STEPS))
    purchases_log = frames.purchases_frame(session=session, as_of=as_of)
    if purchases_log.empty:
        raise InputError(f"no completed orders on or before {as_of} / 截止日期前没有已完成订单")
    summary = summary_from_transactions(
        purchases_log, "customer_pk", "ordered_at", "amount",
        observation_end=pd.Timestamp(as_of), unit="W",
    )  # fmt: skip
    report("fit", 1, len(STEPS))
    purchases, spend, notes = _fit(summary)
    report("score", 2, len(STEPS))
    scored = _scores(summary, purchases, spend, horizon_weeks, margin, monthly_discount_rate)
    report("reasons", 3, len(STEPS))
    signals = frames.feedback_signals(session=session, as_of=as_of).reindex(scored.index)
    consent = frames.marketing_consent(session=session)
    why = top_reasons(scored.join(signals))
    customers = pd.DataFrame({
        "churn_probability": scored["churn_risk"], "tier": scored["tier"], "reasons": why.text,
        "open_complaint": np.where(signals["open_complaint_days"].notna(), "yes", "no"),
        "marketing_consent": np.where(consent.reindex(scored.index).fillna(False), "yes", "no"),
    }, index=scored.index)  # fmt: skip
    recommended = recommend_actions(customers, table)
    report("store", 4, len(STEPS))
    written = _store_scores(session, scored, why.items, recommended, as_of)
    report("actions", 5, len(STEPS))
    acting = recommended["action"] != "no_action"
    todo = recommended[acting].assign(
        priority=scored.loc[acting, "value_at_risk"], reason=why.labels[acting]
    )
    counts = action_service.write_actions(
        session=session, recommended=todo, as_of=as_of,
        marketing_actions=_marketing_actions(table), consent=consent,
    )  # fmt: skip
    session.flush()
    report("done", len(STEPS), len(STEPS))
    return ScoringResult(
        as_of=as_of, horizon_weeks=horizon_weeks, model_version=MODEL_VERSION,
        customers_scored=len(scored), rows_written=written,
        purchase_model={k: float(v) for k, v in purchases.summary().items()},
        spend_model={k: float(v) for k, v in spend.summary().items()},
        total_clv=float(scored["clv"].sum()),
        total_value_at_risk=float(scored["value_at_risk"].sum()),
        tiers={t: int((scored["tier"] == t).sum()) for t in TIERS},
        recommended={str(k): int(v) for k, v in recommended["action"].value_counts().items()},
        actions_created=counts.created, actions_refreshed=counts.refreshed,
        actions_withdrawn=counts.withdrawn, seconds=time.perf_counter() - started,
        top=_top(session, scored), warnings=notes,
    )  # fmt: skip


# --- reading scores ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskRow:
    """One customer of the risk list."""

    customer_code: str
    customer_name: str | None
    email: str | None
    phone: str | None
    tier: str
    churn_risk: float
    clv: float
    value_at_risk: float
    p_alive: float | None
    expected_purchases: float | None
    reasons: list[dict[str, Any]]
    action: str
    action_id: int | None
    action_status: str | None


@dataclass(frozen=True)
class RiskPage:
    """The risk list of one as-of date, highest value at risk first."""

    as_of: date | None
    total: int
    masked: bool
    rows: list[RiskRow]


def latest_as_of(*, session: Session) -> date | None:
    """The most recent as-of date that has scores."""
    return session.scalar(
        select(func.max(CustomerScore.as_of)).where(CustomerScore.kind == "value_at_risk")
    )


def _kind_values(session: Session, ids: list[int], as_of: date) -> dict[tuple[int, str], float]:
    """(customer, kind) -> value of the other score kinds for these customers."""
    rows = session.execute(
        select(CustomerScore.customer_id, CustomerScore.kind, CustomerScore.value).where(
            CustomerScore.as_of == as_of,
            CustomerScore.customer_id.in_(ids),
            CustomerScore.kind.in_(("p_alive", "expected_purchases", "clv", "churn_risk")),
        )
    )
    return {(cid, kind): float(value) for cid, kind, value in rows}


def _latest_actions(session: Session, ids: list[int]) -> dict[tuple[int, str], tuple[int, str]]:
    """(customer, action) -> (id, status) of the latest retention action of each pair."""
    rows = session.execute(
        select(RetentionAction.customer_id, RetentionAction.action, RetentionAction.id,
               RetentionAction.status)
        .where(RetentionAction.customer_id.in_(ids))
        .order_by(RetentionAction.id)
    )  # fmt: skip
    return {(cid, act): (aid, status) for cid, act, aid, status in rows}


def risk_list(
    *,
    session: Session,
    limit: int = 50,
    tier: str | None = None,
    as_of: date | None = None,
    show_pii: bool = False,
    lang: str = "zh",
) -> RiskPage:
    """Customers by value at risk (highest first) with reasons and the recommended action."""
    if not 1 <= limit <= 1000:
        raise InputError("limit: must be between 1 and 1000")
    if tier is not None and tier not in TIERS:
        raise InputError(f"tier: must be one of {', '.join(TIERS)}")
    as_of = as_of or latest_as_of(session=session)
    if as_of is None:
        return RiskPage(as_of=None, total=0, masked=not show_pii, rows=[])
    conditions = [CustomerScore.kind == "value_at_risk", CustomerScore.as_of == as_of]
    if tier is not None:
        conditions.append(CustomerScore.detail["tier"].as_string() == tier)
    total = session.scalar(select(func.count()).select_from(CustomerScore).where(*conditions))
    results = session.execute(
        select(CustomerScore, Customer.customer_code, Customer.name)
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .where(*conditions)
        .order_by(CustomerScore.value.desc(), CustomerScore.customer_id)
        .limit(limit)
    ).all()
    ids = [score.customer_id for score, _, _ in results]
    values = _kind_values(session, ids, as_of)
    latest = _latest_actions(session, ids)
    found = action_service.contacts(session, set(ids))
    rows = []
    for score, code, name in results:
        detail = score.detail or {}
        cid, act = score.customer_id, str(detail.get("action", "no_action"))
        shown, email, phone = action_service.person(name, cid, found, show_pii)
        action_id, status = latest.get((cid, act), (None, None))
        reasons = [{"code": r.get("code"), "text": t}
                   for r, t in zip(detail.get("reasons") or [], describe_all(detail.get("reasons"), lang), strict=True)]  # fmt: skip
        rows.append(RiskRow(
            customer_code=code, customer_name=shown, email=email, phone=phone,
            tier=str(detail.get("tier", "")), churn_risk=values.get((cid, "churn_risk"), 0.0),
            clv=values.get((cid, "clv"), 0.0), value_at_risk=float(score.value),
            p_alive=values.get((cid, "p_alive")),
            expected_purchases=values.get((cid, "expected_purchases")),
            reasons=reasons, action=act, action_id=action_id, action_status=status,
        ))  # fmt: skip
    return RiskPage(as_of=as_of, total=int(total or 0), masked=not show_pii, rows=rows)


def tier_summary(*, session: Session, as_of: date | None = None) -> dict[str, Any]:
    """Customers, total CLV and total value at risk per tier, and a churn-risk histogram."""
    as_of = as_of or latest_as_of(session=session)
    if as_of is None:
        return {"as_of": None, "tiers": [], "churn_histogram": []}
    tier = CustomerScore.detail["tier"].as_string()
    by_tier = session.execute(
        select(tier, func.count(), func.sum(CustomerScore.value))
        .where(CustomerScore.as_of == as_of, CustomerScore.kind == "value_at_risk")
        .group_by(tier)
    ).all()
    clv: dict[Any, Any] = dict(session.execute(
        select(tier, func.sum(CustomerScore.value))
        .where(CustomerScore.as_of == as_of, CustomerScore.kind == "clv")
        .group_by(tier)
    ).all())  # fmt: skip
    order = {t: i for i, t in enumerate(TIERS)}
    tiers = sorted(
        ({"tier": t, "customers": int(n), "value_at_risk": float(v or 0), "clv": float(clv.get(t) or 0)}
         for t, n, v in by_tier),
        key=lambda row: order.get(row["tier"], len(TIERS)),
    )  # fmt: skip
    bucket = func.floor(CustomerScore.value * 10)
    hist: dict[Any, Any] = dict(session.execute(
        select(bucket, func.count())
        .where(CustomerScore.as_of == as_of, CustomerScore.kind == "churn_risk")
        .group_by(bucket)
    ).all())  # fmt: skip
    counts = [0] * 10
    for b, n in hist.items():
        counts[min(int(b), 9)] += int(n)
    return {"as_of": as_of.isoformat(), "tiers": tiers, "churn_histogram": counts}


@dataclass(frozen=True)
class ScorePoint:
    """One as-of date of a customer's score history."""

    as_of: date
    model_version: str
    values: dict[str, float]
    tier: str | None
    reasons: list[dict[str, Any]]


def history(*, session: Session, customer_code: str, lang: str = "zh") -> list[ScorePoint]:
    """A customer's scores over time, oldest first; NotFoundError for unknown or erased codes."""
    cid = session.scalar(
        select(Customer.id).where(
            Customer.customer_code == customer_code, Customer.erased_at.is_(None)
        )
    )
    if cid is None:
        raise NotFoundError("customer not found / 未找到该客户")
    rows = session.scalars(
        select(CustomerScore)
        .where(CustomerScore.customer_id == cid)
        .order_by(CustomerScore.as_of, CustomerScore.kind)
    ).all()
    points: dict[date, dict[str, Any]] = {}
    for row in rows:
        point = points.setdefault(row.as_of, {"values": {}, "version": row.model_version,
                                              "tier": None, "reasons": []})  # fmt: skip
        point["values"][row.kind] = float(row.value)
        if row.detail and row.kind == "value_at_risk":
            point["tier"] = row.detail.get("tier")
            reasons = row.detail.get("reasons") or []
            point["reasons"] = [{"code": r.get("code"), "text": t}
                                for r, t in zip(reasons, describe_all(reasons, lang), strict=True)]  # fmt: skip
    return [
        ScorePoint(as_of=d, model_version=p["version"], values=p["values"], tier=p["tier"],
                   reasons=p["reasons"])
        for d, p in points.items()
    ]  # fmt: skip
