"""Tests of RFM values, scores and segments (manyi.analytics.segments.rfm)."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.segments.orders import clean_orders, read_order_lines
from manyi.analytics.segments.rfm import (
    assign_segments,
    compute_rfm,
    default_rules_table,
    load_rules,
    quantile_scores,
)
from manyi.analytics.segments.tiers import pareto_share

AS_OF = "2011-12-10"


def _frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """Cleaned-style lines from (customer, order, date, amount)."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "ordered_at", "amount"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], format="ISO8601")
    return frame


def test_known_answer_small() -> None:
    lines = _frame(
        [
            ("a", "1", "2024-01-01", 10.0),
            ("a", "1", "2024-01-01", 5.0),  # second line of the same order
            ("a", "2", "2024-01-20", 30.0),
            ("a", "C3", "2024-01-25", -8.0),  # a reversal nets out, is no purchase
            ("b", "4", "2024-01-30 18:00", 40.0),
        ]
    )
    out = compute_rfm(lines, "2024-01-31")
    assert out["customer_id"].tolist() == ["a", "b"]
    assert out["recency_days"].tolist() == [11, 1]
    assert out["frequency"].tolist() == [2, 1]
    assert out["monetary"].tolist() == [37.0, 40.0]
    # Two customers: the lower value has percentile 0.25 -> score 2, the higher 0.75 -> 4.
    assert out["r"].tolist() == [2, 4]
    assert out["f"].tolist() == [4, 2]
    assert out["m"].tolist() == [2, 4]


def test_one_order_customer_only_cancelled_customer_and_empty_input() -> None:
    lines = _frame([("solo", "1", "2024-01-01", 9.0), ("ghost", "C9", "2024-01-02", -9.0)])
    out = compute_rfm(lines, "2024-01-11")
    assert out["customer_id"].tolist() == ["solo"]  # no purchase, no RFM row
    assert out.loc[0, "frequency"] == 1
    assert out.loc[0, "recency_days"] == 10
    assert out.loc[0, "segment"] in set(default_rules_table()["segment"])
    empty = compute_rfm(lines.iloc[0:0], "2024-01-11")
    assert empty.empty
    assert {"customer_id", "recency_days", "segment"} <= set(empty.columns)


def test_future_lines_are_refused_not_silently_used() -> None:
    lines = _frame([("a", "1", "2024-02-01", 1.0)])
    with pytest.raises(ValueError, match="after as_of"):
        compute_rfm(lines, "2024-01-31")


def test_order_shared_by_two_customers_counts_for_each() -> None:
    lines = _frame(
        [
            ("a", "1", "2024-01-01", 1.0),
            ("b", "1", "2024-01-01", 1.0),
            ("b", "2", "2024-01-02", 1.0),
        ]
    )
    assert compute_rfm(lines, "2024-01-03")["frequency"].tolist() == [1, 2]


