"""Customer search and the customer 360 view: staff pages and JSON API (PII masked by role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from manyi.audit import service as audit
from manyi.customer import profile as customer_profile
from manyi.customer.search import CustomerPage, search_customers
from manyi.staff.models import StaffUser
from manyi.staff.security import Permission, can
from manyi.web.deps import CurrentUser, DbSession, client_address, get_current_user
from manyi.web.templating import render

pages = APIRouter(dependencies=[Depends(get_current_user)], include_in_schema=False)
api = APIRouter(prefix="/api", dependencies=[Depends(get_current_user)], tags=["customers"])
router = APIRouter()

Search = Annotated[str, Query(max_length=100)]
Page = Annotated[int, Query(ge=1, le=100_000)]


class CustomerHitOut(BaseModel):
    """One search result."""

    code: str
    name: str | None
    city: str | None
    email: str | None
    phone: str | None


class CustomerPageOut(BaseModel):
    """A page of search results."""

    q: str
    page: int
    total: int
    masked: bool
    items: list[CustomerHitOut]


def _search(request: Request, session: Session, user: StaffUser, q: str, page: int) -> CustomerPage:
    """Search, auditing the read when names and contacts are shown unmasked."""
    show_pii = can(user.role, Permission.VIEW_PII)
    result = search_customers(session=session, query=q, page=page, show_pii=show_pii)
    if show_pii and result.items:
        audit.record(
            session=session,
            actor=user,
            action="personal_data_read",
            object_type="customer_search",
            detail={"page": page, "codes": [c.code for c in result.items]},
            address=client_address(request),
        )
    return result


def _profile(
    request: Request, session: Session, user: StaffUser, code: str
) -> customer_profile.CustomerProfile:
    """The 360 view, auditing the read when personal data is shown unmasked."""
    show_pii = can(user.role, Permission.VIEW_PII)
    profile = customer_profile.get_profile(session=session, code=code, show_pii=show_pii)
    if show_pii:
        audit.record(
            session=session,
            actor=user,
            action="personal_data_read",
            object_type="customer",
            object_id=profile.code,
            address=client_address(request),
        )
    return profile


@api.get("/customers")
def api_search(
    request: Request, session: DbSession, user: CurrentUser, q: Search = "", page: Page = 1
) -> CustomerPageOut:
    """Customers whose code, name, e-mail or phone contains `q`, 25 a page."""
    result = _search(request, session, user, q, page)
    items = [CustomerHitOut(**item.__dict__) for item in result.items]
    return CustomerPageOut(
        q=result.query, page=result.page, total=result.total, masked=result.masked, items=items
    )


@api.get("/customers/{code:path}")
def api_customer(
    request: Request, session: DbSession, user: CurrentUser, code: str
) -> dict[str, Any]:
    """The customer 360 view: details, contacts, consent, orders, feedback, segments, scores."""
    return _profile(request, session, user, code).to_dict()


@pages.get("/customers")
def customers_page(
    request: Request, session: DbSession, user: CurrentUser, q: Search = "", page: Page = 1
) -> Response:
    """The customer search page."""
    result = _search(request, session, user, q, page)
    return render(request, "customers.html", {"result": result})


@pages.get("/customers/{code:path}")
def customer_page(request: Request, session: DbSession, user: CurrentUser, code: str) -> Response:
    """The customer 360 page."""
    profile = _profile(request, session, user, code)
    return render(request, "customer.html", {"p": profile})


router.include_router(pages)
router.include_router(api)
