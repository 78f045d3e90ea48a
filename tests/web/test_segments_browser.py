"""Headless Chromium: the segments page draws its Sankey chart and the 360 page runs no script."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from manyi.config import Settings
from manyi.customer.models import Customer
from manyi.order.models import Order, OrderLine
from manyi.segment import service as segment_service
from manyi.staff import service as staff_service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser-test-pass"
HOSTILE = "<script>window.__pwned = 1</script>"


def _need_browser() -> None:
    """Skip (or fail when MANYI_REQUIRE_BROWSER is set) if Chromium or Playwright is missing."""
    missing = None
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing = f"Chromium not found at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the Python playwright package is not installed"
    if missing:
        if os.environ.get("MANYI_REQUIRE_BROWSER"):
            pytest.fail(f"MANYI_REQUIRE_BROWSER is set but {missing}")
        pytest.skip(missing)


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
def server(tmp_path: Path) -> Iterator[str]:
    """uvicorn on a fresh SQLite database in a background thread; yields the base URL."""
    _need_browser()
    import uvicorn

    from manyi.web.app import create_app

    settings = Settings(data_dir=tmp_path, secret_key="test", language="en")
    _seed(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_sankey_is_drawn_and_hostile_names_stay_text(server: str) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + "/segments?kind=tier")
            page.fill("input[name=username]", "analyst")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(server + "/segments?kind=tier")
            page.wait_for_selector("#sankey-chart canvas", timeout=15_000)
            assert page.locator("#transition-matrix tbody tr").count() >= 3
            assert page.locator(".persona").count() >= 2
            page.goto(server + "/customers/C00")
            assert HOSTILE in page.inner_text("h1")
            assert page.evaluate("window.__pwned === undefined")
        finally:
            browser.close()
    assert errors == [], errors
