"""`manyi serve`: run the web server."""

from __future__ import annotations

import typer

from manyi.config import load_settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on / 监听地址"),
    port: int = typer.Option(8000, help="Port / 端口"),
) -> None:
    """Start the web server (API under /api, staff pages) / 启动网页服务."""
    import uvicorn

    from manyi.web.app import create_app

    settings = load_settings()
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"manyi: http://{shown}:{port}/  (API docs / 接口文档: /api/docs)")
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
