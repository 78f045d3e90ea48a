"""Lifecycle stage from each customer's own purchase rhythm.

Stages, checked in this order (thresholds in :class:`LifecycleThresholds`):

- ``new``: first purchase at most ``new_days`` before the as-of date;
- ``lapsed``: silent for more than ``lapsed_ratio`` times their usual gap between purchases
  (or more than ``lapsed_days``);
- ``declining``: silent for more than ``declining_ratio`` times their usual gap;
- ``mature``: at least ``mature_orders`` purchase days over at least ``mature_days`` of tenure;
- ``active``: everyone else.

The usual gap is the median of the customer's gaps between distinct purchase days; for a
one-time buyer it is the median of everybody's usual gaps (the typical rhythm), never less
than ``min_gap_days``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from manyi.analytics.segments.rfm import _as_of_day, _days

STAGES = ("new", "active", "mature", "declining", "lapsed")
STAGE_NAMES = {
    "en": {
        "new": "New",
        "active": "Active",
        "mature": "Mature",
        "declining": "Declining",
        "lapsed": "Lapsed",
    },
    "zh": {
        "new": "新客",
        "active": "活跃",
        "mature": "成熟",
        "declining": "衰退",
        "lapsed": "流失",
    },
}


@dataclass(frozen=True)
class LifecycleThresholds:
    """Configurable thresholds of lifecycle staging (days and multiples of the usual gap)."""

    new_days: int = 60
    declining_ratio: float = 2.0
    lapsed_ratio: float = 4.0
    lapsed_days: int = 365
    mature_orders: int = 5
    mature_days: int = 180
    min_gap_days: float = 7.0

    def __post_init__(self) -> None:
        """Refuse thresholds that cannot order the stages."""
        if not 0 < self.declining_ratio < self.lapsed_ratio:
            raise ValueError("lifecycle thresholds need 0 < declining_ratio < lapsed_ratio")
        if min(self.new_days, self.lapsed_days, self.mature_orders, self.mature_days) < 0:
            raise ValueError("lifecycle day and order thresholds must not be negative")
        if self.min_gap_days <= 0:
            raise ValueError("min_gap_days must be positive")


def purchase_rhythm(lines: pd.DataFrame) -> pd.DataFrame:
    """Per customer: distinct purchase days, first and last purchase day, median gap in days.

    `lines` are cleaned order lines (``is_purchase`` respected when present).
    """
    purchase = (
        lines["is_purchase"].to_numpy(dtype=bool)
        if "is_purchase" in lines.columns
        else lines["amount"].to_numpy(dtype="float64") > 0
    )
    codes, uniques = pd.factorize(lines["customer_id"].to_numpy()[purchase])
    days = _days(lines["ordered_at"])[purchase].astype(np.int64)
    span = int(days.max() - days.min() + 1) if days.size else 1
    keys = np.unique(codes.astype(np.int64) * span + (days - (days.min() if days.size else 0)))
    cust = keys // span
    day = keys % span
    same = np.zeros(len(cust), dtype=bool)
    same[1:] = cust[1:] == cust[:-1]
    gaps = pd.Series(np.diff(day, prepend=0)[same].astype("float64"))
    median_gap = gaps.groupby(cust[same]).median().reindex(range(len(uniques)))
    counts = np.bincount(cust, minlength=len(uniques))
    offset = int(days.min()) if days.size else 0
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(first, cust, day)
    last = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(last, cust, day)
    return pd.DataFrame(
        {
            "customer_id": uniques,
            "purchase_days": counts,
            "first_day": first + offset,
            "last_day": last + offset,
            "median_gap_days": median_gap.to_numpy(),
        }
    )


def lifecycle_stages(
    lines: pd.DataFrame,
    as_of: object,
    thresholds: LifecycleThresholds | None = None,
) -> pd.DataFrame:
    """Lifecycle stage per customer from cleaned order lines.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, tenure_days, recency_days, purchase_days, usual_gap_days,
        silence_ratio, lifecycle`` sorted by customer id.
    """
    t = thresholds or LifecycleThresholds()
    as_of_day = _as_of_day(as_of)
    rhythm = purchase_rhythm(lines)
    gap = rhythm["median_gap_days"].to_numpy()
    typical = float(np.nanmedian(gap)) if np.isfinite(gap).any() else t.min_gap_days
    usual = np.maximum(np.where(np.isfinite(gap), gap, typical), t.min_gap_days)
    tenure = as_of_day - rhythm["first_day"].to_numpy()
    recency = as_of_day - rhythm["last_day"].to_numpy()
    if recency.size and recency.min() < 0:
        raise ValueError("column 'ordered_at' has dates after as_of (clean_orders drops them)")
    ratio = recency / usual
    counts = rhythm["purchase_days"].to_numpy()
    stage = np.select(
        [
            tenure <= t.new_days,
            (ratio > t.lapsed_ratio) | (recency > t.lapsed_days),
            ratio > t.declining_ratio,
            (counts >= t.mature_orders) & (tenure >= t.mature_days),
        ],
        ["new", "lapsed", "declining", "mature"],
        "active",
    )
    out = pd.DataFrame(
        {
            "customer_id": rhythm["customer_id"],
            "tenure_days": tenure,
            "recency_days": recency,
            "purchase_days": counts,
            "usual_gap_days": usual,
            "silence_ratio": np.round(ratio, 3),
            "lifecycle": pd.Categorical(stage, categories=list(STAGES)),
        }
    )
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)
