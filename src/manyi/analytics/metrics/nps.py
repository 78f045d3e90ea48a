"""Net Promoter Score (0-10 scale) with its multinomial standard error and interval."""

from __future__ import annotations

import numpy as np

from manyi.analytics.metrics.intervals import normal_interval
from manyi.analytics.metrics.levels import LevelTable, level_table
from manyi.analytics.metrics.result import MetricResult
from manyi.analytics.metrics.validation import ArrayLike, clean_answers, small_sample_warning

LOW, HIGH = 0, 10
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def nps_estimates(table: LevelTable, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """NPS, standard error and interval for every group of a 0-10 level table (vectorised).

    With weighted shares ``p`` (promoters) and ``d`` (detractors) and Kish effective n,
    ``NPS = 100 (p - d)`` and ``Var = 100^2 (p + d - (p - d)^2) / n_eff`` — the variance of
    the difference of two multinomial shares. The interval is normal and clipped to
    [-100, 100].
    """
    total = table.total_weight
    w_promoters = table.wsum[:, PROMOTER_MIN - LOW :].sum(axis=1)
    w_detractors = table.wsum[:, : DETRACTOR_MAX - LOW + 1].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        promoters = w_promoters / total
        detractors = w_detractors / total
        score = 100.0 * (w_promoters - w_detractors) / total
    n_eff = table.n_effective
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = (promoters + detractors - (promoters - detractors) ** 2) / n_eff
    se = 100.0 * np.sqrt(np.maximum(variance, 0.0))
    low, high = normal_interval(score, se, confidence)
    counts = table.counts
    return {
        "score": score,
        "se": se,
        "ci_low": np.clip(low, -100.0, 100.0),
        "ci_high": np.clip(high, -100.0, 100.0),
        "promoters": counts[:, PROMOTER_MIN - LOW :].sum(axis=1),
        "passives": counts[:, DETRACTOR_MAX - LOW + 1 : PROMOTER_MIN - LOW].sum(axis=1),
        "detractors": counts[:, : DETRACTOR_MAX - LOW + 1].sum(axis=1),
        "promoter_share": 100.0 * promoters,
        "detractor_share": 100.0 * detractors,
    }


def nps(
    values: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
    name: str = "nps",
) -> MetricResult:
    """Net Promoter Score on the -100..100 scale from 0-10 "how likely to recommend" answers.

    Promoters answer 9-10, passives 7-8, detractors 0-6. Blanks are dropped and counted;
    any other value outside 0-10 raises.

    Parameters
    ----------
    values : array-like
        Answers 0-10 (NaN/blank allowed).
    weights : array-like, optional
        Survey weights (e.g. from :func:`poststratification_weights`); the variance then uses
        Kish's effective sample size.
    confidence : float
        Interval level, default 0.95.
    min_n : int
        Below this many answers the result carries a warning.
    name : str
        Column name used in error messages.

    Examples
    --------
    >>> r = nps([10, 9, 8, 7, 6, 0, 10, 10, 5, 9])
    >>> r.score, r.counts["promoters"], r.counts["detractors"]
    (20.0, 5, 3)
    """
    answers = clean_answers(values, LOW, HIGH, weights=weights, name=name)
    table = level_table(answers.values, LOW, HIGH, weights=answers.weights)
    return nps_result(table, answers.n_missing, confidence, min_n)


def nps_result(
    table: LevelTable, n_missing: int = 0, confidence: float = 0.95, min_n: int = 30
) -> MetricResult:
    """The :class:`MetricResult` of the first (or only) row of a 0-10 level table."""
    est = nps_estimates(table, confidence)
    n = int(table.n[0])
    return MetricResult(
        metric="nps",
        n=n,
        n_missing=n_missing,
        n_effective=float(table.n_effective[0]),
        score=float(est["score"][0]),
        se=float(est["se"][0]),
        ci_low=float(est["ci_low"][0]),
        ci_high=float(est["ci_high"][0]),
        confidence=confidence,
        counts={k: int(est[k][0]) for k in ("promoters", "passives", "detractors")},
        warning=small_sample_warning(n, min_n),
        extra={k: float(est[k][0]) for k in ("promoter_share", "detractor_share")},
    )
