"""Segment definitions: structured filters (JSON) and a tiny safe expression language.

A definition is a tree of plain data, the same shape a database layer can translate into
parameterised SQLAlchemy expressions::

    {"all": [{"field": "city_tier", "op": "in", "value": [1, 2]},
             {"field": "nps", "op": "<=", "value": 6}]}

- ``{"all": [node, ...]}`` — every child holds (AND); ``{"any": [...]}`` — at least one (OR);
  ``{"not": node}`` — the child does not hold;
- ``{"field": name, "op": op, "value": v}`` — a condition. ``op`` is one of
  ``== != < <= > >= in not_in between is_null not_null contains``; ``in``/``not_in`` take a
  list, ``between`` a two-item list (inclusive), ``is_null``/``not_null`` no value,
  ``contains`` a string (case-sensitive substring of a text column).

The expression form ``city_tier in (1, 2) and nps <= 6`` parses to exactly that structure;
it supports ``and or not``, parentheses, ``in (...)``, ``not in (...)``, ``between a and b``,
``is null``, ``is not null``, ``contains 'text'``, numbers, quoted strings, ``true/false``.

Safety: nothing is ever passed to ``eval`` or turned into SQL text. Fields must be names in
an allow-list (by default the frame's columns), operators come from the fixed list above,
values must be numbers, strings, booleans or lists of them, and each value's type must suit its
column. Evaluation uses SQL's three-valued logic: a comparison with a missing value is
unknown, and unknown rows never match, even under ``not`` — the same answer a database gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

OPERATORS = (
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not_in",
    "between",
    "is_null",
    "not_null",
    "contains",
)
MAX_DEPTH = 32
MAX_NODES = 500
MAX_EXPRESSION_CHARS = 4000
_FIELD_NAME = re.compile(r"^[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*$")
_SCALAR_TYPES = (bool, int, float, str)

Node = dict[str, Any]


# --------------------------------------------------------------------- validation


def validate_definition(definition: Node, allowed_fields: Iterable[str] | None = None) -> Node:
    """Check a structured definition and return a normalised copy.

    Raises
    ------
    ValueError
        For an unknown key or operator, a field outside the allow-list or with an unsafe
        name, a value of the wrong shape, or a tree that is too deep or too large.
    """
    allowed = set(allowed_fields) if allowed_fields is not None else None
    counter = [0]
    return _validate_node(definition, allowed, 0, counter)


def _validate_node(node: Any, allowed: set[str] | None, depth: int, counter: list[int]) -> Node:
    """Validate one node recursively (depth and node count bounded)."""
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_NODES:
        raise ValueError(
            f"segment definition is too deep or too large (limits {MAX_DEPTH}, {MAX_NODES})"
        )
    if not isinstance(node, dict):
        raise ValueError(f"segment definition node must be an object, got {type(node).__name__}")
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        (kind,) = keys
        children = node[kind]
        if not isinstance(children, list) or not children:
            raise ValueError(f"'{kind}' needs a non-empty list of conditions")
        return {kind: [_validate_node(c, allowed, depth + 1, counter) for c in children]}
    if keys == {"not"}:
        return {"not": _validate_node(node["not"], allowed, depth + 1, counter)}
    if "field" in keys and "op" in keys and keys <= {"field", "op", "value"}:
        return _validate_condition(node, allowed)
    raise ValueError(
        f"segment definition node has unexpected keys {sorted(map(str, keys))}; "
        "use all/any/not or field/op/value"
    )


def _validate_condition(node: Node, allowed: set[str] | None) -> Node:
    """Validate a field/op/value condition."""
    field, op = node["field"], node["op"]
    if not isinstance(field, str) or not _FIELD_NAME.match(field):
        raise ValueError(f"field {field!r} is not a valid column name")
    if allowed is not None and field not in allowed:
        raise ValueError(f"field '{field}' is not one of the allowed fields {sorted(allowed)}")
    if not isinstance(op, str) or op not in OPERATORS:
        raise ValueError(f"operator {op!r} is not allowed; use one of {list(OPERATORS)}")
    if op in ("is_null", "not_null"):
        if node.get("value") is not None:
            raise ValueError(f"operator '{op}' takes no value (field '{field}')")
        return {"field": field, "op": op}
    if "value" not in node:
        raise ValueError(f"operator '{op}' needs a value (field '{field}')")
    value = node["value"]
    if op in ("in", "not_in", "between"):
        if not isinstance(value, list) or not value or len(value) > 1000:
            raise ValueError(f"operator '{op}' needs a non-empty list value (field '{field}')")
        if op == "between" and len(value) != 2:
            raise ValueError(f"operator 'between' needs exactly two values (field '{field}')")
        for item in value:
            _check_scalar(item, field)
        return {"field": field, "op": op, "value": list(value)}
    _check_scalar(value, field)
    if op == "contains" and not isinstance(value, str):
        raise ValueError(f"operator 'contains' needs a text value (field '{field}')")
    return {"field": field, "op": op, "value": value}


def _check_scalar(value: Any, field: str) -> None:
    """Only numbers, strings and booleans are values (no objects, no None)."""
    if not isinstance(value, _SCALAR_TYPES) or (
        isinstance(value, float) and not np.isfinite(value)
    ):
        raise ValueError(f"value {value!r} for field '{field}' must be a number, text or boolean")
    if isinstance(value, str) and len(value) > 1000:
        raise ValueError(f"text value for field '{field}' is longer than 1000 characters")


# --------------------------------------------------------------------- expression parser

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>==|!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<name>[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "between", "is", "null", "true", "false", "contains"}


@dataclass(frozen=True)
class _Token:
    """A lexical token: kind, text and position (for error messages)."""

    kind: str
    text: str
    pos: int


def _tokenise(text: str) -> list[_Token]:
    """Split an expression into tokens; anything unexpected is an error with its position."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"unexpected character {text[pos]!r} at position {pos}")
        kind = match.lastgroup or ""
        if kind != "ws":
            word = match.group()
            if kind == "name" and word.lower() in _KEYWORDS:
                tokens.append(_Token("kw", word.lower(), pos))
            else:
                tokens.append(_Token(kind, word, pos))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive-descent parser: or_expr := and_expr (OR and_expr)*, and so on."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        """The next token without consuming it."""
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, text: str | None = None) -> _Token:
        """Consume a token of the given kind (and text) or fail naming what was found."""
        token = self.peek()
        if token is None or token.kind != kind or (text is not None and token.text != text):
            wanted = text or kind
            found = "end of expression" if token is None else f"{token.text!r} at {token.pos}"
            raise ValueError(f"expected {wanted} but found {found}")
        self.i += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> bool:
        """Consume the next token if it matches."""
        token = self.peek()
        if token is not None and token.kind == kind and (text is None or token.text == text):
            self.i += 1
            return True
        return False

    def parse(self) -> Node:
        """Parse the whole expression."""
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            raise ValueError(f"unexpected {token.text!r} at position {token.pos}")
        return node

    def or_expr(self) -> Node:
        """Disjunction of conjunctions."""
        parts = [self.and_expr()]
        while self.accept("kw", "or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else {"any": parts}

    def and_expr(self) -> Node:
        """Conjunction of negations/primaries."""
        parts = [self.not_expr()]
        while self.accept("kw", "and"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def not_expr(self) -> Node:
        """Optional NOT prefix."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ValueError(f"expression nests deeper than {MAX_DEPTH} levels")
        try:
            if self.accept("kw", "not"):
                return {"not": self.not_expr()}
            if self.accept("punct", "("):
                node = self.or_expr()
                self.take("punct", ")")
                return node
            return self.condition()
        finally:
            self.depth -= 1

    def condition(self) -> Node:
        """field op value | field [not] in (...) | field between a and b | field is [not] null."""
        token = self.peek()
        if token is None or token.kind != "name":
            found = "end of expression" if token is None else f"{token.text!r} at {token.pos}"
            raise ValueError(f"expected a field name but found {found}")
        field = self.take("name").text
        if self.accept("op"):
            op = self.tokens[self.i - 1].text
            op = {"=": "==", "<>": "!="}.get(op, op)
            return {"field": field, "op": op, "value": self.value()}
        if self.accept("kw", "in"):
            return {"field": field, "op": "in", "value": self.value_list()}
        if self.accept("kw", "not"):
            self.take("kw", "in")
            return {"field": field, "op": "not_in", "value": self.value_list()}
        if self.accept("kw", "between"):
            low = self.value()
            self.take("kw", "and")
            return {"field": field, "op": "between", "value": [low, self.value()]}
        if self.accept("kw", "is"):
            negated = self.accept("kw", "not")
            self.take("kw", "null")
            return {"field": field, "op": "not_null" if negated else "is_null"}
        if self.accept("kw", "contains"):
            return {"field": field, "op": "contains", "value": self.value()}
        token = self.peek()
        found = "end of expression" if token is None else f"{token.text!r} at {token.pos}"
        raise ValueError(f"expected an operator after field '{field}' but found {found}")

    def value_list(self) -> list[Any]:
        """A parenthesised, comma-separated list of values."""
        self.take("punct", "(")
        items = [self.value()]
        while self.accept("punct", ","):
            items.append(self.value())
        self.take("punct", ")")
        return items

    def value(self) -> Any:
        """A number, quoted string or true/false literal."""
        token = self.peek()
        if token is None:
            raise ValueError("expected a value but found end of expression")
        self.i += 1
        if token.kind == "number":
            number = float(token.text)
            is_int = number.is_integer() and not re.search(r"[.eE]", token.text)
            return int(token.text) if is_int else number
        if token.kind == "string":
            body = token.text[1:-1]
            return re.sub(r"\\(.)", r"\1", body)
        if token.kind == "kw" and token.text in ("true", "false"):
            return token.text == "true"
        raise ValueError(f"expected a value but found {token.text!r} at position {token.pos}")


