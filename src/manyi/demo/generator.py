"""Generate the demo data set: customers, order lines and feedback, deterministic per seed.

Everything random is drawn from one ``numpy.random.Generator`` seeded with ``seed`` (texts use a
``random.Random`` seeded from it), in a fixed order, so the same arguments give identical frames
and byte-identical CSV files. See :mod:`manyi.demo.signals` for the planted signals.

Example
-------
>>> data = generate(customers=300, seed=1, months=12)
>>> sorted(data.frames())
['customers', 'feedback', 'feedback_labels', 'interactions', 'orders']
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from manyi.demo import customers as customer_gen
from manyi.demo import feedback as feedback_gen
from manyi.demo import interactions as interaction_gen
from manyi.demo import orders as order_gen
from manyi.demo.catalog import product_catalog
from manyi.demo.hostile import add_hostile
from manyi.demo.seasonality import check_years, day_weights
from manyi.demo.signals import planted_signals

TIMEZONE = "Asia/Shanghai"
CUSTOMER_COLUMNS = (
    "customer_id", "name", "gender", "birthday", "city", "region", "city_tier", "income_band",
    "occupation", "preferred_channel", "preferred_language", "email", "phone",
    "consent_marketing", "consent_surveys", "first_seen_at",
)  # fmt: skip
ORDER_COLUMNS = (
    "order_no", "customer_id", "ordered_at", "channel", "store", "region", "status", "sku",
    "product_name", "category", "quantity", "unit_price", "amount", "delivered_at",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "feedback_id", "customer_id", "order_no", "channel", "received_at", "text", "rating",
    "rating_scale", "touchpoint", "store", "region",
)  # fmt: skip
FILES = {"customers": "customers.csv", "orders": "orders.csv", "feedback": "feedback.csv",
         "interactions": "interactions.csv", "feedback_labels": "feedback_labels.csv"}  # fmt: skip


@dataclass(frozen=True)
class Window:
    """The days the data covers (local dates) and their order-volume weights."""

    start: dt.date
    end: dt.date
    days: pd.DatetimeIndex
    weights: np.ndarray
    cumulative: np.ndarray = field(repr=False)

    @property
    def n_days(self) -> int:
        """Number of days in the window."""
        return len(self.days)


@dataclass
class DemoData:
    """The generated frames (CSV columns) plus the answer key and the planted signals."""

    customers: pd.DataFrame
    orders: pd.DataFrame
    feedback: pd.DataFrame
    feedback_labels: pd.DataFrame
    interactions: pd.DataFrame
    products: pd.DataFrame
    signals: dict[str, dict[str, Any]]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The frames written to CSV, by name."""
        return {
            "customers": self.customers,
            "orders": self.orders,
            "feedback": self.feedback,
            "interactions": self.interactions,
            "feedback_labels": self.feedback_labels,
        }


def make_window(end_date: dt.date, months: int) -> Window:
    """The window of `months` calendar months ending on `end_date` (its month counts as one)."""
    index = end_date.year * 12 + end_date.month - 1 - (months - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    check_years(start, end_date)
    days = pd.date_range(start, end_date, freq="D")
    weights = day_weights([d.date() for d in days])
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    return Window(start, end_date, days, weights, cumulative)


def generate(
    *,
    customers: int = 3000,
    seed: int = 42,
    months: int = 24,
    end_date: dt.date = dt.date(2026, 10, 31),
    hostile: bool = False,
) -> DemoData:
    """Generate the demo data set.

    Parameters
    ----------
    customers : int
        Number of customers (at least 50).
    seed : int
        Seed of the random generator; the same arguments give the same data.
    months : int
        Calendar months of history, the last one being `end_date`'s month (9 to 60).
    end_date : datetime.date
        Last day of the data.
    hostile : bool
        Put hostile strings (markup, SQL, formulas, ...) into ~0.5% of names and texts; see
        :mod:`manyi.demo.hostile`. Everything else stays identical.

    Returns
    -------
    DemoData
        Frames with the CSV columns, the feedback answer key and the planted signals.
    """
    _validate(customers, months, end_date)
    rng = np.random.default_rng(seed)
    text_rng = random.Random(int(rng.integers(0, 2**63 - 1)))
    window = make_window(end_date, months)
    products = product_catalog()
    people = customer_gen.generate_customers(rng, customers, window)
    lines, orders = order_gen.generate_orders(rng, people, products, window)
    churn = order_gen.plant_vip_churn(rng, people, lines, orders, window)
    lines, orders = churn.lines, churn.orders
    feedback, labels = feedback_gen.generate_feedback(
        rng, text_rng, people, orders, lines, products, window, churn.complaints
    )
    signals = planted_signals(end_date, customers)
    signals["vip_churn"]["customers"] = len(churn.complaints)  # fewer when the data set is tiny
    interactions = interaction_gen.generate_interactions(
        rng,
        orders,
        feedback[["customer_id", "order_no", "channel", "received_at"]],
        pd.Timestamp(window.start).tz_localize(TIMEZONE),
        pd.Timestamp(window.end).tz_localize(TIMEZONE) + pd.Timedelta(days=1),
    )
    people_out = people[list(CUSTOMER_COLUMNS)].reset_index(drop=True)
    feedback_out = feedback[list(FEEDBACK_COLUMNS)].reset_index(drop=True)
    labels = labels.reset_index(drop=True)
    labels["hostile"] = False
    if hostile:
        people_out, feedback_out, rows = add_hostile(seed, people_out, feedback_out)
        labels.loc[rows, "hostile"] = True
    return DemoData(
        customers=people_out,
        orders=lines[list(ORDER_COLUMNS)].reset_index(drop=True),
        feedback=feedback_out,
        feedback_labels=labels,
        interactions=interactions,
        products=products,
        signals=signals,
    )


def _validate(customers: int, months: int, end_date: dt.date) -> None:
    """Raise ValueError for sizes the generator does not support."""
    if not 50 <= customers <= 200_000:
        raise ValueError(f"customers: must be between 50 and 200000, got {customers}")
    if not 9 <= months <= 60:
        raise ValueError(f"months: must be between 9 and 60, got {months}")
    if not isinstance(end_date, dt.date):
        raise ValueError(f"end_date: expected a date, got {end_date!r}")


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Format a frame for CSV: local times with their +08:00 offset, money with two decimals."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = _iso_local(s)
        elif col in ("unit_price", "amount"):
            out[col] = s.map(lambda x: f"{x:.2f}")
        elif col == "rating":
            out[col] = s.map(lambda x: "" if pd.isna(x) else str(int(x)))
    return out


def _iso_local(values: pd.Series) -> pd.Series:
    """'YYYY-MM-DD HH:MM:SS+08:00' for tz-aware times ('' for missing), vectorised."""
    local = values.dt.tz_localize(None)
    minutes = (local - values.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds() // 60
    sign = pd.Series("+", index=values.index).where(minutes.fillna(0) >= 0, "-")
    whole = minutes.abs().fillna(0).astype(int)
    offset = sign + (whole // 60).map("{:02d}".format) + ":" + (whole % 60).map("{:02d}".format)
    text = local.dt.strftime("%Y-%m-%d %H:%M:%S") + offset
    return text.where(values.notna(), "")


def write_csv(data: DemoData, folder: Path) -> dict[str, Path]:
    """Write customers/orders/feedback (and the feedback answer key) as UTF-8 CSV into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, frame in data.frames().items():
        path = folder / FILES[name]
        _csv_frame(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths[name] = path
    return paths
