"""Headless Chromium: the /metrics page draws its trend charts without JavaScript errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from manyi.config import Settings
from manyi.feedback.models import FeedbackItem
from manyi.staff import service as staff_service
from manyi.store.engine import make_engine, make_session_factory, unit_of_work
from manyi.store.migrate import upgrade

if TYPE_CHECKING:
    from conftest import BrowserPage

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pass"
SCREENSHOT = Path("/tmp/manyi-metrics.png")


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
def server(tmp_path: Path, browser_required: None, live_server: Callable[[Settings], str]) -> str:
    """A seeded SQLite database served in the background; the base URL."""
    settings = Settings(data_dir=tmp_path, secret_key="test", language="en")
    _seed(settings)
    return live_server(settings)


def test_metrics_page_draws_both_trends(server: str, browser_page: BrowserPage) -> None:
    page = browser_page.page
    browser_page.log_in(server + "/metrics", "admin", PASSWORD)
    page.wait_for_selector("#chart-nps canvas", timeout=15_000)
    page.wait_for_selector("#chart-csat canvas", timeout=15_000)
    assert page.inner_text("#nps-flagged").strip().endswith(": 2026-05")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert browser_page.errors == [], browser_page.errors
