"""Topic discovery on a synthetic two-theme corpus, keywords per group, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from manyi.analytics.text.topics import (
    TopicModel,
    discover_topics,
    distinctive_terms,
    tokenize_for_topics,
)

_RNG = np.random.default_rng(0)
_DELIVERY = ["快递", "物流", "配送", "送货", "发货"]
_SCREEN = ["屏幕", "像素", "显示", "亮度", "色彩"]
_FILLER = ["今天", "东西", "朋友", "晚上"]


def _corpus() -> tuple[list[str], np.ndarray]:
    texts, truth = [], []
    for i in range(200):
        words = _DELIVERY if i % 2 == 0 else _SCREEN
        pick = list(_RNG.choice(words, 3, replace=False)) + list(_RNG.choice(_FILLER, 1))
        texts.append("，".join(pick))
        truth.append(i % 2)
    return texts, np.array(truth)


def test_two_clear_themes_recovered() -> None:
    texts, truth = _corpus()
    model = TopicModel(2, random_state=0).fit(texts, scores=np.where(truth == 0, -0.5, 0.5))
    labels = model.labels_
    agree = max(np.mean(labels == truth), np.mean(labels == 1 - truth))
    assert agree > 0.95
    by_theme = {t.topic_id: set(t.terms[:5]) for t in model.topics_}
    assert any(s <= set(_DELIVERY) for s in by_theme.values())
    assert any(s <= set(_SCREEN) for s in by_theme.values())
    sizes = sorted(t.size for t in model.topics_)
    assert sizes == [100, 100]
    for t in model.topics_:
        assert len(t.quotes) == 3
        assert t.mean_sentiment in (-0.5, 0.5)
    assert set(model.predict(["快递 物流 配送", "屏幕 像素"])) == {0, 1}


def test_kmeans_and_summary_table() -> None:
    texts, _ = _corpus()
    table = discover_topics(texts, 2, scores=np.zeros(len(texts)), method="kmeans")
    assert list(table.columns[:5]) == ["topic_id", "label", "size", "share", "mean_sentiment"]
    assert table["size"].sum() == len(texts)


def test_distinctive_terms_log_odds() -> None:
    texts, truth = _corpus()
    table = distinctive_terms(texts, ["delivery" if t == 0 else "screen" for t in truth], top_n=3)
    top = table[table["group"] == "delivery"]["term"].tolist()
    assert set(top) <= set(_DELIVERY)
    assert (table["z"] > 1.96).all()


def test_tokenizer_mixed_and_hostile() -> None:
    tokens = tokenize_for_topics("<script>alert(1)</script> 物流很快 @united http://x.co")
    assert "物流" in tokens
    assert not {"script", "united", "http"} & set(tokens)
    assert tokenize_for_topics("") == []
    assert tokenize_for_topics("😀😀") == []
    assert "质量" in tokenize_for_topics("質量很好")


def test_validation() -> None:
    with pytest.raises(ValueError, match="n_topics"):
        TopicModel(5).fit(["a b", "c d"])
    with pytest.raises(ValueError, match="method"):
        TopicModel(1, method="lda").fit(["a b"])
    with pytest.raises(ValueError, match="groups"):
        distinctive_terms(["a"], ["x", "y"])
