"""Satisfaction metrics over the database, checked against hand-computed figures (SQLite and PG)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.errors import InputError
from manyi.feedback.models import FeedbackItem
from manyi.satisfaction import service
from manyi.satisfaction.frames import RatingFilter

MARCH = RatingFilter(since=date(2026, 3, 1), until=date(2026, 3, 31))


def _groups(payload: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    """Breakdown rows by key."""
    return {g["key"]: g for g in payload["groups"]}


def test_nps_overall_hand_computed(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        march = service.summary(session=s, metric="nps", filters=MARCH, min_n=1)
        everything = service.summary(session=s, metric="nps")
    o = march["overall"]
    assert (o["n"], o["promoters"], o["passives"], o["detractors"]) == (5, 3, 1, 1)
    assert o["score"] == pytest.approx(40.0)
    assert o["ci_low"] < 40 < o["ci_high"]
    assert o["n_invalid"] == 1  # the stored 4.5
    assert march["groups"] == [] and march["filters"]["since"] == "2026-03-01"
    assert everything["overall"]["n"] == 8
    assert everything["overall"]["score"] == pytest.approx(100 * (4 - 3) / 8)
    assert everything["overall"]["warning"]  # n = 8 < 30


def test_breakdown_by_region_falls_back_to_the_customer(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        march = _groups(service.summary(session=s, metric="nps", by="region", filters=MARCH))
        allm = service.summary(session=s, metric="nps", by="region", min_n=4)
    assert march["华东"]["n"] == 3 and march["华东"]["score"] == pytest.approx(200 / 3)
    assert march["西北"]["score"] == pytest.approx(0.0)
    assert march["西北"]["small_sample"] and march["西北"]["values"] == {"region": "西北"}
    groups = _groups(allm)
    # April answers carry no region: 西北 comes from the customer -> 9, 3, 0, 0, 10 = 2P 3D
    assert groups["西北"]["n"] == 5 and groups["西北"]["score"] == pytest.approx(-20.0)
    assert not groups["西北"]["small_sample"] and groups["华东"]["small_sample"]
    assert [g["key"] for g in allm["groups"]] == ["华东", "西北"]  # best first
    assert allm["overall"]["n_unkeyed"] == 0


def test_csat_and_ces_hand_computed(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        csat = service.summary(session=s, metric="csat", by="channel")["overall"]
        ces = service.summary(session=s, metric="ces")["overall"]
    assert csat["n"] == 5 and csat["score"] == pytest.approx(40.0)
    assert csat["satisfied"] == 2 and csat["mean"] == pytest.approx(3.0)
    assert ces["n"] == 3 and ces["score"] == pytest.approx(5.0)


def test_customer_order_analysis_and_segment_attributes(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:

        def keys(by: str, **kw: object) -> dict[str, int]:
            out = service.summary(session=s, metric="nps", by=by, min_n=1, **kw)  # type: ignore[arg-type]
            return {g["key"]: g["n"] for g in out["groups"]}

        assert keys("gender") == {"female": 3, "male": 5}
        assert keys("age_band", filters=MARCH) == {"35-44": 3, "65+": 2}
        assert keys("city_tier") == {"1": 3}
        assert keys("category") == {"数码": 1}  # the order's largest line
        assert keys("order_channel") == {"app": 1}
        assert keys("sentiment") == {"negative": 1}
        assert keys("aspect") == {"logistics": 1, "price_value": 1}
        assert keys("complaint_aspect") == {"logistics": 1}
        assert keys("feedback_type") == {"complaint": 1}
        assert keys("segment:tiers") == {"gold": 3}
        assert keys("gender,touchpoint") == {"female / delivery": 3, "male / delivery": 5}
        aspects = service.summary(session=s, metric="nps", by="aspect")
        assert aspects["overlapping_groups"] and aspects["overall"]["n"] == 8
        with pytest.raises(InputError, match="segment snapshot"):
            service.summary(session=s, metric="nps", by="segment:nothing")


@pytest.mark.parametrize(
    "by",
    [
        "region'; DROP TABLE feedback_items--",
        "1); SELECT pg_sleep(5)--",
        "' OR '1'='1",
        "rating",
        "customers.name",
        "segment:x' OR 1=1",
        "region,region",
        "aspect,feedback_type",
        "a,b,c,d",
    ],
)
def test_by_outside_the_allow_list_is_refused(seeded: sessionmaker[Session], by: str) -> None:
    with seeded() as s:
        with pytest.raises(InputError) as info:
            service.summary(session=s, metric="nps", by=by)
        assert info.value.status_code == 422
        assert s.scalar(select(func.count()).select_from(FeedbackItem)) == 18


def test_filters_refuse_bad_values() -> None:
    with pytest.raises(InputError, match="channel"):
        RatingFilter(channel="survey' OR 1=1--")
    with pytest.raises(InputError, match="after"):
        RatingFilter(since=date(2026, 5, 1), until=date(2026, 4, 1))


def test_channel_and_dates_filter(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        none = service.summary(session=s, metric="nps", filters=RatingFilter(channel="review"))
        april = service.summary(
            session=s, metric="nps", filters=RatingFilter(since=date(2026, 4, 1))
        )
    assert none["overall"]["n"] == 0 and none["overall"]["score"] is None
    assert april["overall"]["n"] == 3
    assert april["overall"]["score"] == pytest.approx(-100 / 3)


def test_trend_by_month_with_control_limits(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        out = service.trend(session=s, metric="nps", period="month", min_n=1)
        empty = service.trend(session=s, metric="nps", filters=RatingFilter(channel="chat"))
        with pytest.raises(InputError, match="period"):
            service.trend(session=s, metric="nps", period="year")
    assert [p["period"] for p in out["points"]] == ["2026-03", "2026-04"]
    march, april = out["points"]
    assert march["score"] == pytest.approx(40.0) and april["score"] == pytest.approx(-100 / 3)
    assert out["centre"] == pytest.approx(12.5) and march["centre"] == pytest.approx(12.5)
    for p in out["points"]:
        assert p["lcl"] <= p["centre"] <= p["ucl"]
        assert p["out_of_control"] == (not p["lcl"] <= p["score"] <= p["ucl"])
    assert out["flagged"] == [p["period"] for p in out["points"] if p["out_of_control"]]
    assert empty["points"] == [] and empty["centre"] is None


def test_compare_periods_this_month_against_last(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        latest = service.compare_periods(session=s, metric="nps", period="month")
        march = service.compare_periods(
            session=s, metric="nps", period="month", as_of=date(2026, 3, 31)
        )
    assert latest["as_of"] == "2026-04-04"
    assert (latest["a"]["label"], latest["b"]["label"]) == ("2026-04", "2026-03")
    c = latest["comparison"]
    assert (c["n_a"], c["n_b"]) == (3, 5)
    assert c["difference"] == pytest.approx(-100 / 3 - 40)
    assert 0 <= c["p_value"] <= 1 and c["test"].startswith("z")
    assert latest["warning"]  # small samples
    assert march["comparison"] is None and march["warning"]  # February has no answers


def test_compare_two_groups_and_all_pairs(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        pair = service.compare(session=s, metric="nps", by="region", a="华东", b="西北")
        pairs = service.compare(session=s, metric="nps", by="gender")
        missing = service.compare(session=s, metric="nps", by="region", a="华东", b="' OR 1=1")
        with pytest.raises(InputError, match="overlap"):
            service.compare(session=s, metric="nps", by="aspect")
        with pytest.raises(InputError, match="both"):
            service.compare(session=s, metric="nps", by="region", a="华东")
    c = pair["comparison"]
    assert c["score_a"] == pytest.approx(200 / 3) and c["score_b"] == pytest.approx(-20.0)
    assert c["difference"] == pytest.approx(200 / 3 + 20)
    assert len(pairs["pairs"]) == 1 and pairs["adjust"] == "holm"
    assert pairs["pairs"][0]["p_adjusted"] >= pairs["pairs"][0]["p_value"]
    assert missing["comparison"] is None and missing["warning"]


def test_dashboard_bundles_the_three_views(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        out = service.dashboard(session=s, metric="csat", by="channel")
    assert out["breakdown"]["groups"][0]["key"] == "review"
    assert out["trend"]["points"][0]["n"] == 5
    assert out["periods"]["a"]["label"] == "2026-03"
