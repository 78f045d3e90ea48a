"""CSAT: top-2-box share and mean with intervals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.metrics.csat import csat


def test_known_answer_five_point() -> None:
    # 5,4,4,4 are top-2 of 8 -> 62.5%; mean = 28/8 = 3.5; s^2 = 14/7 = 2 -> se = 0.5.
    r = csat([5, 4, 3, 2, 1, 5, 4, 4])
    assert r.score == pytest.approx(62.5)
    assert r.extra["mean"] == pytest.approx(3.5)
    assert r.extra["mean_se"] == pytest.approx(0.5)
    # t(7) 0.975 quantile = 2.364624
    assert r.extra["mean_ci_low"] == pytest.approx(3.5 - 2.364624 * 0.5, abs=1e-5)
    # Wilson, p = 0.625, n = 8, z = 1.959964
    z, p, n = 1.959964, 0.625, 8
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert r.ci_low == pytest.approx(100 * (centre - half), abs=1e-4)
    assert r.ci_high == pytest.approx(100 * (centre + half), abs=1e-4)
    assert r.counts == {"satisfied": 5, "not_satisfied": 3}


@pytest.mark.parametrize(
    ("scale", "values", "expected"),
    [
        (7, [7, 6, 5, 1], 50.0),
        (10, [10, 9, 8, 1, 1], 40.0),
    ],
)
def test_other_scales(scale: int, values: list[int], expected: float) -> None:
    assert csat(values, scale=scale).score == pytest.approx(expected)


def test_validation() -> None:
    with pytest.raises(ValueError, match="'sat'"):
        csat([1, 6], scale=5, name="sat")
    with pytest.raises(ValueError, match="scale"):
        csat([1, 2], scale=4)
    with pytest.raises(ValueError, match=r"'sat'.*0"):
        csat([0, 5], name="sat")


def test_all_top_box_interval_is_sensible() -> None:
    r = csat([5] * 20)
    assert r.score == 100.0 and r.ci_high == pytest.approx(100.0)
    assert 80 < r.ci_low < 100  # Wilson does not collapse to a zero-width interval


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=100))
def test_properties(values: list[int]) -> None:
    r = csat(values, scale=7)
    assert 0 <= r.ci_low <= r.score + 1e-9 <= r.ci_high + 2e-9 <= 100 + 3e-9
    assert 1 <= r.extra["mean"] <= 7
