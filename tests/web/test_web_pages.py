"""Pages and data endpoints: escaping, PII masking, filters, chart data, language, imports, limits."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from manyi.audit.models import AuditEvent
from manyi.customer.models import Customer
from manyi.store.engine import unit_of_work

XSS = [
    '"><img src=x onerror=alert(1)>',
    '"><svg/onload=prompt(1)>',
    "<script>alert(1)</script>",
    '"><iMg SrC="x" oNeRRor="alert(1);">',
]


def _actions(client: TestClient) -> list[str]:
    """Audit actions recorded so far."""
    with unit_of_work(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEvent.action)))


def test_security_headers_on_pages_and_api(app_client: TestClient) -> None:
    for path in ("/login", "/api/health", "/static/js/home.js"):
        headers = app_client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


def test_xss_in_feedback_and_display_names_is_escaped(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    feedback_adder: Callable[..., None],
) -> None:
    make_user("boss", "admin", display_name="<script>alert(1)</script>")
    for i, payload in enumerate(XSS):
        feedback_adder(app_client, payload + " 快递太慢了", name=f"客户{i}<b>")
    login_as(app_client, "boss")
    for path in ("/feedback", "/users", "/"):
        html = app_client.get(path).text
        assert "<script>alert(1)</script>" not in html, path
        assert "<img src=x" not in html.lower().replace('"', ""), path
        assert "<svg/onload" not in html, path
    html = app_client.get("/feedback").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "客户0&lt;b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in app_client.get("/users").text


def test_agents_and_viewers_see_contacts_masked(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    feedback_adder: Callable[..., None],
) -> None:
    feedback_adder(
        app_client,
        "请打 13900001111 联系我",
        name="王五",
        email="zhang.san@example.com",
        phone="13812345678",
    )
    for role, masked in (("admin", False), ("analyst", False), ("agent", True), ("viewer", True)):
        make_user(role, role)
        app_client.cookies.clear()
        login_as(app_client, role)
        html = app_client.get("/feedback").text
        data = app_client.get("/api/feedback").json()
        item = data["items"][0]
        assert data["masked"] is masked
        if masked:
            assert "zhang.san@example.com" not in html and "13812345678" not in html
            assert item["email"] == "z***@example.com"
            assert "1234" not in item["phone"][:7] and item["phone"].endswith("5678")
            assert "13900001111" not in item["text"]
        else:
            assert "zhang.san@example.com" in html and item["phone"] == "13812345678"
            assert "13900001111" in item["text"]
    assert _actions(app_client).count("personal_data_read") == 4  # admin + analyst, page + API


def test_agents_and_viewers_see_customer_names_masked(
    app_client: TestClient,
    make_user: Callable[..., int],
    login_as: Callable[..., str],
    feedback_adder: Callable[..., None],
) -> None:
    names = {"C-1": ("欧阳娜娜", "欧**"), "C-2": ("Alice Smith", "A**")}
    for code, (name, _) in names.items():
        feedback_adder(app_client, "物流很快", name=name)
        with unit_of_work(app_client.app.state.sessions) as session:  # type: ignore[attr-defined]
            customer = session.scalars(select(Customer).where(Customer.name == name)).one()
            customer.customer_code = code  # the helper's code holds the name: keep it out
    for role, masked in (("admin", False), ("analyst", False), ("agent", True), ("viewer", True)):
        make_user(role, role)
        app_client.cookies.clear()
        login_as(app_client, role)
        html = app_client.get("/feedback").text
        shown = {
            i["customer_code"]: i["customer_name"]
            for i in app_client.get("/api/feedback").json()["items"]
        }
        for code, (name, mask) in names.items():
            assert shown[code] == (mask if masked else name), role
            assert (name in html) is not masked and (f">{mask}<" in html) is masked, role


def test_feedback_channel_filter_is_allow_listed_and_paginated(
    admin_client: tuple[TestClient, str], feedback_adder: Callable[..., None]
) -> None:
    client, _ = admin_client
    feedback_adder(client, "slow delivery", channel="email", n=55)
    feedback_adder(client, "great app", channel="in_app", name="李四", n=3)
    first = client.get("/api/feedback?channel=email").json()
    assert first["total"] == 55 and len(first["items"]) == 50
    second = client.get("/api/feedback?channel=email&page=2").json()
    assert len(second["items"]) == 5
    assert {i["channel"] for i in client.get("/api/feedback?channel=in_app").json()["items"]} == {
        "in_app"
    }
    for bad in ("' OR '1'='1", "1); SELECT pg_sleep(5)--", "EMAIL"):
        response = client.get("/api/feedback", params={"channel": bad})
        assert response.status_code == 422, bad
        assert "channel" in response.json()["detail"]
        page = client.get("/feedback", params={"channel": bad})
        assert page.status_code == 422
    assert client.get("/api/feedback?page=0").status_code == 422
    assert client.get("/feedback?page=abc").status_code == 422
    html = client.get("/feedback?channel=email").text
    assert "page=2&amp;channel=email" in html


def test_home_has_counts_and_chart_data(
    admin_client: tuple[TestClient, str], feedback_adder: Callable[..., None]
) -> None:
    client, _ = admin_client
    feedback_adder(client, "ok", channel="email", n=3)
    feedback_adder(client, "ok", channel="chat", name="赵六", n=2)
    overview = client.get("/api/stats/overview").json()
    assert overview["counts"] == {"customers": 2, "orders": 0, "feedback": 5}
    months = overview["feedback_by_month"]["months"]
    assert months == ["2025-01", "2025-02", "2025-03"]
    series = {s["channel"]: s["counts"] for s in overview["feedback_by_month"]["series"]}
    assert series == {"chat": [1, 1, 0], "email": [1, 1, 1]}
    html = client.get("/").text
    assert 'id="feedback-chart"' in html and "/static/js/home.js" in html
    embedded = re.search(
        r'<script type="application/json" id="overview-data">(.*?)</script>', html, re.S
    )
    assert embedded and json.loads(embedded.group(1))["months"] == months
    assert "<script>" not in html  # no inline scripts (CSP)


def test_language_switch_per_user(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    assert "首页" in client.get("/").text
    switched = client.post(
        "/language", data={"lang": "en", "next": "/feedback", "csrf_token": csrf}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/feedback"
    assert "Latest feedback" in client.get("/feedback").text
    assert client.get("/api/me").json()["language"] == "en"
    assert client.post("/language", data={"lang": "fr", "csrf_token": csrf}).status_code == 422
    assert "English" in client.get("/login?lang=en").text
    assert "Log in" in client.get("/login?lang=en").text


def test_not_found_is_a_page_or_json(admin_client: tuple[TestClient, str]) -> None:
    client, _ = admin_client
    assert client.get("/users/999999").status_code == 404
    assert client.get("/api/users/999999/tokens").json()["detail"] == "user 999999 not found"
    assert client.get("/no-such-page").status_code == 404


CUSTOMERS_CSV = "customer_id,name,email,phone,city\nC001,张三,zs@example.com,13800000001,上海\nC002,李四,ls@example.com,,北京\n"


def test_import_page_and_api(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    files = {"file": ("customers.csv", io.BytesIO(CUSTOMERS_CSV.encode()), "text/csv")}
    page = client.post("/import", data={"kind": "customers", "csrf_token": csrf}, files=files)
    assert page.status_code == 200, page.text
    assert 'id="import-result"' in page.text
    files = {"file": ("customers.csv", io.BytesIO(CUSTOMERS_CSV.encode()), "text/csv")}
    again = client.post("/api/import/customers", files=files, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 200, again.text
    report = again.json()
    assert report["rows_read"] == 2 and report["imported"] == 0 and report["already_present"] == 2
    assert client.get("/api/stats/overview").json()["counts"]["customers"] == 2
    assert _actions(client).count("data_imported") == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [("evil.exe", b"MZ\x00\x00"), ("../../etc/passwd", b"root:x:0:0")],
)
def test_import_refuses_bad_files(
    admin_client: tuple[TestClient, str], name: str, content: bytes
) -> None:
    client, csrf = admin_client
    files = {"file": (name, io.BytesIO(content), "application/octet-stream")}
    response = client.post("/api/import/customers", files=files, headers={"X-CSRF-Token": csrf})
    assert 400 <= response.status_code < 500


def test_import_kind_is_validated(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    files = {"file": ("x.csv", io.BytesIO(b"a,b\n1,2\n"), "text/csv")}
    response = client.post("/api/import/secrets", files=files, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "kind"


def test_oversized_body_refused_early(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client  # max_upload_mb=1 in these tests
    big = b"a,b\n" + b"1,2\n" * 300_000
    files = {"file": ("big.csv", io.BytesIO(big), "text/csv")}
    response = client.post("/api/import/customers", files=files, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 413
    negative = client.post(
        "/api/import/customers",
        content=b"x",
        headers={"Content-Length": "-5", "X-CSRF-Token": csrf},
    )
    assert negative.status_code in (400, 413)


def test_multipart_redos_boundary_is_harmless(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    boundary = '"' + "\\" * 4000 + "a"
    response = client.post(
        "/api/import/customers",
        content=b"--x--\r\n",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": csrf},
    )
    assert 400 <= response.status_code < 500


def test_chunked_oversized_body_refused(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client  # max_upload_mb=1; no Content-Length, so bytes are counted

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 65536

    response = client.post(
        "/api/import/customers",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=zz", "X-CSRF-Token": csrf},
    )
    assert 400 <= response.status_code < 500
