"""`manyi quickstart`: embedded database, demo data, analysis, server — one command."""

from __future__ import annotations

import typer


def quickstart() -> None:
    """Create the database, load demo data, analyse it and start the server / 一键体验."""
    raise typer.Exit(1)  # implemented once the pieces it calls exist
