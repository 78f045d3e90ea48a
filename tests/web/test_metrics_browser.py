"""Headless Chromium: the /metrics page draws its trend charts without JavaScript errors."""

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
from manyi.feedback.models import FeedbackItem
from manyi.staff import service as staff_service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser-test-pass"
SCREENSHOT = Path("/tmp/manyi-metrics.png")


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
    """An admin and six months of NPS and CSAT answers, one month far below the rest."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        staff_service.create_user(
            session=session, username="admin", password=PASSWORD, role="admin"
        )
        usual = [10, 10, 9, 9, 10, 8, 7, 6, 3, 5]  # NPS 20
        bad = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]  # NPS -40: outside the limits
        for month in range(1, 7):
            cycle = bad if month == 5 else usual
            for i in range(40):
                answers = (("0-10", cycle[i % 10], "survey"), ("1-5", 1 + i % 5, "review"))
                for scale, rating, channel in answers:
                    session.add(
                        FeedbackItem(source_ref=f"{scale}-{month}-{i}", channel=channel,
                                     rating=rating, rating_scale=scale, region="华东",
                                     received_at=datetime(2026, month, 1 + i % 28, tzinfo=UTC))
                    )  # fmt: skip
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """uvicorn serving a seeded SQLite database in a background thread; yields the base URL."""
    _need_browser()
    import uvicorn

    from manyi.web.app import create_app

    settings = Settings(data_dir=tmp_path, secret_key="test", language="en")
    _seed(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
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


def test_metrics_page_draws_both_trends(server: str) -> None:
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
            page.goto(server + "/metrics")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(server + "/metrics")
            page.wait_for_selector("#chart-nps canvas", timeout=15_000)
            page.wait_for_selector("#chart-csat canvas", timeout=15_000)
            assert page.inner_text("#nps-flagged").strip().endswith(": 2026-05")
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert errors == [], errors
