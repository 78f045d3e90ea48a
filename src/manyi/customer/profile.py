"""Customer 360: one view of a customer, with personal data masked unless the reader may see it.

The view gathers identities, demographics, consent in force, orders and spend, recent orders,
feedback with its stored analysis (sentiment, aspects), segment memberships now and before,
the newest score of each kind and open retention actions. Without ``show_pii`` the name,
e-mail, phone, external ids, birthday and any personal data inside feedback text are masked
(the text shown is the analysis's ``text_masked``, or the text masked on the fly).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from manyi.analytics.text.pii import mask_email, mask_name, mask_phone, mask_pii
from manyi.customer import service as customer_service
from manyi.customer.models import Customer, CustomerIdentity, IdentityKind
from manyi.errors import NotFoundError
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.order.models import Order, OrderLine, OrderStatus
from manyi.scoring.models import CustomerScore, RetentionAction
from manyi.segment import service as segment_service

RECENT_ORDERS = 10
RECENT_FEEDBACK = 20
OPEN_ACTION_STATUSES = ("open", "in_progress")


def mask_identity(kind: str, value: str) -> str:
    """Masked form of an identity value by kind."""
    if kind == IdentityKind.EMAIL:
        return mask_email(value)
    if kind == IdentityKind.PHONE:
        return mask_phone(value)
    return value[:2] + "*" * max(len(value) - 4, 2) + value[-2:] if len(value) > 4 else "****"


@dataclass(frozen=True)
class OrderSummary:
    """Counts and spend over all of a customer's orders."""

    orders: int
    completed: int
    cancelled: int
    returned: int
    spend: float
    average_order: float | None
    first_order_at: datetime | None
    last_order_at: datetime | None


@dataclass(frozen=True)
class OrderRow:
    """One recent order."""

    order_no: str
    ordered_at: datetime
    status: str
    channel: str | None
    store: str | None
    total_amount: float
    lines: int


@dataclass(frozen=True)
class FeedbackRow:
    """One feedback item with its stored analysis (None where not analysed yet)."""

    id: int
    received_at: datetime
    channel: str
    rating: float | None
    rating_scale: str | None
    text: str
    sentiment: str | None
    sentiment_score: float | None
    types: list[str]
    aspects: list[tuple[str, str]]


@dataclass(frozen=True)
class ScoreRow:
    """The newest score of one kind."""

    kind: str
    value: float
    as_of: date
    model_version: str
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class ActionRow:
    """An open retention action."""

    id: int
    action: str
    reason: str | None
    priority: float | None
    as_of: date
    status: str
    rule: str | None


