"""Value tiers: the Pareto view (revenue share of the top customers) and VIP/high/medium/low tiers.

A customer's tier comes from the mid-rank percentile of their value (by default net spend), so
equal values always share a tier and the result does not depend on row order. Default cut-offs:
the top 5% are VIP, the next 15% high (VIP + high = the top 20%), the next 30% medium, the rest low.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from manyi.analytics.segments.ranking import midrank_percentile

TIERS = ("vip", "high", "medium", "low")
TIER_NAMES = {
    "en": {"vip": "VIP", "high": "High value", "medium": "Medium value", "low": "Low value"},
    "zh": {"vip": "VIP 客户", "high": "高价值", "medium": "中价值", "low": "低价值"},
}
DEFAULT_CUTOFFS = (0.95, 0.80, 0.50)


def _finite_values(values: Sequence[float] | np.ndarray | pd.Series, name: str) -> np.ndarray:
    """Values as a float array, refusing NaN and infinities with a message naming `name`."""
    array = np.asarray(values, dtype="float64")
    if array.ndim != 1:
        raise ValueError(f"column '{name}' must be one-dimensional")
    if array.size and not np.isfinite(array).all():
        raise ValueError(f"column '{name}' has missing or infinite values")
    return array


def pareto_share(values: Sequence[float] | np.ndarray | pd.Series, top: float = 0.2) -> float:
    """Share of total value held by the top `top` fraction of customers (ceil of the count).

    Negative net values (customers who returned more than they bought in the window) count
    as zero, so the share stays within 0..1. Returns NaN for no customers or no value.
    """
    if not 0 < top <= 1:
        raise ValueError(f"top must be a fraction in (0, 1], got {top}")
    array = np.clip(_finite_values(values, "monetary"), 0, None)
    total = array.sum()
    if array.size == 0 or total <= 0:
        return float("nan")
    k = int(np.ceil(top * array.size))
    return float(np.partition(array, array.size - k)[array.size - k :].sum() / total)


def _check_cutoffs(cutoffs: Sequence[float]) -> tuple[float, float, float]:
    """Validate three strictly decreasing percentile cut-offs in (0, 1)."""
    if len(cutoffs) != 3:
        raise ValueError("tier cut-offs must be three percentiles: VIP, high, medium lower bounds")
    a, b, c = (float(x) for x in cutoffs)
    if not 1 > a > b > c > 0:
        raise ValueError(f"tier cut-offs must satisfy 1 > vip > high > medium > 0, got {cutoffs}")
    return a, b, c


def value_tiers(
    values: Sequence[float] | np.ndarray | pd.Series,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
) -> pd.Categorical:
    """Tier per customer from the percentile of their value.

    Parameters
    ----------
    values : array-like
        One value per customer (e.g. RFM ``monetary``).
    cutoffs : three floats
        Lower percentile bounds of VIP, high and medium (default 0.95, 0.80, 0.50).

    Returns
    -------
    pandas.Categorical
        ``vip``, ``high``, ``medium`` or ``low`` (categories in that order).
    """
    vip, high, medium = _check_cutoffs(cutoffs)
    array = _finite_values(values, "monetary")
    if array.size == 0:
        return pd.Categorical([], categories=list(TIERS))
    percentile = midrank_percentile(array)
    codes = np.select([percentile >= vip, percentile >= high, percentile >= medium], [0, 1, 2], 3)
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(TIERS))


def tier_summary(
    values: Sequence[float] | np.ndarray | pd.Series, tiers: pd.Categorical | pd.Series
) -> pd.DataFrame:
    """Customers, customer share, value and value share per tier (shares sum to 1)."""
    array = _finite_values(values, "monetary")
    tier_series = pd.Series(pd.Categorical(tiers, categories=list(TIERS)))
    frame = pd.DataFrame({"tier": tier_series, "value": array})
    out = frame.groupby("tier", observed=False)["value"].agg(["size", "sum"])
    out.columns = ["customers", "value"]
    n = max(int(out["customers"].sum()), 1)
    total = out["value"].sum()
    out["customer_share"] = out["customers"] / n
    out["value_share"] = out["value"] / total if total else np.nan
    out["name_en"] = [TIER_NAMES["en"][t] for t in out.index]
    out["name_zh"] = [TIER_NAMES["zh"][t] for t in out.index]
    return out.reset_index()


def tier_changes(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Compare two tier snapshots (Series indexed by customer id) customer by customer.

    Returns one row per customer in either snapshot with ``tier_before``, ``tier_after`` and
    ``change`` in ``upgrade``, ``downgrade``, ``same``, ``new`` (only after) or ``gone``
    (only before).
    """
    rank = {t: i for i, t in enumerate(TIERS)}
    for name, series in (("before", before), ("after", after)):
        unknown = set(series.dropna().astype(str)) - set(TIERS)
        if unknown:
            raise ValueError(f"tier snapshot '{name}' has unknown tier(s) {sorted(unknown)}")
        if series.index.has_duplicates:
            raise ValueError(f"tier snapshot '{name}' lists a customer twice")
    frame = pd.concat(
        {"tier_before": before.astype("object"), "tier_after": after.astype("object")}, axis=1
    )
    b = frame["tier_before"].map(rank)
    a = frame["tier_after"].map(rank)
    change = np.select(
        [b.isna(), a.isna(), a < b, a > b],
        ["new", "gone", "upgrade", "downgrade"],
        "same",
    )
    frame["change"] = change
    frame.index.name = "customer_id"
    return frame.sort_index().reset_index()
