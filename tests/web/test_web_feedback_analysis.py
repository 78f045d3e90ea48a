"""Feedback arriving over the web is analysed; the list shows, filters and masks the analysis."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from manyi.analytics.text import analyze as text_analyze
from manyi.feedback import service
from manyi.feedback.models import FeedbackAnalysis
from manyi.web.routers import imports

LONG = "快递太慢" * 12_500  # 50,000 characters
HOSTILE = [
    "<script>alert(1)</script> 包装破了，盒子压坏了",
    "=cmd|' /C calc'!A0",
    "客服\u200b态度\u200d很差",
    "😀😀👍",
    '"><img src=x onerror=alert(1)> 价格太贵了',
]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["feedback_id", "text", "received_at", "channel"], *rows])
    return out.getvalue().encode("utf-8")


FILE = _csv(
    [[f"W{i}", text, "2026-03-01 10:00", "email"] for i, text in enumerate(HOSTILE)]
    + [["W-long", LONG, "2026-03-02", "review"], ["W-pii", "我的电话 13800138000 退款没到", "2026-03-03", "chat"]]
)  # fmt: skip


def _stored(client: TestClient) -> list[FeedbackAnalysis]:
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        rows = list(s.scalars(select(FeedbackAnalysis)))
        s.expunge_all()
    return rows


def test_api_and_page_uploads_are_analysed_once(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    files = {"file": ("fb.csv", io.BytesIO(FILE), "text/csv")}
    response = client.post("/api/import/feedback", files=files, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 7
    assert report["analysis"]["analyzed"] == 7
    assert report["analysis"]["model_version"] == text_analyze.MODEL_VERSION
    stored = _stored(client)
    assert len(stored) == 7 and {a.model_version for a in stored} == {text_analyze.MODEL_VERSION}
    files = {"file": ("fb.csv", io.BytesIO(FILE), "text/csv")}
    page = client.post("/import", data={"kind": "feedback", "csrf_token": csrf}, files=files)
    assert page.status_code == 200
    assert 'id="import-analyzed">0 ' in page.text  # re-import: nothing new, nothing re-analysed
    assert [(a.feedback_id, a.analyzed_at) for a in _stored(client)] == [
        (a.feedback_id, a.analyzed_at) for a in stored
    ]


def test_list_shows_analysis_escaped_with_filters(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    files = {"file": ("fb.csv", io.BytesIO(FILE), "text/csv")}
    assert (
        client.post("/api/import/feedback", files=files, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )
    html = client.get("/feedback").text
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=cmd|&#39; /C calc&#39;!A0" in html
    assert "😀😀👍" in html
    assert 'class="sentiment negative"' in html and "chip aspect negative" in html
    data = client.get("/api/feedback").json()
    by_text = {item["text"]: item for item in data["items"]}
    script = by_text[HOSTILE[0]]
    assert script["sentiment"] == "negative" and -1 <= script["sentiment_score"] < 0
    assert {"aspect": "packaging", "polarity": "negative"} in script["aspects"]
    assert "complaint" in script["types"] and script["language"] == "zh-Hans"
    zero_width = by_text["客服态度\u200d很差"]  # the importer drops U+200B, keeps the joiner
    assert zero_width["sentiment"] == "negative"
    assert {"aspect": "customer_service", "polarity": "negative"} in zero_width["aspects"]
    assert any(len(t) == 20_000 for t in by_text)  # the importer cuts at 20,000 characters
    negative = client.get("/api/feedback", params={"sentiment": "negative"}).json()
    assert negative["total"] >= 3
    assert {i["sentiment"] for i in negative["items"]} == {"negative"}
    packaging = client.get("/api/feedback", params={"aspect": "packaging"}).json()
    assert packaging["total"] == 1 and packaging["items"][0]["text"] == HOSTILE[0]
    polar = client.get("/api/feedback", params={"aspect": "packaging:negative"}).json()
    assert polar["total"] == 1
    assert client.get("/api/feedback", params={"aspect": "packaging:positive"}).json()["total"] == 0
    page = client.get("/feedback", params={"sentiment": "negative", "aspect": "packaging"})
    assert page.status_code == 200 and "&lt;script&gt;" in page.text
    for params in (
        {"sentiment": "' OR '1'='1"},
        {"aspect": "1); SELECT pg_sleep(5)--"},
        {"aspect": "packaging:angry"},
        {"aspect": "%"},
    ):
        assert client.get("/api/feedback", params=params).status_code == 422, params
        assert client.get("/feedback", params=params).status_code == 422, params


def test_long_text_is_shown_truncated_on_the_page(
    admin_client: tuple[TestClient, str], feedback_adder: Callable[..., None]
) -> None:
    client, _ = admin_client
    feedback_adder(client, LONG)
    service.analyze_all(sessions=client.app.state.sessions)  # type: ignore[attr-defined]
    html = client.get("/feedback").text
    assert "快递太慢" * 400 in html and LONG not in html
    assert len(client.get("/api/feedback").json()["items"][0]["text"]) == 50_000


def test_agents_see_the_stored_masked_text(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    feedback_adder: Callable[..., None],
) -> None:
    feedback_adder(app_client, "联系我 13800138000 或 wang.wu@example.com，快递太慢了")
    service.analyze_all(sessions=app_client.app.state.sessions)  # type: ignore[attr-defined]
    for role, masked in (("admin", False), ("analyst", False), ("agent", True), ("viewer", True)):
        make_user(role, role)
        app_client.cookies.clear()
        login_as(app_client, role)
        html = app_client.get("/feedback").text
        item = app_client.get("/api/feedback").json()["items"][0]
        assert item["sentiment"] == "negative"
        if masked:
            assert "13800138000" not in html and "wang.wu@example.com" not in html
            assert "138****8000" in item["text"] and "w***@example.com" in item["text"]
        else:
            assert "13800138000" in item["text"] and "13800138000" in html


def test_web_analysis_is_capped_and_the_rest_reported(
    admin_client: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, csrf = admin_client
    monkeypatch.setattr(imports, "WEB_ANALYSIS_LIMIT", 3)
    files = {"file": ("fb.csv", io.BytesIO(FILE), "text/csv")}
    page = client.post("/import", data={"kind": "feedback", "csrf_token": csrf}, files=files)
    assert page.status_code == 200
    assert 'id="import-analyzed">3 ' in page.text and "manyi text reanalyze" in page.text
    assert len(_stored(client)) == 3
    insights_page = client.get("/insights").text
    assert 'id="insights-stale"' in insights_page
