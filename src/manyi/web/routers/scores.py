"""Scores, the risk list and retention actions: JSON API and the /risks staff page.

Running the scoring needs ``run_scoring`` (admins, analysts); changing an action's status needs
``handle_actions`` (admins, analysts, agents). Names and contacts are masked for roles without
``view_pii``; unmasked reads are audit-logged.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from manyi.audit import service as audit
from manyi.i18n import t
from manyi.scoring import actions as action_service
from manyi.scoring import service as scoring_service
from manyi.scoring.schemas import (
    ActionPageRead,
    ActionRead,
    ActionStatusRead,
    ActionUpdate,
    CustomerScoresRead,
    RiskPageRead,
    RiskRead,
    ScorePointRead,
    ScoreRunCreate,
    ScoreRunRead,
)
from manyi.staff.models import StaffUser
from manyi.staff.security import Permission, can
from manyi.web.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    client_address,
    get_current_user,
    require_permission,
)
from manyi.web.templating import render

api = APIRouter(prefix="/api", dependencies=[Depends(get_current_user)], tags=["scores"])
pages = APIRouter(dependencies=[Depends(get_current_user)], include_in_schema=False)
router = APIRouter()

Scorer = Annotated[StaffUser, Depends(require_permission(Permission.RUN_SCORING))]
Handler = Annotated[StaffUser, Depends(require_permission(Permission.HANDLE_ACTIONS))]
Tier = Annotated[str | None, Query(pattern="^(vip|high|medium|low)$")]
Limit = Annotated[int, Query(ge=1, le=1000)]
PAGE_LIMIT = 100


def action_label(code: str, lang: str) -> str:
    """The action's name in `lang` (the code itself for actions of a custom rule table)."""
    key = f"action.{code}"
    text = t(key, lang)
    return code if text == key else text


def _lang(request: Request) -> str:
    """The request's language."""
    return str(getattr(request.state, "lang", "zh"))


def _run(request: Request, session: Session, user: StaffUser, body: ScoreRunCreate) -> ScoreRunRead:
    """Score in the request's transaction and audit the run."""
    result = scoring_service.score_customers(
        session=session, as_of=body.as_of, horizon_weeks=body.horizon_weeks
    )
    audit.record(
        session=session,
        actor=user,
        action="scores_run",
        object_type="customer_scores",
        object_id=result.as_of.isoformat(),
        detail={
            "customers": result.customers_scored,
            "actions_created": result.actions_created,
            "purchase_model": result.purchase_model,
        },
        address=client_address(request),
    )
    return ScoreRunRead(**result.__dict__)


def _audit_read(request: Request, session: Session, user: StaffUser, what: str,
                detail: dict[str, Any]) -> None:  # fmt: skip
    """Record a staff read of unmasked personal data."""
    audit.record(session=session, actor=user, action="personal_data_read", object_type=what,
                 detail=detail, address=client_address(request))  # fmt: skip


def _risks(request: Request, session: Session, user: StaffUser, limit: int, tier: str | None,
           as_of: date | None) -> RiskPageRead:  # fmt: skip
    """The risk list in the request's language, masked by role, unmasked reads audited."""
    show_pii = can(user.role, Permission.VIEW_PII)
    lang = _lang(request)
    page = scoring_service.risk_list(session=session, limit=limit, tier=tier, as_of=as_of,
                                     show_pii=show_pii, lang=lang)  # fmt: skip
    if show_pii and page.rows:
        codes = [r.customer_code for r in page.rows]
        _audit_read(request, session, user, "risk_list", {"tier": tier, "customers": codes})
    items = [RiskRead(**{**r.__dict__, "action_label": action_label(r.action, lang)})
             for r in page.rows]  # fmt: skip
    return RiskPageRead(as_of=page.as_of, total=page.total, masked=page.masked, items=items)


def _actions(request: Request, session: Session, user: StaffUser, status: str | None,
             limit: int) -> ActionPageRead:  # fmt: skip
    """Retention actions by priority, masked by role, unmasked reads audited."""
    show_pii = can(user.role, Permission.VIEW_PII)
    lang = _lang(request)
    total, rows = action_service.list_actions(session=session, status=status, limit=limit,
                                              show_pii=show_pii)  # fmt: skip
    if show_pii and rows:
        _audit_read(request, session, user, "retention_actions", {"ids": [r.id for r in rows]})
    items = [ActionRead(**{**r.__dict__, "action_label": action_label(r.action, lang)})
             for r in rows]  # fmt: skip
    return ActionPageRead(total=total, masked=not show_pii, items=items)


