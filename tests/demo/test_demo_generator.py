"""The demo generator: determinism, sizes, formats, text variety, languages, signals, seasonality."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import opencc
import pandas as pd
import pytest
from scipy import stats

from manyi.demo import signals as sig
from manyi.demo.catalog import CATEGORIES, product_catalog
from manyi.demo.generator import DemoData, generate, write_csv
from manyi.demo.geography import REGIONS
from manyi.demo.seasonality import SPRING_FESTIVAL

MAINLAND_PHONE = re.compile(r"\+861[358]\d{9}")
ANY_PHONE = re.compile(r"\+\d{8,14}")
EMAIL = re.compile(r"[a-z0-9._]+@(mail\.)?example\.(com|net|org)")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
#: Characters that exist only in Traditional Chinese (their Simplified forms differ).
TRADITIONAL_ONLY = set(
    "這個們說買貨後還會質價運態務與時來東錯讓應過對滿裝經麼點發單覺間從體寶氣東價務費貴"
)


@pytest.fixture(scope="module")
def data() -> DemoData:
    """The default data set (3,000 customers, 24 months to 2026-10-31, seed 42)."""
    return generate()


@pytest.fixture(scope="module")
def small() -> DemoData:
    """A small data set for determinism checks."""
    return generate(customers=300, seed=5, months=12)


def _orders(data: DemoData) -> pd.DataFrame:
    """One row per order."""
    return data.orders.drop_duplicates("order_no")


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_bytes(small: DemoData, tmp_path: Path) -> None:
    again = generate(customers=300, seed=5, months=12)
    for name, frame in small.frames().items():
        pd.testing.assert_frame_equal(frame, again.frames()[name])
    a = write_csv(small, tmp_path / "a")
    b = write_csv(again, tmp_path / "b")
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_different_seed_gives_different_data(small: DemoData) -> None:
    other = generate(customers=300, seed=6, months=12)
    assert not small.customers["name"].equals(other.customers["name"])
    assert not small.feedback["text"].equals(other.feedback["text"])


# --- sizes and formats ---------------------------------------------------------------------------


def test_sizes(data: DemoData) -> None:
    assert len(data.customers) == 3000
    assert 8000 <= len(data.feedback) <= 12000
    assert 140 <= len(product_catalog()) <= 160
    assert set(CATEGORIES) >= {"服饰", "数码", "家电", "美妆", "食品", "家居", "母婴"}
    assert data.orders["order_no"].nunique() > 12000
    assert len(data.feedback_labels) == len(data.feedback)
    assert len(data.interactions) > 3 * len(data.orders["order_no"].unique())


def test_interactions_follow_the_orders(data: DemoData) -> None:
    events = data.interactions
    assert events["interaction_id"].is_unique
    assert events["occurred_at"].is_monotonic_increasing
    orders = _orders(data).set_index("order_no")
    placed = events[events["event_type"] == "order_placed"]
    assert len(placed) == len(orders)
    delivered = events[events["event_type"] == "delivered"].set_index("order_no")
    assert (delivered["occurred_at"] == orders.loc[delivered.index, "delivered_at"]).all()
    browse = events[events["event_type"] == "browse"].set_index("order_no")
    assert (browse["occurred_at"] <= orders.loc[browse.index, "ordered_at"]).all()
    assert set(events["journey_stage"]) == {
        "consideration",
        "purchase",
        "delivery",
        "after_sales",
        "feedback",
    }


def test_csv_columns_are_the_importer_headers(data: DemoData, tmp_path: Path) -> None:
    paths = write_csv(data, tmp_path)
    header = {k: p.read_text(encoding="utf-8").splitlines()[0] for k, p in paths.items()}
    assert header["customers"] == (
        "customer_id,name,gender,birthday,city,region,city_tier,income_band,occupation,"
        "preferred_channel,preferred_language,email,phone,consent_marketing,consent_surveys,"
        "first_seen_at"
    )
    assert header["orders"] == (
        "order_no,customer_id,ordered_at,channel,store,region,status,sku,product_name,category,"
        "quantity,unit_price,amount,delivered_at"
    )
    assert header["feedback"] == (
        "feedback_id,customer_id,order_no,channel,received_at,text,rating,rating_scale,"
        "touchpoint,store,region"
    )
    first = pd.read_csv(paths["orders"], dtype=str, keep_default_na=False).iloc[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00", first["ordered_at"])
    assert re.fullmatch(r"\d+\.\d\d", first["unit_price"])


def test_dates_parse_and_lie_in_the_window(data: DemoData, tmp_path: Path) -> None:
    paths = write_csv(data, tmp_path)
    orders = pd.read_csv(paths["orders"], dtype=str, keep_default_na=False)
    feedback = pd.read_csv(paths["feedback"], dtype=str, keep_default_na=False)
    people = pd.read_csv(paths["customers"], dtype=str, keep_default_na=False)
    ordered = pd.to_datetime(orders["ordered_at"], format="ISO8601", utc=True)
    received = pd.to_datetime(feedback["received_at"], format="ISO8601", utc=True)
    end = pd.Timestamp("2026-11-01", tz="Asia/Shanghai")
    start = pd.Timestamp("2024-11-01", tz="Asia/Shanghai")
    assert ordered.min() >= start and ordered.max() < end
    assert received.min() >= start and received.max() < end
    delivered = orders["delivered_at"] != ""
    gap = pd.to_datetime(orders.loc[delivered, "delivered_at"], format="ISO8601", utc=True)
    assert (gap >= ordered[delivered]).all()
    assert set(orders.loc[~delivered, "status"]) <= {"cancelled", "pending"}
    birthday = pd.to_datetime(people["birthday"], format="%Y-%m-%d")
    age = (pd.Timestamp("2026-10-31") - birthday).dt.days / 365.25
    assert age.between(17.9, 76.1).all()
    assert age.median() < 40  # skewed young


def test_contacts_are_valid_and_unique(data: DemoData) -> None:
    people = data.customers
    assert people["customer_id"].is_unique
    emails = people["email"][people["email"] != ""]
    phones = people["phone"][people["phone"] != ""]
    assert 0.8 < len(emails) / len(people) < 0.95
    assert emails.map(lambda e: bool(EMAIL.fullmatch(e))).all()
    assert phones.map(lambda p: bool(ANY_PHONE.fullmatch(p))).all()
    mainland = phones[people.loc[phones.index, "region"].isin(REGIONS[:7])]
    assert mainland.map(lambda p: bool(MAINLAND_PHONE.fullmatch(p))).all()
    assert emails.is_unique and phones.is_unique


def test_demographics_are_plausible(data: DemoData) -> None:
    people = data.customers
    assert set(people["gender"]) == {"female", "male"}
    assert set(people["city_tier"]) == {1, 2, 3, 4}
    assert set(people["region"]) <= set(REGIONS)
    assert {"华东", "华南", "华北", "华中", "西南", "西北", "东北"} <= set(people["region"])
    assert set(people["consent_marketing"]) == {"yes", "no"}
    assert 0.4 < (people["consent_surveys"] == "yes").mean() < 0.9
    zh = people[people["preferred_language"] == "zh-CN"]
    surnames = zh["name"].str[0].value_counts()
    assert set(surnames.index[:3]) <= {"王", "李", "张", "刘"}
    assert zh["name"].str.len().between(2, 4).all()
    english = people["name"].str.contains(r"^[A-Za-z]+ [A-Za-z]+$", regex=True)
    assert 0.03 < english.mean() < 0.12
    assert (people.loc[english, "preferred_language"] != "zh-CN").all()
    students = people[people["occupation"] == "学生"]
    assert not students.empty and (2026 - students["birthday"].str[:4].astype(int)).max() <= 23


def test_ratings_are_in_scale_and_follow_the_text(data: DemoData) -> None:
    fb, labels = data.feedback, data.feedback_labels
    nps = fb[fb["rating_scale"] == "0-10"]
    stars = fb[fb["rating_scale"] == "1-5"]
    assert nps["rating"].between(0, 10).all() and (nps["rating"] % 1 == 0).all()
    assert stars["rating"].between(1, 5).all()
    assert fb.loc[fb["rating_scale"] == "", "rating"].isna().all()
    assert (fb.loc[fb["channel"] == "survey", "rating_scale"] == "0-10").all()
    assert (fb.loc[fb["channel"] == "review", "rating_scale"] == "1-5").all()
    for part in (nps, stars):
        r = np.corrcoef(part["rating"], labels.loc[part.index, "sentiment"])[0, 1]
        assert r > 0.7
    negative = labels["sentiment"] == -1
    positive = labels["sentiment"] == 1
    assert nps["rating"][negative].mean() + 4 < nps["rating"][positive].mean()


def test_all_feedback_channels_present(data: DemoData) -> None:
    expected = {"survey", "email", "web_form", "social", "review", "app_store", "call_centre",
                "in_app", "chat"}  # fmt: skip
    assert set(data.feedback["channel"]) == expected


# --- texts ---------------------------------------------------------------------------------------


def test_texts_are_varied(data: DemoData) -> None:
    sample = data.feedback["text"].sample(5000, random_state=0)
    assert sample.nunique() / len(sample) >= 0.8
    assert (data.feedback["text"].str.len() > 0).all()


def test_each_language_is_present_and_written_in_its_script(data: DemoData) -> None:
    text, lang = data.feedback["text"], data.feedback_labels["language"]
    counts = lang.value_counts()
    assert counts["zh-Hans"] / len(lang) > 0.6
    assert counts["zh-Hant"] > 200 and counts["en"] > 200 and counts["mixed"] > 100
    has_cjk = text.map(lambda t: bool(CJK.search(t)))
    has_latin = text.map(lambda t: bool(LATIN.search(t)))
    has_trad = text.map(lambda t: bool(TRADITIONAL_ONLY & set(t)))
    assert has_cjk[lang == "zh-Hans"].mean() == 1.0
    assert has_trad[lang == "zh-Hans"].mean() < 0.01
    assert has_trad[lang == "zh-Hant"].mean() > 0.9
    assert (~has_cjk[lang == "en"]).all() and has_latin[lang == "en"].all()
    assert (has_cjk & has_latin)[lang == "mixed"].all()
    t2s = opencc.OpenCC("t2s")
    trad = text[lang == "zh-Hant"].head(300)
    assert (trad.map(t2s.convert) != trad).mean() > 0.9


def test_texts_use_negation_contrast_and_emoji(data: DemoData) -> None:
    text = data.feedback["text"]
    assert text.str.contains("虽然").any() and text.str.contains("但").any()
    assert text.str.contains("不太满意|并不差", regex=True).any()
    assert text.str.contains("[😡👍😊👎]", regex=True).any()
    assert text.str.contains("灰常|酱紫|不戳|滴", regex=True).any()


# --- planted signals -----------------------------------------------------------------------------


def _monthly(labels: pd.DataFrame, column: str) -> pd.Series:
    """Share of feedback items flagged in `column`, per month."""
    month = labels["received_at"].dt.strftime("%Y-%m")
    return labels.groupby(month)[column].mean()


def test_signal_packaging_spike(data: DemoData) -> None:
    month = data.signals["packaging_spike"]["month"]
    assert month == "2026-03" == sig.PLANTED_SIGNALS["packaging_spike"]["month"]
    share = _monthly(data.feedback_labels, "packaging_complaint")
    assert share[month] > 3 * share.median()
    assert share.idxmax() == month
    # Visible in the raw text too: negative packaging phrases per month.
    damaged = data.feedback["text"].str.contains(
        "破损|压扁|烂了|简陋|破的|漏了|磕坏|破了|破損|壓扁|簡陋|crushed|damaged|torn|flimsy",
        regex=True,
    )
    by_month = damaged.groupby(data.feedback["received_at"].dt.strftime("%Y-%m")).mean()
    assert by_month[month] > 2.5 * by_month.median()


def test_signal_slow_region(data: DemoData) -> None:
    orders = _orders(data)
    online = orders[(orders["channel"] != "store") & orders["delivered_at"].notna()]
    days = (online["delivered_at"] - online["ordered_at"]).dt.total_seconds() / 86400
    mainland = online["region"].isin(REGIONS[:7])
    slow = online["region"] == "西北"
    assert days[slow].median() > 2 * days[mainland & ~slow].median()
    by_region = days[mainland].groupby(online["region"][mainland]).median()
    assert by_region.idxmax() == "西北"
    labels = data.feedback_labels
    complaints = labels.groupby("region")["logistics_complaint"].mean()
    others = labels[labels["region"].isin(REGIONS[:7]) & (labels["region"] != "西北")]
    assert complaints["西北"] > 3 * others["logistics_complaint"].mean()


def test_signal_price_trend(data: DemoData) -> None:
    months = data.signals["price_trend"]["months"]
    assert months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    share = _monthly(data.feedback_labels, "price_complaint")
    trend = share[months]
    assert stats.spearmanr(np.arange(6), trend.to_numpy()).statistic >= 0.9
    before = share[share.index < months[0]]
    assert trend.iloc[-1] > 2.5 * before.median()
    assert trend.iloc[0] < trend.iloc[-1]


def test_signal_vip_churn(data: DemoData) -> None:
    labels, fb = data.feedback_labels, data.feedback
    churn = labels[labels["vip_churn_complaint"]]
    people = churn["customer_id"].unique()
    assert len(people) == 60 == data.signals["vip_churn"]["customers"]
    surveys = fb.loc[churn.index][fb.loc[churn.index, "channel"] == "survey"]
    assert surveys["customer_id"].nunique() == 60 and (surveys["rating"] <= 3).all()
    assert (churn["sentiment"] == -1).all()
    done = data.orders[data.orders["status"] == "completed"]
    value = done.groupby("customer_id")["amount"].sum().reindex(data.customers["customer_id"])
    top20 = value.fillna(0) >= value.fillna(0).quantile(0.8)
    assert top20[people].mean() >= 0.9
    first_complaint = churn.groupby("customer_id")["received_at"].min()
    last_order = data.orders.groupby("customer_id")["ordered_at"].max()[people]
    assert (last_order < first_complaint[people]).all()
    end = pd.Timestamp("2026-10-31", tz="Asia/Shanghai")
    assert ((end - last_order).dt.days >= 150).all()


# --- seasonality ---------------------------------------------------------------------------------


def test_seasonality(data: DemoData) -> None:
    orders = _orders(data)
    local = orders["ordered_at"]
    per_month = local.dt.strftime("%Y-%m").value_counts()
    assert per_month["2024-11"] > per_month.median()
    assert per_month["2025-11"] > per_month.median()
    per_day = local.dt.date.value_counts()
    median_day = per_day.median()
    assert per_day[dt.date(2025, 11, 11)] > 4 * median_day
    assert per_day[dt.date(2026, 6, 18)] > 2.5 * median_day
    festival = SPRING_FESTIVAL[2026]
    dip = [festival + dt.timedelta(days=k) for k in range(-4, 6)]
    gifts = [festival + dt.timedelta(days=k) for k in range(-20, -8)]
    assert per_day.reindex(dip, fill_value=0).mean() < 0.6 * per_day.reindex(gifts).mean()
    food = data.orders[data.orders["category"] == "食品"]["ordered_at"].dt.date
    assert food.isin(gifts).sum() > 2 * len(food) * len(gifts) / per_day.size
    weekday = local.dt.day_of_week.value_counts()
    assert weekday[5] > weekday[1]


def test_spend_is_heavy_tailed(data: DemoData) -> None:
    done = data.orders[data.orders["status"] == "completed"]
    value = done.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = value.head(len(value) // 5).sum() / value.sum()
    assert top > 0.6  # the top 20% of buyers bring most of the revenue
    assert set(data.orders["status"]) >= {"completed", "cancelled", "returned"}


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customers": 10}, "customers"),
        ({"customers": -5}, "customers"),
        ({"months": 0}, "months"),
        ({"months": 1000}, "months"),
        ({"end_date": dt.date(2045, 1, 1)}, "calendar"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)  # type: ignore[arg-type]


def test_signals_move_with_the_window() -> None:
    moved = sig.planted_signals(dt.date(2025, 12, 31), 1500)
    assert moved["packaging_spike"]["month"] == "2025-05"
    assert moved["price_trend"]["months"][-1] == "2025-12"
    assert moved["vip_churn"]["customers"] == 30
