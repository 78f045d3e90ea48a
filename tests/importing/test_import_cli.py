"""The `manyi import` CLI: summary line, JSON, exit codes, and a kill -9 mid-import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from manyi.cli.main import app
from manyi.order.models import Order, OrderLine
from manyi.store.engine import make_engine, make_session_factory

runner = CliRunner()


def test_orders_summary_line_and_json(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    path = tmp_path / "o.csv"
    path.write_text(
        "订单号,下单时间,金额\nA1,2024-01-01,10\nA2,2023-02-30,5\nA1,2024-01-01,10\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "orders", str(path), "--quarantine-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "read 3 rows: imported 1, already present 0, set aside 2 (see" in result.output
    assert "o.quarantine.csv" in result.output
    again = runner.invoke(
        app, ["import", "orders", str(path), "--json", "--quarantine-dir", str(tmp_path)]
    )
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert (data["imported"], data["already_present"], data["set_aside_total"]) == (0, 1, 2)


def test_map_flag_and_mapping_file(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANYI_DATABASE_URL", db_url)
    path = tmp_path / "k.csv"
    path.write_text("Kunden-Nr,Name\nK1,Anna\n", encoding="utf-8")
    result = runner.invoke(
        app, ["import", "customers", str(path), "--map", "customer_id=Kunden-Nr"]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1" in result.output
    mapping = tmp_path / "m.toml"
    mapping.write_text('customer_id = "Kunden-Nr"\n', encoding="utf-8")
    result = runner.invoke(app, ["import", "customers", str(path), "--mapping", str(mapping)])
    assert "already present 1" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"customer_id,name\n", "no data rows"),
        (b"\x00\x01\x02\x03" * 500, "binary"),
    ],
)
def test_unusable_input_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, message: str
) -> None:
    monkeypatch.setenv("MANYI_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = runner.invoke(app, ["import", "customers", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_help_is_bilingual() -> None:
    result = runner.invoke(app, ["import", "orders", "--help"])
    assert result.exit_code == 0
    assert "导入订单" in result.output


@pytest.mark.slow
def test_kill_9_leaves_only_whole_batches(tmp_path: Path) -> None:
    """SIGKILL after the first batch commits: whole orders only, then a re-run completes."""
    lines_per_order, orders, batch = 5, 40_000, 1000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("order_no,ordered_at,customer_id,sku,quantity,unit_price\n")
        for o in range(orders):
            for line in range(lines_per_order):
                handle.write(f"O{o},2024-01-01 10:00,C{o % 500},S{line},1,2.50\n")
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {**os.environ, "MANYI_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "manyi.cli.main", "import", "orders", str(path),
           "--batch-size", str(batch), "--quarantine-dir", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sessions() as s:
                committed = int(s.scalar(select(func.count()).select_from(Order)) or 0)
        except Exception:  # the schema may not exist yet
            committed = 0
        if committed > 0:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "import finished before it could be killed; make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sessions() as s:
        n_orders = int(s.scalar(select(func.count()).select_from(Order)) or 0)
        n_lines = int(s.scalar(select(func.count()).select_from(OrderLine)) or 0)
        per_order = s.execute(
            select(func.count(OrderLine.id)).group_by(OrderLine.order_id)
        ).scalars().all()  # fmt: skip
    assert 0 < n_orders < orders
    assert n_lines == n_orders * lines_per_order
    assert set(per_order) == {lines_per_order}
    assert n_lines % batch == 0  # whole batches only
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert f"imported {orders * lines_per_order - n_lines}" in done.stdout
    assert f"already present {n_lines}" in done.stdout
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == orders
        assert s.scalar(select(func.count()).select_from(OrderLine)) == orders * lines_per_order
    engine.dispose()
