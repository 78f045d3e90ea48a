"""The database scoring service (`manyi predict score`) on many generated customers.

Writes N customers with BG/NBD-like order histories (about 3 orders each), marketing consent for
half of them and analysed feedback for a tenth into a fresh database, then times
``scoring.service.score_customers`` end to end: reading orders and feedback, fitting BG/NBD and
Gamma-Gamma, scoring, reasons, storing 5 score rows per customer and writing retention actions;
then a second run for the same date (replace, no duplicate actions).

Usage: python bench/bench_scoring.py [--customers 200000] [--database-url URL]
(default: a SQLite file in a temporary folder)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

import manyi.models  # noqa: F401  (every table registered)
from manyi.customer.models import ConsentEvent, Customer
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.models import Order
from manyi.scoring import service
from manyi.scoring.bulk import insert_rows
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

AS_OF = date(2026, 6, 30)
START = datetime(2024, 7, 1, tzinfo=UTC)


def _orders(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customer index, day offset and amount of every order."""
    first = rng.integers(0, 700, n)
    span = 730 - first
    rate = rng.gamma(0.8, 1 / 60.0, n)  # purchases per day
    alive_days = span * rng.beta(1.0, 1.5, n)
    repeats = rng.poisson(rate * alive_days)
    owner = np.repeat(np.arange(n), repeats + 1)
    offset = np.concatenate([[0], np.cumsum(repeats + 1)[:-1]])
    position = np.arange(len(owner)) - np.repeat(offset, repeats + 1)
    later = rng.random(len(owner)) * np.repeat(alive_days, repeats + 1)
    day = np.repeat(first, repeats + 1) + np.where(position == 0, 0, later)
    amount = np.repeat(rng.gamma(3.0, 60.0, n), repeats + 1) * rng.gamma(8.0, 1 / 8.0, len(owner))
    return owner, day, np.round(amount, 2)


def _put(session: Session, model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert rows of plain Python values into a model's table."""
    insert_rows(session, model.__table__, columns, rows, convert=True)


def populate(url: str, n: int, seed: int = 0) -> int:
    """Fill the database; returns the number of orders."""
    rng = np.random.default_rng(seed)
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    owner, day, amount = _orders(rng, n)
    fb = rng.choice(n, n // 10, replace=False)
    received = [START + timedelta(days=int(d)) for d in rng.integers(400, 730, len(fb))]
    negative = rng.random(len(fb)) < 0.3
    with unit_of_work(sessions) as session:
        _put(session, Customer, ["id", "customer_code", "gender", "created_at", "updated_at"],
             [(i + 1, f"C{i:08d}", "unknown", now, now) for i in range(n)])  # fmt: skip
        _put(session, Order, ["order_no", "customer_id", "ordered_at", "status", "total_amount"],
             [(f"O{k:09d}", int(c) + 1, START + timedelta(days=float(d)), "completed", float(a))
              for k, (c, d, a) in enumerate(zip(owner, day, amount, strict=True))])  # fmt: skip
        _put(session, ConsentEvent, ["customer_id", "purpose", "granted", "recorded_at", "source"],
             [(i + 1, "marketing", bool(i % 2), START, "bench") for i in range(n)])  # fmt: skip
        _put(session, FeedbackItem, ["id", "source_ref", "channel", "received_at", "customer_id",
                                     "rating", "rating_scale", "created_at"],
             [(k + 1, f"F{k}", "survey", r, int(c) + 1, float(rng.integers(0, 11)), "0-10", now)
              for k, (c, r) in enumerate(zip(fb, received, strict=True))])  # fmt: skip
        _put(session, FeedbackAnalysis, ["feedback_id", "sentiment", "types", "aspects",
                                         "model_version", "analyzed_at"],
             [(k + 1, "negative" if bad else "positive", ["complaint" if bad else "praise"],
               [["logistics", "negative" if bad else "positive"]], "bench", now)
              for k, bad in enumerate(negative)])  # fmt: skip
    engine.dispose()
    return len(owner)


class StepTimer:
    """A progress callback that charges the time since its previous call to the step that ended."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._last = time.perf_counter()
        self._step: str | None = None

    def __call__(self, step: str, done: int, total: int) -> None:
        """Record the step that just ended."""
        now = time.perf_counter()
        if self._step is not None:
            self.steps[self._step] = now - self._last
        self._last, self._step = now, step


def main() -> None:
    """Populate, then time two scoring runs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="manyi-bench-scoring-")
    url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
    started = time.perf_counter()
    orders = populate(url, args.customers)
    print(f"wrote {args.customers:,} customers, {orders:,} orders in "
          f"{time.perf_counter() - started:.1f} s ({url.split(':')[0]})")  # fmt: skip
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    for label in ("first run", "same date again"):
        timer = StepTimer()
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            result = service.score_customers(session=session, as_of=AS_OF, progress=timer)
        total = time.perf_counter() - started
        split = ", ".join(f"{k} {v:.2f}" for k, v in timer.steps.items())
        print(f"{label}: {result.customers_scored:,} customers scored, {result.rows_written:,} "
              f"score rows, {result.actions_created:,} actions created, "
              f"{result.actions_refreshed:,} refreshed in {total:.2f} s (steps, s: {split})")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
