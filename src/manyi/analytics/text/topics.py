"""Topic discovery and distinctive keywords in a collection of feedback texts.

Texts are normalised (Traditional -> Simplified, lower case), cut into words (jieba for
Chinese, a regex for Latin script), stop words dropped, weighted by TF-IDF and factorised with
NMF (or clustered with MiniBatchKMeans). Each topic gets a readable label from its top terms,
its size, its mean sentiment and three representative quotes (the texts closest to the topic's
direction). :func:`distinctive_terms` finds the words that set one segment or period apart from
the rest with the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008, "Fightin' Words", section 3.5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from manyi.analytics.text.types import prepare, score_sentiment

__all__ = ["Topic", "TopicModel", "discover_topics", "distinctive_terms", "tokenize_for_topics"]

_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|&amp;|&lt;|&gt;|<[^>]{0,200}>")
_LATIN = re.compile(r"[a-z][a-z0-9']+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_STOP = (
    frozenset(
        [
            "的",
            "了",
            "是",
            "我",
            "也",
            "都",
            "就",
            "在",
            "和",
            "有",
            "很",
            "还",
            "又",
            "这",
            "那",
            "个",
            "不",
            "没",
            "吧",
            "啊",
            "呢",
            "吗",
            "哦",
            "呀",
            "嘛",
            "着",
            "给",
            "被",
            "把",
            "让",
            "我们",
            "你们",
            "他们",
            "自己",
            "一个",
            "这个",
            "那个",
            "什么",
            "没有",
            "就是",
            "还是",
            "但是",
            "因为",
            "所以",
            "如果",
            "而且",
            "可以",
            "已经",
            "非常",
            "比较",
            "感觉",
            "觉得",
            "东西",
            "真的",
            "一下",
            "一点",
            "一样",
            "这样",
            "那样",
            "还有",
            "不是",
            "时候",
            "现在",
            "知道",
            "以后",
            "然后",
            "这么",
            "那么",
            "怎么",
            "这种",
            "一直",
            "不过",
            "其实",
            "虽然",
            "可能",
            "应该",
            "一些",
            "有点",
            "只是",
            "之后",
            "之前",
            "买",
            "用",
            "说",
            "看",
            "会",
            "要",
            "the",
            "and",
            "for",
            "you",
            "your",
            "our",
            "are",
            "was",
            "were",
            "with",
            "this",
            "that",
            "have",
            "has",
            "had",
            "not",
            "but",
            "just",
            "they",
            "them",
            "their",
            "what",
            "when",
            "where",
            "who",
            "why",
            "how",
            "can",
            "could",
            "would",
            "should",
            "will",
            "from",
            "about",
            "into",
            "out",
            "all",
            "any",
            "get",
            "got",
            "been",
            "being",
            "its",
            "it's",
            "i'm",
            "i've",
            "don't",
            "didn't",
            "can't",
            "won't",
            "there",
            "here",
            "than",
            "then",
            "too",
            "very",
            "more",
            "most",
            "some",
            "such",
            "only",
            "also",
            "still",
            "again",
            "even",
            "much",
            "many",
            "one",
            "two",
            "now",
            "just",
            "amp",
            "http",
            "https",
            "www",
            "com",
            "did",
            "does",
            "doing",
            "done",
            "over",
            "under",
            "after",
            "before",
            "off",
            "because",
            "while",
            "which",
        ]
    )
    | ENGLISH_STOP_WORDS
)


@lru_cache(maxsize=1)
def _word_cutter() -> Callable[[str], list[str]]:
    """jieba's cutter (dictionary only, no HMM: faster and steadier on short texts), loaded once."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return lambda text: jieba.lcut(text, HMM=False)


def tokenize_for_topics(text: str) -> list[str]:
    """Content words of one text: jieba words of 2+ characters and Latin words, no stop words."""
    clean = _NOISE.sub(" ", prepare(text))
    if not clean:
        return []
    words = _word_cutter()(clean) if _HAN.search(clean) else _LATIN.findall(clean)
    out = []
    for w in words:
        w = w.strip()
        if len(w) < 2 or w in _STOP or w.isdigit():
            continue
        if w.isascii() and not _LATIN.fullmatch(w):
            continue
        if not w.isascii() and not _HAN.match(w):
            continue
        out.append(w)
    return out


@dataclass
class Topic:
    """One discovered topic: label, top terms, size, share, mean sentiment, quotes."""

    topic_id: int
    label: str
    terms: list[str]
    size: int
    share: float
    mean_sentiment: float
    sentiment_n: int = 0
    quotes: list[str] = field(default_factory=list)


