"""Segment snapshots over time: compute them from the database, store, list and compare them.

A snapshot is one run of one kind of segmentation as of a day:

- ``rfm``: the named RFM segment (champions, loyal, ... lost);
- ``tier``: the value tier (VIP, high, medium, low);
- ``lifecycle``: the lifecycle stage (new, active, mature, declining, lapsed);
- ``cluster``: the behavioural k-means cluster (0 = lowest mean spend).

Storing a snapshot for a kind and day that already has one replaces it (memberships included)
in the caller's transaction, so repeating a run never duplicates anything. Services never
commit: the CLI command or the web request is the unit of work.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from manyi.analytics.segments.clusters import BehaviourClusters, behaviour_features
from manyi.analytics.segments.lifecycle import STAGE_NAMES, STAGES, LifecycleThresholds
from manyi.analytics.segments.lifecycle import lifecycle_stages as stage_customers
from manyi.analytics.segments.migration import sankey_links, transition_matrix
from manyi.analytics.segments.orders import CleanedOrders
from manyi.analytics.segments.pipeline import segment_customers
from manyi.analytics.segments.rfm import RFMRules, load_rules
from manyi.analytics.segments.tiers import DEFAULT_CUTOFFS, TIER_NAMES, TIERS
from manyi.customer.frames import customers_frame
from manyi.customer.models import Customer
from manyi.errors import InputError, NotFoundError
from manyi.segment.frames import cleaned_order_lines
from manyi.segment.models import SegmentMembership, SegmentSnapshot

KINDS = ("rfm", "tier", "lifecycle", "cluster")
KIND_NAMES = {
    "en": {
        "rfm": "RFM segment",
        "tier": "Value tier",
        "lifecycle": "Lifecycle",
        "cluster": "Cluster",
    },
    "zh": {"rfm": "RFM 分群", "tier": "价值层级", "lifecycle": "生命周期", "cluster": "行为聚类"},
}
MIN_CLUSTER_CUSTOMERS = 10
_INSERT_CHUNK = 5000


@dataclass(frozen=True)
class SegmentOptions:
    """How to segment: RFM rules, tier cut-offs, lifecycle thresholds, clustering settings."""

    rules: RFMRules | None = None
    tier_cutoffs: tuple[float, ...] = DEFAULT_CUTOFFS
    lifecycle: LifecycleThresholds = field(default_factory=LifecycleThresholds)
    cluster_method: str = "kmeans"
    cluster_k: int | None = None
    seed: int = 0


@dataclass(frozen=True)
class ComputedKind:
    """One kind's memberships (``customer_id`` code, ``segment``, ``score``, ``values``)."""

    kind: str
    members: pd.DataFrame
    summary: dict[str, Any]
    params: dict[str, Any]


@dataclass(frozen=True)
class SnapshotInfo:
    """A stored snapshot as plain data."""

    id: int
    kind: str
    as_of: date
    created_at: datetime
    customers: int
    summary: dict[str, Any]
    params: dict[str, Any]


@dataclass(frozen=True)
class MembershipInfo:
    """A customer's segment in one snapshot."""

    kind: str
    as_of: date
    snapshot_id: int
    segment: str
    label_en: str
    label_zh: str
    score: float | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Transitions:
    """How customers moved between two snapshots of one kind."""

    kind: str
    before: SnapshotInfo
    after: SnapshotInfo
    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    shares: list[list[float]]
    links: list[dict[str, Any]]
    labels: dict[str, dict[str, str]]
    stayed: int
    moved: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "kind": self.kind,
            "from": {"id": self.before.id, "as_of": self.before.as_of.isoformat()},
            "to": {"id": self.after.id, "as_of": self.after.as_of.isoformat()},
            "rows": self.rows,
            "columns": self.columns,
            "counts": self.counts,
            "shares": self.shares,
            "links": self.links,
            "labels": self.labels,
            "stayed": self.stayed,
            "moved": self.moved,
        }


def check_kind(kind: str) -> str:
    """Allow-list a snapshot kind."""
    if kind not in KINDS:
        raise InputError(f"kind: must be one of {', '.join(KINDS)}")
    return kind


