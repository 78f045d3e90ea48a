"""`manyi predict score` and `manyi predict risks` over the database."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from manyi.cli.main import app
from manyi.scoring.models import CustomerScore, RetentionAction
from manyi.store.engine import unit_of_work

runner = CliRunner()


@pytest.fixture
def database(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
) -> sessionmaker[Session]:  # fmt: skip
    """The CLI pointed at the test database."""
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MANYI_CONFIG", str(tmp_path / "absent.toml"))
    return session_factory


def test_score_then_risks(database: sessionmaker[Session], scoring_histories: ModuleType) -> None:
    with unit_of_work(database) as session:
        scoring_histories.seed(session)
    result = runner.invoke(app, ["predict", "score", "--as-of", "2025-06-30", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["customers_scored"] == 34 and summary["as_of"] == "2025-06-30"
    assert set(summary["purchase_model"]) >= {"r", "alpha", "a", "b"}
    assert len(summary["top"]) == 10
    with database() as session:
        rows = session.scalar(select(func.count()).select_from(CustomerScore))
        actions = session.scalar(select(func.count()).select_from(RetentionAction))
    assert rows == 34 * 5 and actions == summary["actions_created"] > 0

    again = runner.invoke(app, ["predict", "score", "--as-of", "2025-06-30"])
    assert again.exit_code == 0, again.output
    assert "34 customers scored" in again.stdout and "Top 10 by value at risk" in again.stdout
    assert "BG/NBD" in again.stdout
    with database() as session:
        assert session.scalar(select(func.count()).select_from(CustomerScore)) == rows
        assert session.scalar(select(func.count()).select_from(RetentionAction)) == actions

    risks = runner.invoke(app, ["predict", "risks", "--limit", "3", "--json"])
    assert risks.exit_code == 0, risks.output
    listing = json.loads(risks.stdout)
    assert listing["total"] == 34 and len(listing["items"]) == 3
    values = [item["value_at_risk"] for item in listing["items"]]
    assert values == sorted(values, reverse=True)
    assert set(listing["items"][0]) >= {"customer_code", "tier", "churn_risk", "clv", "reasons"}
    assert "customer_name" not in listing["items"][0]  # the CLI list carries no personal data
    vip = runner.invoke(app, ["predict", "risks", "--tier", "vip"])
    assert vip.exit_code == 0 and "VIP1" in vip.stdout


def test_clear_errors(database: sessionmaker[Session]) -> None:
    empty = runner.invoke(app, ["predict", "score", "--as-of", "2025-06-30"])
    assert empty.exit_code == 2 and "no completed orders" in empty.stderr
    bad = runner.invoke(app, ["predict", "score", "--as-of", "30/06/2025"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
    nothing = runner.invoke(app, ["predict", "risks"])
    assert nothing.exit_code == 0 and "No scores yet" in nothing.stdout
    tier = runner.invoke(app, ["predict", "risks", "--tier", "gold"])
    assert tier.exit_code == 2 and "tier" in tier.stderr
