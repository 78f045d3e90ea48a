"""The server loads the business's aspect taxonomy once, at start, and refuses a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from manyi.config import Settings
from manyi.errors import InputError
from manyi.web.app import create_app


def test_configured_taxonomy_is_loaded_at_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test", aspect_taxonomy="bank")
    app = create_app(settings)
    with TestClient(app):
        assert app.state.taxonomy.name == "bank"
        assert "branch_queue" in app.state.taxonomy.keys


def test_a_missing_taxonomy_file_stops_the_server_at_start(tmp_path: Path) -> None:
    missing = str(tmp_path / "aspects.toml")
    app = create_app(Settings(data_dir=tmp_path, secret_key="test", aspect_taxonomy=missing))
    with pytest.raises(InputError, match="neither a built-in"), TestClient(app):
        pass
