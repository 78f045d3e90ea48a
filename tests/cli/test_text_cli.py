"""Tests for `manyi text ...` (analyze, sentiment, train) through the real Typer app."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from manyi.cli.main import app

runner = CliRunner()


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _read_raw(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_analyze_csv_contract(tmp_path: Path) -> None:
    src = _write_csv(
        tmp_path / "in.csv",
        [
            {"id": "1", "comment": "物流很快，包装很好", "score": "9"},
            {"id": "2", "comment": "=cmd|' /C calc'!A0", "score": "-1.5"},
            {"id": "3", "comment": "客服态度很差，电话13800138000", "score": "+8613800138000"},
            {"id": "4", "comment": "", "score": "@SUM(1+1)"},
        ],
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["text", "analyze", str(src), "--column", "comment", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = _read_raw(out)
    assert list(rows[0]) == [
        "id",
        "comment",
        "score",
        "language",
        "sentiment",
        "sentiment_score",
        "types",
        "aspects",
        "text_masked",
    ]
    assert [r["sentiment"] for r in rows] == ["positive", "negative", "negative", "neutral"]
    for r in rows:
        score = float(r["sentiment_score"])
        assert -1 <= score <= 1
        assert (score > 0) == (r["sentiment"] == "positive") or r["sentiment"] != "positive"
    assert rows[0]["aspects"] == "logistics:positive;packaging:positive"
    assert rows[1]["comment"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["text_masked"].startswith("'=")
    assert rows[1]["score"] == "-1.5"
    assert rows[2]["score"] == "+8613800138000"
    assert rows[3]["score"] == "'@SUM(1+1)"
    assert "13800138000" not in rows[2]["text_masked"]


def test_analyze_jsonl_and_xlsx(tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ["很好", "not good"]) + "\n",
        encoding="utf-8",
    )
    xlsx = tmp_path / "in.xlsx"
    pd.DataFrame({"text": ["這個很好", "<script>alert(1)</script>"]}).to_excel(xlsx, index=False)
    for src in (jsonl, xlsx):
        out = tmp_path / f"{src.stem}-{src.suffix[1:]}.csv"
        result = runner.invoke(
            app, ["text", "analyze", str(src), "--column", "text", "--output", str(out), "--json"]
        )
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        assert summary["rows"] == 2
        assert len(pd.read_csv(out)) == 2


def test_analyze_missing_column_and_file(tmp_path: Path) -> None:
    src = _write_csv(tmp_path / "in.csv", [{"a": "x"}])
    result = runner.invoke(
        app, ["text", "analyze", str(src), "--column", "nope", "--output", "o.csv"]
    )
    assert result.exit_code == 2
    assert "nope" in result.output and "a" in result.output
    result = runner.invoke(
        app, ["text", "analyze", str(tmp_path / "absent.csv"), "--column", "a", "--output", "o.csv"]
    )
    assert result.exit_code == 2


def test_analyze_many_rows_with_progress(tmp_path: Path) -> None:
    src = _write_csv(tmp_path / "big.csv", [{"t": f"第{i}条：物流很快"} for i in range(4500)])
    out = tmp_path / "big-out.csv"
    result = runner.invoke(
        app, ["text", "analyze", str(src), "--column", "t", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert len(frame) == 4500 and (frame["sentiment"] == "positive").all()


def test_sentiment_command() -> None:
    result = runner.invoke(app, ["text", "sentiment", "這個產品不太好", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sentiment"] == "negative" and data["language"] == "zh-Hant"
    result = runner.invoke(app, ["text", "sentiment", "not bad"])
    assert result.exit_code == 0 and "positive" in result.output


def test_train_without_data(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["text", "train", "--data-dir", str(tmp_path), "--output", str(tmp_path / "m")]
    )
    assert result.exit_code == 2
    assert "not found" in result.output
