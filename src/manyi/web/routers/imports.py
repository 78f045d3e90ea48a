"""Upload a customers/orders/feedback file and run it through the importer (admins, analysts)."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from manyi.audit import service as audit
from manyi.errors import InputError
from manyi.feedback import service as feedback_service
from manyi.staff.models import StaffUser
from manyi.web.deps import (
    CsrfChecked,
    DbSession,
    Importer,
    client_address,
    configured_taxonomy,
    get_current_user,
)
from manyi.web.templating import render

router = APIRouter(dependencies=[Depends(get_current_user)])
Kind = Literal["customers", "orders", "feedback"]
KINDS = ("customers", "orders", "feedback")
ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".jsonl", ".json")
WEB_ANALYSIS_LIMIT = 100_000
"""Feedback items a web import analyses in its request (about 10-25 s); the rest waits for
`manyi text reanalyze` and shows as `remaining`."""


def _safe_name(name: str | None) -> str:
    """A harmless file name keeping the original's readable part and an allowed suffix."""
    base = Path((name or "upload").replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise InputError(f"file: type {suffix or '(none)'} not supported; use CSV, XLSX or JSONL")
    stem = re.sub(r"[^\w.-]+", "_", Path(base).stem).strip("._")[:80] or "upload"
    return stem + suffix


def _run_import(
    request: Request, session: Session, user: StaffUser, kind: str, upload: UploadFile
) -> dict[str, Any]:
    """Save the upload, import it (feedback: then analyse its text in this request), audit it.

    The analysis runs inside the request, at most `WEB_ANALYSIS_LIMIT` items: it costs about
    1.5 times the import itself (see docs/text.md for the figures).
    """
    settings = request.app.state.settings
    folder = Path(settings.data_dir) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _safe_name(upload.filename)
    try:
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out, length=1024 * 1024)
        outcome = feedback_service.import_with_analysis(
            sessions=request.app.state.sessions,
            kind=kind,  # type: ignore[arg-type]
            path=target,
            quarantine_dir=Path(settings.data_dir) / "quarantine",
            max_analysis=WEB_ANALYSIS_LIMIT,
            taxonomy=configured_taxonomy(request),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report, analysis = outcome.report, outcome.analysis
    result = {
        "kind": kind,
        "file_name": upload.filename,
        "rows_read": report.rows_read,
        "imported": report.imported,
        "already_present": report.already_present,
        "set_aside": report.set_aside,
        "warnings": report.warnings,
        "run_id": report.run_id,
        "seconds": round(report.seconds, 3),
        "analysis": analysis.to_dict() if analysis is not None else None,
    }
    audit.record(
        session=session,
        actor=user,
        action="data_imported",
        object_type="import_run",
        object_id=report.run_id,
        detail={k: v for k, v in result.items() if k not in ("seconds", "analysis")},
        address=client_address(request),
    )
    return result


@router.get("/import", include_in_schema=False)
def import_page(request: Request, user: Importer) -> Response:
    """The upload form."""
    context = {"kinds": KINDS, "result": None, "max_mb": request.app.state.settings.max_upload_mb}
    return render(request, "import.html", context)


@router.post("/import", include_in_schema=False, dependencies=[CsrfChecked])
def import_submit(
    request: Request,
    session: DbSession,
    user: Importer,
    kind: Annotated[Kind, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    """Import the uploaded file and show the report."""
    result = _run_import(request, session, user, kind, file)
    context = {"kinds": KINDS, "result": result, "max_mb": request.app.state.settings.max_upload_mb}
    return render(request, "import.html", context)


@router.post("/api/import/{kind}", tags=["import"], dependencies=[CsrfChecked])
def api_import(
    request: Request,
    session: DbSession,
    user: Importer,
    kind: Kind,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    """Import a CSV/XLSX/JSONL file of customers, orders or feedback (multipart field `file`)."""
    return _run_import(request, session, user, kind, file)
