"""`manyi predict ...` from the outside: JSON contracts, file formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from manyi.cli.main import app

runner = CliRunner()


def _run(*args: str):
    """Invoke the CLI and return the result."""
    return runner.invoke(app, ["predict", *args])


def _log(tmp_path: Path, suffix: str = ".csv") -> Path:
    """A transaction log of 60 customers (two with hostile or phone-like ids) over 200 days."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(60):
        name = {0: "=cmd|' /C calc'!A0", 1: "+8613800138000"}.get(i, f"c{i}")
        if suffix == ".xlsx" and i == 0:
            name = "@SUM(1+1)"  # openpyxl would store a leading '=' as a live formula
        first = int(rng.integers(0, 100))
        days = [first, *sorted(rng.integers(first, 200, int(rng.integers(0, 6))).tolist())]
        rows += [(str(pd.Timestamp("2024-01-01") + pd.Timedelta(days=d))[:10], name,
                  round(float(rng.gamma(3, 10)), 2)) for d in days]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["order_date", "customer_id", "amount"])
    path = tmp_path / f"log{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_excel(path, index=False)
    return path


def test_bgnbd_json_on_published_summary(shared_data):
    result = _run("bgnbd", str(shared_data / "cdnow" / "cdnow_customers_summary.csv"), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"r", "alpha", "a", "b", "loglik", "n"}
    assert round(payload["r"], 3) == 0.243 and round(payload["alpha"], 3) == 4.414
    assert round(payload["a"], 3) == 0.793 and round(payload["b"], 3) == 2.426
    assert payload["n"] == 2357


def test_bgnbd_on_cdnow_whitespace_files(shared_data):
    sample = _run(
        "bgnbd",
        str(shared_data / "cdnow" / "CDNOW_sample.txt"),
        "--json",
        "--observation-end",
        "1997-09-30",
    )
    assert sample.exit_code == 0, sample.output
    payload = json.loads(sample.stdout)
    assert payload["n"] == 2357 and round(payload["r"], 3) == 0.243
    master = _run("bgnbd", str(shared_data / "cdnow" / "CDNOW_master.txt"), "--json")
    assert master.exit_code == 0, master.output
    assert json.loads(master.stdout)["n"] == 23570


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_bgnbd_on_a_log_in_each_format(tmp_path, suffix):
    result = _run("bgnbd", str(_log(tmp_path, suffix)), "--json", "--unit", "D")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n"] == 60
    assert all(payload[k] > 0 for k in ("r", "alpha", "a", "b"))


def test_bgnbd_mbgnbd_and_table_output(shared_data):
    path = str(shared_data / "cdnow" / "cdnow_customers_summary.csv")
    result = _run("bgnbd", path, "--model", "mbgnbd")
    assert result.exit_code == 0, result.output
    assert "MBG/NBD" in result.output and "0.5248" in result.output


def test_clv_writes_neutralised_csv(tmp_path):
    out = tmp_path / "clv.csv"
    result = _run(
        "clv",
        str(_log(tmp_path)),
        "--horizon-months",
        "12",
        "--output",
        str(out),
        "--unit",
        "D",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n"] == 60 and payload["total_clv"] > 0
    table = pd.read_csv(out, dtype={"customer_id": str})
    assert {"clv", "tier", "tier_label", "churn_probability", "action"} <= set(table.columns)
    ids = set(table["customer_id"])
    assert "'=cmd|' /C calc'!A0" in ids  # formula neutralised
    assert "+8613800138000" in ids  # phone numbers stay readable


def test_clv_on_cdnow_sample(tmp_path, shared_data):
    out = tmp_path / "clv.csv"
    result = _run(
        "clv",
        str(shared_data / "cdnow" / "CDNOW_sample.txt"),
        "--observation-end",
        "1997-09-30",
        "--output",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["spend_model"]["n"] == 946
    assert round(payload["spend_model"]["p"], 2) == 6.25
    assert len(pd.read_csv(out)) == 2357


def test_clv_without_values_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"frequency": [1, 0], "recency": [3.0, 0.0], "T": [9.0, 9.0]}).to_csv(path)
    result = _run("clv", str(path))
    assert result.exit_code == 2
    assert "spend" in result.output


