"""Tests of segment migration (manyi.analytics.segments.migration)."""

from __future__ import annotations

import pandas as pd
import pytest

from manyi.analytics.segments.migration import sankey_links, transition_matrix


def test_transition_matrix_counts_shares_and_links() -> None:
    before = pd.Series({"a": "loyal", "b": "loyal", "c": "at_risk", "d": "loyal"})
    after = pd.Series({"a": "loyal", "b": "at_risk", "c": "lost", "e": "new"})
    counts, shares = transition_matrix(before, after)
    assert counts.loc["loyal", "loyal"] == 1
    assert counts.loc["loyal", "at_risk"] == 1
    assert counts.loc["loyal", "(none)"] == 1
    assert counts.loc["(none)", "new"] == 1
    assert counts.to_numpy().sum() == 5
    assert shares.loc["loyal"].sum() == pytest.approx(1.0)
    assert shares.loc["loyal", "at_risk"] == pytest.approx(1 / 3)
    links = sankey_links(before, after)
    assert {"source": "at_risk", "target": "lost", "value": 1} in links
    assert sum(link["value"] for link in links) == 5
    inner, _ = transition_matrix(before, after, include_missing=False)
    assert inner.to_numpy().sum() == 3


def test_categorical_order_is_kept_and_duplicates_refused() -> None:
    cats = pd.CategoricalDtype(["champions", "loyal", "lost"])
    before = pd.Series(["lost", "champions"], index=["x", "y"], dtype=cats)
    after = pd.Series(["loyal", "champions"], index=["x", "y"], dtype=cats)
    counts, _ = transition_matrix(before, after)
    assert list(counts.index) == ["champions", "lost"]
    assert list(counts.columns) == ["champions", "loyal"]
    with pytest.raises(ValueError, match="twice"):
        transition_matrix(pd.Series(["a", "b"], index=["x", "x"]), after)
