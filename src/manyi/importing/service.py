"""Import customers, orders and feedback from a file into the database.

Stable entry point (the CLI ``manyi import`` and the web upload endpoint both call it)::

    import_file(*, sessions, kind, path, mapping=None, batch_size=DEFAULT_BATCH_SIZE,
                quarantine_dir=None, progress=None, source_timezone="UTC",
                default_channel="survey") -> ImportReport

- ``sessions``: a ``sessionmaker``; the importer owns its transactions (one per batch, plus one
  each to open and close the ``ImportRun`` record), so a crash leaves only whole batches.
- ``kind``: ``"customers"``, ``"orders"`` or ``"feedback"``.
- ``mapping``: ``{field: header}`` overriding the automatic header detection.
- ``progress(done_rows, total_rows)`` is called after each committed batch.
- Raises :class:`manyi.errors.InputError` (HTTP 422) for unusable input (empty, binary, header
  only, unknown columns, refused archive); bad *rows* never raise, they are set aside in
  ``<name>.quarantine.csv`` beside ``<name>.import-summary.json``.

Rows are numbered like a spreadsheet: the header is row 1, the first data record row 2.
Re-importing a file adds nothing: customers are keyed by ``customer_code``, orders by
``order_no``, products by ``sku``, feedback by ``source_ref`` (a mapped id column, else the
SHA-256 of channel, time, customer and text). Existing records are counted as already present
and are not updated (consent changes excepted: they are appended as ConsentEvents).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.catalog.models import Product
from manyi.customer import service as customer_service
from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity
from manyi.errors import InputError
from manyi.feedback.models import FeedbackChannel, FeedbackItem
from manyi.importing import validation as v
from manyi.importing.mapping import Kind, detect_mapping
from manyi.importing.models import ImportRun
from manyi.importing.reading import read_table
from manyi.order.models import Order, OrderLine
from manyi.store.engine import unit_of_work

ProgressCallback = Callable[[int, int], None]
CONSENT_FIELDS = {
    "consent_marketing": "marketing", "consent_surveys": "surveys", "consent_service": "service",
    "consent_analytics": "analytics", "consent_sms": "sms", "consent_email": "email",
}  # fmt: skip
CUSTOMER_ATTRS = (
    "name", "gender", "birthday", "city", "region", "country", "occupation", "income_band",
    "preferred_channel", "preferred_language",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Rows per transaction. Large batches matter on SQLite: every commit rewrites the index pages
#: it touched into the WAL, so 5,000-row batches write the whole Online Retail file's
#: order_lines indexes about a hundred times over; a kill -9 still loses only whole batches.
DEFAULT_BATCH_SIZE = 50_000


@dataclass
class ImportReport:
    """What one import did; `set_aside` and `warnings` count rows by reason."""

    kind: str
    file_name: str
    rows_read: int = 0
    imported: int = 0
    already_present: int = 0
    set_aside: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    quarantine_path: Path | None = None
    summary_path: Path | None = None
    run_id: int | None = None
    seconds: float = 0.0

    @property
    def set_aside_total(self) -> int:
        """Rows set aside for any reason."""
        return int(self.details.get("rows_set_aside", sum(self.set_aside.values())))

    def summary_line(self) -> str:
        """One line: read N rows: imported A, already present B, set aside C (see ...)."""
        where = f" (see {self.quarantine_path})" if self.quarantine_path else ""
        return (
            f"read {self.rows_read} rows: imported {self.imported}, already present "
            f"{self.already_present}, set aside {self.set_aside_total}{where}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the report."""
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "already_present": self.already_present,
            "set_aside_total": self.set_aside_total,
            "set_aside": self.set_aside,
            "warnings": self.warnings,
            "details": self.details,
            "mapping": self.mapping,
            "quarantine_path": str(self.quarantine_path) if self.quarantine_path else None,
            "summary_path": str(self.summary_path) if self.summary_path else None,
            "run_id": self.run_id,
            "seconds": round(self.seconds, 3),
            "row_numbers": "header is row 1; the first data row is row 2",
            "summary": self.summary_line(),
        }


@dataclass
class _Prepared:
    """Validated rows of one file, ready to load."""

    rows: pd.DataFrame
    findings: v.Findings
    details: dict[str, Any] = field(default_factory=dict)


# --- entry point ------------------------------------------------------------------------------


