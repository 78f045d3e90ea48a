"""Feedback text composition: properties over random opinions, languages and channels."""

from __future__ import annotations

import random
import re

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.demo.feedback_text import ASPECTS, LANGUAGES, Opinion, compose
from manyi.demo.generator import generate
from manyi.demo.signals import month_add

CHANNELS = ("survey", "email", "web_form", "social", "review", "app_store", "call_centre",
            "in_app", "chat")  # fmt: skip
CJK = re.compile(r"[\u4e00-\u9fff]")
T2S = opencc.OpenCC("t2s")
S2T = opencc.OpenCC("s2t")

opinions = st.lists(
    st.builds(Opinion, st.sampled_from(ASPECTS), st.booleans()),
    min_size=1, max_size=3, unique_by=lambda o: o.aspect,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    ops=opinions,
    language=st.sampled_from(LANGUAGES),
    channel=st.sampled_from(CHANNELS),
    kind=st.sampled_from(["opinion", "opinion", "inquiry", "suggestion"]),
    days=st.integers(1, 30),
)
def test_compose_is_well_formed(
    seed: int, ops: list[Opinion], language: str, channel: str, kind: str, days: int
) -> None:
    text = compose(random.Random(seed), opinions=ops, language=language, channel=channel,
                   product="保温杯", product_en="vacuum flask", days=days, kind=kind)  # fmt: skip
    again = compose(random.Random(seed), opinions=ops, language=language, channel=channel,
                    product="保温杯", product_en="vacuum flask", days=days, kind=kind)  # fmt: skip
    assert text == again  # deterministic per seed
    assert text.strip() and "{" not in text and "}" not in text  # every slot filled
    if language == "en":
        assert not CJK.search(text)
    else:
        assert CJK.search(text)
    if language == "zh-Hant":
        assert S2T.convert(text) == text  # already fully Traditional
    if language == "zh-Hans":
        assert T2S.convert(text) == text  # no Traditional characters


@settings(max_examples=200, deadline=None)
@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(-60, 60))
def test_month_add_round_trips(year: int, month: int, delta: int) -> None:
    start = f"{year:04d}-{month:02d}"
    moved = month_add(start, delta)
    assert re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", moved)
    assert month_add(moved, -delta) == start


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000))
def test_any_seed_gives_consistent_small_data(seed: int) -> None:
    data = generate(customers=60, seed=seed, months=9)
    orders = data.orders
    assert set(orders["customer_id"]) <= set(data.customers["customer_id"])
    known = set(orders["order_no"])
    assert all(no in known for no in data.feedback["order_no"] if no)
    assert not orders.duplicated(["order_no", "sku"]).any()
    seen = data.customers.set_index("customer_id")["first_seen_at"]
    assert (orders["ordered_at"] >= orders["customer_id"].map(seen)).all()
    assert data.feedback["feedback_id"].is_unique
    assert (orders["amount"] - orders["quantity"] * orders["unit_price"]).abs().max() < 0.006
