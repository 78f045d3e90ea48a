"""Trends with control limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from manyi.analytics.metrics.nps import nps
from manyi.analytics.metrics.trend import trend


@pytest.fixture()
def daily() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    days = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    df = pd.DataFrame(
        {
            "date": np.repeat(days, 10),
            "nps": rng.choice(11, len(days) * 10, p=[0.05] * 7 + [0.1, 0.1, 0.2, 0.25]),
        }
    )
    # a bad month: everyone is a detractor in June
    df.loc[df["date"].dt.month == 6, "nps"] = 2
    return df


def test_monthly_matches_nps_and_flags_bad_month(daily: pd.DataFrame) -> None:
    out = trend(daily, "nps", "date", freq="month")
    assert len(out) == 12
    march = daily[daily["date"].dt.month == 3]["nps"]
    row = out[out["period"] == "2024-03"].iloc[0]
    assert row["score"] == pytest.approx(nps(march).score)
    assert row["n"] == 310
    assert row["centre"] == pytest.approx(nps(daily["nps"]).score)
    assert row["ucl"] == pytest.approx(row["centre"] + 3 * row["se"])
    assert bool(out[out["period"] == "2024-06"]["out_of_control"].iloc[0])


def test_rolling_window_pools_periods(daily: pd.DataFrame) -> None:
    out = trend(daily, "nps", "date", freq="month", window=2)
    both = daily[daily["date"].dt.month.isin([2, 3])]["nps"]
    row = out[out["period"] == "2024-03"].iloc[0]
    assert row["score"] == pytest.approx(nps(both).score)
    assert row["n"] == 29 * 10 + 31 * 10


def test_empty_periods_are_kept_and_bad_dates_raise() -> None:
    df = pd.DataFrame({"d": ["2024-01-05", "2024-03-01"], "v": [10, 0]})
    out = trend(df, "v", "d", freq="month", min_n=1)
    assert out["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert out["n"].tolist() == [1, 0, 1]
    df.loc[1, "d"] = "not a date"
    with pytest.raises(ValueError, match=r"'d'.*not a date"):
        trend(df, "v", "d")


def test_ces_weekly_trend_with_weights() -> None:
    df = pd.DataFrame(
        {
            "d": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09"]),
            "effort": [7, 5, 1],
            "w": [1.0, 3.0, 1.0],
        }
    )
    out = trend(df, "effort", "d", metric="ces", freq="week", weight="w", min_n=1)
    assert out["score"].tolist()[0] == pytest.approx((7 + 15) / 4)
    assert out["n"].tolist() == [2, 1]
    assert out["small_sample"].tolist() == [False, False]
