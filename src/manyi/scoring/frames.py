"""Bulk reads for scoring: purchases, feedback signals and marketing consent as DataFrames.

Everything is read with one query per table (never row by row through the ORM) and reduced with
pandas, so a million customers cost a few vectorised passes.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Float, String, cast, select, type_coerce
from sqlalchemy.orm import Session

from manyi.customer.models import ConsentEvent, ConsentPurpose, Customer
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.models import Order, OrderStatus
from manyi.store.timestamps import end_of_day, naive_utc

#: Feedback older than this (before the as-of date) is not used for reasons.
FEEDBACK_LOOKBACK_DAYS = 365
#: A complaint this recent counts as open until the case module tracks resolution.
OPEN_COMPLAINT_DAYS = 30
#: Negative feedback this recent is a reason.
NEGATIVE_FEEDBACK_DAYS = 180

_NEGATIVE_ASPECT = r'\[\s*"([a-z_]+)"\s*,\s*"negative"\s*\]'
_SIGNAL_COLUMNS = (
    "complaints", "open_complaint_days", "negative_feedback", "negative_aspect", "nps",
    "low_rating", "low_rating_scale",
)  # fmt: skip


def _raw_time(column: Any) -> Any:
    """A timestamp column read without the per-row ORM conversion (SQLite gives its stored text,
    PostgreSQL an aware datetime); :func:`naive_utc` parses either in one vectorised pass."""
    return type_coerce(column, String)


def purchases_frame(*, session: Session, as_of: date) -> pd.DataFrame:
    """Completed orders up to `as_of` of customers not erased: customer_pk, ordered_at, amount."""
    stmt = (
        select(
            Order.customer_id.label("customer_pk"),
            _raw_time(Order.ordered_at).label("ordered_at"),
            type_coerce(Order.total_amount, Float).label("amount"),
        )
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.status == OrderStatus.COMPLETED.value, Customer.erased_at.is_(None))
    )
    # The date cut is made here, not in SQL: with a range on ordered_at SQLite walks the time
    # index and fetches every row at random, several times slower than one scan.
    frame = pd.read_sql(stmt, session.connection())
    frame["ordered_at"] = naive_utc(frame["ordered_at"])
    frame = frame[frame["ordered_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0).astype(float)
    return frame


def _feedback_rows(session: Session, as_of: date) -> pd.DataFrame:
    """Feedback of the look-back window with its stored analysis (types and aspects as text)."""
    start = end_of_day(as_of) - timedelta(days=FEEDBACK_LOOKBACK_DAYS + 1)
    stmt = (
        select(
            FeedbackItem.customer_id.label("customer_pk"),
            _raw_time(FeedbackItem.received_at).label("received_at"),
            FeedbackItem.rating,
            FeedbackItem.rating_scale,
            FeedbackAnalysis.sentiment,
            cast(FeedbackAnalysis.types, String).label("types"),
            cast(FeedbackAnalysis.aspects, String).label("aspects"),
        )
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(
            FeedbackItem.customer_id.is_not(None),
            FeedbackItem.received_at < end_of_day(as_of),
            FeedbackItem.received_at >= start,
        )
    )
    frame = pd.read_sql(stmt, session.connection())
    frame["received_at"] = naive_utc(frame["received_at"])
    for column in ("types", "aspects", "sentiment", "rating_scale"):
        frame[column] = frame[column].astype("string").fillna("")
    frame["rating"] = pd.to_numeric(frame["rating"], errors="coerce")
    return frame


def _latest_rating(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """The latest rating per customer among the rows in `mask`."""
    rated = frame[mask & frame["rating"].notna()].sort_values("received_at")
    return rated.groupby("customer_pk")[["rating", "rating_scale"]].last()


def _scale_bounds(scale: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Low and high end of each rating scale ('1-5' -> 1, 5); unknown scales are 1-5."""
    parts = scale.str.extract(r"^\s*(\d+)\s*-\s*(\d+)\s*$").astype(float)
    low = parts[0].fillna(1.0).to_numpy()
    high = parts[1].fillna(5.0).to_numpy()
    return low, np.where(high > low, high, low + 1.0)


def feedback_signals(*, session: Session, as_of: date) -> pd.DataFrame:
    """Per customer (index customer_pk): complaint count, days since the latest complaint if
    recent, negative feedback count and most named negative aspect, latest NPS answer (0-10) and
    latest low rating on another scale (normalised to 0..1, NaN when not low)."""
    frame = _feedback_rows(session, as_of)
    if frame.empty:
        return pd.DataFrame(columns=list(_SIGNAL_COLUMNS), index=pd.Index([], name="customer_pk"))
    age_days = (pd.Timestamp(as_of) - frame["received_at"].dt.normalize()).dt.days.astype(float)
    complaint = frame["types"].str.contains('"complaint"', regex=False)
    negative = (frame["sentiment"] == "negative") & (age_days <= NEGATIVE_FEEDBACK_DAYS)
    by = frame["customer_pk"]
    out = pd.DataFrame(
        {
            "complaints": complaint.groupby(by).sum(),
            "negative_feedback": negative.groupby(by).sum(),
        }
    )
    recent = age_days.where(complaint & (age_days <= OPEN_COMPLAINT_DAYS))
    out["open_complaint_days"] = recent.groupby(by).min()
    aspects = frame.loc[negative, ["customer_pk", "aspects"]]
    found = aspects["aspects"].str.extractall(_NEGATIVE_ASPECT)
    if not found.empty:
        named = aspects["customer_pk"].reindex(found.index.get_level_values(0)).to_numpy()
        counted = pd.DataFrame({"customer_pk": named, "aspect": found[0].to_numpy()})
        top = counted.groupby(["customer_pk", "aspect"]).size().rename("n").reset_index()
        top = top.sort_values(["customer_pk", "n", "aspect"], ascending=[True, False, True])
        out["negative_aspect"] = top.drop_duplicates("customer_pk").set_index("customer_pk")[
            "aspect"
        ]
    else:
        out["negative_aspect"] = pd.Series(dtype="string")
    nps = _latest_rating(frame, frame["rating_scale"] == "0-10")
    out["nps"] = nps["rating"]
    other = _latest_rating(frame, frame["rating_scale"] != "0-10")
    low, high = _scale_bounds(other["rating_scale"])
    share = (other["rating"].to_numpy() - low) / (high - low)
    out["low_rating"] = pd.Series(np.where(share <= 0.25, other["rating"], np.nan), other.index)
    out["low_rating_scale"] = other["rating_scale"].where(share <= 0.25)
    out.index.name = "customer_pk"
    return out[list(_SIGNAL_COLUMNS)]


def marketing_consent(*, session: Session) -> pd.Series:
    """Marketing consent in force per customer (the latest event wins); absent means none."""
    stmt = select(
        ConsentEvent.id,
        ConsentEvent.customer_id,
        ConsentEvent.granted,
        _raw_time(ConsentEvent.recorded_at).label("recorded_at"),
    ).where(ConsentEvent.purpose == ConsentPurpose.MARKETING.value)
    frame = pd.read_sql(stmt, session.connection())
    frame["recorded_at"] = naive_utc(frame["recorded_at"])
    frame = frame.sort_values(["customer_id", "recorded_at", "id"], kind="stable")
    latest = frame.groupby("customer_id")["granted"].last().astype(bool)
    latest.index.name = "customer_pk"
    return latest
