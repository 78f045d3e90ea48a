"""Segment snapshots from the database: hand-checked figures, replacement, history, migration."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.customer.models import Customer
from manyi.errors import InputError, NotFoundError
from manyi.order.models import Order, OrderLine
from manyi.segment import service
from manyi.segment.models import SegmentMembership, SegmentSnapshot
from manyi.store.engine import unit_of_work

Seeded = tuple[sessionmaker[Session], dict[str, int]]
AS_OF = date(2024, 6, 30)  # the day of the hand-made table in conftest.py
EARLIER = date(2024, 3, 31)


def _members(session: Session, kind: str, day: date = AS_OF) -> dict[str, tuple[str, dict]]:
    """code -> (segment, values) of one stored snapshot."""
    info = service.get_snapshot(session=session, kind=kind, as_of=day)
    series = service.snapshot_members(session=session, snapshot_id=info.id)
    rows = session.execute(
        select(SegmentMembership.customer_id, SegmentMembership.values).where(
            SegmentMembership.snapshot_id == info.id
        )
    ).all()
    values = dict(rows)
    codes = dict(session.execute(select(Customer.customer_code, Customer.id)).all())
    return {code: (seg, values[codes[code]]) for code, seg in series.items()}


def test_snapshot_figures_match_the_hand_computed_table(seeded: Seeded) -> None:
    sessions, _ = seeded
    with unit_of_work(sessions) as session:
        infos = service.compute_snapshots(session=session, as_of=AS_OF)
    assert [i.kind for i in infos] == ["rfm", "tier", "lifecycle"]  # < 10 customers: no clusters
    with sessions() as session:
        rfm = _members(session, "rfm")
        # E has no orders, F is erased, G only bought after the as-of day
        assert set(rfm) == {"A", "B", "C", "D"}
        got = {
            c: [v[k] for k in ("recency_days", "frequency", "monetary")]
            for c, (_, v) in rfm.items()
        }
        assert got == {
            "A": [10, 3, 180.0],
            "B": [29, 1, 500.0],
            "C": [172, 1, 20.0],
            "D": [334, 2, 80.0],
        }
        # mid-rank percentiles of 4 customers are 1/8, 3/8, 5/8, 7/8 -> scores 1, 2, 4, 5
        scores = {c: (v["r"], v["f"], v["m"]) for c, (_, v) in rfm.items()}
        assert scores == {"A": (5, 5, 4), "B": (4, 2, 5), "C": (2, 2, 1), "D": (1, 4, 2)}
        tiers = {c: seg for c, (seg, _) in _members(session, "tier").items()}
        # B is at the 7/8 percentile (>= 0.80: high), A at 5/8 (>= 0.50: medium)
        assert tiers == {"A": "medium", "B": "high", "C": "low", "D": "low"}
        stages = {c: seg for c, (seg, _) in _members(session, "lifecycle").items()}
        assert stages["B"] == "new" and stages["D"] == "lapsed"
        summary = service.get_snapshot(session=session, kind="tier").summary
        assert summary["customers"] == 4
        assert sum(r["customers"] for r in summary["segments"]) == 4
        assert summary["cleaning"]["removed"] == {
            "after as-of date": 1,
            "cancelled or returned status": 1,
        }
        score = session.scalar(
            select(SegmentMembership.score).where(
                SegmentMembership.snapshot_id == infos[0].id,
                SegmentMembership.customer_id == seeded[1]["A"],
            )
        )
        assert score == 554.0


def test_repeating_a_snapshot_replaces_it(seeded: Seeded) -> None:
    sessions, _ = seeded
    for _ in range(3):
        with unit_of_work(sessions) as session:
            service.compute_snapshots(session=session, as_of=AS_OF, kinds=["rfm", "tier"])
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SegmentSnapshot)) == 2
        assert session.scalar(select(func.count()).select_from(SegmentMembership)) == 8
        assert [s.kind for s in service.list_snapshots(session=session)] == ["rfm", "tier"]


def test_a_failed_run_leaves_the_previous_snapshot(seeded: Seeded) -> None:
    sessions, _ = seeded
    with unit_of_work(sessions) as session:
        first = service.compute_snapshots(session=session, as_of=AS_OF, kinds=["rfm"])
    with pytest.raises(RuntimeError), unit_of_work(sessions) as session:
        service.compute_snapshots(session=session, as_of=AS_OF, kinds=["rfm"])
        raise RuntimeError("crash after storing, before commit")
    with sessions() as session:
        kept = service.list_snapshots(session=session)
        assert [s.id for s in kept] == [first[0].id]
        assert session.scalar(select(func.count()).select_from(SegmentMembership)) == 4


def test_history_and_transitions_between_two_days(seeded: Seeded) -> None:
    sessions, ids = seeded
    with unit_of_work(sessions) as session:
        service.compute_snapshots(session=session, as_of=EARLIER, kinds=["tier", "rfm"])
        service.compute_snapshots(session=session, as_of=AS_OF, kinds=["tier", "rfm"])
    with sessions() as session:
        # 2024-03-31: C 20 (1/6: low), A 30 (3/6: medium), D 80 (5/6: high); B not yet a buyer
        moves = service.transitions(session=session, kind="tier")
        assert (moves.before.as_of, moves.after.as_of) == (EARLIER, AS_OF)
        cells = {
            (r, c): moves.counts[i][j]
            for i, r in enumerate(moves.rows)
            for j, c in enumerate(moves.columns)
            if moves.counts[i][j]
        }
        assert cells == {
            ("high", "low"): 1,
            ("medium", "medium"): 1,
            ("low", "low"): 1,
            ("(none)", "high"): 1,
        }
        assert (moves.stayed, moves.moved) == (2, 1)
        assert {(x["source"], x["target"]): x["value"] for x in moves.links} == cells
        explicit = service.transitions(session=session, kind="tier", before=EARLIER, after=AS_OF)
        assert explicit.counts == moves.counts
        history = service.customer_memberships(session=session, customer_id=ids["D"])
        assert [(m.as_of, m.kind, m.segment) for m in history] == [
            (AS_OF, "rfm", history[0].segment),
            (AS_OF, "tier", "low"),
            (EARLIER, "rfm", history[2].segment),
            (EARLIER, "tier", "high"),
        ]
        assert history[1].label_en == "Low value" and history[1].label_zh == "低价值"


def test_transitions_need_two_snapshots_and_known_kinds(seeded: Seeded) -> None:
    sessions, _ = seeded
    with unit_of_work(sessions) as session:
        service.compute_snapshots(session=session, as_of=AS_OF, kinds=["rfm"])
    with sessions() as session:
        with pytest.raises(NotFoundError):
            service.transitions(session=session, kind="rfm")
        with pytest.raises(InputError):
            service.transitions(session=session, kind="'; DROP TABLE customers;--")
        with pytest.raises(InputError):
            service.transitions(session=session, kind="rfm", before=AS_OF, after=EARLIER)
        with pytest.raises(NotFoundError):
            service.get_snapshot(session=session, kind="tier")


def test_no_orders_stores_nothing(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        assert service.compute_snapshots(session=session, as_of=AS_OF) == []
        assert service.list_snapshots(session=session) == []


def test_clusters_are_stored_with_enough_customers(session_factory: sessionmaker[Session]) -> None:
    with unit_of_work(session_factory) as session:
        for i in range(30):
            customer = Customer(customer_code=f"K{i:02d}")
            session.add(customer)
            session.flush()
            for k in range(1 + i % 5):
                order = Order(
                    order_no=f"K{i}-{k}",
                    customer_id=customer.id,
                    ordered_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=3 * i + 20 * k),
                    total_amount=Decimal(10 + 37 * i),
                )
                session.add(order)
                session.flush()
                session.add(
                    OrderLine(
                        order_id=order.id,
                        line_no=1,
                        quantity=1,
                        unit_price=Decimal(10 + 37 * i),
                        amount=Decimal(10 + 37 * i),
                    )
                )
    with unit_of_work(session_factory) as session:
        infos = service.compute_snapshots(session=session, as_of=AS_OF, kinds=["cluster"])
        again = service.compute_snapshots(session=session, as_of=AS_OF, kinds=["cluster"])
    cluster = infos[0]
    assert cluster.kind == "cluster" and cluster.customers == 30
    assert cluster.summary["k"] >= 2 and len(cluster.summary["profiles"]) == cluster.summary["k"]
    assert again[0].summary["segments"] == cluster.summary["segments"]  # seeded: same labels


def test_concurrent_runs_for_the_same_day_leave_one_snapshot(seeded: Seeded) -> None:
    sessions, _ = seeded
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            with unit_of_work(sessions) as session:
                service.compute_snapshots(session=session, as_of=AS_OF, kinds=["rfm", "tier"])
        except BaseException as exc:  # SQLite may refuse the second writer; never a duplicate
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) <= 1
    if sessions.kw["bind"].dialect.name == "postgresql":
        assert errors == []  # the advisory lock makes the second run wait, then replace
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SegmentSnapshot)) == 2
        assert session.scalar(select(func.count()).select_from(SegmentMembership)) == 8
