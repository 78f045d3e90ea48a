"""Customer 360 and segment pages and API: roles, masking, auditing, escaping, CSRF, bad input."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from manyi.audit.models import AuditEvent
from manyi.customer.models import Customer, CustomerIdentity
from manyi.feedback.models import FeedbackAnalysis, FeedbackItem
from manyi.i18n import MESSAGES
from manyi.order.models import Order, OrderLine
from manyi.store.engine import unit_of_work

HOSTILE = "<script>alert(1)</script>"
PHONE = "+8613812345678"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
AS_OF = "2024-06-30"


def _seed(client: TestClient) -> None:
    """12 buyers (enough to cluster), one with a hostile name, contacts and analysed feedback."""
    with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        for i in range(12):
            name = HOSTILE if i == 0 else f"客户{i}"
            city = "=cmd|' /C calc'!A0" if i == 1 else "上海"
            c = Customer(customer_code=f"C{i:02d}", name=name, city=city, city_tier=1 + i % 3)
            session.add(c)
            session.flush()
            if i == 0:
                session.add_all(
                    [
                        CustomerIdentity(customer_id=c.id, kind="email", value="evil@example.com"),
                        CustomerIdentity(customer_id=c.id, kind="phone", value=PHONE),
                    ]
                )
                item = FeedbackItem(
                    source_ref="fb0",
                    channel="email",
                    received_at=datetime(2024, 6, 1, tzinfo=UTC),
                    text=f"{HOSTILE} 请打 13812345678",
                    customer_id=c.id,
                )
                session.add(item)
                session.flush()
                session.add(
                    FeedbackAnalysis(
                        feedback_id=item.id,
                        sentiment="negative",
                        aspects=[["logistics", "negative"]],
                        text_masked=f"{HOSTILE} 请打 138****5678",
                        model_version="t",
                    )
                )
            for k in range(1 + i % 4):
                amount = Decimal(20 + 15 * i + 5 * k)
                order = Order(
                    order_no=f"O{i}-{k}",
                    customer_id=c.id,
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


def _csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of a page."""
    match = CSRF_RE.search(client.get(path).text)
    assert match
    return match.group(1)


def _audited(client: TestClient, action: str) -> list[AuditEvent]:
    """Audit events of one action."""
    with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def staff(
    app_client: TestClient, make_user: Callable[..., int], login_as: Callable[..., str]
) -> Callable[[str], str]:
    """Seed the data and users of every role; returns `as_role(role) -> csrf token`."""
    _seed(app_client)
    for role in ("admin", "analyst", "agent", "viewer"):
        make_user(role, role)

    def as_role(role: str) -> str:
        app_client.cookies.clear()
        return login_as(app_client, role)

    return as_role


def _compute(client: TestClient, token: str, as_of: str = AS_OF, **extra: object) -> object:
    """POST /api/segments/snapshots."""
    body = {"as_of": as_of, **extra}
    return client.post("/api/segments/snapshots", json=body, headers={"X-CSRF-Token": token})


def test_customer_pages_mask_escape_and_audit(app_client: TestClient, staff: Callable) -> None:
    staff("agent")
    html = app_client.get("/customers?q=C00").text
    assert HOSTILE not in html and "&lt;**" in html  # masked and escaped
    assert "evil@example.com" not in html and "e***@example.com" in html
    page = app_client.get("/customers/C00")
    assert page.status_code == 200 and HOSTILE not in page.text and "13812345678" not in page.text
    assert "138****5678" in page.text and "&lt;script&gt;" in page.text
    data = app_client.get("/api/customers/C00").json()
    assert data["masked"] and data["identities"][1]["value"] == "+86 138****5678"
    assert data["scores"] == [] and data["actions"] == []
    assert "暂无" in page.text or "None yet" in page.text
    assert _audited(app_client, "personal_data_read") == []
    assert "完整值" in html or "only in full" in html
    assert app_client.get("/api/customers?q=evil@").json()["total"] == 0  # no fragment oracle
    assert app_client.get("/api/customers?q=5678").json()["total"] == 0
    by_phone = app_client.get("/api/customers?q=138 1234 5678").json()
    assert [c["code"] for c in by_phone["items"]] == ["C00"]
    assert by_phone["items"][0]["phone"] == "+86 138****5678"
    staff("analyst")
    assert app_client.get("/api/customers?q=5678").json()["total"] == 1
    page = app_client.get("/customers/C00")
    assert HOSTILE not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert PHONE in page.text
    assert app_client.get("/api/customers?q=13812345678").json()["items"][0]["phone"] == PHONE
    events = _audited(app_client, "personal_data_read")
    assert {e.object_type for e in events} == {"customer", "customer_search"}
    assert any(e.object_id == "C00" for e in events)


