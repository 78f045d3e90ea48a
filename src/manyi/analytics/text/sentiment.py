"""Sentiment of customer text: negative / neutral / positive with a score in [-1, 1].

The shipped model is a logistic regression over hashed features of normalised text:
jieba / English words and word bigrams (words in a negation scope carry a ``NOT_`` prefix,
words before a contrast word count 0.3), Chinese character 2-3-grams, and dense lexicon features
per language (net score, positive and negative share; manyi's own lexicon, plus VADER-derived
words for English texts). It is trained on Chinese product reviews, English airline tweets and
manyi's lexicon entries themselves by
:mod:`manyi.analytics.text.train`; see ``models/MODEL_CARD.md`` for data and held-out accuracy.
Two weight vectors share these features: review weights score whole Chinese texts of two
clauses or more (the author's overall verdict), phrase weights everything else, including the
clauses that aspects are scored on (``score(..., whole=False)``).

``score`` is ``2 * P(positive) - 1``: its sign is the binary polarity. ``predict`` calls a text
neutral when ``|score| < neutral_band`` (0.2 unless the model file says otherwise; the band is
chosen on the neutral tweets held out at training time), or when the text has no words at all.
A text without any lexicon word has its logit halved (``NO_LEXICON_SHRINK``): the model is less
sure of texts whose only evidence is domain vocabulary, and such texts are often neutral.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

from manyi.analytics.text.lexicon import analyse_tokens
from manyi.analytics.text.normalize import normalize
from manyi.analytics.text.tokenize import HAN_CLASS, raw_tokens

__all__ = [
    "LABELS",
    "N_DENSE",
    "SentimentModel",
    "featurize",
    "has_han",
    "label_scores",
    "shipped_version",
    "split_clauses",
]

LABELS = ("negative", "neutral", "positive")
N_HASHED = 2**21
N_DENSE = 7
NON_HAN_SCALE = 0.35  # English n-grams regularised as if C were C_VALUE * 0.35**2 = 2
EN_LEXICON_BOOST = 2.0  # English lexicon words' unigrams: as if C were 8
DEFAULT_NEUTRAL_BAND = 0.2
NO_LEXICON_SHRINK = 0.5
CACHE_SIZE = 200_000
MODEL_DIR = "models"
_HAN = re.compile(HAN_CLASS)
_HANDLES = re.compile(r"@\w+|https?://\S+|www\.\S+")
_CLAUSE_SPLIT = re.compile(r"[。！？!?，,；;～~…\s]+")


@dataclass
class Features:
    """Feature matrix of a batch of texts and which rows had any words."""

    matrix: sp.csr_matrix
    has_words: np.ndarray
    has_lexicon: np.ndarray
    has_han: np.ndarray
    multi_clause: np.ndarray


def split_clauses(text: str) -> list[str]:
    """The clauses of a normalised text: cut at punctuation and spaces, two characters or more."""
    return [c for c in _CLAUSE_SPLIT.split(text) if len(c) >= 2]


def _hasher() -> FeatureHasher:
    """The feature hasher shared by training and scoring."""
    return FeatureHasher(n_features=N_HASHED, input_type="pair", alternate_sign=False)


def has_han(text: str) -> bool:
    """True when the text contains a Chinese character (selects the Chinese feature block)."""
    return _HAN.search(text) is not None


def featurize(texts: Sequence[str], *, normalized: bool = False) -> Features:
    """Turn texts into the model's sparse features (hashed block, then ``N_DENSE`` columns).

    @handles and URLs are removed first (tweets name the airline they complain to; that is no
    sentiment). Hashed rows are L2-normalised, then texts without Chinese characters are
    scaled by ``NON_HAN_SCALE``: with one regularisation constant this regularises the English
    n-grams harder than the Chinese ones, because the only English training data (airline
    tweets) is one narrow domain. In English texts the unigrams of lexicon words weigh
    ``EN_LEXICON_BOOST`` (before normalisation), so the tweets can correct a word's lexicon prior
    ("please", "help" in complaints) more freely than they can teach new domain words. The
    dense block is the lexicon summary (net score, positive share, negative share) once for
    Chinese texts and once for the others, plus a Chinese flag, so each language learns its own
    lexicon weights and bias.
    """
    cleaned = [
        _HANDLES.sub(" ", t if normalized else normalize(t)) if isinstance(t, str) else ""
        for t in texts
    ]
    n = len(cleaned)
    han = np.fromiter((has_han(t) for t in cleaned), bool, n)
    analyses = [
        analyse_tokens(raw_tokens(t), own_only=h, lexicon_boost=1.0 if h else EN_LEXICON_BOOST)
        for t, h in zip(cleaned, han, strict=True)
    ]
    hashed = _hasher().transform(a.features for a in analyses).tocsr()
    norms = np.sqrt(np.asarray(hashed.multiply(hashed).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    han = han.astype(float)
    scale = (han + (1.0 - han) * NON_HAN_SCALE) / norms
    hashed = sp.csr_matrix(sp.diags(scale) @ hashed)
    pos = np.fromiter((a.positive for a in analyses), float, n)
    neg = np.fromiter((a.negative for a in analyses), float, n)
    summary = np.column_stack(
        [np.tanh((pos - neg) / 2), pos / (pos + neg + 1), neg / (pos + neg + 1)]
    )
    dense = np.hstack([summary * han[:, None], summary * (1.0 - han[:, None]), han[:, None]])
    matrix = sp.hstack([hashed, sp.csr_matrix(dense)], format="csr")
    has_words = np.fromiter((a.n_tokens > 0 for a in analyses), bool, n)
    multi = np.fromiter(
        (bool(h) and len(split_clauses(t)) > 1 for t, h in zip(cleaned, han, strict=True)), bool, n
    )
    return Features(matrix, has_words, (pos + neg) > 0, han > 0, multi)


def _shipped_metadata() -> dict[str, Any]:
    """The shipped model's ``sentiment.json`` (version, neutral band, gain, figures)."""
    base = resources.files("manyi.analytics.text").joinpath(MODEL_DIR)
    meta: dict[str, Any] = json.loads(base.joinpath("sentiment.json").read_text("utf-8"))
    return meta


