"""Small hand-made data for the segment service tests (figures checkable by hand).

As of 2024-06-30 (recency in days, frequency = purchase orders, monetary = net spend):

| customer | orders                                              | R   | F | M   |
|----------|-----------------------------------------------------|-----|---|-----|
| A        | 2024-03-01 30, 2024-05-01 50, 2024-06-20 100        | 10  | 3 | 180 |
| B        | 2024-06-01 500                                      | 29  | 1 | 500 |
| C        | 2024-01-10 20 (+ a cancelled order of 999)          | 172 | 1 | 20  |
| D        | 2023-07-01 40, 2023-08-01 40                        | 334 | 2 | 80  |
| E        | none                                                | -   | - | -   |
| F        | 2024-06-29 1000, but erased: never segmented        | -   | - | -   |
| G        | only 2024-07-05 70, after the as-of day             | -   | - | -   |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.models import Order, OrderLine
from manyi.store.engine import unit_of_work

AS_OF = date(2024, 6, 30)
EARLIER = date(2024, 3, 31)
ORDERS = {
    "A": [("2024-03-01", 30), ("2024-05-01", 50), ("2024-06-20", 100)],
    "B": [("2024-06-01", 500)],
    "C": [("2024-01-10", 20), ("2024-02-01", 999, "cancelled")],
    "D": [("2023-07-01", 40), ("2023-08-01", 40)],
    "F": [("2024-06-29", 1000)],
    "G": [("2024-07-05", 70)],
}
PEOPLE = {
    "A": {"name": "张三", "gender": "female", "birthday": date(1995, 7, 1), "city_tier": 1,
          "occupation": "white_collar", "preferred_channel": "app", "city": "上海"},
    "B": {"name": "Li Si", "gender": "male", "birthday": date(1970, 1, 1), "city_tier": 1,
          "occupation": "executive", "preferred_channel": "store", "city": "北京"},
    "C": {"name": "王五", "gender": "female", "birthday": date(1955, 3, 3), "city_tier": 4,
          "occupation": "retired", "preferred_channel": "store", "city": "=cmd|' /C calc'!A0"},
    "D": {"name": "赵六", "gender": "male", "birthday": None, "city_tier": 2,
          "occupation": "student", "preferred_channel": "web", "city": "成都"},
    "E": {"name": "<script>alert(1)</script>", "gender": "unknown", "birthday": None,
          "city_tier": None, "occupation": None, "preferred_channel": None, "city": None},
    "F": {"name": "Erased", "gender": "unknown", "birthday": None, "city_tier": 1,
          "occupation": None, "preferred_channel": None, "city": None},
    "G": {"name": "钱七", "gender": "male", "birthday": None, "city_tier": 3,
          "occupation": None, "preferred_channel": None, "city": "长沙"},
}  # fmt: skip


def _at(day: str, hour: int = 10) -> datetime:
    """A UTC time on a day."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def seed(session: Session) -> dict[str, int]:
    """Insert the customers, orders, feedback (with analyses) of the table above; returns ids."""
    ids: dict[str, int] = {}
    for code, attrs in PEOPLE.items():
        customer = Customer(customer_code=code, **attrs)
        if code == "F":
            customer.erased_at = _at("2024-06-30")
        session.add(customer)
        session.flush()
        ids[code] = customer.id
    session.add_all(
        [
            CustomerIdentity(customer_id=ids["A"], kind="email", value="zhangsan@example.com"),
            CustomerIdentity(customer_id=ids["A"], kind="phone", value="+8613812345678"),
            CustomerIdentity(customer_id=ids["B"], kind="email", value="lisi@example.org"),
            ConsentEvent(customer_id=ids["A"], purpose="marketing", granted=True, source="t",
                         recorded_at=_at("2024-01-01")),
            ConsentEvent(customer_id=ids["A"], purpose="marketing", granted=False, source="t",
                         recorded_at=_at("2024-02-01")),
        ]
    )  # fmt: skip
    n = 0
    for code, orders in ORDERS.items():
        for day, amount, *status in orders:
            n += 1
            order = Order(
                order_no=f"SO{n:04d}",
                customer_id=ids[code],
                ordered_at=_at(day),
                channel="app",
                status=status[0] if status else "completed",
                total_amount=Decimal(amount),
            )
            session.add(order)
            session.flush()
            session.add(
                OrderLine(
                    order_id=order.id,
                    line_no=1,
                    sku="SKU1",
                    quantity=1,
                    unit_price=Decimal(amount),
                    amount=Decimal(amount),
                )
            )
    feedback = [
        ("A", "2024-06-21", "价格实惠，快递很快。联系我 13812345678", 10.0, "0-10", "positive",
         [["price_value", "positive"], ["logistics", "positive"]], "价格实惠，快递很快。联系我 138****5678"),
        ("B", "2024-06-02", "服务太差了", 3.0, "0-10", "negative",
         [["customer_service", "negative"]], "服务太差了"),
        ("D", "2023-08-05", "包装破了", 2.0, "1-5", "negative", [["packaging", "negative"]],
         "包装破了"),
        ("A", "2024-07-10", "after the as-of day", 0.0, "0-10", "negative",
         [["price_value", "negative"]], "after the as-of day"),
    ]  # fmt: skip
    for i, (code, day, text, rating, scale, sentiment, aspects, masked) in enumerate(feedback):
        item = FeedbackItem(
            source_ref=f"fb-{i}",
            channel="survey",
            received_at=_at(day),
            text=text,
            rating=rating,
            rating_scale=scale,
            customer_id=ids[code],
        )
        session.add(item)
        session.flush()
        session.add(
            FeedbackAnalysis(
                feedback_id=item.id,
                language="zh-Hans",
                sentiment=sentiment,
                sentiment_score=0.9 if sentiment == "positive" else -0.9,
                types=["praise" if sentiment == "positive" else "complaint"],
                aspects=aspects,
                text_masked=masked,
                model_version="test",
            )
        )
    session.flush()
    return ids


@pytest.fixture
def seeded(session_factory: sessionmaker[Session]) -> tuple[sessionmaker[Session], dict[str, int]]:
    """The test database with the hand-made data; returns (sessions, customer ids by code)."""
    with unit_of_work(session_factory) as session:
        ids = seed(session)
    return session_factory, ids


@pytest.fixture
def seeder() -> Callable[[Session], dict[str, int]]:
    """The `seed` function as a fixture, for tests in other folders."""
    return seed
