"""Ratings read in bulk from the feedback store as one DataFrame, with the attributes asked for.

One SELECT joins ``feedback_items`` to customers, orders and the stored text analysis only when
an attribute needs them; the product category and segment memberships come in one more query
each. Nothing is read row by row through the ORM, and no caller text reaches SQL except as a
bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from manyi.catalog.models import Product
from manyi.customer.models import Customer
from manyi.errors import InputError
from manyi.feedback.models import FeedbackAnalysis, FeedbackChannel, FeedbackItem
from manyi.order.models import Order, OrderLine
from manyi.satisfaction.attributes import (
    ANALYSIS_ATTRIBUTES,
    CUSTOMER_ATTRIBUTES,
    MULTI_VALUED,
    Attribute,
)
from manyi.segment.models import SegmentMembership
from manyi.segment.service import latest_snapshot_id
from manyi.store.timestamps import end_of_day, naive_utc, start_of_day


@dataclass(frozen=True)
class MetricScale:
    """Which stored answers a metric reads: their ``rating_scale`` and its range."""

    metric: str
    rating_scale: str
    low: int
    high: int


#: NPS reads 0-10 answers, CSAT 1-5 stars, CES 1-7 effort answers.
SCALES: dict[str, MetricScale] = {
    "nps": MetricScale("nps", "0-10", 0, 10),
    "csat": MetricScale("csat", "1-5", 1, 5),
    "ces": MetricScale("ces", "1-7", 1, 7),
}


@dataclass(frozen=True)
class RatingFilter:
    """Which answers to read: received on or after ``since``, on or before ``until``, a channel."""

    since: date | None = None
    until: date | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        """Refuse an unknown channel or an empty date range with a clear message."""
        if self.channel is not None and self.channel not in set(FeedbackChannel):
            known = ", ".join(c.value for c in FeedbackChannel)
            raise InputError(f"channel: {self.channel[:40]!r} is not one of {known}")
        if self.since and self.until and self.since > self.until:
            raise InputError(f"since {self.since} is after until {self.until} / 日期范围无效")


@dataclass(frozen=True)
class Ratings:
    """Valid answers of one metric with their attributes, and how many stored ones were invalid."""

    metric: MetricScale
    frame: pd.DataFrame
    n_invalid: int


def metric_scale(metric: str) -> MetricScale:
    """The scale of ``nps``, ``csat`` or ``ces`` (422 otherwise)."""
    try:
        return SCALES[metric]
    except KeyError:
        raise InputError(f"metric: {metric[:20]!r} is not one of nps, csat, ces") from None


_CUSTOMER_COLUMNS: dict[str, Any] = {
    "customer_region": Customer.region,
    "city": Customer.city,
    "city_tier": Customer.city_tier,
    "gender": Customer.gender,
    "income_band": Customer.income_band,
    "occupation": Customer.occupation,
    "preferred_channel": Customer.preferred_channel,
}


def _base_query(scale: MetricScale, names: set[str], filters: RatingFilter) -> Select[Any]:
    """The ratings SELECT with only the joins the requested attributes need."""
    columns: list[Any] = [
        FeedbackItem.id.label("feedback_id"),
        FeedbackItem.rating,
        # raw values, parsed in one vectorised step below (the ORM type parses row by row)
        type_coerce(FeedbackItem.received_at, String).label("received_at"),
        FeedbackItem.channel,
        FeedbackItem.touchpoint,
        FeedbackItem.store,
        FeedbackItem.order_id,
        FeedbackItem.customer_id,
    ]
    need_customer = bool(names & (CUSTOMER_ATTRIBUTES | {"region"}))
    if "region" in names:
        region = func.coalesce(func.nullif(FeedbackItem.region, ""), Customer.region)
        columns.append(region.label("region"))
    columns += [_CUSTOMER_COLUMNS[n].label(n) for n in sorted(names & _CUSTOMER_COLUMNS.keys())]
    if "age_band" in names:
        columns.append(Customer.birthday)
    if "order_channel" in names:
        columns.append(Order.channel.label("order_channel"))
    need_analysis = bool(names & (ANALYSIS_ATTRIBUTES | {"language"}))
    if need_analysis:
        columns += [
            FeedbackAnalysis.sentiment,
            func.coalesce(FeedbackAnalysis.language, FeedbackItem.language).label("language"),
            FeedbackAnalysis.aspects,
            FeedbackAnalysis.types,
        ]
    stmt = select(*columns).where(
        FeedbackItem.rating_scale == scale.rating_scale, FeedbackItem.rating.is_not(None)
    )
    if need_customer:
        stmt = stmt.outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
    if "order_channel" in names:
        stmt = stmt.outerjoin(Order, Order.id == FeedbackItem.order_id)
    if need_analysis:
        stmt = stmt.outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
    return _filtered(stmt, filters)


def _filtered(stmt: Select[Any], filters: RatingFilter) -> Select[Any]:
    """Apply the date range and channel as bound parameters."""
    if filters.since is not None:
        stmt = stmt.where(FeedbackItem.received_at >= start_of_day(filters.since))
    if filters.until is not None:
        stmt = stmt.where(FeedbackItem.received_at < end_of_day(filters.until))
    if filters.channel is not None:
        stmt = stmt.where(FeedbackItem.channel == filters.channel)
    return stmt


def _label(value: Any) -> str | None:
    """One attribute value as a label: blanks missing, whole floats without '.0'."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _text(series: pd.Series) -> pd.Series:
    """Attribute values as strings, blanks and empty strings as missing."""
    if series.dtype.kind in "fiu":
        return pd.Series([_label(v) for v in series.tolist()], index=series.index, dtype=object)
    values = series.astype(object)
    text = values.astype(str)
    missing = values.isna().to_numpy() | (text.str.strip() == "").to_numpy()
    return pd.Series(np.where(missing, None, text.to_numpy()), index=series.index, dtype=object)


