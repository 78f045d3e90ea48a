"""Tests for manyi.analytics.text.sentiment and its clause rules (lexicon.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.text.lexicon import analyse_tokens, lexicon, own_lexicon
from manyi.analytics.text.normalize import normalize
from manyi.analytics.text.sentiment import LABELS, SentimentModel, label_scores
from manyi.analytics.text.tokenize import raw_tokens
from manyi.analytics.text.train import load_imdb


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def lex_score(text: str) -> float:
    return analyse_tokens(raw_tokens(normalize(text))).score


def one(model: SentimentModel, text: str) -> float:
    return float(model.score([text])[0])


# --- the clause rules, with hand-computed values -------------------------------------------


def test_lexicon_rules_known_answers() -> None:
    assert lexicon()["好"] == 1 and lexicon()["差"] == -1
    assert lex_score("不太好") == pytest.approx(-0.8)  # negated positive: -0.8 x 1
    assert lex_score("并不差") == pytest.approx(0.5)  # negated negative: -0.5 x -1
    assert lex_score("not bad") == pytest.approx(0.5)
    assert lex_score("not good") == pytest.approx(-0.8)
    assert lex_score("非常好") == pytest.approx(1.5)  # degree 1.5
    assert lex_score("有点差") == pytest.approx(-0.6)  # downtoner 0.6
    assert lex_score("非常感谢") == pytest.approx(1.5)  # one jieba word: 2-character degree head
    assert lex_score("毫无新意") < 0 and lex_score("缺乏诚意") < 0  # 毫无, 缺乏 negate
    assert lex_score("无法忍受") == pytest.approx(-2.0)  # an entry, not 无法 + 忍受
    assert lex_score("very good") == pytest.approx(1.4)
    assert lex_score("slightly disappointing") == pytest.approx(-0.6)
    # contrast: the clause before 但是 counts 0.3
    assert lex_score("质量很好，但是太贵了") == pytest.approx(0.3 * 1.2 - 1.0)  # 太贵 is an entry
    assert lex_score("虽然价格贵，但是质量很好") == pytest.approx(-0.3 + 1.2)


def test_negation_scope_ends_at_punctuation() -> None:
    assert lex_score("不，好") == pytest.approx(1.0)
    features = dict(analyse_tokens(raw_tokens("not a good flight")).features)
    assert "w:NOT_good" in features and "w:good" not in features


# --- the shipped model ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "物流很快，包装很好，非常满意",
        "质量不错，性价比高",
        "并不差",
        "not bad at all",
        "Great service, very friendly staff",
        "虽然价格有点贵，但是质量真的很好",
        "好评😀👍",
    ],
)
def test_positive_texts(model: SentimentModel, text: str) -> None:
    assert one(model, text) > 0


@pytest.mark.parametrize(
    "text",
    [
        "不太好",
        "不是很满意",
        "客服态度很差，退款很慢",
        "not good",
        "The flight was delayed for 5 hours",
        "质量很好，但是太贵了",
        "The food was great but the service was terrible",
        "😡😡",
    ],
)
def test_negative_texts(model: SentimentModel, text: str) -> None:
    assert one(model, text) < 0


def test_degree_words_change_strength(model: SentimentModel) -> None:
    assert one(model, "非常好") > one(model, "有点好") > 0 or one(model, "非常好") > 0.5
    assert one(model, "very good") > one(model, "slightly good")


def test_contrast_clause_dominates(model: SentimentModel) -> None:
    assert one(model, "虽然物流很慢，但是质量很好") > 0 > one(model, "虽然质量很好，但是物流很慢")
    assert one(model, "slow delivery, but great quality") > one(
        model, "great quality, but slow delivery"
    )


def test_a_wish_reads_as_a_mild_complaint(model: SentimentModel) -> None:
    assert one(model, "要是早餐丰富一点就更好了") < 0 < one(model, "早餐丰富")
    assert one(model, "如果能再便宜点就好了") < 0
    assert one(model, "质量很好，如果能便宜点就好了") < one(model, "质量很好")


def test_mixed_chinese_english(model: SentimentModel) -> None:
    low, high, worst = model.score(
        ["物流很快 but 客服 was rude", "包装很好, very happy", "这个app太难用了, totally useless"]
    )
    assert low < 0 < high and worst < 0


def test_hotel_and_food_delivery_domains(model: SentimentModel) -> None:
    """Domains absent from training (hotels, food delivery) read correctly."""
    assert model.predict(
        [
            "房间干净，前台服务热情",
            "外卖送得太慢了，饭都凉了",
            "骑手很准时，味道不错",
            "The room was clean and the staff were friendly",
            "Food arrived cold and late",
        ]
    ) == ["positive", "negative", "positive", "positive", "negative"]


def test_traditional_equals_simplified(model: SentimentModel) -> None:
    assert one(model, "這個產品質量很好，服務態度也不錯") == pytest.approx(
        one(model, "这个产品质量很好，服务态度也不错")
    )


def test_empty_whitespace_and_emoji_only(model: SentimentModel) -> None:
    scores = model.score(["", "   ", "\u200b\u200b", "😀", "😭"])
    assert scores[0] == scores[1] == scores[2] == 0.0
    assert scores[3] > 0 > scores[4]
    assert model.predict(["", " "]) == ["neutral", "neutral"]


def test_long_and_hostile_texts(model: SentimentModel) -> None:
    texts = [
        "好" * 50_000,
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "1'; SELECT SLEEP(5)--",
        "abc\u202edef\x00",
        "=cmd|' /C calc'!A0",
    ]
    scores = model.score(texts)
    assert scores.shape == (6,) and np.all(np.abs(scores) <= 1)
    assert scores[0] > 0


def test_predict_labels_and_band(model: SentimentModel) -> None:
    assert set(model.predict(["好", "差", "我今天买了东西"])) <= set(LABELS)
    assert label_scores(np.array([-0.5, -0.1, 0.0, 0.1, 0.5]), 0.2) == [
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
    ]
    assert 0 < model.neutral_band < 1


def test_score_rejects_a_bare_string(model: SentimentModel) -> None:
    with pytest.raises(TypeError):
        model.score("好")  # type: ignore[arg-type]


def test_save_and_load_round_trip(model: SentimentModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    again = SentimentModel.load(tmp_path)
    assert again.version == model.version and again.neutral_band == model.neutral_band
    texts = ["物流很快", "not good"]
    assert np.allclose(again.score(texts), model.score(texts), atol=1e-6)


def test_shipped_model_is_small() -> None:
    folder = Path(__file__).resolve().parents[3] / "src/manyi/analytics/text/models"
    assert (folder / "sentiment.npz").stat().st_size < 10_000_000  # two weight vectors
    assert (folder / "MODEL_CARD.md").is_file()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_scores_bounded_deterministic_and_never_raise(texts: list[str]) -> None:
    model = SentimentModel.load()
    first = model.score(texts)
    assert first.shape == (len(texts),)
    assert np.all(first >= -1) and np.all(first <= 1)
    assert np.array_equal(first, model.score(texts))


SIMPLIFIED = [
    "物流很快",
    "服务态度很差",
    "质量不错但是价格贵",
    "这个产品我很喜欢",
    "客服说会退款",
    "东西坏了",
    "颜色很漂亮",
    "发货太慢了",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(SIMPLIFIED), min_size=1, max_size=4),
    st.sampled_from(["，", "。", "!"]),
)
def test_traditional_and_simplified_same_score(parts: list[str], sep: str) -> None:
    import opencc

    simplified = sep.join(parts)
    traditional = opencc.OpenCC("s2t").convert(simplified)
    model = SentimentModel.load()
    a, b = model.score([simplified, traditional])
    assert a == pytest.approx(b)


@pytest.mark.slow
def test_unseen_english_domain_imdb(model: SentimentModel, shared_data: Path) -> None:
    """IMDB sentences were never seen in training (tweets + reviews): accuracy stays >= 0.75."""
    imdb = load_imdb(shared_data)
    accuracy = np.mean((model.score(imdb["text"].tolist()) > 0) == (imdb["label"] == 1))
    assert accuracy >= 0.75


# --- sentiment-2.0: VADER-derived English words, per-language lexicon, tweet clean-up ------


def test_vader_words_extend_english_but_own_entries_win() -> None:
    own = own_lexicon()
    extra = [w for w in lexicon() if w not in own and w.isascii()]
    assert len(extra) > 5000  # VADER-derived single words
    assert all(lexicon()[w] == v for w, v in own.items())  # manyi's weights take precedence
    assert "lol" in lexicon() and "lol" not in own


def test_chinese_lexicon_is_well_formed() -> None:
    """Every entry parses, stays in [-2, 2], appears once and is already Simplified."""
    from importlib import resources

    from manyi.analytics.text.normalize import to_simplified

    text = resources.files("manyi.analytics.text").joinpath("resources", "lexicon_zh.tsv")
    entries = [
        line.split("\t")
        for line in text.read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(entries) > 3500 and all(len(e) == 2 for e in entries)
    words = [w for w, _ in entries]
    assert len(words) == len(set(words))
    assert all(-2.0 <= float(v) <= 2.0 and float(v) != 0 for _, v in entries)
    assert [w for w in words if to_simplified(w) != w] == []


def test_chinese_texts_use_only_manyi_lexicon() -> None:
    tokens = raw_tokens(normalize("送free赠品"))
    assert analyse_tokens(tokens).positive > 0  # VADER scores "free"
    assert analyse_tokens(tokens, own_only=True).score == 0.0  # a product label, not sentiment


def test_handles_urls_and_numbers_carry_no_sentiment(model: SentimentModel) -> None:
    plain, tweet = model.score(["thanks for the help", "@united thanks for the help http://t.co/x"])
    assert plain == pytest.approx(tweet)
    first, second = model.score(["第1条：物流很快", "第4321条：物流很快"])
    assert first == pytest.approx(second) and first > 0
    features = dict(analyse_tokens(raw_tokens("等了3天")).features)
    assert "w:<num>" in features and "w:3" not in features


def test_stop_words_give_no_unigram_feature() -> None:
    features = dict(analyse_tokens(raw_tokens("the flight is late")).features)
    assert "w:the" not in features and "b:^|the" in features and "w:late" in features


def test_model_version_and_gain_round_trip(model: SentimentModel, tmp_path: Path) -> None:
    from manyi.analytics.text.sentiment import shipped_version
    from manyi.analytics.text.train import MODEL_VERSION

    assert model.version == MODEL_VERSION == shipped_version() and model.non_han_gain > 0
    model.save(tmp_path)
    again = SentimentModel.load(tmp_path)
    assert again.non_han_gain == model.non_han_gain


# --- sentiment-2.1: English lexicon words' unigrams weigh more than other English n-grams ----


def test_lexicon_boost_weights_only_lexicon_unigrams() -> None:
    tokens = raw_tokens("please not good flight")
    plain = dict(analyse_tokens(tokens).features)
    boosted = analyse_tokens(tokens, lexicon_boost=2.0)
    feats = dict(boosted.features)
    assert feats["w:please"] == 2 * plain["w:please"]  # a (VADER-derived) lexicon word
    assert feats["w:NOT_good"] == 2 * plain["w:NOT_good"]  # negated lexicon word too
    assert feats["w:flight"] == plain["w:flight"]  # not a lexicon word
    assert all(feats[k] == v for k, v in plain.items() if k.startswith("b:"))  # bigrams as before
    assert boosted.score == analyse_tokens(tokens).score  # lexicon mass is unchanged


def test_only_english_rows_are_boosted(monkeypatch: pytest.MonkeyPatch) -> None:
    from manyi.analytics.text import sentiment

    texts = ["物流很快，质量很好", "good service, thanks"]
    boosted = sentiment.featurize(texts).matrix
    monkeypatch.setattr(sentiment, "EN_LEXICON_BOOST", 1.0)
    plain = sentiment.featurize(texts).matrix
    assert (boosted[0] != plain[0]).nnz == 0  # Chinese row unchanged
    assert (boosted[1] != plain[1]).nnz > 0  # English row: lexicon unigrams weigh more


def test_english_tweet_politeness_is_not_praise(model: SentimentModel) -> None:
    """Complaints phrased politely stay negative (the n-grams correct the lexicon prior)."""
    assert one(model, "please help, my bag has been lost for three days") < 0


# --- sentiment-2.5: review weights for whole Chinese texts of two clauses or more ----------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="好差很物流，,。 !？\n~…ab", max_size=60))
def test_split_clauses_cuts_at_punctuation_and_spaces(text: str) -> None:
    from manyi.analytics.text.sentiment import split_clauses

    parts = split_clauses(text)
    assert all(len(p) >= 2 for p in parts)
    assert not any(ch in p for p in parts for ch in "，,。!？\n~… ")
    kept = "".join(parts)
    assert all(ch in text for ch in kept)  # nothing invented
    assert split_clauses(" ".join(parts)) == parts  # re-splitting gives the clauses back


def _two_weight_model(phrase: float, review: float) -> SentimentModel:
    from manyi.analytics.text.sentiment import N_DENSE, N_HASHED

    zeros = np.zeros(N_HASHED + N_DENSE)
    return SentimentModel(zeros, phrase, "t", review_coef=zeros.copy(), review_intercept=review)


def test_review_weights_score_only_whole_multi_clause_chinese_texts() -> None:
    model = _two_weight_model(phrase=-2.0, review=2.0)
    texts = ["物流很快，包装很好", "物流很快", "fast delivery, nice box"]
    assert (np.sign(model.score(texts)) == [1, -1, -1]).all()
    assert (model.score(texts, whole=False) < 0).all()  # a clause: phrase weights only
    assert (model.score(texts[:1]) > 0).all()  # the cache keeps the two readings apart


def test_review_weights_round_trip_and_old_files_load(tmp_path: Path) -> None:
    model = _two_weight_model(phrase=-1.0, review=1.5)
    model.save(tmp_path / "both")
    again = SentimentModel.load(tmp_path / "both")
    assert again.review_coef is not None and again.review_intercept == 1.5
    model.review_coef = None
    model.save(tmp_path / "one")
    old = SentimentModel.load(tmp_path / "one")
    assert old.review_coef is None
    assert old.score(["物流很快，包装很好"])[0] < 0


def test_a_mild_complaint_keeps_a_warm_review_positive_and_its_aspect_negative(
    model: SentimentModel,
) -> None:
    from manyi.analytics.text.analyze import analyze

    text = "发货速度快，包装很好，就是价格有点贵"
    frame = analyze([text])
    assert frame.loc[0, "sentiment"] == "positive"
    assert ("price_value", "negative") in frame.loc[0, "aspects"]
    assert model.score(["就是价格有点贵"], whole=False)[0] < -0.5
