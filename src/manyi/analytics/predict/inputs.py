"""Recognising what a user's file holds: a per-customer summary or a transaction log, and which
columns are the customer id, the date and the value."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

_CUSTOMER = re.compile(r"(?i)(customer|cust|client|member|user|buyer|account|客户|会员|用户)")
_DATE = re.compile(r"(?i)(date|time|day|日期|时间)")
_VALUE = re.compile(
    r"(?i)(value|amount|revenue|sales|spend|total|dollar|price|money|金额|消费|销售额|实付)"
)
_COMPACT_DATE = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")


@dataclass(frozen=True)
class LogColumns:
    """Columns of a transaction log: customer id, date and (optional) value."""

    customer: str
    date: str
    value: str | None


def summary_columns(frame: pd.DataFrame) -> dict[str, str] | None:
    """Map ``frequency, recency, T`` (any case) to the frame's column names, or None."""
    lower = {str(c).strip().lower(): c for c in frame.columns}
    wanted = {"frequency": "frequency", "recency": "recency", "T": "t"}
    if all(key in lower for key in wanted.values()):
        found = {name: lower[key] for name, key in wanted.items()}
        if "monetary_value" in lower:
            found["monetary_value"] = lower["monetary_value"]
        return found
    return None


def _is_compact_date(values: pd.Series) -> bool:
    """True when a column holds YYYYMMDD dates (as in the CDNOW files)."""
    sample = values.dropna().astype("string").str.strip().head(200)
    return len(sample) > 0 and bool(sample.str.match(_COMPACT_DATE).all())


def _is_date(values: pd.Series) -> bool:
    """True when a column's values parse as dates."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return True
    if pd.api.types.is_numeric_dtype(values.dtype):
        return _is_compact_date(values)
    sample = values.dropna().astype("string").str.strip().head(200)
    if sample.empty:
        return False
    if _is_compact_date(sample):
        return True
    if not sample.str.contains(r"\d[-/.年]\d{1,2}[-/.月]\d", regex=True).all():
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() > 0.95)


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse a date column, YYYYMMDD numbers and strings included; unparseable become NaT."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if _is_compact_date(values):
        return pd.to_datetime(values.astype("string").str.strip(), format="%Y%m%d", errors="coerce")
    return pd.to_datetime(values.astype("string"), errors="coerce", format="mixed")


def detect_log_columns(
    frame: pd.DataFrame,
    customer: str | None = None,
    date: str | None = None,
    value: str | None = None,
) -> LogColumns:
    """Find the customer, date and value columns by name, then by content (headerless files).

    Explicit names win; otherwise: the date column is the first named like a date, else the first
    whose values parse as dates; the customer column the first named like a customer id, else the
    first column that is not the date; the value column the first named like an amount, else the
    last numeric column with decimals (CDNOW's dollar value).
    """
    columns = [str(c) for c in frame.columns]
    for given in (customer, date, value):
        if given is not None and given not in columns:
            raise ValueError(f"column {given!r} not found; columns are {columns}")
    date = date or next((c for c in columns if _DATE.search(c) and _is_date(frame[c])), None)
    date = date or next((c for c in columns if _is_date(frame[c])), None)
    if date is None:
        raise ValueError(f"no date column found among {columns}; name one with --date")
    customer = customer or next((c for c in columns if _CUSTOMER.search(c) and c != date), None)
    customer = customer or next(c for c in columns if c != date)
    if value is None:
        rest = [c for c in columns if c not in (customer, date)]
        named = [c for c in rest if _VALUE.search(c)]
        decimals = [
            c
            for c in rest
            if pd.api.types.is_float_dtype(pd.to_numeric(frame[c], errors="coerce").dtype)
            and pd.to_numeric(frame[c], errors="coerce").notna().mean() > 0.95
            and (pd.to_numeric(frame[c], errors="coerce") % 1 != 0).any()
        ]
        value = named[0] if named else (decimals[-1] if decimals else None)
    return LogColumns(customer=customer, date=date, value=value)