def parse_expression(text: str, allowed_fields: Iterable[str] | None = None) -> Node:
    """Parse ``city_tier in (1, 2) and nps <= 6`` into a validated structured definition."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("segment expression is empty")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(f"segment expression is longer than {MAX_EXPRESSION_CHARS} characters")
    node = _Parser(_tokenise(text)).parse()
    return validate_definition(node, allowed_fields)


# --------------------------------------------------------------------- evaluation


def _column_kind(series: pd.Series) -> str:
    """'bool', 'number', 'datetime' or 'text' for type checks of values."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "text"


def _typed(value: Any, kind: str, field: str) -> Any:
    """Check (and for dates convert) a value against its column's kind."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"field '{field}' is true/false; {value!r} is not a boolean")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"field '{field}' is numeric; {value!r} is not a number")
        return value
    if kind == "datetime":
        try:
            return pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"field '{field}' holds dates; {value!r} is not a date") from exc
    return str(value) if not isinstance(value, str) else value


def _condition_masks(node: Node, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(true, false) masks of one condition; rows with a missing value are neither."""
    field, op = node["field"], node["op"]
    series = frame[field]
    known = series.notna().to_numpy()
    if op == "is_null":
        return ~known, known
    if op == "not_null":
        return known, ~known
    kind = _column_kind(series)
    value = node["value"]
    if op in ("in", "not_in", "between"):
        values = [_typed(v, kind, field) for v in value]
    else:
        values = [_typed(value, kind, field)]
    if op == "contains":
        if kind != "text":
            raise ValueError(f"operator 'contains' needs a text field; '{field}' is {kind}")
        hit = series.astype("string").str.contains(values[0], regex=False)
    elif op in ("in", "not_in"):
        hit = series.isin(values)
        if op == "not_in":
            hit = ~hit
    elif op == "between":
        hit = (series >= values[0]) & (series <= values[1])
    else:
        if kind == "text" and op not in ("==", "!="):
            series = series.astype("string")
        compare = {
            "==": series.eq,
            "!=": series.ne,
            "<": series.lt,
            "<=": series.le,
            ">": series.gt,
            ">=": series.ge,
        }[op]
        hit = compare(values[0])
    hit_array = hit.to_numpy(dtype=bool, na_value=False)
    return hit_array & known, ~hit_array & known


