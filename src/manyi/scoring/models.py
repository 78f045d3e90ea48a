"""Scores per customer over time and the retention action recommended from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from manyi.store.base import Base, utcnow


class CustomerScore(Base):
    """One model's score for one customer as of a date (churn risk, CLV, P(alive), ...)."""

    __tablename__ = "customer_scores"
    __table_args__ = (
        Index("ix_customer_scores_customer_kind", "customer_id", "kind", "as_of"),
        Index("ix_customer_scores_kind_asof", "kind", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    as_of: Mapped[date] = mapped_column(Date)
    model_version: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetentionAction(Base):
    """A recommended action for an at-risk customer, for the case and campaign modules to pick up."""

    __tablename__ = "retention_actions"
    __table_args__ = (Index("ix_retention_actions_customer", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[float | None] = mapped_column(Float)
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    rule: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
