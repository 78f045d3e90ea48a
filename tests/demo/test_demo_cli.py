"""`manyi demo-data` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from manyi.cli.main import app

runner = CliRunner()


def test_no_load_writes_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "demo files"
    args = ["demo-data", "--customers", "120", "--months", "12", "--seed", "7",
            "--output-dir", str(out), "--no-load", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["load"] is None
    assert summary["files"]["customers"]["rows"] == 120
    for name in (
        "customers.csv",
        "orders.csv",
        "feedback.csv",
        "feedback_labels.csv",
        "interactions.csv",
    ):
        assert (out / name).stat().st_size > 0
    assert not (tmp_path / "data" / "manyi.db").exists()
    first = (out / "feedback.csv").read_bytes()
    assert runner.invoke(app, args).exit_code == 0
    assert (out / "feedback.csv").read_bytes() == first


def test_default_folder_and_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MANYI_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo-data", "--customers", "80", "--months", "10", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    imports = summary["load"]["imports"]
    assert imports["customers"]["imported"] == 80
    assert imports["feedback"]["imported"] == summary["files"]["feedback"]["rows"]
    assert imports["orders"]["set_aside_total"] == 0
    assert (tmp_path / "demo" / "orders.csv").exists()
    assert (tmp_path / "manyi.db").exists()


def test_table_output_is_bilingual(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo-data", "--customers", "60", "--months", "9", "--output-dir", str(tmp_path),
              "--no-load"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Planted signals / 预埋信号" in result.output
    assert "西北" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--end-date", "31/10/2026"],
        ["--end-date", "2026-02-30"],
        ["--customers", "3"],
        ["--months", "0"],
        ["--end-date", "1999-01-01"],
    ],
)
def test_bad_options_are_usage_errors(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo-data", "--no-load", "--output-dir", str(tmp_path), *args])
    assert result.exit_code == 2


def test_output_dir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(
        app, ["demo-data", "--customers", "60", "--months", "9", "--no-load",
              "--output-dir", str(blocker)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot write" in result.output
