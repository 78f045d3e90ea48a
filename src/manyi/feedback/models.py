"""Feedback from every channel, in one store, and the text analysis stored beside it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from manyi.store.base import Base, str_enum, utcnow


class FeedbackChannel(enum.StrEnum):
    """Where a piece of feedback came from."""

    SURVEY = "survey"
    EMAIL = "email"
    WEB_FORM = "web_form"
    SOCIAL = "social"
    REVIEW = "review"
    APP_STORE = "app_store"
    CALL_CENTRE = "call_centre"
    IN_APP = "in_app"
    CHAT = "chat"


class FeedbackItem(Base):
    """One piece of customer feedback; `source_ref` is its natural key so re-imports add nothing."""

    __tablename__ = "feedback_items"
    __table_args__ = (Index("ix_feedback_channel_time", "channel", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_ref: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(str_enum(FeedbackChannel))
    received_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[float | None] = mapped_column(Float)
    rating_scale: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(10))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    touchpoint: Mapped[str | None] = mapped_column(String(60))
    store: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackAnalysis(Base):
    """Text analytics results for one feedback item, with the model version that produced them."""

    __tablename__ = "feedback_analyses"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str | None] = mapped_column(String(10))
    sentiment: Mapped[str | None] = mapped_column(String(10), index=True)
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    types: Mapped[list[Any] | None]
    aspects: Mapped[list[Any] | None]
    text_masked: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(40))
    analyzed_at: Mapped[datetime] = mapped_column(default=utcnow)
