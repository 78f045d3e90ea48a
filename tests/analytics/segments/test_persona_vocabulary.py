"""Persona wording for the demo's Chinese occupations and the text analytics' aspect keys."""

from __future__ import annotations

import pandas as pd

from manyi.analytics.segments.personas import build_personas


def test_demo_occupations_and_text_aspects_read_as_words() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(8)],
            "occupation": ["教师"] * 4 + ["服务业人员"] * 4,
            "segment": ["a"] * 4 + ["b"] * 4,
        }
    )
    feedback = pd.DataFrame(
        {
            "customer_id": ["c0", "c1", "c4", "c5"],
            "aspect": ["returns_refunds", "returns_refunds", "store_environment", "payment"],
            "sentiment": ["negative", "negative", "positive", "positive"],
        }
    )
    cards = {c.segment: c for c in build_personas(customers, "segment", feedback=feedback)}
    assert "teacher" in cards["a"].narrative_en and "教师" in cards["a"].narrative_zh
    assert "complains about returns and refunds" in cards["a"].narrative_en
    assert "对退换货不满" in cards["a"].narrative_zh
    assert "service worker" in cards["b"].narrative_en and "门店环境" in cards["b"].narrative_zh
    assert "_" not in cards["a"].narrative_en + cards["b"].narrative_en