def import_file(
    *,
    sessions: sessionmaker[Session],
    kind: Literal["customers", "orders", "feedback"],
    path: Path,
    mapping: dict[str, str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    quarantine_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    source_timezone: str = "UTC",
    default_channel: str = "survey",
) -> ImportReport:
    """Read, validate and load one file; see the module docstring for the contract."""
    started = datetime.now(UTC)
    if batch_size < 1:
        raise InputError("batch_size must be at least 1")
    v.check_timezone(source_timezone)
    if default_channel not in {c.value for c in FeedbackChannel}:
        raise InputError(f"unknown default channel {default_channel!r}")
    path = Path(path)
    table = read_table(path)
    frame = table.frame
    fields = detect_mapping(list(frame.columns), kind, mapping)
    report = ImportReport(kind=kind, file_name=path.name, rows_read=len(frame), mapping=fields)
    findings = v.Findings()
    _mark_exact_duplicates(frame, findings)
    prepared = _PREPARERS[kind](frame, fields, findings, source_timezone, default_channel)
    report.details.update(prepared.details)
    report.details.update(
        {"encoding": table.encoding, "delimiter": table.delimiter, "format": table.file_format}
    )
    run_id = _open_run(sessions, kind, path)
    report.run_id = run_id
    loader = _LOADERS[kind]
    try:
        loader(sessions, prepared, report, batch_size, progress, path.name)
    except Exception:
        _mark_failed(sessions, run_id, report)
        raise
    _finish(report, prepared, frame, path, quarantine_dir, started)
    _close_run(sessions, run_id, report)
    return report


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_run(sessions: sessionmaker[Session], kind: str, path: Path) -> int:
    """Record the start of a run in its own transaction (it stays 'running' if killed)."""
    with unit_of_work(sessions) as session:
        run = ImportRun(kind=kind, file_name=path.name[:300], file_sha256=file_sha256(path))
        session.add(run)
        session.flush()
        return run.id


def _close_run(sessions: sessionmaker[Session], run_id: int, report: ImportReport) -> None:
    """Store the counts and summary on the run record."""
    with unit_of_work(sessions) as session:
        run = session.get(ImportRun, run_id)
        if run is None:  # pragma: no cover - deleted while importing
            return
        run.finished_at = datetime.now(UTC)
        run.status = "finished"
        run.rows_read = report.rows_read
        run.rows_imported = report.imported
        run.rows_existing = report.already_present
        run.rows_set_aside = report.set_aside_total
        run.summary = report.to_dict()


def _mark_failed(sessions: sessionmaker[Session], run_id: int, report: ImportReport) -> None:
    """Record that loading stopped with an error; committed batches stay (they are whole)."""
    with unit_of_work(sessions) as session:
        run = session.get(ImportRun, run_id)
        if run is not None:
            run.status = "failed"
            run.finished_at = datetime.now(UTC)
            run.rows_read = report.rows_read
            run.rows_imported = report.imported
            run.rows_existing = report.already_present


def _mark_exact_duplicates(frame: pd.DataFrame, findings: v.Findings) -> None:
    """Set aside rows identical to an earlier row, naming that row."""
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    dup = pd.Series(hashes).duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    uniques, first_pos = np.unique(hashes, return_index=True)
    rows = first_pos[np.searchsorted(uniques, hashes[dup])] + 2
    names = np.full(len(frame), "", dtype=object)
    names[dup] = ["duplicate of row " + str(r) for r in rows.tolist()]
    findings.problem(
        pd.Series(dup, index=frame.index),
        "*",
        "duplicate of an earlier row",
        pd.Series(names, index=frame.index),
    )


def _finish(
    report: ImportReport,
    prepared: _Prepared,
    frame: pd.DataFrame,
    path: Path,
    quarantine_dir: Path | None,
    started: datetime,
) -> None:
    """Count set-aside rows and warnings and write the quarantine CSV and summary JSON."""
    problems = prepared.findings.problem_frame()
    warnings = prepared.findings.warning_frame()
    first_reason = problems.drop_duplicates("row")
    report.set_aside = {str(k): int(n) for k, n in first_reason["reason"].value_counts().items()}
    report.details["rows_set_aside"] = int(first_reason.shape[0])
    report.warnings = {str(k): int(n) for k, n in warnings["reason"].value_counts().items()}
    folder = _output_folder(path, quarantine_dir)
    stem = path.name.split(".")[0] or "import"
    if not problems.empty:
        report.quarantine_path = folder / f"{stem}.quarantine.csv"
        _write_quarantine(report.quarantine_path, problems, warnings, frame)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    report.summary_path = folder / f"{stem}.import-summary.json"
    report.summary_path.write_text(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _output_folder(path: Path, quarantine_dir: Path | None) -> Path:
    """Where reports go: the given folder, else beside the input, else the working directory."""
    folder = quarantine_dir if quarantine_dir is not None else path.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".manyi-write-test"
        probe.touch()
        probe.unlink()
    except OSError:
        folder = Path.cwd()
    return folder


def neutralise_cell(value: str) -> str:
    """Prefix spreadsheet-formula-like cells with ' so a spreadsheet shows them as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _write_quarantine(
    target: Path, problems: pd.DataFrame, warnings: pd.DataFrame, frame: pd.DataFrame
) -> None:
    """One line per problem: file row, field, reason, value, then the original row's cells."""
    columns = list(frame.columns)
    original = frame.iloc[problems["row"].to_numpy()]
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "field", "reason", "value", *map(neutralise_cell, columns)])
        for rec, cells in zip(
            problems.itertuples(index=False), original.itertuples(index=False), strict=True
        ):
            writer.writerow(
                [
                    int(rec.row) + 2,
                    rec.field,
                    rec.reason,
                    neutralise_cell(str(rec.value)),
                    *(neutralise_cell(str(c)) for c in cells),
                ]
            )


# --- shared column helpers --------------------------------------------------------------------


def _column(frame: pd.DataFrame, fields: dict[str, str], name: str) -> pd.Series:
    """The mapped column as cleaned text, or empty strings when the field is not mapped."""
    if name not in fields:
        return pd.Series("", index=frame.index, dtype=object)
    return v.clean_text(frame[fields[name]])


def _require(values: pd.Series, name: str, findings: v.Findings) -> None:
    """A required field must not be empty."""
    findings.problem(values == "", name, f"{name} is required", values)