@dataclass
class CustomerProfile:
    """Everything the 360 page and API show about one customer."""

    code: str
    masked: bool
    details: dict[str, Any]
    identities: list[dict[str, Any]]
    consent: dict[str, bool]
    orders: OrderSummary
    recent_orders: list[OrderRow]
    feedback_total: int
    sentiment_counts: dict[str, int]
    feedback: list[FeedbackRow]
    segments_now: list[segment_service.MembershipInfo]
    segments_before: list[segment_service.MembershipInfo]
    scores: list[ScoreRow]
    actions: list[ActionRow]
    customer_pk: int = field(repr=False, default=0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (dates as ISO strings)."""
        data = asdict(self)
        data.pop("customer_pk", None)
        return _iso(data)


def _iso(value: Any) -> Any:
    """Dates and datetimes inside nested data as ISO strings."""
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _customer(session: Session, code: str) -> Customer:
    """The (not erased) customer with this code; 404 otherwise."""
    found = session.scalars(select(Customer).where(Customer.customer_code == code)).first()
    if found is None or found.erased_at is not None:
        raise NotFoundError("customer not found / 客户不存在")
    return found


def _age(birthday: date | None, today: date) -> int | None:
    """Whole years of age today."""
    if birthday is None:
        return None
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def _details(customer: Customer, show_pii: bool, today: date) -> dict[str, Any]:
    """Demographics; name and birthday masked without `show_pii` (age stays)."""
    birthday: str | None = customer.birthday.isoformat() if customer.birthday else None
    if birthday and not show_pii:
        birthday = birthday[:4] + "-**-**"
    return {
        "name": customer.name if show_pii else mask_name(customer.name),
        "gender": customer.gender,
        "birthday": birthday,
        "age": _age(customer.birthday, today),
        "city": customer.city,
        "region": customer.region,
        "country": customer.country,
        "city_tier": customer.city_tier,
        "income_band": customer.income_band,
        "occupation": customer.occupation,
        "preferred_channel": customer.preferred_channel,
        "preferred_language": customer.preferred_language,
        "first_seen_at": customer.first_seen_at,
        "created_at": customer.created_at,
    }


def _identities(session: Session, customer_id: int, show_pii: bool) -> list[dict[str, Any]]:
    """E-mails, phones and external ids, masked without `show_pii`."""
    rows = session.scalars(
        select(CustomerIdentity)
        .where(CustomerIdentity.customer_id == customer_id)
        .order_by(CustomerIdentity.kind, CustomerIdentity.id)
    )
    return [
        {
            "kind": r.kind,
            "value": r.value if show_pii else mask_identity(r.kind, r.value),
            "source": r.source,
        }
        for r in rows
    ]


def _order_summary(session: Session, customer_id: int) -> OrderSummary:
    """Counts by status and net spend (completed and pending orders count as spend)."""
    rows = session.execute(
        select(
            Order.status,
            func.count(),
            func.sum(Order.total_amount),
            func.min(Order.ordered_at),
            func.max(Order.ordered_at),
        )
        .where(Order.customer_id == customer_id)
        .group_by(Order.status)
    ).all()
    by_status = {r[0]: (int(r[1]), float(r[2] or 0), r[3], r[4]) for r in rows}
    counted = [v for s, v in by_status.items() if s not in ("cancelled", "returned")]
    spend = sum(v[1] for v in counted)
    n_counted = sum(v[0] for v in counted)
    starts = [_utc(v[2]) for v in by_status.values() if v[2] is not None]
    ends = [_utc(v[3]) for v in by_status.values() if v[3] is not None]
    return OrderSummary(
        orders=sum(v[0] for v in by_status.values()),
        completed=by_status.get(OrderStatus.COMPLETED.value, (0,))[0],
        cancelled=by_status.get(OrderStatus.CANCELLED.value, (0,))[0],
        returned=by_status.get(OrderStatus.RETURNED.value, (0,))[0],
        spend=round(spend, 2),
        average_order=round(spend / n_counted, 2) if n_counted else None,
        first_order_at=min(starts) if starts else None,
        last_order_at=max(ends) if ends else None,
    )


def _utc(value: datetime) -> datetime:
    """A time from an aggregate as aware UTC, whatever form the driver returned it in."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _recent_orders(session: Session, customer_id: int) -> list[OrderRow]:
    """The latest orders with their line counts."""
    lines = (
        select(OrderLine.order_id, func.count().label("n")).group_by(OrderLine.order_id).subquery()
    )
    rows = session.execute(
        select(Order, lines.c.n)
        .outerjoin(lines, lines.c.order_id == Order.id)
        .where(Order.customer_id == customer_id)
        .order_by(Order.ordered_at.desc(), Order.id.desc())
        .limit(RECENT_ORDERS)
    ).all()
    return [
        OrderRow(
            order_no=o.order_no,
            ordered_at=o.ordered_at,
            status=o.status,
            channel=o.channel,
            store=o.store,
            total_amount=float(o.total_amount or 0),
            lines=int(n or 0),
        )
        for o, n in rows
    ]


def _feedback(session: Session, customer_id: int, show_pii: bool) -> list[FeedbackRow]:
    """Latest feedback with sentiment and aspects; text masked without `show_pii`."""
    rows = session.execute(
        select(FeedbackItem, FeedbackAnalysis)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.customer_id == customer_id)
        .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
        .limit(RECENT_FEEDBACK)
    ).all()
    out = []
    for item, analysis in rows:
        text = item.text or ""
        if not show_pii:
            stored = analysis.text_masked if analysis is not None else None
            text = stored if stored is not None else mask_pii(text)
        aspects = [
            (str(p[0]), str(p[1]))
            for p in ((analysis.aspects if analysis else None) or [])
            if isinstance(p, list | tuple) and len(p) == 2
        ]
        out.append(
            FeedbackRow(
                id=item.id,
                received_at=item.received_at,
                channel=item.channel,
                rating=item.rating,
                rating_scale=item.rating_scale,
                text=text,
                sentiment=analysis.sentiment if analysis else None,
                sentiment_score=analysis.sentiment_score if analysis else None,
                types=[str(t) for t in ((analysis.types if analysis else None) or [])],
                aspects=aspects,
            )
        )
    return out


