"""Simulated coverage of the 95% intervals (vectorised over many samples)."""

from __future__ import annotations

import numpy as np

from manyi.analytics.metrics.csat import csat_estimates
from manyi.analytics.metrics.levels import level_table
from manyi.analytics.metrics.nps import nps_estimates

SAMPLES = 20_000


def _tables(probabilities: np.ndarray, n: int, low: int, seed: int):  # type: ignore[no-untyped-def]
    """SAMPLES simulated surveys of size n, tabulated as groups of one level table."""
    rng = np.random.default_rng(seed)
    k = probabilities.size
    values = rng.choice(k, size=(SAMPLES, n), p=probabilities) + low
    codes = np.repeat(np.arange(SAMPLES), n)
    return level_table(
        values.ravel().astype(float), low, low + k - 1, codes=codes, n_groups=SAMPLES
    )


def test_nps_interval_coverage() -> None:
    p = np.array([0.05, 0.03, 0.03, 0.04, 0.05, 0.05, 0.05, 0.1, 0.15, 0.2, 0.25])
    truth = 100 * (p[9:].sum() - p[:7].sum())
    est = nps_estimates(_tables(p, 200, 0, seed=1))
    covered = np.mean((est["ci_low"] <= truth) & (truth <= est["ci_high"]))
    assert 0.94 <= covered <= 0.96


def test_csat_wilson_coverage() -> None:
    p = np.array([0.1, 0.1, 0.2, 0.35, 0.25])
    truth = 100 * (p[3:].sum())
    est = csat_estimates(_tables(p, 150, 1, seed=2))
    covered = np.mean((est["ci_low"] <= truth) & (truth <= est["ci_high"]))
    assert 0.94 <= covered <= 0.96
    mean_truth = float(p @ np.arange(1, 6))
    covered = np.mean((est["mean_ci_low"] <= mean_truth) & (mean_truth <= est["mean_ci_high"]))
    assert 0.94 <= covered <= 0.96
