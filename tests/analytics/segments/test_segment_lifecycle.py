"""Tests of lifecycle staging (manyi.analytics.segments.lifecycle)."""

from __future__ import annotations

import pandas as pd
import pytest

from manyi.analytics.segments.lifecycle import LifecycleThresholds, lifecycle_stages


def _lines(rows: dict[str, list[str]]) -> pd.DataFrame:
    """One purchase line per (customer, date)."""
    records = [
        {"customer_id": c, "order_id": f"{c}{i}", "ordered_at": pd.Timestamp(d), "amount": 10.0}
        for c, dates in rows.items()
        for i, d in enumerate(dates)
    ]
    return pd.DataFrame(records)


def test_stages_from_own_rhythm() -> None:
    lines = _lines(
        {
            # first purchase 10 days ago -> new
            "new": ["2024-06-20"],
            # buys every 30 days, last 20 days ago, 12 purchase days over a year -> mature
            "mature": [
                str(pd.Timestamp("2023-07-15") + pd.Timedelta(days=30 * k))[:10] for k in range(12)
            ],
            # every 10 days, silent for 25 (2.5 gaps) -> declining
            "declining": [
                "2024-04-16",
                "2024-04-26",
                "2024-05-06",
                "2024-05-16",
                "2024-05-26",
                "2024-06-05",
            ],
            # every 10 days, silent for 50 (5 gaps) -> lapsed
            "lapsed": ["2024-04-01", "2024-04-11", "2024-04-21", "2024-05-01", "2024-05-11"],
            # every 60 days, last 40 days ago, three purchases -> active
            "active": ["2024-01-22", "2024-03-22", "2024-05-21"],
        }
    )
    out = lifecycle_stages(lines, "2024-06-30").set_index("customer_id")
    assert out["lifecycle"].astype(str).to_dict() == {
        "active": "active",
        "declining": "declining",
        "lapsed": "lapsed",
        "mature": "mature",
        "new": "new",
    }
    assert out.loc["declining", "usual_gap_days"] == 10
    assert out.loc["declining", "silence_ratio"] == 2.5


def test_one_time_buyer_uses_typical_rhythm_and_thresholds_are_configurable() -> None:
    lines = _lines({"regular": ["2024-01-01", "2024-01-21", "2024-02-10"], "once": ["2024-02-01"]})
    assert (
        lifecycle_stages(lines, "2024-03-01").set_index("customer_id").loc["once", "lifecycle"]
        == "new"
    )  # first purchase 29 days ago, within the default 60 new days
    short = LifecycleThresholds(new_days=14)
    out = lifecycle_stages(lines, "2024-03-01", short).set_index("customer_id")
    assert out.loc["once", "usual_gap_days"] == 20  # the typical gap of everybody
    assert out.loc["once", "lifecycle"] == "active"  # silent 29 days = 1.45 gaps
    strict = LifecycleThresholds(new_days=14, declining_ratio=1.2, lapsed_ratio=3.0)
    assert (
        lifecycle_stages(lines, "2024-03-01", strict)
        .set_index("customer_id")
        .loc["once", "lifecycle"]
        == "declining"
    )
    with pytest.raises(ValueError, match="declining_ratio"):
        LifecycleThresholds(declining_ratio=5, lapsed_ratio=2)


def test_lifecycle_refuses_future_lines() -> None:
    with pytest.raises(ValueError, match="after as_of"):
        lifecycle_stages(_lines({"a": ["2024-03-02"]}), "2024-03-01")


def test_empty_and_reversal_only_input_give_empty_tables() -> None:
    from manyi.analytics.segments.pipeline import segment_customers

    lines = _lines({"a": ["2024-01-01"], "b": ["2024-01-02"]})
    assert lifecycle_stages(lines.iloc[0:0], "2024-03-01").empty
    returns_only = lines.assign(amount=-5.0)
    result = segment_customers(returns_only, "2024-03-01")
    assert result.customers.empty and result.n_customers == 0
    assert list(result.customers.columns)[-3:] == ["segment", "tier", "lifecycle"]
