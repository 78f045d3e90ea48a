"""Fixtures for the web tests: an app on the test database, users of each role, logged-in clients."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from manyi.config import Settings
from manyi.customer.models import Customer, CustomerIdentity
from manyi.feedback.models import FeedbackItem
from manyi.staff import service as staff_service
from manyi.store.engine import unit_of_work
from manyi.web.app import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGIN_TOKEN_RE = re.compile(r'name="login_token" value="([^"]+)"')


class StaffClient(TestClient):
    """A TestClient that, like a browser, loads the login form (and its token) before posting it."""

    def post(self, url: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Add the login form's CSRF token to POST /login when the test did not pass one."""
        data = kwargs.get("data")
        if str(url) == "/login" and isinstance(data, dict) and "login_token" not in data:
            match = LOGIN_TOKEN_RE.search(self.get("/login").text)
            assert match, "no login token on the login page"
            kwargs["data"] = {**data, "login_token": match.group(1)}
        return super().post(url, **kwargs)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test database and a private data folder."""
    return Settings(database_url=db_url, data_dir=tmp_path, secret_key="test", max_upload_mb=1)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient on a started app (lifespan run: engine, migrations, session factory)."""
    with StaffClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def make_user(app_client: TestClient) -> Callable[..., int]:
    """Create a user directly through the service; returns the id."""

    def create(username: str, role: str = "admin", display_name: str | None = None) -> int:
        with unit_of_work(app_client.app.state.sessions) as session:  # type: ignore[attr-defined]
            user = staff_service.create_user(
                session=session,
                username=username,
                password=PASSWORD,
                role=role,
                display_name=display_name,
            )
            return user.id

    return create


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form and return the page's CSRF token."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 303, response.text
    page = client.get("/")
    assert page.status_code == 200
    match = CSRF_RE.search(page.text)
    assert match, "no CSRF token on the home page"
    return match.group(1)


@pytest.fixture
def admin_client(app_client: TestClient, make_user: Callable[..., int]) -> tuple[TestClient, str]:
    """A client logged in as an admin, with its CSRF token."""
    make_user("boss", "admin")
    return app_client, login(app_client, "boss")


def add_feedback(
    client: TestClient,
    text: str,
    *,
    channel: str = "email",
    name: str = "张三",
    n: int = 1,
    email: str | None = None,
    phone: str | None = None,
) -> None:
    """Store a customer with e-mail and phone and `n` feedback items with the given text."""
    digest = hashlib.sha256(f"{name}|{channel}".encode()).hexdigest()
    email = email or f"u{digest[:10]}@example.com"
    phone = phone or "139" + str(int(digest[:12], 16))[-8:].zfill(8)
    with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        customer = Customer(customer_code=f"C-{name}-{channel}", name=name)
        session.add(customer)
        session.flush()
        session.add_all(
            [
                CustomerIdentity(customer_id=customer.id, kind="email", value=email),
                CustomerIdentity(customer_id=customer.id, kind="phone", value=phone),
            ]
        )
        for i in range(n):
            session.add(
                FeedbackItem(
                    source_ref=f"{channel}-{name}-{i}-{len(text)}",
                    channel=channel,
                    received_at=datetime(2025, 1 + i % 12, 5, 10, tzinfo=UTC),
                    text=text,
                    rating=3.0,
                    customer_id=customer.id,
                )
            )


@pytest.fixture
def login_as() -> Callable[..., str]:
    """The `login` helper as a fixture (test modules are not a package)."""
    return login


@pytest.fixture
def feedback_adder() -> Callable[..., None]:
    """The `add_feedback` helper as a fixture."""
    return add_feedback


# --- headless browser ----------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_required() -> None:
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


@pytest.fixture
def free_port() -> int:
    """A TCP port nobody listens on right now (for servers a test starts itself)."""
    return _free_port()


@pytest.fixture
def live_server() -> Iterator[Callable[[Settings], str]]:
    """Start uvicorn on `settings` in a background thread; returns its base URL (stopped after)."""
    import uvicorn

    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(settings: Settings) -> str:
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("uvicorn did not start within 30 s")
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class BrowserPage:
    """A headless Chromium page and the console and page errors it has seen."""

    page: Page
    errors: list[str]

    def log_in(self, url: str, username: str, password: str) -> None:
        """Open `url`, get sent to the login form, log in and land back on `url`."""
        self.page.goto(url)
        assert "/login" in self.page.url
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(url)


@pytest.fixture
def browser_page(browser_required: None) -> Iterator[BrowserPage]:
    """A 1280x900 page in headless Chromium that records JavaScript errors."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield BrowserPage(page, errors)
        finally:
            browser.close()
