"""Tests for manyi.analytics.text.analyze (the whole text pipeline)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.text.analyze import COLUMNS, MODEL_VERSION, analyze


def test_columns_and_values() -> None:
    frame = analyze(["物流很快，包装很好", "客服态度很差，电话13800138000", "The flight was late"])
    assert list(frame.columns) == list(COLUMNS)
    assert frame["language"].tolist() == ["zh-Hans", "zh-Hans", "en"]
    assert frame["sentiment"].tolist() == ["positive", "negative", "negative"]
    assert frame["sentiment_score"].between(-1, 1).all()
    assert "13800138000" not in frame.loc[1, "text_masked"]
    assert ("customer_service", "negative") in frame.loc[1, "aspects"]
    assert "complaint" in frame.loc[1, "types"]
    assert all(isinstance(t, list) for t in frame["types"])
    assert MODEL_VERSION.startswith("sentiment-")


def test_sign_of_score_matches_label() -> None:
    frame = analyze(["非常满意", "太差了", "还行吧", "not bad", "not good at all"])
    for label, score in zip(frame["sentiment"], frame["sentiment_score"], strict=True):
        if label == "positive":
            assert score > 0
        elif label == "negative":
            assert score < 0


def test_traditional_and_mixed_input() -> None:
    frame = analyze(["這家店的服務很好", "The 物流 was fast but 客服 was rude"])
    assert frame["language"].tolist() == ["zh-Hant", "mixed"]
    assert frame.loc[0, "sentiment"] == "positive"
    assert frame.loc[0, "text_masked"] == "這家店的服務很好"  # the original is kept for display


def test_missing_empty_and_hostile_values() -> None:
    texts = [
        None,
        float("nan"),
        pd.NA,
        "",
        "   ",
        "\u200b",
        "<script>alert(1)</script>",
        "好" * 50_000,
    ]
    frame = analyze(texts)
    assert len(frame) == len(texts)
    assert frame.loc[:5, "sentiment"].tolist() == ["neutral"] * 6
    assert (frame.loc[:5, "sentiment_score"] == 0).all()
    assert frame.loc[6, "text_masked"] == "<script>alert(1)</script>"


def test_empty_input_and_single_string() -> None:
    assert analyze([]).shape == (0, len(COLUMNS))
    with pytest.raises(ValueError, match="single str"):
        analyze("物流很快")


def test_no_mask_copies_text() -> None:
    assert analyze(["电话13800138000"], mask=False).loc[0, "text_masked"] == "电话13800138000"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=5))
def test_never_raises_and_deterministic(texts: list[str]) -> None:
    a, b = analyze(texts), analyze(texts)
    assert len(a) == len(texts)
    assert np.array_equal(a["sentiment_score"].to_numpy(), b["sentiment_score"].to_numpy())
    assert a["sentiment_score"].between(-1, 1).all()


def test_business_taxonomy_replaces_the_retail_aspects() -> None:
    """A bank's aspects come out when its taxonomy is given; retail stays the default."""
    from manyi.analytics.text.aspects import AspectTaxonomy

    texts = ["柜台排队太久了，手续费也太贵", "The mobile banking app keeps crashing"]
    bank = analyze(texts, taxonomy=AspectTaxonomy.builtin("bank"))["aspects"].tolist()
    assert bank == [
        [("fees", "negative"), ("branch_queue", "negative")],
        [("online_banking", "negative")],
    ]
    retail_keys = {a for row in analyze(texts)["aspects"] for a, _ in row}
    assert not retail_keys & {"fees", "branch_queue", "online_banking"}


def test_taxonomy_fingerprint_follows_its_keywords() -> None:
    from manyi.analytics.text.aspects import AspectTaxonomy

    spec = {"name": "shop", "aspects": {"queue": {"keywords": ["排队", "queue"]}}}
    same = AspectTaxonomy.from_dict(spec).fingerprint
    assert same == AspectTaxonomy.from_dict(spec).fingerprint
    spec["aspects"]["queue"]["keywords"].append("wait")
    assert AspectTaxonomy.from_dict(spec).fingerprint != same