def test_customer_not_found_and_bad_queries(app_client: TestClient, staff: Callable) -> None:
    staff("viewer")
    assert app_client.get("/api/customers/nope").status_code == 404
    assert app_client.get("/customers/%27%20OR%20%271%27%3D%271").status_code == 404
    assert app_client.get("/api/customers?q=" + "x" * 101).status_code == 422
    assert app_client.get("/api/customers?page=0").status_code == 422
    found = app_client.get("/api/customers?q=%25").json()
    assert found["total"] == 0  # '%' is a literal, not a wildcard


def test_snapshots_roles_csrf_and_mass_assignment(app_client: TestClient, staff: Callable) -> None:
    token = staff("viewer")
    assert _compute(app_client, token).status_code == 403
    token = staff("agent")
    assert _compute(app_client, token).status_code == 403
    token = staff("analyst")
    assert app_client.post("/api/segments/snapshots", json={"as_of": AS_OF}).status_code == 403
    assert _compute(app_client, token, id=5).status_code == 422
    assert _compute(app_client, token, kinds=["'; DROP TABLE x;--"]).status_code == 422
    response = _compute(app_client, token)
    assert response.status_code == 201
    kinds = [s["kind"] for s in response.json()]
    assert kinds == ["rfm", "tier", "lifecycle", "cluster"]
    assert _compute(app_client, token).status_code == 201  # replaces, no duplicates
    listed = app_client.get("/api/segments/snapshots").json()
    assert len(listed) == 4 and all(s["customers"] == 12 for s in listed)
    assert len(_audited(app_client, "segments_computed")) == 2
    staff("viewer")
    assert app_client.get("/api/segments/snapshots?kind=tier").json()[0]["kind"] == "tier"
    assert app_client.get("/api/segments/snapshots?kind=bogus").status_code == 422


def test_transitions_personas_and_the_segments_page(
    app_client: TestClient, staff: Callable
) -> None:
    token = staff("admin")
    assert app_client.get("/api/segments/rfm/transitions").status_code == 404
    assert _compute(app_client, token, as_of="2024-03-31").status_code == 201
    assert _compute(app_client, token).status_code == 201
    moves = app_client.get("/api/segments/tier/transitions").json()
    assert moves["from"]["as_of"] == "2024-03-31" and moves["to"]["as_of"] == AS_OF
    assert sum(map(sum, moves["counts"])) == 12 == sum(link["value"] for link in moves["links"])
    explicit = app_client.get(f"/api/segments/tier/transitions?from=2024-03-31&to={AS_OF}").json()
    assert explicit["counts"] == moves["counts"]
    assert app_client.get("/api/segments/nope/transitions").status_code == 422
    assert app_client.get("/api/segments/tier/transitions?from=x").status_code == 422
    personas = app_client.get("/api/segments/personas?kind=tier").json()
    assert personas["as_of"] == AS_OF and personas["cards"]
    assert all(c["narrative_en"] and c["narrative_zh"] for c in personas["cards"])
    staff("viewer")
    for kind in ("rfm", "tier", "lifecycle", "cluster"):
        html = app_client.get(f"/segments?kind={kind}").text
        assert 'id="sankey-data"' in html and 'id="transition-matrix"' in html, kind
        assert "<script>" not in html.replace('<script type="application/json"', "")
        assert "/segments/snapshots" not in html  # viewers get no compute form
    html = app_client.get("/segments?kind=tier").text
    assert '<script src="/static/js/segments.js" defer></script>' in html
    assert app_client.get("/static/js/segments.js").status_code == 200


