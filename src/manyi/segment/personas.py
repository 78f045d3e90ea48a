"""Persona cards for the segments of a stored snapshot, from the database.

Demographics come from the customer records, spend, cadence and categories from the order lines
up to the snapshot's day, praise and complaints from the stored feedback analyses (aspect
polarities in ``feedback_analyses``), satisfaction from the latest 0-10 answers and churn risk
from the newest churn scores when the scoring module has stored some.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from manyi.analytics.segments.personas import PersonaCard, build_personas
from manyi.analytics.segments.rfm import compute_rfm
from manyi.customer.frames import customers_frame
from manyi.segment.frames import (
    churn_scores_frame,
    cleaned_order_lines,
    feedback_aspects_frame,
    feedback_signals_frame,
)
from manyi.segment.service import SnapshotInfo, get_snapshot, segment_label, snapshot_members


@dataclass(frozen=True)
class PersonaReport:
    """The snapshot the personas describe and one card per segment."""

    snapshot: SnapshotInfo
    cards: list[PersonaCard]
    feedback_aspects: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view; each card carries its segment's English and Chinese names."""
        cards = []
        for card in self.cards:
            data = card.to_dict()
            data["label_en"] = segment_label(self.snapshot, card.segment, "en")
            data["label_zh"] = segment_label(self.snapshot, card.segment, "zh")
            cards.append(data)
        return {
            "kind": self.snapshot.kind,
            "as_of": self.snapshot.as_of.isoformat(),
            "snapshot_id": self.snapshot.id,
            "feedback_aspects": self.feedback_aspects,
            "cards": cards,
        }


def segment_personas(
    *, session: Session, kind: str = "rfm", as_of: date | None = None
) -> PersonaReport:
    """Persona cards for each segment of the `kind` snapshot at `as_of` (default: the latest)."""
    snapshot = get_snapshot(session=session, kind=kind, as_of=as_of)
    day = snapshot.as_of
    members = snapshot_members(session=session, snapshot_id=snapshot.id)
    if members.empty:  # every member erased since the snapshot
        return PersonaReport(snapshot=snapshot, cards=[], feedback_aspects=0)
    order = [k for k in snapshot.summary.get("order", []) if k in set(members)]
    order += sorted(set(members) - set(order))
    segments = members.astype(pd.CategoricalDtype(order))
    customers = customers_frame(session=session)
    customers = customers[customers["customer_id"].isin(set(members.index))].reset_index(drop=True)
    signals = feedback_signals_frame(session=session, as_of=day).set_index("customer_id")
    customers["nps"] = customers["customer_id"].map(signals["nps"])
    scores = churn_scores_frame(session=session, as_of=day).set_index("customer_id")
    if len(scores):
        customers["churn_probability"] = customers["customer_id"].map(scores["churn_probability"])
    lines = cleaned_order_lines(session=session, as_of=day, codes=customers["customer_id"]).lines
    rfm = compute_rfm(lines, day) if len(lines) and lines["is_purchase"].any() else None
    feedback = feedback_aspects_frame(session=session, as_of=day)
    cards = build_personas(
        customers,
        segments,
        orders=lines if len(lines) else None,
        rfm=rfm,
        feedback=feedback if len(feedback) else None,
        as_of=day,
    )
    return PersonaReport(snapshot=snapshot, cards=cards, feedback_aspects=len(feedback))
