"""Headless Chromium: the segments page draws its Sankey chart and the 360 page runs no script."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from manyi.config import Settings
from manyi.customer.models import Customer
from manyi.order.models import Order, OrderLine
from manyi.segment import service as segment_service
from manyi.staff import service as staff_service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

if TYPE_CHECKING:
    from conftest import BrowserPage

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"
HOSTILE = "<script>window.__pwned = 1</script>"


def _seed(settings: Settings) -> None:
    """An analyst, twelve buyers (one with a hostile name) and snapshots on two days."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as session:
        staff_service.create_user(
            session=session, username="analyst", password=PASSWORD, role="analyst"
        )
        for i in range(12):
            customer = Customer(customer_code=f"C{i:02d}", name=HOSTILE if i == 0 else f"客户{i}")
            session.add(customer)
            session.flush()
            for k in range(1 + i % 4):
                amount = Decimal(20 + 15 * i)
                order = Order(
                    order_no=f"O{i}-{k}",
                    customer_id=customer.id,
                    ordered_at=datetime(2024, 1, 3, tzinfo=UTC) + timedelta(days=9 * i + 25 * k),
                    total_amount=amount,
                )
                session.add(order)
                session.flush()
                session.add(
                    OrderLine(
                        order_id=order.id, line_no=1, quantity=1, unit_price=amount, amount=amount
                    )
                )
    for day in (date(2024, 3, 31), date(2024, 6, 30)):
        with unit_of_work(sessions) as session:
            segment_service.compute_snapshots(session=session, as_of=day)
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path, browser_required: None, live_server: Callable[[Settings], str]) -> str:
    """A seeded SQLite database served in the background; the base URL."""
    settings = Settings(data_dir=tmp_path, secret_key="test", language="en")
    _seed(settings)
    return live_server(settings)


def test_sankey_is_drawn_and_hostile_names_stay_text(
    server: str, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    browser_page.log_in(server + "/segments?kind=tier", "analyst", PASSWORD)
    page.wait_for_selector("#sankey-chart canvas", timeout=15_000)
    assert page.locator("#transition-matrix tbody tr").count() >= 3
    assert page.locator(".persona").count() >= 2
    page.goto(server + "/customers/C00")
    assert HOSTILE in page.inner_text("h1")
    assert page.evaluate("window.__pwned === undefined")
    assert browser_page.errors == [], browser_page.errors


def test_api_docs_render_from_this_server_under_the_strict_csp(
    server: str, browser_page: BrowserPage
) -> None:
    """Swagger UI comes from the fastapi-offline package, not a CDN, and runs no inline
    script: the docs page works offline and under the CSP of every other page."""
    page = browser_page.page
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    browser_page.log_in(server + "/segments", "analyst", PASSWORD)
    page.goto(server + "/api/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 20
    assert "/api/customers" in page.inner_text("#swagger-ui")
    assert outside == [] and browser_page.errors == [], (outside, browser_page.errors)
