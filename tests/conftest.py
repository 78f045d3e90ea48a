"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data sets in ../shared/data; skip when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real data sets not found at {SHARED_DATA} (only present beside a dev/CI clone)"
        )
    return SHARED_DATA


# --- databases: every test that takes `engine` runs on SQLite and, when reachable, PostgreSQL ---

import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

import manyi.models  # noqa: E402
from manyi.store.engine import make_engine, make_session_factory  # noqa: E402
from manyi.store.migrate import upgrade  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get(
    "MANYI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database for this test session, dropped afterwards."""
    try:
        admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the server means "no PostgreSQL here"
        if os.environ.get("MANYI_REQUIRE_POSTGRES"):
            pytest.fail(
                f"MANYI_REQUIRE_POSTGRES is set but {POSTGRES_ADMIN_URL} is unreachable: {exc}"
            )
        pytest.skip(
            f"no PostgreSQL server reachable at {POSTGRES_ADMIN_URL} ({type(exc).__name__})"
        )
    name = f"manyi_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    """Empty every table of the shared PostgreSQL test database between tests."""
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in manyi.models.Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty, migrated database: a fresh SQLite file, or the truncated PostgreSQL one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'manyi-test.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    url = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the test database."""
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def scoring_histories() -> ModuleType:
    """The hand-made order histories of tests/scoring/histories.py, for tests in other folders
    (test folders are not packages)."""
    path = Path(__file__).resolve().parent / "scoring" / "histories.py"
    spec = importlib.util.spec_from_file_location("scoring_histories", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
