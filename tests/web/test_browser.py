"""Headless Chromium: log in through the form and see the ECharts chart drawn, without JS errors."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from manyi.config import Settings
from manyi.customer.models import Customer
from manyi.feedback.models import FeedbackItem
from manyi.staff import service as staff_service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path("/tmp/manyi-home.png")
PASSWORD = "browser-test-pass"


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


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(settings: Settings) -> None:
    """An admin user and a few feedback items over three months and two channels."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        staff_service.create_user(
            session=session, username="admin", password=PASSWORD, role="admin"
        )
        customer = Customer(customer_code="C1", name="<b>张三</b>")
        session.add(customer)
        session.flush()
        for i in range(9):
            session.add(
                FeedbackItem(
                    source_ref=f"fb-{i}",
                    channel="email" if i % 2 else "chat",
                    received_at=datetime(2025, 1 + i % 3, 10, tzinfo=UTC),
                    text="<script>alert(1)</script> 快递太慢" if i == 0 else "服务很好",
                    customer_id=customer.id,
                )
            )
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """uvicorn serving a fresh SQLite database in a background thread; yields the base URL."""
    _need_browser()
    import uvicorn

    from manyi.web.app import create_app

    settings = Settings(data_dir=tmp_path, secret_key="test", language="en")
    _seed(settings)
    port = _free_port()
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


def test_login_and_home_chart(server: str) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + "/")
            assert "/login" in page.url
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(server + "/")
            page.wait_for_selector("#feedback-chart canvas, #feedback-chart svg", timeout=15_000)
            assert page.inner_text("#count-feedback") == "9"
            page.wait_for_timeout(500)  # let the bars animate in before the screenshot
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            page.goto(server + "/feedback")
            assert page.locator("script:has-text('alert(1)')").count() == 0
            assert "<script>alert(1)</script>" in page.inner_text("table")
            page.screenshot(path=str(SCREENSHOT.with_name("manyi-feedback.png")), full_page=True)
        finally:
            browser.close()
    assert errors == [], errors
