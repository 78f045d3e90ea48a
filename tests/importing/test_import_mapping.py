"""Header mapping: Chinese/English aliases, normalisation, overrides, required fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.errors import InputError
from manyi.importing.mapping import (
    ALIASES,
    FIELDS,
    detect_mapping,
    field_for_header,
    load_mapping_file,
    normalise_header,
    parse_map_flags,
)

ONLINE_RETAIL = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                 "UnitPrice", "CustomerID", "Country"]  # fmt: skip


def test_online_retail_headers_need_no_flags() -> None:
    assert detect_mapping(ONLINE_RETAIL, "orders") == {
        "order_no": "InvoiceNo", "sku": "StockCode", "description": "Description",
        "quantity": "Quantity", "ordered_at": "InvoiceDate", "unit_price": "UnitPrice",
        "customer_id": "CustomerID", "country": "Country",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("客户编号", "customer_id"), ("会员号", "customer_id"), ("Customer ID", "customer_id"),
        ("cust_id", "customer_id"), ("CUSTOMERID", "customer_id"), ("手机", "phone"),
        ("电话", "phone"), ("Mobile", "phone"), ("邮箱", "email"), ("出生日期", "birthday"),
        ("省份", "region"), ("下单时间", "ordered_at"), ("order date", "ordered_at"),
        ("商品编号", "sku"), ("SKU", "sku"), ("商品名称", "description"), ("单价", "unit_price"),
        ("金额", "amount"), ("渠道", "channel"), ("门店", "store"), ("反馈内容", "text"),
        ("评论", "text"), ("评分", "rating"), ("received_at", "received_at"), ("Unknown", None),
    ],
)  # fmt: skip
def test_aliases(header: str, field: str | None) -> None:
    assert field_for_header(header) == field


def test_chinese_customer_file() -> None:
    mapping = detect_mapping(
        ["客户编号", "姓名", "性别", "生日", "城市", "手机", "邮箱"], "customers"
    )
    assert mapping == {"customer_id": "客户编号", "name": "姓名", "gender": "性别",
                       "birthday": "生日", "city": "城市", "phone": "手机", "email": "邮箱"}  # fmt: skip


def test_date_means_order_date_in_orders_and_received_in_feedback() -> None:
    assert detect_mapping(["订单号", "日期"], "orders")["ordered_at"] == "日期"
    assert detect_mapping(["评论", "订单日期"], "feedback")["received_at"] == "订单日期"


def test_overrides_win_and_are_checked(tmp_path: Path) -> None:
    mapping = detect_mapping(
        ["Kunden-Nr", "customer_id"], "customers", {"customer_id": "Kunden-Nr"}
    )
    assert mapping["customer_id"] == "Kunden-Nr"
    with pytest.raises(InputError, match="not in the file"):
        detect_mapping(["a"], "customers", {"customer_id": "b"})
    with pytest.raises(InputError, match="not a customers field"):
        detect_mapping(["a"], "customers", {"colour": "a"})
    with pytest.raises(InputError, match="required column"):
        detect_mapping(["a", "b"], "customers")


def test_map_flags_and_files(tmp_path: Path) -> None:
    assert parse_map_flags(["customer_id=Kunden-Nr", "name = Name "]) == {
        "customer_id": "Kunden-Nr", "name": "Name"}  # fmt: skip
    with pytest.raises(InputError):
        parse_map_flags(["customer_id"])
    j = tmp_path / "m.json"
    j.write_text(json.dumps({"customer_id": "Kunden-Nr"}), encoding="utf-8")
    assert load_mapping_file(j) == {"customer_id": "Kunden-Nr"}
    t = tmp_path / "m.toml"
    t.write_text('[mapping]\ncustomer_id = "Kunden-Nr"\n', encoding="utf-8")
    assert load_mapping_file(t) == {"customer_id": "Kunden-Nr"}
    bad = tmp_path / "b.toml"
    bad.write_text("customer_id = [1]\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_mapping_file(bad)


_ALL_ALIASES = sorted({(a, f) for f, names in ALIASES.items() for a in names})


@given(st.sampled_from(_ALL_ALIASES), st.sampled_from(["", " ", "_", "  "]), st.booleans())
def test_property_alias_found_whatever_case_and_spacing(
    pair: tuple[str, str], pad: str, upper: bool
) -> None:
    alias, _ = pair
    header = pad + (alias.upper() if upper else alias) + pad
    found = field_for_header(header)
    assert found is not None
    assert normalise_header(header) == normalise_header(alias)


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique=True))
def test_property_mapping_is_injective_and_within_headers(headers: list[str]) -> None:
    try:
        mapping = detect_mapping(headers, "feedback")
    except InputError:
        return
    assert set(mapping) <= set(FIELDS["feedback"])
    assert set(mapping.values()) <= set(headers)
    assert len(set(mapping.values())) == len(mapping)
