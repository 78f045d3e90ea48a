"""Segments: snapshots, migration between them, personas and saved segments (pages and API)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from manyi.audit import service as audit
from manyi.errors import InputError, ManyiError, NotFoundError
from manyi.segment import saved as saved_service
from manyi.segment import service as segment_service
from manyi.segment.attributes import FIELDS, customer_attributes
from manyi.segment.models import SavedSegment
from manyi.segment.personas import segment_personas
from manyi.segment.schemas import (
    Kind,
    SavedSegmentCreate,
    SavedSegmentRead,
    SnapshotCreate,
    SnapshotRead,
)
from manyi.staff.models import StaffUser
from manyi.staff.security import Permission
from manyi.web.deps import (
    CsrfChecked,
    DbSession,
    client_address,
    get_current_user,
    require_permission,
)
from manyi.web.templating import render

pages = APIRouter(dependencies=[Depends(get_current_user)], include_in_schema=False)
api = APIRouter(prefix="/api", dependencies=[Depends(get_current_user)], tags=["segments"])
router = APIRouter()

SegmentManager = Annotated[StaffUser, Depends(require_permission(Permission.MANAGE_SEGMENTS))]
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "between", "contains", "is_null")
FORM_ROWS = 3


def _snapshot_read(info: segment_service.SnapshotInfo) -> SnapshotRead:
    """API shape of a snapshot."""
    return SnapshotRead(
        id=info.id,
        kind=info.kind,
        as_of=info.as_of,
        created_at=info.created_at,
        customers=info.customers,
        summary=info.summary,
    )


def _compute(
    request: Request,
    session: Session,
    user: StaffUser,
    as_of: date | None,
    kinds: list[str],
    seed: int,
) -> list[segment_service.SnapshotInfo]:
    """Compute and store snapshots, and audit who did it."""
    day = as_of or datetime.now(UTC).date()
    infos = segment_service.compute_snapshots(
        session=session,
        as_of=day,
        kinds=kinds,
        options=segment_service.SegmentOptions(seed=seed),
    )
    audit.record(
        session=session,
        actor=user,
        action="segments_computed",
        object_type="segment_snapshot",
        detail={"as_of": day.isoformat(), "kinds": kinds, "ids": [i.id for i in infos]},
        address=client_address(request),
    )
    return infos


def _saved_rows(session: Session) -> list[SavedSegmentRead]:
    """Every saved segment with its readable definition and current count."""
    segments = saved_service.list_saved(session=session)
    frame = customer_attributes(session=session) if segments else None
    rows = []
    for s in segments:
        count = saved_service.count(session=session, segment=s, attributes=frame)
        rows.append(
            SavedSegmentRead(
                id=s.id,
                name=s.name,
                description=s.description,
                definition=s.definition,
                expression=saved_service.describe_definition(s.definition),
                created_at=s.created_at,
                matched=count.matched,
                total=count.total,
            )
        )
    return rows


def _create_saved(
    request: Request, session: Session, user: StaffUser, body: SavedSegmentCreate
) -> SavedSegment:
    """Save a definition and audit it."""
    segment = saved_service.create_saved(
        session=session,
        name=body.name,
        definition=body.definition,
        description=body.description or None,
        created_by=user.id,
    )
    audit.record(
        session=session,
        actor=user,
        action="segment_saved",
        object_type="saved_segment",
        object_id=segment.id,
        detail={"name": segment.name, "definition": segment.definition},
        address=client_address(request),
    )
    return segment


def _delete_saved(request: Request, session: Session, user: StaffUser, segment_id: int) -> None:
    """Delete a saved segment and audit it."""
    saved_service.delete_saved(session=session, segment_id=segment_id)
    audit.record(
        session=session,
        actor=user,
        action="segment_deleted",
        object_type="saved_segment",
        object_id=segment_id,
        address=client_address(request),
    )


# --- API -----------------------------------------------------------------------------------------


@api.get("/segments/snapshots")
def api_snapshots(
    session: DbSession, kind: Annotated[Kind | None, Query()] = None
) -> list[SnapshotRead]:
    """Stored snapshots, newest day first (optionally one kind)."""
    return [_snapshot_read(i) for i in segment_service.list_snapshots(session=session, kind=kind)]


@api.post("/segments/snapshots", status_code=201, dependencies=[CsrfChecked])
def api_compute(
    request: Request, session: DbSession, user: SegmentManager, body: SnapshotCreate
) -> list[SnapshotRead]:
    """Compute and store one snapshot per kind (analysts and admins); a rerun replaces the day's."""
    kinds = list(body.kinds or segment_service.KINDS)
    infos = _compute(request, session, user, body.as_of, kinds, body.seed)
    return [_snapshot_read(i) for i in infos]


