"""The attribute allow-list and the age bands, without a database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.errors import InputError
from manyi.satisfaction.attributes import ATTRIBUTES, check_attribute, parse_by
from manyi.satisfaction.frames import age_bands, metric_scale


@given(st.text(max_size=60))
def test_only_allow_listed_names_pass(name: str) -> None:
    clean = name.strip()
    allowed = clean in ATTRIBUTES or (
        clean.startswith("segment:")
        and 1 <= len(clean) - 8 <= 60
        and all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in clean[8:])
    )
    if allowed:
        assert check_attribute(name).name == clean
    else:
        with pytest.raises(InputError):
            check_attribute(name)


def test_parse_by_forms() -> None:
    assert [a.name for a in parse_by("region, channel")] == ["region", "channel"]
    assert [a.name for a in parse_by(["store"])] == ["store"]
    assert parse_by(None) == [] and parse_by("") == []
    assert parse_by("segment:tiers")[0].segment_kind == "tiers"
    with pytest.raises(InputError, match="at most"):
        parse_by("region,channel,store,city")


def test_error_message_names_the_allowed_attributes() -> None:
    with pytest.raises(InputError) as info:
        check_attribute("<script>alert(1)</script>")
    assert "region" in info.value.message and "touchpoint" in info.value.message


def test_age_bands_at_the_time_of_the_answer() -> None:
    born = pd.Series(
        [date(2001, 3, 10), date(2001, 3, 10), None, date(1950, 1, 1), date(2030, 1, 1)]
    )
    at = pd.Series(
        pd.to_datetime(["2026-03-09", "2026-03-10", "2026-03-10", "2026-01-01", "2026-01-01"])
    )
    assert age_bands(born, at).tolist() == ["<25", "25-34", None, "65+", None]


def test_metric_scales() -> None:
    assert metric_scale("nps").rating_scale == "0-10"
    assert metric_scale("csat").rating_scale == "1-5"
    assert metric_scale("ces").rating_scale == "1-7"
    with pytest.raises(InputError):
        metric_scale("nps; drop")
