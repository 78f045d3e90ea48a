"""API shapes for scores, the risk list and retention actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ScoreRunCreate(BaseModel):
    """Parameters of a scoring run (all optional)."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    horizon_weeks: int = Field(default=52, ge=1, le=520)


class ScoreRunRead(BaseModel):
    """What a scoring run did."""

    as_of: date
    horizon_weeks: int
    model_version: str
    customers_scored: int
    rows_written: int
    purchase_model: dict[str, float]
    spend_model: dict[str, float]
    total_clv: float
    total_value_at_risk: float
    tiers: dict[str, int]
    recommended: dict[str, int]
    actions_created: int
    actions_refreshed: int
    actions_withdrawn: int
    seconds: float
    top: list[dict[str, Any]]
    warnings: list[str]


class ReasonRead(BaseModel):
    """One reason, as a code and a sentence in the request's language."""

    code: str
    text: str


class RiskRead(BaseModel):
    """One customer of the risk list (name and contacts masked unless the role may see PII)."""

    customer_code: str
    customer_name: str | None
    email: str | None
    phone: str | None
    tier: str
    churn_risk: float
    clv: float
    value_at_risk: float
    p_alive: float | None
    expected_purchases: float | None
    reasons: list[ReasonRead]
    action: str
    action_label: str
    action_id: int | None
    action_status: str | None


class RiskPageRead(BaseModel):
    """The risk list of one as-of date."""

    as_of: date | None
    total: int
    masked: bool
    items: list[RiskRead]


class ScorePointRead(BaseModel):
    """A customer's scores on one as-of date."""

    as_of: date
    model_version: str
    values: dict[str, float]
    tier: str | None
    reasons: list[ReasonRead]


class CustomerScoresRead(BaseModel):
    """A customer's score history, oldest first."""

    customer_code: str
    points: list[ScorePointRead]


class ActionRead(BaseModel):
    """One retention action."""

    id: int
    customer_code: str
    customer_name: str | None
    email: str | None
    phone: str | None
    action: str
    action_label: str
    reason: str | None
    priority: float | None
    as_of: date
    status: str
    rule: str | None
    created_at: datetime


class ActionPageRead(BaseModel):
    """Retention actions by priority."""

    total: int
    masked: bool
    items: list[ActionRead]


class ActionUpdate(BaseModel):
    """A status change: open -> in_progress -> done, or dismissed."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(max_length=20)


class ActionStatusRead(BaseModel):
    """An action after a status change."""

    id: int
    status: str
    previous_status: str
