"""Key-driver analysis: relative weights, Shapley regression, importance-performance map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.metrics.drivers import (
    KeyDriverAnalysis,
    importance_performance,
    relative_weights,
    shapley_r2,
)


def _data(seed: int = 0, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.7 * a + 0.3 * rng.normal(size=n)  # strongly correlated with a
    c = rng.normal(size=n)
    y = a + b + 0.5 * c + rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "y": y})


def test_two_driver_shapley_closed_form() -> None:
    df = _data()
    x, y = df[["a", "b"]].to_numpy(), df["y"].to_numpy()
    r = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    r1, r2, r12 = r[0, 2], r[1, 2], r[0, 1]
    full = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    expected = [0.5 * r1**2 + 0.5 * (full - r2**2), 0.5 * r2**2 + 0.5 * (full - r1**2)]
    assert shapley_r2(x, y) == pytest.approx(expected)


def test_orthogonal_drivers_weights_are_squared_correlations() -> None:
    x = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]] * 5, dtype=float)
    y = 2 * x[:, 0] + x[:, 1] + np.tile([0.1, -0.1, -0.1, 0.1], 5)
    r = [np.corrcoef(x[:, j], y)[0, 1] for j in range(2)]
    assert relative_weights(x, y) == pytest.approx(np.square(r))
    assert shapley_r2(x, y) == pytest.approx(np.square(r))


def test_both_measures_decompose_r2_and_permute() -> None:
    df = _data(1)
    kda = KeyDriverAnalysis().fit(df, "y", ["a", "b", "c"])
    imp = kda.importance_.set_index("driver")
    assert imp["relative_weight"].sum() == pytest.approx(kda.r2_)
    assert imp["shapley"].sum() == pytest.approx(kda.r2_)
    assert imp["importance"].sum() == pytest.approx(100)
    other = KeyDriverAnalysis().fit(df, "y", ["c", "a", "b"]).importance_.set_index("driver")
    assert other.loc[["a", "b", "c"], "shapley"].to_numpy() == pytest.approx(
        imp.loc[["a", "b", "c"], "shapley"].to_numpy()
    )


def test_real_ecsi_data(shared_data) -> None:  # type: ignore[no-untyped-def]
    df = pd.read_csv(shared_data / "ecsi" / "ecsi_mobi.csv")
    drivers = [c for c in df.columns if c.startswith(("PERQ", "IMAG"))]
    kda = KeyDriverAnalysis().fit(df, "CUSA1", drivers)
    assert kda.n_ == 250
    assert 0.3 < kda.r2_ < 0.7
    assert kda.importance_["driver"].iloc[0] == "PERQ1"  # highest correlation with CUSA1
    assert kda.importance_["shapley"].sum() == pytest.approx(kda.r2_)


def test_quadrants() -> None:
    table = pd.DataFrame(
        {
            "driver": ["w", "x", "y", "z"],
            "importance": [40, 40, 10, 10],
            "performance": [4.5, 3.0, 3.0, 4.5],
        }
    )
    out = importance_performance(table)
    assert out["quadrant"].tolist() == [
        "keep up the good work / 继续保持",
        "concentrate here / 重点改进",
        "low priority / 低优先级",
        "possible overkill / 可能过度",
    ]
    out = importance_performance(table, importance_cut=5, performance_cut=5)
    assert set(out["quadrant"]) == {"concentrate here / 重点改进"}


def test_validation() -> None:
    df = _data()
    with pytest.raises(ValueError, match="'nope'"):
        KeyDriverAnalysis().fit(df, "y", ["a", "nope"])
    df["k"] = 1.0
    with pytest.raises(ValueError, match=r"'k'.*no variation"):
        KeyDriverAnalysis().fit(df, "y", ["a", "k"])
    df["t"] = "x"
    with pytest.raises(ValueError, match=r"'t'.*not a number"):
        KeyDriverAnalysis().fit(df, "y", ["a", "t"])
    with pytest.raises(RuntimeError):
        KeyDriverAnalysis().quadrants()
