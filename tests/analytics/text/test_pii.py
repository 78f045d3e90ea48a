"""PII detection and masking: known answers plus checksum properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from manyi.analytics.text.pii import (
    find_pii,
    is_valid_id_number,
    luhn_valid,
    mask_email,
    mask_name,
    mask_phone,
    mask_pii,
)

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_id_check(first17: str) -> str:
    """Append the GB 11643 check character."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _W, strict=True)) % 11]


def _with_luhn(body: str) -> str:
    """Append the Luhn check digit."""
    for d in "0123456789":
        if luhn_valid(body + d):
            return body + d
    raise AssertionError("unreachable")


def _kinds(text: str) -> list[str]:
    return [m.kind for m in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138 0013 8000", "+86 138****8000"),
        ("0086-13800138000", "+86 138****8000"),
        ("138-0013-8000", "138****8000"),
    ],
)
def test_mobile_forms_found_and_masked(text: str, masked: str) -> None:
    assert mask_pii(f"电话{text}，谢谢") == f"电话{masked}，谢谢"
    assert _kinds(f"电话{text}，谢谢") == ["mobile"]


def test_landlines() -> None:
    out = mask_pii("座机010-12345678或(0755)1234567")
    assert out == "座机010-******78或(0755)*****67"
    assert _kinds("座机010-12345678或(0755)1234567") == ["landline", "landline"]


def test_email_masked_with_hint() -> None:
    assert mask_pii("mail zhang@example.com now") == "mail z***@example.com now"
    assert mask_email("zhang.san@example.com.cn") == "z***@example.com.cn"
    assert mask_phone("13800138000") == "138****8000"


def test_known_id_number_and_invalid_checksum() -> None:
    assert is_valid_id_number("11010519491231002X")
    assert _kinds("身份证11010519491231002X") == ["id_number"]
    assert "id_number" not in _kinds("身份证110105194912310021")


def test_known_card_and_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert mask_pii("card 4111 1111 1111 1111.") == "card ************1111."
    assert _kinds("card 4111111111111112") == []


def test_names_after_cues() -> None:
    assert mask_pii("我叫张三，联系人：李四") == "我叫张**，联系人：李**"
    assert mask_pii("Hi, my name is John Smith") == "Hi, my name is J**"
    assert mask_pii("Mr. Brown was helpful") == "M" + "r. B** was helpful"
    assert mask_pii("我姓王，谢谢") == "我姓*，谢谢"
    assert find_pii("我是老客户了") == []
    assert find_pii("I am happy with it") == []


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        (None, None),
        ("", ""),
        ("   ", ""),
        ("张", "*"),
        (" A ", "*"),
        ("张三", "张**"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧**"),
        ("Alice", "A**"),
        ("Alice Smith", "A**"),
        ("  李四\n", "李**"),
    ],
)
def test_mask_name_known_answers(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


@given(st.text(max_size=40))
def test_mask_name_keeps_only_the_first_character(name: str) -> None:
    masked = mask_name(name)
    core = name.strip()
    if not core:
        assert masked == ""
    elif len(core) == 1:
        assert masked == "*"
    else:
        assert masked == core[0] + "**" and len(masked) == 3
        assert (
            masked != name or name == core[0] + "**"
        )  # only an already-masked name maps to itself
    assert mask_name(masked) == masked  # masking a mask changes nothing


@given(st.text(max_size=30), st.text(max_size=30))
def test_mask_name_reveals_only_the_first_character(a: str, b: str) -> None:
    a, b = a.strip(), b.strip()
    assume(len(a) >= 2 and len(b) >= 2)
    b = a[0] + b[1:]  # same first character, any other rest and length
    assert mask_name(a) == mask_name(b) == a[0] + "**"


def test_no_false_positives_on_ordinary_numbers() -> None:
    assert find_pii("订单号 20231234 金额 299 元，2024-05-01 送达") == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀" * 100, "<script>alert(1)</script>", "\u202e\u200b\x00", "a" * 50_000],
)
def test_hostile_and_empty_inputs(text: str) -> None:
    assert mask_pii(text) == text


def test_long_text_with_pii() -> None:
    text = "好" * 25_000 + " 13800138000 " + "x" * 25_000
    assert mask_pii(text).count("138****8000") == 1


def test_non_string_rejected() -> None:
    with pytest.raises(ValueError, match="text"):
        find_pii(123)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[1-9][0-9]{16}", fullmatch=True), st.integers(0, 16), st.integers(1, 9))
def test_generated_ids_found_mutations_rejected(body: str, pos: int, delta: int) -> None:
    valid = _with_id_check(body)
    assert is_valid_id_number(valid)
    assert "id_number" in _kinds(f"证件号:{valid}。")
    digits = list(valid)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    mutated = "".join(digits)
    if mutated[0] != "0":
        assert not is_valid_id_number(mutated)  # one changed digit always breaks GB 11643
        assert "id_number" not in _kinds(f"证件号:{mutated}。")


@settings(max_examples=200, deadline=None)
@given(st.integers(12, 18), st.data())
def test_generated_cards_found_mutations_rejected(length: int, data: st.DataObject) -> None:
    body = data.draw(st.from_regex(rf"[3-6][0-9]{{{length - 1}}}", fullmatch=True))
    card = _with_luhn(body)
    matches = find_pii(f"卡号 {card} 。")
    assert [m.kind for m in matches] in (["bank_card"], ["id_number"], ["mobile"])
    pos = data.draw(st.integers(0, len(card) - 1))
    digits = list(card)
    digits[pos] = str((int(digits[pos]) + data.draw(st.integers(1, 9))) % 10)
    mutated = "".join(digits)
    assert not luhn_valid(mutated)  # Luhn catches every single-digit error
    assert "bank_card" not in _kinds(f"卡号 {mutated} 。")
