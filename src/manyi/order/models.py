"""Orders and their lines, including cancellations and returns."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from manyi.store.base import Base, str_enum


class OrderStatus(enum.StrEnum):
    """Where an order ended up; cancelled and returned orders do not count as revenue."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Order(Base):
    """One order (invoice); `order_no` is the source system's natural key."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_time", "customer_id", "ordered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    ordered_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str | None] = mapped_column(String(30))
    store: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(str_enum(OrderStatus), default=OrderStatus.COMPLETED.value)
    currency: Mapped[str | None] = mapped_column(String(3))
    total_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    delivered_at: Mapped[datetime | None]


class OrderLine(Base):
    """One line of an order; `line_no` numbers the distinct lines of the order in source order."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
