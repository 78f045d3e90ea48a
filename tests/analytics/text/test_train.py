"""Tests for manyi.analytics.text.train: how the sentiment fit weighs rows and scales columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.text.sentiment import N_DENSE, N_HASHED, featurize
from manyi.analytics.text.train import (
    HAN_COLUMN,
    Clauses,
    TrainingSet,
    balanced_weights,
    fit_features,
    fit_sentiment,
    lexicon_documents,
    nb_scale,
    review_clauses,
)

GROUPS = ["zh:书籍", "zh:手机", "zh:水果", "en", "lexicon:zh", "lexicon:en"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GROUPS), st.integers(0, 1)), min_size=1, max_size=120))
def test_every_source_and_label_weighs_the_same_and_parts_share_it_equally(
    rows: list[tuple[str, int]],
) -> None:
    groups = [g for g, _ in rows]
    labels = np.array([y for _, y in rows])
    weights = balanced_weights(labels, groups)
    assert weights.mean() == pytest.approx(1.0) and (weights > 0).all()
    frame = pd.DataFrame({"group": groups, "label": labels, "w": weights})
    frame["source"] = frame["group"].str.split(":").str[0]
    totals = frame.groupby(["source", "label"])["w"].sum()
    assert np.allclose(totals, totals.iloc[0])
    for _, cell in frame.groupby(["source", "label"]):
        parts = cell.groupby("group")["w"].sum()
        assert np.allclose(parts, parts.iloc[0])


def test_splitting_reviews_by_category_keeps_chinese_against_english() -> None:
    labels = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    whole = balanced_weights(labels, ["zh"] * 6 + ["en"] * 2)
    split = balanced_weights(labels, ["zh:a"] * 2 + ["zh:b"] * 4 + ["en"] * 2)
    assert whole[6:].sum() == pytest.approx(split[6:].sum())
    assert split[:2].sum() == pytest.approx(split[2:6].sum())  # categories weigh the same


def _matrix(entries: list[tuple[int, int]], n_rows: int) -> sp.csr_matrix:
    rows, cols = zip(*entries, strict=True)
    return sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n_rows, N_HASHED + N_DENSE), dtype=float
    )


def test_nb_scale_frees_one_sided_chinese_features_and_leaves_english_alone() -> None:
    chinese = [(r, HAN_COLUMN) for r in range(4)]
    one_sided = [(0, 10), (1, 10)]  # only in positive Chinese rows
    two_sided = [(0, 11), (2, 11)]  # one positive, one negative Chinese row
    english = [(4, 12), (5, 12), (4, 13)]  # rows 4-5 have no Chinese flag
    matrix = _matrix(chinese + one_sided + two_sided + english, 6)
    scale = nb_scale(matrix, np.array([1, 1, 0, 0, 1, 0]), np.ones(6))
    assert scale[10] > 1.0 > scale[11]
    assert scale[11] < 0.05
    assert scale[12] == scale[13] == 1.0
    assert (scale[N_HASHED:] == 1.0).all()  # the dense lexicon block is never rescaled
    assert scale[20] < 0.01  # a feature no row uses is held at zero


def test_fitted_weights_carry_the_scale_so_scoring_needs_only_features() -> None:
    texts = ["质量很好，非常满意", "做工粗糙，很失望", "物流快，好评", "太差了，不推荐"]
    texts += ["great service, thank you", "terrible delay, awful staff"]
    labels = np.array([1, 0, 1, 0, 1, 0] * 4)
    groups = ["zh:a", "zh:a", "zh:b", "zh:b", "en", "en"] * 4
    features = featurize(texts * 4)
    model = fit_features(features.matrix, labels, groups)
    assert ((model.score_features(features) > 0) == (labels == 1)).all()
    unused = np.asarray(features.matrix.sum(axis=0)).ravel()[:N_HASHED] == 0
    assert np.abs(model.coef[:N_HASHED][unused]).max() < 1e-6


def test_lexicon_documents_are_split_by_language() -> None:
    docs = lexicon_documents()
    counts = pd.Series(docs.groups).value_counts()
    assert set(counts.index) == {"lexicon:zh", "lexicon:en"}
    assert counts["lexicon:zh"] > 3000 and counts["lexicon:en"] > 400


def test_review_clauses_come_from_multi_clause_texts_only() -> None:
    clauses, owner = review_clauses(["好评", "物流很快，包装很好 客服耐心", "", "还行。就是贵"])
    assert clauses == ["物流很快", "包装很好", "客服耐心", "还行", "就是贵"]
    assert owner.tolist() == [1, 1, 1, 3, 3]


def test_clause_rows_weigh_together_as_much_as_their_review() -> None:
    texts = ["质量很好，非常满意", "做工粗糙，很失望"] * 3
    labels = np.array([1, 0] * 3)
    groups = ["zh:a"] * 6
    base = featurize(texts)
    clause_texts, owner = review_clauses(texts)
    clauses = Clauses(featurize(clause_texts).matrix, owner)
    plain = fit_features(base.matrix, labels, groups)
    doubled = fit_features(base.matrix, labels, groups, clauses=clauses)
    # the clause rows add evidence, so the same texts are scored more confidently
    assert (np.abs(doubled.score_features(base)) > np.abs(plain.score_features(base))).all()
    empty = Clauses(clauses.matrix[:0], owner[:0])
    same = fit_features(base.matrix, labels, groups, clauses=empty)
    assert np.array_equal(same.coef, plain.coef)


def test_fit_sentiment_fits_phrase_and_review_weights() -> None:
    texts = ["质量很好，非常满意", "做工粗糙，很失望", "great, thanks", "awful delay"] * 3
    labels = np.array([1, 0, 1, 0] * 3)
    model = fit_sentiment(TrainingSet(texts, labels, ["zh:a", "zh:a", "en", "en"] * 3))
    assert model.review_coef is not None
    assert not np.array_equal(model.review_coef, model.coef)
    assert ((model.score(texts) > 0) == (labels == 1)).all()
