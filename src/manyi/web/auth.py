"""Login, logout, language switch and health routes: the only pages open without a login."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from manyi.audit import service as audit
from manyi.errors import AuthenticationError, RateLimitedError
from manyi.i18n import normalise_language
from manyi.staff import service as staff_service
from manyi.staff.security import MAX_PASSWORD_LENGTH, new_token
from manyi.web.deps import (
    LANG_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    CurrentUser,
    DbSession,
    client_address,
    request_language,
)
from manyi.web.templating import render

router = APIRouter()
LOGIN_CSRF_COOKIE = "manyi_login_csrf"
PUBLIC_PATHS = frozenset({"/login", "/health", "/api/health"})
"""Paths answered without a login (plus /static); every other route requires one."""


def safe_next(target: str | None) -> str:
    """Only local paths may be redirected to after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@router.get("/health", include_in_schema=False)
@router.get("/api/health", tags=["system"])
def health() -> dict[str, str]:
    """Liveness probe for load balancers."""
    return {"status": "ok"}


def _login_form(request: Request, next: str, error: str | None, status_code: int = 200) -> Response:
    """The login page with a fresh (or the existing) login-CSRF token in cookie and form."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    context = {"next": safe_next(next), "error": error, "login_token": token}
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        path="/login",
    )
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/", lang: str | None = None) -> Response:
    """The login form; `?lang=en` switches the language (remembered in a cookie)."""
    request.state.lang = normalise_language(lang) if lang else request_language(request)
    response = _login_form(request, next, None)
    if lang:
        response.set_cookie(LANG_COOKIE, request.state.lang, samesite="lax", max_age=31536000)
    return response


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the password, open a server-side session and set its HttpOnly cookie."""
    request.state.lang = request_language(request)
    address = client_address(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), login_token.encode()):
        return _login_form(request, next, "error.csrf", status_code=403)
    try:
        user = staff_service.authenticate(
            session=session, username=username, password=password, address=address
        )
    except RateLimitedError:
        audit.record(session=session, actor=username, action="login_rate_limited", address=address)
        return _login_form(request, next, "login.rate_limited", status_code=429)
    except AuthenticationError:
        audit.record(session=session, actor=username, action="login_failed", address=address)
        return _login_form(request, next, "login.failed", status_code=401)
    settings = request.app.state.settings
    opened = staff_service.open_session(session=session, user=user, hours=settings.session_hours)
    audit.record(session=session, actor=user, action="login", address=address)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
def logout(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """Revoke this browser session and clear the cookie."""
    row = request.state.staff_session
    if row is not None:
        staff_service.revoke_session(session=session, row=row)
    audit.record(session=session, actor=user, action="logout", address=client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language", include_in_schema=False, dependencies=[CsrfChecked])
def switch_language(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    lang: Annotated[str, Form(pattern="^(zh|en)$")],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Store the chosen interface language on the user and in a cookie."""
    staff_service.set_language(session=session, user=user, language=lang)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=31536000)
    return response
