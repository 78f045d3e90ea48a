"""Which scale and estimator each rating metric uses, looked up by name (a registry, not a switch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from manyi.analytics.metrics.ces import ces_estimates, ces_result
from manyi.analytics.metrics.csat import check_scale, csat_estimates, csat_result
from manyi.analytics.metrics.levels import LevelTable
from manyi.analytics.metrics.nps import nps_estimates, nps_result
from manyi.analytics.metrics.result import MetricResult

Estimator = Callable[[LevelTable, float], dict[str, np.ndarray]]
Summariser = Callable[[LevelTable, int, float, int], MetricResult]


@dataclass(frozen=True)
class MetricSpec:
    """A rating metric: its name, answer scale and vectorised estimator over a level table."""

    name: str
    low: int
    high: int
    estimate: Estimator
    result: Summariser


def metric_spec(metric: str, *, scale: int = 5, top: int = 2, easy_top: int = 3) -> MetricSpec:
    """Return the spec of ``"nps"``, ``"csat"`` (1..scale, top-``top`` box) or ``"ces"`` (1-7)."""
    if metric == "nps":
        return MetricSpec("nps", 0, 10, nps_estimates, nps_result)
    if metric == "csat":
        check_scale(scale)
        if not 1 <= top < scale:
            raise ValueError(f"top: {top} boxes must be between 1 and {scale - 1}")
        return MetricSpec(
            "csat",
            1,
            scale,
            lambda t, c: csat_estimates(t, top, c),
            lambda t, m, c, n: csat_result(t, m, c, n, top=top),
        )
    if metric == "ces":
        if not 1 <= easy_top < 7:
            raise ValueError(f"easy_top: {easy_top} boxes must be between 1 and 6")
        return MetricSpec(
            "ces",
            1,
            7,
            lambda t, c: ces_estimates(t, easy_top, c),
            lambda t, m, c, n: ces_result(t, m, c, n, easy_top=easy_top),
        )
    raise ValueError(f"metric: {metric!r} is not one of 'nps', 'csat', 'ces'")