def _plain(value: Any) -> Any:
    """numpy scalars and NaN as JSON-safe Python values."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of selected columns as dicts of plain Python values."""
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame[list(columns)].itertuples(index=False, name=None)
    ]


def _segment_summary(
    members: pd.DataFrame, monetary: pd.Series, order: list[str], labels: dict[str, Any]
) -> dict[str, Any]:
    """Customers, share, spend and spend share per segment, in display order."""
    frame = pd.DataFrame(
        {"segment": members["segment"].to_numpy(), "monetary": monetary.clip(lower=0).to_numpy()}
    )
    grouped = frame.groupby("segment")["monetary"].agg(["size", "sum"])
    total_n, total_m = max(len(frame), 1), float(frame["monetary"].sum())
    rows = []
    for key in order:
        n = int(grouped["size"].get(key, 0))
        spend = float(grouped["sum"].get(key, 0.0))
        rows.append(
            {
                "segment": key,
                "customers": n,
                "share": round(n / total_n, 6),
                "monetary": round(spend, 2),
                "monetary_share": round(spend / total_m, 6) if total_m > 0 else 0.0,
            }
        )
    return {"customers": len(frame), "order": order, "labels": labels, "segments": rows}


def _rfm_kinds(
    lines: pd.DataFrame, as_of: date, options: SegmentOptions, kinds: set[str]
) -> list[ComputedKind]:
    """RFM segment, value tier and lifecycle memberships from one pipeline run."""
    rules = options.rules or load_rules()
    result = segment_customers(
        lines, as_of, rules=rules, tier_cutoffs=options.tier_cutoffs, with_lifecycle=False
    )
    table = result.customers.reset_index(drop=True)
    common = {"pareto_top20_share": round(result.pareto_top20_share, 6)}
    out: list[ComputedKind] = []
    if "rfm" in kinds:
        members = pd.DataFrame({"customer_id": table["customer_id"], "segment": table["segment"]})
        members["segment"] = members["segment"].astype(str)
        r, f, m = (table[c].astype("int64") for c in ("r", "f", "m"))
        members["score"] = (r * 100 + f * 10 + m).astype("float64")
        members["values"] = _records(
            table, ("recency_days", "frequency", "monetary", "r", "f", "m")
        )
        en, zh = rules.names("en"), rules.names("zh")
        labels = {k: {"en": str(en[k]), "zh": str(zh[k])} for k in rules.segments}
        summary = _segment_summary(members, table["monetary"], list(rules.segments), labels)
        params = {"rules": rules.table[["segment", "r_min", "r_max", "fm_min", "fm_max"]]}
        params["rules"] = _records(params["rules"], list(params["rules"].columns))
        out.append(ComputedKind("rfm", members, {**summary, **common}, params))
    if "tier" in kinds:
        members = pd.DataFrame(
            {"customer_id": table["customer_id"], "segment": table["tier"].astype(str)}
        )
        members["score"] = table["monetary"].astype("float64")
        members["values"] = _records(table, ("monetary",))
        labels = {k: {"en": TIER_NAMES["en"][k], "zh": TIER_NAMES["zh"][k]} for k in TIERS}
        summary = _segment_summary(members, table["monetary"], list(TIERS), labels)
        params = {"tier_cutoffs": [float(c) for c in options.tier_cutoffs]}
        out.append(ComputedKind("tier", members, {**summary, **common}, params))
    if "lifecycle" in kinds:
        out.append(_lifecycle_kind(lines, as_of, options, table))
    return out


def _lifecycle_kind(
    lines: pd.DataFrame, as_of: date, options: SegmentOptions, rfm: pd.DataFrame
) -> ComputedKind:
    """Lifecycle stage memberships of the customers RFM scored."""
    stages = stage_customers(lines, as_of, options.lifecycle)
    stages = stages[stages["customer_id"].isin(set(rfm["customer_id"]))].reset_index(drop=True)
    members = pd.DataFrame(
        {"customer_id": stages["customer_id"], "segment": stages["lifecycle"].astype(str)}
    )
    members["score"] = stages["silence_ratio"].astype("float64")
    members["values"] = _records(
        stages, ("tenure_days", "recency_days", "purchase_days", "usual_gap_days", "silence_ratio")
    )
    monetary = stages["customer_id"].map(rfm.set_index("customer_id")["monetary"]).fillna(0.0)
    labels = {k: {"en": STAGE_NAMES["en"][k], "zh": STAGE_NAMES["zh"][k]} for k in STAGES}
    summary = _segment_summary(members, monetary, list(STAGES), labels)
    params = {"lifecycle": dict(options.lifecycle.__dict__)}
    return ComputedKind("lifecycle", members, summary, params)


