"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013 note).

A customer's transaction values are Gamma(p, nu) around their own mean, with nu ~ Gamma(q, gamma)
across customers. Fitted on repeat customers' mean repeat spend; assumes spend is independent of
purchase frequency, which :func:`frequency_spend_correlation` checks.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

PARAM_NAMES = ("p", "q", "gamma")
CORRELATION_WARNING = 0.3


def gamma_gamma_log_likelihood(
    params: np.ndarray, x: np.ndarray, m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer Gamma-Gamma log-likelihood of mean spend `m` over `x` transactions, and gradient.

    Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (the marginal density of the
    mean spend z̄ = m, section 2):
    ``ln f = lnG(px + q) - lnG(px) - lnG(q) + q ln gamma + (px - 1) ln m + px ln x
    - (px + q) ln(gamma + m x)``.
    """
    p, q, g = (float(v) for v in params)
    px = p * x
    log_gmx = np.log(g + m * x)
    loglik = (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
        + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_gmx
    )  # fmt: skip
    grad = np.empty((x.shape[0], 3))
    grad[:, 0] = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - log_gmx)
    grad[:, 1] = digamma(px + q) - digamma(q) + np.log(g) - log_gmx
    grad[:, 2] = q / g - (px + q) / (g + m * x)
    return loglik, grad


def frequency_spend_correlation(frequency: np.ndarray, monetary_value: np.ndarray) -> float:
    """Pearson correlation of frequency and mean spend among repeat customers."""
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 3 or np.std(x[keep]) == 0 or np.std(m[keep]) == 0:
        return 0.0
    return float(np.corrcoef(x[keep], m[keep])[0, 1])


class GammaGammaModel:
    """Gamma-Gamma model of average transaction value.

    Attributes
    ----------
    params_ : dict[str, float]
        Fitted ``p, q, gamma``.
    correlation_ : float
        Pearson r of frequency and mean spend (the model assumes ~0; a warning is issued when
        ``|r| >= 0.3``).
    n_ : int
        Number of repeat customers fitted.
    """

    def __init__(self, tol: float = 1e-10, max_iter: int = 2000) -> None:
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, frequency: np.ndarray, monetary_value: np.ndarray) -> GammaGammaModel:
        """Fit on customers' repeat-purchase count and mean repeat spend (rows with x = 0 ignored)."""
        x = np.asarray(frequency, dtype=float)
        m = np.asarray(monetary_value, dtype=float)
        if x.shape != m.shape or x.ndim != 1:
            raise ValueError("frequency and monetary_value must be 1-D arrays of one length")
        if not np.isfinite(m).all() or not np.isfinite(x).all():
            raise ValueError("column 'monetary_value': values must be finite numbers")
        keep = x > 0
        if np.any(m[keep] <= 0):
            row = int(np.flatnonzero(keep & (m <= 0))[0])
            raise ValueError(
                f"column 'monetary_value': row {row} is {m[row]!r}; repeat customers need a "
                "positive mean spend"
            )
        if keep.sum() < 2:
            raise ValueError("the Gamma-Gamma model needs at least 2 repeat customers")
        self.correlation_ = frequency_spend_correlation(x, m)
        if abs(self.correlation_) >= CORRELATION_WARNING:
            warnings.warn(
                f"frequency and spend are correlated (Pearson r = {self.correlation_:.2f}); the "
                "Gamma-Gamma independence assumption is doubtful",
                UserWarning,
                stacklevel=2,
            )
        self._optimise(x[keep], m[keep])
        self.n_ = int(keep.sum())
        return self

    def _optimise(self, x: np.ndarray, m: np.ndarray) -> None:
        """Maximise the mean log-likelihood over log-parameters (spend scaled to mean 1)."""
        scale = float(m.mean())
        ms = m / scale
        n = x.shape[0]

        def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            """Negative mean log-likelihood and gradient in log-parameter space."""
            params = np.exp(log_params)
            ll, grad = gamma_gamma_log_likelihood(params, x, ms)
            value = -float(ll.sum()) / n
            if not np.isfinite(value):
                return 1e300, np.zeros(3)
            return value, -grad.sum(axis=0) * params / n

        result = minimize(
            objective,
            np.zeros(3),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-15.0, 15.0)] * 3,
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15},
        )
        p, q, g = np.exp(result.x)
        self.params_ = {"p": float(p), "q": float(q), "gamma": float(g * scale)}
        self.loglik_ = float(-result.fun * n - n * np.log(scale))
        self.converged_ = bool(result.success)

    def _check_fitted(self) -> None:
        """Raise when the model has not been fitted."""
        if not hasattr(self, "params_"):
            raise ValueError("this Gamma-Gamma model is not fitted yet: call fit() first")

    def population_mean_spend(self) -> float:
        """Expected mean spend of a customer with no history: p * gamma / (q - 1) (inf if q <= 1)."""
        self._check_fitted()
        p, q, g = (self.params_[k] for k in PARAM_NAMES)
        return float(p * g / (q - 1.0)) if q > 1 else float("inf")

    def expected_spend(self, frequency: np.ndarray, monetary_value: np.ndarray) -> np.ndarray:
        """Conditional expected mean spend, shrinking observed spend toward the population mean.

        ``E[M | x, m] = p (gamma + x m) / (p x + q - 1)`` (Fader & Hardie 2013); customers
        with x = 0 get the population mean.
        """
        self._check_fitted()
        x = np.asarray(frequency, dtype=float)
        m = np.nan_to_num(np.asarray(monetary_value, dtype=float))
        p, q, g = (self.params_[k] for k in PARAM_NAMES)
        return np.asarray(p * (g + x * m) / (p * x + q - 1.0))

    def summary(self) -> dict[str, float]:
        """Fitted parameters, correlation check and sample size as a plain dict."""
        self._check_fitted()
        return {**self.params_, "correlation": self.correlation_, "n": float(self.n_)}


def repeat_spend(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Frequency and monetary_value arrays from a summary frame, validated."""
    for name in ("frequency", "monetary_value"):
        if name not in summary.columns:
            raise ValueError(f"column {name!r} not found; columns are {list(summary.columns)}")
    x = pd.to_numeric(summary["frequency"], errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(summary["monetary_value"], errors="coerce").to_numpy(dtype=float)
    return x, m
