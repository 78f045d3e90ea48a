"""Post-stratification / raking weights and Kish effective n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.metrics.nps import nps
from manyi.analytics.metrics.weights import kish_effective_n, poststratification_weights


def test_kish() -> None:
    assert kish_effective_n(np.ones(7)) == pytest.approx(7)
    assert kish_effective_n(np.array([3.0, 1.0])) == pytest.approx(16 / 10)


def test_single_margin_is_cell_weighting() -> None:
    df = pd.DataFrame({"sex": ["f", "m", "m", "m"]})
    w = poststratification_weights(df, {"sex": {"f": 0.5, "m": 0.5}})
    assert w.tolist() == pytest.approx([2.0, 2 / 3, 2 / 3, 2 / 3])


def test_raking_matches_both_margins() -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], 500, p=[0.3, 0.7]),
            "age": rng.choice(["young", "old"], 500, p=[0.6, 0.4]),
        }
    )
    w = poststratification_weights(
        df, {"sex": {"f": 0.5, "m": 0.5}, "age": {"young": 0.4, "old": 0.6}}
    )
    share = pd.Series(w).groupby(df["sex"]).sum() / w.sum()
    assert share["f"] == pytest.approx(0.5, abs=1e-6)
    share = pd.Series(w).groupby(df["age"]).sum() / w.sum()
    assert share["old"] == pytest.approx(0.6, abs=1e-6)
    assert w.mean() == pytest.approx(1.0)


def test_weighted_nps_uses_population_mix() -> None:
    # women all promoters, men all detractors; population 50/50 -> NPS 0 after weighting.
    df = pd.DataFrame({"sex": ["f"] + ["m"] * 3, "nps": [10, 0, 0, 0]})
    w = poststratification_weights(df, {"sex": {"f": 0.5, "m": 0.5}})
    assert nps(df["nps"], weights=w).score == pytest.approx(0.0)


def test_margin_errors() -> None:
    df = pd.DataFrame({"sex": ["f", "m", "x"]})
    with pytest.raises(ValueError, match=r"'sex'.*no share"):
        poststratification_weights(df, {"sex": {"f": 0.5, "m": 0.5}})
    with pytest.raises(ValueError, match="sum to 1"):
        poststratification_weights(df, {"sex": {"f": 0.5, "m": 0.6, "x": 0.1}})
    with pytest.raises(ValueError, match="'region'"):
        poststratification_weights(df, {"region": {"n": 1.0}})
