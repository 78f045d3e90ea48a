"""The insights page and /api/insights/*: shapes, roles, escaping, masking, a planted spike."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from manyi.audit.models import AuditEvent
from manyi.config import Settings
from manyi.feedback import insights, service
from manyi.feedback.models import FeedbackChannel, FeedbackItem
from manyi.web.app import _warm_insights, create_app

SPIKE = "包装破了，盒子压坏了 <script>alert(1)</script> 电话13800138000"
CALM = ["质量很好，很满意", "The quality is great", "价格实惠，质量不错", "物流很快，点赞"]


def _plant(client: TestClient) -> None:
    """Five months of 40 items; packaging complaints once a month, 15 times in 2026-05."""
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    with sessions.begin() as s:
        for month in range(1, 6):
            complaints = 15 if month == 5 else 1
            for i in range(40):
                text = f"{SPIKE} #{i}" if i < complaints else CALM[i % len(CALM)]
                s.add(
                    FeedbackItem(
                        source_ref=f"m{month}-{i}",
                        channel=FeedbackChannel.REVIEW if i % 2 else FeedbackChannel.EMAIL,
                        received_at=datetime(2026, month, 1 + i % 28, 9, tzinfo=UTC),
                        text=text,
                    )
                )
    service.analyze_all(sessions=sessions)


def test_api_shapes_and_the_planted_spike(admin_client: tuple[TestClient, str]) -> None:
    client, _ = admin_client
    _plant(client)
    aspects = client.get("/api/insights/aspects", params={"period": "month"}).json()
    assert aspects["periods"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert aspects["totals"] == [40] * 5 and aspects["status"]["stale"] == 0
    packaging = next(a for a in aspects["aspects"] if a["aspect"] == "packaging")
    assert packaging["counts"] == [1, 1, 1, 1, 15] and packaging["negative_share"][-1] == 1.0
    assert set(packaging) == {"aspect", "counts", "negative", "negative_share", "total"}
    emerging = client.get("/api/insights/emerging", params={"baseline": 3}).json()
    assert emerging["masked"] is False and emerging["fdr"] == 0.05
    spike = [i for i in emerging["issues"] if i["aspect"] == "packaging"]
    assert spike and all(i["period"] == "2026-05" and i["flagged"] for i in spike)
    assert {"volume", "negative_volume"} <= {i["signal"] for i in spike}
    assert any("13800138000" in q for q in spike[0]["quotes"])  # admin: original text
    assert all(i["kind"] == "aspect" and i["label"] is None for i in spike)
    for issue in emerging["issues"]:
        assert set(issue) == {
            "period", "kind", "aspect", "label", "signal", "count", "total", "share",
            "baseline_share", "negative_share", "baseline_negative_share", "ratio", "p_value",
            "q_value", "flagged", "quotes",
        }  # fmt: skip
    everything = client.get("/api/insights/emerging", params={"all": "true"}).json()
    assert len(everything["issues"]) > len(emerging["issues"])
    assert {i["kind"] for i in everything["issues"]} == {"aspect", "topic"}
    topics = client.get("/api/insights/topics", params={"limit": 3, "texts": 150}).json()
    assert topics["texts_used"] == 150 and topics["max_texts"] == 150
    assert 1 <= len(topics["topics"]) <= 3
    assert set(topics["topics"][0]) == {
        "topic_id", "label", "terms", "size", "share", "mean_sentiment", "quotes",
    }  # fmt: skip
    keywords = client.get("/api/insights/keywords", params={"by": "channel", "top": 5}).json()
    assert {g["group"] for g in keywords["groups"]} == {"email", "review"}
    for path, params in (
        ("/api/insights/aspects", {"period": "year"}),
        ("/api/insights/emerging", {"baseline": 0}),
        ("/api/insights/emerging", {"fdr": 1.5}),
        ("/api/insights/emerging", {"period": "1'; SELECT SLEEP(5)--"}),
        ("/api/insights/topics", {"limit": 21}),
        ("/api/insights/topics", {"texts": 20_001}),
        ("/api/insights/keywords", {"by": "store"}),
    ):
        assert client.get(path, params=params).status_code == 422, (path, params)


def _audited(client: TestClient) -> int:
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        actions = s.scalars(
            select(AuditEvent.object_type).where(AuditEvent.action == "personal_data_read")
        )
        return sum(1 for a in actions if a == "insights")


@pytest.mark.parametrize(
    ("role", "masked"), [("viewer", True), ("agent", True), ("analyst", False)]
)
def test_page_and_quotes_per_role(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    role: str,
    masked: bool,
) -> None:
    _plant(app_client)
    make_user(role, role)
    login_as(app_client, role)
    page = app_client.get("/insights")
    assert page.status_code == 200
    html = page.text
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert 'id="aspect-data"' in html and 'src="/static/js/insights.js"' in html
    assert 'data-aspect="packaging" data-period="2026-05"' in html
    data = app_client.get("/api/insights/emerging").json()
    quotes = [q for i in data["issues"] for q in i["quotes"]]
    topic_quotes = [
        q for t in app_client.get("/api/insights/topics").json()["topics"] for q in t["quotes"]
    ]
    assert quotes and data["masked"] is masked
    if masked:
        assert "13800138000" not in html
        assert not any("13800138000" in q for q in quotes + topic_quotes)
        assert any("138****8000" in q for q in quotes)
        assert _audited(app_client) == 0
    else:
        assert "13800138000" in html and any("13800138000" in q for q in quotes)
        assert _audited(app_client) == 3  # page, emerging, topics


def test_page_in_both_languages_and_empty(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    empty = client.get("/insights").text
    assert 'id="insights-empty"' in empty
    _plant(client)
    assert "新出现的问题" in client.get("/insights").text
    client.post("/language", data={"lang": "en", "csrf_token": csrf, "next": "/insights"})
    english = client.get("/insights", params={"period": "quarter", "baseline": 1}).text
    assert "Emerging issues" in english and "Topics" in english
    assert client.get("/insights", params={"period": "decade"}).status_code == 422
    nav = client.get("/").text
    assert 'href="/insights"' in nav


RECALL = "收到召回通知：电水壶 <b>召回</b> 电话13700137000"


@pytest.mark.parametrize(("role", "masked"), [("viewer", True), ("agent", True), ("admin", False)])
def test_a_planted_topic_spike_is_shown_as_a_topic(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    role: str,
    masked: bool,
) -> None:
    """A recall no aspect names, 20 times in 2026-05: flagged as a topic, label and quotes."""
    _plant(app_client)
    with app_client.app.state.sessions.begin() as s:  # type: ignore[attr-defined]
        for i in range(20):
            s.add(
                FeedbackItem(
                    source_ref=f"recall-{i}",
                    channel=FeedbackChannel.REVIEW,
                    received_at=datetime(2026, 5, 1 + i, 15, tzinfo=UTC),
                    text=f"{RECALL} #{i}",
                )
            )
    service.analyze_all(sessions=app_client.app.state.sessions)  # type: ignore[attr-defined]
    make_user(role, role)
    login_as(app_client, role)
    data = app_client.get("/api/insights/emerging").json()
    recall = [i for i in data["issues"] if i["kind"] == "topic" and "召回" in i["label"]]
    assert recall and all(i["aspect"] is None and i["period"] == "2026-05" for i in recall)
    assert any(i["signal"] == "volume" and i["count"] >= 20 for i in recall)
    quotes = [q for i in recall for q in i["quotes"]]
    assert quotes and data["masked"] is masked
    if masked:
        assert not any("13700137000" in q for q in quotes)
        assert any("137****7000" in q for q in quotes)
    else:
        assert any("13700137000" in q for q in quotes)
    html = app_client.get("/insights").text
    label = recall[0]["label"]
    assert f'data-kind="topic" data-topic="{label}"' in html
    assert "<b>召回</b>" not in html and "&lt;b&gt;召回&lt;/b&gt;" in html
    assert ("13700137000" in html) is not masked
    assert "方面 / 话题" in html and '<span class="chip">话题</span>' in html


def test_a_warming_server_has_the_insights_ready_before_the_first_view(
    app_client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plant(app_client)
    with TestClient(create_app(settings, warm_insights=True)) as warmed:
        warmed.app.state.warm_thread.join(timeout=60)  # type: ignore[attr-defined]
        assert not warmed.app.state.warm_thread.is_alive()  # type: ignore[attr-defined]

    def no_fit(*_args: object) -> None:
        raise AssertionError("the topic model was fitted again")

    monkeypatch.setattr(insights, "_fit_topics", no_fit)
    with app_client.app.state.sessions() as session:  # type: ignore[attr-defined]
        issues = insights.emerging(session=session)
    assert any(i["aspect"] == "packaging" and i["period"] == "2026-05" for i in issues)


def test_warming_failures_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("database gone")

    _warm_insights(broken)  # type: ignore[arg-type]
    assert "warming the insights cache failed" in caplog.text


def test_warming_an_empty_database_is_quiet(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(settings, warm_insights=True)) as fresh:
        fresh.app.state.warm_thread.join(timeout=60)  # type: ignore[attr-defined]
    assert "warming the insights cache failed" not in caplog.text
