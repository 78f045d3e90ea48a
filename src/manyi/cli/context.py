"""What every database-backed command needs: settings, a migrated engine, a session factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from manyi.config import Settings, load_settings
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade


@dataclass(frozen=True)
class Database:
    """An open database: its engine and a session factory bound to it."""

    engine: Engine
    sessions: sessionmaker[Session]


def open_database(settings: Settings | None = None, *, migrate: bool = True) -> Database:
    """Connect to the configured database, creating and migrating it on first use."""
    settings = settings or load_settings()
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return Database(engine=engine, sessions=make_session_factory(engine))
