"""Emerging issues: planted jump found, no false flags without one, real airline surge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.text.aspects import AspectTaxonomy, extract_aspects
from manyi.analytics.text.emerging import detect_emerging

CATS = ["logistics", "packaging", "price_value", "customer_service", None]


def _synthetic(jump: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range("2026-01-01", periods=28, freq="D"):
        n = int(rng.poisson(400))
        p = np.array([0.15, 0.05, 0.1, 0.2, 0.5])
        if jump and day == pd.Timestamp("2026-01-25"):
            p = np.array([0.15, 0.15, 0.1, 0.2, 0.4])
        cats = rng.choice(len(CATS), size=n, p=p)
        for c in cats:
            rows.append(
                {
                    "at": day,
                    "aspect": CATS[c],
                    "neg": bool(rng.random() < 0.4),
                    "text": f"text {CATS[c]}",
                }
            )
    return pd.DataFrame(rows)


def test_planted_jump_found() -> None:
    out = detect_emerging(
        _synthetic(True, 1), time="at", category="aspect", negative="neg", text="text"
    )
    flagged = out[out["flagged"]]
    assert len(flagged) >= 1
    top = flagged.iloc[0]
    assert (top["period"], top["category"], top["signal"]) == ("2026-01-25", "packaging", "volume")
    assert top["ratio"] > 2
    assert top["quotes"] and top["quotes"][0] == "text packaging"
    assert (flagged["category"] == "packaging").all()


@pytest.mark.parametrize("seed", range(5))
def test_no_false_flags_without_jump(seed: int) -> None:
    out = detect_emerging(_synthetic(False, seed), time="at", category="aspect", negative="neg")
    assert not out["flagged"].any()
    assert ((out["q_value"] >= 0) & (out["q_value"] <= 1)).all()


def test_multi_label_lists_and_errors() -> None:
    df = pd.DataFrame(
        {
            "at": ["2026-01-01"] * 3 + ["2026-01-02"] * 3,
            "aspect": [["a", "b"], ["a"], [], ["b"], None, ["a"]],
        }
    )
    out = detect_emerging(df, time="at", category="aspect", baseline_periods=1, min_count=1)
    assert set(out["category"]) == {"a", "b"}
    assert out.loc[out["category"] == "b", "total"].iloc[0] == 3
    with pytest.raises(ValueError, match="nope"):
        detect_emerging(df, time="nope", category="aspect")
    with pytest.raises(ValueError, match="at"):
        detect_emerging(df.assign(at="not a date"), time="at", category="aspect")


def _tweets(shared_data: Path) -> pd.DataFrame:
    df = pd.read_csv(shared_data / "en_tweets" / "airline_tweets.csv")
    df["at"] = pd.to_datetime(df["tweet_created"].str[:19])  # local time as posted
    df["neg"] = df["airline_sentiment"] == "negative"
    return df


def _surge(out: pd.DataFrame, day: str) -> pd.Series:
    rows = out[
        (out["period"] == day)
        & (out["category"] == "Cancelled Flight")
        & (out["signal"] == "volume")
    ]
    return rows.iloc[0]


@pytest.mark.slow
def test_cancelled_flight_surge_on_labelled_reasons(shared_data: Path) -> None:
    df = _tweets(shared_data)
    df["reason"] = df["negativereason"].where(df["negativereason"] != "Can't Tell")
    out = detect_emerging(df, time="at", category="reason", negative="neg", text="text")
    sat = _surge(out, "2015-02-21")
    assert sat["flagged"] and sat["ratio"] > 2.5  # share ~8.4 % vs ~3.0 % on 18-20 Feb
    assert _surge(out, "2015-02-22")["flagged"]
    assert out.iloc[0]["category"] == "Cancelled Flight"


@pytest.mark.slow
def test_cancelled_flight_surge_on_extracted_aspects(shared_data: Path) -> None:
    df = _tweets(shared_data)
    found = extract_aspects(df["text"].tolist(), AspectTaxonomy.builtin("airline"), other=False)
    df["aspect"] = [[a for a, _ in f] for f in found]
    out = detect_emerging(df, time="at", category="aspect", negative="neg", text="text")
    sat = _surge(out, "2015-02-21")
    assert sat["flagged"] and sat["ratio"] > 2.5
    flagged = out[out["flagged"] & (out["signal"] == "volume")]
    assert flagged.iloc[0]["category"] == "Cancelled Flight"
