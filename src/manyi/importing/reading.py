"""Read CSV (any common encoding and delimiter), .csv.gz, XLSX and JSON Lines into string columns.

Every cell comes back as a Python ``str`` (empty string for a missing value): validation is done
by :mod:`manyi.importing.validation`, never by the parser guessing types. Row numbers follow the
spreadsheet convention: the header is row 1 of the file, so the first data record is row 2
(a quoted field with embedded newlines still counts as one row).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from manyi.errors import InputError

#: Largest uncompressed size accepted for an XLSX (all entries together).
XLSX_MAX_UNCOMPRESSED = 1_000_000_000
#: Largest compression ratio accepted for one XLSX entry bigger than 1 MB (zip bombs exceed 1000).
XLSX_MAX_RATIO = 200
#: Largest uncompressed size accepted for a .gz file.
GZIP_MAX_UNCOMPRESSED = 4_000_000_000
DELIMITERS = (",", ";", "\t", "|")
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
SUPPORTED = ".csv, .tsv, .txt, .csv.gz, .xlsx, .jsonl/.ndjson"


@dataclass(frozen=True)
class Table:
    """A file read as strings: the frame plus what was detected about it."""

    frame: pd.DataFrame
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None


def file_format(path: Path) -> str:
    """The format named by the file's suffix: csv, csv.gz, xlsx or jsonl."""
    name = path.name.lower()
    if name.endswith((".csv.gz", ".tsv.gz", ".txt.gz")):
        return "csv.gz"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        return "jsonl"
    raise InputError(f"{path.name}: unsupported file type (use {SUPPORTED})")


def read_table(path: Path) -> Table:
    """Read a supported file into a frame of strings; raise InputError for unusable input."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = file_format(path)
    if kind == "xlsx":
        table = Table(_read_xlsx(path), "xlsx")
    else:
        data = path.read_bytes()
        if kind == "csv.gz" or path.name.lower().endswith(".gz"):
            data = _gunzip(data, path)
        text, encoding = decode_bytes(data, path.name)
        text = text.replace("\x00", "")  # NUL bytes are never data; the C parser stops at them
        if kind == "jsonl":
            table = Table(_read_jsonl(text, path.name), "jsonl", encoding)
        else:
            delimiter = sniff_delimiter(text)
            table = Table(_read_csv(text, delimiter, path.name), kind, encoding, delimiter)
    if table.frame.shape[0] == 0:
        raise InputError(f"{path.name}: the file has a header but no data rows")
    return table


def _gunzip(data: bytes, path: Path) -> bytes:
    """Decompress a gzip file, refusing corrupt archives and absurd sizes."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(GZIP_MAX_UNCOMPRESSED + 1)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path.name}: not a valid gzip file ({exc})") from exc
    if len(out) > GZIP_MAX_UNCOMPRESSED:
        raise InputError(f"{path.name}: decompresses to more than {GZIP_MAX_UNCOMPRESSED} bytes")
    return out


def decode_bytes(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode text: strict UTF-8 (BOM dropped) first, then GB18030; refuse binary data."""
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    head = data[:65536]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if head.count(b"\x00") > len(head) // 100 and not utf16:
        raise InputError(f"{name}: this is a binary file, not text (CSV/JSONL expected)")
    if utf16:
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: invalid UTF-16 text") from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_textual(text):
        return text, "gb18030"
    return _decode_guessed(data, name)


def _looks_textual(text: str) -> bool:
    """Whether decoded text is mostly printable (binary junk decodes into control characters)."""
    sample = text[:65536]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return bad <= len(sample) // 100


def _decode_guessed(data: bytes, name: str) -> tuple[str, str]:
    """Last resort: let charset-normalizer guess, refusing anything that is not text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name}: this is a binary file or an unknown encoding, not text")
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"{name}: cannot decode as {best.encoding}") from exc
    if not _looks_textual(text):
        raise InputError(f"{name}: this is a binary file, not text")
    return text, best.encoding


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter among , ; tab | that splits the header line into the most columns."""
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS))
        sniffed: str | None = dialect.delimiter
    except csv.Error:
        sniffed = None
    header = next(iter(csv.reader(io.StringIO(sample))), [""])
    first_line = ",".join(header) if len(header) > 1 else sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    if len(header) > 1:
        counts[","] = len(header) - 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    if sniffed and counts.get(sniffed, 0) >= counts[best] and counts[sniffed] > 0:
        return sniffed
    return best if counts[best] > 0 else ","


def _read_csv(text: str, delimiter: str, name: str) -> pd.DataFrame:
    """Parse delimited text with pandas' C parser, every cell a string."""
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{name}: the file is empty") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{name}: cannot parse as delimited text: {exc}") from exc
    return _clean_headers(frame, name)


def _clean_headers(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Strip header names, refuse blank or duplicate ones."""
    headers = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if not headers or all(h == "" or h.startswith("Unnamed:") for h in headers):
        raise InputError(f"{name}: no header row found")
    seen: set[str] = set()
    for h in headers:
        if h in seen and not h.startswith("Unnamed:"):
            raise InputError(f"{name}: column {h!r} appears twice in the header")
        seen.add(h)
    frame.columns = pd.Index(headers)
    if frame.isna().any().any():
        frame = frame.astype(object).where(frame.notna(), "")
    return frame.astype(TEXT)


def _read_jsonl(text: str, name: str) -> pd.DataFrame:
    """Parse JSON Lines: one object per line, values turned into strings."""
    records: list[dict[str, str]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: line {lineno} is not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise InputError(f"{name}: line {lineno} is not a JSON object")
        records.append({str(k): _cell_text(v) for k, v in obj.items()})
    if not records:
        raise InputError(f"{name}: the file has no JSON records")
    return pd.DataFrame.from_records(records).fillna("").astype(str)


def _cell_text(value: Any) -> str:
    """A cell value as text: None -> '', whole floats without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def check_xlsx_archive(path: Path) -> None:
    """Refuse XLSX files that are not zips, hold path-traversal entries or are zip bombs."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path.name}: not a valid .xlsx file (not a zip archive)") from exc
    with archive:
        total = 0
        for info in archive.infolist():
            entry = PurePosixPath(info.filename.replace("\\", "/"))
            if entry.is_absolute() or ".." in entry.parts:
                raise InputError(f"{path.name}: refused, archive entry {info.filename!r} escapes")
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1_000_000 and ratio > XLSX_MAX_RATIO:
                raise InputError(
                    f"{path.name}: refused, entry {info.filename!r} expands {ratio:.0f}x "
                    "(zip bomb?)"
                )
        if total > XLSX_MAX_UNCOMPRESSED:
            raise InputError(
                f"{path.name}: refused, expands to {total} bytes (limit {XLSX_MAX_UNCOMPRESSED})"
            )


def _read_xlsx(path: Path) -> pd.DataFrame:
    """Read the first sheet of an XLSX in read-only mode after checking the archive."""
    check_xlsx_archive(path)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(f"{path.name}: cannot open as .xlsx ({type(exc).__name__})") from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputError(f"{path.name}: the first sheet is empty")
        names = [_cell_text(h).strip() for h in header]
        width = max((i + 1 for i, h in enumerate(names) if h), default=0)
        if width == 0:
            raise InputError(f"{path.name}: no header row found")
        names = [h or f"Unnamed: {i}" for i, h in enumerate(names[:width])]
        body = []
        for row in rows:
            cells = [_cell_text(v) for v in row[:width]]
            if any(cells):
                body.append(cells + [""] * (width - len(cells)))
    finally:
        book.close()
    return _clean_headers(pd.DataFrame(body, columns=names, dtype=object), path.name)
