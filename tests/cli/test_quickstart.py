"""`manyi quickstart --no-serve`: demo data, analysis and an admin login, idempotent on re-run."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from manyi.cli.context import open_database
from manyi.cli.main import app
from manyi.config import load_settings
from manyi.customer.models import Customer
from manyi.errors import AuthenticationError
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.scoring.models import CustomerScore
from manyi.segment.models import SegmentSnapshot
from manyi.staff import service as staff_service

runner = CliRunner()


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run quickstart without the server; returns the printed password."""
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MANYI_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["quickstart", "--no-serve", "--customers", "120"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output
    found = re.search(r"admin\s+/\s+(\S+)", result.output)
    assert found, result.output
    return found.group(1)


def _counts() -> tuple[int, ...]:
    """Customers, feedback with text, analyses, segment snapshots and scores in the database."""
    database = open_database(load_settings())
    with database.sessions() as s:
        counts = tuple(
            s.scalar(query) or 0
            for query in (
                select(func.count()).select_from(Customer),
                select(func.count()).where(FeedbackItem.text.is_not(None)),
                select(func.count()).select_from(FeedbackAnalysis),
                select(func.count()).select_from(SegmentSnapshot),
                select(func.count()).select_from(CustomerScore),
            )
        )
    database.engine.dispose()
    return counts


def _can_log_in(password: str) -> bool:
    """Whether admin/password authenticates against the configured database."""
    database = open_database(load_settings())
    try:
        with database.sessions.begin() as s:
            staff_service.authenticate(session=s, username="admin", password=password, address="t")
        return True
    except AuthenticationError:
        return False
    finally:
        database.engine.dispose()


def test_quickstart_loads_analyses_and_prints_a_working_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _run(tmp_path, monkeypatch)
    counts = _counts()
    customers, texts, analyses, snapshots, scores = counts
    assert customers == 120 and texts > 50 and analyses == texts
    assert snapshots >= 6  # rfm, tier, lifecycle (and clusters) at two days a quarter apart
    assert scores > 0
    assert _can_log_in(first)

    second = _run(tmp_path, monkeypatch)
    assert _counts() == counts  # nothing loaded or computed twice
    assert second != first and _can_log_in(second) and not _can_log_in(first)


def test_quickstart_refuses_a_busy_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["quickstart", "--port", str(port)])
    assert result.exit_code != 0
    assert "--port" in result.output
    assert not (tmp_path / "data" / "manyi.db").exists()  # failed before touching anything
