"""The real Online Retail file imports with no flags, and every row is accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from manyi.customer.models import Customer
from manyi.importing.service import import_file
from manyi.order.models import Order, OrderLine
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade


@pytest.mark.slow
def test_online_retail_account(shared_data: Path, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'retail.db'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    path = shared_data / "online_retail" / "online_retail.csv.gz"
    report = import_file(sessions=sessions, kind="orders", path=path, quarantine_dir=tmp_path)
    d = report.details
    assert report.rows_read == 541_909
    assert report.set_aside == {
        "duplicate of an earlier row": 5_268,
        "unit_price: negative price": 2,
    }
    assert report.imported == 541_909 - 5_270 == 536_639
    assert d["orders_in_file"] == 25_900
    assert d["orders_created"] == 25_898  # A563186, A563187: only a negative-price line each
    assert d["customers_created"] == d["customers_in_file"] == 4_372
    assert d["rows_without_customer"] == 135_035  # 135,080 in the file, 45 were exact duplicates
    assert d["cancellation_rows"] == 9_251
    with make_session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 4_372
        assert s.scalar(select(func.count()).select_from(Order)) == 25_898
        assert s.scalar(select(func.count()).select_from(OrderLine)) == 536_639
        cancelled = s.scalar(select(func.count()).where(Order.status == "cancelled"))
        assert cancelled == d["cancelled_orders"] == 3_836
    again = import_file(sessions=sessions, kind="orders", path=path, quarantine_dir=tmp_path)
    assert (again.imported, again.already_present) == (0, 536_639)
    engine.dispose()