def shipped_version() -> str:
    """Version of the shipped model, read from its JSON without loading the weights (so
    importing the pipeline stays cheap, and ``manyi text train`` runs even beside weights
    of another shape)."""
    return str(_shipped_metadata()["version"])


def label_scores(scores: np.ndarray, neutral_band: float = DEFAULT_NEUTRAL_BAND) -> list[str]:
    """Map scores in [-1, 1] to negative / neutral / positive around a neutral band."""
    idx = np.where(scores <= -neutral_band, 0, np.where(scores >= neutral_band, 2, 1))
    return [LABELS[i] for i in idx]


@dataclass
class SentimentModel:
    """A fitted sentiment model (hashed linear model plus lexicon features).

    Parameters
    ----------
    coef : numpy.ndarray
        Weights, ``N_HASHED + N_DENSE`` long.
    intercept : float
        Bias of the logistic model.
    version : str
        Model version recorded in outputs.
    neutral_band : float
        Scores with absolute value below this are ``neutral``.
    metadata : dict
        Training data, method and held-out figures (written to the JSON file).
    non_han_gain : float
        Multiplies the logit of texts without Chinese characters (> 0, so polarity is kept):
        English rows are scaled down in :func:`featurize`, and this gain, fitted on held-out
        tweets, keeps English confidence calibrated.
    review_coef, review_intercept : numpy.ndarray or None, float
        Weights for whole Chinese texts of two clauses or more, fitted with every training
        review's clauses as extra rows labelled like their review: they judge a review as
        its author's overall verdict (a mild complaint, 就是价格有点贵, does not turn a warm
        review negative). Clauses, single-clause texts and texts without Chinese use ``coef``,
        which reads each phrase's own polarity (aspects need 价格有点贵 to stay negative).
        ``None``: ``coef`` scores everything.

    Examples
    --------
    >>> model = SentimentModel.load()
    >>> model.predict(["物流很快，包装很好", "not good at all"])
    ['positive', 'negative']
    """

    coef: np.ndarray
    intercept: float
    version: str
    neutral_band: float = DEFAULT_NEUTRAL_BAND
    metadata: dict[str, Any] = field(default_factory=dict)
    non_han_gain: float = 1.0
    review_coef: np.ndarray | None = field(default=None, repr=False)
    review_intercept: float = 0.0
    _cache: dict[tuple[str, bool], float] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, directory: str | Path | None = None) -> SentimentModel:
        """Load the shipped model (or one saved by :meth:`save` in `directory`)."""
        if directory is None:
            base = resources.files("manyi.analytics.text").joinpath(MODEL_DIR)
            meta = _shipped_metadata()
            with base.joinpath("sentiment.npz").open("rb") as fh:
                arrays = dict(np.load(fh))
        else:
            path = Path(directory)
            meta = json.loads((path / "sentiment.json").read_text("utf-8"))
            with np.load(path / "sentiment.npz") as loaded:
                arrays = dict(loaded)
        weights = {k: arrays[k].astype(np.float64) for k in ("coef", "review_coef") if k in arrays}
        for name, coef in weights.items():
            if coef.shape != (N_HASHED + N_DENSE,):
                raise ValueError(
                    f"sentiment model: {name} has shape {coef.shape}, expected features"
                )
        review_intercept = float(arrays["review_intercept"][0]) if "review_coef" in arrays else 0.0
        return cls(
            weights["coef"],
            float(arrays["intercept"][0]),
            meta["version"],
            float(meta["neutral_band"]),
            meta,
            float(meta.get("non_han_gain", 1.0)),
            weights.get("review_coef"),
            review_intercept,
        )

    def save(self, directory: str | Path) -> None:
        """Write ``sentiment.npz`` (float32 weights) and ``sentiment.json`` (metadata)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {  # Any: numpy's stub would match a dict to allow_pickle
            "coef": self.coef.astype(np.float32),
            "intercept": np.array([self.intercept], dtype=np.float64),
        }
        if self.review_coef is not None:
            arrays["review_coef"] = self.review_coef.astype(np.float32)
            arrays["review_intercept"] = np.array([self.review_intercept], dtype=np.float64)
        np.savez_compressed(path / "sentiment.npz", **arrays)
        meta = {
            **self.metadata,
            "version": self.version,
            "neutral_band": self.neutral_band,
            "non_han_gain": self.non_han_gain,
        }
        (path / "sentiment.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8"
        )

    def score_features(self, features: Features, *, whole: bool = True) -> np.ndarray:
        """Score pre-computed features: ``2 * P(positive) - 1``, 0 for texts without words.

        ``whole=False`` reads every row as one clause (``coef`` only, no review weights).
        """
        margin = np.asarray(features.matrix @ self.coef + self.intercept, dtype=float)
        reviews = features.multi_clause
        if whole and self.review_coef is not None and reviews.any():
            margin[reviews] = features.matrix[reviews] @ self.review_coef + self.review_intercept
        margin[~features.has_lexicon] *= NO_LEXICON_SHRINK
        margin[~features.has_han] *= self.non_han_gain
        scores = np.tanh(margin / 2.0)
        scores[~features.has_words] = 0.0
        return np.clip(scores, -1.0, 1.0)

    def score(
        self, texts: Sequence[str], *, normalized: bool = False, whole: bool = True
    ) -> np.ndarray:
        """Return one score in [-1, 1] per text (sign = polarity, magnitude = confidence).

        ``whole=False`` scores each text as a clause of a longer text (aspects do), with the
        phrase-level weights only (see ``review_coef``).

        Identical texts (after normalisation and lower-casing, which do not change the
        features) are scored once per batch and remembered in a bounded cache, so the pipeline
        scoring a whole text and then its clauses, or feedback full of "好评", pays once.
        """
        if isinstance(texts, str):
            raise TypeError("score() takes a sequence of texts, not one string")
        keys = [
            ((t if normalized else normalize(t)).lower() if isinstance(t, str) else "", whole)
            for t in texts
        ]
        cache = self._cache
        todo = list(dict.fromkeys(k for k in keys if k not in cache))
        fresh: dict[tuple[str, bool], float] = {}
        if todo:
            features = featurize([text for text, _ in todo], normalized=True)
            fresh = dict(
                zip(todo, self.score_features(features, whole=whole).tolist(), strict=True)
            )
            if len(cache) + len(fresh) > CACHE_SIZE:
                cache.clear()
            cache.update(fresh)
        return np.array([fresh[k] if k in fresh else cache[k] for k in keys], dtype=float)

    def clear_cache(self) -> None:
        """Forget remembered scores (benchmarks call this between timed runs)."""
        self._cache.clear()

    def predict(self, texts: Sequence[str], *, normalized: bool = False) -> list[str]:
        """Return ``negative``, ``neutral`` or ``positive`` per text."""
        return label_scores(self.score(texts, normalized=normalized), self.neutral_band)
