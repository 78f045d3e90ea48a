"""Likert item summary."""

from __future__ import annotations

import pytest

from manyi.analytics.metrics.likert import likert


def test_known_answer() -> None:
    r = likert([1, 2, 2, 5, 4, None])
    assert r.score == pytest.approx(2.8)
    assert r.counts == {"1": 1, "2": 2, "3": 0, "4": 1, "5": 1}
    assert r.extra["share_2"] == pytest.approx(40.0)
    assert r.extra["top_box"] == pytest.approx(40.0)
    assert r.extra["bottom_box"] == pytest.approx(60.0)
    assert r.n_missing == 1


def test_custom_scale_and_box() -> None:
    r = likert([0, 1, 2, 3, 4], low=0, high=4, box=1)
    assert r.extra["top_box"] == pytest.approx(20.0)
    with pytest.raises(ValueError, match="'likert'"):
        likert([5], low=0, high=4)
