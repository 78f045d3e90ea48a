"""`manyi serve` builds the app from settings and hands it to uvicorn with the host and port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from manyi.cli.main import app


def test_serve_runs_uvicorn_and_prints_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(application: Any, **kwargs: Any) -> None:
        seen["app"] = application
        seen.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    env = {"MANYI_DATA_DIR": str(tmp_path), "MANYI_SECRET_KEY": "k"}
    result = CliRunner().invoke(app, ["serve", "--host", "127.0.0.2", "--port", "8123"], env=env)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.2:8123/" in result.output
    assert isinstance(seen["app"], FastAPI)
    assert seen["host"] == "127.0.0.2" and seen["port"] == 8123
