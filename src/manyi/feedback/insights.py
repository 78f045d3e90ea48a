"""Insights from the stored text analyses: aspect trends, emerging issues, topics and keywords.

Everything here reads ``feedback_analyses`` (kept current by :mod:`manyi.feedback.service`) in
bulk into a DataFrame and calls the pure analytics in :mod:`manyi.analytics.text`. Nothing is
written. Texts are quoted masked (``text_masked``) unless the caller may see personal data.

Bounds (one request must stay quick): aspect trends and emerging issues read the last
``MONTHS_SHOWN`` months of feedback; topics and keywords read the latest ``MAX_TEXTS`` texts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
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
_NEG = ":negative"
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
    """Aspects whose mentions, negative mentions or negative share jump against a baseline.

    Three signals per aspect and period, compared with the `baseline` periods before it:
    ``volume`` (items mentioning the aspect among all items), ``negative_volume`` (items
    mentioning it negatively among all items: the complaints about it) and ``negative`` (the
    negative share of the items mentioning it). All tests of one call form one family,
    corrected with Benjamini-Hochberg (:func:`manyi.analytics.text.emerging.detect_emerging`).
    """
    check_period(period)
    if not 1 <= baseline <= 12:
        raise InputError("baseline: must be between 1 and 12 periods")
    if frame.empty:
        return []
    categories = [
        [*aspects, *(f"{a}{_NEG}" for a in negative)]
        for aspects, negative in zip(frame["aspects"], frame["negative_aspects"], strict=True)
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
    negative_mentions = found["category"].astype(str).str.endswith(_NEG)
    found = found[~(negative_mentions & (found["signal"] == "negative"))]  # all-negative: moot
    if flagged_only:
        found = found[found["flagged"]]
    return [_issue(row) for row in found.to_dict("records")]


def _issue(row: dict[str, Any]) -> dict[str, Any]:
    """One emerging-issue row as plain JSON-able values."""

    def num(value: Any, digits: int = 4) -> float | None:
        return None if value is None or pd.isna(value) else round(float(value), digits)

    category, signal = str(row["category"]), str(row["signal"])
    if category.endswith(_NEG):  # every item counted is negative: its negative share says nothing
        category, signal = category[: -len(_NEG)], "negative_volume"
        row = {**row, "negative_share": None, "baseline_negative_share": None}
    return {
        "period": str(row["period"]),
        "aspect": category,
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
    """:func:`emerging_issues` over the stored analyses of the last `MONTHS_SHOWN` months."""
    check_period(period)
    if not 0 < fdr < 1:
        raise InputError("fdr: must be between 0 and 1")
    key = ("emerging", _fingerprint(session), period, baseline, fdr, show_pii, flagged_only)
    return list(
        _cached(
            key,
            lambda: emerging_issues(
                _frame(session, MONTHS_SHOWN, None), period=period, baseline=baseline, fdr=fdr,
                show_pii=show_pii, flagged_only=flagged_only,
            ),
        )
    )  # fmt: skip


@dataclass(frozen=True)
class TopicResult:
    """Topics of the latest texts, and how many texts they were computed from."""

    texts_used: int
    max_texts: int
    topics: list[dict[str, Any]]


def topics(
    *, session: Session, n_topics: int = 8, max_texts: int = MAX_TEXTS, show_pii: bool = False
) -> TopicResult:
    """Topics of the latest `max_texts` analysed texts: label, terms, size, sentiment, quotes.

    The model is fitted on the masked texts (a phone number never becomes a topic term); a
    caller who may see personal data gets the original text of each quote.
    """
    if not 1 <= n_topics <= 20:
        raise InputError("limit: must be between 1 and 20 topics")
    if not 1 <= max_texts <= MAX_TEXTS:
        raise InputError(f"texts: must be between 1 and {MAX_TEXTS}")
    key = ("topics", _fingerprint(session), n_topics, max_texts)
    fitted = _cached(key, lambda: _fit_topics(session, n_topics, max_texts))
    used, rows, originals = fitted
    out = []
    for row in rows:
        quotes = [originals.get(q, q) if show_pii else q for q in row["quotes"]]
        out.append({**row, "quotes": quotes})
    return TopicResult(texts_used=used, max_texts=max_texts, topics=out)


def _fit_topics(
    session: Session, n_topics: int, max_texts: int
) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
    """Fit the topic model; returns texts used, topic rows and masked-quote -> original text."""
    frame = _frame(session, None, max_texts)
    frame = frame[frame["text_masked"].str.strip() != ""]
    if len(frame) < 2:
        return len(frame), [], {}
    model = TopicModel(min(n_topics, len(frame)), n_quotes=3)
    try:
        model.fit(frame["text_masked"].tolist(), frame["sentiment_score"].fillna(0.0).to_numpy())
    except ValueError:  # no content word at all (emoji-only or stop-word-only texts)
        return len(frame), [], {}
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
    return len(frame), rows, originals


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
