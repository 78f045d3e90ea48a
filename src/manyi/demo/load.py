"""Load a generated demo folder into the database through the importer, then add what it skips.

The importer (:func:`manyi.importing.service.import_file`) loads customers, orders and feedback;
the demo files also carry columns the importer does not read (``city_tier`` and ``first_seen_at``
of customers, ``delivered_at`` of orders, ``category`` of products). They are written afterwards
with bulk, parameterised UPDATEs keyed by the natural keys, and the touchpoint events of
``interactions.csv`` (which the importer does not handle) with bulk INSERTs that skip existing
``source_ref`` values, all in one transaction. Last, every feedback text is analysed and the
results stored (:func:`manyi.feedback.service.analyze_all`), as after any feedback import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text.aspects import AspectTaxonomy
from manyi.catalog.models import Product
from manyi.customer import service as customer_service
from manyi.customer.models import Customer
from manyi.demo.generator import FILES, DemoData, generate, write_csv
from manyi.feedback import service as feedback_service
from manyi.feedback.service import AnalysisProgress
from manyi.importing.mapping import Kind
from manyi.importing.service import ImportReport, import_file
from manyi.interaction.models import Interaction
from manyi.order.models import Order
from manyi.store.engine import unit_of_work

KINDS: tuple[Kind, ...] = ("customers", "orders", "feedback")
_CHUNK = 2000


@dataclass
class LoadResult:
    """The importer's report per file and how many rows the enrichment step updated."""

    reports: dict[str, ImportReport] = field(default_factory=dict)
    enriched: dict[str, int] = field(default_factory=dict)
    analysis: AnalysisProgress | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "imports": {k: r.to_dict() for k, r in self.reports.items()},
            "enriched": self.enriched,
            "analysis": self.analysis.to_dict() if self.analysis else None,
        }


def load_demo(
    *,
    sessions: sessionmaker[Session],
    folder: Path,
    on_file: Callable[[str], None] | None = None,
    analyze: bool = True,
    taxonomy: AspectTaxonomy | None = None,
) -> LoadResult:
    """Import customers, orders and feedback from `folder`, add the extra columns, analyse texts.

    `on_file` is told each step: "customers", "orders", "feedback", then "text analysis".
    """
    result = LoadResult()
    for kind in KINDS:
        if on_file:
            on_file(kind)
        result.reports[kind] = import_file(
            sessions=sessions,
            kind=kind,
            path=folder / FILES[kind],
            quarantine_dir=folder,
        )
    with unit_of_work(sessions) as session:
        result.enriched = _enrich(session, folder)
        if (folder / FILES["interactions"]).exists():
            result.enriched["interactions"] = _load_interactions(session, folder)
    if analyze:
        if on_file:
            on_file("text analysis")
        result.analysis = feedback_service.analyze_all(sessions=sessions, taxonomy=taxonomy)
    return result


def build_demo(
    *,
    sessions: sessionmaker[Session] | None,
    folder: Path,
    customers: int = 3000,
    seed: int = 42,
    months: int = 24,
    end_date: dt.date = dt.date(2026, 10, 31),
) -> tuple[DemoData, LoadResult | None]:
    """Generate the demo set into `folder` and, when `sessions` is given, load it.

    Raises ValueError for unsupported sizes or dates (see :func:`manyi.demo.generator.generate`).
    """
    data = generate(customers=customers, seed=seed, months=months, end_date=end_date)
    write_csv(data, folder)
    if sessions is None:
        return data, None
    return data, load_demo(sessions=sessions, folder=folder)


def _utc(values: pd.Series) -> list[Any]:
    """ISO texts with offsets -> tz-aware UTC datetimes (None for blanks)."""
    parsed = pd.to_datetime(values.replace("", None), utc=True, format="ISO8601")
    return [None if pd.isna(t) else t.to_pydatetime() for t in parsed]