def test_saved_segments_api(app_client: TestClient, staff: Callable) -> None:
    token = staff("analyst")
    headers = {"X-CSRF-Token": token}
    assert _compute(app_client, token).status_code == 201
    body = {"name": "tier 1 cities", "definition": "city_tier == 1"}
    created = app_client.post("/api/segments/saved", json=body, headers=headers)
    assert created.status_code == 201, created.text
    seg = created.json()
    assert (seg["matched"], seg["total"]) == (4, 12) and seg["expression"] == "city_tier == 1"
    assert app_client.post("/api/segments/saved", json=body, headers=headers).status_code == 409
    for bad in ("1'; SELECT SLEEP(5)--", "' OR '1'='1", "name == 'x'", "city_tier == 'x'"):
        response = app_client.post(
            "/api/segments/saved", json={"name": bad, "definition": bad}, headers=headers
        )
        assert response.status_code == 422 and "definition" in response.json()["detail"], bad
    extra = {**body, "name": "other", "created_by": 1}
    assert app_client.post("/api/segments/saved", json=extra, headers=headers).status_code == 422
    structured = {
        "name": "formula city",
        "definition": {"all": [{"field": "city", "op": "contains", "value": "cmd"}]},
    }
    made = app_client.post("/api/segments/saved", json=structured, headers=headers).json()
    csv = app_client.get(f"/api/segments/saved/{made['id']}/members.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(csv.text.lstrip("\ufeff")), dtype=str)
    assert list(table["customer_id"]) == ["C01"] and table["city"][0].startswith("'=")
    assert "name" not in table.columns and len(_audited(app_client, "segment_exported")) == 1
    staff("agent")
    assert app_client.get(f"/api/segments/saved/{made['id']}/members.csv").status_code == 403
    assert [s["name"] for s in app_client.get("/api/segments/saved").json()] == [
        "formula city",
        "tier 1 cities",
    ]
    token = staff("admin")
    gone = app_client.delete(f"/api/segments/saved/{made['id']}", headers={"X-CSRF-Token": token})
    assert gone.status_code == 204
    assert (
        app_client.delete(
            f"/api/segments/saved/{made['id']}", headers={"X-CSRF-Token": token}
        ).status_code
        == 404
    )
    assert app_client.get("/api/segments/saved/999/members.csv").status_code == 404


def test_saved_segment_form_and_hostile_names(app_client: TestClient, staff: Callable) -> None:
    token = staff("admin")
    form = {
        "csrf_token": token,
        "name": HOSTILE,
        "description": '"><img src=x onerror=alert(1)>',
        "combine": "all",
        "field": ["city_tier", "monetary", ""],
        "op": ["in", ">=", "=="],
        "value": ["1, 2", "50", ""],
    }
    response = app_client.post("/segments/saved", data=form)
    assert response.status_code == 303
    html = app_client.get("/segments").text
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "city_tier in (1, 2) and monetary &gt;= 50" in html
    bad = {**form, "name": "bad", "field": ["city_tier", "", ""], "value": ["' OR 1=1", "", ""],
           "op": ["==", "==", "=="]}  # fmt: skip
    response = app_client.post("/segments/saved", data=bad)
    assert response.status_code == 422 and 'id="form-error"' in response.text
    assert app_client.post("/segments/saved", data={**form, "csrf_token": "x"}).status_code == 403
    staff("viewer")
    viewer_token = _csrf(app_client, "/segments")
    assert (
        app_client.post("/segments/saved", data={**form, "csrf_token": viewer_token}).status_code
        == 403
    )
    token = staff("analyst")
    compute = {"csrf_token": token, "as_of": AS_OF, "kind": "tier"}
    response = app_client.post("/segments/snapshots", data=compute)
    assert response.status_code == 303 and response.headers["location"] == "/segments?kind=tier"
    html = app_client.get("/segments?kind=tier").text
    assert "VIP" in html and "2024-06-30" in html
    app_client.cookies.set("manyi_lang", "en")
    english = app_client.get("/segments?kind=tier").text
    assert "Customer segments" in english and "High value" in english


def test_nav_links_and_language(app_client: TestClient, staff: Callable) -> None:
    staff("viewer")
    html = app_client.get("/").text
    assert 'href="/customers"' in html and 'href="/segments"' in html
    assert app_client.get("/segments").status_code == 200  # no snapshot yet: empty states
    assert app_client.get("/api/segments/personas").status_code == 404


def test_every_message_key_of_the_new_templates_exists_in_both_languages() -> None:
    folder = Path(__file__).resolve().parents[2] / "src" / "manyi" / "web" / "templates"
    keys = set()
    for name in ("customers.html", "customer.html", "segments.html"):
        keys |= set(re.findall(r"t\('([a-z_.]+)'[,)]", (folder / name).read_text(encoding="utf-8")))
    keys |= {f"kind.{k}" for k in ("rfm", "tier", "lifecycle", "cluster")}
    assert len(keys) > 60
    missing = sorted(k for k in keys if k not in MESSAGES)
    assert missing == []
    assert all(MESSAGES[k][0] and MESSAGES[k][1] for k in keys)