def _cluster_kind(lines: pd.DataFrame, as_of: date, options: SegmentOptions) -> ComputedKind | None:
    """Behavioural cluster memberships, or None with too few customers to cluster."""
    features = behaviour_features(lines, as_of)
    if len(features) < MIN_CLUSTER_CUSTOMERS:
        return None
    model = BehaviourClusters(
        method=options.cluster_method, n_clusters=options.cluster_k, random_state=options.seed
    )
    # One BLAS/OpenMP thread: a web worker or a busy machine is slowed, not sped up, by more.
    with threadpool_limits(limits=1):
        model.fit(features)
    table = features.reset_index()
    members = pd.DataFrame(
        {"customer_id": table["customer_id"], "segment": [str(int(x)) for x in model.labels_]}
    )
    members["score"] = None
    members["values"] = _records(table, list(features.columns))
    order = [str(k) for k in range(model.n_clusters_)]
    labels = {k: {"en": f"Cluster {k}", "zh": f"簇 {k}"} for k in order}
    summary = _segment_summary(members, table["monetary"], order, labels)
    profiles = model.profiles_.reset_index()
    summary["k"] = int(model.n_clusters_)
    summary["selection"] = {str(k): _plain(v) for k, v in model.selection_scores_.items()}
    summary["profiles"] = _records(profiles, list(profiles.columns))
    params = {"method": options.cluster_method, "k": options.cluster_k, "seed": options.seed}
    return ComputedKind("cluster", members, summary, params)


def compute_kinds(
    cleaned: CleanedOrders,
    as_of: date,
    kinds: Iterable[str] = KINDS,
    options: SegmentOptions | None = None,
) -> list[ComputedKind]:
    """Run the segmentation pipeline over cleaned order lines (no database involved)."""
    options = options or SegmentOptions()
    wanted = {check_kind(k) for k in kinds}
    lines = cleaned.lines
    if not len(lines) or not lines["is_purchase"].any():
        return []
    out = _rfm_kinds(lines, as_of, options, wanted)
    if "cluster" in wanted:
        clustered = _cluster_kind(lines, as_of, options)
        if clustered is not None:
            out.append(clustered)
    return [c for k in KINDS for c in out if c.kind == k]


def _lock(session: Session, kind: str, as_of: date) -> None:
    """Serialise writers of the same (kind, day) on PostgreSQL (SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"manyi.segment:{kind}:{as_of.isoformat()}".encode())
        session.execute(select(func.pg_advisory_xact_lock(key)))


def store_snapshot(
    *, session: Session, computed: ComputedKind, as_of: date, ids: dict[str, int]
) -> SegmentSnapshot:
    """Store one kind's memberships as of `as_of`, replacing an earlier snapshot of that day."""
    _lock(session, computed.kind, as_of)
    # Delete first, without reading: on SQLite the DELETE takes the write lock before it looks,
    # so a concurrent run for the same day waits and then replaces this one's rows.
    same_day = select(SegmentSnapshot.id).where(
        SegmentSnapshot.kind == computed.kind, SegmentSnapshot.as_of == as_of
    )
    plain = {"synchronize_session": False}
    session.execute(
        delete(SegmentMembership).where(SegmentMembership.snapshot_id.in_(same_day)),
        execution_options=plain,
    )
    session.execute(
        delete(SegmentSnapshot).where(
            SegmentSnapshot.kind == computed.kind, SegmentSnapshot.as_of == as_of
        ),
        execution_options=plain,
    )
    snapshot = SegmentSnapshot(
        kind=computed.kind, as_of=as_of, params=computed.params, summary=computed.summary
    )
    session.add(snapshot)
    session.flush()
    members = computed.members
    rows = [
        {
            "snapshot_id": snapshot.id,
            "customer_id": ids[code],
            "segment": segment,
            "score": None if score is None or pd.isna(score) else float(score),
            "values": values,
        }
        for code, segment, score, values in members.itertuples(index=False, name=None)
        if code in ids
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(SegmentMembership), rows[start : start + _INSERT_CHUNK])
    return snapshot


