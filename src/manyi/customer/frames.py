"""Customers read in bulk as a DataFrame for segmentation and personas."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from manyi.customer.models import Customer


def customers_frame(*, session: Session) -> pd.DataFrame:
    """One row per (not erased) customer with demographics; `customer_id` is the customer code."""
    stmt = select(
        Customer.customer_code.label("customer_id"),
        Customer.id.label("customer_pk"),
        Customer.gender,
        Customer.birthday,
        Customer.city,
        Customer.region,
        Customer.city_tier,
        Customer.income_band,
        Customer.occupation,
        Customer.preferred_channel,
        Customer.first_seen_at,
    ).where(Customer.erased_at.is_(None))
    frame = pd.read_sql(stmt, session.connection())
    frame["birthday"] = pd.to_datetime(frame["birthday"], errors="coerce")
    return frame
