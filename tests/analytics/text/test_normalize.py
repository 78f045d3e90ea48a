"""Tests for manyi.analytics.text.normalize."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from manyi.analytics.text.normalize import normalize, to_simplified


def test_full_width_becomes_half_width() -> None:
    assert normalize("ＡＰＰ很好用１２３！") == "APP很好用123!"


def test_traditional_becomes_simplified() -> None:
    assert normalize("這個產品質量很好，物流很快") == "这个产品质量很好,物流很快"
    assert to_simplified("服務態度") == "服务态度"


def test_whitespace_collapsed_and_trimmed() -> None:
    assert normalize("  物流\t\n很快   but  slow ") == "物流 很快 but slow"


def test_zero_width_and_control_characters_removed() -> None:
    assert normalize("好\u200b评\u200d\ufeff\x00\x07!") == "好评!"
    assert normalize("abc\u202edef") == "abcdef"


def test_repeated_punctuation_squeezed() -> None:
    assert normalize("太差了！！！！？？") == "太差了!?"
    assert normalize("wow!!!...") == "wow!."


def test_emoji_kept() -> None:
    assert normalize("好评😀👍") == "好评😀👍"


def test_empty_and_non_string() -> None:
    assert normalize("") == ""
    assert normalize("   \u200b ") == ""
    assert normalize(None) == ""  # type: ignore[arg-type]


def test_script_text_is_plain_text() -> None:
    assert normalize("<script>alert(1)</script>") == "<script>alert(1)</script>"


@given(st.text())
def test_never_raises_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once
    assert "\u200b" not in once and "\x00" not in once
