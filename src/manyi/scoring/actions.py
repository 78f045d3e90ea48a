"""Retention actions: the status workflow, writing recommendations without duplicates, listing.

Status workflow (a pure transition table)::

    open ──> in_progress ──> done
      │            │
      └──> dismissed <┘

``done`` and ``dismissed`` are final. A recommendation is not written again while the same action
is open or in progress for the customer, nor twice for the same as-of date.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from manyi.analytics.text.pii import mask_email, mask_name, mask_phone
from manyi.customer.models import Customer, CustomerIdentity, IdentityKind
from manyi.errors import ConflictError, InputError, NotFoundError
from manyi.scoring.bulk import driver_value, insert_rows
from manyi.scoring.models import RetentionAction
from manyi.store.base import utcnow


class ActionStatus(enum.StrEnum):
    """Where a retention action stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DISMISSED = "dismissed"


TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.DISMISSED}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.DONE, ActionStatus.DISMISSED}),
    ActionStatus.DONE: frozenset(),
    ActionStatus.DISMISSED: frozenset(),
}
ACTIVE = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
STATUSES = tuple(s.value for s in ActionStatus)
_CHUNK = 5000


def parse_status(value: str) -> ActionStatus:
    """A status from text, or an InputError naming the allowed values."""
    try:
        return ActionStatus(value)
    except ValueError:
        raise InputError(f"status: must be one of {', '.join(STATUSES)}") from None


def transition(current: str, new: str) -> ActionStatus:
    """The next status if the move `current` -> `new` is allowed; ConflictError otherwise."""
    source, target = parse_status(current), parse_status(new)
    if target not in TRANSITIONS[source]:
        allowed = ", ".join(sorted(TRANSITIONS[source])) or "none (final)"
        raise ConflictError(
            f"status: cannot go from {source.value} to {target.value}; allowed: {allowed} / "
            "不允许的状态变更"
        )
    return target


@dataclass(frozen=True)
class ActionCounts:
    """What writing recommendations did."""

    created: int
    refreshed: int
    withdrawn: int


def _pairs(session: Session, *conditions: Any) -> pd.DataFrame:
    """id, customer_id, action, status of the actions matching `conditions`."""
    stmt = select(
        RetentionAction.id,
        RetentionAction.customer_id,
        RetentionAction.action,
        RetentionAction.status,
    ).where(*conditions)
    return pd.read_sql(stmt, session.connection())


def write_actions(
    *,
    session: Session,
    recommended: pd.DataFrame,
    as_of: date,
    marketing_actions: set[str],
    consent: pd.Series,
) -> ActionCounts:
    """Store recommendations (index customer_pk; action, rule, priority, reason columns).

    New (customer, action) pairs are inserted as ``open``; an open one recommended again gets the
    new priority, reason and as-of date; open marketing actions of customers who no longer have
    marketing consent are dismissed.
    """
    wanted = recommended[recommended["action"] != "no_action"]
    active = _pairs(session, RetentionAction.status.in_(ACTIVE))
    today = _pairs(session, RetentionAction.as_of == as_of)
    known = set(zip(active["customer_id"], active["action"], strict=True)) | set(
        zip(today["customer_id"], today["action"], strict=True)
    )
    keys = list(zip(wanted.index.tolist(), wanted["action"].tolist(), strict=True))
    is_new = [key not in known for key in keys]
    fresh = wanted[is_new]
    now, day = driver_value(session, utcnow()), driver_value(session, as_of)
    columns = ["customer_id", "action", "reason", "priority", "as_of", "status", "rule",
               "created_at"]  # fmt: skip
    rows = [
        (int(cid), action, reason or None, float(priority), day, ActionStatus.OPEN.value,
         rule or None, now)
        for cid, action, reason, priority, rule in zip(
            fresh.index, fresh["action"], fresh["reason"], fresh["priority"], fresh["rule"],
            strict=True,
        )
    ]  # fmt: skip
    insert_rows(session, _table(), columns, rows)
    refreshed = _refresh_open(session, wanted, active, as_of)
    withdrawn = _withdraw_marketing(session, active, marketing_actions, consent)
    return ActionCounts(created=len(rows), refreshed=refreshed, withdrawn=withdrawn)


def _table() -> Any:
    """The Core table of RetentionAction."""
    return RetentionAction.__table__


