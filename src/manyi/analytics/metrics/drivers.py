"""Key-driver analysis: which attributes move overall satisfaction, and where to act.

Two importance measures that share importance fairly between correlated drivers, unlike
raw regression coefficients:

* relative weights (Johnson 2000, *Multivariate Behavioral Research* 35(1)): regress the
  target on the orthogonal counterpart of the drivers and map the squared weights back;
* Shapley-value regression (Lipovetsky & Conklin 2001): each driver's average gain in R²
  over all orders of entry, computed exactly over all 2^p subsets (p <= 15).

Both decompose the model R² exactly. The importance-performance map then places each driver
in one of four quadrants.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from math import factorial

import numpy as np
import pandas as pd

MAX_SHAPLEY_DRIVERS = 15

QUADRANTS = {
    (True, True): "keep up the good work / 继续保持",
    (True, False): "concentrate here / 重点改进",
    (False, False): "low priority / 低优先级",
    (False, True): "possible overkill / 可能过度",
}


def _correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrix of the drivers and their correlations with the target."""
    data = np.column_stack([x, y])
    corr = np.corrcoef(data, rowvar=False)
    return corr[:-1, :-1], corr[:-1, -1]


def relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights: each driver's share of R² (they sum to R²)."""
    rxx, rxy = _correlations(x, y)
    eigval, eigvec = np.linalg.eigh(rxx)
    eigval = np.clip(eigval, 0.0, None)
    lam = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T
    beta = np.linalg.lstsq(lam, rxy, rcond=None)[0]
    return (lam**2) @ (beta**2)


def _r2_of_subset(rxx: np.ndarray, rxy: np.ndarray, subset: tuple[int, ...]) -> float:
    """R² of regressing the target on a subset of drivers, from correlations alone."""
    if not subset:
        return 0.0
    idx = list(subset)
    r = rxy[idx]
    coef = np.linalg.lstsq(rxx[np.ix_(idx, idx)], r, rcond=None)[0]
    return float(r @ coef)


