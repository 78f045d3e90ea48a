"""Staff pages: home overview and the feedback list."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from manyi.audit import service as audit
from manyi.feedback.insights import aspect_labels
from manyi.i18n import t
from manyi.staff.security import Permission, can
from manyi.web import overview
from manyi.web.deps import (
    CurrentUser,
    DbSession,
    client_address,
    configured_taxonomy,
    get_current_user,
)
from manyi.web.feedback_list import CHANNELS, SENTIMENTS, list_feedback
from manyi.web.templating import render

router = APIRouter(dependencies=[Depends(get_current_user)], include_in_schema=False)


@router.get("/")
def home(request: Request, session: DbSession) -> Response:
    """Counts and the feedback-by-month chart (data in a JSON script tag read by home.js)."""
    data = overview.overview(session=session)
    labels = {c: t(f"channel.{c}", request.state.lang) for c in CHANNELS}
    return render(request, "home.html", {"data": data, "channel_labels": labels})


@router.get("/feedback")
def feedback_page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    channel: Annotated[str | None, Query(max_length=30)] = None,
    sentiment: Annotated[str | None, Query(max_length=10)] = None,
    aspect: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    """The latest feedback with its analysis, escaped, masked for agents and viewers."""
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
    filters = {"channel": channel or "", "sentiment": sentiment or "", "aspect": aspect or ""}
    context = {
        "result": result,
        **filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "channels": CHANNELS,
        "sentiments": SENTIMENTS,
        "aspect_labels": aspect_labels(request.state.lang, configured_taxonomy(request)),
    }
    return render(request, "feedback.html", context)
