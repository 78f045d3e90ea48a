"""`manyi db ...`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from manyi.cli.context import open_database
from manyi.config import load_settings
from manyi.store.migrate import current_revision, head_revision

app = typer.Typer(help="Database schema / 数据库结构", no_args_is_help=True)
console = Console()


@app.command("upgrade")
def upgrade_command() -> None:
    """Create the database if needed and migrate it to the newest schema / 升级数据库结构."""
    settings = load_settings()
    db = open_database(settings)
    url = db.engine.url.render_as_string(hide_password=True)
    console.print(f"database {url} at revision {current_revision(db.engine)}")
    db.engine.dispose()


@app.command("status")
def status_command() -> None:
    """Show the database's schema revision and the newest shipped one / 查看结构版本."""
    db = open_database(migrate=False)
    console.print(f"current: {current_revision(db.engine)}  head: {head_revision()}")
    db.engine.dispose()
