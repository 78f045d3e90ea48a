"""Find customers by code, name, e-mail or phone for the staff search box (paged, masked by role).

Roles that see personal data masked find a customer by a fragment of the code only; a name,
e-mail, phone or external id matches for them only when given in full. Otherwise the search box
would be an oracle: typing "138" or "张" and reading which customers come back reveals whose
contacts and names contain it, the very data the masking hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
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


def _phone_forms(query: str) -> list[str]:
    """Stored forms a full phone number may have (with and without the +86 prefix)."""
    phone = normalise_identity(IdentityKind.PHONE, query)
    if len(phone.lstrip("+")) < 7:
        return []
    forms = {phone}
    bare = phone.removeprefix("+86")
    if bare.startswith("86") and len(bare) == 13:
        bare = bare[2:]
    if len(bare) == 11 and bare.startswith("1"):
        forms |= {bare, "+86" + bare, "86" + bare}
    return sorted(forms)


def _identity_match(query: str, *, exact: bool) -> Select[int]:
    """Ids of customers with an e-mail, phone or external id containing (or equal to) the query."""
    lowered = query.lower()
    kinds = (IdentityKind.EMAIL.value, IdentityKind.PHONE.value, IdentityKind.EXTERNAL.value)
    if exact:
        condition = or_(
            and_(
                CustomerIdentity.kind == IdentityKind.EMAIL.value, CustomerIdentity.value == lowered
            ),
            and_(
                CustomerIdentity.kind == IdentityKind.PHONE.value,
                CustomerIdentity.value.in_(_phone_forms(query)),
            ),
            and_(
                CustomerIdentity.kind == IdentityKind.EXTERNAL.value,
                CustomerIdentity.value == query,
            ),
        )
    else:
        phone = normalise_identity(IdentityKind.PHONE, query)
        condition = or_(
            func.lower(CustomerIdentity.value).contains(lowered, autoescape=True),
            *(
                [CustomerIdentity.value.contains(phone, autoescape=True)]
                if len(phone) >= 4 and phone != query
                else []
            ),
        )
    return select(CustomerIdentity.customer_id).where(CustomerIdentity.kind.in_(kinds), condition)


def _matching(query: str, *, exact_personal: bool) -> Select[int]:
    """Ids of (not erased) customers whose code contains the query, or whose name, e-mail,
    phone or external id contains it (equals it, when `exact_personal`)."""
    lowered = query.lower()
    name = func.lower(Customer.name)
    return select(Customer.id).where(
        Customer.erased_at.is_(None),
        or_(
            func.lower(Customer.customer_code).contains(lowered, autoescape=True),
            name == lowered if exact_personal else name.contains(lowered, autoescape=True),
            Customer.id.in_(_identity_match(query, exact=exact_personal)),
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
    """Customers matching `query` (all when empty), by code, 25 a page; without `show_pii`,
    personal fields match only in full (see the module docstring)."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY:
        raise InputError(f"q: longer than {MAX_QUERY} characters")
    if page < 1 or page > 100_000:
        raise InputError("page: must be between 1 and 100000")
    ids = (
        _matching(query, exact_personal=not show_pii)
        if query
        else select(Customer.id).where(Customer.erased_at.is_(None))
    )
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
