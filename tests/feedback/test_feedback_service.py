"""Text analytics stored over feedback: every item analysed once, re-run on a new model version."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text import analyze as text_analyze
from manyi.feedback import service
from manyi.feedback.models import FeedbackAnalysis, FeedbackChannel, FeedbackItem

TEXTS = {
    "a": "包装破损，快递太慢了，非常失望",
    "b": "The staff were friendly and helpful, great service!",
    "c": "服務態度很好，下次還會再來",
    "d": None,
    "e": "客服电话 13800138000 一直打不通，请尽快退款",
}


def _add_items(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        for ref, text in TEXTS.items():
            s.add(
                FeedbackItem(
                    source_ref=ref,
                    channel=FeedbackChannel.SURVEY,
                    received_at=datetime(2026, 1, 1, tzinfo=UTC),
                    text=text,
                )
            )


def _analyses(sessions: sessionmaker[Session]) -> dict[str, FeedbackAnalysis]:
    with sessions() as s:
        rows = s.execute(
            select(FeedbackItem.source_ref, FeedbackAnalysis).join(
                FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id
            )
        ).all()
        s.expunge_all()
    return {ref: analysis for ref, analysis in rows}


def test_analyze_all_stores_results_once(session_factory: sessionmaker[Session]) -> None:
    _add_items(session_factory)
    with session_factory() as s:
        assert service.count_stale(session=s) == 4  # the item without text is not counted
    seen: list[tuple[int, int]] = []
    progress = service.analyze_all(
        sessions=session_factory, batch_size=3, progress=lambda d, t: seen.append((d, t))
    )
    assert progress.analyzed == 4 and seen == [(3, 4), (4, 4)]
    stored = _analyses(session_factory)
    assert set(stored) == {"a", "b", "c", "e"}
    assert stored["a"].sentiment == "negative" and stored["b"].sentiment == "positive"
    assert stored["c"].language == "zh-Hant"
    assert "packaging" in {aspect for aspect, _ in stored["a"].aspects or []}
    assert "13800138000" not in (stored["e"].text_masked or "")
    assert stored["a"].model_version == text_analyze.MODEL_VERSION
    assert service.analyze_all(sessions=session_factory).analyzed == 0  # nothing left to do


def test_new_model_version_reanalyses(session_factory: sessionmaker[Session]) -> None:
    _add_items(session_factory)
    service.analyze_all(sessions=session_factory)
    with session_factory.begin() as s:
        for analysis in s.scalars(select(FeedbackAnalysis)):
            analysis.model_version = "old"
            analysis.sentiment = None
    with session_factory() as s:
        assert service.count_stale(session=s) == 4
    assert service.analyze_all(sessions=session_factory).analyzed == 4
    stored = _analyses(session_factory)
    assert len(stored) == 4 and all(a.sentiment for a in stored.values())
