"""Confidence intervals for proportions (Wilson), means (t) and any normal estimate."""

from __future__ import annotations

import numpy as np
from scipy import stats


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level such as 0.95."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: {confidence} must lie strictly between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(
    p: np.ndarray | float, n: np.ndarray | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``p`` out of (effective) ``n``; vectorised.

    Well behaved near 0 and 1 and for small n, unlike the Wald interval (Brown, Cai &
    DasGupta 2001). With survey weights pass Kish's effective n.
    """
    z = z_value(confidence)
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def t_interval(
    mean: np.ndarray | float,
    se: np.ndarray | float,
    df: np.ndarray | float,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval ``mean +- t * se`` with ``df`` degrees of freedom; vectorised."""
    z_value(confidence)
    df_arr = np.maximum(np.asarray(df, dtype=float), 1.0)
    t = stats.t.ppf(0.5 + confidence / 2.0, df_arr)
    mean = np.asarray(mean, dtype=float)
    se = np.asarray(se, dtype=float)
    return mean - t * se, mean + t * se


def normal_interval(
    estimate: np.ndarray | float,
    se: np.ndarray | float,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Normal (Wald) interval ``estimate +- z * se``; vectorised."""
    z = z_value(confidence)
    estimate = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    return estimate - z * se, estimate + z * se
