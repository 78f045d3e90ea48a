"""`manyi import feedback` analyses what it imports; `manyi text reanalyze [--all]`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from manyi.analytics.text import analyze as text_analyze
from manyi.cli.main import app
from manyi.feedback.models import FeedbackAnalysis
from manyi.store.engine import make_engine, make_session_factory

runner = CliRunner()


def _write(path: Path) -> Path:
    rows = [["评论", "时间", "渠道"]]
    rows += [
        ["包装破损，快递太慢了", "2026-03-01", "review"],
        ["<script>alert(1)</script> 客服很好", "2026-03-02", "email"],
        ["=cmd|' /C calc'!A0", "2026-03-03", "email"],
        ["Great service, thanks!", "2026-03-04", "social"],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _versions(db_url: str) -> list[tuple[str, int]]:
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as s:
            rows = s.execute(
                select(FeedbackAnalysis.model_version, func.count()).group_by(
                    FeedbackAnalysis.model_version
                )
            ).all()
            return [(v, int(n)) for v, n in rows]
    finally:
        engine.dispose()


def test_import_feedback_analyses_and_reimport_adds_nothing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    path = _write(tmp_path / "fb.csv")
    args = ["import", "feedback", str(path), "--quarantine-dir", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "imported 4" in result.output
    assert "text analysis: 4 items analysed" in result.output
    assert _versions(db_url) == [(text_analyze.MODEL_VERSION, 4)]
    again = runner.invoke(app, [*args, "--json"])
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["imported"] == 0 and data["analysis"]["analyzed"] == 0
    assert data["analysis"]["model_version"] == text_analyze.MODEL_VERSION
    orders = tmp_path / "o.csv"
    orders.write_text("order_no,ordered_at,amount\nA1,2026-01-01,10\n", encoding="utf-8")
    other = runner.invoke(app, ["import", "orders", str(orders), "--json"])
    assert other.exit_code == 0 and "analysis" not in json.loads(other.stdout)


def test_reanalyze_stale_then_all(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    path = _write(tmp_path / "fb.csv")
    assert runner.invoke(app, ["import", "feedback", str(path)]).exit_code == 0
    engine = make_engine(db_url)
    with make_session_factory(engine).begin() as s:
        s.execute(
            update(FeedbackAnalysis)
            .where(FeedbackAnalysis.feedback_id <= 2)
            .values(model_version="old-model")
        )
    engine.dispose()
    stale = runner.invoke(app, ["text", "reanalyze", "--json"])
    assert stale.exit_code == 0, stale.output
    assert json.loads(stale.stdout)["analyzed"] == 2
    assert _versions(db_url) == [(text_analyze.MODEL_VERSION, 4)]
    nothing = runner.invoke(app, ["text", "reanalyze"])
    assert nothing.exit_code == 0 and "analysed 0 feedback items" in nothing.output
    everything = runner.invoke(app, ["text", "reanalyze", "--all", "--batch-size", "3", "--json"])
    assert everything.exit_code == 0, everything.output
    assert json.loads(everything.stdout)["analyzed"] == 4
    assert runner.invoke(app, ["text", "reanalyze", "--batch-size", "0"]).exit_code == 2
