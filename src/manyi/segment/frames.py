"""Bulk reads for segmentation: cleaned order lines, feedback aspects, ratings and scores.

Every reader runs one query per table and reduces with pandas (never row by row through the
ORM). Customer ids in the frames are customer codes, as in the analytics; erased customers are
left out everywhere.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from manyi.analytics.segments.orders import CleanedOrders, clean_orders
from manyi.customer.models import Customer
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.frames import order_lines_frame
from manyi.scoring.models import CustomerScore
from manyi.store.timestamps import end_of_day, naive_utc

#: Score kinds read as a customer's churn probability (the newest of them wins).
CHURN_SCORE_KINDS = ("churn", "churn_risk", "churn_probability")

#: Aspect keys of the text analytics mapped to the words the persona narratives know.
_PERSONA_ASPECTS = {
    "price_value": "price",
    "customer_service": "service",
    "product_quality": "quality",
    "app_website": "app",
}


def cleaned_order_lines(*, session: Session, as_of: date, codes: pd.Series) -> CleanedOrders:
    """Order lines of the given (not erased) customers, cleaned as of `as_of`."""
    lines = order_lines_frame(session=session)
    lines = lines[lines["customer_id"].isin(set(codes))].reset_index(drop=True)
    return clean_orders(lines, as_of)


def feedback_aspects_frame(*, session: Session, as_of: date) -> pd.DataFrame:
    """One row per analysed aspect of feedback received up to `as_of`.

    Columns: ``customer_id`` (code), ``aspect`` (persona vocabulary where it has a word) and
    ``sentiment`` (the aspect's polarity: positive, neutral or negative).
    """
    stmt = (
        select(Customer.customer_code.label("customer_id"), FeedbackAnalysis.aspects)
        .join(FeedbackItem, FeedbackItem.id == FeedbackAnalysis.feedback_id)
        .join(Customer, Customer.id == FeedbackItem.customer_id)
        .where(FeedbackItem.received_at < end_of_day(as_of), Customer.erased_at.is_(None))
    )
    rows = session.execute(stmt).all()
    records = [
        (code, _PERSONA_ASPECTS.get(str(pair[0]), str(pair[0])), str(pair[1]))
        for code, aspects in rows
        for pair in (aspects or [])
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    return pd.DataFrame(records, columns=["customer_id", "aspect", "sentiment"])


def feedback_signals_frame(*, session: Session, as_of: date) -> pd.DataFrame:
    """Per customer: latest 0-10 answer (``nps``), latest 1-5 rating (``csat``), feedback counts.

    Columns: ``customer_id, nps, csat, feedback_count, negative_feedback``.
    """
    stmt = (
        select(
            Customer.customer_code.label("customer_id"),
            FeedbackItem.received_at,
            FeedbackItem.rating,
            FeedbackItem.rating_scale,
            FeedbackAnalysis.sentiment,
        )
        .join(Customer, Customer.id == FeedbackItem.customer_id)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.received_at < end_of_day(as_of), Customer.erased_at.is_(None))
    )
    frame = pd.read_sql(stmt, session.connection())
    columns = ["customer_id", "nps", "csat", "feedback_count", "negative_feedback"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["received_at"] = naive_utc(frame["received_at"])
    frame = frame.sort_values(["customer_id", "received_at"], kind="stable")
    grouped = frame.groupby("customer_id")
    out = pd.DataFrame(
        {
            "feedback_count": grouped.size(),
            "negative_feedback": grouped["sentiment"].agg(lambda s: int((s == "negative").sum())),
        }
    )
    for name, scale in (("nps", "0-10"), ("csat", "1-5")):
        rated = frame[(frame["rating_scale"] == scale) & frame["rating"].notna()]
        out[name] = rated.groupby("customer_id")["rating"].last().astype("float64")
    return out.reset_index()[columns]


def churn_scores_frame(*, session: Session, as_of: date) -> pd.DataFrame:
    """Each customer's newest churn probability scored on or before `as_of`, if any.

    Columns: ``customer_id`` (code), ``churn_probability``.
    """
    stmt = (
        select(
            Customer.customer_code.label("customer_id"),
            CustomerScore.value,
            CustomerScore.as_of,
            CustomerScore.id,
        )
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .where(
            CustomerScore.kind.in_(CHURN_SCORE_KINDS),
            CustomerScore.as_of <= as_of,
            Customer.erased_at.is_(None),
        )
    )
    frame = pd.read_sql(stmt, session.connection())
    if frame.empty:
        return pd.DataFrame(columns=["customer_id", "churn_probability"])
    frame = frame.sort_values(["customer_id", "as_of", "id"], kind="stable")
    latest = frame.groupby("customer_id")["value"].last().astype("float64")
    return latest.rename("churn_probability").reset_index()
