"""The schema migrates on both databases and the audit log refuses changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from manyi.models import Base
from manyi.store.engine import make_engine
from manyi.store.migrate import current_revision, head_revision, is_current, upgrade


def test_migrated_schema_matches_models(engine: Engine) -> None:
    """Every table and column the ORM declares exists after `upgrade`."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    assert current_revision(engine) == head_revision()
    assert is_current(engine)


def test_upgrade_is_idempotent(engine: Engine) -> None:
    """Running the migration twice changes nothing and does not fail."""
    upgrade(engine)
    assert is_current(engine)


def test_audit_log_is_append_only(engine: Engine) -> None:
    """UPDATE and DELETE on audit_events are refused by the database itself."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (at, actor_name, action) "
                "VALUES (CURRENT_TIMESTAMP, 'tester', 'customer.read')"
            )
        )
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_events")).scalar_one() == "customer.read"


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    """The embedded database runs in WAL mode with foreign keys enforced."""
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()
