"""How stored times are bounded by day and read into DataFrames (all stored times are UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    """The first instant (UTC) after `day`: data strictly before it is observed by then."""
    return start_of_day(day + timedelta(days=1))


def naive_utc(values: pd.Series) -> pd.Series:
    """Stored times as naive UTC datetimes, in one vectorised pass: SQLite gives naive values
    or ISO text, PostgreSQL aware datetimes."""
    return pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_localize(None)
