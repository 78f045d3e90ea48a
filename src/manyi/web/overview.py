"""Read-only figures for the home page: record counts and feedback by month and channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from manyi.customer.models import Customer
from manyi.feedback.models import FeedbackItem
from manyi.order.models import Order
from manyi.store.base import utcnow

MONTHS_SHOWN = 24


def _month_of(session: Session) -> ColumnElement[str]:
    """A portable 'YYYY-MM' expression over feedback_items.received_at (stored in UTC)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", FeedbackItem.received_at), "YYYY-MM")
    return func.strftime("%Y-%m", FeedbackItem.received_at)


def counts(*, session: Session) -> dict[str, int]:
    """How many customers, orders and feedback items are stored."""
    return {
        "customers": int(session.scalar(select(func.count()).select_from(Customer)) or 0),
        "orders": int(session.scalar(select(func.count()).select_from(Order)) or 0),
        "feedback": int(session.scalar(select(func.count()).select_from(FeedbackItem)) or 0),
    }


def feedback_by_month(*, session: Session) -> dict[str, Any]:
    """Feedback counts per month (last 24 months with data) and channel, shaped for a chart."""
    latest = session.scalar(select(func.max(FeedbackItem.received_at)))
    if latest is None:
        return {"months": [], "series": []}
    since = latest - timedelta(days=31 * MONTHS_SHOWN)
    month = _month_of(session).label("month")
    rows = session.execute(
        select(month, FeedbackItem.channel, func.count())
        .where(FeedbackItem.received_at >= since)
        .group_by(month, FeedbackItem.channel)
    ).all()
    months = sorted({str(r[0]) for r in rows})[-MONTHS_SHOWN:]
    index = {m: i for i, m in enumerate(months)}
    by_channel: dict[str, list[int]] = {}
    for m, channel, n in rows:
        if str(m) in index:
            by_channel.setdefault(str(channel), [0] * len(months))[index[str(m)]] += int(n)
    series = [{"channel": c, "counts": v} for c, v in sorted(by_channel.items())]
    return {"months": months, "series": series}


def overview(*, session: Session) -> dict[str, Any]:
    """Everything the home page shows, as plain JSON-able data."""
    return {
        "counts": counts(session=session),
        "feedback_by_month": feedback_by_month(session=session),
        "generated_at": utcnow().isoformat(),
    }
