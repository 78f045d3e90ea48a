"""Transaction log -> frequency / recency / T / monetary summaries and calibration splits."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.predict.rfm_summary import calibration_and_holdout, summary_from_transactions

LOG = pd.DataFrame(
    {
        "cust": ["a", "a", "a", "a", "b", "c", "c"],
        "day": [
            "2024-01-01",
            "2024-01-01",
            "2024-01-11",
            "2024-01-31",
            "2024-01-05",
            "2024-01-20",
            "2024-02-10",
        ],
        "amount": [10.0, 5.0, 20.0, 40.0, 99.0, 7.0, 3.0],
    }
)


def test_known_answer_in_days():
    s = summary_from_transactions(LOG, "cust", "day", "amount", observation_end="2024-01-31")
    # a: purchase days 1, 11, 31 -> 2 repeats, recency 30, T 30, mean repeat spend (20 + 40) / 2
    assert s.loc["a"].tolist() == [2.0, 30.0, 30.0, 30.0]
    assert s.loc["b"].tolist() == [0.0, 0.0, 26.0, 0.0]
    assert s.loc["c"].tolist() == [0.0, 0.0, 11.0, 0.0]  # the February purchase is after the end


def test_same_day_orders_are_one_occasion_and_weeks():
    s = summary_from_transactions(LOG, "cust", "day", "amount", unit="W")
    assert s.loc["a", "frequency"] == 2.0  # two orders on Jan 1 are one occasion
    assert s.loc["a", "T"] == pytest.approx(40 / 7)
    assert s.loc["c", "monetary_value"] == 3.0


def test_calibration_and_holdout_split():
    s = calibration_and_holdout(
        LOG, "cust", "day", "2024-01-15", "amount", observation_end="2024-02-14"
    )
    assert set(s.index) == {"a", "b"}  # c first bought after the calibration end
    assert s.loc["a", "frequency_cal"] == 1.0
    assert s.loc["a", "frequency_holdout"] == 1.0
    assert s.loc["b", "frequency_holdout"] == 0.0
    assert s.loc["a", "duration_holdout"] == 30.0


def test_compact_dates_are_parsed():
    log = pd.DataFrame({"c": ["1", "1"], "d": ["19970101", "19970108"]})
    s = summary_from_transactions(log, "c", "d", unit="W")
    assert s.loc["1"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customer_col": "nope", "date_col": "day"}, "'nope' not found"),
        ({"customer_col": "cust", "date_col": "day", "value_col": "cust"}, "not a number"),
        ({"customer_col": "cust", "date_col": "day", "unit": "M"}, "time unit"),
        ({"customer_col": "cust", "date_col": "day", "observation_end": "2020-01-01"}, "no trans"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summary_from_transactions(LOG, **kwargs)


def test_holdout_must_follow_calibration():
    with pytest.raises(ValueError, match="before the observation end"):
        calibration_and_holdout(LOG, "cust", "day", "2024-03-01")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 400)), min_size=1, max_size=60))
def test_summary_invariants(rows):
    log = pd.DataFrame(
        {
            "c": [str(c) for c, _ in rows],
            "d": pd.Timestamp("2023-01-01") + pd.to_timedelta([d for _, d in rows], unit="D"),
        }
    )
    s = summary_from_transactions(log, "c", "d")
    assert (s["recency"] <= s["T"]).all()
    assert ((s["frequency"] == 0) == (s["recency"] == 0)).all()
    assert s["frequency"].sum() == log.drop_duplicates().shape[0] - s.shape[0]


def test_cdnow_sample_matches_published_summary(shared_data):
    raw = pd.read_csv(
        shared_data / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
        names=["master", "sample", "date", "cds", "dollars"],
    )  # fmt: skip
    ours = summary_from_transactions(raw, "sample", "date", observation_end="1997-09-30", unit="W")
    published = pd.read_csv(shared_data / "cdnow" / "cdnow_customers_summary.csv")
    ours = ours.sort_index(key=lambda idx: idx.astype(int))
    assert ours["frequency"].tolist() == published["frequency"].tolist()
    assert ours["recency"].to_numpy() == pytest.approx(published["recency"].to_numpy(), abs=0.006)
    assert ours["T"].to_numpy() == pytest.approx(published["T"].to_numpy(), abs=0.006)
