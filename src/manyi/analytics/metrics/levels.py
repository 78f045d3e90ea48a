"""Per-group counts of each scale level: the one fast pass every score is computed from.

Every rating-scale metric (NPS, CSAT, CES, Likert) is a function of how much (weighted)
mass each group puts on each scale level. One ``np.bincount`` over ``group * K + level``
gives that table for all groups at once, so breakdowns cost one pass over the data
instead of a Python loop per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LevelTable:
    """Counts and weight sums per group (rows) and scale level (columns)."""

    levels: np.ndarray
    counts: np.ndarray
    wsum: np.ndarray
    w2sum: np.ndarray

    @property
    def n(self) -> np.ndarray:
        """Number of valid answers per group."""
        return self.counts.sum(axis=1)

    @property
    def total_weight(self) -> np.ndarray:
        """Sum of weights per group."""
        return self.wsum.sum(axis=1)

    @property
    def n_effective(self) -> np.ndarray:
        """Kish effective sample size per group, ``(sum w)^2 / sum w^2``."""
        total = self.total_weight
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.w2sum > 0, total * total / self.w2sum, 0.0)

    def shares(self) -> np.ndarray:
        """Weighted share of each level per group (rows sum to 1; NaN for empty groups)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.wsum / self.total_weight[:, None]

    def pooled(self) -> LevelTable:
        """All groups summed into one row (the overall figure)."""
        return LevelTable(
            self.levels,
            self.counts.sum(axis=0, keepdims=True),
            self.wsum.sum(axis=0, keepdims=True),
            self.w2sum.sum(keepdims=True),
        )


def level_table(
    values: np.ndarray,
    low: int,
    high: int,
    *,
    weights: np.ndarray | None = None,
    codes: np.ndarray | None = None,
    n_groups: int = 1,
) -> LevelTable:
    """Tabulate clean integer answers on ``low..high`` by group code (``0..n_groups-1``).

    ``values`` must already be validated (no NaN, whole numbers in range); ``codes`` holds
    each answer's group (all 0 when omitted); weights default to 1.
    """
    k = high - low + 1
    index = values.astype(np.int64)
    if low:
        index -= low
    if codes is not None:
        index += codes * k
    size = n_groups * k
    counts = np.bincount(index, minlength=size).reshape(n_groups, k)
    if weights is None:
        wsum = counts.astype(float)
        w2sum = wsum.sum(axis=1)
    else:
        wsum = np.bincount(index, weights=weights, minlength=size).reshape(n_groups, k)
        group = np.zeros(len(values), dtype=np.int64) if codes is None else codes
        w2sum = np.bincount(group, weights=weights * weights, minlength=n_groups)
    return LevelTable(np.arange(low, high + 1, dtype=float), counts, wsum, w2sum)


def weighted_mean_and_se(table: LevelTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean, its standard error and t degrees of freedom per group.

    The variance uses Kish's effective n: ``se^2 = s_w^2 / (n_eff - 1)`` where ``s_w^2`` is the
    weighted population variance; with equal weights this is the usual ``s^2 / n``.
    """
    shares = table.shares()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (table.wsum @ table.levels) / table.total_weight
    centred = table.levels[None, :] - mean[:, None]
    var_w = np.sum(shares * centred * centred, axis=1)
    n_eff = table.n_effective
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(var_w / (n_eff - 1.0))
    se = np.where(n_eff > 1.0, se, np.nan)
    return mean, se, n_eff - 1.0