def _key(frame: pd.DataFrame, fields: dict[str, str], name: str, findings: v.Findings) -> pd.Series:
    """A natural key column: cleaned, float ids fixed, too-long values set aside."""
    if name not in fields:
        return pd.Series("", index=frame.index, dtype=object)
    values = v.clean_key(frame[fields[name]])
    limit = v.KEY_LENGTHS[name]
    findings.problem(
        values.str.len() > limit, name, f"{name} longer than {limit} characters", values
    )
    return values


def _short_text(
    frame: pd.DataFrame, fields: dict[str, str], name: str, findings: v.Findings
) -> pd.Series:
    """A short text column cut to its database width (with a warning)."""
    return v.cap_length(_column(frame, fields, name), name, v.MAX_LENGTHS[name], findings)


def _date_column(
    frame: pd.DataFrame, fields: dict[str, str], name: str, tz: str, findings: v.Findings
) -> pd.Series:
    """Parse a date column; non-empty values that are not valid dates are problems."""
    raw = _column(frame, fields, name)
    parsed = v.parse_datetimes(raw, tz)
    findings.problem((raw != "") & parsed.isna(), name, f"{name}: not a valid date/time", raw)
    return parsed


def _bad_rows(findings: v.Findings) -> set[int]:
    """Positions of rows with at least one problem."""
    return set(findings.problem_frame()["row"].tolist())


def _keep(frame: pd.DataFrame, findings: v.Findings) -> pd.Series:
    """Mask of rows without problems."""
    bad = _bad_rows(findings)
    return pd.Series(~np.isin(np.arange(len(frame)), list(bad)), index=frame.index)


def _py_times(values: pd.Series) -> list[datetime | None]:
    """Timezone-aware Python datetimes (None for NaT)."""
    return [None if pd.isna(t) else t.to_pydatetime() for t in values]


# --- customers --------------------------------------------------------------------------------


def _prepare_customers(
    frame: pd.DataFrame, fields: dict[str, str], findings: v.Findings, tz: str, _channel: str
) -> _Prepared:
    """Validate a customer file: code, names, gender, birthday, contacts, consent flags."""
    rows = pd.DataFrame(index=frame.index)
    rows["code"] = _key(frame, fields, "customer_id", findings)
    _require(rows["code"], "customer_id", findings)
    for name in ("name", "city", "region", "country", "occupation", "income_band",
                 "preferred_channel", "preferred_language"):  # fmt: skip
        rows[name] = _short_text(frame, fields, name, findings)
    gender_raw = _column(frame, fields, "gender")
    gender = v.map_enum(gender_raw, v.GENDERS)
    unknown = (gender_raw != "") & gender.isna()
    findings.warning(unknown, "gender", "gender not recognised: stored as unknown", gender_raw)
    rows["gender"] = gender.fillna("unknown").astype(str)
    birthday = _date_column(frame, fields, "birthday", "UTC", findings)
    future = birthday > pd.Timestamp.now(tz="UTC")
    findings.problem(
        future, "birthday", "birthday: in the future", _column(frame, fields, "birthday")
    )
    rows["birthday"] = [None if pd.isna(t) else t.date() for t in birthday]
    email, bad_email = v.normalise_email(_column(frame, fields, "email"))
    findings.problem(bad_email, "email", "email: not an e-mail address", email)
    phone, bad_phone = v.normalise_phone(_column(frame, fields, "phone"))
    findings.problem(
        bad_phone, "phone", "phone: not a phone number", _column(frame, fields, "phone")
    )
    rows["email"], rows["phone"] = email, phone
    rows["external_id"] = _key(frame, fields, "external_id", findings)
    for name in CONSENT_FIELDS:
        raw = _column(frame, fields, name)
        flag = v.map_enum(raw, {k: str(b) for k, b in v.BOOLEANS.items()})
        findings.problem((raw != "") & flag.isna(), name, f"{name}: expected yes/no", raw)
        rows[name] = flag.fillna("")
    repeated = (rows["code"] != "") & rows["code"].duplicated(keep="first")
    findings.problem(repeated, "customer_id", "customer_id repeated in the file", rows["code"])
    keep = _keep(frame, findings)
    return _Prepared(rows[keep], findings)


def _load_customers(
    sessions: sessionmaker[Session],
    prepared: _Prepared,
    report: ImportReport,
    batch_size: int,
    progress: ProgressCallback | None,
    file_name: str,
) -> None:
    """Load customers batch by batch: identity resolution, new identities, consent changes."""
    rows = prepared.rows
    counts = {"customers_created": 0, "matched_by_identity": 0, "identities_added": 0,
              "consent_events": 0, "identity_conflicts": 0}  # fmt: skip
    total = len(rows)
    for start in range(0, total, batch_size):
        batch = rows.iloc[start : start + batch_size]
        with unit_of_work(sessions) as session:
            _customer_batch(session, batch, counts, report, f"import:{file_name}"[:100])
        if progress:
            progress(min(start + batch_size, total), total)
    report.details.update(counts)


