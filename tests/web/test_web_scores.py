"""Scores API and the /risks page: roles, CSRF, masking, audit, the action workflow."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from manyi.audit.models import AuditEvent
from manyi.customer.models import Customer
from manyi.store.engine import unit_of_work

RUN = {"as_of": "2025-06-30"}


@pytest.fixture
def seeded(app_client: TestClient, scoring_histories: ModuleType) -> TestClient:
    """The app with the hand-made histories stored."""
    with unit_of_work(app_client.app.state.sessions) as session:  # type: ignore[attr-defined]
        scoring_histories.seed(session)
    return app_client


@pytest.fixture
def as_role(
    seeded: TestClient, make_user: Callable[..., int], login_as: Callable[..., str]
) -> Callable[[str], str]:
    """Log the client in with a fresh user of a role; returns the CSRF token."""

    def login(role: str) -> str:
        seeded.cookies.clear()
        make_user(f"u_{role}", role)
        return login_as(seeded, f"u_{role}")

    return login


def _run(client: TestClient, csrf: str) -> dict:
    """Run the scoring through the API as the logged-in user."""
    response = client.post("/api/scores/run", json=RUN, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    return response.json()


def _audits(client: TestClient, action: str) -> list[AuditEvent]:
    """Audit events of one kind."""
    with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_only_analysts_and_admins_run_scoring(
    seeded: TestClient, as_role: Callable[[str], str], role: str
) -> None:
    csrf = as_role(role)
    response = seeded.post("/api/scores/run", json=RUN, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 403
    assert seeded.post("/risks/run", data={"csrf_token": csrf}).status_code == 403


def test_run_needs_csrf_and_is_audited(seeded: TestClient, as_role: Callable[[str], str]) -> None:
    csrf = as_role("analyst")
    assert seeded.post("/api/scores/run", json=RUN).status_code == 403
    assert (
        seeded.post("/api/scores/run", json=RUN, headers={"X-CSRF-Token": "x"}).status_code == 403
    )
    result = _run(seeded, csrf)
    assert result["customers_scored"] == 34 and result["as_of"] == "2025-06-30"
    assert result["actions_created"] > 0
    again = _run(seeded, csrf)
    assert again["actions_created"] == 0
    events = _audits(seeded, "scores_run")
    assert len(events) == 2 and events[0].object_id == "2025-06-30"
    bad = seeded.post("/api/scores/run", json={"horizon_weeks": 0}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422
    extra = seeded.post("/api/scores/run", json={"role": "admin"}, headers={"X-CSRF-Token": csrf})
    assert extra.status_code == 422


def test_risk_list_masks_pii_by_role(seeded: TestClient, as_role: Callable[[str], str]) -> None:
    _run(seeded, as_role("admin"))
    as_role("agent")
    masked = seeded.get("/api/scores/risks", params={"limit": 100, "tier": "vip"}).json()
    vip = masked["items"][0]
    assert masked["masked"] and vip["customer_code"] == "VIP1"
    assert vip["customer_name"] == "张**" and vip["email"] == "v***@example.com"
    assert vip["action"] == "service_recovery" and vip["action_status"] == "open"
    assert vip["reasons"][0]["code"] == "open_complaint"
    assert not _audits(seeded, "personal_data_read")
    as_role("analyst")
    clear = seeded.get("/api/scores/risks", params={"limit": 5}).json()
    assert not clear["masked"] and clear["total"] == 34 and len(clear["items"]) == 5
    values = [i["value_at_risk"] for i in clear["items"]]
    assert values == sorted(values, reverse=True)
    names = {i["customer_code"]: i["customer_name"] for i in clear["items"]}
    assert names.get("VIP1", "张三丰") == "张三丰"
    assert _audits(seeded, "personal_data_read")[0].object_type == "risk_list"
    for params in ({"tier": "gold"}, {"limit": 0}, {"limit": 5000}, {"tier": "vip' OR 1=1"}):
        assert seeded.get("/api/scores/risks", params=params).status_code == 422


def test_customer_score_history(seeded: TestClient, as_role: Callable[[str], str]) -> None:
    csrf = as_role("admin")
    _run(seeded, csrf)
    response = seeded.post("/api/scores/run", json={"as_of": "2025-06-02"},
                           headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert response.status_code == 200
    as_role("viewer")
    history = seeded.get("/api/customers/VIP1/scores").json()
    assert [p["as_of"] for p in history["points"]] == ["2025-06-02", "2025-06-30"]
    assert set(history["points"][0]["values"]) == {
        "p_alive", "expected_purchases", "clv", "churn_risk", "value_at_risk"}  # fmt: skip
    assert history["points"][-1]["tier"] == "vip"
    assert seeded.get("/api/customers/NOBODY/scores").status_code == 404
    assert seeded.get("/api/customers/ERASED/scores").status_code == 404
    summary = seeded.get("/api/scores/summary").json()
    assert sum(t["customers"] for t in summary["tiers"]) == 34


def test_action_workflow(seeded: TestClient, as_role: Callable[[str], str]) -> None:
    _run(seeded, as_role("analyst"))
    csrf = as_role("agent")
    listing = seeded.get("/api/retention/actions", params={"status": "open"}).json()
    assert listing["masked"] and listing["total"] > 0
    priorities = [i["priority"] for i in listing["items"]]
    assert priorities == sorted(priorities, reverse=True)
    first = listing["items"][0]
    url = f"/api/retention/actions/{first['id']}"
    headers = {"X-CSRF-Token": csrf}
    assert seeded.post(url, json={"status": "in_progress"}).status_code == 403  # no CSRF
    moved = seeded.post(url, json={"status": "in_progress"}, headers=headers)
    assert moved.status_code == 200
    assert moved.json() == {"id": first["id"], "status": "in_progress", "previous_status": "open"}
    assert seeded.post(url, json={"status": "open"}, headers=headers).status_code == 409
    assert seeded.post(url, json={"status": "closed"}, headers=headers).status_code == 422
    assert seeded.post(url, json={"status": "done", "x": 1}, headers=headers).status_code == 422
    assert seeded.post(url, json={"status": "done"}, headers=headers).status_code == 200
    assert seeded.post(url, json={"status": "dismissed"}, headers=headers).status_code == 409
    missing = seeded.post("/api/retention/actions/999999", json={"status": "done"}, headers=headers)
    assert missing.status_code == 404
    done = seeded.get("/api/retention/actions", params={"status": "done"}).json()
    assert [i["id"] for i in done["items"]] == [first["id"]]
    assert seeded.get("/api/retention/actions", params={"status": "nope"}).status_code == 422
    events = _audits(seeded, "retention_action_updated")
    assert [(e.detail or {}).get("to") for e in events] == ["in_progress", "done"]
    viewer = as_role("viewer")
    refused = seeded.post(url, json={"status": "done"}, headers={"X-CSRF-Token": viewer})
    assert refused.status_code == 403


def test_risks_page(seeded: TestClient, as_role: Callable[[str], str]) -> None:
    viewer_csrf = as_role("viewer")
    page = seeded.get("/risks")
    assert page.status_code == 200 and 'action="/risks/run"' not in page.text
    assert "<script>" not in page.text.split("</head>")[1].replace(
        '<script type="application/json"', "")  # fmt: skip
    assert viewer_csrf
    csrf = as_role("analyst")
    page = seeded.get("/risks")
    assert 'action="/risks/run"' in page.text
    assert seeded.post("/risks/run", data={}).status_code == 403  # no CSRF token
    with unit_of_work(seeded.app.state.sessions) as session:  # type: ignore[attr-defined]
        session.execute(update(Customer).where(Customer.customer_code == "VIP1")
                        .values(name="<img src=x onerror=alert(1)>"))  # fmt: skip
    # the page runs as of today, long after the histories end: everyone is at risk
    ran = seeded.post("/risks/run", data={"csrf_token": csrf})
    assert ran.status_code == 303 and ran.headers["location"] == "/risks"
    page = seeded.get("/risks")
    assert page.status_code == 200 and 'id="tier-chart"' in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
    assert "/static/js/risks.js" in page.text and 'id="risk-chart-data"' in page.text
    forms = re.findall(r'action="(/risks/actions/\d+)"', page.text)
    assert forms
    agent_csrf = as_role("agent")
    moved = seeded.post(forms[0], data={"csrf_token": agent_csrf, "status": "in_progress"})
    assert moved.status_code == 303
    assert (
        seeded.post(forms[0], data={"csrf_token": agent_csrf, "status": "open"}).status_code == 409
    )
    seeded.cookies.set("manyi_lang", "en")
    english = seeded.get("/risks", params={"tier": "vip"})
    assert english.status_code == 200 and "Churn risk and retention" in english.text
    assert seeded.get("/risks", params={"tier": "bogus"}).status_code == 422
