"""Tests of value tiers and the Pareto share (manyi.analytics.segments.tiers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.segments.tiers import pareto_share, tier_changes, tier_summary, value_tiers


def test_pareto_share_known_answer() -> None:
    # Ten customers: the top 2 (20%) hold 50 + 30 of 100.
    values = [50, 30, 5, 5, 2, 2, 2, 2, 1, 1]
    assert pareto_share(values) == pytest.approx(0.8)
    assert pareto_share([10, -10, 0]) == pytest.approx(1.0)  # negatives count as zero
    assert np.isnan(pareto_share([]))
    with pytest.raises(ValueError, match="missing"):
        pareto_share([1.0, float("nan")])


def test_value_tiers_default_cutoffs_and_ties() -> None:
    values = np.arange(1, 101, dtype=float)
    tiers = pd.Series(value_tiers(values))
    assert tiers.value_counts().to_dict() == {"low": 50, "medium": 30, "high": 15, "vip": 5}
    assert tiers.iloc[-1] == "vip" and tiers.iloc[0] == "low"
    tied = pd.Series(value_tiers([7.0] * 10))
    assert tied.nunique() == 1  # equal spend, equal tier
    custom = pd.Series(value_tiers(values, (0.99, 0.9, 0.6)))
    assert (custom == "vip").sum() == 1
    with pytest.raises(ValueError, match="cut-offs"):
        value_tiers(values, (0.5, 0.8, 0.9))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=80))
def test_tier_shares_sum_to_one(values) -> None:
    tiers = value_tiers(values)
    summary = tier_summary(values, tiers)
    assert summary["customer_share"].sum() == pytest.approx(1.0)
    if sum(values) > 0:
        assert summary["value_share"].sum() == pytest.approx(1.0)
        assert 0 < pareto_share(values) <= 1.0 + 1e-12
    ranks = {"low": 0, "medium": 1, "high": 2, "vip": 3}
    order = np.argsort(values, kind="stable")
    ranked = [ranks[str(t)] for t in np.asarray(tiers)[order]]
    assert ranked == sorted(ranked)  # more spend never means a lower tier


def test_tier_changes_between_snapshots() -> None:
    before = pd.Series({"a": "low", "b": "vip", "c": "high", "d": "medium"})
    after = pd.Series({"a": "high", "b": "medium", "c": "high", "e": "low"})
    out = tier_changes(before, after).set_index("customer_id")["change"].to_dict()
    assert out == {"a": "upgrade", "b": "downgrade", "c": "same", "d": "gone", "e": "new"}
    with pytest.raises(ValueError, match="unknown tier"):
        tier_changes(pd.Series({"a": "gold"}), after)
