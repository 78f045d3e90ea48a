"""BG/NBD purchase-count model (Fader, Hardie & Lee 2005), fitted by weighted maximum likelihood.

Customers buy at a Poisson rate lambda ~ Gamma(r, alpha) while alive and drop out after any
purchase with probability p ~ Beta(a, b). The log-likelihood is a pure function with an analytic
gradient; the fit groups identical ``(x, t_x, T)`` rows and weights them by their count, so a
million customers (a few thousand distinct histories) fit in well under a second.

Predictions use Euler's transformation of the Gauss hypergeometric function,
``2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)``, which turns the paper's
closed forms into bounded terms that do not overflow for heavy buyers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeResult, minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from manyi.analytics.predict.rfm_summary import _check_consistent, validate_summary

PARAM_NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class Grouped:
    """Distinct ``(x, t_x, T)`` histories, how many customers share each, and the row mapping.

    ``inverse[i]`` is the group of input row ``i``; ``x_levels`` are the distinct frequencies and
    ``x_index`` maps each group to its level, so functions of x alone are computed once per level.
    """

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    weight: np.ndarray
    inverse: np.ndarray
    x_levels: np.ndarray
    x_index: np.ndarray


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Hash-based integer codes of a float array (O(n), unlike sorting) and their count."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), len(uniques)


def group_histories(
    x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, weight: np.ndarray | None = None
) -> Grouped:
    """Collapse identical histories into one row each with the summed weight."""
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    w = np.ones_like(x) if weight is None else np.asarray(weight, dtype=float)
    (cx, nx), (ct, nt), (c_big, n_big) = _codes(x), _codes(t_x), _codes(big_t)
    if float(nx) * nt * n_big < 2**62:
        key = (cx * nt + ct) * n_big + c_big
        inverse, first = pd.factorize(key, sort=False)[0], None
    else:  # astronomically many levels: fall back to a row-wise unique
        _, first, inverse = np.unique(
            np.column_stack([x, t_x, big_t]), axis=0, return_index=True, return_inverse=True
        )
    inverse = np.asarray(inverse, dtype=np.int64).ravel()
    n_groups = int(inverse.max()) + 1 if inverse.size else 0
    if first is None:
        first = np.full(n_groups, -1, dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)  # first row of each group
    counts = np.bincount(inverse, weights=w, minlength=n_groups)
    gx = x[first]
    x_index, x_levels = pd.factorize(gx, sort=True)
    return Grouped(
        x=gx, t_x=t_x[first], T=big_t[first], weight=counts, inverse=inverse,
        x_levels=np.asarray(x_levels, dtype=float), x_index=x_index.astype(np.int64),
    )  # fmt: skip


def bgnbd_log_likelihood(
    params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    big_t: np.ndarray,
    levels: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer BG/NBD log-likelihood and its gradient w.r.t. ``(r, alpha, a, b)``.

    Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2),
    section 3, equation (6), written as in their implementation note:
    ``ln L = A1 + A2 + ln(exp(A3) + delta(x > 0) exp(A4))`` with
    ``A1 = lnG(r + x) - lnG(r) + r ln alpha``, ``A2 = ln B(a, b + x) - ln B(a, b)``,
    ``A3 = -(r + x) ln(alpha + T)``, ``A4 = ln a - ln(b + x - 1) - (r + x) ln(alpha + t_x)``.

    `levels` = (distinct x values, index of each row's value) lets the special functions of x be
    evaluated once per distinct x instead of once per row; results are identical.

    Returns
    -------
    (loglik, grad): arrays of shape ``(n,)`` and ``(n, 4)``.
    """
    r, alpha, a, b = (float(v) for v in params)
    ux, index = (x, None) if levels is None else levels
    shared = _x_terms(r, a, b, ux, offset=0.0)
    if index is not None:
        shared = tuple(term[index] for term in shared)
    return _combine(r, alpha, a, b, x, t_x, big_t, shared, b + x - 1.0, x > 0)


def _x_terms(r: float, a: float, b: float, x: np.ndarray, offset: float) -> tuple[np.ndarray, ...]:
    """Terms that depend on x only: lnG(r+x) - lnG(r), psi(r+x), A2 and its a, b derivatives.

    ``A2 = ln B(a, b + x + offset) - ln B(a, b)`` (offset 0 for BG/NBD, 1 for MBG/NBD).
    """
    bx = b + x + offset
    a2 = betaln(a, bx) - betaln(a, b)
    da2_da = digamma(a + b) - digamma(a + bx)
    da2_db = digamma(bx) - digamma(b) + da2_da
    return gammaln(r + x) - gammaln(r), digamma(r + x), a2, da2_da, da2_db