@api.get("/segments/{kind}/transitions")
def api_transitions(
    session: DbSession,
    kind: Kind,
    before: Annotated[date | None, Query(alias="from")] = None,
    after: Annotated[date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Transition matrix and Sankey links between two snapshots (default: the two latest)."""
    result = segment_service.transitions(session=session, kind=kind, before=before, after=after)
    return result.to_dict()


@api.get("/segments/personas")
def api_personas(
    session: DbSession,
    kind: Annotated[Kind, Query()] = "rfm",
    as_of: Annotated[date | None, Query()] = None,
) -> dict[str, Any]:
    """Persona cards (English and Chinese) for each segment of a snapshot (default: latest)."""
    return segment_personas(session=session, kind=kind, as_of=as_of).to_dict()


@api.get("/segments/saved")
def api_saved(session: DbSession) -> list[SavedSegmentRead]:
    """Saved segments with their current counts."""
    return _saved_rows(session)


@api.post("/segments/saved", status_code=201, dependencies=[CsrfChecked])
def api_create_saved(
    request: Request, session: DbSession, user: SegmentManager, body: SavedSegmentCreate
) -> SavedSegmentRead:
    """Save a definition (structured or expression); injection attempts get a clear 422."""
    segment = _create_saved(request, session, user, body)
    count = saved_service.count(session=session, segment=segment)
    return SavedSegmentRead(
        id=segment.id,
        name=segment.name,
        description=segment.description,
        definition=segment.definition,
        expression=saved_service.describe_definition(segment.definition),
        created_at=segment.created_at,
        matched=count.matched,
        total=count.total,
    )


@api.delete("/segments/saved/{segment_id}", status_code=204, dependencies=[CsrfChecked])
def api_delete_saved(
    request: Request, session: DbSession, user: SegmentManager, segment_id: int
) -> Response:
    """Delete a saved segment."""
    _delete_saved(request, session, user, segment_id)
    return Response(status_code=204)


@api.get("/segments/saved/{segment_id}/members.csv")
def api_members_csv(
    request: Request, session: DbSession, user: SegmentManager, segment_id: int
) -> Response:
    """The members of a saved segment as CSV (codes and attributes, no contacts; audited)."""
    segment = saved_service.get_saved(session=session, segment_id=segment_id)
    members = saved_service.members(session=session, segment=segment)
    audit.record(
        session=session,
        actor=user,
        action="segment_exported",
        object_type="saved_segment",
        object_id=segment.id,
        detail={"rows": len(members)},
        address=client_address(request),
    )
    filename = f"segment-{segment.id}-{datetime.now(UTC).date().isoformat()}.csv"
    return Response(
        saved_service.members_csv(members),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- pages ---------------------------------------------------------------------------------------


def _sankey(transitions: segment_service.Transitions, lang: str) -> dict[str, Any]:
    """Sankey nodes and links with the two snapshot days in the node names (left vs right)."""

    def name(key: str, day: date) -> str:
        labels = transitions.labels.get(key, {})
        return f"{labels.get(lang, key)} · {day.isoformat()}"

    before, after = transitions.before.as_of, transitions.after.as_of
    links = [
        {
            "source": name(str(link["source"]), before),
            "target": name(str(link["target"]), after),
            "value": link["value"],
        }
        for link in transitions.links
    ]
    nodes = list(dict.fromkeys([n for link in links for n in (link["source"], link["target"])]))
    return {"nodes": [{"name": n} for n in nodes], "links": links}


def _page_context(session: Session, kind: str, lang: str) -> dict[str, Any]:
    """Everything the segments page shows for one kind."""
    snapshots = segment_service.list_snapshots(session=session)
    latest = next((s for s in snapshots if s.kind == kind), None)
    transitions = None
    with contextlib.suppress(NotFoundError):
        transitions = segment_service.transitions(session=session, kind=kind)
    personas = None
    if latest is not None:
        personas = segment_personas(session=session, kind=kind, as_of=latest.as_of).to_dict()
    return {
        "kind": kind,
        "kinds": segment_service.KINDS,
        "snapshots": snapshots,
        "latest": latest,
        "transitions": transitions,
        "sankey": _sankey(transitions, lang) if transitions else None,
        "personas": personas,
        "saved": _saved_rows(session),
        "fields": FIELDS,
        "operators": OPERATORS,
        "form_rows": range(FORM_ROWS),
        "label": segment_service.segment_label,
        "today": datetime.now(UTC).date().isoformat(),
        "error": None,
    }


@pages.get("/segments")
def segments_page(
    request: Request, session: DbSession, kind: Annotated[Kind, Query()] = "rfm"
) -> Response:
    """Snapshot summary, migration Sankey and matrix, personas and saved segments."""
    return render(request, "segments.html", _page_context(session, kind, request.state.lang))


@pages.post("/segments/snapshots", dependencies=[CsrfChecked])
def segments_compute(
    request: Request,
    session: DbSession,
    user: SegmentManager,
    as_of: Annotated[date | None, Form()] = None,
    kind: Annotated[Kind, Form()] = "rfm",
) -> Response:
    """Compute all kinds as of the form's day, then show the page of the chosen kind."""
    _compute(request, session, user, as_of, list(segment_service.KINDS), 0)
    return RedirectResponse(f"/segments?kind={kind}", status_code=303)


@pages.post("/segments/saved", dependencies=[CsrfChecked])
def segments_save(
    request: Request,
    session: DbSession,
    user: SegmentManager,
    name: Annotated[str, Form(max_length=100)],
    field: Annotated[list[str], Form(max_length=FORM_ROWS)],
    op: Annotated[list[str], Form(max_length=FORM_ROWS)],
    value: Annotated[list[str], Form(max_length=FORM_ROWS)],
    description: Annotated[str, Form(max_length=2000)] = "",
    combine: Annotated[str, Form(max_length=3)] = "all",
    kind: Annotated[Kind, Form()] = "rfm",
) -> Response:
    """Save a segment built with the structured form (field, operator, value rows)."""
    try:
        if not (len(field) == len(op) == len(value)):
            raise InputError("definition: every row needs a field, an operator and a value")
        definition = saved_service.definition_from_rows(
            list(zip(field, op, value, strict=True)), combine
        )
        body = SavedSegmentCreate.model_construct(
            name=name, description=description, definition=definition
        )
        _create_saved(request, session, user, body)
    except ManyiError as exc:
        session.rollback()
        context = _page_context(session, kind, request.state.lang)
        context["error"] = exc.message
        return render(request, "segments.html", context, status_code=exc.status_code)
    return RedirectResponse(f"/segments?kind={kind}#saved", status_code=303)


@pages.post("/segments/saved/{segment_id}/delete", dependencies=[CsrfChecked])
def segments_delete(
    request: Request, session: DbSession, user: SegmentManager, segment_id: int
) -> Response:
    """Delete a saved segment."""
    _delete_saved(request, session, user, segment_id)
    return RedirectResponse("/segments#saved", status_code=303)


router.include_router(pages)
router.include_router(api)