def _masks(node: Node, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(true, false) masks of a node under three-valued logic."""
    if "all" in node:
        parts = [_masks(child, frame) for child in node["all"]]
        return (
            np.logical_and.reduce([t for t, _ in parts]),
            np.logical_or.reduce([f for _, f in parts]),
        )
    if "any" in node:
        parts = [_masks(child, frame) for child in node["any"]]
        return (
            np.logical_or.reduce([t for t, _ in parts]),
            np.logical_and.reduce([f for _, f in parts]),
        )
    if "not" in node:
        true, false = _masks(node["not"], frame)
        return false, true
    return _condition_masks(node, frame)


def evaluate_definition(
    definition: Node | str,
    frame: pd.DataFrame,
    allowed_fields: Iterable[str] | None = None,
) -> pd.Series:
    """Boolean mask (aligned to `frame`) of the rows a definition selects.

    Parameters
    ----------
    definition : dict or str
        A structured definition, its JSON text (starting with ``{``) or an expression.
    frame : pandas.DataFrame
        The rows to select from (customers with attributes and survey answers).
    allowed_fields : iterable of str, optional
        Fields a definition may use; defaults to the frame's columns.
    """
    allowed = set(allowed_fields) if allowed_fields is not None else set(map(str, frame.columns))
    node = SegmentDefinition.parse(definition, allowed).tree
    missing = sorted(_fields(node) - set(map(str, frame.columns)))
    if missing:
        raise ValueError(f"field(s) {missing} are not columns of the data")
    true, _ = _masks(node, frame)
    return pd.Series(true, index=frame.index, name="in_segment")


def _fields(node: Node) -> set[str]:
    """All field names used in a tree."""
    if "field" in node:
        return {node["field"]}
    children = node.get("all") or node.get("any") or [node["not"]]
    return set().union(*(_fields(c) for c in children))


@dataclass(frozen=True)
class SegmentDefinition:
    """A validated segment definition (a tree of all/any/not and field conditions)."""

    tree: Node

    @classmethod
    def parse(
        cls, source: Node | str, allowed_fields: Iterable[str] | None = None
    ) -> SegmentDefinition:
        """Build from a dict, JSON text or an expression, validating against `allowed_fields`."""
        allowed = list(allowed_fields) if allowed_fields is not None else None
        if isinstance(source, dict):
            return cls(validate_definition(source, allowed))
        if not isinstance(source, str):
            raise ValueError("segment definition must be a dict, JSON text or an expression")
        if source.lstrip().startswith("{"):
            if len(source) > 100_000:
                raise ValueError("segment definition JSON is too long")
            try:
                data = json.loads(source)
            except json.JSONDecodeError as exc:
                raise ValueError(f"segment definition is not valid JSON: {exc.msg}") from exc
            return cls(validate_definition(data, allowed))
        return cls(parse_expression(source, allowed))

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows of `frame` in this segment."""
        return evaluate_definition(self.tree, frame)

    def to_json(self) -> str:
        """The structured form as JSON text (what a database layer translates)."""
        return json.dumps(self.tree, ensure_ascii=False)
