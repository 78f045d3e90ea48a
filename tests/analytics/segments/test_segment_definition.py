"""Tests of segment definitions (manyi.analytics.segments.definition)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.analytics.segments.definition import (
    SegmentDefinition,
    evaluate_definition,
    parse_expression,
    validate_definition,
)

PEOPLE = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e"],
        "city_tier": [1, 2, 3, 1, 2],
        "nps": [3.0, 9.0, 5.0, np.nan, 6.0],
        "gender": ["F", "M", "F", "F", None],
        "vip": [True, False, False, True, False],
        "city": ["上海", "北京", "成都", "上海", "杭州"],
    }
)

INJECTIONS = [
    "1'; SELECT SLEEP(5)--",
    "' OR '1'='1",
    "1); SELECT pg_sleep(5)--",
    "__import__('os')",
    "__import__('os').system('id')",
    "city_tier == 1; DROP TABLE customers",
    "city_tier == __import__('os')",
    "nps <= 6 or 1=1",
    "city_tier ~= 1",
    "city_tier === 1",
    "exec('x') == 1",
    "city_tier in (1, 2",
    "lambda: 1",
    "nps <= 6 and",
    "nps <= 6 -- comment",
    "nps <= 6 /* x */",
    "a.b == 1",
]


def _ids(mask: pd.Series) -> list[str]:
    """Customer ids selected by a mask."""
    return PEOPLE.loc[mask, "customer_id"].tolist()


def test_expression_parses_to_the_documented_structure() -> None:
    tree = parse_expression("city_tier in (1,2) and nps <= 6")
    assert tree == {
        "all": [
            {"field": "city_tier", "op": "in", "value": [1, 2]},
            {"field": "nps", "op": "<=", "value": 6},
        ]
    }
    assert _ids(evaluate_definition(tree, PEOPLE)) == ["a", "e"]
    assert _ids(evaluate_definition("city_tier in (1,2) and nps <= 6", PEOPLE)) == ["a", "e"]
    assert _ids(evaluate_definition(json.dumps(tree), PEOPLE)) == ["a", "e"]


def test_operators_and_nesting() -> None:
    cases = {
        "gender = 'F' or nps >= 9": ["a", "b", "c", "d"],
        "not (city_tier == 1)": ["b", "c", "e"],
        "nps between 5 and 9": ["b", "c", "e"],
        "nps is null": ["d"],
        "gender is not null and city_tier != 2": ["a", "c", "d"],
        "city_tier not in (1, 3)": ["b", "e"],
        "vip == true": ["a", "d"],
        "city contains '海'": ["a", "d"],
        "(city_tier = 1 or city_tier = 3) and not gender = 'M'": ["a", "c", "d"],
        "city in ('上海', '杭州') AND nps < 6.5": ["a", "e"],
    }
    for text, expected in cases.items():
        assert _ids(evaluate_definition(text, PEOPLE)) == expected, text


def test_missing_values_follow_sql_three_valued_logic() -> None:
    # d has no NPS: it is neither <= 6 nor, under NOT, > 6 -- as in a database.
    assert "d" not in _ids(evaluate_definition("nps <= 6", PEOPLE))
    assert "d" not in _ids(evaluate_definition("not nps <= 6", PEOPLE))
    assert "d" in _ids(evaluate_definition("nps <= 6 or city_tier = 1", PEOPLE))


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_raise_clear_errors(text: str) -> None:
    with pytest.raises(ValueError):
        evaluate_definition(text, PEOPLE)


def test_values_are_data_never_code() -> None:
    # A hostile string in value position is only ever compared as text.
    for value in INJECTIONS:
        mask = evaluate_definition({"field": "gender", "op": "==", "value": value}, PEOPLE)
        assert not mask.any()


def test_structured_definitions_are_validated() -> None:
    bad = [
        {"field": "nps", "op": "LIKE", "value": 1},
        {"field": "nps", "op": "<=", "value": {"$gt": 1}},
        {"field": "nps; DROP", "op": "<=", "value": 1},
        {"field": "salary", "op": ">", "value": 1},
        {"all": []},
        {"all": [{"field": "nps", "op": "<="}]},
        {"field": "nps", "op": "between", "value": [1]},
        {"field": "nps", "op": "<=", "value": 1, "sql": "1=1"},
        {"or": [{"field": "nps", "op": "<=", "value": 1}]},
        {"field": "nps", "op": "<=", "value": float("nan")},
        {"field": "nps", "op": "<=", "value": None},
        {"field": "nps", "op": "<=", "value": "6"},  # text against a numeric column
        {"field": "gender", "op": "contains", "value": 1},
    ]
    for node in bad:
        with pytest.raises(ValueError):
            evaluate_definition(node, PEOPLE)
    with pytest.raises(ValueError, match="allowed fields"):
        validate_definition({"field": "nps", "op": "<=", "value": 6}, allowed_fields=["city_tier"])
    deep: dict = {"field": "nps", "op": "<=", "value": 6}
    for _ in range(40):
        deep = {"not": deep}
    with pytest.raises(ValueError, match="too deep"):
        validate_definition(deep)
    with pytest.raises(ValueError, match="deeper"):
        parse_expression("not " * 40 + "nps <= 6")
    with pytest.raises(ValueError, match="longer"):
        parse_expression("nps <= 6 and " * 1000 + "nps <= 6")


def test_segment_definition_round_trip() -> None:
    definition = SegmentDefinition.parse("city_tier in (1, 2) and nps <= 6", ["city_tier", "nps"])
    again = SegmentDefinition.parse(definition.to_json(), ["city_tier", "nps"])
    assert again == definition
    assert _ids(definition.mask(PEOPLE)) == ["a", "e"]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes_with_anything_but_value_error(text: str) -> None:
    try:
        mask = evaluate_definition(text, PEOPLE)
    except ValueError:
        return
    assert mask.dtype == bool and len(mask) == len(PEOPLE)


@settings(max_examples=60, deadline=None)
@given(st.integers(-5, 15), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
def test_conditions_match_pandas_comparisons(value: int, op: str) -> None:
    mask = evaluate_definition(f"nps {op} {value}", PEOPLE)
    known = PEOPLE["nps"].notna()
    expected = {
        "<": PEOPLE["nps"] < value,
        "<=": PEOPLE["nps"] <= value,
        ">": PEOPLE["nps"] > value,
        ">=": PEOPLE["nps"] >= value,
        "==": PEOPLE["nps"] == value,
        "!=": PEOPLE["nps"] != value,
    }[op] & known
    assert mask.tolist() == expected.tolist()