def compute_snapshots(
    *,
    session: Session,
    as_of: date,
    kinds: Iterable[str] = KINDS,
    options: SegmentOptions | None = None,
) -> list[SnapshotInfo]:
    """Segment every (not erased) customer with orders as of `as_of` and store one snapshot per kind.

    Kinds that cannot be computed (no purchases yet; fewer than 10 customers to cluster) are
    skipped. Returns the stored snapshots in kind order.
    """
    customers = customers_frame(session=session)
    cleaned = cleaned_order_lines(session=session, as_of=as_of, codes=customers["customer_id"])
    ids = dict(zip(customers["customer_id"], customers["customer_pk"].astype(int), strict=True))
    computed = compute_kinds(cleaned, as_of, kinds, options)
    stored = []
    for item in computed:
        item.summary["cleaning"] = {
            "input_lines": int(cleaned.notes.get("input_lines", 0)),
            "kept_lines": int(cleaned.notes.get("kept_lines", 0)),
            "removed": {
                str(r.reason): int(r.lines) for r in cleaned.removed.itertuples() if r.lines
            },
        }
        stored.append(store_snapshot(session=session, computed=item, as_of=as_of, ids=ids))
    session.flush()
    return [_info(s) for s in stored]


def _info(snapshot: SegmentSnapshot) -> SnapshotInfo:
    """Plain view of a stored snapshot."""
    summary = snapshot.summary or {}
    return SnapshotInfo(
        id=snapshot.id,
        kind=snapshot.kind,
        as_of=snapshot.as_of,
        created_at=snapshot.created_at,
        customers=int(summary.get("customers", 0)),
        summary=summary,
        params=snapshot.params or {},
    )


def list_snapshots(
    *, session: Session, kind: str | None = None, limit: int = 200
) -> list[SnapshotInfo]:
    """Stored snapshots, newest day first (one kind or all)."""
    query = select(SegmentSnapshot).order_by(
        SegmentSnapshot.as_of.desc(), SegmentSnapshot.kind, SegmentSnapshot.id.desc()
    )
    if kind is not None:
        query = query.where(SegmentSnapshot.kind == check_kind(kind))
    return [_info(s) for s in session.scalars(query.limit(limit))]


def latest_snapshot_id(*, session: Session, kind: str) -> int | None:
    """Id of the newest snapshot of a kind (None when there is none yet)."""
    return session.scalar(
        select(SegmentSnapshot.id)
        .where(SegmentSnapshot.kind == kind)
        .order_by(SegmentSnapshot.as_of.desc(), SegmentSnapshot.id.desc())
        .limit(1)
    )


def get_snapshot(*, session: Session, kind: str, as_of: date | None = None) -> SnapshotInfo:
    """The snapshot of a kind at a day (the latest when `as_of` is None); 404 when absent."""
    query = select(SegmentSnapshot).where(SegmentSnapshot.kind == check_kind(kind))
    if as_of is not None:
        query = query.where(SegmentSnapshot.as_of == as_of)
    found = session.scalars(query.order_by(SegmentSnapshot.as_of.desc()).limit(1)).first()
    if found is None:
        day = f" as of {as_of.isoformat()}" if as_of else ""
        raise NotFoundError(
            f"no '{kind}' snapshot{day}; run `manyi segment snapshot` first / 还没有分群快照"
        )
    return _info(found)


