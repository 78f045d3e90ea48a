"""One row per customer with every attribute a saved segment may filter on.

Demographics come from the customer record, behaviour from the latest stored snapshot of each
kind, attitudes from feedback (latest 0-10 and 1-5 answers, counts of negative feedback) and the
newest churn score. The allow-list :data:`FIELDS` names each field, its type and its labels;
segment definitions may use these fields and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from manyi.analytics.segments.personas import age_band
from manyi.customer.frames import customers_frame
from manyi.segment.frames import churn_scores_frame, feedback_signals_frame
from manyi.segment.models import SegmentMembership
from manyi.segment.service import KINDS, latest_snapshot_id


@dataclass(frozen=True)
class Field:
    """A field segment definitions may use: name, type ('number' or 'text') and labels."""

    name: str
    kind: str
    label_en: str
    label_zh: str


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("gender", "text", "Gender", "性别"),
        Field("age", "number", "Age", "年龄"),
        Field("age_band", "text", "Age band", "年龄段"),
        Field("city", "text", "City", "城市"),
        Field("region", "text", "Region", "地区"),
        Field("city_tier", "number", "City tier", "城市等级"),
        Field("income_band", "text", "Income band", "收入段"),
        Field("occupation", "text", "Occupation", "职业"),
        Field("preferred_channel", "text", "Preferred channel", "偏好渠道"),
        Field("rfm", "text", "RFM segment", "RFM 分群"),
        Field("tier", "text", "Value tier", "价值层级"),
        Field("lifecycle", "text", "Lifecycle stage", "生命周期"),
        Field("cluster", "text", "Cluster", "行为聚类"),
        Field("recency_days", "number", "Days since last purchase", "距上次购买天数"),
        Field("frequency", "number", "Orders", "订单数"),
        Field("monetary", "number", "Net spend", "净消费额"),
        Field("r", "number", "R score", "R 分"),
        Field("f", "number", "F score", "F 分"),
        Field("m", "number", "M score", "M 分"),
        Field("nps", "number", "Latest 0-10 answer", "最近一次 0-10 评分"),
        Field("csat", "number", "Latest 1-5 rating", "最近一次 1-5 评分"),
        Field("feedback_count", "number", "Feedback items", "反馈条数"),
        Field("negative_feedback", "number", "Negative feedback items", "负面反馈条数"),
        Field("churn_probability", "number", "Churn risk (0-1)", "流失风险（0-1）"),
    )
}
_RFM_VALUES = ("recency_days", "frequency", "monetary", "r", "f", "m")


def empty_attributes() -> pd.DataFrame:
    """A zero-row frame with every field at its type (to type-check definitions)."""
    return pd.DataFrame(
        {
            name: pd.Series([], dtype="float64" if f.kind == "number" else "object")
            for name, f in FIELDS.items()
        }
    )


def _latest_memberships(session: Session) -> dict[str, pd.DataFrame]:
    """Per kind, (customer_pk, segment, values) of its latest snapshot."""
    out: dict[str, pd.DataFrame] = {}
    for kind in KINDS:
        snapshot_id = latest_snapshot_id(session=session, kind=kind)
        if snapshot_id is None:
            continue
        rows = session.execute(
            select(
                SegmentMembership.customer_id, SegmentMembership.segment, SegmentMembership.values
            ).where(SegmentMembership.snapshot_id == snapshot_id)
        ).all()
        out[kind] = pd.DataFrame(rows, columns=["customer_pk", "segment", "values"])
    return out


def customer_attributes(*, session: Session, as_of: date | None = None) -> pd.DataFrame:
    """Every (not erased) customer with the fields of :data:`FIELDS` plus ``customer_pk``.

    `as_of` sets the day ages, feedback and scores are taken at (default: today, UTC).
    """
    day = as_of or pd.Timestamp.now(tz="UTC").date()
    frame = customers_frame(session=session)
    born = pd.to_datetime(frame["birthday"], errors="coerce")
    stamp = pd.Timestamp(day)
    before_birthday = (born.dt.month > stamp.month) | (
        (born.dt.month == stamp.month) & (born.dt.day > stamp.day)
    )
    age = (stamp.year - born.dt.year - before_birthday.astype("float64")).astype("float64")
    frame["age"] = age.where((age >= 0) & (age < 120))
    frame["age_band"] = age_band(frame["age"])
    frame["city_tier"] = pd.to_numeric(frame["city_tier"], errors="coerce").astype("float64")
    for kind, members in _latest_memberships(session).items():
        by_pk = members.set_index("customer_pk")
        frame[kind] = frame["customer_pk"].map(by_pk["segment"])
        if kind == "rfm":
            values = pd.DataFrame(list(by_pk["values"].map(lambda v: v or {})), index=by_pk.index)
            for column in _RFM_VALUES:
                if column in values:
                    frame[column] = frame["customer_pk"].map(values[column])
    signals = feedback_signals_frame(session=session, as_of=day).set_index("customer_id")
    scores = churn_scores_frame(session=session, as_of=day).set_index("customer_id")
    for column in ("nps", "csat", "feedback_count", "negative_feedback"):
        frame[column] = frame["customer_id"].map(signals[column])
    frame["churn_probability"] = frame["customer_id"].map(scores["churn_probability"])
    for column in ("feedback_count", "negative_feedback"):
        frame[column] = frame[column].fillna(0)
    for name, f in FIELDS.items():
        if name not in frame:
            frame[name] = pd.Series(dtype="float64" if f.kind == "number" else "object")
        kind_type = "float64" if f.kind == "number" else "object"
        frame[name] = frame[name].astype(kind_type)
    return frame[["customer_id", "customer_pk", *FIELDS]]
