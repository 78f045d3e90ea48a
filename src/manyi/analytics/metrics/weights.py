"""Survey weights: post-stratification/raking to population margins and Kish effective n."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def kish_effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``; equals n for equal weights."""
    w = np.asarray(weights, dtype=float)
    total_sq = float(np.sum(w * w))
    if total_sq == 0.0:
        return 0.0
    return float(np.sum(w)) ** 2 / total_sq


def _check_margin(frame: pd.DataFrame, column: str, shares: Mapping[object, float]) -> None:
    """Refuse margins whose column is missing, shares do not sum to 1 or levels are unknown."""
    if column not in frame.columns:
        raise ValueError(f"column {column!r}: not in the data (needed for its population margin)")
    total = float(sum(shares.values()))
    if any(v < 0 for v in shares.values()) or not np.isclose(total, 1.0, atol=1e-6):
        raise ValueError(f"column {column!r}: population shares must be >= 0 and sum to 1")
    present = set(frame[column].dropna().unique())
    unknown = present - set(shares)
    if unknown:
        raise ValueError(f"column {column!r}: levels {sorted(map(str, unknown))} have no share")
    empty = [k for k, v in shares.items() if v > 0 and k not in present]
    if empty:
        raise ValueError(f"column {column!r}: no respondents in level(s) {sorted(map(str, empty))}")


def poststratification_weights(
    frame: pd.DataFrame,
    margins: Mapping[str, Mapping[object, float]],
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> np.ndarray:
    """Weights that make the sample match population shares (mean weight 1).

    With one margin this is classic post-stratification (weight = population share / sample
    share per cell); with several it rakes (iterative proportional fitting) to all margins.

    Parameters
    ----------
    frame : DataFrame
        Respondents, one row each.
    margins : mapping of column -> {level: population share}
        Shares of each level in the population; each must sum to 1.

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["f", "m", "m", "m"]})
    >>> poststratification_weights(df, {"sex": {"f": 0.5, "m": 0.5}}).tolist()
    [2.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666]
    """
    if not margins:
        raise ValueError("margins: give at least one column with population shares")
    for column, shares in margins.items():
        _check_margin(frame, column, shares)
    n = len(frame)
    weights = np.ones(n)
    codes = {c: frame[c].map(lambda v, s=s: s.get(v, np.nan)) for c, s in margins.items()}
    keys = {c: pd.factorize(frame[c])[0] for c in margins}
    for _ in range(max_iter):
        change = 0.0
        for column in margins:
            code = keys[column]
            target = codes[column].to_numpy(dtype=float) * n
            current = np.bincount(code, weights=weights)[code]
            factor = target / current
            change = max(change, float(np.max(np.abs(factor - 1.0))))
            weights = weights * factor
        if change < tol:
            break
    return weights
