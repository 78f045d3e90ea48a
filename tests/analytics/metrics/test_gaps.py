"""Gap analysis (SERVQUAL and user-defined dimensions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from manyi.analytics.metrics.gaps import gap_analysis, servqual_dimensions


def test_known_answer_single_dimension() -> None:
    df = pd.DataFrame(
        {"e1": [7, 6, 7, 5], "p1": [5, 5, 6, 5], "e2": [6, 6, 6, 6], "p2": [6, 4, 5, 5]}
    )
    out = gap_analysis(df, {"function": [("e1", "p1"), ("e2", "p2")]})
    # respondent gaps: (-2+0)/2, (-1-2)/2, (-1-1)/2, (0-1)/2 = -1, -1.5, -1, -0.5
    gaps = np.array([-1, -1.5, -1, -0.5])
    row = out.iloc[0]
    assert row["gap"] == pytest.approx(-1.0)
    assert row["p_value"] == pytest.approx(stats.ttest_1samp(gaps, 0).pvalue)
    assert row["label"] == "function / 功能"
    assert row["expectation"] == pytest.approx(6.125)


def test_servqual_default_and_holm() -> None:
    rng = np.random.default_rng(0)
    n = 80
    df = pd.DataFrame({f"E{i}": rng.integers(5, 8, n) for i in range(1, 23)})
    for i in range(1, 23):
        shift = -1 if i <= 4 else 0  # only tangibles fall short
        df[f"P{i}"] = df[f"E{i}"] + shift + rng.integers(-1, 2, n)
    out = gap_analysis(df).set_index("dimension")
    assert set(out.index) == set(servqual_dimensions())
    assert out.loc["tangibles", "significant"]
    assert out.loc["tangibles", "gap"] == pytest.approx(-1, abs=0.2)
    assert (out["p_adjusted"] >= out["p_value"]).all()
    wil = gap_analysis(df, test="wilcoxon").set_index("dimension")
    assert wil.loc["tangibles", "significant"]


def test_missing_column_named() -> None:
    with pytest.raises(ValueError, match="'E1'"):
        gap_analysis(pd.DataFrame({"P1": [1]}))