def _sentiment_counts(session: Session, customer_id: int) -> tuple[int, dict[str, int]]:
    """All feedback of the customer and its count per stored sentiment ('unanalysed' if none)."""
    rows = session.execute(
        select(FeedbackAnalysis.sentiment, func.count())
        .select_from(FeedbackItem)
        .outerjoin(FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.customer_id == customer_id)
        .group_by(FeedbackAnalysis.sentiment)
    ).all()
    counts = {(s or "unanalysed"): int(n) for s, n in rows}
    return sum(counts.values()), counts


def _scores(session: Session, customer_id: int) -> list[ScoreRow]:
    """The newest score of each kind."""
    rows = session.scalars(
        select(CustomerScore)
        .where(CustomerScore.customer_id == customer_id)
        .order_by(CustomerScore.kind, CustomerScore.as_of.desc(), CustomerScore.id.desc())
    )
    latest: dict[str, ScoreRow] = {}
    for r in rows:
        if r.kind not in latest:
            latest[r.kind] = ScoreRow(r.kind, float(r.value), r.as_of, r.model_version, r.detail)
    return list(latest.values())


def _actions(session: Session, customer_id: int) -> list[ActionRow]:
    """Open retention actions, highest priority first."""
    rows = session.scalars(
        select(RetentionAction)
        .where(
            RetentionAction.customer_id == customer_id,
            RetentionAction.status.in_(OPEN_ACTION_STATUSES),
        )
        .order_by(RetentionAction.priority.desc(), RetentionAction.created_at.desc())
    )
    return [
        ActionRow(r.id, r.action, r.reason, r.priority, r.as_of, r.status, r.rule) for r in rows
    ]


def _split_memberships(
    memberships: list[segment_service.MembershipInfo],
) -> tuple[list[segment_service.MembershipInfo], list[segment_service.MembershipInfo]]:
    """The newest membership per kind, and every earlier one (newest first)."""
    now: dict[str, segment_service.MembershipInfo] = {}
    before = []
    for m in memberships:
        if m.kind in now:
            before.append(m)
        else:
            now[m.kind] = m
    ordered = [now[k] for k in segment_service.KINDS if k in now]
    return ordered, before


def get_profile(
    *, session: Session, code: str, show_pii: bool, today: date | None = None
) -> CustomerProfile:
    """The 360 view of the customer with this code (404 when absent or erased)."""
    customer = _customer(session, code)
    day = today or date.today()
    consent = customer_service.consent_state(session, [customer.id])
    total, sentiments = _sentiment_counts(session, customer.id)
    now, before = _split_memberships(
        segment_service.customer_memberships(session=session, customer_id=customer.id)
    )
    return CustomerProfile(
        code=customer.customer_code,
        masked=not show_pii,
        details=_details(customer, show_pii, day),
        identities=_identities(session, customer.id, show_pii),
        consent={purpose: granted for (_, purpose), granted in sorted(consent.items())},
        orders=_order_summary(session, customer.id),
        recent_orders=_recent_orders(session, customer.id),
        feedback_total=total,
        sentiment_counts=sentiments,
        feedback=_feedback(session, customer.id, show_pii),
        segments_now=now,
        segments_before=before,
        scores=_scores(session, customer.id),
        actions=_actions(session, customer.id),
        customer_pk=customer.id,
    )
