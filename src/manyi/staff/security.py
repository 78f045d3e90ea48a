"""Password hashing, random tokens and the table of which role may do what."""

from __future__ import annotations

import enum
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from manyi.errors import InputError
from manyi.staff.models import Role

MAX_PASSWORD_LENGTH = 1024
MIN_PASSWORD_LENGTH = 8
API_TOKEN_PREFIX = "mny_"  # noqa: S105 - a public marker, not a secret

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("manyi-dummy-password-for-equal-timing")


class Permission(enum.StrEnum):
    """Actions a role may be allowed to take."""

    VIEW_DASHBOARD = "view_dashboard"
    VIEW_FEEDBACK = "view_feedback"
    VIEW_PII = "view_pii"
    IMPORT_DATA = "import_data"
    MANAGE_USERS = "manage_users"
    MANAGE_SEGMENTS = "manage_segments"
    RUN_SCORING = "run_scoring"
    HANDLE_ACTIONS = "handle_actions"


PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_DASHBOARD: frozenset(Role),
    Permission.VIEW_FEEDBACK: frozenset(Role),
    Permission.VIEW_PII: frozenset({Role.ADMIN, Role.ANALYST}),
    Permission.IMPORT_DATA: frozenset({Role.ADMIN, Role.ANALYST}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.MANAGE_SEGMENTS: frozenset({Role.ADMIN, Role.ANALYST}),
    Permission.RUN_SCORING: frozenset({Role.ADMIN, Role.ANALYST}),
    Permission.HANDLE_ACTIONS: frozenset({Role.ADMIN, Role.ANALYST, Role.AGENT}),
}
"""The single table of who may do what; agents and viewers see phones and e-mails masked."""


def can(role: str | Role, permission: Permission) -> bool:
    """Whether a role holds a permission (unknown roles hold none)."""
    try:
        return Role(role) in PERMISSIONS[permission]
    except ValueError:
        return False


def check_password_length(password: str) -> None:
    """Refuse over-long passwords before any hashing work is spent on them."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"password: longer than {MAX_PASSWORD_LENGTH} characters")


def check_new_password(password: str) -> None:
    """Validate a password being set: not too short, not too long."""
    check_password_length(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"password: shorter than {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """Argon2id hash of a password (length-checked first)."""
    check_new_password(password)
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, verify against a dummy so timing does not leak existence."""
    check_password_length(password)
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token for cookies and CSRF."""
    return secrets.token_urlsafe(nbytes)


def new_api_token() -> str:
    """A bearer token recognisable by its `mny_` prefix."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def sha256_hex(value: str) -> str:
    """The hex SHA-256 of a token: what the database stores instead of the token."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