def shapley_r2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact Shapley decomposition of R² over all subsets of drivers (p <= 15)."""
    p = x.shape[1]
    if p > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"drivers: exact Shapley regression supports at most "
            f"{MAX_SHAPLEY_DRIVERS} drivers, got {p}; use relative weights"
        )
    rxx, rxy = _correlations(x, y)
    r2 = {}
    for size in range(p + 1):
        for subset in itertools.combinations(range(p), size):
            r2[frozenset(subset)] = _r2_of_subset(rxx, rxy, subset)
    weight = [factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)]
    values = np.zeros(p)
    for subset_key, value in r2.items():
        for j in range(p):
            if j not in subset_key:
                values[j] += weight[len(subset_key)] * (r2[subset_key | {j}] - value)
    return values


def _check_frame(frame: pd.DataFrame, target: str, drivers: Sequence[str]) -> pd.DataFrame:
    """Numeric, complete rows of target and drivers; raise naming any bad column."""
    if len(drivers) < 1:
        raise ValueError("drivers: give at least one driver column")
    if target in drivers:
        raise ValueError(f"column {target!r}: the target cannot also be a driver")
    columns = [target, *drivers]
    for column in columns:
        if column not in frame.columns:
            raise ValueError(f"column {column!r}: not in the data")
    data = frame[columns].apply(pd.to_numeric, errors="coerce")
    for column in columns:
        bad = (
            data[column].isna()
            & frame[column].notna()
            & (frame[column].astype(str).str.strip() != "")
        )
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"column {column!r}: value {frame[column].iloc[row]!r} at row {row} is not a number"
            )
    data = data.dropna()
    if len(data) < len(columns) + 2:
        raise ValueError(
            f"drivers: only {len(data)} complete rows for {len(drivers)} drivers; need more answers"
        )
    constant = [c for c in columns if data[c].std() == 0]
    if constant:
        raise ValueError(
            f"column {constant[0]!r}: has no variation, so it cannot explain or be explained"
        )
    return data


class KeyDriverAnalysis:
    """Importance of each driver for a target, with the importance-performance map.

    Parameters
    ----------
    method : {"both", "relative_weights", "shapley"}
        Which importance measures to compute; ``"both"`` skips Shapley above 15 drivers.

    Attributes
    ----------
    importance_ : DataFrame
        One row per driver: ``correlation``, ``relative_weight``, ``shapley`` (each an R²
        share), ``importance`` (percent of R², from Shapley when present), ``performance``
        (driver mean), sorted by importance.
    r2_ : float
        R² of the full linear model.
    n_ : int
        Complete rows used (rows with any blank are dropped).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    >>> df["y"] = 2 * df["a"] + df["b"] + rng.normal(size=200)
    >>> kda = KeyDriverAnalysis().fit(df, "y", ["a", "b"])
    >>> kda.importance_["driver"].tolist()
    ['a', 'b']
    """

    def __init__(self, method: str = "both") -> None:
        self.method = method

    def fit(self, frame: pd.DataFrame, target: str, drivers: Sequence[str]) -> KeyDriverAnalysis:
        """Compute importances of ``drivers`` for ``target`` on complete rows."""
        if self.method not in ("both", "relative_weights", "shapley"):
            raise ValueError(
                f"method: {self.method!r} is not 'both', 'relative_weights' or 'shapley'"
            )
        drivers = list(drivers)
        data = _check_frame(frame, target, drivers)
        x = data[drivers].to_numpy(dtype=float)
        y = data[target].to_numpy(dtype=float)
        rxx, rxy = _correlations(x, y)
        out = pd.DataFrame({"driver": drivers, "correlation": rxy})
        if self.method in ("both", "relative_weights"):
            out["relative_weight"] = relative_weights(x, y)
        if self.method == "shapley" or (
            self.method == "both" and len(drivers) <= MAX_SHAPLEY_DRIVERS
        ):
            out["shapley"] = shapley_r2(x, y)
        self.r2_ = _r2_of_subset(rxx, rxy, tuple(range(len(drivers))))
        basis = out["shapley"] if "shapley" in out else out["relative_weight"]
        out["importance"] = 100.0 * basis / basis.sum() if basis.sum() > 0 else 0.0
        out["performance"] = data[drivers].mean().to_numpy()
        self.importance_ = out.sort_values("importance", ascending=False).reset_index(drop=True)
        self.n_ = len(data)
        self.n_dropped_ = len(frame) - len(data)
        return self

    def quadrants(
        self, importance_cut: float | None = None, performance_cut: float | None = None
    ) -> pd.DataFrame:
        """Importance-performance map of the fitted drivers (see :func:`importance_performance`)."""
        if not hasattr(self, "importance_"):
            raise RuntimeError("KeyDriverAnalysis is not fitted yet; call fit first")
        return importance_performance(
            self.importance_, importance_cut=importance_cut, performance_cut=performance_cut
        )


def importance_performance(
    table: pd.DataFrame,
    *,
    importance: str = "importance",
    performance: str = "performance",
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> pd.DataFrame:
    """Place each driver in an importance-performance quadrant.

    Cut-offs default to the means of the two columns. High importance and high performance:
    "keep up the good work / 继续保持"; high importance, low performance: "concentrate here /
    重点改进"; low both: "low priority / 低优先级"; low importance, high performance: "possible
    overkill / 可能过度". Values equal to a cut-off count as high.
    """
    for column in (importance, performance):
        if column not in table.columns:
            raise ValueError(f"column {column!r}: not in the importance table")
    imp = table[importance].astype(float)
    perf = table[performance].astype(float)
    i_cut = float(imp.mean()) if importance_cut is None else importance_cut
    p_cut = float(perf.mean()) if performance_cut is None else performance_cut
    out = table.copy()
    out["quadrant"] = [
        QUADRANTS[(bool(a >= i_cut), bool(b >= p_cut))] for a, b in zip(imp, perf, strict=True)
    ]
    out["importance_cut"] = i_cut
    out["performance_cut"] = p_cut
    return out
