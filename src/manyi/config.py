"""Settings from environment variables (MANYI_*) and an optional manyi.toml, built at entry points."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

Language = Literal["zh", "en"]


def _config_file() -> Path:
    """The TOML file to read: $MANYI_CONFIG, else ./manyi.toml."""
    return Path(os.environ.get("MANYI_CONFIG", "manyi.toml"))


class Settings(BaseSettings):
    """Runtime configuration; construct once in the CLI or app factory and pass it down."""

    model_config = SettingsConfigDict(env_prefix="MANYI_", extra="ignore")

    data_dir: Path = Field(
        default=Path("manyi-data"), description="Folder for the SQLite file etc."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default SQLite file"
    )
    secret_key: str | None = Field(default=None, description="Signs tokens; generated if unset")
    language: Language = "zh"
    aspect_taxonomy: str = Field(
        default="retail",
        description="Aspects of feedback: a built-in (retail, bank, airline) or a .json/.toml file",
    )
    session_hours: int = 12
    max_upload_mb: int = 200
    cookie_secure: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: arguments, environment, manyi.toml."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'manyi.db').resolve()}"

    @property
    def display_database_url(self) -> str:
        """The database URL with any password hidden, for printing."""
        return make_url(self.resolved_database_url).render_as_string(hide_password=True)

    def resolved_secret_key(self) -> str:
        """The secret key: configured, or read from (or generated into) data_dir/secret_key."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment and manyi.toml, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
