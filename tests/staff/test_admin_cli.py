"""`manyi admin` commands through Typer's CliRunner against the real top-level app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from manyi.cli.main import app
from manyi.staff import service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment pointing the CLI at the test database."""
    return {"MANYI_DATABASE_URL": db_url, "MANYI_DATA_DIR": str(tmp_path)}


def test_create_list_token_set_password(env: dict[str, str], db_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app, ["admin", "create", "root", "--role", "admin"], input="s3cret-pass\n", env=env
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["admin", "list", "--json"], env=env)
    assert json.loads(listed.output)[0] == {
        "username": "root",
        "display_name": None,
        "role": "admin",
        "active": True,
        "last_login_at": None,
    }
    token = runner.invoke(app, ["admin", "token", "root", "--name", "ci"], env=env)
    assert token.exit_code == 0
    value = token.output.strip()
    assert value.startswith("mny_")
    changed = runner.invoke(
        app, ["admin", "set-password", "root", "--password", "n3w-password"], env=env
    )
    assert changed.exit_code == 0
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        assert service.token_user(session=session, token=value).username == "root"
        assert service.authenticate(
            session=session, username="root", password="n3w-password", address="t"
        )
    engine.dispose()


def test_errors_are_clear(env: dict[str, str]) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(app, ["admin", "create", "a", "--password", "longenough1"], env=env).exit_code
        == 0
    )
    dup = runner.invoke(app, ["admin", "create", "a", "--password", "longenough1"], env=env)
    assert dup.exit_code == 2 and "already exists" in dup.output
    short = runner.invoke(app, ["admin", "create", "b", "--password", "x"], env=env)
    assert short.exit_code == 2 and "password" in short.output
    bad_role = runner.invoke(
        app, ["admin", "create", "c", "--role", "root", "--password", "longenough1"], env=env
    )
    assert bad_role.exit_code != 0
    missing = runner.invoke(app, ["admin", "token", "nobody", "--name", "x"], env=env)
    assert missing.exit_code == 2 and "nobody" in missing.output