def test_quantile_scores_ties_at_boundaries_share_a_score() -> None:
    # Ten values, four tied at the 40% boundary: they all get one score, whatever their order.
    values = np.array([1, 2, 3, 3, 3, 3, 7, 8, 9, 10], dtype=float)
    scores = quantile_scores(values)
    assert scores.tolist() == [1, 1, 3, 3, 3, 3, 4, 4, 5, 5]
    assert quantile_scores(values[::-1]).tolist() == scores[::-1].tolist()
    assert quantile_scores(np.array([5.0] * 7)).tolist() == [3] * 7
    assert quantile_scores(np.arange(1, 11)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_rules_cover_every_cell_and_are_editable(tmp_path) -> None:
    rules = load_rules()
    assert len(rules.segments) == 11
    assert rules.names("zh")["champions"] == "冠军客户"
    codes = assign_segments(np.array([5, 1, 3, 2]), np.array([5, 1, 1, 5]), rules)
    assert list(codes) == ["champions", "lost", "about_to_sleep", "cant_lose_them"]
    edited = default_rules_table()
    edited.loc[edited["segment"] == "lost", "segment"] = "gone"
    path = tmp_path / "rules.csv"
    edited.to_csv(path, index=False)
    assert "gone" in load_rules(path).segments
    holes = default_rules_table().iloc[:-1]
    with pytest.raises(ValueError, match="without a segment"):
        load_rules(holes)
    bad = default_rules_table()
    bad.loc[0, "r_max"] = 7
    with pytest.raises(ValueError, match=r"within 1\.\.5"):
        load_rules(bad)


@st.composite
def _order_lines(draw: st.DrawFn) -> pd.DataFrame:
    """Random small order-line tables with ties, repeats and reversals."""
    n = draw(st.integers(1, 40))
    customers = draw(st.lists(st.sampled_from("abcdefg"), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    amounts = draw(st.lists(st.sampled_from([-5.0, 1.0, 2.5, 10.0, 99.0]), min_size=n, max_size=n))
    orders = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "customer_id": customers,
            "order_id": [f"{c}{o}" for c, o in zip(customers, orders, strict=True)],
            "ordered_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "amount": amounts,
        }
    )


@settings(max_examples=60, deadline=None)
@given(_order_lines(), st.randoms())
def test_rfm_properties_scores_in_range_and_permutation_invariant(lines, rnd) -> None:
    out = compute_rfm(lines, "2024-02-15")
    for column in ("r", "f", "m", "fm"):
        assert out[column].between(1, 5).all()
    order = list(range(len(lines)))
    rnd.shuffle(order)
    shuffled = compute_rfm(lines.iloc[order].reset_index(drop=True), "2024-02-15")
    pd.testing.assert_frame_equal(out, shuffled)
    buyers = lines.loc[lines["amount"] > 0, "customer_id"].unique()
    assert sorted(out["customer_id"]) == sorted(buyers)


def _hand_rfm(raw_csv: bytes, customer: str, as_of: date) -> tuple[int, int, float]:
    """Recency, frequency and net monetary of one customer straight from the raw rows."""
    last = None
    invoices: set[str] = set()
    money = 0.0
    for row in csv.DictReader(io.StringIO(raw_csv.decode("utf-8"))):
        cid = row["CustomerID"]
        if not cid or cid.split(".")[0] != customer:
            continue
        price, quantity = float(row["UnitPrice"]), int(row["Quantity"])
        if price <= 0:
            continue
        money += price * quantity
        if row["InvoiceNo"].startswith("C") or quantity < 0:
            continue
        invoices.add(row["InvoiceNo"])
        day = datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S").date()
        last = day if last is None or day > last else last
    assert last is not None
    return (as_of - last).days, len(invoices), round(money, 2)


@pytest.mark.slow
def test_online_retail_reproduces_hand_checked_customers(shared_data) -> None:
    path = shared_data / "online_retail" / "online_retail.csv.gz"
    lines = read_order_lines(path)
    assert len(lines) == 541_909
    cleaned = clean_orders(lines, AS_OF)
    out = compute_rfm(cleaned.lines, AS_OF).set_index("customer_id")
    raw = gzip.decompress(path.read_bytes())
    for customer in ("12347", "12346", "17850", "14646", "13047"):
        recency, frequency, monetary = _hand_rfm(raw, customer, date(2011, 12, 10))
        row = out.loc[customer]
        assert (row["recency_days"], row["frequency"]) == (recency, frequency), customer
        assert row["monetary"] == pytest.approx(monetary, abs=0.01), customer
    # Literal values checked by reading the rows by eye:
    assert tuple(out.loc["12347", ["recency_days", "frequency", "monetary"]]) == (3, 7, 4310.0)
    # 12346 bought 74,215 jars on 2011-01-18 and cancelled them all the same day.
    assert tuple(out.loc["12346", ["recency_days", "frequency", "monetary"]]) == (326, 1, 0.0)
    assert tuple(out.loc["17850", ["recency_days", "frequency"]]) == (373, 34)
    # 4,372 customers in the file, one with only zero-price lines, 33 with only cancellations.
    assert len(out) == 4338
    assert cleaned.customers_without_purchase == 33
    share = pareto_share(out["monetary"])
    hand = np.sort(np.clip(out["monetary"].to_numpy(), 0, None))[::-1]
    assert share == pytest.approx(hand[: int(np.ceil(0.2 * len(hand)))].sum() / hand.sum())
    assert 0.73 < share < 0.74  # reported: the top 20% of customers hold 73.6% of net revenue