def snapshot_members(*, session: Session, snapshot_id: int) -> pd.Series:
    """Segment per customer code in one snapshot (a Series indexed by code)."""
    rows = session.execute(
        select(Customer.customer_code, SegmentMembership.segment)
        .join(Customer, Customer.id == SegmentMembership.customer_id)
        .where(SegmentMembership.snapshot_id == snapshot_id, Customer.erased_at.is_(None))
    ).all()
    return pd.Series(
        [r[1] for r in rows], index=pd.Index([r[0] for r in rows], name="customer_id"), dtype=object
    )


def segment_label(snapshot: SnapshotInfo, key: str, lang: str) -> str:
    """Display name of a segment key in a snapshot, in English or Chinese."""
    labels = snapshot.summary.get("labels", {}).get(key)
    if not labels:
        return key
    return str(labels["en"] if lang == "en" else labels["zh"])


def customer_memberships(*, session: Session, customer_id: int) -> list[MembershipInfo]:
    """A customer's segment in every stored snapshot, newest day first."""
    rows = session.execute(
        select(SegmentSnapshot, SegmentMembership)
        .join(SegmentMembership, SegmentMembership.snapshot_id == SegmentSnapshot.id)
        .where(SegmentMembership.customer_id == customer_id)
        .order_by(SegmentSnapshot.as_of.desc(), SegmentSnapshot.kind)
    ).all()
    out = []
    for snapshot, member in rows:
        info = _info(snapshot)
        out.append(
            MembershipInfo(
                kind=snapshot.kind,
                as_of=snapshot.as_of,
                snapshot_id=snapshot.id,
                segment=member.segment,
                label_en=segment_label(info, member.segment, "en"),
                label_zh=segment_label(info, member.segment, "zh"),
                score=member.score,
                values=member.values or {},
            )
        )
    return out


def _pair(
    session: Session, kind: str, before: date | None, after: date | None
) -> tuple[SnapshotInfo, SnapshotInfo]:
    """The two snapshots to compare: the given days, or the two latest of the kind."""
    if before is not None and after is not None:
        if before >= after:
            raise InputError("from: must be a day before 'to'")
        return (
            get_snapshot(session=session, kind=kind, as_of=before),
            get_snapshot(session=session, kind=kind, as_of=after),
        )
    latest = list_snapshots(session=session, kind=kind, limit=2)
    if after is not None:
        later = get_snapshot(session=session, kind=kind, as_of=after)
        earlier = [s for s in list_snapshots(session=session, kind=kind) if s.as_of < after]
        latest = [later, *earlier[:1]]
    if len(latest) < 2:
        raise NotFoundError(
            f"need two '{kind}' snapshots to compare; found {len(latest)} / 需要两个分群快照才能比较"
        )
    return latest[1], latest[0]


def transitions(
    *, session: Session, kind: str, before: date | None = None, after: date | None = None
) -> Transitions:
    """Transition matrix and Sankey links between two snapshots of a kind.

    Customers present in only one snapshot appear under ``(none)``.
    """
    first, second = _pair(session, check_kind(kind), before, after)
    order = list(dict.fromkeys([*first.summary.get("order", []), *second.summary.get("order", [])]))
    old = snapshot_members(session=session, snapshot_id=first.id)
    new = snapshot_members(session=session, snapshot_id=second.id)
    cats = list(dict.fromkeys([*order, *sorted(set(old) | set(new))]))
    old = old.astype(pd.CategoricalDtype(cats))
    new = new.astype(pd.CategoricalDtype(cats))
    counts, shares = transition_matrix(old, new)
    labels = {**first.summary.get("labels", {}), **second.summary.get("labels", {})}
    labels.setdefault("(none)", {"en": "(none)", "zh": "（无）"})
    both = pd.concat({"a": old.astype(object), "b": new.astype(object)}, axis=1, join="inner")
    stayed = int((both["a"] == both["b"]).sum())
    return Transitions(
        kind=kind,
        before=first,
        after=second,
        rows=[str(r) for r in counts.index],
        columns=[str(c) for c in counts.columns],
        counts=[[int(v) for v in row] for row in counts.to_numpy()],
        shares=[[round(float(v), 4) for v in row] for row in shares.fillna(0).to_numpy()],
        links=sankey_links(old, new),
        labels=labels,
        stayed=stayed,
        moved=len(both) - stayed,
    )
