"""The staff feedback list: latest items with their customer, PII masked by role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from manyi.analytics.text.pii import mask_email, mask_phone, mask_pii
from manyi.customer.models import Customer, CustomerIdentity, IdentityKind
from manyi.errors import InputError
from manyi.feedback.models import FeedbackAnalysis, FeedbackChannel, FeedbackItem

PAGE_SIZE = 50
CHANNELS = tuple(c.value for c in FeedbackChannel)


@dataclass(frozen=True)
class FeedbackRow:
    """One line of the list as shown to a staff member."""

    id: int
    received_at: datetime
    channel: str
    rating: float | None
    text: str
    customer_code: str | None
    customer_name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class FeedbackPage:
    """A page of feedback with what is needed to link to neighbouring pages."""

    rows: list[FeedbackRow]
    page: int
    total: int
    masked: bool

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.page * PAGE_SIZE < self.total


def check_channel(channel: str | None) -> str | None:
    """Allow-list the channel filter: empty means all, anything unknown is an InputError."""
    if not channel:
        return None
    if channel not in CHANNELS:
        raise InputError(f"channel: must be one of {', '.join(CHANNELS)}")
    return channel


def _contacts(session: Session, customer_ids: set[int]) -> dict[tuple[int, str], str]:
    """The first e-mail and phone of each customer on the page."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(CustomerIdentity.customer_id, CustomerIdentity.kind, CustomerIdentity.value)
        .where(
            CustomerIdentity.customer_id.in_(customer_ids),
            CustomerIdentity.kind.in_([IdentityKind.EMAIL.value, IdentityKind.PHONE.value]),
        )
        .order_by(CustomerIdentity.id)
    ).all()
    found: dict[tuple[int, str], str] = {}
    for cid, kind, value in rows:
        found.setdefault((cid, kind), value)
    return found


def list_feedback(
    *, session: Session, page: int = 1, channel: str | None = None, show_pii: bool = False
) -> FeedbackPage:
    """Latest feedback first; without `show_pii`, e-mails, phones and PII in text are masked."""
    if page < 1 or page > 100_000:
        raise InputError("page: must be between 1 and 100000")
    channel = check_channel(channel)
    count = select(func.count()).select_from(FeedbackItem)
    if channel is not None:
        count = count.where(FeedbackItem.channel == channel)
    total = int(session.scalar(count) or 0)
    query = (
        select(FeedbackItem, Customer.customer_code, Customer.name, FeedbackAnalysis.text_masked)
        .select_from(FeedbackItem)
        .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    if channel is not None:
        query = query.where(FeedbackItem.channel == channel)
    results = session.execute(query).all()
    contacts = _contacts(session, {r[0].customer_id for r in results if r[0].customer_id})
    rows = [
        _row(item, code, name, masked_text, contacts, show_pii)
        for item, code, name, masked_text in results
    ]
    return FeedbackPage(rows=rows, page=page, total=total, masked=not show_pii)


def _row(
    item: FeedbackItem,
    code: str | None,
    name: str | None,
    masked_text: str | None,
    contacts: dict[tuple[int, str], str],
    show_pii: bool,
) -> FeedbackRow:
    """Build one display row, masking contact details and text unless PII may be shown."""
    email = contacts.get((item.customer_id or 0, IdentityKind.EMAIL.value))
    phone = contacts.get((item.customer_id or 0, IdentityKind.PHONE.value))
    text = item.text or ""
    if not show_pii:
        email = mask_email(email) if email else None
        phone = mask_phone(phone) if phone else None
        text = masked_text if masked_text is not None else mask_pii(text)
    return FeedbackRow(
        id=item.id,
        received_at=item.received_at,
        channel=item.channel,
        rating=item.rating,
        text=text,
        customer_code=code,
        customer_name=name,
        email=email,
        phone=phone,
    )
