"""Satisfaction metrics: the JSON API under /api/metrics and the staff page /metrics.

Attribute names (``by``) are checked against the service's allow-list; values travel as bound
parameters. Every route needs a login with the dashboard permission.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from manyi.feedback.models import FeedbackChannel
from manyi.i18n import t
from manyi.satisfaction import service as satisfaction
from manyi.satisfaction.attributes import ATTRIBUTES, allowed_names, check_attribute
from manyi.satisfaction.frames import RatingFilter
from manyi.staff.security import Permission
from manyi.web.deps import DbSession, get_current_user, require_permission
from manyi.web.templating import render

Metric = Literal["nps", "csat", "ces"]
Period = Literal["day", "week", "month", "quarter"]
PagePeriod = Literal["week", "month", "quarter"]
By = Annotated[
    str | None,
    Query(max_length=200, description="Attribute(s) to break down by, comma-separated"),
]
Since = Annotated[date | None, Query(description="Answers received on or after (UTC day)")]
Until = Annotated[date | None, Query(description="Answers received on or before (UTC day)")]
Channel = Annotated[FeedbackChannel | None, Query(description="Only this feedback channel")]
MinN = Annotated[int, Query(ge=1, le=10_000, description="Flag cells with fewer answers")]
Label = Annotated[str | None, Query(max_length=200, description="A group of `by`")]

_GUARD = [Depends(get_current_user), Depends(require_permission(Permission.VIEW_DASHBOARD))]
api = APIRouter(prefix="/api/metrics", tags=["metrics"], dependencies=_GUARD)
pages = APIRouter(dependencies=_GUARD, include_in_schema=False)

#: Attributes the staff page offers in its breakdown selector.
PAGE_ATTRIBUTES = (
    "region",
    "channel",
    "touchpoint",
    "store",
    "category",
    "order_channel",
    "city_tier",
    "gender",
    "age_band",
    "income_band",
    "sentiment",
)
PAGE_METRICS = ("nps", "csat")


def _filters(
    since: date | None, until: date | None, channel: FeedbackChannel | None
) -> RatingFilter:
    """The service's filter from the query parameters."""
    return RatingFilter(since=since, until=until, channel=channel.value if channel else None)


@api.get("/attributes")
def attributes() -> dict[str, Any]:
    """The attributes metrics can be broken down or compared by (the allow-list)."""
    return {"attributes": ATTRIBUTES, "names": allowed_names()}


@api.get("/{metric}")
def score(
    metric: Metric,
    session: DbSession,
    by: By = None,
    since: Since = None,
    until: Until = None,
    channel: Channel = None,
    min_n: MinN = 30,
) -> dict[str, Any]:
    """The metric overall and by `by`: `{"overall": {...}, "groups": [...]}` like the CLI JSON."""
    return satisfaction.summary(
        session=session, metric=metric, by=by, filters=_filters(since, until, channel), min_n=min_n
    )


@api.get("/{metric}/trend")
def trend(
    metric: Metric,
    session: DbSession,
    period: Period = "month",
    window: Annotated[int, Query(ge=1, le=24)] = 1,
    since: Since = None,
    until: Until = None,
    channel: Channel = None,
    min_n: MinN = 30,
) -> dict[str, Any]:
    """The metric per period with 3-sigma control limits and the periods out of control."""
    return satisfaction.trend(
        session=session,
        metric=metric,
        period=period,
        window=window,
        filters=_filters(since, until, channel),
        min_n=min_n,
    )


@api.get("/{metric}/compare")
def compare(
    metric: Metric,
    session: DbSession,
    by: By = None,
    a: Label = None,
    b: Label = None,
    period: Period = "month",
    as_of: Annotated[date | None, Query(description="A day in 'this' period")] = None,
    adjust: Literal["holm", "bh"] = "holm",
    since: Since = None,
    until: Until = None,
    channel: Channel = None,
    min_n: MinN = 30,
) -> dict[str, Any]:
    """Groups `a` vs `b` of `by`, every pair of `by` (adjusted), or this period vs the last."""
    if by is None:
        return satisfaction.compare_periods(
            session=session,
            metric=metric,
            period=period,
            as_of=as_of,
            channel=channel.value if channel else None,
            min_n=min_n,
        )
    return satisfaction.compare(
        session=session,
        metric=metric,
        by=by,
        a=a,
        b=b,
        filters=_filters(since, until, channel),
        adjust=adjust,
        min_n=min_n,
    )


@pages.get("/metrics")
def metrics_page(
    request: Request,
    session: DbSession,
    by: Annotated[str, Query(max_length=40)] = "region",
    period: PagePeriod = "month",
    channel: Channel = None,
) -> Response:
    """NPS and CSAT: trend with control limits, breakdown with intervals, this vs last period."""
    check_attribute(by)  # a clear 422 for names off the allow-list
    sections = {
        metric: satisfaction.dashboard(
            session=session,
            metric=metric,
            by=by,
            period=period,
            channel=channel.value if channel else None,
        )
        for metric in PAGE_METRICS
    }
    lang = request.state.lang
    charts = {
        metric: {
            "points": section["trend"]["points"],
            "centre": section["trend"]["centre"],
            "labels": {
                "score": t(f"metrics.{metric}", lang),
                "centre": t("metrics.centre", lang),
                "lcl": t("metrics.lcl", lang),
                "ucl": t("metrics.ucl", lang),
                "flagged": t("metrics.flagged", lang),
            },
        }
        for metric, section in sections.items()
    }
    context = {
        "sections": sections,
        "charts": charts,
        "by": by,
        "by_label": t(f"metrics.attr.{by}", lang) if by in PAGE_ATTRIBUTES else by,
        "period": period,
        "channel": channel.value if channel else "",
        "attributes": PAGE_ATTRIBUTES,
        "channels": [c.value for c in FeedbackChannel],
    }
    return render(request, "metrics.html", context)


router = APIRouter()
router.include_router(api)
router.include_router(pages)
