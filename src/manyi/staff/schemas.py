"""Pydantic shapes of staff users and tokens as they cross the API boundary."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from manyi.staff.models import Role


class UserCreate(BaseModel):
    """A new staff user; unknown fields (e.g. `is_admin`) are refused."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=1024)
    role: Role = Role.VIEWER
    display_name: str | None = Field(default=None, max_length=200)


class UserUpdateSelf(BaseModel):
    """What a user may change about themselves: never their role."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, pattern=r"^(zh|en)$")


class UserRead(BaseModel):
    """A staff user as shown to others (no password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str | None
    role: str
    language: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenCreate(BaseModel):
    """A request for a new API token."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class TokenRead(BaseModel):
    """An API token's public facts: its prefix, never the token."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """A freshly created token: the only time its full value is shown."""

    token: str
