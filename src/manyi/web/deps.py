"""Request dependencies: the database unit of work, the current user, roles and CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text.aspects import AspectTaxonomy
from manyi.errors import AuthenticationError, PermissionDeniedError
from manyi.i18n import normalise_language
from manyi.staff import service as staff_service
from manyi.staff.models import Role, StaffUser
from manyi.staff.security import Permission, can

SESSION_COOKIE = "manyi_session"


@dataclass(frozen=True)
class Viewer:
    """Plain facts about the signed-in user, safe to use after the request's session closed."""

    id: int
    username: str
    display_name: str | None
    role: str


LANG_COOKIE = "manyi_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: commit when the handler succeeds, roll back when it raises."""
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db, scope="function")]


def client_address(request: Request) -> str:
    """The peer address (a proxy should be configured in uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def request_language(request: Request) -> str:
    """Language for this request: the user's choice, else the cookie, else the configured default."""
    user = getattr(request.state, "user", None)
    default = request.app.state.settings.language
    if user is not None and user.language:
        return normalise_language(user.language, default)
    return normalise_language(request.cookies.get(LANG_COOKIE), default)


def get_current_user(request: Request, session: DbSession) -> StaffUser:
    """The logged-in user from a Bearer API token or the session cookie; 401 otherwise."""
    request.state.lang = request_language(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = staff_service.token_user(session=session, token=header[7:].strip())
        request.state.auth_kind = "token"
        request.state.staff_session = None
        request.state.csrf_token = ""
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise AuthenticationError("not logged in / 未登录")
        user, row = staff_service.session_user(session=session, token=cookie)
        request.state.csrf_token = row.csrf_token
        request.state.auth_kind = "cookie"
        request.state.staff_session = row
    request.state.user = user
    request.state.viewer = Viewer(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role
    )
    request.state.lang = request_language(request)
    return user


CurrentUser = Annotated[StaffUser, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[StaffUser], StaffUser]:
    """A dependency admitting only users whose role is one of `roles` (403 otherwise)."""
    allowed = {Role(r).value for r in roles}

    def dependency(user: CurrentUser) -> StaffUser:
        if user.role not in allowed:
            raise PermissionDeniedError("your role may not do this / 您的角色无权执行此操作")
        return user

    return dependency


def require_permission(permission: Permission) -> Callable[[StaffUser], StaffUser]:
    """A dependency admitting users whose role holds `permission` in the permission table."""

    def dependency(user: CurrentUser) -> StaffUser:
        if not can(user.role, permission):
            raise PermissionDeniedError("your role may not do this / 您的角色无权执行此操作")
        return user

    return dependency


async def check_csrf(request: Request, user: CurrentUser) -> None:
    """For cookie sessions, the form field or X-CSRF-Token header must match the session's token."""
    if request.state.auth_kind == "token":
        return  # bearer tokens are not sent automatically by browsers
    expected: str = request.state.csrf_token
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDeniedError("missing or wrong CSRF token / 表单已过期，请刷新后重试")


CsrfChecked = Depends(check_csrf)
AdminUser = Annotated[StaffUser, Depends(require_permission(Permission.MANAGE_USERS))]
Importer = Annotated[StaffUser, Depends(require_permission(Permission.IMPORT_DATA))]


def configured_taxonomy(request: Request) -> AspectTaxonomy:
    """The business's aspect taxonomy, loaded and checked when the server started."""
    taxonomy: AspectTaxonomy = request.app.state.taxonomy
    return taxonomy
