"""Customer satisfaction (CSAT): top-2-box share in percent and the mean, with intervals."""

from __future__ import annotations

import numpy as np

from manyi.analytics.metrics.intervals import t_interval, wilson_interval
from manyi.analytics.metrics.levels import LevelTable, level_table, weighted_mean_and_se
from manyi.analytics.metrics.result import MetricResult
from manyi.analytics.metrics.validation import ArrayLike, clean_answers, small_sample_warning

SCALES = (5, 7, 10)


def check_scale(scale: int) -> None:
    """Refuse CSAT scales other than 1-5, 1-7 and 1-10."""
    if scale not in SCALES:
        raise ValueError(f"scale: {scale} is not supported; use one of {SCALES} (answers 1..scale)")


def top_box_estimates(
    table: LevelTable, top: int, confidence: float = 0.95, *, bottom: bool = False
) -> dict[str, np.ndarray]:
    """Share (percent) of the top (or bottom) ``top`` levels per group, Wilson interval on n_eff."""
    shares = table.shares()
    part = shares[:, :top] if bottom else shares[:, -top:]
    p = part.sum(axis=1)
    n_eff = table.n_effective
    low, high = wilson_interval(p, n_eff, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(p * (1.0 - p) / n_eff)
    count_part = table.counts[:, :top] if bottom else table.counts[:, -top:]
    return {
        "score": 100.0 * p,
        "se": 100.0 * se,
        "ci_low": 100.0 * low,
        "ci_high": 100.0 * high,
        "count": count_part.sum(axis=1),
    }


def mean_estimates(table: LevelTable, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Weighted mean per group with its standard error and t interval."""
    mean, se, df = weighted_mean_and_se(table)
    low, high = t_interval(mean, se, df, confidence)
    return {"score": mean, "se": se, "ci_low": low, "ci_high": high}


def csat_estimates(
    table: LevelTable, top: int = 2, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """CSAT per group: top-box share (headline) plus the mean and its interval."""
    est = top_box_estimates(table, top, confidence)
    mean = mean_estimates(table, confidence)
    est.update({f"mean{'' if k == 'score' else '_' + k}": v for k, v in mean.items()})
    est["satisfied"] = est.pop("count")
    return est


def csat(
    values: ArrayLike,
    *,
    scale: int = 5,
    top: int = 2,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
    name: str = "csat",
) -> MetricResult:
    """CSAT on a 1-5, 1-7 or 1-10 scale: percent in the top ``top`` boxes, and the mean.

    The share's interval is Wilson's (on Kish's effective n when weighted); the mean's is a
    t interval. Blanks are dropped and counted; out-of-scale values raise.

    Examples
    --------
    >>> r = csat([5, 4, 3, 2, 1, 5, 4, 4])
    >>> r.score, r.extra["mean"]
    (62.5, 3.5)
    """
    check_scale(scale)
    if not 1 <= top < scale:
        raise ValueError(f"top: {top} boxes must be between 1 and {scale - 1}")
    answers = clean_answers(values, 1, scale, weights=weights, name=name)
    table = level_table(answers.values, 1, scale, weights=answers.weights)
    return csat_result(table, answers.n_missing, confidence, min_n, top=top)


def csat_result(
    table: LevelTable,
    n_missing: int = 0,
    confidence: float = 0.95,
    min_n: int = 30,
    *,
    top: int = 2,
) -> MetricResult:
    """The :class:`MetricResult` of the first (or only) row of a 1..scale level table."""
    est = csat_estimates(table, top, confidence)
    n = int(table.n[0])
    satisfied = int(est["satisfied"][0])
    return MetricResult(
        metric="csat",
        n=n,
        n_missing=n_missing,
        n_effective=float(table.n_effective[0]),
        score=float(est["score"][0]),
        se=float(est["se"][0]),
        ci_low=float(est["ci_low"][0]),
        ci_high=float(est["ci_high"][0]),
        confidence=confidence,
        counts={"satisfied": satisfied, "not_satisfied": n - satisfied},
        warning=small_sample_warning(n, min_n),
        extra={k: float(est[k][0]) for k in ("mean", "mean_se", "mean_ci_low", "mean_ci_high")},
    )
