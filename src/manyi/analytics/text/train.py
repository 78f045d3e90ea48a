"""Train (and evaluate) the shipped sentiment model from the public data in ``../shared/data``.

Data: ``zh_reviews/online_shopping_9cats.csv`` (Chinese product reviews, 9 categories, 0/1),
``en_tweets/airline_tweets.csv`` (English airline tweets; negative/positive train the model, the
neutral tweets of a held-out split choose the neutral band) and manyi's own lexicon entries as
one-word documents. Each (source, label) group gets equal total weight so the unbalanced tweets
(3.9 negative per positive) do not bias the model. Method: L2 logistic regression (liblinear,
C = 16, compared with 1, 4 and 8 by leave-one-category-out accuracy on the Chinese reviews) on
:func:`manyi.analytics.text.sentiment.featurize` (English rows scaled down there, so English
n-grams are regularised as if C were 2, English lexicon words' unigrams as if C were 8).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from manyi.analytics.text.lexicon import own_lexicon
from manyi.analytics.text.sentiment import (
    DEFAULT_NEUTRAL_BAND,
    EN_LEXICON_BOOST,
    NON_HAN_SCALE,
    SentimentModel,
    featurize,
    label_scores,
)

__all__ = [
    "MODEL_VERSION",
    "TrainingSet",
    "fit_sentiment",
    "load_airline_tweets",
    "load_imdb",
    "load_zh_reviews",
    "train_shipped_model",
]

MODEL_VERSION = "sentiment-2.1"
C_VALUE = 16.0
SEED = 20260101


@dataclass
class TrainingSet:
    """Texts, 0/1 labels and a group name per row (used to balance weights)."""

    texts: list[str]
    labels: np.ndarray
    groups: list[str]


def load_zh_reviews(data_dir: Path) -> pd.DataFrame:
    """Read the Chinese reviews (columns cat, label, review), dropping empty reviews."""
    path = Path(data_dir) / "zh_reviews" / "online_shopping_9cats.csv"
    frame = pd.read_csv(path, dtype={"cat": str, "review": str})
    frame = frame.dropna(subset=["review"])
    frame["review"] = frame["review"].astype(str).str.strip().str.lstrip("\ufeff")
    return frame[frame["review"] != ""].reset_index(drop=True)


def load_airline_tweets(data_dir: Path) -> pd.DataFrame:
    """Read the airline tweets (columns text, airline_sentiment)."""
    path = Path(data_dir) / "en_tweets" / "airline_tweets.csv"
    frame = pd.read_csv(path, usecols=["text", "airline_sentiment"], dtype=str)
    return frame.dropna().reset_index(drop=True)


def load_imdb(data_dir: Path) -> pd.DataFrame:
    """Read the UCI IMDB sentences (text, label) with quoting off."""
    path = Path(data_dir) / "en_reviews" / "imdb_labelled.txt"
    frame = pd.read_csv(
        path, sep="\t", header=None, names=["text", "label"], quoting=csv.QUOTE_NONE, dtype=str
    )
    frame["label"] = frame["label"].astype(int)
    frame["text"] = frame["text"].str.strip()
    return frame


def lexicon_documents() -> TrainingSet:
    """Each entry of manyi's own lexicon as a one-word document labelled by its sign."""
    items = [(w, int(v > 0)) for w, v in own_lexicon().items() if v != 0]
    return TrainingSet(
        [w for w, _ in items], np.array([y for _, y in items]), ["lexicon"] * len(items)
    )


def combine(*parts: TrainingSet) -> TrainingSet:
    """Concatenate training sets."""
    return TrainingSet(
        [t for p in parts for t in p.texts],
        np.concatenate([p.labels for p in parts]),
        [g for p in parts for g in p.groups],
    )


def balanced_weights(labels: np.ndarray, groups: list[str]) -> np.ndarray:
    """Weights giving every (group, label) cell the same total, scaled to mean 1."""
    keys = pd.Series([f"{g}|{y}" for g, y in zip(groups, labels, strict=True)])
    counts = keys.map(keys.value_counts()).to_numpy(dtype=float)
    weights = 1.0 / counts
    return weights * len(weights) / weights.sum()


def fit_sentiment(
    train: TrainingSet, *, version: str = MODEL_VERSION, c_value: float = C_VALUE
) -> SentimentModel:
    """Fit the logistic model on a training set and return a :class:`SentimentModel`."""
    features = featurize(train.texts)
    return fit_features(features.matrix, train.labels, train.groups, version, c_value)


