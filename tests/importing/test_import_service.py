"""import_file on SQLite and PostgreSQL: hostile cells, duplicates, idempotency, reports."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from manyi.customer.models import ConsentEvent, Customer, CustomerIdentity
from manyi.errors import InputError
from manyi.feedback.models import FeedbackItem
from manyi.importing.models import ImportRun
from manyi.importing.service import import_file
from manyi.order.models import Order, OrderLine

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "1); SELECT pg_sleep(5)--",
]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_customers_gbk_chinese_headers_identities_consent(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    text = (
        "客户编号,姓名,性别,生日,城市,手机,邮箱,consent_marketing\n"
        "C1,张三,男,1990年2月3日,北京,138 0013 8000,ZS@Example.com,是\n"
        "C2,李四,女,2023-02-30,上海,13900139000,,否\n"
        "C3,王五,F,1985/7/8,广州,not-a-phone,,\n"
        "C4,赵六,未填,1970-01-01,深圳,,ws@example.com,1\n"
    )
    path = _write(tmp_path / "客户.csv", text, "gbk")
    report = import_file(
        sessions=session_factory, kind="customers", path=path, quarantine_dir=tmp_path
    )
    assert report.rows_read == 4
    assert report.imported == 2  # C1, C4; C2 bad date, C3 bad phone
    assert report.set_aside == {
        "birthday: not a valid date/time": 1,
        "phone: not a phone number": 1,
    }
    assert report.warnings == {"gender not recognised: stored as unknown": 1}
    with session_factory() as s:
        c1 = s.scalars(select(Customer).where(Customer.customer_code == "C1")).one()
        assert (c1.name, c1.gender, c1.city, str(c1.birthday)) == (
            "张三",
            "male",
            "北京",
            "1990-02-03",
        )
        idents = set(s.execute(select(CustomerIdentity.kind, CustomerIdentity.value)).all())
        assert ("phone", "+8613800138000") in idents
        assert ("email", "zs@example.com") in idents
        events = s.execute(
            select(ConsentEvent.purpose, ConsentEvent.granted, ConsentEvent.source)
        ).all()
        assert sorted(events) == [("marketing", True, "import:客户.csv")] * 2
    rows = list(csv.reader(report.quarantine_path.open(encoding="utf-8-sig")))  # type: ignore[union-attr]
    assert rows[0][:4] == ["row", "field", "reason", "value"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("3", "birthday"), ("4", "phone")]
    summary = json.loads(report.summary_path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert summary["imported"] == 2 and summary["set_aside_total"] == 2
    # Re-import: nothing new, consent unchanged -> no new events.
    again = import_file(
        sessions=session_factory, kind="customers", path=path, quarantine_dir=tmp_path
    )
    assert (again.imported, again.already_present) == (0, 2)
    assert _count(session_factory, ConsentEvent) == 2
    # Withdrawal is a change -> one new event.
    _write(tmp_path / "w.csv", "customer_id,consent_marketing\nC1,no\n")
    import_file(
        sessions=session_factory, kind="customers", path=tmp_path / "w.csv", quarantine_dir=tmp_path
    )
    assert _count(session_factory, ConsentEvent) == 3


def test_identity_resolution_across_rows(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(tmp_path / "c.csv", "id,email\nA,a@x.com\nB,a@x.com\nA2,A@X.COM\n")
    report = import_file(
        sessions=session_factory, kind="customers", path=path, mapping={"customer_id": "id"},
        quarantine_dir=tmp_path,
    )  # fmt: skip
    assert report.imported == 1
    assert report.already_present == 2
    assert report.details["matched_by_identity"] == 2
    assert _count(session_factory, Customer) == 1


def test_orders_lines_cancellations_duplicates_and_reimport(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    text = (
        "InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country\n"
        "536365;85123A;WHITE HEART;6;2010-12-01 08:26:00;2.55;17850.0;United Kingdom\n"
        "536365;71053;LANTERN;6;2010-12-01 08:26:00;3.39;17850.0;United Kingdom\n"
        "536365;71053;LANTERN;6;2010-12-01 08:26:00;3.39;17850.0;United Kingdom\n"
        "C536379;D;Discount;-1;2010-12-01 09:41:00;27.50;14527.0;United Kingdom\n"
        "536370;22728;ALARM CLOCK;24;2010-12-01 08:45:00;3.75;;France\n"
        "536371;22728;ALARM CLOCK;2.5;2010-12-01 08:45:00;3.75;;France\n"
        "536372;22728;ALARM CLOCK;1;2010-02-30 08:45:00;3.75;;France\n"
        "A563187;B;Adjust bad debt;1;2011-08-12 14:52:00;-11062.06;;United Kingdom\n"
    )
    path = _write(tmp_path / "orders.csv", text)
    report = import_file(
        sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path
    )
    assert report.rows_read == 8
    assert report.imported == 4
    assert report.set_aside == {
        "duplicate of an earlier row": 1, "quantity: not a whole number": 1,
        "ordered_at: not a valid date/time": 1, "unit_price: negative price": 1,
    }  # fmt: skip
    assert report.details["customers_created"] == 2
    assert report.details["rows_without_customer"] == 1
    q = list(csv.DictReader(report.quarantine_path.open(encoding="utf-8-sig")))  # type: ignore[union-attr]
    assert q[0]["row"] == "4" and q[0]["value"] == "duplicate of row 3"
    with session_factory() as s:
        orders = {o.order_no: o for o in s.scalars(select(Order))}
        assert set(orders) == {"536365", "C536379", "536370"}
        first = orders["536365"]
        assert first.total_amount == Decimal("35.64")
        assert first.status == "completed"
        assert first.ordered_at == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
        assert orders["C536379"].status == "cancelled"
        assert orders["C536379"].total_amount == Decimal("-27.50")
        assert orders["536370"].customer_id is None
        lines = s.execute(
            select(OrderLine.line_no, OrderLine.sku, OrderLine.quantity, OrderLine.amount)
            .where(OrderLine.order_id == first.id).order_by(OrderLine.line_no)
        ).all()  # fmt: skip
        assert [tuple(r) for r in lines] == [
            (1, "85123A", 6, Decimal("15.30")),
            (2, "71053", 6, Decimal("20.34")),
        ]
        assert (
            s.scalars(select(Customer.country).where(Customer.customer_code == "17850")).one()
            == "United Kingdom"
        )
    again = import_file(sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path)
    assert (again.imported, again.already_present) == (0, 4)
    assert _count(session_factory, OrderLine) == 4
    assert _count(session_factory, ImportRun) == 2


def test_feedback_hostile_text_stored_verbatim(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    long_text = "好" * 10_000
    huge = "x" * 25_000
    rows = [["评论", "评分", "时间", "渠道", "客户编号"]]
    rows += [[h, "5", "2024-03-01 10:00", "微博", "K1"] for h in HOSTILE]
    rows += [
        ["emoji 😀👍🏽 and zero\u200bwidth", "4", "2024年3月2日", "review", ""],
        ["nul\x00 and bell\x07 kept\ttab\nnewline", "3", "2024/03/03", "", "K2"],
        [long_text, "1", "2024-03-04T08:00:00+08:00", "app store", ""],
        [huge, "2", "2024-03-05", "email", ""],
        ["bad date", "5", "2023-02-30", "email", ""],
        ["bad rating", "11", "2024-03-05", "email", ""],
        ["bad channel", "5", "2024-03-05", "pigeon", ""],
    ]
    path = tmp_path / "fb.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path,
        source_timezone="Asia/Shanghai",
    )  # fmt: skip
    assert report.imported == 8
    assert report.set_aside == {"received_at: not a valid date/time": 1,
                                "rating: outside its scale": 1, "channel: unknown value": 1}  # fmt: skip
    assert report.warnings == {"longer than 20000 characters: cut to 20000": 1}
    with session_factory() as s:
        texts = {t: (ch, r, sc) for t, ch, r, sc in s.execute(
            select(FeedbackItem.text, FeedbackItem.channel, FeedbackItem.rating, FeedbackItem.rating_scale))}  # fmt: skip
        for h in HOSTILE:
            assert texts[h] == ("social", 5.0, "0-10")  # scale inferred from the file
        assert "emoji 😀👍🏽 and zerowidth" in texts
        assert "nul and bell kept\ttab\nnewline" in texts
        assert long_text in texts
        assert "x" * 20_000 in texts
        times = s.scalars(
            select(FeedbackItem.received_at).where(FeedbackItem.text == long_text)
        ).one()
        assert times == datetime(2024, 3, 4, 0, 0, tzinfo=UTC)
        first = s.scalars(
            select(FeedbackItem.received_at).where(FeedbackItem.text == HOSTILE[0])
        ).one()
        assert first == datetime(2024, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
        assert _count(session_factory, Customer) == 2
    again = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path,
        source_timezone="Asia/Shanghai",
    )  # fmt: skip
    assert (again.imported, again.already_present) == (0, 8)
    assert _count(session_factory, FeedbackItem) == 8


def test_quarantine_neutralises_formulas(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "o.csv",
        "order_no,ordered_at,amount\n=cmd|' /C calc'!A0,never,1\n1,2024-01-01,2\n",
    )
    report = import_file(
        sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == 1 and report.set_aside_total == 1
    rows = list(csv.reader(report.quarantine_path.open(encoding="utf-8-sig")))  # type: ignore[union-attr]
    assert rows[1][4] == "'=cmd|' /C calc'!A0"
    with session_factory() as s:
        assert s.scalars(select(Order.total_amount)).one() == Decimal("2.00")


def test_order_level_file_and_formula_key_stored_verbatim(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "o.csv",
        "订单号\t下单时间\t金额\t状态\t客户编号\n=1+1\t2024-01-01 10:00\t¥1,234.50\t已退款\tK\n",
    )
    report = import_file(
        sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == 1
    with session_factory() as s:
        order = s.scalars(select(Order)).one()
        assert (order.order_no, order.status, order.total_amount) == (
            "=1+1",
            "returned",
            Decimal("1234.50"),
        )
        assert _count(session_factory, OrderLine) == 0


def test_unusable_input_raises_and_records_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _write(tmp_path / "h.csv", "customer_id,name\n")
    with pytest.raises(InputError, match="no data rows"):
        import_file(sessions=session_factory, kind="customers", path=path)
    with pytest.raises(InputError, match="required column"):
        import_file(
            sessions=session_factory, kind="orders", path=_write(tmp_path / "x.csv", "a,b\n1,2\n")
        )
    with pytest.raises(InputError, match="timezone"):
        import_file(
            sessions=session_factory, kind="customers", path=path, source_timezone="Mars/Base"
        )
    assert _count(session_factory, ImportRun) == 0


def test_batches_and_progress(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    lines = ["order_no,ordered_at,sku,quantity,unit_price"]
    for order in range(10):
        lines += [f"O{order},2024-01-01,S{line},1,1.00" for line in range(3)]
    path = _write(tmp_path / "b.csv", "\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []
    report = import_file(sessions=session_factory, kind="orders", path=path, batch_size=4,
                         progress=lambda d, t: seen.append((d, t)), quarantine_dir=tmp_path)  # fmt: skip
    assert report.imported == 30
    assert seen[-1] == (30, 30)
    assert all(d % 3 == 0 for d, _ in seen)  # orders are never split across batches
    with session_factory() as s:
        assert s.scalar(select(func.max(OrderLine.line_no))) == 3


def test_failed_load_marks_the_run(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from manyi.importing import service

    def boom(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setitem(service._LOADERS, "orders", boom)
    path = _write(tmp_path / "o.csv", "order_no,ordered_at\n1,2024-01-01\n")
    with pytest.raises(RuntimeError):
        import_file(sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path)
    with session_factory() as s:
        assert s.scalars(select(ImportRun.status)).one() == "failed"


def test_overlapping_file_adds_only_the_new_orders(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """A batch mixing known and new orders (e.g. a re-run after kill -9) loads only the new."""
    header = "order_no,ordered_at,customer_id,sku,description,quantity,unit_price"
    lines = [f"O{o},2024-01-0{o},K{o % 2},S{n},item {n},{n},1.50" for o in range(1, 7)
             for n in range(1, 3)]  # fmt: skip
    first = _write(tmp_path / "a.csv", "\n".join([header, *lines[:5]]) + "\n")  # O1, O2, O3 half
    report = import_file(
        sessions=session_factory, kind="orders", path=first, quarantine_dir=tmp_path
    )
    assert report.imported == 5
    both = _write(tmp_path / "b.csv", "\n".join([header, *lines]) + "\n")
    again = import_file(sessions=session_factory, kind="orders", path=both, quarantine_dir=tmp_path)
    assert (again.imported, again.already_present) == (6, 6)  # O3's lines count as present
    assert again.details["orders_already_present"] == 3
    assert again.details["customers_created"] == 0 and again.details["products_created"] == 0
    with session_factory() as s:
        got = s.execute(
            select(Order.order_no, Order.total_amount, func.count(OrderLine.id))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .group_by(Order.order_no, Order.total_amount).order_by(Order.order_no)
        ).all()  # fmt: skip
    assert [tuple(r) for r in got] == [
        ("O1", Decimal("4.50"), 2), ("O2", Decimal("4.50"), 2), ("O3", Decimal("1.50"), 1),
        ("O4", Decimal("4.50"), 2), ("O5", Decimal("4.50"), 2), ("O6", Decimal("4.50"), 2),
    ]  # fmt: skip
    assert _count(session_factory, Customer) == 2


def test_one_big_batch_with_more_keys_than_sql_parameters(
    engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """More distinct keys in one batch than a statement may bind: every IN list is chunked.

    SQLite is held to 999 parameters (its old default) and the chunk to 900.
    """
    from manyi.customer import service as customer_service

    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda conn, _rec: conn.setlimit(
            sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999))  # fmt: skip
    monkeypatch.setattr(customer_service, "IN_CHUNK", 900)
    n = 3_000
    orders = ["order_no,ordered_at,customer_id,sku,quantity,unit_price"]
    orders += [f"O{i},2024-01-01,K{i},S{i},1,1" for i in range(n)]
    path = _write(tmp_path / "o.csv", "\n".join(orders) + "\n")
    report = import_file(
        sessions=session_factory, kind="orders", path=path, quarantine_dir=tmp_path
    )
    assert (report.imported, report.details["customers_created"]) == (n, n)
    assert report.details["products_created"] == n
    feedback = ["id,text,date,order_no,customer_id"]
    feedback += [f"F{i},ok,2024-01-02,O{i},K{i}" for i in range(n)]
    path = _write(tmp_path / "f.csv", "\n".join(feedback) + "\n")
    report = import_file(
        sessions=session_factory, kind="feedback", path=path, quarantine_dir=tmp_path
    )
    assert report.imported == n
    assert (report.details["customers_created"], report.details["order_not_found"]) == (0, 0)
    customers = ["customer_id,email"] + [f"K{i},k{i}@example.com" for i in range(n)]
    path = _write(tmp_path / "c.csv", "\n".join(customers) + "\n")
    report = import_file(
        sessions=session_factory, kind="customers", path=path, quarantine_dir=tmp_path
    )
    assert (report.imported, report.already_present) == (0, n)
    assert report.details["identities_added"] == n
    again = import_file(sessions=session_factory, kind="orders", path=tmp_path / "o.csv",
                        quarantine_dir=tmp_path)  # fmt: skip
    assert (again.imported, again.already_present) == (0, n)
