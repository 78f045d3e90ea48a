"""Insights from the stored text analyses: aspect trends, emerging issues, topics and keywords.

Everything here reads ``feedback_analyses`` (kept current by :mod:`manyi.feedback.service`) in
bulk into a DataFrame and calls the pure analytics in :mod:`manyi.analytics.text`. Nothing is
written. Texts are quoted masked (``text_masked``) unless the caller may see personal data.

Bounds (one request must stay quick): aspect trends and emerging issues read the last
``MONTHS_SHOWN`` months of feedback; topics and keywords read the latest ``MAX_TEXTS`` texts.
Emerging issues also test the discovered topics: they reuse the cached topic model of
:func:`topics` (fitted once per data state) and only predict the topic of older texts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from manyi.analytics.text.aspects import AspectTaxonomy
from manyi.analytics.text.emerging import detect_emerging
from manyi.analytics.text.topics import TopicModel, distinctive_terms
from manyi.errors import InputError
from manyi.feedback import service as feedback_service
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.store.timestamps import naive_utc

MONTHS_SHOWN = 24
MAX_TEXTS = 20_000
PERIODS = {"month": "M", "week": "W", "quarter": "Q"}
KEYWORD_GROUPS = ("month", "channel")
SENTIMENTS = ("negative", "neutral", "positive")
SIGNALS = ("volume", "negative_volume", "negative")
KINDS = ("aspect", "topic")
N_TOPICS = 8
_NEG = ":negative"
# category prefix of topics in the emerging-issue family (aspect keys have no ':')
_TOPIC = "topic:"
_CACHE_SIZE = 24
_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()


def aspect_labels(lang: str, taxonomy: AspectTaxonomy | None = None) -> dict[str, str]:
    """Display names of the aspects in `lang` ("zh" or "en"); default: the retail taxonomy."""
    taxonomy = taxonomy or AspectTaxonomy.builtin("retail")
    return {a.key: (a.label_en if lang == "en" else a.label_zh) for a in taxonomy.aspects}


def check_period(period: str) -> str:
    """Allow-list the period name: month, week or quarter."""
    if period not in PERIODS:
        raise InputError(f"period: must be one of {', '.join(PERIODS)}")
    return period


def _fingerprint(session: Session) -> tuple[Any, ...]:
    """The database and what changes with its analyses: their count and latest analysis time."""
    count, latest = session.execute(
        select(func.count(), func.max(FeedbackAnalysis.analyzed_at)).select_from(FeedbackAnalysis)
    ).one()
    bind = session.get_bind()
    return (str(bind.engine.url), int(count or 0), str(latest))


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """A tiny per-process cache of computed insights (stateless workers each keep their own).

    Keys are ``(view, fingerprint, ...)``; results of an older data state are dropped as soon
    as a newer one is stored, so memory holds one state's frames at most.
    """
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    value = build()
    with _cache_lock:
        for old in [k for k in _cache if k[1] != key[1]]:
            del _cache[old]
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = value
    return value


def load_analyses(
    *, session: Session, months: int | None = MONTHS_SHOWN, latest: int | None = None
) -> pd.DataFrame:
    """Analysed feedback as a DataFrame, newest first: the last `months` months or `latest` rows.

    Columns: id, received_at (UTC, naive), channel, sentiment, sentiment_score, aspects (list
    of aspect keys), negative_aspects (keys mentioned negatively), text, text_masked.
    """
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.received_at,
            FeedbackItem.channel,
            FeedbackItem.text,
            FeedbackAnalysis.sentiment,
            FeedbackAnalysis.sentiment_score,
            FeedbackAnalysis.aspects,
            FeedbackAnalysis.text_masked,
        )
        .join(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
    )
    if months is not None:
        newest = session.scalar(select(func.max(FeedbackItem.received_at)))
        if newest is not None:
            query = query.where(FeedbackItem.received_at >= newest - timedelta(days=31 * months))
    if latest is not None:
        query = query.limit(latest)
    rows = session.execute(query).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "id", "received_at", "channel", "text", "sentiment", "sentiment_score", "pairs",
            "text_masked",
        ],
    )  # fmt: skip
    frame["received_at"] = naive_utc(frame["received_at"])
    pairs = [p if isinstance(p, list) else [] for p in frame["pairs"]]
    frame["aspects"] = [sorted({str(a) for a, _ in p}) for p in pairs]
    frame["negative_aspects"] = [
        sorted({str(a) for a, pol in p if pol == "negative"}) for p in pairs
    ]
    frame["text"] = frame["text"].fillna("")
    frame["text_masked"] = frame["text_masked"].fillna("")
    return frame.drop(columns=["pairs"])


def _frame(session: Session, months: int | None, latest: int | None) -> pd.DataFrame:
    """:func:`load_analyses`, shared by the views of one data state (treat it as read-only)."""
    key = ("frame", _fingerprint(session), months, latest)
    frame: pd.DataFrame = _cached(
        key, lambda: load_analyses(session=session, months=months, latest=latest)
    )
    return frame


def aspect_trend(frame: pd.DataFrame, *, period: str = "month") -> dict[str, Any]:
    """Items mentioning each aspect and the share mentioning it negatively, per period."""
    check_period(period)
    if frame.empty:
        return {"period": period, "periods": [], "totals": [], "aspects": []}
    periods = frame["received_at"].dt.to_period(PERIODS[period])
    index = pd.period_range(periods.min(), periods.max(), freq=PERIODS[period])
    totals = periods.value_counts().reindex(index, fill_value=0)
    long = pd.DataFrame(
        {"period": periods, "aspect": frame["aspects"], "neg": frame["negative_aspects"]}
    )
    mentions = long.explode("aspect").dropna(subset=["aspect"])
    negatives = long.explode("neg").dropna(subset=["neg"])
    counts = mentions.groupby(["aspect", "period"]).size()
    negs = negatives.groupby(["neg", "period"]).size()
    aspects = []
    for key in sorted(mentions["aspect"].unique(), key=lambda k: -int(counts[k].sum())):
        c = counts[key].reindex(index, fill_value=0)
        n = (
            negs[key].reindex(index, fill_value=0)
            if key in negs.index.get_level_values(0)
            else c * 0
        )
        share = [round(float(x) / float(y), 4) if y else None for x, y in zip(n, c, strict=True)]
        aspects.append(
            {
                "aspect": str(key),
                "counts": [int(x) for x in c],
                "negative": [int(x) for x in n],
                "negative_share": share,
                "total": int(c.sum()),
            }
        )
    return {
        "period": period,
        "periods": [str(p) for p in index],
        "totals": [int(x) for x in totals],
        "aspects": aspects,
    }


def emerging_issues(
    frame: pd.DataFrame,
    *,
    period: str = "month",
    baseline: int = 3,
    fdr: float = 0.05,
    show_pii: bool = False,
    flagged_only: bool = True,
) -> list[dict[str, Any]]:
    """Aspects and topics whose mentions, negative mentions or negative share jump.

    Per aspect and period, compared with the `baseline` periods before it: ``volume`` (items
    mentioning the aspect among all items), ``negative_volume`` (items mentioning it negatively
    among all items: the complaints about it) and ``negative`` (the negative share of the items
    mentioning it). When `frame` has a ``topic`` column (the readable label of each text's
    discovered topic, None when it has none; see :func:`with_topics`), every topic is tested
    too: ``volume`` and ``negative`` (negative share within the topic). All tests of one call,
    aspects and topics together, form one family corrected with Benjamini-Hochberg
    (:func:`manyi.analytics.text.emerging.detect_emerging`). Each row says its ``kind``:
    ``"aspect"`` (``aspect`` is the aspect key, ``label`` None) or ``"topic"`` (``aspect``
    None, ``label`` the topic's top terms).
    """
    check_period(period)
    if not 1 <= baseline <= 12:
        raise InputError("baseline: must be between 1 and 12 periods")
    if frame.empty:
        return []
    topics = frame["topic"] if "topic" in frame.columns else pd.Series(None, index=frame.index)
    categories = [
        [
            *aspects,
            *(f"{a}{_NEG}" for a in negative),
            *([f"{_TOPIC}{topic}"] if isinstance(topic, str) and topic else []),
        ]
        for aspects, negative, topic in zip(
            frame["aspects"], frame["negative_aspects"], topics, strict=True
        )
    ]
    data = pd.DataFrame(
        {
            "time": frame["received_at"],
            "category": categories,
            "negative": frame["sentiment"] == "negative",
            "text": frame["text"] if show_pii else frame["text_masked"],
        }
    )
    found = detect_emerging(
        data, time="time", category="category", negative="negative", text="text",
        freq=PERIODS[period], baseline_periods=baseline, fdr=fdr,
    )  # fmt: skip
    category = found["category"].astype(str)
    negative_mentions = ~category.str.startswith(_TOPIC) & category.str.endswith(_NEG)
    found = found[~(negative_mentions & (found["signal"] == "negative"))]  # all-negative: moot
    if flagged_only:
        found = found[found["flagged"]]
    return [_issue(row) for row in found.to_dict("records")]


def with_topics(
    frame: pd.DataFrame,
    model: TopicModel | None = None,
    *,
    known: Mapping[int, int] | None = None,
    n_topics: int = N_TOPICS,
) -> pd.DataFrame:
    """A copy of `frame` with a ``topic`` column: the label of each text's topic, or None.

    `model` is a fitted :class:`TopicModel` (fitted on the masked texts); `known` maps feedback
    ids to the topic the model gave them when it was fitted, so only the other texts are
    predicted. Without a model one is fitted here on the masked texts (fixed random state).
    """
    out = frame.copy()
    texts = out["text_masked"].fillna("").astype(str)
    usable = (texts.str.strip() != "").to_numpy()
    ids: list[int | None] = [None if ok else -1 for ok in usable]
    if model is None:
        scores = (
            out.loc[usable, "sentiment_score"].fillna(0.0).tolist()
            if "sentiment_score" in out.columns
            else [0.0] * int(usable.sum())  # the labels do not need sentiment
        )
        model = _fitted_topic_model(texts[usable].tolist(), scores, n_topics, n_quotes=1)
        if model is None:
            out["topic"] = None
            return out
        for pos, fitted in zip(
            np.flatnonzero(usable).tolist(), model.labels_.tolist(), strict=True
        ):
            ids[pos] = int(fitted)
    elif known:
        ids = [known.get(int(i)) if ids[k] is None else -1 for k, i in enumerate(out["id"])]
    missing = [k for k, topic in enumerate(ids) if topic is None]
    if missing:
        predicted = model.predict(texts.iloc[missing].tolist())
        for k, topic in zip(missing, predicted.tolist(), strict=True):
            ids[k] = int(topic)
    labels = {t.topic_id: t.label for t in model.topics_ if t.size}
    out["topic"] = [labels.get(topic) if topic is not None else None for topic in ids]
    return out


def _fitted_topic_model(
    texts: list[str], scores: list[float], n_topics: int, *, n_quotes: int
) -> TopicModel | None:
    """A topic model fitted on non-empty masked texts, or None when there is nothing to fit
    (fewer than two texts, or no content word at all: emoji-only or stop-word-only texts)."""
    if len(texts) < 2:
        return None
    model = TopicModel(min(n_topics, len(texts)), n_quotes=n_quotes)
    try:
        model.fit(texts, scores)
    except ValueError:
        return None
    return model


def _issue(row: dict[str, Any]) -> dict[str, Any]:
    """One emerging-issue row as plain JSON-able values."""

    def num(value: Any, digits: int = 4) -> float | None:
        return None if value is None or pd.isna(value) else round(float(value), digits)

    category, signal = str(row["category"]), str(row["signal"])
    kind, aspect, label = "aspect", category, None
    if category.startswith(_TOPIC):
        kind, aspect, label = "topic", "", category[len(_TOPIC) :]
    elif category.endswith(_NEG):  # every item counted is negative: its negative share is moot
        aspect, signal = category[: -len(_NEG)], "negative_volume"
        row = {**row, "negative_share": None, "baseline_negative_share": None}
    return {
        "period": str(row["period"]),
        "kind": kind,
        "aspect": aspect or None,
        "label": label,
        "signal": signal,
        "count": int(row["count"]),
        "total": int(row["total"]),
        "share": num(row["share"]),
        "baseline_share": num(row["baseline_share"]),
        "negative_share": num(row["negative_share"]),
        "baseline_negative_share": num(row["baseline_negative_share"]),
        "ratio": num(row["ratio"], 2),
        "p_value": num(row["p_value"], 6),
        "q_value": num(row["q_value"], 6),
        "flagged": bool(row["flagged"]),
        "quotes": [str(q) for q in row["quotes"]],
    }


def status(*, session: Session, taxonomy: AspectTaxonomy | None = None) -> dict[str, Any]:
    """How many items are analysed, how many wait for (re-)analysis, and the model version."""
    analysed = int(session.scalar(select(func.count()).select_from(FeedbackAnalysis)) or 0)
    return {
        "analysed": analysed,
        "stale": feedback_service.count_stale(session=session, taxonomy=taxonomy),
        "model_version": feedback_service.analysis_version(taxonomy),
        "months": MONTHS_SHOWN,
    }


def aspect_summary(*, session: Session, period: str = "month") -> dict[str, Any]:
    """:func:`aspect_trend` over the stored analyses of the last `MONTHS_SHOWN` months."""
    check_period(period)
    key = ("aspects", _fingerprint(session), period)
    return dict(
        _cached(key, lambda: aspect_trend(_frame(session, MONTHS_SHOWN, None), period=period))
    )


def emerging(
    *,
    session: Session,
    period: str = "month",
    baseline: int = 3,
    fdr: float = 0.05,
    show_pii: bool = False,
    flagged_only: bool = True,
) -> list[dict[str, Any]]:
    """:func:`emerging_issues` over the stored analyses of the last `MONTHS_SHOWN` months.

    Aspects and the topics of :func:`topics` (its default model, fitted once per data state
    and shared with that view) are tested in one family.
    """
    check_period(period)
    if not 0 < fdr < 1:
        raise InputError("fdr: must be between 0 and 1")
    key = ("emerging", _fingerprint(session), period, baseline, fdr, show_pii, flagged_only)
    return list(
        _cached(
            key,
            lambda: emerging_issues(
                _topic_frame(session), period=period, baseline=baseline, fdr=fdr,
                show_pii=show_pii, flagged_only=flagged_only,
            ),
        )
    )  # fmt: skip


def warm(session: Session) -> None:
    """Compute what the Insights page shows by default (topic model, aspect trend, emerging
    issues, keywords), so the first view after the server starts does not wait for the topic fit
    (about 3 s on the demo's 9,830 items)."""
    aspect_summary(session=session, period="month")
    for show_pii in (False, True):
        emerging(session=session, show_pii=show_pii)
    for by in KEYWORD_GROUPS:
        keywords(session=session, by=by)


def _topic_frame(session: Session) -> pd.DataFrame:
    """The emerging-issue window with each text's topic (cached per data state)."""

    def build() -> pd.DataFrame:
        frame = _frame(session, MONTHS_SHOWN, None)
        fitted = _topic_fit(session, N_TOPICS, MAX_TEXTS)
        if fitted.model is None or frame.empty:
            return frame
        return with_topics(frame, fitted.model, known=fitted.known)

    framed: pd.DataFrame = _cached(("topic-frame", _fingerprint(session)), build)
    return framed


@dataclass(frozen=True)
class _TopicFit:
    """A fitted topic model of the latest texts (None when there is nothing to fit)."""

    texts_used: int
    rows: list[dict[str, Any]]
    originals: dict[str, str]
    model: TopicModel | None = None
    known: dict[int, int] | None = None  # feedback id -> topic id at fitting


@dataclass(frozen=True)
class TopicResult:
    """Topics of the latest texts, and how many texts they were computed from."""

    texts_used: int
    max_texts: int
    topics: list[dict[str, Any]]


def topics(
    *,
    session: Session,
    n_topics: int = N_TOPICS,
    max_texts: int = MAX_TEXTS,
    show_pii: bool = False,
) -> TopicResult:
    """Topics of the latest `max_texts` analysed texts: label, terms, size, sentiment, quotes.

    The model is fitted on the masked texts (a phone number never becomes a topic term); a
    caller who may see personal data gets the original text of each quote.
    """
    if not 1 <= n_topics <= 20:
        raise InputError("limit: must be between 1 and 20 topics")
    if not 1 <= max_texts <= MAX_TEXTS:
        raise InputError(f"texts: must be between 1 and {MAX_TEXTS}")
    fitted = _topic_fit(session, n_topics, max_texts)
    out = []
    for row in fitted.rows:
        quotes = [fitted.originals.get(q, q) if show_pii else q for q in row["quotes"]]
        out.append({**row, "quotes": quotes})
    return TopicResult(texts_used=fitted.texts_used, max_texts=max_texts, topics=out)


def _topic_fit(session: Session, n_topics: int, max_texts: int) -> _TopicFit:
    """:func:`_fit_topics`, cached per data state (shared by the topics and emerging views)."""
    key = ("topics", _fingerprint(session), n_topics, max_texts)
    fitted: _TopicFit = _cached(key, lambda: _fit_topics(session, n_topics, max_texts))
    return fitted


def _fit_topics(session: Session, n_topics: int, max_texts: int) -> _TopicFit:
    """Fit the topic model on the masked texts: rows, masked-quote -> original, the model."""
    frame = _frame(session, None, max_texts)
    frame = frame[frame["text_masked"].str.strip() != ""]
    scores = frame["sentiment_score"].fillna(0.0).tolist()
    model = _fitted_topic_model(frame["text_masked"].tolist(), scores, n_topics, n_quotes=3)
    if model is None:
        return _TopicFit(len(frame), [], {})
    originals = {
        m.strip()[:300]: t.strip()[:300]
        for m, t in zip(frame["text_masked"], frame["text"], strict=True)
    }
    rows = []
    for t in model.summary().to_dict("records"):
        if not t["size"]:
            continue
        sentiment = t["mean_sentiment"]
        rows.append(
            {
                "topic_id": int(t["topic_id"]),
                "label": str(t["label"]),
                "terms": [str(x) for x in t["terms"]],
                "size": int(t["size"]),
                "share": round(float(t["share"]), 4),
                "mean_sentiment": None if np.isnan(sentiment) else round(float(sentiment), 3),
                "quotes": [str(q) for q in t["quotes"]],
            }
        )
    known = dict(zip(frame["id"].astype(int).tolist(), model.labels_.tolist(), strict=True))
    return _TopicFit(len(frame), rows, originals, model, known)


def keywords(
    *, session: Session, by: str = "month", top_n: int = 8, periods: int = 6,
    max_texts: int = MAX_TEXTS,
) -> list[dict[str, Any]]:  # fmt: skip
    """Distinctive words per month (the last `periods` months) or per channel, latest texts."""
    if by not in KEYWORD_GROUPS:
        raise InputError(f"by: must be one of {', '.join(KEYWORD_GROUPS)}")
    if not 1 <= top_n <= 30:
        raise InputError("top: must be between 1 and 30")
    key = ("keywords", _fingerprint(session), by, top_n, periods, max_texts)
    return list(_cached(key, lambda: _keywords(session, by, top_n, periods, max_texts)))


def _keywords(
    session: Session, by: str, top_n: int, periods: int, max_texts: int
) -> list[dict[str, Any]]:
    """Compute distinctive terms per group (see :func:`keywords`)."""
    frame = _frame(session, None, max_texts)
    if frame.empty:
        return []
    if by == "month":
        groups = frame["received_at"].dt.to_period("M").astype(str)
        keep = groups.isin(sorted(groups.unique())[-periods:])
    else:
        groups = frame["channel"].astype(str)
        keep = pd.Series(True, index=frame.index)
    try:
        table = distinctive_terms(
            frame.loc[keep, "text_masked"].tolist(), groups[keep].tolist(), top_n=top_n
        )
    except ValueError:  # no content word at all
        table = pd.DataFrame(columns=["group", "term", "count", "z"])
    out = []
    for group in sorted(groups[keep].unique()):
        part = table[table["group"] == group]
        terms = [
            {"term": str(r["term"]), "count": int(r["count"]), "z": round(float(r["z"]), 2)}
            for r in part.to_dict("records")
        ]
        out.append(
            {"group": str(group), "size": int((groups[keep] == group).sum()), "terms": terms}
        )
    return out
