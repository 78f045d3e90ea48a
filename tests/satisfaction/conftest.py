"""A small hand-made feedback store whose metrics are computed by hand in the tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from manyi.catalog.models import Product
from manyi.customer.models import Customer
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.models import Order, OrderLine
from manyi.segment.models import SegmentMembership, SegmentSnapshot


def _at(month: int, day: int) -> datetime:
    """A time in 2026 (UTC)."""
    return datetime(2026, month, day, 12, tzinfo=UTC)


def seed(sessions: sessionmaker[Session]) -> None:
    """Customers, orders, 0-10 / 1-5 / 1-7 answers, one analysis and one segment snapshot.

    NPS in March: 10, 9, 9, 7, 3 -> 3 promoters, 1 passive, 1 detractor = 40
    (华东: 10, 9, 7 -> 66.7; 西北: 9, 3 -> 0). April (region from the customer, 西北):
    0, 0, 10 -> -33.3. All months: 4 promoters, 1 passive, 3 detractors -> 12.5.
    One stored 4.5 is invalid; one 0-10 item without a rating is not an answer.
    CSAT (1-5): 5, 4, 3, 2, 1 -> top-2-box 40 %, mean 3. CES (1-7): 7, 6, 2 -> mean 5.
    """
    with sessions.begin() as s:
        c1 = Customer(
            customer_code="C1",
            region="华东",
            gender="female",
            birthday=date(1990, 6, 15),
            city_tier=1,
            income_band="10k-20k",
        )
        c2 = Customer(customer_code="C2", region="西北", gender="male", birthday=date(1960, 1, 1))
        c3 = Customer(customer_code="C3")
        food = Product(sku="P1", category="食品")
        gadget = Product(sku="P2", category="数码")
        s.add_all([c1, c2, c3, food, gadget])
        s.flush()
        o1 = Order(order_no="O1", customer_id=c1.id, ordered_at=_at(3, 1), channel="app")
        s.add(o1)
        s.flush()
        s.add_all(
            [
                OrderLine(order_id=o1.id, line_no=1, product_id=food.id, quantity=1,
                          unit_price=Decimal(10), amount=Decimal(10)),
                OrderLine(order_id=o1.id, line_no=2, product_id=gadget.id, quantity=1,
                          unit_price=Decimal(50), amount=Decimal(50)),
            ]
        )  # fmt: skip
        nps = [
            (10, 3, 10, "华东", c1.id, o1.id),
            (9, 3, 11, "华东", c1.id, None),
            (7, 3, 12, "华东", c1.id, None),
            (9, 3, 13, "西北", c2.id, None),
            (3, 3, 14, "西北", c2.id, None),
            (0, 4, 2, None, c2.id, None),
            (0, 4, 3, None, c2.id, None),
            (10, 4, 4, None, c2.id, None),
        ]
        for i, (rating, month, day, region, customer, order) in enumerate(nps):
            s.add(
                FeedbackItem(source_ref=f"nps-{i}", channel="survey", received_at=_at(month, day),
                             rating=rating, rating_scale="0-10", region=region,
                             customer_id=customer, order_id=order, touchpoint="delivery")
            )  # fmt: skip
        s.add(FeedbackItem(source_ref="nps-bad", channel="survey", received_at=_at(3, 20),
                           rating=4.5, rating_scale="0-10"))  # fmt: skip
        s.add(FeedbackItem(source_ref="nps-none", channel="survey", received_at=_at(3, 21),
                           rating=None, rating_scale="0-10", text="没有打分"))  # fmt: skip
        for i, rating in enumerate([5, 4, 3, 2, 1]):
            s.add(FeedbackItem(source_ref=f"csat-{i}", channel="review", received_at=_at(3, 5 + i),
                               rating=rating, rating_scale="1-5", customer_id=c3.id))  # fmt: skip
        for i, rating in enumerate([7, 6, 2]):
            s.add(FeedbackItem(source_ref=f"ces-{i}", channel="web_form", received_at=_at(3, 5 + i),
                               rating=rating, rating_scale="1-7"))  # fmt: skip
        s.flush()
        first = s.query(FeedbackItem).filter_by(source_ref="nps-0").one()
        s.add(
            FeedbackAnalysis(feedback_id=first.id, sentiment="negative", model_version="t",
                             aspects=[["logistics", "negative"], ["price_value", "positive"]],
                             types=["complaint"])
        )  # fmt: skip
        snapshot = SegmentSnapshot(kind="tiers", as_of=date(2026, 4, 30))
        s.add(snapshot)
        s.flush()
        s.add(SegmentMembership(snapshot_id=snapshot.id, customer_id=c1.id, segment="gold"))


@pytest.fixture
def seeded(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The session factory of a test database holding the hand-made store."""
    seed(session_factory)
    return session_factory
