"""Reading: encodings, delimiters, quoting, gzip, XLSX safety and JSONL; unusable files refused."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from manyi.errors import InputError
from manyi.importing.reading import read_table, sniff_delimiter

ROWS = "客户编号,姓名,城市\nC1,张三,北京\nC2,李四,上海\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8"),
        (ROWS.encode("gbk"), "gb18030"),
        (ROWS.encode("gb18030"), "gb18030"),
    ],
)
def test_encodings_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    table = read_table(path)
    assert table.encoding == encoding
    assert list(table.frame.columns) == ["客户编号", "姓名", "城市"]
    assert table.frame.iloc[1].tolist() == ["C2", "李四", "上海"]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_sniffed(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(ROWS.replace(",", sep), encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == sep
    assert table.frame.shape == (2, 3)


def test_semicolon_with_commas_in_values() -> None:
    assert sniff_delimiter("a;b;c\n1,5;2,5;x\n") == ";"


def test_embedded_newlines_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,text\n1,"line one\nline two, ""quoted"""\n2,plain\n', encoding="utf-8")
    frame = read_table(path).frame
    assert frame["text"].tolist() == ['line one\nline two, "quoted"', "plain"]


def test_all_cells_are_strings(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id,qty,flag\n007,1.50,NA\n008,,null\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame["id"].tolist() == ["007", "008"]
    assert frame["qty"].tolist() == ["1.50", ""]
    assert frame["flag"].tolist() == ["NA", "null"]


def test_gzip(tmp_path: Path) -> None:
    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress(ROWS.encode("utf-8")))
    table = read_table(path)
    assert table.file_format == "csv.gz"
    assert len(table.frame) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"a,b,c\n", "no data rows"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "binary"),
    ],
)
def test_unusable_files_give_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_table(path)


def test_missing_and_unsupported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    other = tmp_path / "x.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unsupported"):
        read_table(other)


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(
        '{"id": 1, "text": "好", "score": 4.0, "n": null}\n\n{"id": 2, "text": "ok"}\n',
        encoding="utf-8",
    )
    frame = read_table(path).frame
    assert frame["id"].tolist() == ["1", "2"]
    assert frame["score"].tolist() == ["4", ""]
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": 1}\n[1,2]\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_table(bad)


def test_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["客户编号", "生日", "积分"])
    sheet.append(["C1", "1990-01-02", 12.0])
    sheet.append([None, None, None])
    sheet.append(["C2", None, 3])
    path = tmp_path / "c.xlsx"
    book.save(path)
    frame = read_table(path).frame
    assert frame["客户编号"].tolist() == ["C1", "C2"]
    assert frame["积分"].tolist() == ["12", "3"]


def _zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_xlsx_zip_bomb_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _zip(path, {"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * 50_000_000})
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError, match="zip bomb"):
        read_table(path)


def test_xlsx_traversal_entry_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.xlsx"
    _zip(path, {"[Content_Types].xml": b"<x/>", "../../evil.sh": b"echo pwned"})
    with pytest.raises(InputError, match="escapes"):
        read_table(path)


def test_xlsx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(io.BytesIO(b"just text").getvalue())
    with pytest.raises(InputError, match=r"not a valid \.xlsx"):
        read_table(path)
