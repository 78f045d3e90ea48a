"""Tests of mid-rank percentiles (manyi.analytics.segments.ranking)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.segments.ranking import midrank_percentile


def test_known_answer() -> None:
    assert midrank_percentile(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [0.75, 0.125, 0.75, 0.375]
    assert midrank_percentile(np.array([])).size == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=50))
def test_matches_the_counting_definition(values) -> None:
    array = np.array(values, dtype=float)
    below = np.array([(array < v).sum() for v in array])
    equal = np.array([(array == v).sum() for v in array])
    np.testing.assert_allclose(midrank_percentile(array), (below + equal / 2) / len(array))
