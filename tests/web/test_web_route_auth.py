"""Every route, including ones added later, refuses callers without credentials."""

from __future__ import annotations

import re

import fastapi.routing
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount

from manyi.config import Settings
from manyi.web.app import create_app
from manyi.web.auth import PUBLIC_PATHS


def _concrete(path: str) -> str:
    """Fill path parameters with plausible values (`kind` -> feedback, ids -> 1)."""
    path = path.replace("{kind}", "feedback")
    return re.sub(r"\{[^}]+\}", "1", path)


def _protected_routes(settings: Settings) -> list[tuple[str, str]]:
    """(method, path) of every route of the app except the public ones."""
    app = create_app(settings)
    found = []
    for path, route in _flat_routes(app.routes):
        if isinstance(route, Mount):
            assert path == "/static", f"unexpected mount {path}"
            continue
        assert isinstance(route, APIRoute), f"unexpected route type {route!r}"
        if path in PUBLIC_PATHS:
            continue
        for method in sorted(route.methods or []):
            found.append((method, path))
    return found


def _flat_routes(routes: list[BaseRoute]) -> list[tuple[str, BaseRoute]]:
    """(full path, route) of every route, through included routers (lazy since FastAPI 0.16x)."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    if iterate is None:  # older FastAPI: include_router copied routes onto the app
        return [(getattr(r, "path", ""), r) for r in routes]
    return [(str(ctx.path), ctx.original_route) for ctx in iterate(routes)]


def test_there_are_many_protected_routes(settings: Settings) -> None:
    routes = _protected_routes(settings)
    assert len(routes) >= 20
    assert ("GET", "/api/feedback") in routes and ("POST", "/api/import/{kind}") in routes


def test_every_non_public_route_requires_login(app_client: TestClient, settings: Settings) -> None:
    for method, path in _protected_routes(settings):
        url = _concrete(path)
        response = app_client.request(method, url)
        if path.startswith("/api"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["detail"]
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login"), (method, path)


def test_every_route_refuses_a_forged_cookie_and_bearer(
    app_client: TestClient, settings: Settings
) -> None:
    app_client.cookies.set("manyi_session", "forged-session-token")
    for method, path in _protected_routes(settings):
        url = _concrete(path)
        api = path.startswith("/api")
        response = app_client.request(method, url)
        assert response.status_code == (401 if api else 303), (method, path)
        if api:
            bearer = app_client.request(method, url, headers={"Authorization": "Bearer mny_forged"})
            assert bearer.status_code == 401, (method, path)


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/health",
        "/api/health",
        "/static/css/app.css",
    ],
)
def test_public_paths_answer_without_login(app_client: TestClient, path: str) -> None:
    assert app_client.get(path).status_code == 200


def test_only_the_two_swagger_files_are_served(app_client: TestClient) -> None:
    for name in (
        "index.html",
        "swagger-initializer.js",
        "..%2F__init__.py",
        "oauth2-redirect.html",
    ):
        assert app_client.get("/static/swagger/" + name).status_code == 404, name


def test_data_routes_answer_401_json(app_client: TestClient) -> None:
    for path in (
        "/api/feedback",
        "/api/stats/overview",
        "/api/users",
        "/api/openapi.json",
        "/api/docs",
    ):
        response = app_client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/json")


def test_every_state_changing_route_refuses_a_session_without_csrf_token(
    admin_client: tuple[TestClient, str], settings: Settings
) -> None:
    """Logged in by cookie (as a browser would be) but without the CSRF token: refused, for
    every POST/PUT/PATCH/DELETE route, including ones added later."""
    client, _token = admin_client
    mutating = [
        (method, path)
        for method, path in _protected_routes(settings)
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(mutating) >= 10
    for method, path in mutating:
        response = client.request(method, _concrete(path), data={"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