@pytest.mark.slow
def test_calibration_report_on_cdnow_master(shared_data):
    result = _run(
        "calibration",
        str(shared_data / "cdnow" / "CDNOW_master.txt"),
        "--calibration-end",
        "1997-09-30",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n"] == 23570
    assert len(payload["by_frequency"]) == 8
    assert -0.2 < payload["aggregate_error"] < 0
    table = _run(
        "calibration",
        str(shared_data / "cdnow" / "CDNOW_master.txt"),
        "--calibration-end",
        "1997-09-30",
    )
    assert "7+" in table.output and "aggregate error" in table.output


def _churn_file(tmp_path: Path, one_class: bool = False) -> Path:
    """A small labelled customer file."""
    rows = []
    for i in range(200):
        complaints = i % 5
        churn = "Yes" if (complaints >= 3 and i % 3) or i % 17 == 0 else "No"
        rows.append(
            {
                "id": f"K{i}",
                "complaints": complaints,
                "plan": ["a", "b"][i % 2],
                "tenure": (i * 7) % 60,
                "Churn": "No" if one_class else churn,
                "note": "<script>alert(1)</script>" if i == 0 else "",
            }
        )
    path = tmp_path / "customers.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_churn_json_contract(tmp_path):
    out = tmp_path / "risk.csv"
    result = _run(
        "churn",
        str(_churn_file(tmp_path)),
        "--label",
        "Churn",
        "--id",
        "id",
        "--cv",
        "3",
        "--json",
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"auc", "auc_std", "lift_top_decile", "n"} <= set(payload)
    assert payload["n"] == 200 and payload["auc"] > 0.7
    risk = pd.read_csv(out)
    assert {"id", "churn_probability", "reasons", "value_at_risk", "action"} <= set(risk.columns)


def test_churn_one_class_exits_2(tmp_path):
    result = _run(
        "churn",
        str(_churn_file(tmp_path, one_class=True)),
        "--label",
        "Churn",
        "--cv",
        "5",
        "--json",
    )
    assert result.exit_code == 2
    assert "one class" in result.output


def test_churn_unknown_label_and_bad_cv(tmp_path):
    path = str(_churn_file(tmp_path))
    assert _run("churn", path, "--label", "nope", "--json").exit_code == 2
    assert _run("churn", path, "--label", "Churn", "--cv", "1", "--json").exit_code == 2


@pytest.mark.slow
def test_churn_on_telco(shared_data):
    result = _run(
        "churn",
        str(shared_data / "churn" / "telco_churn.csv"),
        "--label",
        "Churn",
        "--id",
        "customerID",
        "--cv",
        "5",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["auc"] > 0.83 and payload["lift_top_decile"] > 2.5 and payload["n"] == 7043


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.csv"), (b"\x00\x01\x02\xff\xfe" * 50, "binary.csv"), (b"a,b\n", "header.csv")],
)
def test_bad_files_exit_2(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    result = _run("bgnbd", str(path), "--json")
    assert result.exit_code == 2, result.output


def test_gbk_summary_file(tmp_path):
    path = tmp_path / "gbk.csv"
    text = "客户,frequency,recency,T\n张三,1,3.0,9.0\n李四,0,0,9.0\n王五,2,5.0,9.0\n"
    path.write_bytes(text.encode("gb18030"))
    result = _run("bgnbd", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 3


def test_markup_in_column_names_is_shown_not_interpreted(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame({"[bold]x[/]": [1, 2], "y": [0, 1]}).to_csv(path, index=False)
    result = _run("churn", str(path), "--label", "[/red]nope")
    assert result.exit_code == 2
    assert "[/red]nope" in result.output


def test_rules_export_edit_and_use(tmp_path):
    rules_csv = tmp_path / "rules.csv"
    shown = _run("rules", "--output", str(rules_csv))
    assert shown.exit_code == 0, shown.output
    rules = pd.read_csv(rules_csv, dtype=str, keep_default_na=False)
    assert rules["action"].iloc[-1] == "no_action"
    rules.loc[len(rules) - 1, "action"] = "thank_you_note"  # edit the fallback rule
    rules.to_csv(rules_csv, index=False)
    out = tmp_path / "risk.csv"
    result = _run(
        "churn",
        str(_churn_file(tmp_path)),
        "--label",
        "Churn",
        "--id",
        "id",
        "--cv",
        "3",
        "--output",
        str(out),
        "--rules",
        str(rules_csv),
    )
    assert result.exit_code == 0, result.output
    assert "thank_you_note" in set(pd.read_csv(out)["action"])
    broken = tmp_path / "broken.csv"
    rules.drop(columns="label").to_csv(broken, index=False)
    bad = _run("clv", str(_log(tmp_path)), "--rules", str(broken))
    assert bad.exit_code == 2 and "missing columns" in bad.output


@pytest.mark.slow
def test_bgnbd_on_gzipped_online_retail(shared_data):
    result = _run("bgnbd", str(shared_data / "online_retail" / "online_retail.csv.gz"), "--unit",
                  "D", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 4372  # distinct CustomerID, blanks dropped
