"""Clause rules of the sentiment lexicon: multi-word expressions, ratings, negation scope."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.text.lexicon import RATINGS, analyse_tokens, merge_phrases, own_lexicon
from manyi.analytics.text.normalize import normalize
from manyi.analytics.text.tokenize import raw_tokens


def merged(text: str) -> list[str]:
    return merge_phrases(raw_tokens(normalize(text)))


def lex_score(text: str) -> float:
    return analyse_tokens(raw_tokens(normalize(text))).score


def test_lexicon_phrases_become_one_token() -> None:
    assert merged("Don't waste your time") == ["don't waste", "your", "time"]
    assert merged("a must-see, top-notch cast") == ["a", "must-see", ",", "top-notch", "cast"]
    assert merged("what a rip-off") == ["what", "a", "rip-off"]


def test_negated_imperatives_keep_their_meaning() -> None:
    # without the phrase, "don't" would flip "waste" into mild praise
    assert lex_score("Don't waste your money") == pytest.approx(-1.8)
    assert lex_score("Do not miss it") == pytest.approx(1.5)
    assert lex_score("Don’t bother") == pytest.approx(-1.5)  # typographic apostrophe


def test_degree_and_negator_phrases() -> None:
    assert lex_score("nothing short of magnificent") == pytest.approx(2 * 1.8)
    assert lex_score("it never fails to disappoint") < 0
    assert lex_score("far from the best") == pytest.approx(-0.8 * 2)
    assert lex_score("not only funny but smart") > 0  # "not only" negates nothing


def test_negation_scope_skips_stop_words() -> None:
    # "not" reaches "good" across the stop words "at", "all", "a"
    features = dict(analyse_tokens(raw_tokens("not at all a good film")).features)
    assert "w:NOT_good" in features
    assert lex_score("not at all a good film") == pytest.approx(-0.8)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("10/10", "<rating+>"),
        ("I rate it 9 out of 10!", "<rating+>"),
        ("4.5/5", "<rating+>"),
        ("3 stars", "<rating0>"),
        ("2/10, awful", "<rating->"),
        ("one word: 1 star", "<rating->"),
        ("5星好评", "<rating+>"),
    ],
)
def test_explicit_ratings(text: str, token: str) -> None:
    assert token in merged(text)


@pytest.mark.parametrize(
    "text", ["requested on 2/5", "flight 2/10/2015", "4/30-5/5", "12/10 of them", "100% 5/"]
)
def test_dates_and_fractions_are_not_ratings(text: str) -> None:
    assert not set(merged(text)) & set(RATINGS)


def test_rating_scores_follow_the_scale() -> None:
    assert lex_score("10/10") > 0 > lex_score("2/10")
    assert lex_score("9 out of 10") == pytest.approx(RATINGS["<rating+>"])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100), st.sampled_from(["5", "10", "100"]), st.sampled_from(["/", "out of"]))
def test_rating_band_matches_share(value: int, scale: str, sep: str) -> None:
    tokens = merged(f"I give it {value} {sep} {scale}")
    share = value / int(scale)
    if share > 1:
        assert not set(tokens) & set(RATINGS)
    else:
        expected = "<rating+>" if share >= 0.7 else "<rating->" if share <= 0.4 else "<rating0>"
        assert tokens[-1] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["don't", "waste", "10", "/", "out", "of", "5", "x", "星", "far"])))
def test_merge_never_raises_and_keeps_other_tokens(tokens: list[str]) -> None:
    out = merge_phrases(tokens)
    assert len(out) <= len(tokens)
    assert out.count("x") == tokens.count("x")  # a word in no phrase is never swallowed
    assert all(t in tokens or t in RATINGS or " " in t for t in out)


def test_excess_marker_makes_measure_words_complaints() -> None:
    assert lex_score("柜台排队太久了") == pytest.approx(-0.7 * 1.5)  # 太: degree 1.5
    assert lex_score("the seat is too small") < 0 and lex_score("过于复杂") < 0
    assert lex_score("很久") == 0.0  # 很 is no excess marker: "long" alone is not a complaint
    assert lex_score("not too long") > 0  # a negated complaint


def test_final_particle_does_not_hide_a_lexicon_word() -> None:
    assert lex_score("太好了") == pytest.approx(lex_score("太好")) and lex_score("太好了") > 0


def test_a_wish_turns_praise_words_into_a_mild_complaint() -> None:
    # 便宜 (+1) and 好 (+1) inside "如果…就好了" state what the product is not
    assert lex_score("如果能再便宜点就好了") == pytest.approx(-0.5 * 2)
    assert lex_score("要是早餐丰富一点就更好了") < 0
    assert lex_score("it could have been great") < 0
    assert lex_score("if only it were good") < 0
    # the praise outside the wish keeps its weight
    assert lex_score("质量很好，如果能便宜点就好了") == pytest.approx(1.2 - 0.5 * 2)


def test_a_condition_makes_complaint_words_hypothetical() -> None:
    assert lex_score("不好用") == pytest.approx(-1.0)
    assert lex_score("如果不好用可以退") == pytest.approx(-0.3)


def test_superlative_best_is_no_wish() -> None:
    features = dict(analyse_tokens(raw_tokens("这是我用过最好的手机")).features)
    assert "w:<irrealis>" not in features
    assert lex_score("这是我用过最好的手机") > 0
    assert "w:<irrealis>" in dict(analyse_tokens(raw_tokens("最好能送个鼠标")).features)


_ZH_ENTRIES = sorted(w for w, v in own_lexicon().items() if v != 0 and "\u4e00" <= w[0] <= "\u9fff")


@given(st.sampled_from(_ZH_ENTRIES), st.sampled_from(["如果", "要是", "假如", "建议"]))
@settings(max_examples=200, deadline=None)
def test_irrealis_clause_bounds_every_lexicon_word(word: str, marker: str) -> None:
    alone = analyse_tokens([word], own_only=True)
    wished = analyse_tokens([marker, word], own_only=True)
    if alone.score > 0:  # praise in a wish: a mild complaint, half as strong
        assert wished.positive == 0
        assert wished.negative == pytest.approx(0.5 * alone.positive)
    else:  # a complaint in a condition: 0.3 of its weight
        assert wished.positive == 0
        assert wished.negative == pytest.approx(0.3 * alone.negative)