def _set_status(request: Request, session: Session, user: StaffUser, action_id: int,
                status: str) -> ActionStatusRead:  # fmt: skip
    """Move an action along its workflow and audit the change."""
    action, previous = action_service.update_status(
        session=session, action_id=action_id, status=status
    )
    audit.record(session=session, actor=user, action="retention_action_updated",
                 object_type="retention_action", object_id=action.id,
                 detail={"from": previous, "to": action.status, "customer_id": action.customer_id},
                 address=client_address(request))  # fmt: skip
    return ActionStatusRead(id=action.id, status=action.status, previous_status=previous)


# --- API --------------------------------------------------------------------------------------


@api.post("/scores/run", dependencies=[CsrfChecked])
def run_scores(
    request: Request, session: DbSession, user: Scorer, body: ScoreRunCreate | None = None
) -> ScoreRunRead:
    """Score every customer as of a date (default today) and refresh retention actions."""
    return _run(request, session, user, body or ScoreRunCreate())


@api.get("/scores/risks")
def risks(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = 50,
    tier: Tier = None,
    as_of: date | None = None,
) -> RiskPageRead:
    """Customers by value at risk (CLV x churn risk), with reasons and the recommended action."""
    return _risks(request, session, user, limit, tier, as_of)


@api.get("/scores/summary")
def summary(session: DbSession, as_of: date | None = None) -> dict[str, Any]:
    """Customers, CLV and value at risk per tier, and the churn-risk histogram (10 bins)."""
    return scoring_service.tier_summary(session=session, as_of=as_of)


@api.get("/customers/{code}/scores")
def customer_scores(
    request: Request, session: DbSession, code: Annotated[str, Path(max_length=64)]
) -> CustomerScoresRead:
    """A customer's scores over time (one point per as-of date), oldest first."""
    points = scoring_service.history(session=session, customer_code=code, lang=_lang(request))
    return CustomerScoresRead(
        customer_code=code, points=[ScorePointRead(**p.__dict__) for p in points]
    )


@api.get("/retention/actions")
def retention_actions(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    status: Annotated[str | None, Query(pattern="^(open|in_progress|done|dismissed)$")] = None,
    limit: Limit = 100,
) -> ActionPageRead:
    """Retention actions by priority (value at risk), optionally of one status."""
    return _actions(request, session, user, status, limit)


@api.post("/retention/actions/{action_id}", dependencies=[CsrfChecked])
def update_action(
    request: Request, session: DbSession, user: Handler, action_id: int, body: ActionUpdate
) -> ActionStatusRead:
    """Change an action's status: open -> in_progress -> done, or dismissed (409 otherwise)."""
    return _set_status(request, session, user, action_id, body.status)


def _next_statuses() -> dict[str, list[str]]:
    """Status -> the statuses an action may move to, for the page's buttons."""
    order = action_service.STATUSES
    return {s.value: sorted((n.value for n in nxt), key=order.index)
            for s, nxt in action_service.TRANSITIONS.items()}  # fmt: skip


# --- staff page -------------------------------------------------------------------------------


@pages.get("/risks")
def risks_page(
    request: Request, session: DbSession, user: CurrentUser, tier: Tier = None
) -> Response:
    """The risk list with tiers, reasons and actions, a chart, and the re-run button."""
    page = _risks(request, session, user, PAGE_LIMIT, tier, None)
    chart = scoring_service.tier_summary(session=session, as_of=page.as_of)
    tiers = {code: t(f"risks.tier.{code}", _lang(request)) for code in scoring_service.TIERS}
    context = {"page": page, "chart": chart, "tier": tier or "", "tiers": tiers,
               "next_statuses": _next_statuses()}  # fmt: skip
    return render(request, "risks.html", context)


@pages.post("/risks/run", dependencies=[CsrfChecked])
def risks_run(request: Request, session: DbSession, user: Scorer) -> Response:
    """Re-run the scoring from the page, then show the refreshed list."""
    _run(request, session, user, ScoreRunCreate())
    return RedirectResponse("/risks", status_code=303)


@pages.post("/risks/actions/{action_id}", dependencies=[CsrfChecked])
def risks_action(
    request: Request,
    session: DbSession,
    user: Handler,
    action_id: int,
    status: Annotated[str, Form(max_length=20)],
) -> Response:
    """Change an action's status from the page."""
    _set_status(request, session, user, action_id, status)
    return RedirectResponse("/risks", status_code=303)


router.include_router(pages)
router.include_router(api)
