"""The staff feedback list: latest items with their customer and text analysis, PII masked by role.

Agents and viewers see the customer's name, e-mail and phone masked, and the text as the
analyzer masked it (``feedback_analyses.text_masked``, stored when the item was analysed);
items not analysed yet are masked on the fly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from manyi.analytics.text.pii import mask_email, mask_name, mask_phone, mask_pii
from manyi.customer.models import Customer, CustomerIdentity, IdentityKind
from manyi.errors import InputError
from manyi.feedback.models import FeedbackAnalysis, FeedbackChannel, FeedbackItem

PAGE_SIZE = 50
CHANNELS = tuple(c.value for c in FeedbackChannel)
SENTIMENTS = ("negative", "neutral", "positive")
_ASPECT_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


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
    language: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    types: list[str] = field(default_factory=list)
    aspects: list[tuple[str, str]] = field(default_factory=list)


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


def check_sentiment(sentiment: str | None) -> str | None:
    """Allow-list the sentiment filter: empty means all."""
    if not sentiment:
        return None
    if sentiment not in SENTIMENTS:
        raise InputError(f"sentiment: must be one of {', '.join(SENTIMENTS)}")
    return sentiment


def check_aspect(aspect: str | None) -> tuple[str, str | None] | None:
    """Parse the aspect filter `key` or `key:polarity` (lower-case key, known polarity)."""
    if not aspect:
        return None
    key, _, polarity = aspect.partition(":")
    if not _ASPECT_KEY.fullmatch(key) or (polarity and polarity not in SENTIMENTS):
        raise InputError("aspect: expected an aspect key such as packaging or packaging:negative")
    return key, polarity or None


def _filters(
    channel: str | None, sentiment: str | None, aspect: tuple[str, str | None] | None
) -> list[Any]:
    """WHERE clauses for the list; aspects match the stored JSON pairs as text, parameterised."""
    where: list[Any] = []
    if channel is not None:
        where.append(FeedbackItem.channel == channel)
    if sentiment is not None:
        where.append(FeedbackAnalysis.sentiment == sentiment)
    if aspect is not None:
        key, polarity = aspect
        pattern = f'["{key}", "{polarity}"]' if polarity else f'["{key}",'
        where.append(cast(FeedbackAnalysis.aspects, String).contains(pattern, autoescape=True))
    return where


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
    *,
    session: Session,
    page: int = 1,
    channel: str | None = None,
    show_pii: bool = False,
    sentiment: str | None = None,
    aspect: str | None = None,
) -> FeedbackPage:
    """Latest feedback first; without `show_pii`, names, contacts and PII in text are masked.

    `sentiment` (negative/neutral/positive) and `aspect` (``packaging`` or
    ``packaging:negative``) keep only analysed items that match.
    """
    if page < 1 or page > 100_000:
        raise InputError("page: must be between 1 and 100000")
    where = _filters(check_channel(channel), check_sentiment(sentiment), check_aspect(aspect))
    count = (
        select(func.count())
        .select_from(FeedbackItem)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(*where)
    )
    total = int(session.scalar(count) or 0)
    query = (
        select(FeedbackItem, Customer.customer_code, Customer.name, FeedbackAnalysis)
        .select_from(FeedbackItem)
        .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(*where)
        .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    results = session.execute(query).all()
    contacts = _contacts(session, {r[0].customer_id for r in results if r[0].customer_id})
    rows = [
        _row(item, code, name, analysis, contacts, show_pii)
        for item, code, name, analysis in results
    ]
    return FeedbackPage(rows=rows, page=page, total=total, masked=not show_pii)


def _row(
    item: FeedbackItem,
    code: str | None,
    name: str | None,
    analysis: FeedbackAnalysis | None,
    contacts: dict[tuple[int, str], str],
    show_pii: bool,
) -> FeedbackRow:
    """Build one display row, masking name, contact details and text unless PII may be shown."""
    email = contacts.get((item.customer_id or 0, IdentityKind.EMAIL.value))
    phone = contacts.get((item.customer_id or 0, IdentityKind.PHONE.value))
    text = item.text or ""
    if not show_pii:
        name = mask_name(name)
        email = mask_email(email) if email else None
        phone = mask_phone(phone) if phone else None
        stored = analysis.text_masked if analysis is not None else None
        text = stored if stored is not None else mask_pii(text)
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
        **_analysis_fields(analysis),
    )


def _analysis_fields(analysis: FeedbackAnalysis | None) -> dict[str, Any]:
    """Language, sentiment, types and aspect pairs of an analysis (empty when not analysed)."""
    if analysis is None:
        return {}
    return {
        "language": analysis.language,
        "sentiment": analysis.sentiment,
        "sentiment_score": analysis.sentiment_score,
        "types": [str(t) for t in analysis.types or []],
        "aspects": [(str(a), str(p)) for a, p in analysis.aspects or []],
    }
