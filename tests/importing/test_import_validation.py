"""Validation helpers: the date parser (known answers and properties), numbers, phones, text."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.importing import validation as v


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-02-03", dt.datetime(2023, 2, 3, tzinfo=dt.UTC)),
        ("2023/2/3", dt.datetime(2023, 2, 3, tzinfo=dt.UTC)),
        ("2023.02.03", dt.datetime(2023, 2, 3, tzinfo=dt.UTC)),
        ("2023年2月3日", dt.datetime(2023, 2, 3, tzinfo=dt.UTC)),
        ("2023年2月3日 8时5分", dt.datetime(2023, 2, 3, 8, 5, tzinfo=dt.UTC)),
        ("2023-02-03 08:26", dt.datetime(2023, 2, 3, 8, 26, tzinfo=dt.UTC)),
        ("2023-02-03 08:26:59", dt.datetime(2023, 2, 3, 8, 26, 59, tzinfo=dt.UTC)),
        ("2023-02-03T08:26:00+08:00", dt.datetime(2023, 2, 3, 0, 26, tzinfo=dt.UTC)),
        ("2023-02-03T08:26:00Z", dt.datetime(2023, 2, 3, 8, 26, tzinfo=dt.UTC)),
        ("2023-02-03T08:26:00.250-0500", dt.datetime(2023, 2, 3, 13, 26, 0, 250000, tzinfo=dt.UTC)),
        ("20230203", dt.datetime(2023, 2, 3, tzinfo=dt.UTC)),
        ("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=dt.UTC)),
        ("2023-02-30", None), ("2023-02-29", None), ("2023-13-01", None), ("2023-04-31", None),
        ("2023-02-03 24:00", None), ("03/02/2023", None), ("yesterday", None), ("", None),
        ("=cmd|' /C calc'!A0", None),
    ],
)  # fmt: skip
def test_known_dates(text: str, expected: dt.datetime | None) -> None:
    assert v.parse_datetime(text) == expected


def test_source_timezone_and_dst_gap() -> None:
    assert v.parse_datetime("2023-02-03 08:00", "Asia/Shanghai") == dt.datetime(
        2023, 2, 3, 0, 0, tzinfo=dt.UTC
    )
    assert v.parse_datetime("2023-03-26 02:30", "Europe/Berlin") is None  # does not exist
    assert v.parse_datetime("2023-02-03T08:00:00+00:00", "Asia/Shanghai") == dt.datetime(
        2023, 2, 3, 8, tzinfo=dt.UTC
    )


@settings(deadline=None, max_examples=60)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
       st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y:04d}{m:02d}{d:02d}",
                        "{y:04d}-{m}-{d} 00:00", "{y:04d}-{m:02d}-{d:02d}T00:00:00Z"]))  # fmt: skip
def test_property_every_real_date_round_trips(day: dt.date, fmt: str) -> None:
    text = fmt.format(y=day.year, m=day.month, d=day.day)
    parsed = v.parse_datetime(text)
    assert parsed is not None and parsed.date() == day and parsed.tzinfo is not None


@settings(deadline=None, max_examples=60)
@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(29, 31))
def test_property_impossible_days_are_rejected(year: int, month: int, day: int) -> None:
    valid = day <= calendar.monthrange(year, month)[1]
    assert (v.parse_datetime(f"{year}-{month:02d}-{day:02d}") is not None) == valid


@settings(deadline=None, max_examples=60)
@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York", "Europe/London"]))  # fmt: skip
def test_property_offset_times_ignore_source_timezone(moment: dt.datetime, tz: str) -> None:
    moment = moment.replace(microsecond=0)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
    expected = (moment - dt.timedelta(hours=8)).replace(tzinfo=dt.UTC)
    assert v.parse_datetime(text, tz) == expected


@settings(deadline=None, max_examples=60)
@given(st.lists(st.text(max_size=30), min_size=0, max_size=40))
def test_property_vector_equals_scalar(texts: list[str]) -> None:
    vector = v.parse_datetimes(pd.Series(texts, dtype=object))
    assert [None if pd.isna(x) else x.to_pydatetime() for x in vector] == [
        v.parse_datetime(t) for t in texts
    ]


def test_on_uniques_matches_direct_application() -> None:
    values = pd.Series(["2023-01-0" + str(i % 9 + 1) for i in range(5000)] + ["bad"], dtype=object)
    assert v.parse_datetimes(values).equals(v._parse_datetimes(values))


def test_numbers_phones_emails_text() -> None:
    nums = v.to_number(pd.Series(["1,234.50", "¥12", "12元", "-3", "x", "", "1,5"]))
    assert nums.iloc[:4].tolist() == [1234.5, 12.0, 12.0, -3.0]
    assert nums.iloc[4:].isna().all()
    phones, bad = v.normalise_phone(
        pd.Series(
            ["13800138000", "+86 138-0013-8000", "8613800138000", "", "abc", "+44 20 7946 0958"]
        )
    )
    assert phones.tolist()[:4] == ["+8613800138000", "+8613800138000", "+8613800138000", ""]
    assert phones.iloc[5] == "+442079460958"
    assert bad.tolist() == [False, False, False, False, True, False]
    emails, bad_e = v.normalise_email(pd.Series([" A@B.cn ", "nope", "", "<script>@x.com"]))
    assert emails.iloc[0] == "a@b.cn" and bad_e.tolist() == [False, True, False, True]
    text = v.clean_text(
        pd.Series(["a\x00b\x07c\td\r\ne\u200bf 😀\u200d👍", "  <script>alert(1)</script>  "])
    )
    assert text.tolist() == ["abc\td\nef 😀\u200d👍", "<script>alert(1)</script>"]
    assert v.map_enum(pd.Series(["男", "F", "Female", "?"]), v.GENDERS).tolist()[:3] == [
        "male",
        "female",
        "female",
    ]
    assert v.map_enum(pd.Series(["微博", "App Store", "在线客服", "客服电话"]), v.CHANNELS).tolist() == [
        "social", "app_store", "chat", "call_centre"]  # fmt: skip
    assert v.clean_key(pd.Series(["17850.0", "00123", " K1 "])).tolist() == ["17850", "00123", "K1"]
