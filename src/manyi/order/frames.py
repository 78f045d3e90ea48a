"""Orders read in bulk as DataFrames for the analytics (never row by row through the ORM)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from manyi.catalog.models import Product
from manyi.customer.models import Customer
from manyi.order.models import Order, OrderLine
from manyi.store.timestamps import naive_utc


def order_lines_frame(*, session: Session) -> pd.DataFrame:
    """One row per order line with the customer code, order time, status, amount and category.

    Columns: customer_id (the customer's code), customer_pk, order_id (order number), ordered_at,
    status, channel, store, region, sku, category, quantity, unit_price, amount.
    """
    stmt = (
        select(
            Customer.customer_code.label("customer_id"),
            Order.customer_id.label("customer_pk"),
            Order.order_no.label("order_id"),
            Order.ordered_at,
            Order.status,
            Order.channel,
            Order.store,
            Order.region,
            OrderLine.sku,
            Product.category,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.amount,
        )
        .join(Order, OrderLine.order_id == Order.id)
        .outerjoin(Customer, Order.customer_id == Customer.id)
        .outerjoin(Product, OrderLine.product_id == Product.id)
    )
    frame = pd.read_sql(stmt, session.connection())
    frame["ordered_at"] = naive_utc(frame["ordered_at"])
    for column in ("quantity", "unit_price", "amount"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame
