"""The allow-list of attributes a satisfaction metric may be broken down or filtered by.

Every name maps to a fixed column or derivation in :mod:`manyi.satisfaction.frames`; a name a
caller sends is only ever looked up here, never placed in SQL. ``segment:KIND`` names the
latest segment snapshot of that kind (the kind is a bound parameter, checked by pattern).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from manyi.errors import InputError

#: Where each attribute comes from (for docs and the API's error message).
ATTRIBUTES: dict[str, str] = {
    "channel": "feedback channel (survey, review, app_store, ...)",
    "touchpoint": "journey touchpoint of the feedback",
    "store": "store named on the feedback",
    "region": "region of the feedback, else of the customer",
    "customer_region": "customer's home region",
    "city": "customer's city",
    "city_tier": "customer's city tier",
    "gender": "customer's gender",
    "age_band": "customer's age when the feedback arrived (<25, 25-34, ... 65+)",
    "income_band": "customer's income band",
    "occupation": "customer's occupation",
    "preferred_channel": "customer's preferred channel",
    "order_channel": "channel of the order the feedback is about",
    "category": "product category of the order (its largest line)",
    "sentiment": "sentiment of the text (after `manyi text analyze`)",
    "language": "language of the text",
    "aspect": "aspect mentioned in the text (one answer counts in each)",
    "complaint_aspect": "aspect mentioned negatively (one answer counts in each)",
    "feedback_type": "complaint, suggestion, inquiry, praise (one answer counts in each)",
}

#: Attributes holding a list per answer: breakdowns count an answer once per value.
MULTI_VALUED = frozenset({"aspect", "complaint_aspect", "feedback_type"})
CUSTOMER_ATTRIBUTES = frozenset(
    {
        "customer_region",
        "city",
        "city_tier",
        "gender",
        "age_band",
        "income_band",
        "occupation",
        "preferred_channel",
    }
)
ANALYSIS_ATTRIBUTES = frozenset({"sentiment", "aspect", "complaint_aspect", "feedback_type"})
SEGMENT_PREFIX = "segment:"
_SEGMENT_KIND = re.compile(r"^[a-z0-9_]{1,60}$")
MAX_BY = 3


@dataclass(frozen=True)
class Attribute:
    """One validated attribute name."""

    name: str

    @property
    def is_segment(self) -> bool:
        """Whether this is a ``segment:KIND`` attribute."""
        return self.name.startswith(SEGMENT_PREFIX)

    @property
    def segment_kind(self) -> str:
        """The snapshot kind of a ``segment:KIND`` attribute."""
        return self.name[len(SEGMENT_PREFIX) :]

    @property
    def multi_valued(self) -> bool:
        """Whether one answer may carry several values of this attribute."""
        return self.name in MULTI_VALUED


def allowed_names() -> list[str]:
    """Every attribute name accepted (segment kinds shown as a pattern)."""
    return [*ATTRIBUTES, SEGMENT_PREFIX + "KIND"]


def check_attribute(name: str) -> Attribute:
    """Return the attribute if ``name`` is on the allow-list, else raise a clear 422 error."""
    clean = name.strip()
    if clean in ATTRIBUTES:
        return Attribute(clean)
    if clean.startswith(SEGMENT_PREFIX) and _SEGMENT_KIND.match(clean[len(SEGMENT_PREFIX) :]):
        return Attribute(clean)
    raise InputError(
        f"by: {clean[:40]!r} is not an attribute metrics can be broken down by; "
        f"use one of {', '.join(allowed_names())} / 不支持按此属性分组"
    )


def parse_by(by: str | Sequence[str] | None) -> list[Attribute]:
    """Validate ``by`` (a name, comma-separated names or a list) against the allow-list."""
    if by is None:
        return []
    names = [p for p in (by.split(",") if isinstance(by, str) else by) if p.strip()]
    if len(names) > MAX_BY:
        raise InputError(f"by: at most {MAX_BY} attributes at once / 最多按 {MAX_BY} 个属性分组")
    attributes = [check_attribute(n) for n in names]
    if len({a.name for a in attributes}) != len(attributes):
        raise InputError("by: an attribute is named twice / 分组属性重复")
    if sum(a.multi_valued for a in attributes) > 1:
        raise InputError("by: at most one of aspect, complaint_aspect, feedback_type at once")
    return attributes
