"""Jinja2 templates with autoescaping on for every file, and the context every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from manyi.i18n import t
from manyi.staff.security import Permission, can

TEMPLATE_DIR = Path(__file__).parent / "templates"


def make_templates() -> Jinja2Templates:
    """Templates from the package folder; autoescape is forced on whatever the file suffix."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the language, translator, user, CSRF token and permission check."""
    templates: Jinja2Templates = request.app.state.templates
    lang: str = getattr(request.state, "lang", None) or request.app.state.settings.language
    user = getattr(request.state, "viewer", None)
    base: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: t(key, lang, **kw),
        "user": user,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "can": lambda perm: user is not None and can(user.role, Permission(perm)),
        "path": request.url.path,
    }
    base.update(context or {})
    return templates.TemplateResponse(request, name, base, status_code=status_code)