def _combine(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: np.ndarray,
    t_x: np.ndarray,
    big_t: np.ndarray,
    shared: tuple[np.ndarray, ...],
    dropout_denominator: np.ndarray,
    has_second_term: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Shared algebra of the BG/NBD family: A1 + A2 + logsumexp(A3, A4) and its gradient."""
    lgamma_ratio, psi_rx, a2, da2_da, da2_db = shared
    rx = r + x
    log_at, log_atx = np.log(alpha + big_t), np.log(alpha + t_x)
    a1 = lgamma_ratio + r * np.log(alpha)
    a3 = -rx * log_at
    safe_den = np.where(has_second_term, dropout_denominator, 1.0)
    a4 = np.where(has_second_term, np.log(a) - np.log(safe_den) - rx * log_atx, -np.inf)
    top = np.maximum(a3, a4)
    e3, e4 = np.exp(a3 - top), np.exp(a4 - top)
    total = e3 + e4
    w3, w4 = e3 / total, e4 / total
    loglik = a1 + a2 + top + np.log(total)
    grad = np.empty((x.shape[0], 4))
    grad[:, 0] = psi_rx - digamma(r) + np.log(alpha) - w3 * log_at - w4 * log_atx
    grad[:, 1] = r / alpha - w3 * rx / (alpha + big_t) - w4 * rx / (alpha + t_x)
    grad[:, 2] = da2_da + w4 / a
    grad[:, 3] = da2_db - w4 / safe_den
    return loglik, grad


def _hyp2f1(p: np.ndarray | float, q: float, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Gauss 2F1 that retries the few points where scipy returns NaN.

    scipy's ``hyp2f1`` gives NaN on some inputs where ``c - p - q`` is an integer; the function is
    continuous in ``c``, so those points are averaged from ``c +- 1e-7`` (relative error ~1e-7).
    """
    value = np.asarray(hyp2f1(p, q, c, z), dtype=float)
    bad = np.isnan(value)
    if bad.any():
        pb, cb, zb = (np.broadcast_to(v, value.shape)[bad] for v in (p, c, z))
        value = value.copy()
        value[bad] = 0.5 * (hyp2f1(pb, q, cb + 1e-7, zb) + hyp2f1(pb, q, cb - 1e-7, zb))
    return value


class BetaGeoModel:
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    tol : float
        Gradient tolerance of the L-BFGS-B optimiser (on the mean log-likelihood).
    max_iter : int
        Iteration limit of the optimiser.

    Attributes
    ----------
    params_ : dict[str, float]
        Fitted ``r, alpha, a, b`` (alpha in the time unit of the data).
    loglik_ : float
        Total log-likelihood at the optimum.
    n_ : int
        Number of customers (sum of weights) fitted.
    n_groups_ : int
        Number of distinct histories the likelihood was evaluated on.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0, 1, 2, 0, 5.0]); t_x = np.array([0, 3, 20, 0, 30.0])
    >>> model = BetaGeoModel().fit_arrays(x, t_x, np.full(5, 39.0))
    >>> bool(0 <= model.probability_alive(x, t_x, np.full(5, 39.0)).min() <= 1)
    True
    """

    name: ClassVar[str] = "BG/NBD"

    def __init__(self, tol: float = 1e-10, max_iter: int = 2000) -> None:
        self.tol = tol
        self.max_iter = max_iter

    # --- likelihood hooks (overridden by MBG/NBD) ---
    @staticmethod
    def log_likelihood(
        params: np.ndarray,
        x: np.ndarray,
        t_x: np.ndarray,
        big_t: np.ndarray,
        levels: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-customer log-likelihood and gradient of this model."""
        return bgnbd_log_likelihood(params, x, t_x, big_t, levels)

    def _c_offset(self) -> float:
        """Offset k in ``c = a + b + x + k`` of the prediction hypergeometric (BG/NBD: -1)."""
        return -1.0

    def _new_customer_lead(self, a: float, b: float) -> float:
        """Leading factor of E[X(t)] for a new customer: a + b - 1 (BG/NBD)."""
        return a + b - 1.0

    def _dropout_odds(self, x: np.ndarray) -> np.ndarray:
        """Odds factor ``a / (b + x - 1)`` of having dropped out, 0 for customers without repeats."""
        a, b = self.params_["a"], self.params_["b"]
        safe = np.where(x > 0, b + x - 1.0, 1.0)
        return np.where(x > 0, a / safe, 0.0)

    # --- fitting ---
    def fit(self, summary: pd.DataFrame, weights: pd.Series | None = None) -> BetaGeoModel:
        """Fit on a summary with ``frequency, recency, T`` columns (optionally weighted rows)."""
        x, t_x, big_t = validate_summary(summary)
        w = None if weights is None else np.asarray(weights, dtype=float)
        return self.fit_arrays(x, t_x, big_t, w, validate=False)

    def fit_arrays(
        self,
        x: np.ndarray,
        t_x: np.ndarray,
        big_t: np.ndarray,
        weights: np.ndarray | None = None,
        *,
        validate: bool = True,
    ) -> BetaGeoModel:
        """Fit on frequency, recency and T arrays; identical rows are grouped first."""
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
        if validate:
            if not (x.shape == t_x.shape == big_t.shape) or x.ndim != 1 or x.size == 0:
                raise ValueError(
                    "frequency, recency and T must be non-empty 1-D arrays of one length"
                )
            if not np.isfinite(np.concatenate([x, t_x, big_t])).all():
                raise ValueError("frequency, recency and T must be finite")
            _check_consistent(x, t_x, big_t)
        if weights is not None and (np.any(weights < 0) or weights.shape != x.shape):
            raise ValueError("weights must be non-negative, one per customer")
        groups = group_histories(x, t_x, big_t, weights)
        scale = 10.0 / float(groups.T.max())  # keeps alpha near 1 whatever the time unit
        params, loglik = self._maximise(groups, scale)
        self.params_ = dict(zip(PARAM_NAMES, (float(v) for v in params), strict=True))
        self.params_["alpha"] /= scale
        self.loglik_ = float(loglik + np.log(scale) * np.sum(groups.weight * groups.x))
        self.n_ = float(groups.weight.sum())
        self.n_groups_ = len(groups.x)
        return self

    def _maximise(self, groups: Grouped, scale: float) -> tuple[np.ndarray, float]:
        """Maximise the weighted log-likelihood over log-parameters with L-BFGS-B."""
        t_x, big_t = groups.t_x * scale, groups.T * scale
        levels = (groups.x_levels, groups.x_index)
        result = self._optimise(groups.x, t_x, big_t, groups.weight, levels, np.zeros(4))
        if not np.all(np.isfinite(result.x)):
            raise ValueError(f"{self.name} fit failed to converge: {result.message}")
        self.converged_ = bool(result.success)
        return np.exp(result.x), -float(result.fun) * float(groups.weight.sum())

    def _optimise(
        self,
        x: np.ndarray,
        t_x: np.ndarray,
        big_t: np.ndarray,
        weight: np.ndarray,
        levels: tuple[np.ndarray, np.ndarray],
        start: np.ndarray,
    ) -> OptimizeResult:
        """One L-BFGS-B run on the negative mean log-likelihood in log-parameter space."""
        total_w = weight.sum()

        def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            """Negative mean log-likelihood and its gradient in log-parameter space."""
            params = np.exp(log_params)
            ll, grad = self.log_likelihood(params, x, t_x, big_t, levels)
            value = -float(weight @ ll) / total_w
            if not np.isfinite(value):
                return 1e300, np.zeros(4)
            return value, -(weight @ grad) * params / total_w

        return minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-15.0, 15.0)] * 4,
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15},
        )

    # --- predictions ---
    def _check_fitted(self) -> None:
        """Raise when the model has not been fitted."""
        if not hasattr(self, "params_"):
            raise ValueError(f"this {self.name} model is not fitted yet: call fit() first")

    def _bracket(self, z: np.ndarray, x: np.ndarray, c: np.ndarray) -> np.ndarray:
        """``[1 - (1 - z)^(a-1) 2F1(c - x - r, a - 1; c; z)] / (a - 1)``."""
        r, a = self.params_["r"], self.params_["a"]
        if abs(a - 1.0) < 1e-8:
            a = 1.0 + 1e-8  # the closed form has a removable singularity at a = 1
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            hyp = _hyp2f1(c - x - r, a - 1.0, c, z)
            value = np.asarray((1.0 - (1.0 - z) ** (a - 1.0) * hyp) / (a - 1.0), dtype=float)
        bad = ~np.isfinite(value)
        if bad.any():
            # Very large a (near-constant dropout) underflows (1-z)^(a-1) against an overflowing
            # 2F1; the untransformed (1-z)^(r+x) 2F1(r + x, c - a + 1; c; z) stays finite there.
            zb, xb, cb = (np.broadcast_to(v, value.shape)[bad] for v in (z, x, c))
            direct = (1.0 - zb) ** (r + xb) * _hyp2f1(r + xb, cb - a + 1.0, cb, zb)
            value = value.copy()
            value[bad] = (1.0 - direct) / (a - 1.0)
        return value

    def _scaled_bracket(self, z: np.ndarray, x: np.ndarray, lead: np.ndarray | float) -> np.ndarray:
        """``lead * bracket``; where c = a + b + x + k is 0 (BG/NBD, then lead = c) the pole of
        2F1 cancels against the lead, so the value there is averaged from c +- eps."""
        a, b = self.params_["a"], self.params_["b"]
        c = np.asarray(a + b + x + self._c_offset(), dtype=float)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            value = np.asarray(lead * self._bracket(z, x, c), dtype=float)
        near = np.broadcast_to(np.abs(c) < 1e-6, value.shape)
        if near.any():
            value = value.copy()
            eps = 1e-6
            cb = np.broadcast_to(c, value.shape)[near]
            xb, zb = (np.broadcast_to(v, value.shape)[near] for v in (x, z))
            up = (cb + eps) * self._bracket(zb, xb, cb + eps)
            down = (cb - eps) * self._bracket(zb, xb, cb - eps)
            value[near] = 0.5 * (up + down)
        return value

    def expected_purchases(self, t: np.ndarray | float) -> np.ndarray:
        """Expected repeat purchases in (0, t] of a newly acquired customer (FHL 2005 eq. 9)."""
        self._check_fitted()
        t = np.asarray(t, dtype=float)
        z = t / (self.params_["alpha"] + t)
        a, b = self.params_["a"], self.params_["b"]
        return self._scaled_bracket(z, np.zeros_like(t), self._new_customer_lead(a, b))

    def probability_alive(
        self,
        frequency: np.ndarray,
        recency: np.ndarray,
        T: np.ndarray,  # noqa: N803
    ) -> np.ndarray:
        """P(still active | x, t_x, T) (Fader, Hardie & Lee 2008 note "Computing P(alive) using the BG/NBD model")."""
        self._check_fitted()
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        r, alpha = self.params_["r"], self.params_["alpha"]
        log_ratio = (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        odds = self._dropout_odds(x)
        with np.errstate(over="ignore"):
            return np.asarray(1.0 / (1.0 + odds * np.exp(log_ratio)))

    def conditional_expected_purchases(
        self,
        t: np.ndarray | float,
        frequency: np.ndarray,
        recency: np.ndarray,
        T: np.ndarray,  # noqa: N803
    ) -> np.ndarray:
        """Expected repeat purchases in (T, T + t] given history (FHL 2005 eq. 10)."""
        self._check_fitted()
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        t = np.asarray(t, dtype=float)
        z = t / (self.params_["alpha"] + big_t + t)
        lead = self.params_["a"] + self.params_["b"] + x + self._c_offset()
        return self._scaled_bracket(z, x, lead) * self.probability_alive(x, t_x, big_t)

    def predict(self, summary: pd.DataFrame, t: float) -> pd.DataFrame:
        """Score a summary: ``p_alive`` and ``expected_purchases`` over the next `t` time units."""
        x, t_x, big_t = validate_summary(summary)
        groups = group_histories(x, t_x, big_t)
        inverse = groups.inverse
        p_alive = self.probability_alive(groups.x, groups.t_x, groups.T)[inverse]
        expected = self.conditional_expected_purchases(t, groups.x, groups.t_x, groups.T)
        return pd.DataFrame(
            {"p_alive": p_alive, "expected_purchases": expected[inverse]}, index=summary.index
        )

    def summary(self) -> dict[str, float]:
        """Fitted parameters, log-likelihood and sample size as a plain dict."""
        self._check_fitted()
        return {**self.params_, "loglik": self.loglik_, "n": self.n_}


def fit_bgnbd(summary: pd.DataFrame) -> BetaGeoModel:
    """Fit a BG/NBD model on a ``frequency, recency, T`` summary (functional wrapper)."""
    return BetaGeoModel().fit(summary)
