"""Gap analysis: perception minus expectation per service-quality dimension (SERVQUAL).

Each respondent's gap on a dimension is the mean of (perception - expectation) over the
dimension's items; the dimension's gap is tested against 0 with a paired t-test (or
Wilcoxon signed-rank), p-values corrected across dimensions (Holm by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from manyi.analytics.metrics.compare import adjust_pvalues
from manyi.analytics.metrics.intervals import t_interval

# Parasuraman, Zeithaml & Berry (1988): 22 items in five dimensions.
SERVQUAL_ITEMS: dict[str, list[int]] = {
    "tangibles": [1, 2, 3, 4],
    "reliability": [5, 6, 7, 8, 9],
    "responsiveness": [10, 11, 12, 13],
    "assurance": [14, 15, 16, 17],
    "empathy": [18, 19, 20, 21, 22],
}

DIMENSION_LABELS = {
    "tangibles": "tangibles / 有形性",
    "reliability": "reliability / 可靠性",
    "responsiveness": "responsiveness / 响应性",
    "assurance": "assurance / 保证性",
    "empathy": "empathy / 移情性",
    "appearance": "appearance / 外观",
    "function": "function / 功能",
    "emotion": "emotion / 情感",
    "cognition": "cognition / 认知",
}


def servqual_dimensions(
    expectation_prefix: str = "E", perception_prefix: str = "P"
) -> dict[str, list[tuple[str, str]]]:
    """The default SERVQUAL mapping as (expectation, perception) column pairs, e.g. (E1, P1)."""
    return {
        dim: [(f"{expectation_prefix}{i}", f"{perception_prefix}{i}") for i in items]
        for dim, items in SERVQUAL_ITEMS.items()
    }


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats (blanks NaN), refusing missing columns and non-numbers."""
    if column not in frame.columns:
        raise ValueError(f"column {column!r}: not in the data (named in a gap dimension)")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"column {column!r}: value {raw.iloc[row]!r} at row {row} is not a number")
    return values.to_numpy(dtype=float)


def _paired_means(expect: np.ndarray, percept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-respondent means over the items answered on both sides (NaN when none)."""
    both = ~(np.isnan(expect) | np.isnan(percept))
    count = both.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        e_mean = np.where(both, expect, 0.0).sum(axis=1) / count
        p_mean = np.where(both, percept, 0.0).sum(axis=1) / count
    return np.where(count > 0, e_mean, np.nan), np.where(count > 0, p_mean, np.nan)


def gap_analysis(
    frame: pd.DataFrame,
    dimensions: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    *,
    test: str = "t",
    adjust: str = "holm",
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Expectation vs perception per dimension, with a paired test corrected across dimensions.

    Parameters
    ----------
    frame : DataFrame
        One row per respondent.
    dimensions : mapping of dimension -> list of (expectation column, perception column)
        Defaults to SERVQUAL's five dimensions over columns ``E1..E22`` / ``P1..P22``.
        User-defined dimensions (e.g. appearance/function/emotion/cognition) work the same.
    test : {"t", "wilcoxon"}
        Paired t-test or Wilcoxon signed-rank test of the respondent-level gaps.
    adjust : {"holm", "bh"}
        Multiple-testing correction across dimensions.

    Returns
    -------
    DataFrame
        One row per dimension: ``dimension``, ``label``, ``n``, ``expectation``,
        ``perception``, ``gap`` (perception - expectation; negative = falls short),
        ``ci_low``, ``ci_high``, ``statistic``, ``p_value``, ``p_adjusted``, ``significant``,
        sorted from the largest shortfall.
    """
    if test not in ("t", "wilcoxon"):
        raise ValueError(f"test: {test!r} is not 't' or 'wilcoxon'")
    mapping = servqual_dimensions() if dimensions is None else dimensions
    if not mapping:
        raise ValueError("dimensions: give at least one dimension")
    rows = []
    for dim, pairs in mapping.items():
        if not pairs:
            raise ValueError(f"dimensions: {dim!r} has no item pairs")
        expect = np.column_stack([_numeric(frame, e) for e, _ in pairs])
        percept = np.column_stack([_numeric(frame, p) for _, p in pairs])
        e_mean, p_mean = _paired_means(expect, percept)
        keep = ~np.isnan(e_mean)
        gaps = p_mean[keep] - e_mean[keep]
        n = int(gaps.size)
        gap = float(gaps.mean()) if n else float("nan")
        se = float(gaps.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        low, high = t_interval(gap, se, n - 1, confidence)
        if n < 2 or np.allclose(gaps, 0):
            statistic, p = float("nan"), 1.0
        elif test == "t":
            res = stats.ttest_1samp(gaps, 0.0)
            statistic, p = float(res.statistic), float(res.pvalue)
        else:
            res = stats.wilcoxon(gaps)
            statistic, p = float(res.statistic), float(res.pvalue)
        rows.append(
            {
                "dimension": dim,
                "label": DIMENSION_LABELS.get(dim, dim),
                "n": n,
                "expectation": float(e_mean[keep].mean()) if n else float("nan"),
                "perception": float(p_mean[keep].mean()) if n else float("nan"),
                "gap": gap,
                "ci_low": float(low),
                "ci_high": float(high),
                "statistic": statistic,
                "p_value": p,
                "test": test,
            }
        )
    out = pd.DataFrame(rows)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), adjust)
    out["significant"] = out["p_adjusted"] < alpha
    return out.sort_values("gap", kind="stable").reset_index(drop=True)
