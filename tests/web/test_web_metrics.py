"""The metrics API (/api/metrics) and staff page (/metrics): shape, figures, auth, escaping."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from manyi.feedback.models import FeedbackItem
from manyi.store.engine import unit_of_work

HOSTILE = '"><img src=x onerror=alert(1)>'
SCRIPT = "<script>alert(1)</script>"
# NPS: March 10, 9, 9, 7, 3 -> 40 (stores: A has 10, 9, 7 -> 66.7); April 0, 10 -> 0.
NPS = [(10, 3, "A"), (9, 3, "A"), (7, 3, "A"), (9, 3, SCRIPT), (3, 3, SCRIPT), (0, 4, "A"),
       (10, 4, HOSTILE)]  # fmt: skip
CSAT = [(5, 3), (4, 3), (2, 4), (1, 4)]  # top-2-box 50 %


def _seed(client: TestClient) -> None:
    """Ratings with hostile store and region names."""
    with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        for i, (rating, month, store) in enumerate(NPS):
            session.add(
                FeedbackItem(source_ref=f"n{i}", channel="survey", rating=rating,
                             rating_scale="0-10", store=store, region=store,
                             touchpoint=SCRIPT if i == 0 else "delivery",
                             received_at=datetime(2026, month, 1 + i, tzinfo=UTC))
            )  # fmt: skip
        for i, (rating, month) in enumerate(CSAT):
            session.add(
                FeedbackItem(source_ref=f"c{i}", channel="review", rating=rating,
                             rating_scale="1-5", region=HOSTILE,
                             received_at=datetime(2026, month, 1 + i, tzinfo=UTC))
            )  # fmt: skip


@pytest.fixture
def seeded_admin(admin_client: tuple[TestClient, str]) -> TestClient:
    """An admin client over the seeded ratings."""
    client, _ = admin_client
    _seed(client)
    return client


def test_score_endpoint_shape_and_figures(seeded_admin: TestClient) -> None:
    response = seeded_admin.get("/api/metrics/nps", params={"by": "store", "min_n": 3})
    assert response.status_code == 200
    out = response.json()
    assert set(out) >= {"overall", "groups", "metric", "by", "filters"}
    assert out["overall"]["n"] == 7 and out["overall"]["score"] == pytest.approx(100 * (4 - 2) / 7)
    groups = {g["key"]: g for g in out["groups"]}
    assert groups["A"]["n"] == 4 and groups["A"]["score"] == pytest.approx(25.0)
    assert groups[SCRIPT]["small_sample"]
    for g in out["groups"]:
        assert set(g) >= {"key", "n", "score", "ci_low", "ci_high", "small_sample"}
    march = seeded_admin.get(
        "/api/metrics/nps", params={"since": "2026-03-01", "until": "2026-03-31"}
    ).json()
    assert march["overall"]["score"] == pytest.approx(40.0)
    csat = seeded_admin.get("/api/metrics/csat", params={"channel": "review"}).json()
    assert csat["overall"]["score"] == pytest.approx(50.0)


def test_trend_and_compare_endpoints(seeded_admin: TestClient) -> None:
    trend = seeded_admin.get("/api/metrics/nps/trend", params={"period": "month"}).json()
    assert [p["period"] for p in trend["points"]] == ["2026-03", "2026-04"]
    assert trend["points"][0]["score"] == pytest.approx(40.0)
    assert {"lcl", "ucl", "centre", "out_of_control"} <= set(trend["points"][0])
    periods = seeded_admin.get("/api/metrics/nps/compare").json()
    assert (periods["a"]["label"], periods["b"]["label"]) == ("2026-04", "2026-03")
    assert periods["comparison"]["difference"] == pytest.approx(0.0 - 40.0)
    assert 0 <= periods["comparison"]["p_value"] <= 1
    pair = seeded_admin.get(
        "/api/metrics/nps/compare", params={"by": "store", "a": "A", "b": SCRIPT}
    ).json()
    assert pair["comparison"]["n_a"] == 4 and pair["comparison"]["n_b"] == 2
    pairs = seeded_admin.get("/api/metrics/nps/compare", params={"by": "store"}).json()
    assert len(pairs["pairs"]) == 3 and pairs["adjust"] == "holm"
    names = seeded_admin.get("/api/metrics/attributes").json()["names"]
    assert "region" in names and "touchpoint" in names


@pytest.mark.parametrize(
    "params",
    [
        {"by": "region'; DROP TABLE feedback_items--"},
        {"by": "1); SELECT pg_sleep(5)--"},
        {"by": "store) OR 1=1 --"},
        {"by": "x" * 201},
        {"channel": "survey' OR '1'='1"},
        {"since": "2026-02-30"},
        {"min_n": "0"},
    ],
)
def test_bad_parameters_get_a_clear_422(seeded_admin: TestClient, params: dict[str, str]) -> None:
    response = seeded_admin.get("/api/metrics/nps", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]
    with unit_of_work(seeded_admin.app.state.sessions) as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(FeedbackItem)) == 11


def test_bad_metric_period_and_compare_args(seeded_admin: TestClient) -> None:
    assert seeded_admin.get("/api/metrics/npx").status_code == 422
    assert seeded_admin.get("/api/metrics/nps/trend?period=year").status_code == 422
    assert seeded_admin.get("/api/metrics/nps/compare?by=aspect").status_code == 422
    assert seeded_admin.get("/api/metrics/nps/compare?by=store&a=A").status_code == 422
    assert "not an attribute" in seeded_admin.get("/api/metrics/nps?by=name").json()["detail"]


@pytest.mark.parametrize("role", ["viewer", "agent", "analyst"])
def test_every_role_may_read_metrics(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    role: str,
) -> None:
    make_user("someone", role)
    login_as(app_client, "someone")
    assert app_client.get("/api/metrics/nps").status_code == 200
    assert app_client.get("/metrics").status_code == 200


def test_no_login_no_metrics(app_client: TestClient) -> None:
    for path in ("/api/metrics/nps", "/api/metrics/csat/trend", "/api/metrics/ces/compare"):
        response = app_client.get(path)
        assert response.status_code == 401
    page = app_client.get("/metrics")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    bearer = app_client.get("/api/metrics/nps", headers={"Authorization": "Bearer mny_forged"})
    assert bearer.status_code == 401


def test_page_shows_both_metrics_and_escapes_hostile_names(seeded_admin: TestClient) -> None:
    html = seeded_admin.get("/metrics", params={"by": "store"}).text
    assert 'id="section-nps"' in html and 'id="section-csat"' in html
    assert 'id="nps-breakdown"' in html and 'id="chart-nps"' in html
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "/static/js/metrics.js" in html
    data = re.search(
        r'<script type="application/json" id="metrics-data">(.*?)</script>', html, re.S
    )
    assert data is not None
    charts = json.loads(data.group(1))
    assert [p["period"] for p in charts["nps"]["points"]] == ["2026-03", "2026-04"]
    by_region = seeded_admin.get("/metrics", params={"by": "region", "period": "quarter"}).text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in by_region
    assert "2026Q1" in by_region or "2026Q2" in by_region


def test_page_in_english_and_bad_by(seeded_admin: TestClient) -> None:
    seeded_admin.cookies.set("manyi_lang", "en")
    html = seeded_admin.get("/metrics").text
    assert "Net Promoter Score" in html and "Trend by month" in html
    bad = seeded_admin.get("/metrics", params={"by": "region'; DROP TABLE x--"})
    assert bad.status_code == 422
    assert "region&#39;; DROP TABLE x--" in bad.text and "region';" not in bad.text


def test_page_without_data(admin_client: tuple[TestClient, str]) -> None:
    client, _ = admin_client
    html = client.get("/metrics").text
    assert html.count("还没有评分数据") + html.count("No ratings yet") == 2
