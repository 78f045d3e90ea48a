"""Saved segments: named definitions in the safe definition language, their counts and members.

A definition is structured data (``{"all": [{"field": "city_tier", "op": "in", "value": [1, 2]},
...]}``) or the matching expression text (``city_tier in (1, 2) and nps <= 6``). It is checked
against the field allow-list and each field's type when saved, stored as the structured tree,
and evaluated over :func:`manyi.segment.attributes.customer_attributes` — never turned into SQL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from manyi.analytics.segments.definition import SegmentDefinition, evaluate_definition
from manyi.errors import ConflictError, InputError, NotFoundError
from manyi.exporting.spreadsheet import neutralise_frame
from manyi.segment.attributes import FIELDS, customer_attributes, empty_attributes
from manyi.segment.models import SavedSegment

MAX_NAME = 100
MAX_DESCRIPTION = 2000
EXPORT_COLUMNS = ("customer_id", *FIELDS)


@dataclass(frozen=True)
class SegmentCount:
    """How many customers a saved segment matches, out of how many."""

    matched: int
    total: int


def parse_definition(definition: dict[str, Any] | str) -> dict[str, Any]:
    """Validate a definition (tree, JSON text or expression) against the fields and their types."""
    try:
        tree = SegmentDefinition.parse(definition, FIELDS).tree
        evaluate_definition(tree, empty_attributes(), FIELDS)
    except ValueError as exc:
        raise InputError(f"definition: {exc}") from exc
    return tree


def _clean_name(name: str) -> str:
    """Trimmed, non-empty, bounded segment name."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InputError(f"name: must be 1 to {MAX_NAME} characters")
    return name


def create_saved(
    *,
    session: Session,
    name: str,
    definition: dict[str, Any] | str,
    description: str | None = None,
    created_by: int | None = None,
) -> SavedSegment:
    """Save a named definition; a duplicate name is a conflict (409)."""
    name = _clean_name(name)
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InputError(f"description: longer than {MAX_DESCRIPTION} characters")
    tree = parse_definition(definition)
    if session.scalar(select(SavedSegment.id).where(SavedSegment.name == name)) is not None:
        raise ConflictError(f"name: a saved segment called {name!r} exists / 名称已存在")
    segment = SavedSegment(
        name=name, description=description or None, definition=tree, created_by=created_by
    )
    session.add(segment)
    session.flush()
    return segment


def list_saved(*, session: Session) -> list[SavedSegment]:
    """All saved segments by name."""
    return list(session.scalars(select(SavedSegment).order_by(SavedSegment.name)))


def get_saved(*, session: Session, segment_id: int) -> SavedSegment:
    """One saved segment; 404 when it does not exist."""
    found = session.get(SavedSegment, segment_id)
    if found is None:
        raise NotFoundError("saved segment not found / 分群不存在")
    return found


def delete_saved(*, session: Session, segment_id: int) -> None:
    """Delete a saved segment (404 when it does not exist)."""
    session.delete(get_saved(session=session, segment_id=segment_id))
    session.flush()


def members(
    *,
    session: Session,
    segment: SavedSegment,
    attributes: pd.DataFrame | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The customers a saved segment matches, with their attributes."""
    frame = (
        attributes if attributes is not None else customer_attributes(session=session, as_of=as_of)
    )
    try:
        mask = evaluate_definition(segment.definition, frame, FIELDS)
    except ValueError as exc:
        raise InputError(f"definition: {exc}") from exc
    return frame[mask.to_numpy()].reset_index(drop=True)


def count(
    *, session: Session, segment: SavedSegment, attributes: pd.DataFrame | None = None
) -> SegmentCount:
    """How many customers match, out of all (not erased) customers."""
    frame = attributes if attributes is not None else customer_attributes(session=session)
    matched = members(session=session, segment=segment, attributes=frame)
    return SegmentCount(matched=len(matched), total=len(frame))


def members_csv(frame: pd.DataFrame) -> str:
    """Members as UTF-8 CSV text (with BOM for spreadsheets), formula-like cells neutralised.

    Only the customer code and segment attributes are exported: no names or contacts.
    """
    table = frame[list(EXPORT_COLUMNS)].copy()
    buffer = io.StringIO()
    neutralise_frame(table).to_csv(buffer, index=False)
    return "\ufeff" + buffer.getvalue()


def _format_value(value: Any) -> str:
    """A value as it is written in the expression language."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def describe_definition(node: dict[str, Any]) -> str:
    """A stored tree as expression text (``city_tier in (1, 2) and nps <= 6``)."""
    if "all" in node or "any" in node:
        joiner = " and " if "all" in node else " or "
        parts = [describe_definition(c) for c in node.get("all") or node.get("any") or []]
        text = joiner.join(parts)
        return f"({text})" if len(parts) > 1 else text
    if "not" in node:
        return f"not {describe_definition(node['not'])}"
    field, op = node["field"], node["op"]
    value: Any = node.get("value")
    if op in ("is_null", "not_null"):
        return f"{field} is {'not ' if op == 'not_null' else ''}null"
    if op in ("in", "not_in"):
        items = ", ".join(_format_value(v) for v in value)
        return f"{field} {'not in' if op == 'not_in' else 'in'} ({items})"
    if op == "between":
        return f"{field} between {_format_value(value[0])} and {_format_value(value[1])}"
    if op == "contains":
        return f"{field} contains {_format_value(value)}"
    return f"{field} {op} {_format_value(value)}"


def _typed_value(field: str, text: str) -> Any:
    """A form value typed for its field: numbers for number fields, else text."""
    text = text.strip()
    spec = FIELDS.get(field)
    if spec is None or spec.kind != "number":
        return text
    try:
        number = float(text)
    except ValueError as exc:
        raise InputError(f"value: {field} needs a number, got {text[:40]!r}") from exc
    return int(number) if number.is_integer() and "." not in text else number


def definition_from_rows(rows: list[tuple[str, str, str]], combine: str = "all") -> dict[str, Any]:
    """A structured definition from form rows of (field, operator, value text).

    Rows without a field are skipped; ``in``/``not_in`` split the value on commas (，too),
    ``between`` takes two values. The result is validated like any definition.
    """
    if combine not in ("all", "any"):
        raise InputError("combine: must be all or any")
    conditions: list[dict[str, Any]] = []
    for field, op, raw in rows:
        if not field:
            continue
        node: dict[str, Any] = {"field": field, "op": op}
        if op in ("in", "not_in", "between"):
            parts = [p for p in raw.replace("，", ",").split(",") if p.strip()]
            node["value"] = [_typed_value(field, p) for p in parts]
        elif op not in ("is_null", "not_null"):
            node["value"] = _typed_value(field, raw)
        conditions.append(node)
    if not conditions:
        raise InputError("definition: add at least one condition / 请至少添加一个条件")
    return parse_definition({combine: conditions})
