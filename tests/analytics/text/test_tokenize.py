"""Tests for manyi.analytics.text.tokenize."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.text.tokenize import STOP_WORDS, _cut_han, _jieba, raw_tokens, tokenize


def test_domain_dictionary_words_stay_whole() -> None:
    words = tokenize("物流很快包装很好客服态度好退款及时快递员辛苦了性价比高售后到位")
    for word in ("物流", "包装", "客服", "退款", "快递员", "性价比", "售后"):
        assert word in words


def test_lexicon_words_are_cut_whole_unless_rules_need_their_pieces() -> None:
    assert {"踩雷", "智商税", "丧良心"} <= set(tokenize("踩雷了，智商税，丧良心"))
    assert tokenize("非常好") == ["非常", "好"]  # the degree rule needs 非常
    assert tokenize("毫无新意") == ["毫无", "新意"]  # the negation rule needs 毫无
    assert "性价比" in tokenize("性价比高")  # the aspect finder needs 性价比


def test_english_lower_cased_with_contractions() -> None:
    assert tokenize("The Flight WASN'T on time!") == ["the", "flight", "wasn't", "on", "time"]


def test_mixed_text() -> None:
    assert tokenize("物流很快, but the packaging was BAD!") == [
        "物流",
        "很快",
        "but",
        "the",
        "packaging",
        "was",
        "bad",
    ]


def test_traditional_is_normalised_first() -> None:
    assert tokenize("物流很快，包裝很好") == tokenize("物流很快，包装很好")


def test_stop_words_dropped_on_request_but_negators_kept() -> None:
    words = tokenize("这个产品的质量不好", drop_stop_words=True)
    assert "的" not in words and "这个" not in words
    assert "不" in words or "不好" in words
    assert "not" not in STOP_WORDS and "不" not in STOP_WORDS and "but" not in STOP_WORDS


def test_raw_tokens_keep_punctuation_and_emoji() -> None:
    assert raw_tokens("好评!😀") == ["好评", "!", "😀"]


def test_empty() -> None:
    assert tokenize("") == []
    assert tokenize(" \u200b\t") == []


@given(st.text(max_size=200))
def test_never_raises(text: str) -> None:
    assert all(isinstance(t, str) and t for t in tokenize(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=30))
def test_segmentation_matches_jieba(run: str) -> None:
    """The one-pass segmenter returns exactly jieba's HMM-free maximum-probability cut."""
    assert list(_cut_han(run)) == _jieba().lcut(run, HMM=False)


def test_segmentation_matches_jieba_on_review_phrases() -> None:
    for run in [
        "物流很快包装很好",
        "这家酒店的服务态度非常好",
        "外卖送得太慢了饭菜都凉了",
        "性价比很高",
    ]:
        assert list(_cut_han(run)) == _jieba().lcut(run, HMM=False)
