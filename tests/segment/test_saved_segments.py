"""Saved segments: the safe definition language, counts, exports; and personas from the database."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.customer.models import Customer
from manyi.errors import ConflictError, InputError, NotFoundError
from manyi.segment import saved, service
from manyi.segment.attributes import FIELDS, customer_attributes
from manyi.segment.models import SavedSegment
from manyi.segment.personas import segment_personas
from manyi.store.engine import unit_of_work

Seeded = tuple[sessionmaker[Session], dict[str, int]]
AS_OF = date(2024, 6, 30)
INJECTIONS = [
    "1'; SELECT SLEEP(5)--",
    "' OR '1'='1",
    "1); SELECT pg_sleep(5)--",
    "city_tier == 1; DROP TABLE customers",
    "__import__('os').system('id')",
    "name == 'x'",  # not an allowed field: names are personal data
    "city_tier == 'one'",  # wrong type for a number field
    "city_tier.__class__ == 1",
]


def _snapshot(sessions: sessionmaker[Session]) -> None:
    """Store the RFM/tier/lifecycle snapshots as of AS_OF."""
    with unit_of_work(sessions) as session:
        service.compute_snapshots(session=session, as_of=AS_OF)


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="definition"):
        saved.parse_definition(text)


def test_structured_injection_attempts_are_refused() -> None:
    bad = [
        {"field": "city_tier; DROP TABLE x", "op": "==", "value": 1},
        {"field": "city_tier", "op": "OR 1=1", "value": 1},
        {"field": "city_tier", "op": "==", "value": {"$gt": ""}},
        {"all": [{"field": "city_tier", "op": "==", "value": 1}], "sql": "DELETE"},
        {"raw": "SELECT * FROM customers"},
    ]
    for node in bad:
        with pytest.raises(InputError):
            saved.parse_definition(node)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_either_parses_or_fails_cleanly(text: str) -> None:
    try:
        tree = saved.parse_definition(text)
    except InputError:
        return
    assert saved.describe_definition(tree)


def test_save_count_and_export(seeded: Seeded) -> None:
    sessions, _ = seeded
    _snapshot(sessions)
    with unit_of_work(sessions) as session:
        first = saved.create_saved(
            session=session,
            name="big cities, unhappy",
            definition="city_tier in (1, 2) and nps <= 6",
        )
        second = saved.create_saved(
            session=session,
            name="valuable",
            definition={"any": [{"field": "tier", "op": "in", "value": ["vip", "high"]},
                                {"field": "monetary", "op": ">=", "value": 150}]},
            description="<b>high or ≥150</b>",
        )  # fmt: skip
        with pytest.raises(ConflictError):
            saved.create_saved(session=session, name="valuable", definition="r >= 4")
    with sessions() as session:
        # latest 0-10 answers up to the day: A 10 (her 0 came later), B 3; D rated 2 of 5
        frame = customer_attributes(session=session, as_of=AS_OF)
        assert len(frame) == 6  # F is erased
        by_code = frame.set_index("customer_id")
        assert by_code.loc["A", "nps"] == 10 and by_code.loc["B", "nps"] == 3
        assert by_code.loc["D", "csat"] == 2 and pd.isna(by_code.loc["D", "nps"])
        assert by_code.loc["A", "age"] == 28 and by_code.loc["A", "age_band"] == "25-34"
        assert by_code.loc["A", "rfm"] == "champions" and by_code.loc["A", "tier"] == "medium"
        assert by_code.loc["B", "negative_feedback"] == 1
        one = saved.members(session=session, segment=first, attributes=frame)
        assert list(one["customer_id"]) == ["B"]  # city tier 1 and nps 3; A answered 10
        two = saved.count(session=session, segment=second, attributes=frame)
        assert (two.matched, two.total) == (2, 6)  # B high tier; A spent 180
        text = saved.members_csv(saved.members(session=session, segment=second, attributes=frame))
        table = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str)
        assert list(table.columns) == ["customer_id", *FIELDS]
        assert "name" not in table.columns and "email" not in table.columns
        assert saved.describe_definition(first.definition) == "(city_tier in (1, 2) and nps <= 6)"
        c_only = saved.create_saved(session=session, name="c", definition="city_tier >= 4")
        export = saved.members_csv(saved.members(session=session, segment=c_only, attributes=frame))
        assert "'=cmd|' /C calc'!A0" in export  # a formula-like city is neutralised
        session.rollback()


def test_definition_from_form_rows() -> None:
    tree = saved.definition_from_rows(
        [
            ("city_tier", "in", "1，2"),
            ("nps", "<=", "6"),
            ("", "==", ""),
            ("gender", "==", "female"),
        ]
    )
    assert tree == {
        "all": [
            {"field": "city_tier", "op": "in", "value": [1, 2]},
            {"field": "nps", "op": "<=", "value": 6},
            {"field": "gender", "op": "==", "value": "female"},
        ]
    }
    assert saved.definition_from_rows([("age", "between", "25, 34.5")], "any") == {
        "any": [{"field": "age", "op": "between", "value": [25, 34.5]}]
    }
    assert saved.definition_from_rows([("city", "is_null", "ignored")]) == {
        "all": [{"field": "city", "op": "is_null"}]
    }
    text_value = saved.definition_from_rows([("city", "==", "' OR '1'='1")])
    assert text_value["all"][0]["value"] == "' OR '1'='1"  # plain data, never SQL
    for rows, combine in (
        ([("age", ">", "old")], "all"),
        ([("password", "==", "x")], "all"),
        ([("age", "DROP", "1")], "all"),
        ([], "all"),
        ([("age", ">", "1")], "xor"),
    ):
        with pytest.raises(InputError):
            saved.definition_from_rows(rows, combine)


def test_get_and_delete(seeded: Seeded) -> None:
    sessions, _ = seeded
    with unit_of_work(sessions) as session:
        segment = saved.create_saved(session=session, name="  spaced  ", definition="r >= 4")
        assert segment.name == "spaced"
        assert [s.name for s in saved.list_saved(session=session)] == ["spaced"]
        saved.delete_saved(session=session, segment_id=segment.id)
        with pytest.raises(NotFoundError):
            saved.get_saved(session=session, segment_id=segment.id)
        with pytest.raises(InputError):
            saved.create_saved(session=session, name=" ", definition="r >= 4")
        assert session.scalar(select(func.count()).select_from(SavedSegment)) == 0


def test_personas_use_stored_feedback_analyses(seeded: Seeded) -> None:
    sessions, _ = seeded
    _snapshot(sessions)
    with sessions() as session:
        report = segment_personas(session=session, kind="tier")
        data = report.to_dict()
    assert report.snapshot.as_of == AS_OF
    assert report.feedback_aspects == 4  # the item after the as-of day is left out
    cards = {c["segment"]: c for c in data["cards"]}
    assert set(cards) == {"high", "medium", "low"}
    assert cards["high"]["customers"] == 1 and cards["high"]["complaints"] == ["service"]
    assert sorted(cards["medium"]["praises"]) == ["logistics", "price"]
    assert cards["high"]["nps"] == -100.0 and cards["medium"]["nps"] == 100.0
    for card in data["cards"]:
        assert card["narrative_en"] and card["narrative_zh"]
        assert card["label_en"] and card["label_zh"]
    assert (
        "executive" in cards["high"]["narrative_en"] and "企业高管" in cards["high"]["narrative_zh"]
    )
    assert "价格" in cards["medium"]["narrative_zh"]


def test_personas_need_a_snapshot(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, pytest.raises(NotFoundError, match="snapshot"):
        segment_personas(session=session)


def test_personas_of_a_snapshot_whose_members_were_all_erased(seeded: Seeded) -> None:
    sessions, _ = seeded
    _snapshot(sessions)
    with unit_of_work(sessions) as session:
        for customer in session.scalars(select(Customer)):
            customer.erased_at = datetime(2024, 7, 1, tzinfo=UTC)
    with sessions() as session:
        report = segment_personas(session=session, kind="rfm")
    assert report.cards == [] and report.to_dict()["cards"] == []
