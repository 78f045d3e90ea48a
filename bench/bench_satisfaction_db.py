"""Benchmark: the satisfaction service over answers stored in the database.

Fills a fresh SQLite file (or the PostgreSQL database named by ``--url``, which must be empty
and migrated) with synthetic 0-10 answers over two years and nine regions, then times the
calls the API and the staff page make. Most of the time is reading the rows (bulk SELECT into
pandas); the metrics themselves are the analytics library's single counting pass.

    python bench/bench_satisfaction_db.py [--rows 200000] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from manyi.feedback.models import FeedbackItem
from manyi.satisfaction import service
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade

REGIONS = np.array(["华东", "华南", "华北", "华中", "西南", "西北", "东北", "港澳台", "海外"])


def fill(url: str, rows: int, seed: int = 0) -> None:
    """Insert ``rows`` synthetic NPS answers spread over 700 days."""
    engine = make_engine(url)
    upgrade(engine)
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    minutes = rng.integers(0, 700 * 24 * 60, rows)
    ratings = rng.integers(0, 11, rows)
    regions = rng.choice(REGIONS, rows)
    batch = [
        {
            "source_ref": f"bench-{i}",
            "channel": "survey",
            "received_at": start + timedelta(minutes=int(m)),
            "rating": float(r),
            "rating_scale": "0-10",
            "region": str(g),
            "touchpoint": "delivery",
        }
        for i, (m, r, g) in enumerate(zip(minutes, ratings, regions, strict=True))
    ]
    with engine.begin() as conn:
        conn.execute(insert(FeedbackItem), batch)
    engine.dispose()


def timed(label: str, call: Callable[[], Any]) -> None:
    """Print the wall time of one call."""
    began = time.perf_counter()
    call()
    print(f"{label:<36} {time.perf_counter() - began:6.2f} s")


def main() -> None:
    """Fill, then time summary, trend, period comparison and the page's bundle."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    timed(f"insert {args.rows:,} answers", lambda: fill(url, args.rows))
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        s: Session = session
        timed("NPS overall", lambda: service.summary(session=s, metric="nps"))
        timed("NPS by region", lambda: service.summary(session=s, metric="nps", by="region"))
        timed("NPS trend by month", lambda: service.trend(session=s, metric="nps"))
        timed("NPS this month vs last", lambda: service.compare_periods(session=s, metric="nps"))
        timed(
            "NPS all region pairs (Holm)",
            lambda: service.compare(session=s, metric="nps", by="region"),
        )
        timed("staff page bundle (NPS)", lambda: service.dashboard(session=s, metric="nps"))
    engine.dispose()


if __name__ == "__main__":
    main()