def _refresh_open(session: Session, wanted: pd.DataFrame, active: pd.DataFrame, as_of: date) -> int:
    """Update priority, reason and as-of date of open actions recommended again."""
    open_ = active[active["status"] == ActionStatus.OPEN.value]
    if open_.empty or wanted.empty:
        return 0
    again = open_.merge(
        wanted.reset_index(names="customer_id")[["customer_id", "action", "priority", "reason"]],
        on=["customer_id", "action"],
    )
    params = [{"b_id": int(i), "b_priority": float(p), "b_reason": r or None, "b_as_of": as_of}
              for i, p, r in zip(again["id"], again["priority"], again["reason"], strict=True)]  # fmt: skip
    table = _table()
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(priority=bindparam("b_priority"), reason=bindparam("b_reason"),
                as_of=bindparam("b_as_of"))
    )  # fmt: skip
    conn = session.connection()
    for start in range(0, len(params), _CHUNK):
        conn.execute(stmt, params[start : start + _CHUNK])
    return len(params)


def _withdraw_marketing(
    session: Session, active: pd.DataFrame, marketing_actions: set[str], consent: pd.Series
) -> int:
    """Dismiss open marketing actions of customers without marketing consent now."""
    open_ = active[
        (active["status"] == ActionStatus.OPEN.value) & active["action"].isin(marketing_actions)
    ]
    allowed = consent.reindex(open_["customer_id"]).fillna(False).to_numpy(dtype=bool)
    ids = open_.loc[~allowed, "id"].astype(int).tolist()
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(RetentionAction)
            .where(RetentionAction.id.in_(ids[start : start + _CHUNK]))
            .values(status=ActionStatus.DISMISSED.value)
        )
    return len(ids)


# --- reading and updating ---------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """One retention action as staff see it (name and contacts masked without VIEW_PII)."""

    id: int
    customer_code: str
    customer_name: str | None
    email: str | None
    phone: str | None
    action: str
    reason: str | None
    priority: float | None
    as_of: date
    status: str
    rule: str | None
    created_at: datetime


def contacts(session: Session, customer_ids: set[int]) -> dict[tuple[int, str], str]:
    """The first e-mail and phone of each customer."""
    found: dict[tuple[int, str], str] = {}
    ids = sorted(customer_ids)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(CustomerIdentity.customer_id, CustomerIdentity.kind, CustomerIdentity.value)
            .where(
                CustomerIdentity.customer_id.in_(ids[start : start + _CHUNK]),
                CustomerIdentity.kind.in_([IdentityKind.EMAIL.value, IdentityKind.PHONE.value]),
            )
            .order_by(CustomerIdentity.id)
        )
        for cid, kind, value in rows:
            found.setdefault((cid, kind), value)
    return found


def person(
    name: str | None, cid: int, found: dict[tuple[int, str], str], show_pii: bool
) -> tuple[str | None, str | None, str | None]:
    """Name, e-mail and phone of a customer, masked unless PII may be shown."""
    email = found.get((cid, IdentityKind.EMAIL.value))
    phone = found.get((cid, IdentityKind.PHONE.value))
    if show_pii:
        return name, email, phone
    return (
        mask_name(name),
        mask_email(email) if email else None,
        mask_phone(phone) if phone else None,
    )


def list_actions(
    *, session: Session, status: str | None = None, limit: int = 100, show_pii: bool = False
) -> tuple[int, list[ActionRow]]:
    """Actions by priority (highest first), optionally of one status; returns (total, rows)."""
    if not 1 <= limit <= 1000:
        raise InputError("limit: must be between 1 and 1000")
    conditions = [] if status is None else [RetentionAction.status == parse_status(status).value]
    total = session.scalar(select(func.count()).select_from(RetentionAction).where(*conditions))
    stmt = (
        select(RetentionAction, Customer.customer_code, Customer.name)
        .join(Customer, Customer.id == RetentionAction.customer_id)
        .where(*conditions)
        .order_by(RetentionAction.priority.desc(), RetentionAction.id)
        .limit(limit)
    )
    results = session.execute(stmt).all()
    found = contacts(session, {r[0].customer_id for r in results})
    rows = []
    for action, code, name in results:
        shown, email, phone = person(name, action.customer_id, found, show_pii)
        rows.append(ActionRow(
            id=action.id, customer_code=code, customer_name=shown, email=email, phone=phone,
            action=action.action, reason=action.reason, priority=action.priority,
            as_of=action.as_of, status=action.status, rule=action.rule,
            created_at=action.created_at,
        ))  # fmt: skip
    return int(total or 0), rows


def update_status(*, session: Session, action_id: int, status: str) -> tuple[RetentionAction, str]:
    """Move an action to `status` if the workflow allows; returns (action, previous status)."""
    action = session.get(RetentionAction, action_id, with_for_update=True)
    if action is None:
        raise NotFoundError(f"retention action {action_id} not found / 未找到该挽留行动")
    previous = action.status
    action.status = transition(previous, status).value
    session.flush()
    return action, previous