def fit_features(
    matrix: sp.csr_matrix,
    labels: np.ndarray,
    groups: list[str],
    version: str = MODEL_VERSION,
    c_value: float = C_VALUE,
) -> SentimentModel:
    """Fit on an already featurised matrix (lets evaluation reuse features across folds)."""
    clf = LogisticRegression(C=c_value, solver="liblinear", max_iter=200, random_state=0)
    clf.fit(matrix, labels, sample_weight=balanced_weights(labels, groups))
    return SentimentModel(clf.coef_.ravel().copy(), float(clf.intercept_[0]), version)


def fit_non_han_gain(model: SentimentModel, texts: list[str], positive: np.ndarray) -> float:
    """Pick the logit gain for non-Chinese texts that minimises log-loss on held-out tweets."""
    model.non_han_gain = 1.0
    margin = np.arctanh(np.clip(model.score(texts), -0.999999, 0.999999)) * 2.0
    sign = np.where(positive, 1.0, -1.0)
    grid = np.round(np.arange(0.5, 8.01, 0.25), 2)
    losses = [float(np.mean(np.logaddexp(0.0, -sign * margin * g))) for g in grid]
    model.clear_cache()
    return float(grid[int(np.argmin(losses))])


def choose_neutral_band(model: SentimentModel, texts: list[str], sentiments: list[str]) -> float:
    """Pick the neutral band that maximises 3-class accuracy on held-out labelled tweets."""
    scores = model.score(texts)
    truth = np.asarray(sentiments)
    best, best_acc = DEFAULT_NEUTRAL_BAND, -1.0
    for band in np.arange(0.05, 0.80, 0.05):
        acc = float(np.mean(np.asarray(label_scores(scores, float(band))) == truth))
        if acc > best_acc:
            best, best_acc = round(float(band), 2), acc
    return best


def train_shipped_model(data_dir: Path, output: Path) -> SentimentModel:
    """Reproduce the shipped model: fit, measure on held-out data, save to `output`."""
    rng = np.random.default_rng(SEED)
    zh = load_zh_reviews(data_dir)
    tweets = load_airline_tweets(data_dir)
    zh_test = rng.random(len(zh)) < 0.1
    tw_test = rng.random(len(tweets)) < 0.2
    polar = tweets["airline_sentiment"] != "neutral"
    tw_train = tweets[~tw_test & polar]
    zh_train = zh[~zh_test]
    train = combine(
        TrainingSet(
            zh_train["review"].tolist(), zh_train["label"].to_numpy(), ["zh"] * len(zh_train)
        ),
        TrainingSet(
            tw_train["text"].tolist(),
            (tw_train["airline_sentiment"] == "positive").to_numpy().astype(int),
            ["en"] * len(tw_train),
        ),
        lexicon_documents(),
    )
    model = fit_sentiment(train)
    held_tw = tweets[tw_test]
    held_polar = held_tw[held_tw["airline_sentiment"] != "neutral"]
    model.non_han_gain = fit_non_han_gain(
        model,
        held_polar["text"].tolist(),
        (held_polar["airline_sentiment"] == "positive").to_numpy(),
    )
    model.neutral_band = choose_neutral_band(
        model, held_tw["text"].tolist(), held_tw["airline_sentiment"].tolist()
    )
    zh_held = zh[zh_test]
    zh_acc = float(
        np.mean((model.score(zh_held["review"].tolist()) > 0) == (zh_held["label"] == 1))
    )
    tw_acc = float(
        np.mean(
            (model.score(held_polar["text"].tolist()) > 0)
            == (held_polar["airline_sentiment"] == "positive")
        )
    )
    three = np.mean(
        np.asarray(model.predict(held_tw["text"].tolist())) == held_tw["airline_sentiment"]
    )
    imdb = load_imdb(data_dir)
    imdb_acc = float(np.mean((model.score(imdb["text"].tolist()) > 0) == (imdb["label"] == 1)))
    model.metadata = {
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": f"L2 logistic regression (liblinear, C={C_VALUE:g}) on hashed words/bigrams with "
        "negation scope, contrast weighting, Chinese char 2-3-grams "
        f"(English rows x{NON_HAN_SCALE:g}, English lexicon-word unigrams x{EN_LEXICON_BOOST:g}), plus "
        "lexicon features per language (manyi's lexicon; English also VADER-derived words)",
        "training_rows": {
            "zh_reviews": len(zh_train),
            "airline_tweets": len(tw_train),
            "lexicon": len(lexicon_documents().texts),
        },
        "held_out": {
            "zh_reviews_random_10pct_accuracy": round(zh_acc, 4),
            "airline_tweets_20pct_binary_accuracy": round(tw_acc, 4),
            "airline_tweets_20pct_3class_accuracy": round(float(three), 4),
            "imdb_sentences_unseen_domain_accuracy": round(imdb_acc, 4),
        },
    }
    model.save(output)
    return model
