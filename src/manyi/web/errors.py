"""One place that turns errors into responses: JSON under /api, a page (or a redirect) elsewhere."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from manyi.errors import ManyiError
from manyi.web.templating import render


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API."""
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _login_redirect(request: Request) -> Response:
    """Send a browser to the login page, remembering where it was going."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    url = "/login?next=" + quote(target, safe="")
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _page(request: Request, status: int, message: str) -> Response:
    """The error page with a message that is safe to show."""
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


async def manyi_error(request: Request, exc: Exception) -> Response:
    """ManyiError -> {"detail": message} with its status, or a page / login redirect."""
    assert isinstance(exc, ManyiError)
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)
    if exc.status_code == 401:
        return _login_redirect(request)
    return _page(request, exc.status_code, exc.message)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Validation problems as (field, reason) pairs, without echoing the submitted values."""
    found = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        found.append({"field": ".".join(loc) or "request", "reason": str(err.get("msg", ""))})
    return found


async def validation_error(request: Request, exc: Exception) -> Response:
    """422 naming each bad field; the submitted values are not echoed back."""
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if is_api(request):
        return JSONResponse({"detail": errors}, status_code=422)
    text = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return _page(request, 422, text)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own HTTP errors (404, 405, ...) in the same two shapes."""
    assert isinstance(exc, StarletteHTTPException)
    if is_api(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    return _page(request, exc.status_code, str(exc.detail))


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(ManyiError, manyi_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
