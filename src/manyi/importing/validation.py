"""Vectorised validation of imported rows: dates, numbers, enums, phones, e-mails and text.

Every check works on whole pandas columns of strings and records problems as
``(row, field, reason, value)`` where ``row`` is the frame's positional index (0 = first data
row). Rows with a problem are set aside; notes (e.g. a truncated text) are warnings and keep the
row. Formula-like cells and HTML are plain data here: they are stored exactly as given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from manyi.errors import InputError

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)

#: Longest feedback text kept; longer texts are cut here and reported as a warning.
MAX_TEXT_CHARS = 20_000
#: Longest value of each short text column (the database column width).
MAX_LENGTHS: dict[str, int] = {
    "name": 200, "city": 100, "region": 100, "country": 100, "occupation": 100,
    "income_band": 50, "preferred_channel": 30, "preferred_language": 10, "description": 300,
    "channel": 30, "store": 100, "touchpoint": 60, "language": 10, "currency": 3,
}  # fmt: skip
#: Natural keys: too long is an error (cutting a key could merge two records).
KEY_LENGTHS: dict[str, int] = {
    "customer_id": 64, "order_no": 64, "sku": 64, "source_ref": 128, "external_id": 320,
}  # fmt: skip

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Zero-width characters removed from text (U+200D, the emoji joiner, is kept).
_ZERO_WIDTH = re.compile("[\u200b\u200c\u2060\ufeff\u180e]")
_DATE_RE = (
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.(?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_COMPACT_DATE_RE = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"

GENDERS = {
    "m": "male", "male": "male", "man": "male", "男": "male", "男性": "male", "先生": "male",
    "f": "female", "female": "female", "woman": "female", "女": "female", "女性": "female",
    "女士": "female", "other": "other", "o": "other", "其他": "other", "x": "other",
    "u": "unknown", "unknown": "unknown", "未知": "unknown", "保密": "unknown",
}  # fmt: skip
CHANNELS = {
    "survey": "survey", "问卷": "survey", "调查": "survey", "调研": "survey", "问卷调查": "survey",
    "email": "email", "e-mail": "email", "mail": "email", "邮件": "email", "电子邮件": "email",
    "web_form": "web_form", "web form": "web_form", "webform": "web_form", "web": "web_form",
    "website": "web_form", "网站": "web_form", "网页": "web_form", "表单": "web_form",
    "官网": "web_form", "social": "social", "social media": "social", "twitter": "social",
    "weibo": "social", "微博": "social", "社交媒体": "social", "社媒": "social", "微信": "social",
    "review": "review", "reviews": "review", "评论": "review", "评价": "review",
    "电商评价": "review", "app_store": "app_store", "app store": "app_store",
    "appstore": "app_store", "应用商店": "app_store", "call_centre": "call_centre",
    "call_center": "call_centre", "call centre": "call_centre", "call center": "call_centre",
    "phone": "call_centre", "hotline": "call_centre", "呼叫中心": "call_centre",
    "客服电话": "call_centre", "电话": "call_centre", "热线": "call_centre",
    "in_app": "in_app", "in-app": "in_app", "in app": "in_app", "app": "in_app",
    "应用内": "in_app", "chat": "chat", "live chat": "chat", "在线客服": "chat",
    "聊天": "chat", "在线聊天": "chat", "客服": "chat",
}  # fmt: skip
ORDER_STATUSES = {
    "pending": "pending", "待处理": "pending", "待付款": "pending", "待发货": "pending",
    "completed": "completed", "complete": "completed", "done": "completed", "paid": "completed",
    "shipped": "completed", "delivered": "completed", "已完成": "completed", "完成": "completed",
    "已付款": "completed", "已发货": "completed", "已签收": "completed", "交易成功": "completed",
    "cancelled": "cancelled", "canceled": "cancelled", "cancel": "cancelled",
    "已取消": "cancelled", "取消": "cancelled", "交易关闭": "cancelled",
    "returned": "returned", "refunded": "returned", "return": "returned", "已退货": "returned",
    "退货": "returned", "已退款": "returned", "退款": "returned",
}  # fmt: skip
BOOLEANS = {
    "yes": True, "y": True, "true": True, "t": True, "1": True, "是": True, "同意": True,
    "对": True, "√": True, "no": False, "n": False, "false": False, "f": False, "0": False,
    "否": False, "不同意": False, "拒绝": False, "×": False,
}  # fmt: skip
RATING_SCALES = {"1-5": (1.0, 5.0), "1-7": (1.0, 7.0), "0-10": (0.0, 10.0), "1-10": (1.0, 10.0)}


@dataclass
class Findings:
    """Problems (row set aside) and warnings (row kept) found while validating one frame."""

    problems: list[pd.DataFrame] = field(default_factory=list)
    warnings: list[pd.DataFrame] = field(default_factory=list)

    def problem(self, mask: pd.Series, column: str, reason: str, values: pd.Series) -> None:
        """Record `reason` for every row where `mask` is true."""
        self._add(self.problems, mask, column, reason, values)

    def warning(self, mask: pd.Series, column: str, reason: str, values: pd.Series) -> None:
        """Record a warning for every row where `mask` is true (the row is kept)."""
        self._add(self.warnings, mask, column, reason, values)

    @staticmethod
    def _add(
        target: list[pd.DataFrame], mask: pd.Series, column: str, reason: str, values: pd.Series
    ) -> None:
        """Append the masked rows as a small frame."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = mask.index[mask.to_numpy()]
        target.append(
            pd.DataFrame(
                {
                    "row": np.asarray(rows, dtype=np.int64),
                    "field": column,
                    "reason": reason,
                    "value": values[mask].astype(str).str.slice(0, 200).to_numpy(dtype=object),
                }
            )
        )

    def problem_frame(self) -> pd.DataFrame:
        """All problems, one per (row, field, reason), sorted by row."""
        return _concat(self.problems)

    def warning_frame(self) -> pd.DataFrame:
        """All warnings, sorted by row."""
        return _concat(self.warnings)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate finding frames, or an empty one with the right columns."""
    if not parts:
        return pd.DataFrame(
            {"row": pd.Series([], dtype=np.int64), "field": [], "reason": [], "value": []}
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("row", kind="stable", ignore_index=True)


def on_uniques(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a column function to the distinct values only and spread the result back.

    Real files repeat values a lot (dates, countries, ids, prices), so this is much faster
    than working row by row and gives the same result for any element-wise function.
    """
    if len(values) < 1000:
        return func(values)
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
    if len(uniques) > len(values) // 2:
        return func(values)
    result = func(pd.Series(uniques, dtype=values.dtype))
    out = result.iloc[codes]
    out.index = values.index
    return out


