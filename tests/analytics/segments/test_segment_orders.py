"""Tests of order-line loading and cleaning (manyi.analytics.segments.orders)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from manyi.analytics.segments.orders import (
    canonicalise_order_lines,
    clean_orders,
    map_order_headers,
    read_order_lines,
)


def _lines(rows: list[tuple]) -> pd.DataFrame:
    """Canonical lines from (customer, order, date, quantity, unit price) tuples."""
    frame = pd.DataFrame(
        rows, columns=["customer_id", "order_id", "ordered_at", "quantity", "unit_price"]
    )
    return canonicalise_order_lines(frame)


def test_headers_map_online_retail_and_chinese() -> None:
    online = [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    assert map_order_headers(online) == {
        "InvoiceNo": "order_id",
        "StockCode": "product_id",
        "Description": "description",
        "Quantity": "quantity",
        "InvoiceDate": "ordered_at",
        "UnitPrice": "unit_price",
        "CustomerID": "customer_id",
        "Country": "country",
    }
    chinese = ["客户编号", "订单号", "下单时间", "数量", "单价", "金额"]
    assert map_order_headers(chinese) == {
        "客户编号": "customer_id",
        "订单号": "order_id",
        "下单时间": "ordered_at",
        "数量": "quantity",
        "单价": "unit_price",
        "金额": "amount",
    }


def test_read_csv_gz_xlsx_jsonl_give_same_frame(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "客户编号": ["007", "007", "8"],
            "订单号": ["A1", "A2", "A3"],
            "下单时间": ["2024-01-02 10:00", "2024-02-03 11:00", "2024-03-04 12:00"],
            "数量": [2, 1, 3],
            "单价": [5.5, 10.0, 1.0],
        }
    )
    csv_path = tmp_path / "orders.csv"
    frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
    gz_path = tmp_path / "orders.csv.gz"
    with gzip.open(gz_path, "wt", encoding="utf-8") as handle:
        frame.to_csv(handle, index=False)
    xlsx_path = tmp_path / "orders.xlsx"
    frame.to_excel(xlsx_path, index=False)
    jsonl_path = tmp_path / "orders.jsonl"
    jsonl_path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in frame.to_dict("records")),
        encoding="utf-8",
    )
    gbk_path = tmp_path / "orders_gbk.csv"
    frame.to_csv(gbk_path, index=False, encoding="gb18030", sep=";")
    for path in (csv_path, gz_path, jsonl_path, gbk_path):
        got = read_order_lines(path)
        assert got["customer_id"].tolist() == ["007", "007", "8"], path  # leading zeros kept
        assert got["amount"].tolist() == [11.0, 10.0, 3.0]
        assert got["ordered_at"].iloc[1] == pd.Timestamp("2024-02-03 11:00")
    # Excel stores the ids as numbers: the leading zeros are the spreadsheet's loss, not ours.
    assert read_order_lines(xlsx_path)["amount"].tolist() == [11.0, 10.0, 3.0]


def test_read_refuses_missing_columns_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="amount"):
        read_order_lines(path)
    with pytest.raises(ValueError, match="does not exist"):
        read_order_lines(tmp_path / "nope.csv")
    header_only = tmp_path / "h.csv"
    header_only.write_text("customer_id,order_id,ordered_at,amount\n", encoding="utf-8")
    assert read_order_lines(header_only).empty


def test_cleaning_rules_and_account() -> None:
    lines = _lines(
        [
            ("a", "1", "2024-01-01", 2, 10.0),  # kept purchase, 20
            ("a", "C2", "2024-01-05", -1, 10.0),  # cancellation: -10, not a purchase
            (None, "3", "2024-01-01", 1, 5.0),  # no customer
            ("b", "4", "2024-03-01", 1, 5.0),  # after as-of
            ("b", "5", "2024-01-01", 1, 0.0),  # zero price
            ("b", "6", "not a date", 1, 5.0),  # no date
            ("c", "C7", "2024-01-02", -3, 2.0),  # only a cancellation
        ]
    )
    cleaned = clean_orders(lines, "2024-02-01")
    kept = cleaned.lines
    assert kept["order_id"].tolist() == ["1", "C2", "C7"]
    assert kept["amount"].tolist() == [20.0, -10.0, -6.0]
    assert kept["is_purchase"].tolist() == [True, False, False]
    account = cleaned.removed.set_index("reason")["lines"].to_dict()
    assert account == {
        "no customer": 1,
        "no date": 1,
        "no amount": 0,
        "after as-of date": 1,
        "zero or negative price": 1,
    }
    assert cleaned.customers_without_purchase == 1
    assert set(cleaned.removed["reason_zh"]) >= {"缺少客户编号", "晚于截止日期"}


def test_status_cancelled_lines_do_not_count_and_as_of_day_is_inclusive() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a"],
            "order_id": ["1", "2", "3"],
            "ordered_at": ["2024-02-01 23:59", "2024-01-10", "2024-01-11"],
            "amount": [5.0, 7.0, 9.0],
            "status": ["completed", "已取消", "returned"],
        }
    )
    cleaned = clean_orders(canonicalise_order_lines(frame), "2024-02-01")
    assert cleaned.lines["order_id"].tolist() == ["1"]
    assert cleaned.removed.set_index("reason").loc["cancelled or returned status", "lines"] == 2


def test_bad_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="as_of"):
        clean_orders(_lines([("a", "1", "2024-01-01", 1, 1.0)]), "yesterday-ish")
