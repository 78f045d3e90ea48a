"""Neutralise spreadsheet formula injection in exported cells (CSV and XLSX).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as
a formula by Excel, LibreOffice or Google Sheets (``=cmd|' /C calc'!A0``, ``@SUM(1+1)``;
LimeSurvey CVE-2019-16184, osTicket CVE-2019-14749). Quoting the CSV field does not help; the
OWASP advice is to prefix such a cell with a single quote, which spreadsheets show as text.
Plain numbers (``-1.5``, ``+3``, ``-2e-3``) and international phone numbers (``+8613800138000``,
``+86 138 0013 8000``) are left readable: they are not formulas.
"""

from __future__ import annotations

import re
from typing import TypeVar

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_cell", "neutralise_frame"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PHONE = re.compile(r"\+\d{1,4}(?: ?\d{2,}){1,5}")
_MIN_PHONE_DIGITS = 7

T = TypeVar("T")


def _is_harmless(text: str) -> bool:
    """True for a plain signed number or a '+' phone number (digits and single spaces)."""
    if _PLAIN_NUMBER.fullmatch(text):
        return True
    return bool(_PHONE.fullmatch(text)) and sum(c.isdigit() for c in text) >= _MIN_PHONE_DIGITS


def neutralise_cell(value: T) -> T | str:
    """Return `value` with a leading ``'`` when it is text a spreadsheet could run as a formula.

    Parameters
    ----------
    value : object
        A cell value; only strings are ever changed.

    Examples
    --------
    >>> neutralise_cell("=SUM(54+51)")
    "'=SUM(54+51)"
    >>> neutralise_cell("+8613800138000"), neutralise_cell("-1.5"), neutralise_cell(-1.5)
    ('+8613800138000', '-1.5', -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _is_harmless(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `frame` with every text cell passed through :func:`neutralise_cell`.

    Column names are neutralised too (a header is a cell). Numeric columns are untouched.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        as_obj = series.astype(object)
        risky = as_obj.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        if risky.any():
            as_obj = as_obj.where(~risky, as_obj[risky].map(neutralise_cell))
            out[column] = as_obj
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out
