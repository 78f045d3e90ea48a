"""The small frozen result every score function returns."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


def json_safe(value: Any) -> Any:
    """Turn NaN into None so results serialise to valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class MetricResult:
    """A score with its sample size, standard error, interval, counts and any warning.

    Attributes
    ----------
    metric : str
        ``"nps"``, ``"csat"``, ``"ces"`` or ``"likert"``.
    n : int
        Valid answers used.
    n_missing : int
        Blank answers dropped.
    n_effective : float
        Kish effective sample size (equals ``n`` without weights).
    score, se, ci_low, ci_high : float
        The headline score, its standard error and confidence interval, on the score's scale
        (NPS -100..100, shares in percent, means on the answer scale).
    confidence : float
        Confidence level of the interval.
    counts : dict
        Unweighted counts (promoters/passives/detractors, or per scale level).
    warning : str or None
        Set when the sample is too small to read.
    extra : dict
        Secondary figures (e.g. the CSAT mean with its interval, CES share "easy").
    """

    metric: str
    n: int
    n_missing: int
    n_effective: float
    score: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    counts: dict[str, int]
    warning: str | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (NaN becomes None)."""
        return {k: json_safe(v) for k, v in asdict(self).items()}
