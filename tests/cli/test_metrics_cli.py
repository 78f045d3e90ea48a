"""`manyi metrics ...` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from manyi.cli.main import app

runner = CliRunner()


@pytest.fixture()
def survey(tmp_path: Path) -> Path:
    df = pd.DataFrame(
        {
            "nps": [10, 9, 8, 7, 6, 0, 10, 10, 5, 9, None],
            "csat": [5, 4, 3, 2, 1, 5, 4, 4, 5, 5, 3],
            "ces": [7, 6, 5, 4, 1, 7, 7, 6, 5, 4, 3],
            "store": [
                "北京",
                "北京",
                "上海",
                "上海",
                "上海",
                "北京",
                "北京",
                "上海",
                "北京",
                "上海",
                "北京",
            ],
            "w": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        }
    )
    path = tmp_path / "survey.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig")  # with BOM
    return path


def _json(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_nps_json_contract(survey: Path) -> None:
    out = _json(["metrics", "nps", str(survey), "--column", "nps", "--by", "store", "--json"])
    overall = out["overall"]
    assert overall["n"] == 10 and overall["score"] == pytest.approx(20.0)
    assert overall["promoters"] == 5 and overall["detractors"] == 3
    assert overall["ci_low"] < 20 < overall["ci_high"]
    keys = {g["key"] for g in out["groups"]}
    assert keys == {"北京", "上海"}
    for g in out["groups"]:
        assert set(g) >= {"key", "n", "score", "ci_low", "ci_high"}
    assert sum(g["n"] for g in out["groups"]) == 10


def test_csat_scale_and_weight(survey: Path) -> None:
    out = _json(
        [
            "metrics",
            "csat",
            str(survey),
            "--column",
            "csat",
            "--scale",
            "5",
            "--weight",
            "w",
            "--json",
        ]
    )
    assert out["overall"]["score"] == pytest.approx(100 * 7 / 11)
    assert out["groups"] == []


def test_ces_and_formats(survey: Path, tmp_path: Path) -> None:
    df = pd.read_csv(survey, encoding="utf-8-sig")
    jsonl = tmp_path / "s.jsonl"
    df.to_json(jsonl, orient="records", lines=True, force_ascii=False)
    xlsx = tmp_path / "s.xlsx"
    df.to_excel(xlsx, index=False)
    scores = [
        _json(["metrics", "ces", str(p), "--column", "ces", "--json"])["overall"]["score"]
        for p in (survey, jsonl, xlsx)
    ]
    assert scores == pytest.approx([55 / 11] * 3)


def test_table_output(survey: Path) -> None:
    result = runner.invoke(app, ["metrics", "nps", str(survey), "--column", "nps", "--by", "store"])
    assert result.exit_code == 0
    assert "北京" in result.stdout and "overall" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "nope"], "nope"),
        (["--column", "csat", "--by", "region"], "region"),
    ],
)
def test_bad_columns_exit_2(survey: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["metrics", "nps", str(survey), *args, "--json"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_out_of_range_exit_2(survey: Path) -> None:
    result = runner.invoke(app, ["metrics", "csat", str(survey), "--column", "nps", "--json"])
    assert result.exit_code == 2
    assert "'nps'" in result.output and "outside the scale" in result.output


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02binary\xff\xfe", b"nps\n=cmd|' /C calc'!A0\n"]
)
def test_hostile_files_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = runner.invoke(app, ["metrics", "nps", str(path), "--column", "nps", "--json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_file_and_type(tmp_path: Path) -> None:
    result = runner.invoke(app, ["metrics", "nps", str(tmp_path / "x.csv"), "--column", "a"])
    assert result.exit_code == 2
    odd = tmp_path / "x.pdf"
    odd.write_text("x")
    result = runner.invoke(app, ["metrics", "nps", str(odd), "--column", "a"])
    assert result.exit_code == 2 and "unsupported" in result.output


def test_drivers_and_csi(shared_data) -> None:  # type: ignore[no-untyped-def]
    path = shared_data / "ecsi" / "ecsi_mobi.csv"
    out = _json(
        [
            "metrics",
            "drivers",
            str(path),
            "--target",
            "CUSA1",
            "--drivers",
            "PERQ1,PERQ2,IMAG1",
            "--json",
        ]
    )
    assert out["drivers"][0]["driver"] == "PERQ1"
    assert all("quadrant" in d for d in out["drivers"])
    out = _json(["metrics", "csi", str(path), "--boot", "10", "--json"])
    assert out["n"] == 250 and len(out["paths"]) == 12
    bad = runner.invoke(
        app, ["metrics", "drivers", str(path), "--target", "CUSA1", "--drivers", "PERQ1,NOPE"]
    )
    assert bad.exit_code == 2 and "NOPE" in bad.output


def test_csi_with_spec(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "a1": [1, 2, 3, 4, 5] * 4,
            "a2": [2, 2, 3, 5, 5] * 4,
            "b1": [1, 3, 3, 4, 4] * 4,
            "b2": [2, 3, 2, 4, 5] * 4,
        }
    )
    data = tmp_path / "d.csv"
    df.to_csv(data, index=False)
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps({"blocks": {"A": ["a1", "a2"], "B": ["b1", "b2"]}, "paths": [["A", "B"]]})
    )
    out = _json(
        [
            "metrics",
            "csi",
            str(data),
            "--spec",
            str(spec),
            "--scale-min",
            "1",
            "--scale-max",
            "5",
            "--boot",
            "0",
            "--json",
        ]
    )
    assert [p["from"] for p in out["paths"]] == ["A"]
    spec.write_text("{not json")
    bad = runner.invoke(app, ["metrics", "csi", str(data), "--spec", str(spec)])
    assert bad.exit_code == 2


@pytest.mark.parametrize("bad", ["", "-2", "x"])
def test_bad_weight_exit_2_naming_column(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "w.csv"
    path.write_text(f"nps,wt\n10,1\n9,{bad}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["metrics", "nps", str(path), "--column", "nps", "--weight", "wt", "--json"]
    )
    assert result.exit_code == 2
    assert "'wt'" in result.output


def test_xlsx_zip_bomb_and_fake_xlsx_exit_2(tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
        archive.writestr("../evil.txt", b"x")
    result = runner.invoke(app, ["metrics", "nps", str(bomb), "--column", "nps"])
    assert result.exit_code == 2 and "unsafe" in result.output
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"nps\n10\n")
    result = runner.invoke(app, ["metrics", "nps", str(fake), "--column", "nps"])
    assert result.exit_code == 2 and "not a valid" in result.output
