"""CES: mean on 1-7 and share easy."""

from __future__ import annotations

import pytest

from manyi.analytics.metrics.ces import ces


def test_known_answer() -> None:
    # mean 30/6 = 5; top-3 (5-7) = 4 of 6; s^2 = (4+1+0+1+16+4)/5 = 5.2
    r = ces([7, 6, 5, 4, 1, 7])
    assert r.score == pytest.approx(5.0)
    assert r.se == pytest.approx((5.2 / 6) ** 0.5)
    assert r.extra["easy_share"] == pytest.approx(400 / 6)
    assert r.counts == {"easy": 4, "not_easy": 2}


def test_easy_top_configurable() -> None:
    assert ces([7, 6, 5, 4], easy_top=2).extra["easy_share"] == pytest.approx(50.0)
    with pytest.raises(ValueError, match="easy_top"):
        ces([7], easy_top=7)


def test_out_of_scale_raises() -> None:
    with pytest.raises(ValueError, match=r"'effort'.*8"):
        ces([8], name="effort")