AGE_BINS = [0, 25, 35, 45, 55, 65, 130]
AGE_LABELS = ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]


def age_bands(birthday: pd.Series, at: pd.Series) -> pd.Series:
    """Age band of each person at each time (missing when the birthday is missing or absurd)."""
    born = pd.to_datetime(birthday, errors="coerce")
    years = at.dt.year - born.dt.year
    before = (at.dt.month * 100 + at.dt.day) < (born.dt.month * 100 + born.dt.day)
    age = years - before.astype("float64")
    bands = pd.cut(age, AGE_BINS, right=False, labels=AGE_LABELS)
    return bands.astype(object).where(bands.notna(), None)


def _list_values(cell: Any, negative_only: bool = False) -> list[str]:
    """Values of a stored list cell: types, or the aspect names of (aspect, polarity) pairs."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    values: list[str] = []
    for item in cell:
        if isinstance(item, list | tuple):
            if item and (not negative_only or (len(item) > 1 and item[1] == "negative")):
                values.append(str(item[0]))
        elif not negative_only:
            values.append(str(item))
    return sorted(set(values))


def _order_categories(session: Session, scale: MetricScale, filters: RatingFilter) -> pd.Series:
    """The product category of each rated order: that of its largest line (by amount)."""
    rated = _filtered(
        select(FeedbackItem.order_id).where(
            FeedbackItem.rating_scale == scale.rating_scale, FeedbackItem.order_id.is_not(None)
        ),
        filters,
    )
    stmt = (
        select(OrderLine.order_id, OrderLine.line_no, OrderLine.amount, Product.category)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id.in_(rated.scalar_subquery()), Product.category.is_not(None))
    )
    lines = pd.read_sql(stmt, session.connection())
    if lines.empty:
        return pd.Series(dtype=object)
    lines["amount"] = pd.to_numeric(lines["amount"], errors="coerce").fillna(0.0)
    lines = lines.sort_values(["order_id", "amount", "line_no"], ascending=[True, False, True])
    first = lines.drop_duplicates("order_id")
    return pd.Series(first["category"].to_numpy(), index=first["order_id"].to_numpy())


def _segments(session: Session, kind: str) -> pd.Series:
    """Segment of each customer in the latest snapshot of ``kind`` (422 when there is none)."""
    snapshot_id = latest_snapshot_id(session=session, kind=kind)
    if snapshot_id is None:
        raise InputError(f"by: no segment snapshot of kind {kind!r} yet / 尚无此类分群结果")
    rows = session.execute(
        select(SegmentMembership.customer_id, SegmentMembership.segment).where(
            SegmentMembership.snapshot_id == snapshot_id
        )
    ).all()
    return pd.Series({r.customer_id: r.segment for r in rows}, dtype=object)


def _valid(frame: pd.DataFrame, scale: MetricScale) -> tuple[pd.DataFrame, int]:
    """Keep whole-number answers on the scale; count the others (imported off-scale or 4.5)."""
    rating = pd.to_numeric(frame["rating"], errors="coerce")
    ok = rating.between(scale.low, scale.high) & (rating == rating.round())
    kept = frame[ok.to_numpy()].copy()
    kept["rating"] = rating[ok].astype("int64").to_numpy()
    return kept.reset_index(drop=True), int((~ok).sum())


def ratings(
    *,
    session: Session,
    metric: str,
    attributes: Sequence[Attribute] = (),
    filters: RatingFilter | None = None,
) -> Ratings:
    """Valid answers of ``metric`` with ``received_at`` (naive UTC) and the attributes asked for.

    Always present: ``feedback_id``, ``rating``, ``received_at``, ``channel``, ``touchpoint``,
    ``store``; plus one column per requested attribute (lists for multi-valued ones).
    """
    scale = metric_scale(metric)
    filters = filters or RatingFilter()
    names = {a.name for a in attributes}
    frame = pd.read_sql(_base_query(scale, names, filters), session.connection())
    frame["received_at"] = naive_utc(frame["received_at"])
    frame, n_invalid = _valid(frame, scale)
    if "age_band" in names:
        frame["age_band"] = age_bands(frame["birthday"], frame["received_at"])
    if "category" in names:
        categories = _order_categories(session, scale, filters)
        frame["category"] = frame["order_id"].map(categories)
    if "aspect" in names:
        frame["aspect"] = frame["aspects"].map(_list_values)
    if "complaint_aspect" in names:
        frame["complaint_aspect"] = frame["aspects"].map(lambda c: _list_values(c, True))
    if "feedback_type" in names:
        frame["feedback_type"] = frame["types"].map(_list_values)
    for attribute in attributes:
        if attribute.is_segment:
            frame[attribute.name] = frame["customer_id"].map(
                _segments(session, attribute.segment_kind)
            )
    for name in names - MULTI_VALUED:
        frame[name] = _text(frame[name])
    return Ratings(scale, frame, n_invalid)
