"""NPS: hand-computed answers, validation, weights, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.metrics.nps import nps

answers = st.lists(st.integers(0, 10), min_size=1, max_size=200)


def test_known_answer_small_sample() -> None:
    # 5 promoters (10,9,10,10,9), 2 passives (8,7), 3 detractors (6,0,5) of 10:
    # NPS = 100 * (0.5 - 0.3) = 20; Var = (0.5 + 0.3 - 0.2^2) / 10 = 0.076;
    # se = 100 * sqrt(0.076) = 27.568; CI = 20 +- 1.959964 * 27.568.
    r = nps([10, 9, 8, 7, 6, 0, 10, 10, 5, 9])
    assert r.score == pytest.approx(20.0)
    assert r.se == pytest.approx(100 * math.sqrt(0.076))
    assert r.ci_low == pytest.approx(20 - 1.959964 * 27.5681, abs=1e-3)
    assert r.ci_high == pytest.approx(20 + 1.959964 * 27.5681, abs=1e-3)
    assert r.counts == {"promoters": 5, "passives": 2, "detractors": 3}
    assert r.n == 10 and r.n_effective == 10
    assert r.warning is not None and "n=10" in r.warning


def test_blanks_are_dropped_and_counted() -> None:
    r = nps(pd.Series(["10", " ", None, np.nan, "0", "9"]))
    assert r.n == 3 and r.n_missing == 3
    assert r.score == pytest.approx(100 * (2 - 1) / 3)


@pytest.mark.parametrize("bad", [11, -1, 7.5, "ten", float("inf")])
def test_out_of_range_raises_naming_column(bad: object) -> None:
    with pytest.raises(ValueError, match="'q1'"):
        nps([10, 9, bad], name="q1")


@pytest.mark.parametrize(
    "hostile", ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "1'; SELECT SLEEP(5)--"]
)
def test_hostile_strings_are_rejected_cleanly(hostile: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        nps([10, hostile], name="nps")


def test_no_warning_at_large_n_and_custom_min_n() -> None:
    assert nps([10] * 30).warning is None
    assert nps([10] * 30, min_n=50).warning is not None


def test_weights_known_answer() -> None:
    # weights 3 on the promoter, 1 on the detractor: p = 0.75, d = 0.25 -> NPS 50;
    # Kish n_eff = 4^2 / (9 + 1) = 1.6; Var = (1 - 0.25) / 1.6.
    r = nps([10, 0], weights=[3, 1])
    assert r.score == pytest.approx(50.0)
    assert r.n_effective == pytest.approx(1.6)
    assert r.se == pytest.approx(100 * math.sqrt(0.75 / 1.6))


def test_bad_weights_raise() -> None:
    with pytest.raises(ValueError, match="negative"):
        nps([10, 0], weights=[1, -1])
    with pytest.raises(ValueError, match="weights"):
        nps([10, 0], weights=[1])


@settings(max_examples=100, deadline=None)
@given(answers)
def test_properties(values: list[int]) -> None:
    r = nps(values)
    assert -100 <= r.score <= 100
    assert r.ci_low <= r.score + 1e-9 and r.score <= r.ci_high + 1e-9
    assert r.ci_low >= -100 and r.ci_high <= 100
    assert sum(r.counts.values()) == r.n == len(values)


@settings(max_examples=60, deadline=None)
@given(answers, st.randoms(use_true_random=False))
def test_unit_weights_and_permutation_change_nothing(values: list[int], rnd: object) -> None:
    plain = nps(values)
    weighted = nps(values, weights=[1.0] * len(values))
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    permuted = nps(shuffled)
    for other in (weighted, permuted):
        assert other.score == pytest.approx(plain.score)
        assert other.se == pytest.approx(plain.se, nan_ok=True)


@settings(max_examples=50, deadline=None)
@given(answers, st.floats(0.1, 50))
def test_constant_weights_change_only_nothing(values: list[int], c: float) -> None:
    a = nps(values)
    b = nps(values, weights=[c] * len(values))
    assert b.score == pytest.approx(a.score, abs=1e-9)
    assert b.n_effective == pytest.approx(a.n_effective)