# --- dates -----------------------------------------------------------------------------------


def _normalise_date_text(values: pd.Series) -> pd.Series:
    """Unify separators: 2023年2月3日 / 2023/2/3 / 2023.2.3 -> 2023-2-3; 时/分/秒 -> ':'."""
    s = values.astype(str).str.strip()
    s = s.str.replace(r"(\d)\s*年\s*(\d)", r"\1-\2", regex=True)
    s = s.str.replace(r"(\d)\s*月\s*(\d)", r"\1-\2", regex=True)
    s = s.str.replace(r"(\d)\s*日", r"\1 ", regex=True)
    s = s.str.replace(r"(\d)\s*[时點点]\s*(\d)", r"\1:\2", regex=True)
    s = s.str.replace(r"(\d)\s*分\s*(\d)", r"\1:\2", regex=True)
    s = s.str.replace(r"(\d)\s*[分秒]", r"\1", regex=True)
    s = s.str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
    return s.str.strip()


def _offset_minutes(tz: pd.Series) -> pd.Series:
    """Minutes east of UTC from 'Z', '+08', '+0800' or '+08:00' (NaN when absent)."""
    text = tz.fillna("").astype(str).str.replace(":", "", regex=False)
    text = text.where(text != "Z", "+0000")
    sign = np.where(text.str.startswith("-"), -1, 1)
    hours = pd.to_numeric(text.str.slice(1, 3), errors="coerce")
    minutes = pd.to_numeric(text.str.slice(3, 5).replace("", "0"), errors="coerce").fillna(0)
    out = sign * (hours * 60 + minutes)
    return out.where(tz.notna() & (tz.astype(str) != ""))


def parse_datetimes(values: pd.Series, source_timezone: str = "UTC") -> pd.Series:
    """Parse date/time strings to UTC timestamps (see :func:`_parse_datetimes`)."""
    return on_uniques(values, lambda u: _parse_datetimes(u, source_timezone))