class TopicModel(BaseEstimator):
    """Discover topics with TF-IDF + NMF (default) or MiniBatchKMeans.

    Parameters
    ----------
    n_topics : int
        Number of topics.
    method : {"nmf", "kmeans"}
    max_features, min_df, max_df : vocabulary limits passed to the TF-IDF vectoriser.
    n_terms : int
        Top terms kept per topic (the label uses the first three).
    n_quotes : int
        Representative quotes per topic.
    sentiment_sample : int or None
        When no scores are given, score at most this many texts (a uniform random sample) to
        estimate each topic's mean sentiment; ``sentiment_n`` says how many were scored.
        None scores every text.
    random_state : int

    Attributes
    ----------
    topics_ : list of Topic
    labels_ : ndarray of int, topic of each training text (-1 when the text has no known word)
    components_ : ndarray (n_topics, n_terms) topic-term weights
    """

    def __init__(
        self,
        n_topics: int = 8,
        *,
        method: str = "nmf",
        max_features: int = 20_000,
        min_df: int | float = 2,
        max_df: float = 0.5,
        n_terms: int = 10,
        n_quotes: int = 3,
        sentiment_sample: int | None = 5_000,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.method = method
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.n_terms = n_terms
        self.n_quotes = n_quotes
        self.sentiment_sample = sentiment_sample
        self.random_state = random_state

    def _validate(self, texts: Sequence[str]) -> list[str]:
        """Check hyperparameters and texts once at the boundary."""
        if self.method not in ("nmf", "kmeans"):
            raise ValueError(f"method: expected 'nmf' or 'kmeans', got {self.method!r}")
        if isinstance(texts, str):
            raise ValueError("texts: expected a sequence of strings, got a single str")
        items = [t if isinstance(t, str) else "" for t in texts]
        if not 1 <= self.n_topics <= max(1, len(items)):
            raise ValueError(f"n_topics: must be between 1 and the number of texts ({len(items)})")
        return items

    def fit(self, texts: Sequence[str], scores: Sequence[float] | None = None) -> TopicModel:
        """Learn topics from ``texts`` (``scores``: optional sentiment per text, else computed)."""
        items = self._validate(texts)
        self.vectorizer_ = TfidfVectorizer(
            tokenizer=tokenize_for_topics,
            lowercase=False,
            token_pattern=None,
            max_features=self.max_features,
            min_df=self.min_df if len(items) > 50 else 1,
            max_df=self.max_df if len(items) > 50 else 1.0,
            sublinear_tf=True,
            dtype=np.float32,
        )
        x = self.vectorizer_.fit_transform(items)
        self.components_, weights = self._factorise(x)
        empty = np.asarray(x.sum(axis=1)).ravel() == 0
        labels = np.asarray(weights.argmax(axis=1)).ravel()
        labels[empty] = -1
        self.labels_ = labels
        sc = self._scores(items, scores)
        self.topics_ = self._describe(items, x, sc)
        return self

    def _scores(self, items: list[str], scores: Sequence[float] | None) -> np.ndarray:
        """Sentiment per text: given, or scored on a random sample (NaN for unscored texts)."""
        if scores is not None:
            sc = np.asarray(scores, dtype=float)
            if sc.shape != (len(items),):
                raise ValueError(f"scores: expected {len(items)} values, got shape {sc.shape}")
            return sc
        sc = np.full(len(items), np.nan)
        idx = np.arange(len(items))
        if self.sentiment_sample is not None and len(items) > self.sentiment_sample:
            rng = np.random.default_rng(self.random_state)
            idx = np.sort(rng.choice(len(items), self.sentiment_sample, replace=False))
        sc[idx] = score_sentiment([items[i] for i in idx])
        return sc

    def _factorise(self, x: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Topic-term matrix and document-topic weights."""
        k = min(self.n_topics, x.shape[1]) or 1
        if self.method == "kmeans":
            km = MiniBatchKMeans(
                n_clusters=k, random_state=self.random_state, n_init=3, batch_size=4096
            )
            km.fit(x)
            return np.asarray(km.cluster_centers_), -km.transform(x)
        nmf = NMF(
            n_components=k, init="nndsvda", random_state=self.random_state, max_iter=300, tol=1e-3
        )
        with np.errstate(invalid="ignore"):
            # a near-perfect fit of a tiny corpus rounds the squared error below zero, and
            # scikit-learn's sqrt of it warns; only the unused reconstruction_err_ is affected
            weights = nmf.fit_transform(x)
        return np.asarray(nmf.components_), weights

    def _describe(self, items: list[str], x: sparse.csr_matrix, sc: np.ndarray) -> list[Topic]:
        """Build the Topic records: labels, sizes, sentiment and quotes."""
        vocab = self.vectorizer_.get_feature_names_out()
        n = max(1, len(items))
        topics = []
        for k, row in enumerate(self.components_):
            terms = [str(vocab[i]) for i in np.argsort(row)[::-1][: self.n_terms] if row[i] > 0]
            members = np.flatnonzero(self.labels_ == k)
            scored = sc[members][~np.isnan(sc[members])]
            topics.append(
                Topic(
                    topic_id=k,
                    label=" / ".join(terms[:3]) or f"topic {k}",
                    terms=terms,
                    size=int(members.size),
                    share=members.size / n,
                    mean_sentiment=float(scored.mean()) if scored.size else float("nan"),
                    sentiment_n=int(scored.size),
                    quotes=self._quotes(items, x, members, row),
                )
            )
        return topics

    def _quotes(
        self, items: list[str], x: sparse.csr_matrix, members: np.ndarray, centre: np.ndarray
    ) -> list[str]:
        """The distinct member texts with the highest cosine similarity to the topic centre."""
        if members.size == 0:
            return []
        norm = np.linalg.norm(centre) or 1.0
        sims = np.asarray(x[members] @ (centre / norm)).ravel()
        quotes: list[str] = []
        for i in members[np.argsort(sims)[::-1]]:
            text = items[i].strip()
            if text and text not in quotes:
                quotes.append(text[:300])
            if len(quotes) == self.n_quotes:
                break
        return quotes

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Topic of each new text (-1 when none of its words is in the vocabulary)."""
        check_is_fitted(self, "components_")
        x = self.vectorizer_.transform([t if isinstance(t, str) else "" for t in texts])
        sims = np.asarray(x @ self.components_.T)
        labels = sims.argmax(axis=1)
        labels[np.asarray(x.sum(axis=1)).ravel() == 0] = -1
        return labels

    def summary(self) -> pd.DataFrame:
        """One row per topic, largest first."""
        check_is_fitted(self, "components_")
        rows = [
            {
                "topic_id": t.topic_id,
                "label": t.label,
                "size": t.size,
                "share": t.share,
                "mean_sentiment": t.mean_sentiment,
                "sentiment_n": t.sentiment_n,
                "terms": t.terms,
                "quotes": t.quotes,
            }
            for t in self.topics_
        ]
        return pd.DataFrame(rows).sort_values("size", ascending=False, ignore_index=True)


def discover_topics(
    texts: Sequence[str],
    n_topics: int = 8,
    *,
    scores: Sequence[float] | None = None,
    method: str = "nmf",
    random_state: int = 0,
) -> pd.DataFrame:
    """Fit a :class:`TopicModel` and return its summary table (one row per topic)."""
    model = TopicModel(n_topics, method=method, random_state=random_state)
    return model.fit(texts, scores).summary()


def distinctive_terms(
    texts: Sequence[str],
    groups: Sequence[object],
    *,
    top_n: int = 10,
    prior: float = 0.01,
    min_count: int = 3,
) -> pd.DataFrame:
    """Words most over-represented in each group vs the rest (log-odds, informative prior).

    Parameters
    ----------
    texts : sequence of str
    groups : sequence
        Group of each text (segment, store, period, ...); same length as ``texts``.
    top_n : int
        Terms kept per group.
    prior : float
        Prior mass per unit of overall frequency (alpha_w = prior * overall count of w).
    min_count : int
        Ignore words seen fewer times overall.

    Returns
    -------
    DataFrame with columns group, term, count, z (z-score of the log-odds ratio; > 1.96 is
    significant at 5 % for one word), sorted by group and descending z.
    """
    if isinstance(texts, str) or len(texts) != len(groups):
        raise ValueError("groups: expected one group per text (same length as texts)")
    cv = CountVectorizer(
        tokenizer=tokenize_for_topics, lowercase=False, token_pattern=None, min_df=1
    )
    counts = cv.fit_transform([t if isinstance(t, str) else "" for t in texts]).tocsc()
    total = np.asarray(counts.sum(axis=0)).ravel().astype(float)
    keep = total >= min_count
    vocab = cv.get_feature_names_out()[keep]
    counts, total = counts[:, keep], total[keep]
    alpha = prior * total + 1e-9
    alpha0 = alpha.sum()
    g = pd.Series(list(groups), dtype=object)
    rows = []
    for name in pd.unique(g):
        mask = (g == name).to_numpy()
        yi = np.asarray(counts[mask].sum(axis=0)).ravel()
        yj = total - yi
        ni, nj = yi.sum(), yj.sum()
        delta = np.log((yi + alpha) / (ni + alpha0 - yi - alpha)) - np.log(
            (yj + alpha) / (nj + alpha0 - yj - alpha)
        )
        z = delta / np.sqrt(1.0 / (yi + alpha) + 1.0 / (yj + alpha))
        for i in np.argsort(z)[::-1][:top_n]:
            if yi[i] > 0:
                rows.append({"group": name, "term": str(vocab[i]), "count": int(yi[i]), "z": z[i]})
    return pd.DataFrame(rows, columns=["group", "term", "count", "z"])
