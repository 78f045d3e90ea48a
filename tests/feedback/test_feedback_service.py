"""Text analytics stored over feedback: every item analysed once, re-run on a new model version."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text import analyze as text_analyze
from manyi.errors import InputError
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
    return dict(rows)


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


HOSTILE = [
    "<script>alert(1)</script> 包装破了",
    "=cmd|' /C calc'!A0",
    "zero\u200bwidth\u200d 客服态度很差",
    "😀😀👍",
    "联系我 13800138000，快递太慢了",
]


def _feedback_csv(path: Path, long_text: str = "慢" * 50_000) -> Path:
    """A feedback file with hostile texts, a 50,000-character text and a row without text."""
    rows = [["feedback_id", "text", "received_at", "channel", "rating"]]
    rows += [[f"F{i}", text, "2026-03-01 10:00", "email", "3"] for i, text in enumerate(HOSTILE)]
    rows += [
        ["F-long", long_text, "2026-03-02", "review", "1"],
        ["F-empty", "", "2026-03-03", "chat", "5"],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _analysis_rows(sessions: sessionmaker[Session]) -> list[tuple[int, str, datetime]]:
    with sessions() as s:
        return [
            (fid, version, at)
            for fid, version, at in s.execute(
                select(
                    FeedbackAnalysis.feedback_id,
                    FeedbackAnalysis.model_version,
                    FeedbackAnalysis.analyzed_at,
                ).order_by(FeedbackAnalysis.feedback_id)
            )
        ]


def test_import_with_analysis_stores_once_and_reimport_does_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _feedback_csv(tmp_path / "fb.csv")
    seen: list[tuple[int, int]] = []
    outcome = service.import_with_analysis(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path,
        analysis_progress=lambda d, t: seen.append((d, t)),
    )  # fmt: skip
    assert outcome.report.imported == 7
    assert outcome.analysis is not None and outcome.analysis.analyzed == 6  # not the empty text
    assert seen[-1] == (6, 6) and outcome.analysis.model_version == text_analyze.MODEL_VERSION
    first = _analysis_rows(session_factory)
    assert len(first) == 6 and {v for _, v, _ in first} == {text_analyze.MODEL_VERSION}
    with session_factory() as s:
        masked: dict[str, str] = dict(
            s.execute(
                select(
                    FeedbackItem.source_ref, func.coalesce(FeedbackAnalysis.text_masked, "")
                ).join(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
            ).all()
        )
    assert masked["F0"] == HOSTILE[0]  # stored as plain data, never rewritten
    assert "13800138000" not in masked["F4"] and "138****8000" in masked["F4"]
    again = service.import_with_analysis(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path
    )
    assert again.report.imported == 0 and again.analysis is not None
    assert again.analysis.analyzed == 0
    assert _analysis_rows(session_factory) == first  # nothing re-analysed


def test_import_of_other_kinds_runs_no_analysis(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("customer_id,name\nK1,Anna\n", encoding="utf-8")
    outcome = service.import_with_analysis(sessions=session_factory, kind="customers", path=path)
    assert outcome.report.imported == 1 and outcome.analysis is None


def test_everything_reanalyses_all_and_max_items_caps(
    session_factory: sessionmaker[Session],
) -> None:
    _add_items(session_factory)
    capped = service.analyze_all(sessions=session_factory, max_items=3, batch_size=2)
    assert (capped.analyzed, capped.remaining) == (3, 1)
    rest = service.analyze_all(sessions=session_factory)
    assert (rest.analyzed, rest.remaining) == (1, 0)
    before = {a.feedback_id: a.sentiment for a in _analyses(session_factory).values()}
    full = service.analyze_all(sessions=session_factory, everything=True, batch_size=3)
    assert (full.analyzed, full.remaining) == (4, 0)
    stored = _analyses(session_factory)
    assert len(stored) == 4 and {a.feedback_id: a.sentiment for a in stored.values()} == before
    with pytest.raises(InputError):
        service.analyze_all(sessions=session_factory, batch_size=0)


def test_business_taxonomy_is_stored_and_switching_it_reanalyses(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add_items(session_factory)
    service.analyze_all(sessions=session_factory)  # the default retail taxonomy
    spec = tmp_path / "shop.toml"
    spec.write_text(
        'name = "shop"\n[aspects.parcel]\nlabel_zh = "包裹"\nkeywords = ["包装", "快递"]\n',
        encoding="utf-8",
    )
    shop = service.load_taxonomy(str(spec))
    version = service.analysis_version(shop)
    assert version.startswith(text_analyze.MODEL_VERSION + "+shop-")
    with session_factory() as s:
        assert service.count_stale(session=s, taxonomy=shop) == 4
    assert service.analyze_all(sessions=session_factory, taxonomy=shop).analyzed == 4
    stored = _analyses(session_factory)
    assert {a for a, _ in stored["a"].aspects or []} == {"parcel"}
    assert {a.model_version for a in stored.values()} == {version}
    assert service.analyze_all(sessions=session_factory, taxonomy=shop).analyzed == 0


def test_load_taxonomy_names_the_problem(tmp_path: Path) -> None:
    assert service.load_taxonomy("bank").name == "bank"
    assert service.analysis_version(service.load_taxonomy("retail")) == text_analyze.MODEL_VERSION
    with pytest.raises(InputError, match="neither a built-in"):
        service.load_taxonomy(str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"aspects": {"x": {"keywords": []}}}', encoding="utf-8")
    with pytest.raises(InputError, match="keywords"):
        service.load_taxonomy(str(broken))
