"""Two-group and many-group comparisons, multiple-testing adjustment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from manyi.analytics.metrics.compare import (
    adjust_pvalues,
    compare_groups,
    compare_two,
    proportion_test,
)


def test_nps_difference_known_answer() -> None:
    # A: 50% P / 50% D -> NPS 0, var = 1/100; B: 30% P / 70% D -> -40, var = 0.84/100.
    # se = 100 * sqrt(0.0184) = 13.565; z = 40 / 13.565 = 2.9488; p = 0.00319.
    c = compare_two([10] * 50 + [0] * 50, [10] * 30 + [0] * 70)
    assert c.difference == pytest.approx(40.0)
    assert c.se == pytest.approx(100 * np.sqrt(0.0184))
    assert c.statistic == pytest.approx(2.9488, abs=1e-4)
    assert c.p_value == pytest.approx(0.00319, abs=1e-5)


def test_two_proportion_z_matches_textbook() -> None:
    # pooled p = 0.5, se0 = sqrt(0.25 * 0.02) = 0.0707; z = 0.2 / 0.0707 = 2.828
    c = proportion_test(60, 100, 40, 100)
    assert c.statistic == pytest.approx(2.828427, abs=1e-6)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(2.828427), abs=1e-7)
    assert c.test.startswith("two-proportion")


def test_small_counts_use_fisher() -> None:
    c = proportion_test(1, 5, 4, 5)
    assert c.test == "Fisher exact"
    assert c.p_value == pytest.approx(stats.fisher_exact([[1, 4], [4, 1]])[1])
    assert c.warning is not None


def test_welch_matches_scipy() -> None:
    a = [1, 2, 3, 4, 5, 5, 6, 7]
    b = [4, 5, 6, 6, 7, 7, 7, 7, 7]
    c = compare_two(a, b, metric="ces")
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert c.statistic == pytest.approx(ref.statistic)
    assert c.p_value == pytest.approx(ref.pvalue)


def test_holm_and_bh_match_statsmodels_values() -> None:
    p = [0.01, 0.04, 0.03, 0.005, 0.2]
    # statsmodels.stats.multitest.multipletests(p, method="holm"/"fdr_bh")
    assert adjust_pvalues(p, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.025, 0.2])
    assert adjust_pvalues(p, "bh") == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.2])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_adjusted_pvalues_properties(p: list[float]) -> None:
    holm = adjust_pvalues(p, "holm")
    bh = adjust_pvalues(p, "bh")
    arr = np.asarray(p)
    assert np.all(holm >= arr - 1e-12) and np.all(bh >= arr - 1e-12)
    assert np.all(bh <= holm + 1e-12) and np.all(holm <= 1)


def test_compare_groups_many() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "store": np.repeat(["a", "b", "c"], 300),
            "nps": np.concatenate(
                [rng.integers(0, 11, 300), rng.integers(0, 11, 300), rng.integers(6, 11, 300)]
            ),
        }
    )
    out = compare_groups(df, "nps", "store")
    assert len(out) == 3
    assert (out["p_adjusted"] >= out["p_value"]).all()
    sig = {frozenset((r.group_a, r.group_b)) for r in out.itertuples() if r.significant}
    assert frozenset(("a", "c")) in sig and frozenset(("b", "c")) in sig


def test_compare_validation() -> None:
    with pytest.raises(ValueError, match="group B"):
        compare_two([10], [11])
    with pytest.raises(ValueError, match="method"):
        adjust_pvalues([0.1], "bonferroni-ish")


def test_weighted_csat_comparison_uses_effective_n() -> None:
    a = [5] * 60 + [1] * 40
    b = [5] * 40 + [1] * 60
    plain = compare_two(a, b, metric="csat")
    weighted = compare_two(a, b, metric="csat", weights_a=[1, 3] * 50, weights_b=[1, 3] * 50)
    assert plain.difference == pytest.approx(20.0)
    assert weighted.p_value > plain.p_value  # unequal weights shrink the effective n
    assert weighted.n_a == 100
