"""Customer record: the person, how to find them (identities) and what they agreed to (consent)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from manyi.store.base import Base, str_enum, utcnow


class Gender(enum.StrEnum):
    """Gender as recorded by the source system."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class IdentityKind(enum.StrEnum):
    """Ways a customer can be recognised across systems."""

    EMAIL = "email"
    PHONE = "phone"
    EXTERNAL = "external"


class ConsentPurpose(enum.StrEnum):
    """What a customer may be contacted or processed for."""

    MARKETING = "marketing"
    SURVEYS = "surveys"
    SERVICE = "service"
    ANALYTICS = "analytics"
    SMS = "sms"
    EMAIL = "email"


class Customer(Base):
    """One customer; `customer_code` is the natural key from the source system."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(str_enum(Gender), default=Gender.UNKNOWN.value)
    birthday: Mapped[date | None] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    city_tier: Mapped[int | None]
    income_band: Mapped[str | None] = mapped_column(String(50))
    occupation: Mapped[str | None] = mapped_column(String(100))
    preferred_channel: Mapped[str | None] = mapped_column(String(30))
    preferred_language: Mapped[str | None] = mapped_column(String(10))
    first_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None]


class CustomerIdentity(Base):
    """An e-mail, phone or external id; each (kind, value) belongs to exactly one customer."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(str_enum(IdentityKind))
    value: Mapped[str] = mapped_column(String(320))
    source: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentEvent(Base):
    """A grant or withdrawal of consent for one purpose; the latest event per purpose is in force."""

    __tablename__ = "consent_events"
    __table_args__ = (
        Index("ix_consent_customer_purpose", "customer_id", "purpose", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(str_enum(ConsentPurpose))
    granted: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
