"""Import the whole Online Retail file into SQLite and PostgreSQL; peer: pandas read_csv + to_sql.

Run: ``OMP_NUM_THREADS=1 python bench/bench_import.py [--runs 3] [--only sqlite|postgresql]
[--no-peer]``. Each run imports into a fresh database. Printed per run: wall seconds, rows/s,
this process's CPU seconds (on SQLite that is nearly all the work; it moves much less than wall
time when other jobs share the machine) and the 1-minute load average; then the median and
range over the runs. The peer loads the raw rows into one table and validates nothing (no
dates, no duplicates, no orders/lines/customers/products); it is there for scale only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from _data import shared_file
from manyi.importing.service import import_file
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_SQLITE_SECONDS = 15.0


def run_manyi(url: str, path: Path, out: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and rows read for one import into a freshly migrated database."""
    engine = make_engine(url)
    upgrade(engine)
    start, cpu = time.perf_counter(), time.process_time()
    report = import_file(
        sessions=make_session_factory(engine), kind="orders", path=path, quarantine_dir=out
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"    {report.summary_line()}")
    engine.dispose()
    return seconds, cpu, report.rows_read


def run_peer(url: str, path: Path) -> float:
    """Seconds for pandas read_csv + DataFrame.to_sql of the raw rows (no validation)."""
    engine = make_engine(url)
    start = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.to_sql("raw_online_retail", engine, if_exists="replace", index=False, chunksize=5000)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


@contextmanager
def sqlite_db(folder: Path) -> Iterator[str]:
    """A fresh SQLite file URL."""
    yield f"sqlite:///{folder / f'manyi-{uuid.uuid4().hex[:8]}.db'}"


@contextmanager
def postgres_db(_folder: Path) -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped afterwards."""
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"manyi_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable() -> bool:
    """Whether the benchmark's PostgreSQL answers."""
    try:
        admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        admin.dispose()
    except Exception as exc:  # any failure to connect means: no PostgreSQL here
        print(f"PostgreSQL: skipped, {PG_ADMIN} unreachable ({type(exc).__name__})")
        return False
    return True


def bench_target(
    name: str,
    database: Callable[[Path], AbstractContextManager[str]],
    path: Path,
    out: Path,
    runs: int,
    peer: bool,
) -> None:
    """Run the import `runs` times on fresh databases and print each run and the median/range."""
    print(f"{name}:")
    walls, cpus, rows = [], [], 0
    for i in range(1, runs + 1):
        with database(out) as url:
            wall, cpu, rows = run_manyi(url, path, out)
        load = os.getloadavg()[0]
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"  run {i}: {wall:6.2f} s  {rows / wall:9,.0f} rows/s  "
            f"(CPU of this process {cpu:5.2f} s, load average {load:.1f})"
        )
    wall = statistics.median(walls)
    target = f"  (target < {TARGET_SQLITE_SECONDS:.0f} s)" if name.startswith("SQLite") else ""
    print(
        f"  manyi import, median of {runs}: {wall:6.2f} s  {rows / wall:9,.0f} rows/s  "
        f"range {min(walls):.2f}-{max(walls):.2f} s; CPU median {statistics.median(cpus):.2f} s"
        f"{target}"
    )
    if peer:
        with database(out) as url:
            seconds = run_peer(url, path)
        print(
            f"  pandas read_csv+to_sql (validates nothing): {seconds:6.2f} s  "
            f"{rows / seconds:9,.0f} rows/s; ratio manyi/peer {wall / seconds:.2f}"
        )


def main() -> None:
    """Benchmark SQLite, then PostgreSQL when reachable."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=1, help="imports per database (default 1)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--no-peer", action="store_true", help="skip pandas read_csv+to_sql")
    args = parser.parse_args()
    path = shared_file("online_retail/online_retail.csv.gz")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if args.only in (None, "sqlite"):
            bench_target("SQLite (fresh file)", sqlite_db, path, out, args.runs, not args.no_peer)
        if args.only in (None, "postgresql") and postgres_reachable():
            bench_target(
                "PostgreSQL (throwaway database)", postgres_db, path, out, args.runs,
                not args.no_peer,
            )  # fmt: skip


if __name__ == "__main__":
    main()
