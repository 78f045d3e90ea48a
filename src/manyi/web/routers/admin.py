"""User administration (admins only): pages and API to create, deactivate and issue tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from manyi.audit import service as audit
from manyi.staff import service as staff_service
from manyi.staff.models import Role, StaffUser
from manyi.staff.schemas import TokenCreate, TokenCreated, TokenRead, UserCreate, UserRead
from manyi.web.deps import AdminUser, CsrfChecked, DbSession, client_address, get_current_user
from manyi.web.templating import render

pages = APIRouter(dependencies=[Depends(get_current_user)], include_in_schema=False)
api = APIRouter(prefix="/api", dependencies=[Depends(get_current_user)], tags=["staff"])
router = APIRouter()

ROLES = tuple(r.value for r in Role)


def _create(session: Session, admin: StaffUser, body: UserCreate, address: str) -> StaffUser:
    """Create a user and audit it."""
    user = staff_service.create_user(
        session=session,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
    )
    audit.record(
        session=session,
        actor=admin,
        action="user_created",
        object_type="staff_user",
        object_id=user.id,
        detail={"username": user.username, "role": user.role},
        address=address,
    )
    return user


def _issue_token(
    session: Session, admin: StaffUser, user: StaffUser, name: str, address: str
) -> staff_service.NewToken:
    """Create an API token for a user and audit it."""
    new = staff_service.create_token(session=session, user=user, name=name)
    audit.record(
        session=session,
        actor=admin,
        action="token_created",
        object_type="api_token",
        object_id=new.row.id,
        detail={"user": user.username, "name": new.row.name, "prefix": new.row.prefix},
        address=address,
    )
    return new


def _set_active(
    session: Session, admin: StaffUser, user: StaffUser, active: bool, addr: str
) -> None:
    """Activate or deactivate a user and audit it."""
    staff_service.set_active(session=session, user=user, active=active)
    action = "user_activated" if active else "user_deactivated"
    audit.record(
        session=session,
        actor=admin,
        action=action,
        object_type="staff_user",
        object_id=user.id,
        address=addr,
    )


def _revoke(session: Session, admin: StaffUser, token_id: int, address: str) -> int:
    """Revoke a token and audit it; returns the owner's id."""
    row = staff_service.get_token(session=session, token_id=token_id)
    staff_service.revoke_token(session=session, row=row)
    audit.record(
        session=session,
        actor=admin,
        action="token_revoked",
        object_type="api_token",
        object_id=row.id,
        address=address,
    )
    return row.user_id


# --- pages ---------------------------------------------------------------------------------------


@pages.get("/users")
def users_page(request: Request, session: DbSession, admin: AdminUser) -> Response:
    """All staff users and a form to add one."""
    users = staff_service.list_users(session=session)
    return render(request, "users.html", {"users": users, "roles": ROLES})


@pages.post("/users", dependencies=[CsrfChecked])
def users_create(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[Role, Form()],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create a user from the form."""
    body = UserCreate(
        username=username, password=password, role=role, display_name=display_name or None
    )
    user = _create(session, admin, body, client_address(request))
    return RedirectResponse(f"/users/{user.id}", status_code=303)


def _user_page(
    request: Request, session: Session, user: StaffUser, new_token: str | None = None
) -> Response:
    """The page of one user with their tokens."""
    tokens = staff_service.list_tokens(session=session, user=user)
    context = {"shown": user, "tokens": tokens, "new_token": new_token}
    return render(request, "user.html", context)


@pages.get("/users/{user_id}")
def user_page(request: Request, session: DbSession, admin: AdminUser, user_id: int) -> Response:
    """One user: status and API tokens."""
    return _user_page(request, session, staff_service.get_user(session=session, user_id=user_id))


@pages.post("/users/{user_id}/active", dependencies=[CsrfChecked])
def user_set_active(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    user_id: int,
    active: Annotated[bool, Form()],
) -> Response:
    """Activate or deactivate a user."""
    user = staff_service.get_user(session=session, user_id=user_id)
    _set_active(session, admin, user, active, client_address(request))
    return RedirectResponse(f"/users/{user.id}", status_code=303)


@pages.post("/users/{user_id}/tokens", dependencies=[CsrfChecked])
def user_new_token(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    user_id: int,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Create a token and show it once."""
    user = staff_service.get_user(session=session, user_id=user_id)
    new = _issue_token(session, admin, user, name, client_address(request))
    return _user_page(request, session, user, new_token=new.token)


@pages.post("/tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def token_revoke(request: Request, session: DbSession, admin: AdminUser, token_id: int) -> Response:
    """Revoke a token."""
    owner = _revoke(session, admin, token_id, client_address(request))
    return RedirectResponse(f"/users/{owner}", status_code=303)


# --- API -----------------------------------------------------------------------------------------


@api.get("/users")
def api_users(session: DbSession, admin: AdminUser) -> list[UserRead]:
    """All staff users."""
    return [UserRead.model_validate(u) for u in staff_service.list_users(session=session)]


@api.post("/users", status_code=201, dependencies=[CsrfChecked])
def api_create_user(
    request: Request, session: DbSession, admin: AdminUser, body: UserCreate
) -> UserRead:
    """Create a user; unknown fields such as `is_admin` are refused with 422."""
    return UserRead.model_validate(_create(session, admin, body, client_address(request)))


@api.post("/users/{user_id}/deactivate", dependencies=[CsrfChecked])
def api_deactivate(
    request: Request, session: DbSession, admin: AdminUser, user_id: int
) -> UserRead:
    """Deactivate a user: their sessions and tokens stop working."""
    user = staff_service.get_user(session=session, user_id=user_id)
    _set_active(session, admin, user, False, client_address(request))
    return UserRead.model_validate(user)


@api.get("/users/{user_id}/tokens")
def api_tokens(session: DbSession, admin: AdminUser, user_id: int) -> list[TokenRead]:
    """A user's API tokens (prefixes only)."""
    user = staff_service.get_user(session=session, user_id=user_id)
    return [
        TokenRead.model_validate(t) for t in staff_service.list_tokens(session=session, user=user)
    ]


@api.post("/users/{user_id}/tokens", status_code=201, dependencies=[CsrfChecked])
def api_create_token(
    request: Request, session: DbSession, admin: AdminUser, user_id: int, body: TokenCreate
) -> TokenCreated:
    """Create an API token; the response is the only time the full token is shown."""
    user = staff_service.get_user(session=session, user_id=user_id)
    new = _issue_token(session, admin, user, body.name, client_address(request))
    return TokenCreated(**TokenRead.model_validate(new.row).model_dump(), token=new.token)


@api.delete("/tokens/{token_id}", status_code=204, dependencies=[CsrfChecked])
def api_revoke_token(
    request: Request, session: DbSession, admin: AdminUser, token_id: int
) -> Response:
    """Revoke an API token."""
    _revoke(session, admin, token_id, client_address(request))
    return Response(status_code=204)


router.include_router(pages)
router.include_router(api)
