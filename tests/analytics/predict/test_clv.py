"""CLV: discounting by hand, agreement with lifetimes' figure, tiers and input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.predict.bgnbd import BetaGeoModel
from manyi.analytics.predict.clv import (
    DAYS_PER_MONTH,
    TIER_LABELS,
    customer_lifetime_value,
    value_tier,
)
from manyi.analytics.predict.gamma_gamma import GammaGammaModel
from manyi.analytics.predict.rfm_summary import summary_from_transactions


def _models() -> tuple[BetaGeoModel, GammaGammaModel]:
    """Models with fixed published-like parameters (time unit: weeks)."""
    bg = BetaGeoModel()
    bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    gg = GammaGammaModel()
    gg.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    return bg, gg


SUMMARY = pd.DataFrame(
    {
        "frequency": [2.0, 0.0, 10.0],
        "recency": [30.43, 0.0, 38.0],
        "T": [38.86] * 3,
        "monetary_value": [22.35, 0.0, 50.0],
    },
    index=pd.Index(["a", "b", "c"], name="customer_id"),
)


def test_discounted_sum_by_hand():
    bg, gg = _models()
    out = customer_lifetime_value(bg, gg, SUMMARY, horizon_months=3, monthly_discount_rate=0.02,
                                  margin=0.3, unit="W")  # fmt: skip
    week_month = DAYS_PER_MONTH / 7
    row = SUMMARY.loc["a"]
    cum = [
        float(bg.conditional_expected_purchases(k * week_month, 2.0, row["recency"], row["T"]))
        for k in range(4)
    ]
    spend = float(gg.expected_spend(2.0, 22.35))
    by_hand = sum(0.3 * spend * (cum[k] - cum[k - 1]) / 1.02**k for k in range(1, 4))
    assert out.loc["a", "clv"] == pytest.approx(by_hand, rel=1e-10)
    assert out.loc["a", "expected_purchases"] == pytest.approx(cum[3])


def test_no_discount_equals_expected_purchases_times_spend():
    bg, gg = _models()
    out = customer_lifetime_value(bg, gg, SUMMARY, horizon_months=12, monthly_discount_rate=0.0,
                                  unit="W")  # fmt: skip
    expected = out["expected_purchases"] * out["expected_spend"]
    assert out["clv"].to_numpy() == pytest.approx(expected.to_numpy())


def test_longer_horizon_never_lowers_clv():
    bg, gg = _models()
    short = customer_lifetime_value(bg, gg, SUMMARY, horizon_months=6, unit="W")
    long = customer_lifetime_value(bg, gg, SUMMARY, horizon_months=24, unit="W")
    assert (long["clv"] >= short["clv"]).all()
    assert (short["clv"] >= 0).all()


def test_agrees_with_lifetimes_on_cdnow(shared_data):
    raw = pd.read_csv(
        shared_data / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
        names=["master", "sample", "date", "cds", "dollars"],
    )  # fmt: skip
    summary = summary_from_transactions(
        raw, "sample", "date", "dollars", observation_end="1997-09-30", unit="W"
    )
    bg = BetaGeoModel().fit(summary)
    gg = GammaGammaModel().fit(summary["frequency"], summary["monetary_value"])
    out = customer_lifetime_value(bg, gg, summary, horizon_months=12, unit="W")
    # lifetimes 0.11.3 customer_lifetime_value(time=12, freq="W", discount_rate=0.01) totals
    # 71,507.95 over these customers; it uses 4.345 weeks a month (ours 4.348): within 0.1%
    assert out["clv"].sum() == pytest.approx(71507.95, rel=1e-3)
    assert out.loc["0001", "clv"] == pytest.approx(36.273977, rel=2e-3)
    assert out["tier"].value_counts().to_dict() == {
        "low": 1179,
        "medium": 707,
        "high": 354,
        "vip": 117,
    }


def test_value_tiers_by_rank():
    values = pd.Series(np.arange(100, dtype=float))
    tiers = value_tier(values)
    assert tiers.value_counts().to_dict() == {"low": 50, "medium": 30, "high": 15, "vip": 5}
    assert tiers.iloc[99] == "vip" and tiers.iloc[0] == "low"
    assert all("/" in label for label in TIER_LABELS.values())  # English / 中文


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon_months": 0}, "horizon_months"),
        ({"monthly_discount_rate": -0.1}, "discount"),
        ({"unit": "Y"}, "unit"),
    ],
)
def test_bad_arguments(kwargs, message):
    bg, gg = _models()
    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(bg, gg, SUMMARY, **kwargs)
