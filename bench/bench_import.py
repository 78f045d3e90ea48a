"""Import the whole Online Retail file into SQLite and PostgreSQL; peer: pandas read_csv + to_sql.

Run: ``OMP_NUM_THREADS=1 python bench/bench_import.py``. The peer loads the raw rows into one
table and validates nothing (no dates, no duplicates, no orders/lines/customers/products); it
is there for scale only.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from _data import shared_file
from manyi.importing.service import import_file
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def run_manyi(url: str, path: Path, out: Path) -> tuple[float, int]:
    """Seconds and rows read for one manyi import into a freshly migrated database."""
    engine = make_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    report = import_file(
        sessions=make_session_factory(engine), kind="orders", path=path, quarantine_dir=out
    )
    seconds = time.perf_counter() - start
    print(f"  {report.summary_line()}")
    engine.dispose()
    return seconds, report.rows_read


def run_peer(url: str, path: Path) -> float:
    """Seconds for pandas read_csv + DataFrame.to_sql of the raw rows (no validation)."""
    engine = make_engine(url)
    start = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.to_sql("raw_online_retail", engine, if_exists="replace", index=False, chunksize=5000)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def main() -> None:
    """Run SQLite, then PostgreSQL when reachable, printing rows/s and the ratio to the peer."""
    path = shared_file("online_retail/online_retail.csv.gz")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print("SQLite (fresh file):")
        secs, rows = run_manyi(f"sqlite:///{out / 'manyi.db'}", path, out)
        peer = run_peer(f"sqlite:///{out / 'peer.db'}", path)
        print(f"  manyi import: {secs:6.2f} s  {rows / secs:9,.0f} rows/s  (target < 15 s)")
        print(
            f"  pandas read_csv+to_sql (validates nothing): {peer:6.2f} s  {rows / peer:9,.0f} rows/s"
        )
        print(f"  ratio manyi/peer: {secs / peer:.2f}")
        try:
            admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to connect means: no PostgreSQL here
            print(f"PostgreSQL: skipped, {PG_ADMIN} unreachable ({type(exc).__name__})")
            return
        name = f"manyi_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            print(f"PostgreSQL (throwaway database {name}):")
            secs, rows = run_manyi(url, path, out)
            peer = run_peer(url, path)
            print(f"  manyi import: {secs:6.2f} s  {rows / secs:9,.0f} rows/s")
            print(
                f"  pandas read_csv+to_sql (validates nothing): {peer:6.2f} s  {rows / peer:9,.0f} rows/s"
            )
            print(f"  ratio manyi/peer: {secs / peer:.2f}")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
