"""Feedback types on bilingual examples, Traditional/mixed text and hostile input."""

from __future__ import annotations

import numpy as np
import pytest

from manyi.analytics.text.normalize import normalize
from manyi.analytics.text.types import FEEDBACK_TYPES, classify_types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("建议增加夜间配送服务", "suggestion"),
        ("希望下次能送个赠品", "suggestion"),
        ("You should add a dark mode", "suggestion"),
        ("请问怎么开发票？", "inquiry"),
        ("这个有蓝色的吗", "inquiry"),
        ("How do I change my seat?", "inquiry"),
        ("质量太差了，我要投诉", "complaint"),
        ("Worst airline ever, never again", "complaint"),
        ("好评！非常满意", "praise"),
        ("Thank you, the crew was awesome", "praise"),
        ("請問怎麼退貨？", "inquiry"),
        ("服務態度太差，我要投訴", "complaint"),
        ("這家店很棒，推薦", "praise"),
        ("App 很好用，thanks!", "praise"),
    ],
)
def test_known_examples(text: str, expected: str) -> None:
    assert expected in classify_types([text])[0]


def test_multi_label() -> None:
    labels = classify_types(["太差了，我要投诉！能不能改进一下？"])[0]
    assert {"complaint", "suggestion"} <= set(labels)


def test_given_scores_drive_threshold_labels() -> None:
    out = classify_types(["今天收到了", "今天收到了"], scores=np.array([-0.9, 0.9]))
    assert out == [["complaint"], ["praise"]]


def test_neutral_text_is_other() -> None:
    assert classify_types(["今天收到了"], scores=[0.0]) == [["other"]]


@pytest.mark.parametrize(
    "text", ["", "   ", "<script>alert(1)</script>", "\u202e\u200b", "😀😀😀", "x" * 50_000]
)
def test_hostile_inputs_return_valid_labels(text: str) -> None:
    (labels,) = classify_types([text])
    assert labels and set(labels) <= set(FEEDBACK_TYPES)


def test_non_string_items_are_empty_and_str_rejected() -> None:
    assert classify_types([None]) == [["other"]]  # type: ignore[list-item]
    with pytest.raises(ValueError, match="texts"):
        classify_types("一条文本")
    with pytest.raises(ValueError, match="scores"):
        classify_types(["a", "b"], scores=[0.1])


def test_labels_are_ordered_and_unique() -> None:
    for labels in classify_types(["太差了，建议改进，怎么退款？谢谢", "好"]):
        assert len(set(labels)) == len(labels)
        assert labels == sorted(labels, key=FEEDBACK_TYPES.index)


def test_already_normalised_input_gives_the_same_types() -> None:
    raw = [
        "這個ＡＰＰ太差了，我要投訴！！！",
        "建议增加夜间配送",
        "How do I get a REFUND?",
        "",
        "赞👍",
    ]
    normalised = [normalize(t) for t in raw]
    scores = np.array([-0.9, 0.1, -0.3, 0.0, 0.9])
    assert classify_types(normalised, scores=scores, normalized=True) == classify_types(
        raw, scores=scores
    )
