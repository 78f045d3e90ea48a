"""Find customers by code, name, e-mail or phone for the staff search box (paged, masked by role)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from manyi.analytics.text.pii import mask_email, mask_name, mask_phone
from manyi.customer.models import Customer, CustomerIdentity, IdentityKind
from manyi.customer.service import normalise_identity
from manyi.errors import InputError

PAGE_SIZE = 25
MAX_QUERY = 100


@dataclass(frozen=True)
class CustomerHit:
    """One search result (name and contacts masked unless PII may be shown)."""

    code: str
    name: str | None
    city: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class CustomerPage:
    """A page of results."""

    query: str
    page: int
    total: int
    masked: bool
    items: list[CustomerHit]

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.page * PAGE_SIZE < self.total


def _matching(query: str) -> Select[int]:
    """Ids of (not erased) customers whose code, name, e-mail or phone contains the query."""
    lowered = query.lower()
    phone = normalise_identity(IdentityKind.PHONE, query)
    identity = select(CustomerIdentity.customer_id).where(
        or_(
            CustomerIdentity.kind == IdentityKind.EMAIL.value,
            CustomerIdentity.kind == IdentityKind.PHONE.value,
            CustomerIdentity.kind == IdentityKind.EXTERNAL.value,
        ),
        or_(
            func.lower(CustomerIdentity.value).contains(lowered, autoescape=True),
            *(
                [CustomerIdentity.value.contains(phone, autoescape=True)]
                if len(phone) >= 4 and phone != query
                else []
            ),
        ),
    )
    return select(Customer.id).where(
        Customer.erased_at.is_(None),
        or_(
            func.lower(Customer.customer_code).contains(lowered, autoescape=True),
            func.lower(Customer.name).contains(lowered, autoescape=True),
            Customer.id.in_(identity),
        ),
    )


def _contacts(session: Session, ids: list[int]) -> dict[tuple[int, str], str]:
    """First e-mail and phone of each customer on the page."""
    found: dict[tuple[int, str], str] = {}
    if not ids:
        return found
    rows = session.execute(
        select(CustomerIdentity.customer_id, CustomerIdentity.kind, CustomerIdentity.value)
        .where(
            CustomerIdentity.customer_id.in_(ids),
            CustomerIdentity.kind.in_([IdentityKind.EMAIL.value, IdentityKind.PHONE.value]),
        )
        .order_by(CustomerIdentity.id)
    ).all()
    for cid, kind, value in rows:
        found.setdefault((cid, kind), value)
    return found


def search_customers(
    *, session: Session, query: str = "", page: int = 1, show_pii: bool = False
) -> CustomerPage:
    """Customers matching `query` (all when empty), by code, 25 a page."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY:
        raise InputError(f"q: longer than {MAX_QUERY} characters")
    if page < 1 or page > 100_000:
        raise InputError("page: must be between 1 and 100000")
    ids = _matching(query) if query else select(Customer.id).where(Customer.erased_at.is_(None))
    total = int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
    customers = list(
        session.scalars(
            select(Customer)
            .where(Customer.id.in_(ids))
            .order_by(Customer.customer_code)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    contacts = _contacts(session, [c.id for c in customers])
    items = []
    for c in customers:
        email = contacts.get((c.id, IdentityKind.EMAIL.value))
        phone = contacts.get((c.id, IdentityKind.PHONE.value))
        if not show_pii:
            email = mask_email(email) if email else None
            phone = mask_phone(phone) if phone else None
        name = c.name if show_pii else mask_name(c.name)
        items.append(
            CustomerHit(code=c.customer_code, name=name, city=c.city, email=email, phone=phone)
        )
    return CustomerPage(query=query, page=page, total=total, masked=not show_pii, items=items)
