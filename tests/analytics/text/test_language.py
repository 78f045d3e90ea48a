"""Tests for manyi.analytics.text.language."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.analytics.text.language import LANGUAGES, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("物流很快，包装也很好", "zh-Hans"),
        ("物流很快，包裝也很好", "zh-Hant"),
        ("這家飯店的服務態度非常好", "zh-Hant"),
        ("The delivery was late and the box was damaged.", "en"),
        ("not bad at all", "en"),
        ("这个app很好用", "zh-Hans"),
        ("The 物流 was great but 客服 was rude", "mixed"),
        ("こんにちは、ありがとうございます", "other"),
        ("Привет, как дела", "other"),
        ("12345 !!!", "other"),
        ("", "other"),
        ("   ", "other"),
        ("😀😀", "other"),
    ],
)
def test_known_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@given(st.text())
def test_always_a_known_code(text: str) -> None:
    assert detect_language(text) in LANGUAGES
