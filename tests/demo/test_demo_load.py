"""End to end: generate a small demo set, load it with the importer on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.catalog.models import Product
from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity
from manyi.demo.generator import generate, write_csv
from manyi.demo.load import build_demo, load_demo
from manyi.feedback.models import FeedbackItem
from manyi.interaction.models import Interaction
from manyi.order.models import Order, OrderLine


def _count(session: Session, column: object) -> int:
    """SELECT count(column)."""
    return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def test_demo_loads_completely_and_idempotently(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    data = generate(customers=150, seed=3, months=12)
    write_csv(data, tmp_path)
    result = load_demo(sessions=session_factory, folder=tmp_path)
    for kind, report in result.reports.items():
        assert report.set_aside_total == 0, (kind, report.set_aside)
    orders = data.orders.drop_duplicates("order_no")
    with session_factory() as session:
        assert _count(session, Customer.id) == 150
        assert _count(session, Order.id) == len(orders)
        assert _count(session, OrderLine.id) == len(data.orders)
        assert _count(session, FeedbackItem.id) == len(data.feedback)
        assert _count(session, Interaction.id) == len(data.interactions)
        assert result.enriched["interactions"] == len(data.interactions)
        placed = session.scalar(
            select(func.count(Interaction.id)).where(
                Interaction.event_type == "order_placed", Interaction.order_id.is_not(None)
            )
        )
        assert placed == len(orders)
        assert _count(session, Product.id) == data.orders["sku"].nunique()
        contacts = (data.customers["email"] != "").sum() + (data.customers["phone"] != "").sum()
        assert _count(session, CustomerIdentity.id) == contacts
        assert _count(session, ConsentEvent.id) == 300
        delivered = session.scalar(
            select(func.count(Order.id)).where(Order.delivered_at.is_not(None))
        )
        assert delivered == orders["delivered_at"].notna().sum()
        uncategorised = session.scalar(
            select(func.count(Product.id)).where(Product.category.is_(None))
        )
        assert uncategorised == 0
        first = data.customers.iloc[0]
        row = session.scalars(
            select(Customer).where(Customer.customer_code == first["customer_id"])
        ).one()
        assert row.city_tier == first["city_tier"] and row.name == first["name"]
        assert row.first_seen_at is not None
        seen = (
            row.first_seen_at.replace(tzinfo=dt.UTC)
            if row.first_seen_at.tzinfo is None
            else row.first_seen_at
        )
        assert seen == first["first_seen_at"].to_pydatetime()
        linked = session.scalar(
            select(func.count(FeedbackItem.id)).where(FeedbackItem.order_id.is_not(None))
        )
        assert linked == (data.feedback["order_no"] != "").sum()
    again = load_demo(sessions=session_factory, folder=tmp_path)
    assert all(r.imported == 0 for r in again.reports.values())
    assert again.enriched["interactions"] == 0
    with session_factory() as session:
        assert _count(session, FeedbackItem.id) == len(data.feedback)


def test_build_demo_without_database_only_writes_files(tmp_path: Path) -> None:
    data, loaded = build_demo(sessions=None, folder=tmp_path, customers=60, seed=1, months=9)
    assert loaded is None
    assert (tmp_path / "customers.csv").read_text(encoding="utf-8").count("\n") == 61
    assert len(data.customers) == 60


def test_hostile_strings_load_as_plain_data(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    data = generate(customers=120, seed=4, months=9, hostile=True)
    plain = generate(customers=120, seed=4, months=9)
    hostile_rows = data.feedback_labels["hostile"]
    assert hostile_rows.sum() >= 12 and not plain.feedback_labels["hostile"].any()
    assert (data.feedback["text"] != plain.feedback["text"]).sum() == hostile_rows.sum()
    assert data.orders.equals(plain.orders)
    write_csv(data, tmp_path)
    result = load_demo(sessions=session_factory, folder=tmp_path)
    assert all(r.set_aside_total == 0 for r in result.reports.values())
    with session_factory() as session:
        texts = set(session.scalars(select(FeedbackItem.text)))
        names = set(session.scalars(select(Customer.name)))
    assert "<script>alert(1)</script> package arrived crushed" in texts
    assert "1'; SELECT SLEEP(5)-- 退款一直没到" in texts
    assert "Robert'); DROP TABLE customers;--" in names and "@SUM(1+1)" in names
    assert _count_rows(session_factory) == 120


def _count_rows(session_factory: sessionmaker[Session]) -> int:
    """Customers still all there (nothing dropped by the SQL-looking name)."""
    with session_factory() as session:
        return _count(session, Customer.id)
