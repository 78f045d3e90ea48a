"""Feedback services: run the text analytics over stored feedback and keep the results current."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text import analyze as text_analyze
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem


@dataclass(frozen=True)
class AnalysisProgress:
    """How far a run of `analyze_all` got."""

    analyzed: int
    remaining: int
    model_version: str


def _stale(model_version: str) -> Select[int, str | None]:
    """Feedback with text whose analysis is missing or from another model version."""
    return (
        select(FeedbackItem.id, FeedbackItem.text)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.text.is_not(None))
        .where(
            or_(
                FeedbackAnalysis.feedback_id.is_(None),
                FeedbackAnalysis.model_version != model_version,
            )
        )
        .order_by(FeedbackItem.id)
    )


def count_stale(*, session: Session, model_version: str | None = None) -> int:
    """How many feedback items still need (re-)analysis with the current model."""
    version = model_version or text_analyze.MODEL_VERSION
    return session.scalar(select(func.count()).select_from(_stale(version).subquery())) or 0


def analyze_batch(*, session: Session, limit: int = 2000) -> int:
    """Analyse up to `limit` stale feedback items and store the results; returns how many."""
    version = text_analyze.MODEL_VERSION
    rows = session.execute(_stale(version).limit(limit)).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    result = text_analyze.analyze([row.text or "" for row in rows])
    existing = {
        a.feedback_id: a
        for a in session.scalars(
            select(FeedbackAnalysis).where(FeedbackAnalysis.feedback_id.in_(ids))
        )
    }
    for feedback_id, rec in zip(ids, result.to_dict("records"), strict=True):
        values = {
            "language": rec["language"],
            "sentiment": rec["sentiment"],
            "sentiment_score": float(rec["sentiment_score"]),
            "types": list(rec["types"]),
            "aspects": [list(pair) for pair in rec["aspects"]],
            "text_masked": rec["text_masked"],
            "model_version": version,
        }
        analysis = existing.get(feedback_id)
        if analysis is None:
            session.add(FeedbackAnalysis(feedback_id=feedback_id, **values))
        else:
            for key, value in values.items():
                setattr(analysis, key, value)
    session.flush()
    return len(ids)


def analyze_all(
    *,
    sessions: sessionmaker[Session],
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> AnalysisProgress:
    """Analyse every stale feedback item, one committed transaction per batch."""
    with sessions() as session:
        total = count_stale(session=session)
    done = 0
    while True:
        with sessions.begin() as session:
            n = analyze_batch(session=session, limit=batch_size)
        if n == 0:
            break
        done += n
        if progress:
            progress(done, total)
    return AnalysisProgress(analyzed=done, remaining=0, model_version=text_analyze.MODEL_VERSION)
