"""Staff service and security on SQLite and PostgreSQL: users, passwords, sessions, tokens, limits."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from manyi.errors import AuthenticationError, ConflictError, InputError, RateLimitedError
from manyi.staff import service
from manyi.staff.models import Role, StaffSession
from manyi.staff.security import (
    MAX_PASSWORD_LENGTH,
    PERMISSIONS,
    Permission,
    can,
    hash_password,
    sha256_hex,
    verify_password,
)
from manyi.store.base import utcnow
from manyi.store.engine import unit_of_work

PW = "long enough password"


def test_permission_table() -> None:
    assert can("admin", Permission.MANAGE_USERS)
    assert not any(can(r, Permission.MANAGE_USERS) for r in ("analyst", "agent", "viewer"))
    assert {r.value for r in PERMISSIONS[Permission.VIEW_PII]} == {"admin", "analyst"}
    assert {r.value for r in PERMISSIONS[Permission.IMPORT_DATA]} == {"admin", "analyst"}
    assert all(can(r, Permission.VIEW_DASHBOARD) for r in Role)
    assert not can("superuser", Permission.VIEW_DASHBOARD)
    assert set(PERMISSIONS) == set(Permission)


def test_hash_and_verify() -> None:
    hashed = hash_password(PW)
    assert hashed.startswith("$argon2id$") and PW not in hashed
    assert verify_password(hashed, PW)
    assert not verify_password(hashed, PW + "x")
    assert not verify_password(None, PW)
    assert not verify_password("not-a-hash", PW)


def test_overlong_password_refused_before_hashing() -> None:
    started = time.perf_counter()
    with pytest.raises(InputError, match="password"):
        verify_password(hash_password(PW), "x" * 50_000)
    with pytest.raises(InputError, match="password"):
        hash_password("x" * (MAX_PASSWORD_LENGTH + 1))
    with pytest.raises(InputError, match="password"):
        hash_password("short")
    assert time.perf_counter() - started >= 0  # no timing assertion; see the report


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=100))
def test_sha256_hex_is_stable_and_hex(token: str) -> None:
    digest = sha256_hex(token)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == sha256_hex(token)


def test_create_user_and_duplicates(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        user = service.create_user(session=session, username="alice", password=PW, role="analyst")
        assert user.id and user.role == "analyst" and user.is_active
    with unit_of_work(session_factory) as session, pytest.raises(ConflictError):
        service.create_user(session=session, username="alice", password=PW, role="viewer")
    with unit_of_work(session_factory) as session, pytest.raises(InputError, match="role"):
        service.create_user(session=session, username="bob", password=PW, role="root")


def test_authenticate_records_failures_and_rate_limits(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        service.create_user(session=session, username="alice", password=PW, role="agent")
    for _ in range(service.MAX_FAILURES_PER_USER):
        with unit_of_work(session_factory) as session:
            with pytest.raises(AuthenticationError) as err:
                service.authenticate(session=session, username="alice", password="bad", address="a")
            assert err.value.message == service.BAD_LOGIN
    with unit_of_work(session_factory) as session, pytest.raises(RateLimitedError):
        service.authenticate(session=session, username="alice", password=PW, address="b")
    # another name from the first address still works: per-address limit is higher
    with unit_of_work(session_factory) as session:
        service.create_user(session=session, username="bob", password=PW, role="agent")
        assert service.authenticate(session=session, username="bob", password=PW, address="a")


def test_unknown_user_same_error(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session, pytest.raises(AuthenticationError) as err:
        service.authenticate(session=session, username="ghost", password=PW, address="x")
    assert err.value.message == service.BAD_LOGIN


def test_sessions_expire_and_revoke(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        user = service.create_user(session=session, username="alice", password=PW, role="agent")
        opened = service.open_session(session=session, user=user, hours=1)
        token = opened.token
        assert opened.row.token_hash == sha256_hex(token)
    with unit_of_work(session_factory) as session:
        found, row = service.session_user(session=session, token=token)
        assert found.username == "alice"
        row.expires_at = utcnow() - timedelta(seconds=1)
    with unit_of_work(session_factory) as session, pytest.raises(AuthenticationError):
        service.session_user(session=session, token=token)
    with unit_of_work(session_factory) as session:
        user2 = service.find_user(session=session, username="alice")
        assert user2 is not None
        other = service.open_session(session=session, user=user2, hours=1)
        service.set_password(session=session, user=user2, password="another password")
        revoked = session.get(StaffSession, other.row.id)
        assert revoked is not None and revoked.revoked_at is not None


def test_api_tokens(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        user = service.create_user(session=session, username="alice", password=PW, role="viewer")
        new = service.create_token(session=session, user=user, name="ci")
        token, token_id = new.token, new.row.id
        assert token.startswith("mny_") and new.row.prefix == token[:12]
        assert new.row.token_hash == sha256_hex(token)
    with unit_of_work(session_factory) as session:
        assert service.token_user(session=session, token=token).username == "alice"
        with pytest.raises(AuthenticationError):
            service.token_user(session=session, token="mny_" + "x" * 43)
        with pytest.raises(AuthenticationError):
            service.token_user(session=session, token="not-a-token")
        service.revoke_token(
            session=session, row=service.get_token(session=session, token_id=token_id)
        )
    with unit_of_work(session_factory) as session, pytest.raises(AuthenticationError):
        service.token_user(session=session, token=token)


def test_old_failures_are_pruned(session_factory: sessionmaker[Session]) -> None:
    from manyi.staff.models import LoginAttempt

    with unit_of_work(session_factory) as session:
        old = utcnow() - service.LOGIN_WINDOW - timedelta(minutes=1)
        session.add_all(
            [LoginAttempt(username="a", address="x", attempted_at=old) for _ in range(3)]
        )
        session.add(LoginAttempt(username="a", address="x"))
    with unit_of_work(session_factory) as session:
        assert service.prune_login_attempts(session=session) == 3
    with unit_of_work(session_factory) as session:
        assert len(list(session.query(LoginAttempt))) == 1
