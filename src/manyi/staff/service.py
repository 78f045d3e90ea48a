"""Staff users, logins, browser sessions and API tokens; callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from manyi.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    RateLimitedError,
)
from manyi.staff.models import ApiToken, LoginAttempt, Role, StaffSession, StaffUser
from manyi.staff.security import (
    check_password_length,
    hash_password,
    new_api_token,
    new_token,
    sha256_hex,
    verify_password,
)
from manyi.store.base import utcnow

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 10
MAX_FAILURES_PER_ADDRESS = 30
BAD_LOGIN = "invalid user name or password / 用户名或密码错误"


@dataclass(frozen=True)
class NewSession:
    """A just-opened browser session: the cookie token (shown once) and its row."""

    token: str
    row: StaffSession


@dataclass(frozen=True)
class NewToken:
    """A just-created API token: the bearer value (shown once) and its row."""

    token: str
    row: ApiToken


# --- users ---------------------------------------------------------------------------------------


def get_user(*, session: Session, user_id: int) -> StaffUser:
    """A user by id, or NotFoundError."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


def find_user(*, session: Session, username: str) -> StaffUser | None:
    """A user by name (exact match), or None."""
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def list_users(*, session: Session) -> list[StaffUser]:
    """All users, by name."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    display_name: str | None = None,
    language: str | None = None,
) -> StaffUser:
    """Create a user with a hashed password; duplicate names are a ConflictError."""
    username = username.strip()
    if not username or len(username) > 64:
        raise InputError("username: must be 1 to 64 characters")
    try:
        role = Role(role)
    except ValueError:
        raise InputError(f"role: must be one of {', '.join(r.value for r in Role)}") from None
    if find_user(session=session, username=username) is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = StaffUser(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        display_name=display_name,
        language=language,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user: StaffUser, password: str) -> None:
    """Replace a user's password and end all their browser sessions."""
    user.password_hash = hash_password(password)
    revoke_user_sessions(session=session, user=user)
    session.flush()


def ensure_admin(*, session: Session, username: str, password: str) -> StaffUser:
    """Create `username` as an active admin, or give the existing user that role and password."""
    user = find_user(session=session, username=username)
    if user is None:
        return create_user(session=session, username=username, password=password, role=Role.ADMIN)
    user.role = Role.ADMIN.value
    user.is_active = True
    set_password(session=session, user=user, password=password)
    return user


def set_active(*, session: Session, user: StaffUser, active: bool) -> None:
    """Activate or deactivate a user; deactivation ends their sessions and tokens."""
    user.is_active = active
    if not active:
        revoke_user_sessions(session=session, user=user)
        for token in list_tokens(session=session, user=user):
            if token.revoked_at is None:
                token.revoked_at = utcnow()
    session.flush()


def set_language(*, session: Session, user: StaffUser, language: str) -> None:
    """Store a user's interface language (zh or en)."""
    if language not in ("zh", "en"):
        raise InputError("language: must be zh or en")
    user.language = language
    session.flush()


# --- login ---------------------------------------------------------------------------------------


def _recent_failures(session: Session, column: InstrumentedAttribute[str], value: str) -> int:
    """Failed logins in the rate-limit window for one user name or address."""
    since = utcnow() - LOGIN_WINDOW
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.attempted_at >= since)
    )
    return int(session.scalar(query) or 0)


def check_rate_limit(*, session: Session, username: str, address: str) -> None:
    """Refuse a login attempt when the name or the address failed too often recently."""
    if (
        _recent_failures(session, LoginAttempt.username, username[:64]) >= MAX_FAILURES_PER_USER
        or _recent_failures(session, LoginAttempt.address, address[:64]) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise RateLimitedError(
            "too many failed logins; try again later / 登录失败次数过多，请稍后再试"
        )


def authenticate(*, session: Session, username: str, password: str, address: str) -> StaffUser:
    """Check a login; unknown users and wrong passwords fail alike, failures are recorded."""
    check_password_length(password)
    check_rate_limit(session=session, username=username, address=address)
    user = find_user(session=session, username=username)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        session.add(LoginAttempt(username=username[:64], address=address[:64]))
        session.flush()
        raise AuthenticationError(BAD_LOGIN)
    user.last_login_at = utcnow()
    prune_login_attempts(session=session)
    session.flush()
    return user


def prune_login_attempts(*, session: Session) -> int:
    """Delete failed-login records older than the window; returns how many went."""
    result = session.execute(
        delete(LoginAttempt).where(LoginAttempt.attempted_at < utcnow() - LOGIN_WINDOW)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- browser sessions ----------------------------------------------------------------------------


def open_session(*, session: Session, user: StaffUser, hours: int) -> NewSession:
    """Start a browser session; only the SHA-256 of the cookie token is stored."""
    token = new_token()
    row = StaffSession(
        token_hash=sha256_hex(token),
        csrf_token=new_token(24),
        user_id=user.id,
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return NewSession(token=token, row=row)


def session_user(*, session: Session, token: str) -> tuple[StaffUser, StaffSession]:
    """The active user behind a session cookie, or AuthenticationError."""
    if not token or len(token) > 200:
        raise AuthenticationError("not logged in / 未登录")
    row = session.scalars(
        select(StaffSession).where(StaffSession.token_hash == sha256_hex(token))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise AuthenticationError("session expired; log in again / 会话已过期，请重新登录")
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("not logged in / 未登录")
    return user, row


def revoke_session(*, session: Session, row: StaffSession) -> None:
    """End one browser session (logout)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()


def revoke_user_sessions(*, session: Session, user: StaffUser) -> None:
    """End every open browser session of a user."""
    rows = session.scalars(
        select(StaffSession).where(
            StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None)
        )
    )
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    session.flush()


# --- API tokens ----------------------------------------------------------------------------------


def create_token(*, session: Session, user: StaffUser, name: str) -> NewToken:
    """Create an API token for a user; the full value is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("name: must be 1 to 100 characters")
    token = new_api_token()
    row = ApiToken(token_hash=sha256_hex(token), prefix=token[:12], name=name, user_id=user.id)
    session.add(row)
    session.flush()
    return NewToken(token=token, row=row)


def list_tokens(*, session: Session, user: StaffUser) -> list[ApiToken]:
    """A user's API tokens, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def get_token(*, session: Session, token_id: int) -> ApiToken:
    """An API token row by id, or NotFoundError."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"token {token_id} not found")
    return row


def revoke_token(*, session: Session, row: ApiToken) -> None:
    """Revoke an API token; it stops working at once."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()


def token_user(*, session: Session, token: str) -> StaffUser:
    """The active user behind a bearer token, or AuthenticationError."""
    if not token.startswith("mny_") or len(token) > 200:
        raise AuthenticationError("invalid API token / API 令牌无效")
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == sha256_hex(token))).first()
    if row is None or row.revoked_at is not None:
        raise AuthenticationError("invalid API token / API 令牌无效")
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("invalid API token / API 令牌无效")
    row.last_used_at = utcnow()
    return user
