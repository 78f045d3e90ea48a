"""The FastAPI application factory: API under /api, staff pages, static files, one error handler."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from manyi.config import Settings
from manyi.feedback import insights
from manyi.feedback.service import load_taxonomy
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade
from manyi.web import auth, errors
from manyi.web.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from manyi.web.routers import admin, api, imports, pages
from manyi.web.routers import customers as customer_routes
from manyi.web.routers import insights as insights_routes
from manyi.web.routers import metrics as metrics_routes
from manyi.web.routers import scores as scores_routes
from manyi.web.routers import segments as segment_routes
from manyi.web.templating import make_templates

STATIC_DIR = Path(__file__).parent / "static"
logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open (and migrate) the database when the server starts; dispose of it when it stops."""
    settings: Settings = app.state.settings
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.taxonomy = load_taxonomy(settings.aspect_taxonomy)
    if app.state.warm_insights:
        app.state.warm_thread = threading.Thread(
            target=_warm_insights, args=(app.state.sessions,), name="manyi-warm", daemon=True
        )
        app.state.warm_thread.start()
    try:
        yield
    finally:
        engine.dispose()


def _warm_insights(sessions: sessionmaker[Session]) -> None:
    """Fill the insights cache in the background; a failure only leaves it cold."""
    try:
        with sessions() as session:
            insights.warm(session)
    except Exception:  # the server must start even if warming fails
        logger.warning("manyi: warming the insights cache failed", exc_info=True)


def create_app(settings: Settings, *, warm_insights: bool = False) -> FastAPI:
    """Build the web application for the given settings (nothing is opened until it starts).

    ``warm_insights`` computes the Insights page's default views in a background thread when
    the server starts (``manyi serve`` and ``quickstart`` do; tests need not).
    """
    app = FastAPI(
        title="manyi 满意",
        summary="Customer-experience management API / 客户体验管理接口",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.warm_insights = warm_insights
    app.state.templates = make_templates()
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth, api, admin, imports, pages):
        app.include_router(module.router)
    app.include_router(insights_routes.router)
    app.include_router(scores_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(customer_routes.router)
    app.include_router(segment_routes.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_mb * 1024 * 1024)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