def _customer_batch(
    session: Session, batch: pd.DataFrame, counts: dict[str, int], report: ImportReport, source: str
) -> None:
    """One transaction's worth of customer rows."""
    records = batch.to_dict("records")
    by_code = customer_service.ids_by_code(session, [r["code"] for r in records])
    wanted = [(k, r[k]) for r in records for k in ("email", "phone", "external_id") if r[k]]
    owners = customer_service.owners_of_identities(
        session, [(_identity_kind(k), val) for k, val in wanted]
    )
    pending: dict[tuple[str, str], str] = {}
    new_rows: list[dict[str, Any]] = []
    resolved: list[tuple[dict[str, Any], str | int]] = []
    for rec in records:
        target: str | int | None = by_code.get(rec["code"])
        idents = _row_identities(rec)
        if target is None:
            for ident in idents:
                target = owners.get(ident) or pending.get(ident)
                if target is not None:
                    counts["matched_by_identity"] += 1
                    break
        if target is None:
            new_rows.append(_customer_values(rec))
            target = rec["code"]
            report.imported += 1
        else:
            report.already_present += 1
        for ident in idents:
            pending.setdefault(ident, target) if isinstance(target, str) else None
        resolved.append((rec, target))
    table = _table(Customer)
    customer_service.insert_ignoring_conflicts(session, table, new_rows, ["customer_code"])
    counts["customers_created"] += len(new_rows)
    created = customer_service.ids_by_code(session, [r["customer_code"] for r in new_rows])
    final = [(rec, created[t] if isinstance(t, str) else t) for rec, t in resolved]
    _add_identities(session, final, owners, counts, source)
    _add_consent(session, final, counts, source)


def _identity_kind(column: str) -> str:
    """Identity kind stored for a customer-file column."""
    return {"email": "email", "phone": "phone", "external_id": "external"}[column]


def _row_identities(rec: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) identities given on a customer row."""
    return [(_identity_kind(k), rec[k]) for k in ("email", "phone", "external_id") if rec[k]]


def _customer_values(rec: dict[str, Any]) -> dict[str, Any]:
    """Column values of a new customer row."""
    out: dict[str, Any] = {"customer_code": rec["code"], "first_seen_at": datetime.now(UTC)}
    for name in CUSTOMER_ATTRS:
        value = rec[name]
        out[name] = None if value == "" else value
    out["gender"] = rec["gender"]
    return out


def _add_identities(
    session: Session,
    final: list[tuple[dict[str, Any], int]],
    owners: dict[tuple[str, str], int],
    counts: dict[str, int],
    source: str,
) -> None:
    """Attach identities not yet known; an identity owned by someone else is left there."""
    new: dict[tuple[str, str], int] = {}
    for rec, cid in final:
        for ident in _row_identities(rec):
            owner = owners.get(ident, new.get(ident))
            if owner is None:
                new[ident] = cid
            elif owner != cid:
                counts["identity_conflicts"] += 1
    rows = [{"customer_id": cid, "kind": k, "value": val, "source": source[:50]}
            for (k, val), cid in new.items()]  # fmt: skip
    customer_service.insert_ignoring_conflicts(
        session, _table(CustomerIdentity), rows, ["kind", "value"]
    )
    counts["identities_added"] += len(rows)


def _add_consent(
    session: Session, final: list[tuple[dict[str, Any], int]], counts: dict[str, int], source: str
) -> None:
    """Append a ConsentEvent where the file's consent differs from the state in force."""
    with_consent = [(rec, cid) for rec, cid in final if any(rec[f] for f in CONSENT_FIELDS)]
    if not with_consent:
        return
    state = customer_service.consent_state(session, [cid for _, cid in with_consent])
    now = datetime.now(UTC)
    events = []
    for rec, cid in with_consent:
        for column, purpose in CONSENT_FIELDS.items():
            if not rec[column]:
                continue
            granted = rec[column] == "True"
            if state.get((cid, purpose)) != granted:
                state[(cid, purpose)] = granted
                events.append({"customer_id": cid, "purpose": purpose, "granted": granted,
                               "recorded_at": now, "source": source})  # fmt: skip
    if events:
        session.connection().execute(_table(ConsentEvent).insert(), events)
    counts["consent_events"] += len(events)