def _parse_datetimes(values: pd.Series, source_timezone: str = "UTC") -> pd.Series:
    """Parse date/time strings to UTC timestamps; NaT where empty or invalid.

    Accepts ISO 8601 (``2023-02-03``, ``2023-02-03T08:26:00+08:00``), ``YYYY/MM/DD``,
    ``YYYY-MM-DD HH:MM[:SS]``, Chinese ``2023年2月3日 [8时26分]`` and ``YYYYMMDD``. Impossible
    dates (2023-02-30) are NaT. Times without an offset are local times in `source_timezone`;
    local times that do not exist or are ambiguous at a DST change are NaT.
    """
    values = values.astype(object).where(values.notna(), "").astype(str)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    stripped = values.str.strip()
    todo = stripped != ""
    # Fast path: the common exact ISO forms, strictly validated by pandas.
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        if not todo.any():
            break
        parsed = pd.to_datetime(stripped[todo], format=fmt, errors="coerce")
        hit = parsed.notna()
        if hit.any():
            out.loc[hit[hit].index] = _localise(parsed[hit], source_timezone)
            todo.loc[hit[hit].index] = False
    if todo.any():
        rest = _normalise_date_text(stripped[todo])
        parts = rest.str.extract(_DATE_RE)
        compact = rest.str.extract(_COMPACT_DATE_RE)
        use_compact = parts["y"].isna() & compact["y"].notna()
        for col in ("y", "m", "d"):
            parts[col] = parts[col].where(~use_compact, compact[col])
        ok = parts["y"].notna()
        if ok.any():
            out = _assemble(parts[ok], out, source_timezone)
    return out


def _assemble(parts: pd.DataFrame, out: pd.Series, source_timezone: str) -> pd.Series:
    """Build timestamps from extracted components, validating the calendar date."""
    nums = {
        "year": pd.to_numeric(parts["y"]),
        "month": pd.to_numeric(parts["m"]),
        "day": pd.to_numeric(parts["d"]),
        "hour": pd.to_numeric(parts["H"].fillna("0")),
        "minute": pd.to_numeric(parts["M"].fillna("0")),
        "second": pd.to_numeric(parts["S"].fillna("0")),
    }
    frac = parts["f"].fillna("").str.ljust(6, "0").str.slice(0, 6).replace("", "0")
    nums["microsecond"] = pd.to_numeric(frac)
    frame = pd.DataFrame(nums)
    in_range = (
        frame["month"].between(1, 12)
        & frame["day"].between(1, 31)
        & frame["hour"].between(0, 23)
        & frame["minute"].between(0, 59)
        & frame["second"].between(0, 59)
        & frame["year"].between(1678, 2261)
    )
    frame = frame[in_range]
    if frame.empty:
        return out
    naive = pd.to_datetime(frame, errors="coerce")
    offset = _offset_minutes(parts.loc[frame.index, "tz"])
    with_offset = offset.notna() & naive.notna()
    if with_offset.any():
        idx = with_offset[with_offset].index
        utc = naive[idx] - pd.to_timedelta(offset[idx], unit="min")
        out.loc[idx] = utc.dt.tz_localize("UTC")
    local = ~with_offset & naive.notna()
    if local.any():
        idx = local[local].index
        out.loc[idx] = _localise(naive[idx], source_timezone)
    return out


def _localise(naive: pd.Series, source_timezone: str) -> pd.Series:
    """Attach the source timezone to naive times and convert them to UTC."""
    try:
        return naive.dt.tz_localize(
            source_timezone, ambiguous="NaT", nonexistent="NaT"
        ).dt.tz_convert("UTC")
    except Exception as exc:  # pytz/zoneinfo raise various errors for an unknown zone
        raise InputError(f"unknown timezone {source_timezone!r}") from exc


def parse_datetime(text: str, source_timezone: str = "UTC") -> dt.datetime | None:
    """Parse one date/time string (see :func:`parse_datetimes`); None when invalid."""
    value = parse_datetimes(pd.Series([text], dtype=object), source_timezone).iloc[0]
    return None if pd.isna(value) else value.to_pydatetime()


def check_timezone(name: str) -> str:
    """Return `name` when it is a known IANA timezone, else raise InputError."""
    _localise(pd.Series([pd.Timestamp("2020-01-01")]), name)
    return name


# --- text, keys, numbers, enums ---------------------------------------------------------------


