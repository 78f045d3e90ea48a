"""Feedback services: run the text analytics over stored feedback and keep the results current.

Every interface that brings feedback in (``manyi import feedback``, the web upload and
``POST /api/import/feedback``, the demo loader) calls :func:`import_with_analysis` or
:func:`analyze_all`, so each item with text has one row in ``feedback_analyses`` made by the
current model; a new model version makes every row stale and the next run re-analyses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from manyi.analytics.text import analyze as text_analyze
from manyi.analytics.text.aspects import AspectTaxonomy
from manyi.errors import InputError
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.importing import service as importing
from manyi.importing.mapping import Kind
from manyi.importing.service import ImportReport
from manyi.store.base import utcnow


@dataclass(frozen=True)
class AnalysisProgress:
    """How far a run of `analyze_all` got, and how long it took."""

    analyzed: int
    remaining: int
    model_version: str
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        """Items analysed and stored per second (0 when nothing ran)."""
        return self.analyzed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "analyzed": self.analyzed,
            "remaining": self.remaining,
            "model_version": self.model_version,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class ImportOutcome:
    """The importer's report and, for feedback, the analysis run that followed it."""

    report: ImportReport
    analysis: AnalysisProgress | None


BUILTIN_TAXONOMIES = ("retail", "bank", "airline")


def load_taxonomy(setting: str) -> AspectTaxonomy:
    """The configured aspect taxonomy: a built-in name or a .json/.toml file of the business's."""
    if setting in BUILTIN_TAXONOMIES:
        return AspectTaxonomy.builtin(setting)
    path = Path(setting)
    try:
        return AspectTaxonomy.from_file(path)
    except FileNotFoundError:
        raise InputError(
            f"aspect_taxonomy: {setting!r} is neither a built-in "
            f"({', '.join(BUILTIN_TAXONOMIES)}) nor an existing file"
        ) from None
    except (OSError, ValueError) as exc:  # unreadable, bad JSON/TOML, bad structure
        raise InputError(f"aspect_taxonomy: cannot use {setting!r}: {exc}") from None


def analysis_version(taxonomy: AspectTaxonomy | None = None) -> str:
    """The version stored with each analysis: the model's, plus the taxonomy unless it is the
    built-in retail one, so that changing either makes stored analyses stale."""
    if taxonomy is None or (
        taxonomy.name == "retail"
        and taxonomy.fingerprint == AspectTaxonomy.builtin("retail").fingerprint
    ):
        return text_analyze.MODEL_VERSION
    return f"{text_analyze.MODEL_VERSION}+{taxonomy.name[:12]}-{taxonomy.fingerprint}"


def _targets(model_version: str, *, everything: bool) -> Select[int, str | None]:
    """Feedback with text to analyse: the stale items, or every item when `everything`."""
    query = select(FeedbackItem.id, FeedbackItem.text).where(FeedbackItem.text.is_not(None))
    if not everything:
        query = query.outerjoin(
            FeedbackAnalysis, FeedbackAnalysis.feedback_id == FeedbackItem.id
        ).where(
            or_(
                FeedbackAnalysis.feedback_id.is_(None),
                FeedbackAnalysis.model_version != model_version,
            )
        )
    return query.order_by(FeedbackItem.id)


def count_stale(
    *,
    session: Session,
    model_version: str | None = None,
    everything: bool = False,
    taxonomy: AspectTaxonomy | None = None,
) -> int:
    """How many feedback items still need (re-)analysis with the current model and taxonomy."""
    version = model_version or analysis_version(taxonomy)
    query = _targets(version, everything=everything).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