def _table(model: type[Any]) -> Table:
    """The Core table of an ORM class."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


# --- orders -----------------------------------------------------------------------------------


def _prepare_orders(
    frame: pd.DataFrame, fields: dict[str, str], findings: v.Findings, tz: str, _channel: str
) -> _Prepared:
    """Validate order lines (or whole orders): keys, dates, quantities, prices, status."""
    rows = pd.DataFrame(index=frame.index)
    rows["order_no"] = _key(frame, fields, "order_no", findings)
    _require(rows["order_no"], "order_no", findings)
    ordered_raw = _column(frame, fields, "ordered_at")
    _require(ordered_raw, "ordered_at", findings)
    rows["ordered_at"] = _date_column(frame, fields, "ordered_at", tz, findings)
    rows["code"] = _key(frame, fields, "customer_id", findings)
    rows["sku"] = _key(frame, fields, "sku", findings)
    for name in ("description", "channel", "store", "region", "currency", "country"):
        rows[name] = _column(frame, fields, name)
        if name in fields:
            limit = v.MAX_LENGTHS.get(name, 100)
            rows[name] = v.cap_length(rows[name], name, limit, findings)
    line_mode = any(f in fields for f in ("sku", "quantity", "unit_price"))
    qty_raw = _column(frame, fields, "quantity")
    qty = v.to_number(qty_raw)
    if "quantity" in fields:
        findings.problem(
            (qty_raw == "") | qty.isna(), "quantity", "quantity: not a number", qty_raw
        )
        findings.problem(
            qty.notna() & (qty != np.floor(qty)),
            "quantity",
            "quantity: not a whole number",
            qty_raw,
        )
        findings.problem(qty.abs() > 2_000_000_000, "quantity", "quantity: out of range", qty_raw)
    rows["quantity"] = qty.fillna(1).clip(-2e9, 2e9).astype(np.int64)
    for name in ("unit_price", "amount"):
        raw = _column(frame, fields, name)
        num = v.to_number(raw)
        findings.problem((raw != "") & num.isna(), name, f"{name}: not a number", raw)
        findings.problem(num.abs() >= 1e10, name, f"{name}: out of range", raw)
        if name == "unit_price":
            findings.problem(num < 0, name, "unit_price: negative price", raw)
        rows[name] = num
    status_raw = _column(frame, fields, "status")
    status = v.map_enum(status_raw, v.ORDER_STATUSES)
    findings.problem(
        (status_raw != "") & status.isna(), "status", "status: unknown value", status_raw
    )
    cancelled = rows["order_no"].str.fullmatch(r"C\d+")
    inferred = pd.Series(np.where(cancelled, "cancelled", "completed"), index=frame.index)
    rows["status"] = status.where(status.notna(), inferred).astype(str)
    keep = _keep(frame, findings)
    kept = rows[keep].copy()
    details = {
        "line_mode": line_mode,
        "orders_in_file": int(rows["order_no"][rows["order_no"] != ""].nunique()),
        "rows_without_customer": int((kept["code"] == "").sum()),
        "cancellation_rows": int((kept["status"] == "cancelled").sum()),
        "negative_quantity_rows": int((kept["quantity"] < 0).sum()),
        "customers_in_file": int(kept["code"][kept["code"] != ""].nunique()),
    }
    return _Prepared(kept, findings, details)


def _line_amounts(batch: pd.DataFrame, line_mode: bool) -> tuple[np.ndarray, np.ndarray]:
    """Unit prices and line amounts in cents-exact floats: quantity × unit price, else amount."""
    qty = batch["quantity"].to_numpy(dtype=np.float64)
    price = batch["unit_price"].to_numpy(dtype=np.float64)
    given = batch["amount"].to_numpy(dtype=np.float64)
    computed = np.round(qty * price * 100) / 100
    use_computed = ~np.isnan(price) & (np.isnan(given) | line_mode)
    amount = np.where(use_computed, computed, np.nan_to_num(given))
    implied = np.divide(amount, qty, out=amount.copy(), where=qty != 0)
    price = np.where(np.isnan(price), implied, price)
    return np.round(price, 4), np.round(amount, 2)


def _money(value: float, places: str = "0.01") -> Decimal:
    """A float amount as an exact Decimal at `places`."""
    return Decimal(repr(float(value))).quantize(Decimal(places))


@dataclass
class _OrderPlan:
    """Orders and lines of a file in load order, built once per import (vectorised).

    Orders are numbered by first appearance; each batch is a contiguous range of orders
    (`order_bounds`) and of rows (`row_bounds`), so an order is never split across batches.
    `columns` hold the line values in load order (strings as object arrays).
    """

    order_no: list[str]
    first_code: list[str]
    order_values: list[tuple[Any, ...]]
    order_of_row: np.ndarray
    columns: dict[str, np.ndarray]
    order_bounds: list[int]
    row_bounds: list[int]


def _order_plan(rows: pd.DataFrame, line_mode: bool, batch_size: int) -> _OrderPlan:
    """Group lines into orders, number them, and cut batches of whole orders in file order."""
    prices, amounts = _line_amounts(rows, line_mode)
    codes, uniques = pd.factorize(rows["order_no"], sort=False)
    sizes = np.bincount(codes)
    batch_of_order = (np.cumsum(sizes) - sizes) // batch_size
    load_order = np.argsort(batch_of_order[codes], kind="stable")
    line_no = rows.groupby(codes, sort=False).cumcount().to_numpy() + 1
    take = rows.iloc[load_order]
    columns = {name: take[name].to_numpy(dtype=object) for name in
               ("code", "country", "sku", "description")}  # fmt: skip
    columns["quantity"] = take["quantity"].to_numpy()
    columns["price"], columns["amount"] = prices[load_order], amounts[load_order]
    columns["line_no"] = line_no[load_order]
    batches = np.unique(batch_of_order)
    row_bounds = np.searchsorted(batch_of_order[codes[load_order]], batches).tolist()
    first_code, order_values = _order_values(rows, codes, len(uniques), amounts)
    return _OrderPlan(
        order_no=[str(u) for u in uniques],
        first_code=first_code,
        order_values=order_values,
        order_of_row=codes[load_order],
        columns=columns,
        order_bounds=[*np.searchsorted(batch_of_order, batches).tolist(), len(uniques)],
        row_bounds=[*row_bounds, len(rows)],
    )


def _order_values(
    rows: pd.DataFrame, codes: np.ndarray, n_orders: int, amounts: np.ndarray
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Per order: its first customer code, and its first row's values with the exact total."""
    customer = rows["code"].to_numpy(dtype=object)
    with_code = np.flatnonzero(customer != "")
    first_code = np.full(n_orders, "", dtype=object)
    found, at = np.unique(codes[with_code], return_index=True)
    first_code[found] = customer[with_code[at]]
    cents = np.round(amounts * 100).astype(np.int64)
    totals = pd.Series(cents).groupby(codes, sort=True).sum().tolist()
    firsts = rows.iloc[np.unique(codes, return_index=True)[1]]
    attrs = [firsts[c].tolist() for c in ("channel", "store", "region", "status", "currency")]
    values = [
        (t, ch or None, st or None, rg or None, status, cur or None, Decimal(int(c)).scaleb(-2))
        for t, ch, st, rg, status, cur, c in zip(
            _py_times(firsts["ordered_at"]), *attrs, totals, strict=True
        )
    ]
    return first_code.tolist(), values