def clean_text(values: pd.Series) -> pd.Series:
    """Clean text cells (see :func:`_clean_text`), working on distinct values."""
    return on_uniques(values.astype(TEXT), _clean_text)


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip NUL and control characters (newline and tab kept), zero-width characters, and edges."""
    s = values.astype(TEXT)
    if s.str.contains("\r", regex=False).any():
        s = s.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    if s.str.contains(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u2060\ufeff\u180e]", regex=True
    ).any():
        s = s.str.replace(_CONTROL, "", regex=True).str.replace(_ZERO_WIDTH, "", regex=True)
    return s.str.strip()


def clean_key(values: pd.Series) -> pd.Series:
    """A natural key: cleaned text, and a spreadsheet's float id ``17850.0`` read as ``17850``."""
    return on_uniques(
        values.astype(TEXT),
        lambda u: _clean_text(u).str.replace(r"^(\d+)\.0+$", r"\1", regex=True),
    )


def to_number(values: pd.Series) -> pd.Series:
    """Numbers from text (see :func:`_to_number`), working on distinct values."""
    return on_uniques(values, _to_number)


def _to_number(values: pd.Series) -> pd.Series:
    """Numbers from text: thousands separators, currency signs and spaces removed; NaN if not."""
    s = values.astype(str).str.strip()
    s = s.str.replace(r"^[¥￥$€£]|元$", "", regex=True).str.strip()
    thousands = s.str.match(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
    s = s.where(~thousands, s.str.replace(",", "", regex=False))
    return pd.to_numeric(s.where(s != "", None), errors="coerce").astype(float)


def to_decimals(values: pd.Series) -> list[Decimal | None]:
    """Exact decimals for money columns (None where not a finite number)."""
    out: list[Decimal | None] = []
    for v in values.tolist():
        try:
            d = Decimal(str(v).strip().replace(",", "").lstrip("¥￥$€£").removesuffix("元"))
        except InvalidOperation:
            out.append(None)
            continue
        out.append(d if d.is_finite() else None)
    return out


def map_enum(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """Map free-text labels (case-insensitive, both languages) to enum values; NaN if unknown."""
    return on_uniques(values, lambda u: _map_enum(u, table))


def _map_enum(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """Element-wise body of :func:`map_enum`."""
    key = values.astype(str).str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    return key.map(table)


def normalise_email(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Lower-cased, trimmed e-mails and a mask of values that are not e-mail addresses."""
    s = clean_text(values).str.lower()
    bad = (s != "") & ~s.str.fullmatch(r"[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']{2,}")
    return s, bad


def normalise_phone(
    values: pd.Series, default_country_code: str = "86"
) -> tuple[pd.Series, pd.Series]:
    """Phones to E.164-ish form (13800138000 -> +8613800138000) and a mask of invalid ones."""
    raw = clean_text(values)
    plus = raw.str.startswith("+") | raw.str.startswith("00")
    digits = raw.str.replace(r"\D", "", regex=True)
    digits = digits.where(~raw.str.startswith("00"), digits.str.slice(2))
    cn_mobile = ~plus & digits.str.fullmatch(r"1[3-9]\d{9}")
    cn_with_code = ~plus & digits.str.fullmatch(r"861[3-9]\d{9}")
    out = pd.Series("+" + digits, index=raw.index, dtype=object)
    out = out.where(~cn_mobile, "+" + default_country_code + digits)
    out = out.where(~cn_with_code, "+" + digits)
    local = ~plus & ~cn_mobile & ~cn_with_code
    # Other numbers without a country code: keep the digits under the default code.
    out = out.where(~local, "+" + default_country_code + digits.str.lstrip("0"))
    bad = (raw != "") & ~(raw.str.fullmatch(r"[+\d\s().\-/]+") & digits.str.len().between(6, 15))
    out = out.where(raw != "", "")
    return out.astype(str), bad


def cap_length(values: pd.Series, column: str, limit: int, findings: Findings) -> pd.Series:
    """Cut values longer than `limit` characters, recording a warning for each cut."""
    lengths = values.str.len()
    long = lengths > limit
    if long.any():
        findings.warning(
            long, column, f"longer than {limit} characters: cut to {limit}", lengths.astype(str)
        )
        values = values.where(~long, values.str.slice(0, limit))
    return values


def none_if_empty(values: pd.Series) -> list[Any]:
    """Python values for insertion: '' becomes None."""
    return [None if v == "" else v for v in values.tolist()]
