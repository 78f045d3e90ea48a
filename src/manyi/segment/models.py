"""Segment snapshots (one computation at an as-of date), memberships, and saved definitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from manyi.store.base import Base, utcnow


class SegmentSnapshot(Base):
    """One run of a segmentation (RFM, clusters, tiers, lifecycle or a saved segment) as of a date."""

    __tablename__ = "segment_snapshots"
    __table_args__ = (Index("ix_segment_snapshots_kind_asof", "kind", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    params: Mapped[dict[str, Any] | None]
    summary: Mapped[dict[str, Any] | None]


class SegmentMembership(Base):
    """Which segment a customer was in, in one snapshot, with the values that placed them there."""

    __tablename__ = "segment_memberships"
    __table_args__ = (Index("ix_segment_memberships_customer", "customer_id", "snapshot_id"),)

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("segment_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(String(60))
    score: Mapped[float | None] = mapped_column(Float)
    values: Mapped[dict[str, Any] | None]


class SavedSegment(Base):
    """A named segment definition (structured filters, never SQL) that staff can reuse."""

    __tablename__ = "saved_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[dict[str, Any]]
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