def _load_orders(
    sessions: sessionmaker[Session],
    prepared: _Prepared,
    report: ImportReport,
    batch_size: int,
    progress: ProgressCallback | None,
    _file_name: str,
) -> None:
    """Load orders with their lines: one transaction per batch of whole orders."""
    line_mode = bool(prepared.details.get("line_mode"))
    counts = {"orders_created": 0, "orders_already_present": 0, "lines_created": 0,
              "customers_created": 0, "products_created": 0, "orders_without_customer": 0,
              "cancelled_orders": 0}  # fmt: skip
    total = len(prepared.rows)
    if total:
        plan = _order_plan(prepared.rows, line_mode, batch_size)
        cache: dict[str, dict[str, int]] = {"customers": {}, "products": {}}
        for b in range(len(plan.row_bounds) - 1):
            with unit_of_work(sessions) as session:
                _order_batch(session, plan, b, line_mode, counts, report, cache)
            if progress:
                progress(plan.row_bounds[b + 1], total)
    report.details.update(counts)


def _order_batch(
    session: Session,
    plan: _OrderPlan,
    b: int,
    line_mode: bool,
    counts: dict[str, int],
    report: ImportReport,
    cache: dict[str, dict[str, int]],
) -> None:
    """Customers, products, orders and lines of batch `b`, inserted in bulk.

    `cache` keeps the customer and product ids met in earlier batches of this run (an error
    ends the run, so a rolled-back batch never leaves ids behind that are used later).
    """
    orders = list(range(plan.order_bounds[b], plan.order_bounds[b + 1]))
    existing = _existing_keys(session, Order.order_no, [plan.order_no[o] for o in orders])
    rows = np.arange(plan.row_bounds[b], plan.row_bounds[b + 1])
    if existing:
        old = [o for o in orders if plan.order_no[o] in existing]
        kept = rows[~np.isin(plan.order_of_row[rows], old)]
        report.already_present += len(rows) - len(kept)
        counts["orders_already_present"] += len(old)
        orders, rows = [o for o in orders if plan.order_no[o] not in existing], kept
    if not len(rows):
        return
    ids = _batch_customers(session, plan, rows, counts, cache["customers"])
    order_rows = []
    for o in orders:
        code = plan.first_code[o]
        cid = ids.get(code) if code else None
        counts["orders_without_customer"] += cid is None
        counts["cancelled_orders"] += plan.order_values[o][4] == "cancelled"
        order_rows.append((plan.order_no[o], cid, *plan.order_values[o]))
    columns = ["order_no", "customer_id", "ordered_at", "channel", "store", "region", "status",
               "currency", "total_amount"]  # fmt: skip
    _insert_tuples(session, _table(Order), columns, order_rows, conflict_keys=["order_no"])
    counts["orders_created"] += len(order_rows)
    report.imported += len(rows)
    if line_mode:
        _insert_lines(session, plan, orders, rows, counts, cache["products"])


def _batch_customers(
    session: Session, plan: _OrderPlan, rows: np.ndarray, counts: dict[str, int],
    known: dict[str, int],
) -> dict[str, int]:  # fmt: skip
    """Ids of the batch's customer codes, creating bare customers (with country) for new ones."""
    todo: dict[str, dict[str, Any]] = {}
    codes = plan.columns["code"][rows].tolist()
    for code, country in zip(codes, plan.columns["country"][rows].tolist(), strict=True):
        if code and code not in known and code not in todo:
            todo[code] = {"country": country or None}
    if todo:
        found, created = customer_service.ensure_codes(session, todo)
        known.update(found)
        counts["customers_created"] += created
    return known


def _insert_tuples(
    session: Session,
    table: Table,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    conflict_keys: list[str] | None = None,
    native: bool = False,
) -> None:
    """Plain parameterised executemany straight to the driver (the hot path of big imports).

    Values go through the columns' SQLAlchemy bind processors (UTC datetimes, decimals on
    SQLite) unless `native` says they are plain ints, floats, strings and None already.
    Without `conflict_keys` PostgreSQL gets the rows by COPY; with them, rows whose keys exist
    already are skipped (``ON CONFLICT (keys) DO NOTHING``, SQLite and PostgreSQL alike).
    """
    if not rows:
        return
    conn = session.connection()
    if not native:
        rows = _bind_processed(table, columns, rows, conn.dialect)
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql" and not conflict_keys:
        _copy_rows(conn.connection.driver_connection, quote(table.name), names, rows)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join(mark for _ in columns)
    # Only identifiers from the ORM metadata are formatted in; every value is a bound parameter.
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608
    if conflict_keys:
        sql += f" ON CONFLICT ({', '.join(quote(k) for k in conflict_keys)}) DO NOTHING"
    conn.exec_driver_sql(sql, rows)


