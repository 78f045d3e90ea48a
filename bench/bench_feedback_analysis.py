"""Feedback analysis on arrival: throughput when loading the demo data, and the insights' cost.

1. Runs ``manyi demo-data --json`` (3,000 customers, 24 months: about 9,800 feedback items) in a
   fresh temporary MANYI_DATA_DIR, as a user would, and reads from its report how long the text
   analysis took against the whole command (wall time; CPU time of the child too).
2. The same load in this process, split: ``load_demo(analyze=False)`` (importer for customers,
   orders and feedback, enrichment) then ``analyze_all`` (cold: jieba's dictionary is loaded
   here), each in wall and CPU time: CPU time is what a busy shared machine does not distort.
3. ``import_file`` then ``analyze_all`` of the demo ``feedback.csv`` into a fresh SQLite file,
   warm (what ``manyi import feedback`` and the web upload run in a warm process).
4. Each insights view once cold (first request after a change) and once warm (cached).

Usage: python bench/bench_feedback_analysis.py [--customers 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from manyi.demo.load import load_demo
from manyi.feedback import insights
from manyi.feedback import service as feedback_service
from manyi.importing.service import import_file
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade


def _demo_data(folder: Path, customers: int) -> dict:  # type: ignore[type-arg]
    """Run `manyi demo-data --json` in `folder`; returns its report plus the wall time."""
    env = {**os.environ, "MANYI_DATA_DIR": str(folder)}
    env.pop("MANYI_DATABASE_URL", None)
    start = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "manyi", "demo-data", "--json", "--customers", str(customers)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(done.stdout)
    report["wall_seconds"] = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report["cpu_seconds"] = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    return report


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run fn; returns (result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _split(folder: Path, name: str, load) -> None:  # type: ignore[no-untyped-def]
    """Load into a fresh SQLite file with `load`, then analyse; print both costs."""
    engine = make_engine(f"sqlite:///{folder / (name + '.db')}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    _, load_wall, load_cpu = _timed(load, sessions)
    done, wall, cpu = _timed(feedback_service.analyze_all, sessions=sessions)
    engine.dispose()
    print(
        f"{name}: load {load_wall:.2f} s wall / {load_cpu:.2f} s CPU; analysis of "
        f"{done.analyzed:,} items {wall:.2f} s wall / {cpu:.2f} s CPU = "
        f"{done.analyzed / cpu:,.0f} items per CPU-second, "
        f"{cpu / (cpu + load_cpu):.0%} of the CPU time"
    )


def _insights(folder: Path) -> None:
    """Each insights view once cold and once warm on the demo database."""
    engine = make_engine(f"sqlite:///{folder / 'manyi.db'}")
    views = {
        "aspects": lambda s: insights.aspect_summary(session=s),
        "emerging": lambda s: insights.emerging(session=s),
        "topics (latest 20,000)": lambda s: insights.topics(session=s),
        "keywords by month": lambda s: insights.keywords(session=s, by="month"),
        "keywords by channel": lambda s: insights.keywords(session=s, by="channel"),
    }
    with make_session_factory(engine)() as session:
        for label, view in views.items():
            start = time.perf_counter()
            view(session)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            view(session)
            warm = time.perf_counter() - start
            print(f"insights {label:<24} cold {cold:6.2f} s   warm {warm * 1000:6.1f} ms")
    engine.dispose()


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report = _demo_data(folder, args.customers)
        load = report["load"]
        analysis = load["analysis"]
        imports = sum(r["seconds"] for r in load["imports"].values())
        rate = analysis["analyzed"] / analysis["seconds"]
        print(
            f"manyi demo-data: {report['wall_seconds']:.1f} s wall, {report['cpu_seconds']:.1f} s "
            f"CPU; importer {imports:.1f} s; "
            f"text analysis {analysis['analyzed']:,} items in {analysis['seconds']:.2f} s "
            f"({rate:,.0f} items/s, {analysis['seconds'] / report['wall_seconds']:.0%} of the "
            "command's wall time)"
        )
        demo = folder / "demo"
        _split(folder, "load_demo (cold)",
               lambda ss: load_demo(sessions=ss, folder=demo, analyze=False))  # fmt: skip
        _split(folder, "import feedback.csv (warm)",
               lambda ss: import_file(sessions=ss, kind="feedback", path=demo / "feedback.csv",
                                      quarantine_dir=folder))  # fmt: skip
        _insights(folder)


if __name__ == "__main__":
    main()
