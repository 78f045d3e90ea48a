"""PLS path modelling (Wold 1982; Lohmöller 1989): mode A blocks, path weighting scheme.

The algorithm on standardised manifest variables ``X`` (sample standard deviation):

1. start with unit outer weights; latent scores ``Y = X W`` scaled to unit variance;
2. inner estimation (path scheme): for latent ``j``, each antecedent ``i`` gets the
   coefficient of regressing ``Y_j`` on all its antecedents, each successor ``k`` gets
   ``corr(Y_j, Y_k)``; the inner proxy is ``Z_j = sum_i e_ij Y_i``;
3. outer estimation, mode A (reflective): ``w_j = X_j' Z_j / n``;
4. repeat until the outer weights change by less than ``tol``;
5. loadings are ``corr(X_j, Y_j)``, path coefficients the OLS of each endogenous latent
   on its antecedents, with R².

Bootstrap intervals resample respondents with a seeded generator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class _Fit:
    """Raw output of one PLS run on standardised data."""

    weights: np.ndarray  # (p,) outer weight of each manifest on its own latent
    loadings: np.ndarray  # (p,)
    scores: np.ndarray  # (n, m), unit population variance
    paths: np.ndarray  # (m, m): paths[i, j] is the coefficient of i -> j
    r2: np.ndarray  # (m,), NaN for exogenous latents
    iterations: int


def _standardise(x: np.ndarray) -> np.ndarray:
    """Centre and scale columns by their sample standard deviation (ddof=1)."""
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise ValueError(f"manifest variable {int(np.argmax(sd == 0))} has no variation")
    return (x - x.mean(axis=0)) / sd


def _unit_variance(y: np.ndarray) -> np.ndarray:
    """Scale latent scores to unit population variance (as plspm and R's plspm do)."""
    return y / y.std(axis=0, ddof=0)


def _inner_weights(y: np.ndarray, adjacency: np.ndarray) -> np.ndarray:
    """Path-scheme inner weights ``E`` (``Z = Y E``): regression for antecedents, correlation
    for successors."""
    m = adjacency.shape[0]
    e = np.zeros((m, m))
    corr = np.corrcoef(y, rowvar=False)
    for j in range(m):
        antecedents = np.flatnonzero(adjacency[:, j])
        if antecedents.size:
            e[antecedents, j] = np.linalg.lstsq(y[:, antecedents], y[:, j], rcond=None)[0]
        successors = np.flatnonzero(adjacency[j, :])
        e[successors, j] = corr[successors, j]
    return e


def _path_coefficients(y: np.ndarray, adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS path coefficients of each endogenous latent on its antecedents, and R²."""
    m = adjacency.shape[0]
    paths = np.zeros((m, m))
    r2 = np.full(m, np.nan)
    for j in range(m):
        antecedents = np.flatnonzero(adjacency[:, j])
        if antecedents.size:
            x = np.column_stack([np.ones(len(y)), y[:, antecedents]])
            coef = np.linalg.lstsq(x, y[:, j], rcond=None)[0]
            paths[antecedents, j] = coef[1:]
            resid = y[:, j] - x @ coef
            r2[j] = 1.0 - resid.var() / y[:, j].var()
    return paths, r2


def pls_fit(
    x: np.ndarray,
    block: np.ndarray,
    adjacency: np.ndarray,
    *,
    max_iter: int = 300,
    tol: float = 1e-7,
) -> _Fit:
    """Run the PLS-PM algorithm on raw data ``x`` (n, p) with ``block[k]`` the latent of column k
    and ``adjacency[i, j] = 1`` when latent i -> latent j."""
    z = _standardise(x)
    m = adjacency.shape[0]
    outer = (block[:, None] == np.arange(m)[None, :]).astype(float)  # (p, m) design
    w = outer.copy()
    w = w / (z @ w).std(axis=0, ddof=0)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        y = _unit_variance(z @ w)
        proxy = y @ _inner_weights(y, adjacency)
        w_new = outer * (z.T @ proxy) / len(z)
        w_new = w_new / (z @ w_new).std(axis=0, ddof=0)
        change = float(np.sum((np.abs(w_new) - np.abs(w)) ** 2))
        w = w_new
        if change < tol:
            break
    else:
        raise ValueError(f"PLS did not converge in {max_iter} iterations")
    y = z @ w
    corr_xy = (z.T @ _unit_variance(y)) / len(z) / z.std(axis=0, ddof=0)[:, None]
    # Orient each latent like the majority of its indicators (plspm's sign convention).
    sign = np.sign(np.sign(corr_xy * outer).sum(axis=0))
    sign[sign == 0] = 1.0
    w = w * sign
    y = y * sign
    corr_xy = corr_xy * sign
    paths, r2 = _path_coefficients(y, adjacency)
    return _Fit((w * outer).sum(axis=1), (corr_xy * outer).sum(axis=1), y, paths, r2, iterations)


def _topological_order(latents: Sequence[str], edges: Sequence[tuple[str, str]]) -> None:
    """Refuse inner models with cycles (PLS-PM needs a recursive model)."""
    remaining = {lv: {a for a, b in edges if b == lv} for lv in latents}
    while remaining:
        ready = [lv for lv, deps in remaining.items() if not deps]
        if not ready:
            raise ValueError(f"paths: the inner model has a cycle among {sorted(remaining)}")
        for lv in ready:
            del remaining[lv]
        for deps in remaining.values():
            deps.difference_update(ready)


class PLSPathModel:
    """PLS path model with reflective (mode A) blocks and the path weighting scheme.

    Parameters
    ----------
    blocks : mapping of latent -> list of manifest columns
    paths : list of (from latent, to latent)
    n_boot : int
        Bootstrap resamples for path intervals (0 to skip).
    confidence : float
        Level of the percentile bootstrap intervals.
    seed : int
        Seed of the bootstrap generator (results are reproducible).
    scale : (low, high) or None
        Answer scale of the items, used for the 0-100 index (default: the observed range of
        each block's items is not used; give the questionnaire's scale, e.g. (1, 10)).

    Attributes
    ----------
    outer_ : DataFrame
        ``latent``, ``manifest``, ``weight``, ``loading`` (one row per manifest variable).
    paths_ : DataFrame
        ``from``, ``to``, ``estimate``, ``boot_se``, ``ci_low``, ``ci_high``.
    r2_ : Series
        R² per endogenous latent.
    scores_ : DataFrame
        Standardised latent scores per respondent.
    index_ : Series
        0-100 index per latent (ACSI-style rescaled weighted item means), when ``scale`` set.
    n_ : int
        Respondents used (rows with a blank item are dropped).
    """

    def __init__(
        self,
        blocks: Mapping[str, Sequence[str]],
        paths: Sequence[tuple[str, str]],
        *,
        n_boot: int = 200,
        confidence: float = 0.95,
        seed: int = 0,
        scale: tuple[float, float] | None = None,
        max_iter: int = 300,
        tol: float = 1e-7,
    ) -> None:
        self.blocks = blocks
        self.paths = paths
        self.n_boot = n_boot
        self.confidence = confidence
        self.seed = seed
        self.scale = scale
        self.max_iter = max_iter
        self.tol = tol

    def _check(self, frame: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
        """Validate the specification against the data; return names, block codes, adjacency."""
        latents = list(self.blocks)
        if not latents:
            raise ValueError("blocks: give at least one latent variable with its items")
        manifests: list[str] = []
        block: list[int] = []
        for index, lv in enumerate(latents):
            items = list(self.blocks[lv])
            if not items:
                raise ValueError(f"blocks: latent {lv!r} has no items")
            for item in items:
                if item not in frame.columns:
                    raise ValueError(f"column {item!r}: not in the data (item of {lv!r})")
                if item in manifests:
                    raise ValueError(f"column {item!r}: used in more than one block")
                manifests.append(item)
                block.append(index)
        adjacency = np.zeros((len(latents), len(latents)), dtype=int)
        for source, target in self.paths:
            for lv in (source, target):
                if lv not in self.blocks:
                    raise ValueError(f"paths: latent {lv!r} has no block of items")
            if source == target:
                raise ValueError(f"paths: latent {source!r} cannot point to itself")
            adjacency[latents.index(source), latents.index(target)] = 1
        _topological_order(latents, list(self.paths))
        if adjacency.sum() == 0:
            raise ValueError("paths: give at least one path between latent variables")
        return latents, manifests, np.array(block), adjacency

    def fit(self, frame: pd.DataFrame) -> PLSPathModel:
        """Estimate the model on complete rows of ``frame``."""
        latents, manifests, block, adjacency = self._check(frame)
        data = frame[manifests].apply(pd.to_numeric, errors="coerce")
        for column in manifests:
            bad = data[column].isna() & frame[column].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise ValueError(
                    f"column {column!r}: value {frame[column].iloc[row]!r} at row "
                    f"{row} is not a number"
                )
        data = data.dropna()
        if len(data) < max(10, len(manifests) // 2):
            raise ValueError(f"data: only {len(data)} complete rows; PLS needs more respondents")
        x = data.to_numpy(dtype=float)
        fit = pls_fit(x, block, adjacency, max_iter=self.max_iter, tol=self.tol)
        self._item_mean = x.mean(axis=0)
        self._item_sd = x.std(axis=0, ddof=1)
        self.n_ = len(x)
        self.n_dropped_ = len(frame) - len(x)
        self.iterations_ = fit.iterations
        self.outer_ = pd.DataFrame(
            {
                "latent": [latents[b] for b in block],
                "manifest": manifests,
                "weight": fit.weights,
                "loading": fit.loadings,
            }
        )
        self.r2_ = pd.Series(fit.r2, index=latents, name="r2").dropna()
        self.scores_ = pd.DataFrame(fit.scores, columns=latents, index=data.index)
        edges = list(zip(*np.nonzero(adjacency), strict=True))
        estimates = np.array([fit.paths[i, j] for i, j in edges])
        boot = self._bootstrap(x, block, adjacency, edges)
        alpha = (1.0 - self.confidence) / 2.0
        self.paths_ = pd.DataFrame(
            {
                "from": [latents[i] for i, _ in edges],
                "to": [latents[j] for _, j in edges],
                "estimate": estimates,
                "boot_se": boot.std(axis=0, ddof=1) if len(boot) > 1 else np.nan,
                "ci_low": np.quantile(boot, alpha, axis=0) if len(boot) else np.nan,
                "ci_high": np.quantile(boot, 1.0 - alpha, axis=0) if len(boot) else np.nan,
            }
        )
        self.index_ = self._index(x, block, latents, fit.weights)
        return self

    def _bootstrap(
        self,
        x: np.ndarray,
        block: np.ndarray,
        adjacency: np.ndarray,
        edges: list[tuple[int, int]],
    ) -> np.ndarray:
        """Path coefficients over ``n_boot`` seeded resamples of respondents."""
        rng = np.random.default_rng(self.seed)
        out = []
        for _ in range(self.n_boot):
            sample = x[rng.integers(0, len(x), len(x))]
            if np.any(sample.std(axis=0) == 0):
                continue  # a resample with a constant item carries no information
            fit = pls_fit(sample, block, adjacency, max_iter=self.max_iter, tol=self.tol)
            out.append([fit.paths[i, j] for i, j in edges])
        return np.array(out).reshape(-1, len(edges))

    def _index(
        self, x: np.ndarray, block: np.ndarray, latents: list[str], weights: np.ndarray
    ) -> pd.Series:
        """ACSI-style 0-100 index: weights un-standardised and normalised to sum 1 per block,
        applied to the raw items, rescaled from the answer scale to 0-100."""
        if self.scale is None:
            return pd.Series(dtype=float, name="index")
        low, high = self.scale
        if not high > low:
            raise ValueError(f"scale: high ({high}) must exceed low ({low})")
        raw = weights / x.std(axis=0, ddof=1)
        values = {}
        for index, lv in enumerate(latents):
            cols = block == index
            w = raw[cols] / raw[cols].sum()
            values[lv] = float(100.0 * (x[:, cols].mean(axis=0) @ w - low) / (high - low))
        return pd.Series(values, name="index")

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Latent scores for (new) respondents with the fitted outer weights.

        Items are standardised with the means and standard deviations of the fitting data,
        so scores are on the same scale as ``scores_``.
        """
        if not hasattr(self, "outer_"):
            raise RuntimeError("PLSPathModel is not fitted yet; call fit first")
        manifests = list(self.outer_["manifest"])
        missing = [c for c in manifests if c not in frame.columns]
        if missing:
            raise ValueError(f"column {missing[0]!r}: not in the data (item of the model)")
        x = frame[manifests].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        z = (x - self._item_mean) / self._item_sd
        latents = list(self.scores_.columns)
        design = np.zeros((len(manifests), len(latents)))
        for k, lv in enumerate(self.outer_["latent"]):
            design[k, latents.index(lv)] = self.outer_["weight"].iloc[k]
        return pd.DataFrame(z @ design, columns=latents, index=frame.index)
