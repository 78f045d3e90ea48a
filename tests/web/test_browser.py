"""Headless Chromium: log in through the form and see the ECharts chart drawn, without JS errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from manyi.config import Settings
from manyi.customer.models import Customer
from manyi.feedback.models import FeedbackItem
from manyi.staff import service as staff_service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

if TYPE_CHECKING:
    from conftest import BrowserPage

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/manyi-home.png")
PASSWORD = "browser-test-pass"


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
def server(tmp_path: Path, browser_required: None, live_server: Callable[[Settings], str]) -> str:
    """A fresh, seeded SQLite database served in the background; the base URL."""
    settings = Settings(data_dir=tmp_path, secret_key="test", language="en")
    _seed(settings)
    return live_server(settings)


def _log_in(browser: BrowserPage, base: str, username: str, password: str) -> None:
    """Log in from the home page and wait for its chart."""
    browser.log_in(base + "/", username, password)
    browser.page.wait_for_selector("#feedback-chart canvas, #feedback-chart svg", timeout=15_000)


def test_login_and_home_chart(server: str, browser_page: BrowserPage) -> None:
    page = browser_page.page
    _log_in(browser_page, server, "admin", PASSWORD)
    assert page.inner_text("#count-feedback") == "9"
    page.wait_for_timeout(500)  # let the bars animate in before the screenshot
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.goto(server + "/feedback")
    assert page.locator("script:has-text('alert(1)')").count() == 0
    assert "<script>alert(1)</script>" in page.inner_text("table")
    page.screenshot(path=str(SCREENSHOT.with_name("manyi-feedback.png")), full_page=True)
    assert browser_page.errors == [], browser_page.errors


def _read_login(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Read quickstart's output until it prints the URL and the login; returns (url, password)."""
    assert proc.stdout is not None
    url = password = None
    output: list[str] = []
    for line in proc.stdout:
        output.append(line)
        if url is None and (found := re.search(r"http://127\.0\.0\.1:\d+/", line)):
            url = found.group(0).rstrip("/")
        if (found := re.search(r"admin\s+/\s+(\S+)", line)) and url:
            password = found.group(1)
            break
    if url is None or password is None:
        pytest.fail("quickstart printed no URL and login:\n" + "".join(output))
    return url, password


def _wait_until_up(url: str, proc: subprocess.Popen[str]) -> None:
    """Poll /api/health until the server answers (or the process dies, or 60 s pass)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"quickstart exited with {proc.returncode} before serving")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("quickstart's server did not answer within 60 s")


def test_quickstart_serves_a_page_you_can_log_in_to(
    tmp_path: Path, free_port: int, browser_page: BrowserPage
) -> None:
    """The README's first command, end to end: demo data, analysis, server, login, chart."""
    env = {**os.environ, "MANYI_DATA_DIR": str(tmp_path / "data"), "MANYI_LANGUAGE": "en"}
    env.pop("MANYI_DATABASE_URL", None)
    command = [sys.executable, "-m", "manyi", "quickstart", "--port", str(free_port)]
    proc = subprocess.Popen(
        [*command, "--customers", "200"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url, password = _read_login(proc)
        _wait_until_up(url, proc)
        page = browser_page.page
        _log_in(browser_page, url, "admin", password)
        assert int(page.inner_text("#count-customers").replace(",", "")) == 200
        assert int(page.inner_text("#count-feedback").replace(",", "")) > 100
        page.wait_for_timeout(800)  # let the bars animate in before the screenshot
        page.screenshot(path=str(SCREENSHOT.with_name("manyi-quickstart.png")))
        assert browser_page.errors == [], browser_page.errors
    finally:
        proc.terminate()
        proc.wait(timeout=20)
