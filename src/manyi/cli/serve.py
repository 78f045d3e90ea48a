"""`manyi serve`: run the web server."""

from __future__ import annotations

import typer

from manyi.config import Settings, load_settings


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the web application until interrupted."""
    import uvicorn

    from manyi.web.app import create_app

    app = create_app(settings, warm_insights=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on / 监听地址"),
    port: int = typer.Option(8000, help="Port / 端口"),
) -> None:
    """Start the web server (API under /api, staff pages) / 启动网页服务."""
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"manyi: http://{shown}:{port}/  (API docs / 接口文档: /api/docs)")
    run_server(load_settings(), host, port)
