"""Likert items: distribution over the levels, mean, top and bottom box, with intervals."""

from __future__ import annotations

from manyi.analytics.metrics.csat import mean_estimates, top_box_estimates
from manyi.analytics.metrics.levels import level_table
from manyi.analytics.metrics.result import MetricResult
from manyi.analytics.metrics.validation import ArrayLike, clean_answers, small_sample_warning


def likert(
    values: ArrayLike,
    *,
    low: int = 1,
    high: int = 5,
    box: int = 2,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
    name: str = "likert",
) -> MetricResult:
    """Summarise one Likert item on ``low..high``.

    ``score`` is the mean (t interval); ``counts`` holds the count per level;
    ``extra`` holds the weighted share (percent) per level (``share_<level>``) and the top and
    bottom ``box`` shares with Wilson intervals.

    Examples
    --------
    >>> r = likert([1, 2, 2, 5, 4], low=1, high=5)
    >>> r.score, r.counts["2"], r.extra["top_box"]
    (2.8, 2, 40.0)
    """
    if high <= low:
        raise ValueError(f"scale: high ({high}) must exceed low ({low})")
    if not 1 <= box < high - low + 1:
        raise ValueError(f"box: {box} must be between 1 and {high - low}")
    answers = clean_answers(values, low, high, weights=weights, name=name)
    table = level_table(answers.values, low, high, weights=answers.weights)
    mean = mean_estimates(table, confidence)
    top = top_box_estimates(table, box, confidence)
    bottom = top_box_estimates(table, box, confidence, bottom=True)
    n = int(table.n[0])
    shares = table.shares()[0]
    extra = {
        f"share_{lv}": float(100.0 * s) for lv, s in zip(range(low, high + 1), shares, strict=True)
    }
    for prefix, est in (("top_box", top), ("bottom_box", bottom)):
        extra[prefix] = float(est["score"][0])
        extra[f"{prefix}_ci_low"] = float(est["ci_low"][0])
        extra[f"{prefix}_ci_high"] = float(est["ci_high"][0])
    return MetricResult(
        metric="likert",
        n=n,
        n_missing=answers.n_missing,
        n_effective=float(table.n_effective[0]),
        score=float(mean["score"][0]),
        se=float(mean["se"][0]),
        ci_low=float(mean["ci_low"][0]),
        ci_high=float(mean["ci_high"][0]),
        confidence=confidence,
        counts={
            str(lv): int(c) for lv, c in zip(range(low, high + 1), table.counts[0], strict=True)
        },
        warning=small_sample_warning(n, min_n),
        extra=extra,
    )