def _bulk_update(session: Session, table: Table, key: str, rows: list[dict[str, Any]]) -> int:
    """UPDATE table SET ... WHERE key = :b_key for each row (executemany, in chunks)."""
    if not rows:
        return 0
    columns = [c for c in rows[0] if c != "b_key"]
    stmt = (
        update(table)
        .where(table.c[key] == bindparam("b_key"))
        .values({c: bindparam(f"b_{c}") for c in columns})
    )
    params = [{"b_key": r["b_key"], **{f"b_{c}": r[c] for c in columns}} for r in rows]
    conn = session.connection()
    for start in range(0, len(params), _CHUNK):
        conn.execute(stmt, params[start : start + _CHUNK])
    return len(params)


def _enrich(session: Session, folder: Path) -> dict[str, int]:
    """Write city tier, first-seen time, delivery time and product category."""
    read = {"dtype": str, "keep_default_na": False, "encoding": "utf-8"}
    people = pd.read_csv(folder / FILES["customers"], **read)
    lines = pd.read_csv(folder / FILES["orders"], **read)
    customers = [
        {"b_key": code, "city_tier": int(tier) if tier else None, "first_seen_at": seen}
        for code, tier, seen in zip(
            people["customer_id"], people["city_tier"], _utc(people["first_seen_at"]), strict=True
        )
    ]
    orders = lines.drop_duplicates("order_no")
    delivered = [
        {"b_key": no, "delivered_at": at}
        for no, at in zip(orders["order_no"], _utc(orders["delivered_at"]), strict=True)
        if at is not None
    ]
    products = lines.drop_duplicates("sku")
    categories = [
        {"b_key": sku, "category": cat}
        for sku, cat in zip(products["sku"], products["category"], strict=True)
    ]
    customer_table: Table = Customer.__table__  # type: ignore[assignment]
    order_table: Table = Order.__table__  # type: ignore[assignment]
    product_table: Table = Product.__table__  # type: ignore[assignment]
    return {
        "customers": _bulk_update(session, customer_table, "customer_code", customers),
        "orders_delivered_at": _bulk_update(session, order_table, "order_no", delivered),
        "products": _bulk_update(session, product_table, "sku", categories),
    }


def _ids(session: Session, key: Any, ident: Any, values: list[str]) -> dict[str, int]:
    """Map natural keys to primary keys, querying in chunks."""
    out: dict[str, int] = {}
    for start in range(0, len(values), customer_service.IN_CHUNK):
        part = values[start : start + customer_service.IN_CHUNK]
        out.update(dict(session.execute(select(key, ident).where(key.in_(part))).all()))
    return out


def _load_interactions(session: Session, folder: Path) -> int:
    """Insert the touchpoint events that are not in the database yet; returns how many were new."""
    frame = pd.read_csv(
        folder / FILES["interactions"], dtype=str, keep_default_na=False, encoding="utf-8"
    )
    existing = set(
        _ids(session, Interaction.source_ref, Interaction.id, frame["interaction_id"].tolist())
    )
    frame = frame[~frame["interaction_id"].isin(existing)]
    customers = _ids(
        session, Customer.customer_code, Customer.id, frame["customer_id"].unique().tolist()
    )
    nos = [n for n in frame["order_no"].unique().tolist() if n]
    orders = _ids(session, Order.order_no, Order.id, nos)
    rows = [
        {"source_ref": ref, "customer_id": customers.get(code), "order_id": orders.get(no),
         "occurred_at": at, "channel": channel, "touchpoint": touch, "journey_stage": stage,
         "event_type": event}
        for ref, code, no, at, channel, touch, stage, event in zip(
            frame["interaction_id"], frame["customer_id"], frame["order_no"],
            _utc(frame["occurred_at"]), frame["channel"], frame["touchpoint"],
            frame["journey_stage"], frame["event_type"], strict=True,
        )
    ]  # fmt: skip
    table: Table = Interaction.__table__  # type: ignore[assignment]
    for start in range(0, len(rows), _CHUNK * 5):
        customer_service.insert_ignoring_conflicts(
            session, table, rows[start : start + _CHUNK * 5], ["source_ref"]
        )
    return len(rows)