def _store(
    session: Session, ids: list[int], texts: list[str], taxonomy: AspectTaxonomy | None
) -> None:
    """Analyse `texts` and insert or overwrite the analyses of feedback `ids`."""
    version = analysis_version(taxonomy)
    result = text_analyze.analyze(texts, taxonomy=taxonomy)
    existing = set(
        session.scalars(
            select(FeedbackAnalysis.feedback_id).where(FeedbackAnalysis.feedback_id.in_(ids))
        )
    )
    now = utcnow()
    rows = [
        {
            "feedback_id": feedback_id,
            "language": rec["language"],
            "sentiment": rec["sentiment"],
            "sentiment_score": float(rec["sentiment_score"]),
            "types": list(rec["types"]),
            "aspects": [list(pair) for pair in rec["aspects"]],
            "text_masked": rec["text_masked"],
            "model_version": version,
            "analyzed_at": now,
        }
        for feedback_id, rec in zip(ids, result.to_dict("records"), strict=True)
    ]
    new_rows = [r for r in rows if r["feedback_id"] not in existing]
    old_rows = [r for r in rows if r["feedback_id"] in existing]
    if new_rows:
        session.execute(insert(FeedbackAnalysis), new_rows)
    if old_rows:
        session.execute(update(FeedbackAnalysis), old_rows)  # bulk UPDATE by primary key
    session.flush()


def analyze_batch(
    *,
    session: Session,
    limit: int = 2000,
    after_id: int = 0,
    everything: bool = False,
    taxonomy: AspectTaxonomy | None = None,
) -> int:
    """Analyse up to `limit` items after `after_id` (stale ones, or all) and store the results."""
    version = analysis_version(taxonomy)
    query = _targets(version, everything=everything).where(FeedbackItem.id > after_id)
    rows = session.execute(query.limit(limit)).all()
    if rows:
        _store(session, [row.id for row in rows], [row.text or "" for row in rows], taxonomy)
    return len(rows)


def analyze_all(
    *,
    sessions: sessionmaker[Session],
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    everything: bool = False,
    max_items: int | None = None,
    taxonomy: AspectTaxonomy | None = None,
) -> AnalysisProgress:
    """Analyse every stale feedback item (or all, with `everything`), one transaction per batch.

    A crash loses at most the batch in flight; a second run picks up where the first stopped.
    `max_items` caps the work of one call; what is left is reported in `remaining`.
    """
    if batch_size < 1:
        raise InputError("batch_size must be at least 1")
    started = time.perf_counter()
    version = analysis_version(taxonomy)
    with sessions() as session:
        total = count_stale(session=session, everything=everything, model_version=version)
    goal = total if max_items is None else min(total, max_items)
    done, after = 0, 0
    while done < goal:
        with sessions.begin() as session:
            size = min(batch_size, goal - done)
            query = _targets(version, everything=everything)
            rows = session.execute(query.where(FeedbackItem.id > after).limit(size)).all()
            if not rows:
                break
            _store(session, [r.id for r in rows], [r.text or "" for r in rows], taxonomy)
        done += len(rows)
        after = rows[-1].id
        if progress:
            progress(done, goal)
    return AnalysisProgress(
        analyzed=done,
        remaining=max(0, total - done),
        model_version=version,
        seconds=time.perf_counter() - started,
    )


def import_with_analysis(
    *,
    sessions: sessionmaker[Session],
    kind: Kind,
    path: Path,
    analysis_progress: Callable[[int, int], None] | None = None,
    max_analysis: int | None = None,
    taxonomy: AspectTaxonomy | None = None,
    **import_options: Any,
) -> ImportOutcome:
    """Import one file; after feedback, analyse every stale item so stored results stay current.

    `max_analysis` caps the items analysed by this call (the rest is reported as `remaining`
    and left to ``manyi text reanalyze``); `import_options` go to the importer.
    """
    report = importing.import_file(sessions=sessions, kind=kind, path=path, **import_options)
    if kind != "feedback":
        return ImportOutcome(report=report, analysis=None)
    analysis = analyze_all(
        sessions=sessions, progress=analysis_progress, max_items=max_analysis, taxonomy=taxonomy
    )
    return ImportOutcome(report=report, analysis=analysis)
