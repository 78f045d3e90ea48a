"""PLS path model: agreement with the plspm package on the ECSI mobile-phone data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.metrics.csi import ECSI_PATHS, ecsi_blocks
from manyi.analytics.metrics.pls import PLSPathModel


def _plspm_reference(df: pd.DataFrame, blocks: dict, paths: list) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """Run plspm's own estimation (mode A, path scheme) on the same standardised data.

    Two workarounds, neither changing the specification: (1) plspm's ``Config(scaled=True)``
    divides all columns by ONE pooled standard deviation rather than standardising each
    column, so we pass column-standardised data (the common factor it then applies does not
    change loadings or path coefficients); (2) plspm 0.5's ``Plspm`` class crashes building its
    inner model under pandas 3 (``path.loc[dv,]``), so we call its estimator directly and
    compute loadings (correlations) and path coefficients (OLS) from plspm's own scores.
    """
    from plspm.config import MV, Config, Structure
    from plspm.estimator import Estimator
    from plspm.mode import Mode
    from plspm.scheme import Scheme
    from plspm.weights import WeightsCalculatorFactory

    name = {lv: f"{lv}_lv" for lv in blocks}
    structure = Structure()
    for a, b in paths:
        structure.add_path([name[a]], [name[b]])
    config = Config(structure.path(), scaled=True)
    for lv, items in blocks.items():
        config.add_lv(name[lv], Mode.A, *[MV(i) for i in items])
    data = config.filter((df - df.mean()) / df.std())
    correction = np.sqrt(len(data) / (len(data) - 1))
    calculator = WeightsCalculatorFactory(config, 100, 1e-6, correction, Scheme.PATH)
    final, scores, _ = Estimator(config).estimate(calculator, data)
    loadings = {
        mv: float(np.corrcoef(final[mv], scores[name[lv]])[0, 1])
        for lv, items in blocks.items()
        for mv in items
    }
    coefficients = {}
    for target in blocks:
        sources = [a for a, b in paths if b == target]
        if sources:
            x = np.column_stack([np.ones(len(scores))] + [scores[name[s]] for s in sources])
            beta = np.linalg.lstsq(x, scores[name[target]].to_numpy(), rcond=None)[0][1:]
            coefficients.update({(s, target): float(c) for s, c in zip(sources, beta, strict=True)})
    return loadings, coefficients


@pytest.mark.slow
def test_ecsi_agrees_with_plspm(shared_data) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("plspm")
    df = pd.read_csv(shared_data / "ecsi" / "ecsi_mobi.csv")
    blocks = ecsi_blocks(list(df.columns))
    model = PLSPathModel(blocks, ECSI_PATHS, n_boot=0).fit(df)
    loadings, coefficients = _plspm_reference(df, blocks, ECSI_PATHS)
    mine = model.outer_.set_index("manifest")["loading"]
    for mv, value in loadings.items():
        assert mine[mv] == pytest.approx(value, abs=0.01), mv
    paths = model.paths_.set_index(["from", "to"])["estimate"]
    assert len(paths) == len(coefficients) == 12
    for edge, value in coefficients.items():
        assert paths[edge] == pytest.approx(value, abs=0.01), edge
    # published-order sanity (Tenenhaus et al. 2005): satisfaction is best explained.
    assert model.r2_["satisfaction"] == pytest.approx(0.68, abs=0.01)


def test_bootstrap_is_seeded_and_brackets_estimate(shared_data) -> None:  # type: ignore[no-untyped-def]
    df = pd.read_csv(shared_data / "ecsi" / "ecsi_mobi.csv")
    blocks = ecsi_blocks(list(df.columns))
    a = PLSPathModel(blocks, ECSI_PATHS, n_boot=30, seed=1).fit(df).paths_
    b = PLSPathModel(blocks, ECSI_PATHS, n_boot=30, seed=1).fit(df).paths_
    pd.testing.assert_frame_equal(a, b)
    strong = a[a["estimate"] > 0.3]
    assert (
        (strong["ci_low"] < strong["estimate"]) & (strong["estimate"] < strong["ci_high"])
    ).all()


def test_simulated_one_factor_model_recovers_path() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    xi = rng.normal(size=n)
    eta = 0.6 * xi + 0.8 * rng.normal(size=n)
    df = pd.DataFrame(
        {f"x{i}": xi + 0.5 * rng.normal(size=n) for i in range(3)}
        | {f"y{i}": eta + 0.5 * rng.normal(size=n) for i in range(3)}
    )
    model = PLSPathModel(
        {"X": ["x0", "x1", "x2"], "Y": ["y0", "y1", "y2"]}, [("X", "Y")], n_boot=0
    ).fit(df)
    # composites attenuate a little: 0.6 * reliability (~0.92) ~ 0.55
    assert model.paths_["estimate"].iloc[0] == pytest.approx(0.55, abs=0.04)
    assert (model.outer_["loading"] > 0.85).all()


def test_spec_validation() -> None:
    df = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 1, 3]})
    with pytest.raises(ValueError, match="'zz'"):
        PLSPathModel({"A": ["a"], "B": ["zz"]}, [("A", "B")]).fit(df)
    with pytest.raises(ValueError, match="cycle"):
        PLSPathModel({"A": ["a"], "B": ["b"]}, [("A", "B"), ("B", "A")]).fit(df)
    with pytest.raises(ValueError, match="'C'"):
        PLSPathModel({"A": ["a"], "B": ["b"]}, [("A", "C")]).fit(df)


def test_transform_reproduces_fitted_scores(shared_data) -> None:  # type: ignore[no-untyped-def]
    df = pd.read_csv(shared_data / "ecsi" / "ecsi_mobi.csv")
    model = PLSPathModel(ecsi_blocks(list(df.columns)), ECSI_PATHS, n_boot=0).fit(df)
    scores = model.transform(df)
    np.testing.assert_allclose(scores.to_numpy(), model.scores_.to_numpy(), atol=1e-9)
    with pytest.raises(RuntimeError):
        PLSPathModel({"A": ["a"]}, []).transform(df)