def _bind_processed(
    table: Table, columns: list[str], rows: list[tuple[Any, ...]], dialect: Any
) -> list[tuple[Any, ...]]:
    """Rows with each value converted by its column type's bind processor, where it has one."""
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    if not any(procs):
        return rows
    return [
        tuple(v if p is None else p(v) for p, v in zip(procs, row, strict=True)) for row in rows
    ]


def _copy_rows(driver: Any, table: str, names: str, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL COPY FROM STDIN on the session's own connection (same transaction)."""
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _existing_keys(session: Session, column: Any, keys: list[str]) -> set[str]:
    """Which of `keys` already exist in `column`."""
    found: set[str] = set()
    for start in range(0, len(keys), customer_service.IN_CHUNK):
        part = keys[start : start + customer_service.IN_CHUNK]
        found.update(session.scalars(select(column).where(column.in_(part))))
    return found


def _ids_by_key(session: Session, key: Any, id_column: Any, values: list[str]) -> dict[str, int]:
    """Map existing `key` values to their ids (values not found are absent)."""
    out: dict[str, int] = {}
    for start in range(0, len(values), customer_service.IN_CHUNK):
        part = values[start : start + customer_service.IN_CHUNK]
        out.update(session.execute(select(key, id_column).where(key.in_(part))).all())
    return out


def _insert_lines(
    session: Session,
    plan: _OrderPlan,
    orders: list[int],
    rows: np.ndarray,
    counts: dict[str, int],
    known: dict[str, int],
) -> None:
    """Upsert the batch's products by SKU and insert its order lines numbered per order."""
    order_id = _ids_by_key(session, Order.order_no, Order.id, [plan.order_no[o] for o in orders])
    id_of_order = np.zeros(len(plan.order_no), dtype=np.int64)
    id_of_order[orders] = [order_id[plan.order_no[o]] for o in orders]
    col = {name: values[rows] for name, values in plan.columns.items()}
    skus = col["sku"].tolist()
    _batch_products(
        session, skus, col["description"].tolist(), col["price"].tolist(), counts, known
    )
    lines = list(
        zip(
            id_of_order[plan.order_of_row[rows]].tolist(), col["line_no"].tolist(),
            [known.get(s) if s else None for s in skus], [s or None for s in skus],
            [d or None for d in col["description"].tolist()], col["quantity"].tolist(),
            col["price"].tolist(), col["amount"].tolist(), strict=True,
        )
    )  # fmt: skip
    columns = ["order_id", "line_no", "product_id", "sku", "description", "quantity",
               "unit_price", "amount"]  # fmt: skip
    _insert_tuples(session, _table(OrderLine), columns, lines, native=True)
    counts["lines_created"] += len(lines)


def _batch_products(
    session: Session, skus: list[str], names: list[str], prices: list[float],
    counts: dict[str, int], known: dict[str, int],
) -> None:  # fmt: skip
    """Find or create the batch's products by SKU (name: first description; price: last one)."""
    name_of: dict[str, str] = {}
    price_of: dict[str, float] = {}
    for sku, name, price in zip(skus, names, prices, strict=True):
        if sku and sku not in known:
            name_of.setdefault(sku, name)
            price_of[sku] = price
    if not name_of:
        return
    known.update(_ids_by_key(session, Product.sku, Product.id, list(name_of)))
    new = [(s, d or None, _money(price_of[s])) for s, d in name_of.items() if s not in known]
    _insert_tuples(session, _table(Product), ["sku", "name", "price"], new, conflict_keys=["sku"])
    counts["products_created"] += len(new)
    if new:
        known.update(_ids_by_key(session, Product.sku, Product.id, [p[0] for p in new]))


# --- feedback ---------------------------------------------------------------------------------


def _prepare_feedback(
    frame: pd.DataFrame, fields: dict[str, str], findings: v.Findings, tz: str, channel: str
) -> _Prepared:
    """Validate feedback: time, channel, text (cleaned, capped), rating within its scale."""
    rows = pd.DataFrame(index=frame.index)
    raw_time = _column(frame, fields, "received_at")
    _require(raw_time, "received_at", findings)
    rows["received_at"] = _date_column(frame, fields, "received_at", tz, findings)
    channel_raw = _column(frame, fields, "channel")
    mapped = v.map_enum(channel_raw, v.CHANNELS)
    findings.problem(
        (channel_raw != "") & mapped.isna(), "channel", "channel: unknown value", channel_raw
    )
    rows["channel"] = mapped.fillna(channel).astype(str)
    text = _column(frame, fields, "text")
    rows["text"] = v.cap_length(text, "text", v.MAX_TEXT_CHARS, findings)
    rating_raw = _column(frame, fields, "rating")
    rating = v.to_number(rating_raw)
    findings.problem(
        (rating_raw != "") & rating.isna(), "rating", "rating: not a number", rating_raw
    )
    findings.problem((text == "") & (rating_raw == ""), "text", "no text and no rating", text)
    rows["rating"] = rating
    rows["rating_scale"] = _rating_scales(frame, fields, rating, rating_raw, findings)
    rows["code"] = _key(frame, fields, "customer_id", findings)
    rows["order_no"] = _key(frame, fields, "order_no", findings)
    for name in ("store", "region", "touchpoint", "language"):
        rows[name] = _short_text(frame, fields, name, findings)
    given = _key(frame, fields, "source_ref", findings)
    rows["source_ref"] = given
    keep = _keep(frame, findings)
    kept = rows[keep].copy()
    no_ref = kept["source_ref"] == ""
    if no_ref.any():
        kept.loc[no_ref, "source_ref"] = [
            _feedback_hash(c, t, cust, txt)
            for c, t, cust, txt in kept.loc[
                no_ref, ["channel", "received_at", "code", "text"]
            ].itertuples(index=False)
        ]
    dup_ref = kept["source_ref"].duplicated(keep="first")
    findings.problem(
        pd.Series(dup_ref, index=kept.index).reindex(frame.index, fill_value=False),
        "source_ref", "same feedback id as an earlier row", given,
    )  # fmt: skip
    kept = kept[~dup_ref]
    details = {"rows_without_customer": int((kept["code"] == "").sum()),
               "source_ref": "column" if "source_ref" in fields else "sha256"}  # fmt: skip
    return _Prepared(kept, findings, details)


def _rating_scales(
    frame: pd.DataFrame,
    fields: dict[str, str],
    rating: pd.Series,
    raw: pd.Series,
    findings: v.Findings,
) -> pd.Series:
    """The scale of each rating: the mapped column, else inferred for the file (1-5 or 0-10)."""
    if "rating_scale" in fields:
        scale = _column(frame, fields, "rating_scale").str.replace(r"\s|–|~|～", "-", regex=True)
        findings.problem((scale != "") & ~scale.isin(list(v.RATING_SCALES)), "rating_scale",
                         f"rating_scale: use one of {', '.join(v.RATING_SCALES)}", scale)  # fmt: skip
    else:
        valid = rating.dropna()
        inferred = "1-5" if valid.between(1, 5).all() else "0-10"
        scale = pd.Series(inferred, index=frame.index, dtype=object)
    lo = scale.map(lambda s: v.RATING_SCALES.get(s, (0.0, 10.0))[0])
    hi = scale.map(lambda s: v.RATING_SCALES.get(s, (0.0, 10.0))[1])
    outside = rating.notna() & ((rating < lo) | (rating > hi))
    findings.problem(outside, "rating", "rating: outside its scale", raw)
    return scale.where(rating.notna(), "")


def _feedback_hash(channel: str, received: Any, customer: str, text: str) -> str:
    """Natural key of feedback without an id: SHA-256 of channel, time, customer and text."""
    stamp = received.isoformat() if hasattr(received, "isoformat") else str(received)
    payload = "\x1f".join([channel, stamp, customer, text]).encode("utf-8")
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def _load_feedback(
    sessions: sessionmaker[Session],
    prepared: _Prepared,
    report: ImportReport,
    batch_size: int,
    progress: ProgressCallback | None,
    _file_name: str,
) -> None:
    """Load feedback in batches, linking customers (created bare if new) and known orders."""
    rows = prepared.rows
    counts = {"customers_created": 0, "order_not_found": 0}
    total = len(rows)
    for start in range(0, total, batch_size):
        batch = rows.iloc[start : start + batch_size]
        with unit_of_work(sessions) as session:
            _feedback_batch(session, batch, counts, report)
        if progress:
            progress(min(start + batch_size, total), total)
    report.details.update(counts)


def _feedback_batch(
    session: Session, batch: pd.DataFrame, counts: dict[str, int], report: ImportReport
) -> None:
    """Insert the batch's new feedback items; existing source refs count as already present."""
    existing = _existing_keys(session, FeedbackItem.source_ref, batch["source_ref"].tolist())
    batch = batch[~batch["source_ref"].isin(existing)]
    report.already_present += len(existing)
    if batch.empty:
        return
    codes = [c for c in batch["code"].unique().tolist() if c]
    ids, created = customer_service.ensure_codes(session, codes)
    counts["customers_created"] += created
    order_nos = [o for o in batch["order_no"].unique().tolist() if o]
    orders = _ids_by_key(session, Order.order_no, Order.id, order_nos)
    counts["order_not_found"] += sum(1 for o in batch["order_no"] if o and o not in orders)
    items = [
        {"source_ref": ref, "channel": ch, "received_at": t.to_pydatetime(), "text": txt or None,
         "rating": None if pd.isna(r) else float(r), "rating_scale": sc or None,
         "customer_id": ids.get(code) if code else None, "order_id": orders.get(no) if no else None,
         "store": st or None, "region": rg or None, "touchpoint": tp or None, "language": lg or None}
        for ref, ch, t, txt, r, sc, code, no, st, rg, tp, lg in batch[
            ["source_ref", "channel", "received_at", "text", "rating", "rating_scale", "code",
             "order_no", "store", "region", "touchpoint", "language"]
        ].itertuples(index=False)
    ]  # fmt: skip
    customer_service.insert_ignoring_conflicts(session, _table(FeedbackItem), items, ["source_ref"])
    report.imported += len(items)


_PREPARERS: dict[str, Callable[[pd.DataFrame, dict[str, str], v.Findings, str, str], _Prepared]] = {
    "customers": _prepare_customers,
    "orders": _prepare_orders,
    "feedback": _prepare_feedback,
}
_LOADERS: dict[
    str,
    Callable[
        [sessionmaker[Session], _Prepared, ImportReport, int, ProgressCallback | None, str], None
    ],
] = {
    "customers": _load_customers,
    "orders": _load_orders,
    "feedback": _load_feedback,
}

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ImportReport",
    "Kind",
    "file_sha256",
    "import_file",
    "neutralise_cell",
]
