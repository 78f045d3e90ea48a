"""Aspect extraction: taxonomies, clause polarity, Traditional/mixed text, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from manyi.analytics.text.aspects import POLARITIES, AspectTaxonomy, extract_aspects
from manyi.analytics.text.normalize import normalize


def _keys(text: str, taxonomy: AspectTaxonomy | None = None) -> list[str]:
    return [a for a, _ in extract_aspects([text], taxonomy)[0]]


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("质量很好，做工精细", "product_quality"),
        ("价格实惠，性价比高", "price_value"),
        ("快递三天才到", "logistics"),
        ("外包装破损严重", "packaging"),
        ("客服态度很好", "customer_service"),
        ("APP总是闪退", "app_website"),
        ("支付宝付款失败", "payment"),
        ("申请退款一直没处理", "returns_refunds"),
        ("门店很干净，不用排队", "store_environment"),
        ("Delivery took two weeks", "logistics"),
        ("The staff were rude", "customer_service"),
        ("Refunds are slow", "returns_refunds"),
        ("物流很慢，包裝也破了", "packaging"),
        ("客服態度很差", "customer_service"),
    ],
)
def test_retail_keywords(text: str, aspect: str) -> None:
    assert aspect in _keys(text)


def test_contrast_splits_polarity() -> None:
    (found,) = extract_aspects(["物流很快，但是包装破了"])
    got = dict(found)
    assert got["logistics"] == "positive"
    assert got["packaging"] == "negative"


def test_english_word_boundaries_and_wildcards() -> None:
    assert "payment" not in _keys("I repaid nothing")  # 'paid' inside 'repaid' must not match
    assert "logistics" in _keys("they delivered it late")  # deliver*
    assert _keys("hello there") == ["other"]
    assert extract_aspects(["hello there"], other=False) == [[]]


@pytest.mark.parametrize(
    "text", ["", "   ", "<script>alert(1)</script>", "\u202e\u200b\x00", "😀" * 10, "物流" * 25_000]
)
def test_hostile_inputs(text: str) -> None:
    (found,) = extract_aspects([text])
    assert all(p in POLARITIES for _, p in found)


def test_builtin_bank_and_airline() -> None:
    bank = AspectTaxonomy.builtin("bank")
    assert "branch_queue" in _keys("网点排队等了一个小时", bank)
    assert "fees" in _keys("年费太贵", bank)
    air = AspectTaxonomy.builtin("airline")
    assert "Cancelled Flight" in _keys("@united my flight got cancelled again", air)
    assert "Lost Luggage" in _keys("you lost my bag", air)
    with pytest.raises(ValueError, match="taxonomy"):
        AspectTaxonomy.builtin("hotel")


def test_custom_taxonomy_json_and_toml(tmp_path: Path) -> None:
    spec = {
        "name": "cafe",
        "aspects": {
            "coffee": {
                "label_en": "Coffee",
                "label_zh": "咖啡",
                "keywords": ["咖啡", "latte", "espresso*"],
            }
        },
    }
    path = tmp_path / "cafe.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    tax = AspectTaxonomy.from_file(path)
    assert _keys("拿鐵咖啡太苦", tax) == ["coffee"]
    assert _keys("two espressos please", tax) == ["coffee"]
    toml = tmp_path / "cafe.toml"
    toml.write_text(
        'name = "cafe"\n[aspects.wifi]\nkeywords = ["wifi", "网络"]\n', encoding="utf-8"
    )
    assert _keys("网络很慢", AspectTaxonomy.from_file(toml)) == ["wifi"]


def test_bad_taxonomy_rejected() -> None:
    with pytest.raises(ValueError, match="aspects"):
        AspectTaxonomy.from_dict({"aspects": {}})
    with pytest.raises(ValueError, match=r"aspects\.x\.keywords"):
        AspectTaxonomy.from_dict({"aspects": {"x": {"keywords": "notalist"}}})


@pytest.mark.slow
def test_airline_reasons_recovered(shared_data: Path) -> None:
    """Keyword taxonomy vs the labelled reasons: clearly better than chance on every class."""
    df = pd.read_csv(shared_data / "en_tweets" / "airline_tweets.csv")
    df = df[df["negativereason"].notna() & (df["negativereason"] != "Can't Tell")]
    found = extract_aspects(df["text"].tolist(), AspectTaxonomy.builtin("airline"), other=False)
    hits = [
        reason in {a for a, _ in f} for reason, f in zip(df["negativereason"], found, strict=True)
    ]
    assert sum(hits) / len(hits) > 0.6


def test_already_normalised_input_gives_the_same_aspects() -> None:
    raw = ["物流很快，但是包裝破損了！！", "客服態度很好", "The APP keeps crashing at payment", ""]
    normalised = [normalize(t) for t in raw]
    assert extract_aspects(normalised, normalized=True) == extract_aspects(raw)
