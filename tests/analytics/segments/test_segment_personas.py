"""Tests of persona cards and narratives (manyi.analytics.segments.personas)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from manyi.analytics.segments.orders import clean_orders
from manyi.analytics.segments.personas import build_personas
from manyi.analytics.segments.rfm import compute_rfm

AS_OF = "2024-06-30"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_planted_personas_read_as_expected(synthetic_people) -> None:
    lines = clean_orders(synthetic_people["orders"], AS_OF).lines
    rfm = compute_rfm(lines, AS_OF)
    cards = {
        c.segment: c
        for c in build_personas(
            synthetic_people["customers"],
            "group",
            orders=lines,
            rfm=rfm,
            feedback=synthetic_people["feedback"],
            as_of=AS_OF,
        )
    }
    young = cards["young_online"]
    assert young.narrative_en.startswith(
        "A young urban white-collar worker who buys online on price"
    )
    assert (
        "年轻" in young.narrative_zh
        and "白领" in young.narrative_zh
        and "价格" in young.narrative_zh
    )
    assert young.occupation == "white_collar" and young.channel == "online"
    assert young.gender_mix["female"] > 0.6
    executive = cards["executives"]
    assert "executive" in executive.narrative_en
    assert "values quality and personal service" in executive.narrative_en
    assert "spends well above average" in executive.narrative_en
    assert "高管" in executive.narrative_zh and "品质" in executive.narrative_zh
    retiree = cards["retirees"]
    assert "retiree who prefers stores" in retiree.narrative_en
    assert "退休" in retiree.narrative_zh and "门店" in retiree.narrative_zh
    assert "high churn risk" in retiree.narrative_en
    assert retiree.complaints[:1] == ["packaging"]
    assert retiree.top_categories[:2] in (["groceries", "health"], ["health", "groceries"])
    assert retiree.median_age is not None and retiree.median_age >= 66
    # The narratives differ: rules over lift, not one template with blanks.
    assert len({c.narrative_en.split(".")[0] for c in cards.values()}) == 3


def test_every_rfm_segment_gets_a_bilingual_persona(synthetic_people) -> None:
    lines = clean_orders(synthetic_people["orders"], AS_OF).lines
    rfm = compute_rfm(lines, AS_OF)
    segments = rfm.set_index("customer_id")["segment"]
    cards = build_personas(
        synthetic_people["customers"],
        segments,
        orders=lines,
        rfm=rfm,
        feedback=synthetic_people["feedback"],
        as_of=AS_OF,
    )
    present = [s for s in segments.cat.categories if (segments == s).any()]
    assert [c.segment for c in cards] == present
    assert sum(c.customers for c in cards) == len(rfm)
    for card in cards:
        assert card.narrative_en and card.narrative_zh
        assert CJK.search(card.narrative_zh), card.segment
        assert not CJK.search(card.narrative_en), card.segment
        json.dumps(card.to_dict(), ensure_ascii=False)


def test_minimal_input_and_validation() -> None:
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "seg": ["x", "x", "y"]})
    cards = build_personas(customers, "seg", as_of=AS_OF)
    assert [c.segment for c in cards] == ["x", "y"]
    assert cards[0].narrative_en.startswith("A customer")
    assert cards[0].narrative_zh.startswith("一位顾客")
    with pytest.raises(ValueError, match="segment column"):
        build_personas(customers, "nope")
    with pytest.raises(ValueError, match="twice"):
        build_personas(pd.concat([customers, customers]), "seg")
