"""Pydantic shapes of segment snapshots and saved segments at the API boundary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["rfm", "tier", "lifecycle", "cluster"]


class SnapshotCreate(BaseModel):
    """Compute snapshots as of a day (default today, UTC) for some kinds (default all)."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    kinds: list[Kind] | None = Field(default=None, min_length=1, max_length=4)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class SnapshotRead(BaseModel):
    """A stored snapshot with its per-segment summary."""

    id: int
    kind: str
    as_of: date
    created_at: datetime
    customers: int
    summary: dict[str, Any]


class SavedSegmentCreate(BaseModel):
    """A named definition: structured filters or an expression; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    definition: dict[str, Any] | str = Field(
        description='e.g. {"all": [{"field": "city_tier", "op": "in", "value": [1, 2]}]} '
        "or 'city_tier in (1, 2) and nps <= 6'"
    )


class SavedSegmentRead(BaseModel):
    """A saved segment with its readable definition and current count."""

    id: int
    name: str
    description: str | None
    definition: dict[str, Any]
    expression: str
    created_at: datetime
    matched: int
    total: int
