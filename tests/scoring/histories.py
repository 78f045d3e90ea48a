"""Hand-made purchase histories, feedback and consent for the scoring tests (not a test module).

Thirty background customers buy at their own steady cadence; a few special customers carry the
cases the tests check (an open complaint, lapsed buyers with and without marketing consent, a
one-time buyer with a low NPS answer, and customers who must not be scored).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.models import Order

AS_OF = date(2025, 6, 30)
START = datetime(2024, 1, 1, 10, tzinfo=UTC)
NOT_SCORED = ("CANCELLED", "FUTURE", "ERASED")


def _orders(session: Session, customer: Customer, days: list[int], amount: float,
            status: str = "completed", rng: np.random.Generator | None = None) -> None:  # fmt: skip
    """Add one order per day offset from START (amounts varied by `rng` when given)."""
    for n, day in enumerate(days):
        spend = amount * (
            rng.gamma(4.0, 0.25) if rng is not None else 0.7 + 0.3 * ((n * 7) % 5) / 2
        )
        session.add(Order(
            order_no=f"{customer.customer_code}-{n}", customer_id=customer.id,
            ordered_at=START + timedelta(days=day), status=status,
            total_amount=Decimal(str(round(spend, 2))),
        ))  # fmt: skip


def _customer(
    session: Session, code: str, name: str, consent: list[bool] | None = None
) -> Customer:
    """A customer with e-mail and phone and, optionally, marketing consent events in order."""
    customer = Customer(customer_code=code, name=name)
    session.add(customer)
    session.flush()
    session.add_all([
        CustomerIdentity(customer_id=customer.id, kind="email", value=f"{code.lower()}@example.com"),
        CustomerIdentity(customer_id=customer.id, kind="phone", value="13912345678"[:-2] + f"{customer.id:02d}"[-2:]),
    ])  # fmt: skip
    for i, granted in enumerate(consent or []):
        session.add(ConsentEvent(
            customer_id=customer.id, purpose="marketing", granted=granted, source="test",
            recorded_at=START + timedelta(days=i),
        ))  # fmt: skip
    return customer


def _feedback(session: Session, customer: Customer, day: date, *, rating: float | None = None,
              scale: str | None = None, types: list[str] | None = None,
              sentiment: str | None = None, aspects: list[list[str]] | None = None) -> None:  # fmt: skip
    """One feedback item with its stored analysis."""
    item = FeedbackItem(
        source_ref=f"{customer.customer_code}-{day}-{rating}", channel="email",
        received_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9),
        text="物流太慢了" if sentiment == "negative" else "还行", rating=rating, rating_scale=scale,
        customer_id=customer.id,
    )  # fmt: skip
    session.add(item)
    session.flush()
    if sentiment is not None:
        session.add(FeedbackAnalysis(
            feedback_id=item.id, sentiment=sentiment, sentiment_score=-0.8, types=types or [],
            aspects=aspects or [], model_version="test",
        ))  # fmt: skip


def _buying_days(rng: np.random.Generator) -> list[int]:
    """Purchase days of a BG/NBD-like buyer: Poisson purchases, may drop out after each one."""
    day, days = float(rng.integers(0, 120)), []
    rate, drop = rng.gamma(2.0, 1 / 40), rng.beta(1.0, 6.0)
    while day < 540:
        days.append(int(day))
        if rng.random() < drop:
            break
        day += rng.exponential(1 / rate)
    return days


def seed(session: Session) -> None:
    """Write the histories (the caller commits)."""
    rng = np.random.default_rng(1)
    for i in range(30):
        customer = _customer(session, f"B{i:02d}", f"Bg{i}", consent=[bool(i % 2)])
        _orders(session, customer, _buying_days(rng), float(rng.gamma(4, 40)), rng=rng)
    vip = _customer(session, "VIP1", "张三丰", consent=[True])
    _orders(session, vip, list(range(0, 536, 7)), 1000.0)
    _feedback(session, vip, AS_OF - timedelta(days=10), types=["complaint"],
              sentiment="negative", aspects=[["logistics", "negative"]])  # fmt: skip
    for code, consent in (("LAPSED_NO", [True, False]), ("LAPSED_YES", [True])):
        lapsed = _customer(session, code, "李四", consent=consent)
        _orders(session, lapsed, list(range(0, 180, 14)), 60.0)
    once = _customer(session, "ONCE", "王五")
    _orders(session, once, [60], 50.0)
    _feedback(session, once, AS_OF - timedelta(days=60), rating=2.0, scale="0-10")
    _orders(session, _customer(session, "CANCELLED", "赵六"), [10, 40], 80.0, status="cancelled")
    _orders(session, _customer(session, "FUTURE", "钱七"), [560, 600], 80.0)
    erased = _customer(session, "ERASED", "孙八")
    erased.erased_at = datetime(2025, 1, 1, tzinfo=UTC)
    _orders(session, erased, [10, 50, 90], 80.0)
    session.flush()
