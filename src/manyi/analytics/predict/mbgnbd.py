"""MBG/NBD purchase-count model (Batislam, Denizel & Filiztekin 2007): BG/NBD where a customer may
also drop out right after the first purchase, so one-time buyers are not all assumed alive."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from manyi.analytics.predict.bgnbd import BetaGeoModel, _combine, _x_terms


def mbgnbd_log_likelihood(
    params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    big_t: np.ndarray,
    levels: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer MBG/NBD log-likelihood and gradient w.r.t. ``(r, alpha, a, b)``.

    Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
    customer base analysis", IJRM 24(3), section 2 (the MBG/NBD likelihood):
    ``L = B(a, b + x + 1)/B(a, b) G(r+x) alpha^r / (G(r) (alpha + T)^(r+x))
    + B(a + 1, b + x)/B(a, b) G(r+x) alpha^r / (G(r) (alpha + t_x)^(r+x))`` for every x >= 0;
    ``B(a + 1, b + x) / B(a, b + x + 1) = a / (b + x)``.
    """
    r, alpha, a, b = (float(v) for v in params)
    ux, index = (x, None) if levels is None else levels
    shared = _x_terms(r, a, b, ux, offset=1.0)
    if index is not None:
        shared = tuple(term[index] for term in shared)
    always = np.ones_like(x, dtype=bool)
    return _combine(r, alpha, a, b, x, t_x, big_t, shared, b + x, always)


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD model (Batislam et al. 2007); same API as :class:`BetaGeoModel`."""

    name: ClassVar[str] = "MBG/NBD"

    @staticmethod
    def log_likelihood(
        params: np.ndarray,
        x: np.ndarray,
        t_x: np.ndarray,
        big_t: np.ndarray,
        levels: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-customer log-likelihood and gradient of the MBG/NBD model."""
        return mbgnbd_log_likelihood(params, x, t_x, big_t, levels)

    def _c_offset(self) -> float:
        """Offset k in ``c = a + b + x + k`` of the prediction hypergeometric (MBG/NBD: 0)."""
        return 0.0

    def _new_customer_lead(self, a: float, b: float) -> float:
        """Leading factor of E[X(t)] for a new customer: b (MBG/NBD)."""
        return b

    def _dropout_odds(self, x: np.ndarray) -> np.ndarray:
        """Odds factor ``a / (b + x)`` of having dropped out, for every customer."""
        return np.asarray(self.params_["a"] / (self.params_["b"] + x))
