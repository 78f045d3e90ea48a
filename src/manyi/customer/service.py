"""Customer identity resolution: find one customer by any identity, or create them.

A customer is recognised by their code (``customer_code``, the source system's natural key) or
by any of their identities ((kind, value) pairs: e-mail, phone, external id), each of which
belongs to exactly one customer. Services never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity, IdentityKind

#: Largest number of values put into one IN (...) list.
IN_CHUNK = 5000


def _chunks(values: list[Any], size: int | None = None) -> Iterable[list[Any]]:
    """Split a list into pieces small enough for one IN list (default: IN_CHUNK, read per call)."""
    size = size or IN_CHUNK
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_ignoring_conflicts(
    session: Session, table: Table, rows: list[dict[str, Any]], keys: list[str]
) -> None:
    """Bulk INSERT ... ON CONFLICT (keys) DO NOTHING on SQLite or PostgreSQL (executemany)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - manyi supports SQLite and PostgreSQL only
        raise NotImplementedError(f"bulk import is not supported on {dialect}")
    session.connection().execute(stmt, rows)


def normalise_identity(kind: IdentityKind | str, value: str) -> str:
    """The stored form of an identity value: e-mails lower-cased, phones without spaces."""
    value = value.strip()
    if kind == IdentityKind.EMAIL:
        return value.lower()
    if kind == IdentityKind.PHONE:
        return "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return value


def _identities(
    email: str | None, phone: str | None, external_id: str | None
) -> list[tuple[str, str]]:
    """The non-empty identities given, normalised, as (kind, value) pairs."""
    pairs = [
        (IdentityKind.EMAIL.value, email),
        (IdentityKind.PHONE.value, phone),
        (IdentityKind.EXTERNAL.value, external_id),
    ]
    return [(k, normalise_identity(k, v)) for k, v in pairs if v and v.strip()]


def find_customer(
    session: Session,
    *,
    email: str | None = None,
    phone: str | None = None,
    external_id: str | None = None,
    code: str | None = None,
) -> Customer | None:
    """The one customer with this code or any of these identities (code is tried first)."""
    if code:
        found = session.scalars(select(Customer).where(Customer.customer_code == code)).first()
        if found is not None:
            return found
    for kind, value in _identities(email, phone, external_id):
        found = session.scalars(
            select(Customer)
            .join(CustomerIdentity, CustomerIdentity.customer_id == Customer.id)
            .where(CustomerIdentity.kind == kind, CustomerIdentity.value == value)
        ).first()
        if found is not None:
            return found
    return None


def resolve_or_create(
    session: Session,
    *,
    code: str,
    email: str | None = None,
    phone: str | None = None,
    external_id: str | None = None,
    source: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> tuple[Customer, bool]:
    """Find the customer by code or any identity, else create them; returns (customer, created).

    Identities the customer does not have yet are attached unless they already belong to
    someone else (an identity is never moved between customers).
    """
    customer = find_customer(session, email=email, phone=phone, external_id=external_id, code=code)
    created = customer is None
    if customer is None:
        customer = Customer(customer_code=code, **dict(attributes or {}))
        session.add(customer)
        session.flush()
    for kind, value in _identities(email, phone, external_id):
        owner = session.scalars(
            select(CustomerIdentity.customer_id).where(
                CustomerIdentity.kind == kind, CustomerIdentity.value == value
            )
        ).first()
        if owner is None:
            session.add(
                CustomerIdentity(customer_id=customer.id, kind=kind, value=value, source=source)
            )
    session.flush()
    return customer, created


def ids_by_code(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """Map existing customer codes to ids (codes not found are absent)."""
    out: dict[str, int] = {}
    for part in _chunks(sorted(set(codes))):
        rows = session.execute(
            select(Customer.customer_code, Customer.id).where(Customer.customer_code.in_(part))
        )
        out.update(dict(rows.all()))
    return out


def owners_of_identities(
    session: Session, identities: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Map existing (kind, value) identities to their customer ids."""
    out: dict[tuple[str, str], int] = {}
    by_kind: dict[str, set[str]] = {}
    for kind, value in identities:
        by_kind.setdefault(kind, set()).add(value)
    for kind, values in by_kind.items():
        for part in _chunks(sorted(values)):
            rows = session.execute(
                select(CustomerIdentity.value, CustomerIdentity.customer_id).where(
                    CustomerIdentity.kind == kind, CustomerIdentity.value.in_(part)
                )
            )
            out.update({(kind, value): cid for value, cid in rows})
    return out


def ensure_codes(
    session: Session, codes: Mapping[str, Mapping[str, Any]] | Iterable[str]
) -> tuple[dict[str, int], int]:
    """Ids for every code, creating bare customers for unknown ones; returns (ids, created).

    `codes` may map each code to attributes used only when the customer is created
    (e.g. ``{"17850": {"country": "United Kingdom"}}``).
    """
    attrs: Mapping[str, Mapping[str, Any]] = (
        codes if isinstance(codes, Mapping) else {code: {} for code in codes}
    )
    known = ids_by_code(session, attrs.keys())
    missing = [code for code in attrs if code not in known]
    table = Customer.__table__
    assert isinstance(table, Table)
    keys = sorted({k for code in missing for k in attrs[code]})
    rows = [{**dict.fromkeys(keys), **attrs[code], "customer_code": code} for code in missing]
    insert_ignoring_conflicts(session, table, rows, ["customer_code"])
    if missing:
        known.update(ids_by_code(session, missing))
    return known, len(missing)


def consent_state(session: Session, customer_ids: Iterable[int]) -> dict[tuple[int, str], bool]:
    """The consent in force per (customer id, purpose): the latest event wins."""
    state: dict[tuple[int, str], bool] = {}
    for part in _chunks(sorted(set(customer_ids))):
        rows = session.execute(
            select(ConsentEvent.customer_id, ConsentEvent.purpose, ConsentEvent.granted)
            .where(ConsentEvent.customer_id.in_(part))
            .order_by(ConsentEvent.recorded_at, ConsentEvent.id)
        )
        for cid, purpose, granted in rows:
            state[(cid, purpose)] = bool(granted)
    return state
