"""Mid-rank percentiles: the order-independent basis of RFM scores and value tiers."""

from __future__ import annotations

import numpy as np


def midrank_percentile(values: np.ndarray) -> np.ndarray:
    """Percentile of each value: (count below + count equal / 2) / total, in (0, 1).

    Equal values always get the same percentile, so anything derived from it does not
    depend on row order. One stable argsort; values must be finite.
    """
    values = np.asarray(values, dtype="float64")
    n = values.size
    if n == 0:
        return np.zeros(0, dtype="float64")
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lengths = np.diff(np.r_[starts, n])
    percentile = np.empty(n, dtype="float64")
    percentile[order] = np.repeat((starts + lengths / 2.0) / n, lengths)
    return percentile
