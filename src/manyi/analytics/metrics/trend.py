"""A metric over time: per day/week/month, optional rolling window, Shewhart control limits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from manyi.analytics.metrics.breakdown import grouped_table
from manyi.analytics.metrics.levels import LevelTable
from manyi.analytics.metrics.registry import metric_spec

FREQUENCIES = {
    "day": "D",
    "week": "W",
    "month": "M",
    "quarter": "Q",
    "D": "D",
    "W": "W",
    "M": "M",
    "Q": "Q",
}


def _rolling(table: LevelTable, window: int) -> LevelTable:
    """Pool each period with the ``window - 1`` periods before it (sums of the level table)."""

    def roll(a: np.ndarray) -> np.ndarray:
        """Trailing window sum along the first axis."""
        c = np.cumsum(a, axis=0)
        shifted = np.zeros_like(c)
        shifted[window:] = c[:-window]
        return c - shifted

    return LevelTable(table.levels, roll(table.counts), roll(table.wsum), roll(table.w2sum))


def trend(
    frame: pd.DataFrame,
    column: str,
    date: str,
    *,
    metric: str = "nps",
    freq: str = "month",
    window: int = 1,
    weight: str | None = None,
    scale: int = 5,
    top: int = 2,
    sigma: float = 3.0,
    confidence: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """Score ``column`` per period of ``date`` with control limits and an out-of-control flag.

    The centre line is the metric over all periods pooled; each period's limits are
    ``centre +- sigma * se_period`` where ``se_period`` is the metric's own standard error at
    that period's (effective) sample size — the p-chart idea, generalised to NPS and means.
    With ``window > 1`` each row pools the trailing ``window`` periods (a rolling score).

    Returns one row per period (empty periods included with n = 0) with ``period``, ``n``,
    ``score``, ``se``, ``ci_low``, ``ci_high``, ``centre``, ``lcl``, ``ucl``,
    ``out_of_control`` and ``small_sample``.
    """
    if date not in frame.columns:
        raise ValueError(f"column {date!r}: not in the data (given as the date column)")
    if freq not in FREQUENCIES:
        raise ValueError(f"freq: {freq!r} is not one of day, week, month, quarter")
    if window < 1:
        raise ValueError(f"window: {window} must be at least 1")
    stamps = pd.to_datetime(frame[date], errors="coerce")
    bad = stamps.isna() & frame[date].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"column {date!r}: value {frame[date].iloc[row]!r} at row {row} is not a date"
        )
    periods = stamps.dt.to_period(FREQUENCIES[freq])
    spec = metric_spec(metric, scale=scale, top=top)
    if column not in frame.columns:
        raise ValueError(f"column {column!r}: not in the data")
    work = pd.DataFrame({"_period": periods, column: frame[column]})
    if weight is not None:
        if weight not in frame.columns:
            raise ValueError(f"column {weight!r}: not in the data (given as the weight column)")
        work["_w"] = frame[weight]

    table, keys, _ = grouped_table(work, column, ["_period"], spec, "_w" if weight else None)
    if len(keys) == 0:
        raise ValueError(f"column {column!r}: no dated answers to trend")
    full = pd.period_range(keys["_period"].min(), keys["_period"].max(), freq=FREQUENCIES[freq])
    position = full.get_indexer(pd.PeriodIndex(keys["_period"]))
    k = table.counts.shape[1]
    counts = np.zeros((len(full), k), dtype=np.int64)
    wsum = np.zeros((len(full), k))
    w2sum = np.zeros(len(full))
    counts[position], wsum[position], w2sum[position] = table.counts, table.wsum, table.w2sum
    per_period = LevelTable(table.levels, counts, wsum, w2sum)
    if window > 1:
        per_period = _rolling(per_period, window)
    est = spec.estimate(per_period, confidence)
    centre = float(
        spec.estimate(per_period.pooled() if window == 1 else table.pooled(), confidence)["score"][
            0
        ]
    )
    out = pd.DataFrame(
        {"period": full.astype(str), "n": per_period.n, "n_effective": per_period.n_effective}
    )
    for name in ("score", "se", "ci_low", "ci_high"):
        out[name] = est[name]
    out["centre"] = centre
    out["lcl"] = centre - sigma * out["se"]
    out["ucl"] = centre + sigma * out["se"]
    if metric == "nps":
        out["lcl"] = out["lcl"].clip(lower=-100.0)
        out["ucl"] = out["ucl"].clip(upper=100.0)
    elif metric == "csat":
        out["lcl"] = out["lcl"].clip(lower=0.0)
        out["ucl"] = out["ucl"].clip(upper=100.0)
    out["out_of_control"] = (out["score"] < out["lcl"]) | (out["score"] > out["ucl"])
    out["small_sample"] = out["n"] < min_n
    return out
