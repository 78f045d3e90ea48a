"""Writing the append-only audit log of staff actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from manyi.audit.models import AuditEvent
from manyi.staff.models import StaffUser


def record(
    *,
    session: Session,
    actor: StaffUser | str | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
) -> AuditEvent:
    """Add one audit event; `actor` is a user, a bare name (e.g. a failed login's) or None."""
    if isinstance(actor, StaffUser):
        actor_id: int | None = actor.id
        actor_name = actor.username
    else:
        actor_id, actor_name = None, (actor or "-")
    event = AuditEvent(
        actor_id=actor_id,
        actor_name=actor_name[:64],
        action=action[:60],
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64],
        detail=detail,
        address=None if address is None else address[:64],
    )
    session.add(event)
    session.flush()
    return event


def recent(*, session: Session, limit: int = 100, action: str | None = None) -> list[AuditEvent]:
    """The latest audit events, newest first, optionally of one action."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))
