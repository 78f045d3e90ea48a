"""JSON API for the signed-in user: who am I, overview figures, feedback, and the API docs."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel

from manyi.audit import service as audit
from manyi.errors import NotFoundError
from manyi.staff import service as staff_service
from manyi.staff.schemas import UserRead, UserUpdateSelf
from manyi.staff.security import Permission, can
from manyi.web import overview
from manyi.web.deps import CsrfChecked, CurrentUser, DbSession, client_address, get_current_user
from manyi.web.feedback_list import list_feedback
from manyi.web.templating import render

router = APIRouter(prefix="/api", dependencies=[Depends(get_current_user)])
SWAGGER_DIR = resources.files("fastapi_offline").joinpath("static")
SWAGGER_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}


class AspectOut(BaseModel):
    """One aspect a feedback item talks about and the polarity of what it says about it."""

    aspect: str
    polarity: str


class FeedbackOut(BaseModel):
    """One feedback item with its stored text analysis (name, contacts, text masked without PII)."""

    id: int
    received_at: str
    channel: str
    rating: float | None
    text: str
    customer_code: str | None
    customer_name: str | None
    email: str | None
    phone: str | None
    language: str | None
    sentiment: str | None
    sentiment_score: float | None
    types: list[str]
    aspects: list[AspectOut]


class FeedbackPageOut(BaseModel):
    """A page of feedback."""

    page: int
    total: int
    masked: bool
    items: list[FeedbackOut]


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for the API (signed-in staff only), served from this server: works offline
    and under the same CSP as every other page."""
    return render(request, "api_docs.html")


@router.get("/docs/{name}", include_in_schema=False)
def swagger_asset(name: str) -> FileResponse:
    """The two Swagger UI files the docs page loads, from the ``fastapi-offline`` package (which
    ships Swagger UI 5; FastAPI's own docs page takes them from a CDN)."""
    if name not in SWAGGER_FILES:
        raise NotFoundError("no such file")
    return FileResponse(
        str(SWAGGER_DIR.joinpath(name)),
        media_type=SWAGGER_FILES[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/openapi.json", include_in_schema=False)
def openapi_schema(request: Request) -> JSONResponse:
    """The OpenAPI schema of this server."""
    return JSONResponse(request.app.openapi())


@router.get("/me", tags=["staff"])
def me(user: CurrentUser) -> UserRead:
    """The signed-in user."""
    return UserRead.model_validate(user)


@router.patch("/me", tags=["staff"], dependencies=[CsrfChecked])
def update_me(body: UserUpdateSelf, session: DbSession, user: CurrentUser) -> UserRead:
    """Change one's own display name or language; `role` and other fields are refused (422)."""
    if body.display_name is not None:
        user.display_name = body.display_name
    if body.language is not None:
        staff_service.set_language(session=session, user=user, language=body.language)
    session.flush()
    return UserRead.model_validate(user)


@router.get("/stats/overview", tags=["stats"])
def stats_overview(session: DbSession) -> dict[str, Any]:
    """Counts of customers, orders and feedback, and feedback by month and channel."""
    return overview.overview(session=session)


@router.get("/feedback", tags=["feedback"])
def feedback(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    channel: Annotated[str | None, Query(max_length=30)] = None,
    sentiment: Annotated[str | None, Query(max_length=10)] = None,
    aspect: Annotated[str | None, Query(max_length=60)] = None,
) -> FeedbackPageOut:
    """Latest feedback with its analysis, 50 per page; reads of unmasked PII are audited.

    Filters: `channel`, `sentiment` (negative, neutral, positive), `aspect` (`packaging` or
    `packaging:negative`). Agents and viewers get the customer's name, contacts and `text`
    with personal data masked.
    """
    show_pii = can(user.role, Permission.VIEW_PII)
    result = list_feedback(
        session=session, page=page, channel=channel, show_pii=show_pii,
        sentiment=sentiment, aspect=aspect,
    )  # fmt: skip
    if show_pii and result.rows:
        audit.record(
            session=session,
            actor=user,
            action="personal_data_read",
            object_type="feedback_list",
            detail={"page": page, "channel": channel, "ids": [r.id for r in result.rows]},
            address=client_address(request),
        )
    items = [
        FeedbackOut(
            **{
                **r.__dict__,
                "received_at": r.received_at.isoformat(),
                "aspects": [AspectOut(aspect=a, polarity=p) for a, p in r.aspects],
            }
        )
        for r in result.rows
    ]
    return FeedbackPageOut(page=page, total=result.total, masked=result.masked, items=items)
