"""Audit log: records who did what, and the table refuses changes (append-only triggers)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from manyi.audit import service as audit
from manyi.audit.models import AuditEvent
from manyi.staff import service as staff_service
from manyi.store.engine import unit_of_work


def test_record_user_and_name(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        user = staff_service.create_user(
            session=session, username="boss", password="pass-word-1", role="admin"
        )
        audit.record(session=session, actor=user, action="login", address="10.0.0.1")
        audit.record(session=session, actor="intruder" * 20, action="login_failed", detail={"n": 1})
        audit.record(session=session, actor=None, action="system", object_id=42)
    with unit_of_work(session_factory) as session:
        events = audit.recent(session=session)
        assert [e.action for e in events] == ["system", "login_failed", "login"]
        assert events[2].actor_id is not None and events[2].actor_name == "boss"
        assert events[2].address == "10.0.0.1"
        assert len(events[1].actor_name) == 64 and events[1].detail == {"n": 1}
        assert events[0].actor_name == "-" and events[0].object_id == "42"
        assert [e.action for e in audit.recent(session=session, action="login")] == ["login"]


def test_audit_log_is_append_only(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        audit.record(session=session, actor="x", action="login")
    with pytest.raises(DBAPIError), unit_of_work(session_factory) as session:
        session.execute(update(AuditEvent).values(action="tampered"))
    with pytest.raises(DBAPIError), unit_of_work(session_factory) as session:
        session.execute(delete(AuditEvent))
