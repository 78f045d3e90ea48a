"""Reasons per customer: chosen by strength, at most three, rendered in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.scoring.reasons import CODES, describe, describe_all, top_reasons


def _frame(**columns: list[object]) -> pd.DataFrame:
    """A small customer frame; unspecified signals are missing."""
    base = {"frequency": [4.0], "recency": [20.0], "T": [24.0], "p_alive": [0.9]}
    base.update(columns)
    return pd.DataFrame(base, index=[101])


def test_a_quiet_loyal_customer_has_no_reason() -> None:
    result = top_reasons(_frame())
    assert result.items == [[]] and result.text.iloc[0] == ""


def test_strongest_three_in_order() -> None:
    frame = _frame(recency=[10.0], T=[60.0], p_alive=[0.2], open_complaint_days=[3.0],
                   complaints=[2], negative_feedback=[1], negative_aspect=["logistics"],
                   nps=[3.0])  # fmt: skip
    result = top_reasons(frame)
    assert [r["code"] for r in result.items[0]] == [
        "open_complaint",
        "complaints",
        "negative_feedback",
    ]
    assert result.items[0][0] == {"code": "open_complaint", "days": 3.0}
    assert result.items[0][2] == {"code": "negative_feedback", "n": 1, "aspect": "logistics"}
    assert "open complaint" in result.text.iloc[0] and "投诉" in result.text.iloc[0]
    assert result.labels.iloc[0] == (
        "open complaint / 未结投诉; complaint / 投诉; negative feedback / 负面反馈"
    )
    assert result.text.index.tolist() == [101]


def test_behaviour_reasons() -> None:
    frame = pd.DataFrame({"frequency": [4.0, 0.0, 0.0], "recency": [8.0, 0.0, 0.0],
                          "T": [40.0, 20.0, 3.0], "p_alive": [0.3, 1.0, 1.0]})  # fmt: skip
    items = top_reasons(frame).items
    assert [r["code"] for r in items[0]] == ["overdue", "low_p_alive"]
    assert items[0][0] == {"code": "overdue", "since": 32.0, "gap": 2.0}
    assert describe(items[0][0], "en") == "32 weeks since last purchase vs usual 2 (16.0x)"
    assert describe(items[0][0], "zh") == "距上次购买 32 周，平时间隔 2 周（16.0 倍）"
    assert items[1] == [{"code": "single_purchase", "since": 20.0}]
    assert items[2] == []  # bought once three weeks ago: too early to worry


def test_low_rating_on_another_scale() -> None:
    result = top_reasons(_frame(low_rating=[1.0], low_rating_scale=["1-5"]))
    assert result.items[0] == [{"code": "low_rating", "score": 1.0, "scale": "1-5"}]
    assert describe(result.items[0][0], "en") == "rated 1 on a 1-5 scale"


def test_texts_in_both_languages() -> None:
    reasons = [{"code": "negative_feedback", "n": 2, "aspect": "logistics"},
               {"code": "low_nps", "score": 4.0}]  # fmt: skip
    zh, en = describe_all(reasons, "zh"), describe_all(reasons, "en")
    assert zh[0].startswith("近 6 个月负面反馈 2 条") and "物流" in zh[0]
    assert en[1] == "NPS answer 4 (detractor)"
    assert describe({"code": "made_up"}, "en") == "made_up"


@given(st.lists(st.tuples(st.integers(0, 50), st.floats(0, 1), st.booleans(),
                          st.integers(0, 9)), min_size=1, max_size=20))  # fmt: skip
def test_never_more_than_three_distinct_known_reasons(
    rows: list[tuple[int, float, bool, int]],
) -> None:
    frame = pd.DataFrame({
        "frequency": [float(x) for x, *_ in rows],
        "recency": [float(x) * 2 for x, *_ in rows],
        "T": [float(x) * 2 + 30 for x, *_ in rows],
        "p_alive": [p for _, p, *_ in rows],
        "open_complaint_days": [1.0 if c else np.nan for *_, c, _ in rows],
        "complaints": [n for *_, n in rows],
        "nps": [float(n) for *_, n in rows],
    })  # fmt: skip
    result = top_reasons(frame)
    assert len(result.items) == len(frame)
    for items in result.items:
        codes = [r["code"] for r in items]
        assert len(codes) <= 3 and len(set(codes)) == len(codes) and set(codes) <= set(CODES)
        for reason in items:
            assert describe(reason, "zh") and describe(reason, "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_renders(lang: str) -> None:
    params = {"days": 2.0, "n": 1, "aspect": None, "score": 3.0, "scale": "1-5", "p": 0.1,
              "since": 10.0, "gap": 2.0}  # fmt: skip
    texts = {describe({"code": code, **params}, lang) for code in CODES}
    assert len(texts) == len(CODES) and not any(text in CODES for text in texts)
