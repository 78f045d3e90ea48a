"""Is the difference real? Two-group tests for NPS, shares and means, and many-group tests
with Holm or Benjamini-Hochberg control of multiple testing."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from manyi.analytics.metrics.breakdown import grouped_table
from manyi.analytics.metrics.intervals import normal_interval, wilson_interval, z_value
from manyi.analytics.metrics.levels import LevelTable, level_table, weighted_mean_and_se
from manyi.analytics.metrics.nps import nps_estimates
from manyi.analytics.metrics.registry import metric_spec
from manyi.analytics.metrics.result import json_safe
from manyi.analytics.metrics.validation import ArrayLike, clean_answers, small_sample_warning


@dataclass(frozen=True)
class Comparison:
    """Group A minus group B, with the test used, its statistic and two-sided p-value."""

    metric: str
    n_a: int
    n_b: int
    score_a: float
    score_b: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    test: str
    confidence: float
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (NaN becomes None)."""
        return {k: json_safe(v) for k, v in asdict(self).items()}


def _two_sided_p(z: float) -> float:
    """Two-sided normal p-value of a z statistic."""
    return float(2.0 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")


def _warn(n_a: int, n_b: int, min_n: int) -> str | None:
    """Small-sample warning when either group is below ``min_n``."""
    return small_sample_warning(min(n_a, n_b), min_n)


def _nps_pair(t: LevelTable, i: int, j: int, confidence: float, min_n: int) -> Comparison:
    """z-test of the NPS difference with the multinomial variance of each group."""
    est = nps_estimates(t, confidence)
    diff = float(est["score"][i] - est["score"][j])
    se = float(np.hypot(est["se"][i], est["se"][j]))
    z = diff / se if se > 0 else float("nan")
    low, high = normal_interval(diff, se, confidence)
    n_a, n_b = int(t.n[i]), int(t.n[j])
    return Comparison(
        "nps",
        n_a,
        n_b,
        float(est["score"][i]),
        float(est["score"][j]),
        diff,
        se,
        float(low),
        float(high),
        z,
        _two_sided_p(z),
        "z (multinomial variance)",
        confidence,
        _warn(n_a, n_b, min_n),
    )


def proportion_test(
    x_a: float,
    n_a: float,
    x_b: float,
    n_b: float,
    *,
    confidence: float = 0.95,
    min_n: int = 30,
    exact: bool | None = None,
) -> Comparison:
    """Compare two shares ``x_a/n_a`` and ``x_b/n_b`` (in percent).

    Uses the pooled two-proportion z-test, or Fisher's exact test when any expected cell
    count is below 5 (``exact=None``) or when ``exact=True``. The interval for the difference
    is Newcombe's hybrid score interval (Wilson-based), well behaved for small n.

    Examples
    --------
    >>> round(proportion_test(60, 100, 40, 100).p_value, 4)
    0.0047
    """
    if min(n_a, n_b) <= 0:
        raise ValueError("proportion_test: both groups need at least one answer")
    if not (0 <= x_a <= n_a and 0 <= x_b <= n_b):
        raise ValueError("proportion_test: successes must lie between 0 and n")
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    expected = np.array([n_a * pooled, n_a * (1 - pooled), n_b * pooled, n_b * (1 - pooled)])
    use_exact = bool(expected.min() < 5) if exact is None else exact
    if use_exact:
        table = np.rint([[x_a, n_a - x_a], [x_b, n_b - x_b]]).astype(int)
        statistic, p = stats.fisher_exact(table)
        test = "Fisher exact"
    else:
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        statistic = (p_a - p_b) / se0 if se0 > 0 else float("nan")
        p = _two_sided_p(float(statistic))
        test = "two-proportion z (pooled)"
    la, ha = wilson_interval(p_a, n_a, confidence)
    lb, hb = wilson_interval(p_b, n_b, confidence)
    diff = p_a - p_b
    low = diff - np.sqrt((p_a - la) ** 2 + (hb - p_b) ** 2)
    high = diff + np.sqrt((ha - p_a) ** 2 + (p_b - lb) ** 2)
    se = np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    return Comparison(
        "share",
        round(n_a),
        round(n_b),
        100 * p_a,
        100 * p_b,
        100 * diff,
        100 * float(se),
        100 * float(low),
        100 * float(high),
        float(statistic),
        float(p),
        test,
        confidence,
        _warn(int(n_a), int(n_b), min_n),
    )


def welch_test(
    mean_a: float,
    se_a: float,
    df_a: float,
    mean_b: float,
    se_b: float,
    df_b: float,
    *,
    n_a: int,
    n_b: int,
    confidence: float = 0.95,
    min_n: int = 30,
) -> Comparison:
    """Welch's t-test from each group's mean, standard error and degrees of freedom."""
    var = se_a**2 + se_b**2
    diff = mean_a - mean_b
    with np.errstate(divide="ignore", invalid="ignore"):
        df = var**2 / (se_a**4 / df_a + se_b**4 / df_b)
        t = diff / np.sqrt(var)
    p = float(2.0 * stats.t.sf(abs(t), df)) if np.isfinite(t) else float("nan")
    z_value(confidence)
    q = float(stats.t.ppf(0.5 + confidence / 2, df)) if np.isfinite(df) else float("nan")
    se = float(np.sqrt(var))
    return Comparison(
        "mean",
        n_a,
        n_b,
        float(mean_a),
        float(mean_b),
        float(diff),
        se,
        diff - q * se,
        diff + q * se,
        float(t),
        p,
        "Welch t",
        confidence,
        _warn(n_a, n_b, min_n),
    )


def _pair(
    metric: str, t: LevelTable, i: int, j: int, top: int, confidence: float, min_n: int
) -> Comparison:
    """Compare groups ``i`` and ``j`` of a level table with the metric's own test."""
    if metric == "nps":
        return _nps_pair(t, i, j, confidence, min_n)
    if metric == "csat":
        p = t.shares()[:, -top:].sum(axis=1)
        neff = t.n_effective
        weighted = not np.allclose(neff, t.n)
        result = proportion_test(
            p[i] * neff[i],
            neff[i],
            p[j] * neff[j],
            neff[j],
            confidence=confidence,
            min_n=min_n,
            exact=False if weighted else None,
        )
        return Comparison(
            **{**asdict(result), "metric": "csat", "n_a": int(t.n[i]), "n_b": int(t.n[j])}
        )
    mean, se, df = weighted_mean_and_se(t)
    return welch_test(
        mean[i],
        se[i],
        df[i],
        mean[j],
        se[j],
        df[j],
        n_a=int(t.n[i]),
        n_b=int(t.n[j]),
        confidence=confidence,
        min_n=min_n,
    )


def compare_two(
    a: ArrayLike,
    b: ArrayLike,
    *,
    metric: str = "nps",
    weights_a: ArrayLike | None = None,
    weights_b: ArrayLike | None = None,
    scale: int = 5,
    top: int = 2,
    confidence: float = 0.95,
    min_n: int = 30,
) -> Comparison:
    """Compare answers of two groups (periods, segments, stores, channels): A minus B.

    NPS: z-test with each group's multinomial variance; CSAT: top-box shares (z-test, or
    Fisher's exact test for small counts); CES: Welch t-test on the means.

    Examples
    --------
    >>> c = compare_two([10] * 50 + [0] * 50, [10] * 30 + [0] * 70)
    >>> c.difference, round(c.p_value, 4)
    (40.0, 0.0032)
    """
    spec = metric_spec(metric, scale=scale, top=top)
    ca = clean_answers(a, spec.low, spec.high, weights=weights_a, name="group A")
    cb = clean_answers(b, spec.low, spec.high, weights=weights_b, name="group B")
    if min(len(ca.values), len(cb.values)) == 0:
        raise ValueError("compare_two: each group needs at least one valid answer")
    values = np.concatenate([ca.values, cb.values])
    weights = np.concatenate(
        [np.ones(len(c.values)) if c.weights is None else c.weights for c in (ca, cb)]
    )
    codes = np.repeat([0, 1], [len(ca.values), len(cb.values)])
    table = level_table(values, spec.low, spec.high, weights=weights, codes=codes, n_groups=2)
    return _pair(metric, table, 0, 1, top, confidence, min_n)


def adjust_pvalues(p_values: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing: ``"holm"`` (family-wise) or ``"bh"`` (FDR).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p_values: every p-value must lie in [0, 1]")
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method in ("bh", "fdr_bh"):
        adjusted = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    else:
        raise ValueError(f"method: {method!r} is not 'holm' or 'bh'")
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def compare_groups(
    frame: pd.DataFrame,
    column: str,
    by: str,
    *,
    metric: str = "nps",
    weight: str | None = None,
    scale: int = 5,
    top: int = 2,
    adjust: str = "holm",
    alpha: float = 0.05,
    confidence: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """Every pair of groups of ``by`` compared on ``column``, p-values adjusted for the family.

    Returns one row per pair (``group_a``, ``group_b``, the :class:`Comparison` fields,
    ``p_adjusted`` and ``significant`` at ``alpha`` after adjustment), most significant first.
    """
    spec = metric_spec(metric, scale=scale, top=top)
    table, keys, _ = grouped_table(frame, column, [by], spec, weight)
    names = keys[by].tolist()
    valid = [g for g in range(len(names)) if table.n[g] > 0]
    rows = []
    for i, j in itertools.combinations(valid, 2):
        comparison = _pair(metric, table, i, j, top, confidence, min_n)
        rows.append({"group_a": names[i], "group_b": names[j], **asdict(comparison)})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adjusted"] = adjust_pvalues(out["p_value"].fillna(1.0).to_numpy(), adjust)
    out["significant"] = out["p_adjusted"] < alpha
    out["adjustment"] = adjust
    return out.sort_values("p_adjusted", kind="stable").reset_index(drop=True)
