"""`manyi metrics ... --db`: the database mode of the metrics commands (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from manyi.cli.main import app
from manyi.feedback.models import FeedbackItem

runner = CliRunner()

# (rating, scale, channel, month, region): March NPS 10, 9, 9, 7, 3 -> 40; April 0, 10 -> 0.
ROWS = [
    (10, "0-10", "survey", 3, "华东"),
    (9, "0-10", "survey", 3, "华东"),
    (9, "0-10", "survey", 3, "西北"),
    (7, "0-10", "survey", 3, "西北"),
    (3, "0-10", "survey", 3, "西北"),
    (0, "0-10", "survey", 4, "华东"),
    (10, "0-10", "survey", 4, "华东"),
    (5, "1-5", "review", 3, "[red]x[/red]"),
    (4, "1-5", "review", 4, "华东"),
    (2, "1-5", "review", 4, "华东"),
]


@pytest.fixture
def database(
    db_url: str,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> str:
    """The test database holding ROWS, configured for the CLI through the environment."""
    with session_factory.begin() as s:
        for i, (rating, scale, channel, month, region) in enumerate(ROWS):
            s.add(
                FeedbackItem(source_ref=f"r{i}", channel=channel, rating=rating,
                             rating_scale=scale, region=region, touchpoint="delivery",
                             received_at=datetime(2026, month, 1 + i, 9, tzinfo=UTC))
            )  # fmt: skip
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    return db_url


def _json(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_nps_db_json_has_the_cli_shape(database: str) -> None:
    out = _json(
        ["metrics", "nps", "--db", "--by", "region", "--until", "2026-03-31", "--min-n", "3",
         "--json"]
    )  # fmt: skip
    assert out["overall"]["n"] == 5 and out["overall"]["score"] == pytest.approx(40.0)
    assert out["overall"]["promoters"] == 3 and out["overall"]["detractors"] == 1
    groups = {g["key"]: g for g in out["groups"]}
    assert groups["华东"]["score"] == pytest.approx(100.0) and groups["华东"]["small_sample"]
    assert groups["西北"]["score"] == pytest.approx(0.0) and not groups["西北"]["small_sample"]
    for g in out["groups"]:
        assert set(g) >= {"key", "n", "score", "ci_low", "ci_high", "small_sample"}


def test_csat_db_with_period_comparison(database: str) -> None:
    out = _json(["metrics", "csat", "--db", "--channel", "review", "--period", "month", "--json"])
    assert out["overall"]["n"] == 3 and out["overall"]["score"] == pytest.approx(200 / 3)
    periods = out["periods"]
    assert (periods["a"]["label"], periods["b"]["label"]) == ("2026-04", "2026-03")
    assert periods["comparison"]["n_a"] == 2 and periods["comparison"]["n_b"] == 1


def test_trend_and_compare_db(database: str) -> None:
    trend = _json(["metrics", "trend", "--db", "--metric", "nps", "--period", "month", "--json"])
    assert [p["period"] for p in trend["points"]] == ["2026-03", "2026-04"]
    assert trend["points"][0]["score"] == pytest.approx(40.0)
    assert trend["centre"] == pytest.approx(100 * (4 - 2) / 7)
    pair = _json(
        ["metrics", "compare", "--db", "--metric", "nps", "--by", "region", "--a", "华东",
         "--b", "西北", "--json"]
    )  # fmt: skip
    assert pair["comparison"]["n_a"] == 4 and pair["comparison"]["n_b"] == 3
    periods = _json(["metrics", "compare", "--db", "--metric", "nps", "--json"])
    assert periods["comparison"]["difference"] == pytest.approx(0.0 - 40.0)


def test_db_tables_print(database: str) -> None:
    result = runner.invoke(app, ["metrics", "csat", "--db", "--by", "region"])
    assert result.exit_code == 0, result.output
    assert "华东" in result.output and "[red]x[/red]" in result.output  # shown, not styled
    result = runner.invoke(app, ["metrics", "trend", "--db", "--metric", "nps"])
    assert result.exit_code == 0 and "2026-04" in result.output
    result = runner.invoke(app, ["metrics", "compare", "--db", "--by", "region"])
    assert result.exit_code == 0 and "华东" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nps", "--db", "--by", "region'; DROP TABLE feedback_items--"], "not an attribute"),
        (["nps", "--db", "--channel", "nope"], "channel"),
        (["nps", "--db", "--since", "2026-02-30"], "--since"),
        (["nps", "--db", "--column", "x"], "--db"),
        (["nps"], "--db"),
        (["nps", "x.csv", "--column", "n", "--since", "2026-01-01"], "--db only"),
        (["csat", "--db", "--scale", "7"], "1-5"),
        (["trend", "--db", "--metric", "xps"], "--metric"),
        (["trend", "--db", "--period", "year"], "period"),
        (["compare", "--metric", "nps"], "--db"),
        (["compare", "--db", "--by", "aspect"], "overlap"),
    ],
)
def test_bad_db_input_exits_2(database: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["metrics", *args, "--json"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_file_trend_matches_the_library(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("nps,date\n10,2026-03-01\n0,2026-03-02\n9,2026-04-01\n", encoding="utf-8")
    out = _json(
        ["metrics", "trend", str(path), "--column", "nps", "--date", "date", "--json"]
    )  # fmt: skip
    assert [p["score"] for p in out["points"]] == [0.0, 100.0]
    bad = runner.invoke(app, ["metrics", "trend", str(path), "--column", "nps"])
    assert bad.exit_code == 2
