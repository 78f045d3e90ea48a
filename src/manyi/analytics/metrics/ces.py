"""Customer Effort Score (1-7, higher = easier): mean and share "easy", with intervals."""

from __future__ import annotations

import numpy as np

from manyi.analytics.metrics.csat import mean_estimates, top_box_estimates
from manyi.analytics.metrics.levels import LevelTable, level_table
from manyi.analytics.metrics.result import MetricResult
from manyi.analytics.metrics.validation import ArrayLike, clean_answers, small_sample_warning

LOW, HIGH = 1, 7


def ces_estimates(
    table: LevelTable, easy_top: int = 3, confidence: float = 0.95
) -> dict[str, np.ndarray]:
    """CES per group: the mean (headline) plus the share answering in the top ``easy_top`` boxes."""
    est = mean_estimates(table, confidence)
    easy = top_box_estimates(table, easy_top, confidence)
    est.update({f"easy_{k if k != 'score' else 'share'}": v for k, v in easy.items()})
    return est


def ces(
    values: ArrayLike,
    *,
    easy_top: int = 3,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
    name: str = "ces",
) -> MetricResult:
    """Customer Effort Score on 1-7 ("the company made it easy", 7 = strongly agree).

    ``score`` is the mean with a t interval; ``extra["easy_share"]`` is the percent answering
    in the top ``easy_top`` boxes (5-7 by default) with a Wilson interval.

    Examples
    --------
    >>> r = ces([7, 6, 5, 4, 1, 7])
    >>> r.score, round(r.extra["easy_share"], 2)
    (5.0, 66.67)
    """
    if not 1 <= easy_top < HIGH - LOW + 1:
        raise ValueError(f"easy_top: {easy_top} boxes must be between 1 and 6")
    answers = clean_answers(values, LOW, HIGH, weights=weights, name=name)
    table = level_table(answers.values, LOW, HIGH, weights=answers.weights)
    return ces_result(table, answers.n_missing, confidence, min_n, easy_top=easy_top)


def ces_result(
    table: LevelTable,
    n_missing: int = 0,
    confidence: float = 0.95,
    min_n: int = 30,
    *,
    easy_top: int = 3,
) -> MetricResult:
    """The :class:`MetricResult` of the first (or only) row of a 1-7 level table."""
    est = ces_estimates(table, easy_top, confidence)
    n = int(table.n[0])
    easy = int(est["easy_count"][0])
    return MetricResult(
        metric="ces",
        n=n,
        n_missing=n_missing,
        n_effective=float(table.n_effective[0]),
        score=float(est["score"][0]),
        se=float(est["se"][0]),
        ci_low=float(est["ci_low"][0]),
        ci_high=float(est["ci_high"][0]),
        confidence=confidence,
        counts={"easy": easy, "not_easy": n - easy},
        warning=small_sample_warning(n, min_n),
        extra={
            k: float(est[k][0]) for k in ("easy_share", "easy_se", "easy_ci_low", "easy_ci_high")
        },
    )
