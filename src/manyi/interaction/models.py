"""Touchpoint events: what happened to a customer where, along their journey."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from manyi.store.base import Base


class Interaction(Base):
    """One event at a touchpoint (visit, delivery, call, app session...)."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_ref: Mapped[str | None] = mapped_column(String(128), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(30))
    touchpoint: Mapped[str] = mapped_column(String(60))
    journey_stage: Mapped[str | None] = mapped_column(String(30))
    event_type: Mapped[str | None] = mapped_column(String(60))
    attributes: Mapped[dict[str, Any] | None]
