"""Breakdowns agree with a per-group loop and with plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.metrics.breakdown import breakdown
from manyi.analytics.metrics.csat import csat
from manyi.analytics.metrics.nps import nps


@pytest.fixture()
def survey() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame(
        {
            "store": rng.choice(["北京", "上海", "<script>alert(1)</script>"], n),
            "channel": pd.Categorical(rng.choice(["web", "app"], n)),
            "nps": rng.integers(0, 11, n).astype(float),
            "csat": rng.integers(1, 6, n),
            "w": rng.uniform(0.5, 2, n),
        }
    )
    df.loc[::50, "nps"] = np.nan
    df.loc[::97, "store"] = None
    return df


def test_matches_per_group_function(survey: pd.DataFrame) -> None:
    out = breakdown(survey, "nps", ["store", "channel"], weight="w")
    for row in out.itertuples():
        sub = survey[(survey["store"] == row.store) & (survey["channel"] == row.channel)]
        ref = nps(sub["nps"], weights=sub["w"])
        assert row.n == ref.n
        assert row.score == pytest.approx(ref.score)
        assert row.ci_low == pytest.approx(ref.ci_low)
        assert row.n_effective == pytest.approx(ref.n_effective)
    assert len(out) == 6
    assert out["score"].is_monotonic_decreasing


def test_csat_matches_pandas_groupby(survey: pd.DataFrame) -> None:
    out = breakdown(survey, "csat", "store", metric="csat", sort_by="store", ascending=True)
    ref = (
        survey.dropna(subset=["store"])
        .groupby("store")["csat"]
        .agg(lambda s: 100 * (s >= 4).mean())
    )
    assert out["score"].to_numpy() == pytest.approx(ref.sort_index().to_numpy())
    one = survey[survey["store"] == "北京"]["csat"]
    row = out[out["store"] == "北京"].iloc[0]
    assert row["mean"] == pytest.approx(csat(one).extra["mean"])


def test_errors_name_the_column(survey: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="'region'"):
        breakdown(survey, "nps", "region")
    with pytest.raises(ValueError, match="'nope'"):
        breakdown(survey, "nope", "store")
    survey.loc[5, "nps"] = 12
    with pytest.raises(ValueError, match=r"'nps'.*12"):
        breakdown(survey, "nps", "store")


def test_small_sample_flag() -> None:
    df = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 3, "nps": [10] * 43})
    out = breakdown(df, "nps", "g")
    assert dict(zip(out["g"], out["small_sample"], strict=True)) == {"a": False, "b": True}


def test_error_row_is_the_row_in_the_file() -> None:
    df = pd.DataFrame({"g": [None, None, "a"], "nps": [10, 10, 11]})
    with pytest.raises(ValueError, match="row 2"):
        breakdown(df, "nps", "g")


def test_groups_can_be_reused(survey: pd.DataFrame) -> None:
    from manyi.analytics.metrics.breakdown import group_codes

    groups = group_codes(survey, ["store"])
    a = breakdown(survey, "csat", "store", metric="csat", groups=groups)
    b = breakdown(survey, "csat", "store", metric="csat")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_summarise_equals_separate_calls(survey: pd.DataFrame, metric: str) -> None:
    from manyi.analytics.metrics.breakdown import summarise
    from manyi.analytics.metrics.ces import ces

    column = {"nps": "nps", "csat": "csat", "ces": "csat"}[metric]
    scorer = {"nps": nps, "csat": csat, "ces": ces}[metric]
    s = summarise(survey, column, "store", metric=metric, weight="w")
    alone = scorer(survey[column], weights=survey["w"])
    assert s.overall.n == alone.n  # answers with a missing store still count overall
    assert s.overall.score == pytest.approx(alone.score)
    assert s.overall.ci_low == pytest.approx(alone.ci_low)
    assert s.overall.n_missing == alone.n_missing
    pd.testing.assert_frame_equal(
        s.groups, breakdown(survey, column, "store", metric=metric, weight="w")
    )
    no_by = summarise(survey, column, metric=metric)
    assert no_by.groups.empty and no_by.overall.score == pytest.approx(scorer(survey[column]).score)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None]), st.one_of(st.none(), st.integers(0, 10))),
        min_size=1,
        max_size=60,
    )
)
def test_cells_add_up_to_overall(rows: list[tuple[str | None, int | None]]) -> None:
    from manyi.analytics.metrics.breakdown import summarise

    df = pd.DataFrame(rows, columns=["g", "nps"], dtype=object)
    s = summarise(df, "nps", "g", min_n=1)
    answered = [r for r in rows if r[1] is not None]
    keyed = [r for r in answered if r[0] is not None]
    assert s.overall.n == len(answered)
    assert int(s.groups["n"].sum()) == len(keyed) if len(s.groups) else not keyed
    assert (s.groups["ci_low"] <= s.groups["score"] + 1e-9).all()
