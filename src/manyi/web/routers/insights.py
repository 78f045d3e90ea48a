"""Feedback insights from the stored text analyses: the /insights page and /api/insights/*.

Every signed-in role may read them. Quotes are customer text: masked (``text_masked``) for roles
without ``VIEW_PII``; for the others the original is shown and the read is audit-logged.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from manyi.audit import service as audit
from manyi.feedback import insights
from manyi.staff.models import StaffUser
from manyi.staff.security import Permission, can
from manyi.web.deps import (
    CurrentUser,
    DbSession,
    client_address,
    configured_taxonomy,
    get_current_user,
)
from manyi.web.templating import render

router = APIRouter(dependencies=[Depends(get_current_user)])

Period = Annotated[str, Query(max_length=10, description="month, week or quarter")]
Baseline = Annotated[int, Query(ge=1, le=12, description="periods in the baseline")]
Fdr = Annotated[float, Query(gt=0, lt=1, description="false discovery rate")]


def _show_pii(request: Request, session: Session, user: StaffUser, view: str, quotes: int) -> bool:
    """Whether this user sees original quotes; audit the read when they do and quotes exist."""
    show = can(user.role, Permission.VIEW_PII)
    if show and quotes:
        audit.record(
            session=session,
            actor=user,
            action="personal_data_read",
            object_type="insights",
            detail={"view": view, "quotes": quotes},
            address=client_address(request),
        )
    return show


def _quote_count(items: list[dict[str, Any]]) -> int:
    """How many quotes a list of issues or topics carries."""
    return sum(len(item.get("quotes", [])) for item in items)


@router.get("/insights", include_in_schema=False)
def insights_page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    period: Period = "month",
    baseline: Baseline = 3,
) -> Response:
    """Aspect chart, emerging issues, topics and keywords (chart data in a JSON script tag)."""
    show = can(user.role, Permission.VIEW_PII)
    taxonomy = configured_taxonomy(request)
    state = insights.status(session=session, taxonomy=taxonomy)
    trend = insights.aspect_summary(session=session, period=period)
    issues = insights.emerging(session=session, period=period, baseline=baseline, show_pii=show)
    topics = insights.topics(session=session, show_pii=show)
    _show_pii(request, session, user, "page", _quote_count(issues) + _quote_count(topics.topics))
    labels = insights.aspect_labels(request.state.lang, taxonomy)
    context = {
        "state": state,
        "trend": trend,
        "issues": issues,
        "topics": topics,
        "keywords": {
            "month": insights.keywords(session=session, by="month"),
            "channel": insights.keywords(session=session, by="channel"),
        },
        "period": period,
        "periods": tuple(insights.PERIODS),
        "baseline": baseline,
        "fdr": 0.05,
        "aspect_labels": labels,
        "chart": {
            "periods": trend["periods"],
            "series": [
                {
                    "name": labels.get(a["aspect"], a["aspect"]),
                    "counts": a["counts"],
                    "negative_share": a["negative_share"],
                }
                for a in trend["aspects"]
            ],
        },
    }
    return render(request, "insights.html", context)


@router.get("/api/insights/aspects", tags=["insights"])
def api_aspects(request: Request, session: DbSession, period: Period = "month") -> dict[str, Any]:
    """Items mentioning each aspect, negative mentions and negative share per period."""
    return {
        **insights.aspect_summary(session=session, period=period),
        "status": insights.status(session=session, taxonomy=configured_taxonomy(request)),
    }


@router.get("/api/insights/emerging", tags=["insights"])
def api_emerging(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    period: Period = "month",
    baseline: Baseline = 3,
    fdr: Fdr = 0.05,
    all_tests: Annotated[bool, Query(alias="all", description="also unflagged tests")] = False,
) -> dict[str, Any]:
    """Aspects whose mentions, negative mentions or negative share rose against a baseline."""
    show = can(user.role, Permission.VIEW_PII)
    issues = insights.emerging(
        session=session, period=period, baseline=baseline, fdr=fdr, show_pii=show,
        flagged_only=not all_tests,
    )  # fmt: skip
    _show_pii(request, session, user, "emerging", _quote_count(issues))
    return {
        "period": period,
        "baseline": baseline,
        "fdr": fdr,
        "masked": not show,
        "issues": issues,
    }


@router.get("/api/insights/topics", tags=["insights"])
def api_topics(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=20, description="number of topics")] = 8,
    texts: Annotated[
        int, Query(ge=1, le=insights.MAX_TEXTS, description="latest texts to read")
    ] = insights.MAX_TEXTS,
) -> dict[str, Any]:
    """Topics of the latest texts (at most 20,000): label, terms, size, sentiment, 3 quotes."""
    show = can(user.role, Permission.VIEW_PII)
    result = insights.topics(session=session, n_topics=limit, max_texts=texts, show_pii=show)
    _show_pii(request, session, user, "topics", _quote_count(result.topics))
    return {
        "texts_used": result.texts_used,
        "max_texts": result.max_texts,
        "masked": not show,
        "topics": result.topics,
    }


@router.get("/api/insights/keywords", tags=["insights"])
def api_keywords(
    session: DbSession,
    by: Annotated[str, Query(max_length=10, description="month or channel")] = "month",
    top: Annotated[int, Query(ge=1, le=30)] = 8,
) -> dict[str, Any]:
    """Distinctive words per month (last 6) or per channel, from the latest texts."""
    return {"by": by, "groups": insights.keywords(session=session, by=by, top_n=top)}
