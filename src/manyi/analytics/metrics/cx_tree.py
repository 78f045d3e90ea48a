"""CX indicator tree: needs met, ease, delight rolled up into one 0-100 scorecard.

Customers judge an experience on three levels: were their needs met (effectiveness), was
it easy (effort), and did it feel good (emotion/delight). Each level is a group of rating
items; each item is rescaled to 0-100 from its answer scale, items average (weighted) into
their level, and levels average (weighted) into the overall score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

LEVEL_LABELS = {
    "needs_met": "needs met / 需求满足",
    "ease": "ease / 轻松便捷",
    "delight": "delight / 愉悦惊喜",
}


@dataclass(frozen=True)
class CxLevel:
    """One level of the tree: its items (column -> weight), answer scale and weight."""

    items: Mapping[str, float]
    scale: tuple[float, float] = (1, 5)
    weight: float = 1.0


@dataclass(frozen=True)
class Scorecard:
    """Overall 0-100 score plus one row per level (score, n, weight)."""

    score: float
    levels: pd.DataFrame
    n: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {"score": self.score, "n": self.n, "levels": self.levels.to_dict("records")}


def _item_scores(frame: pd.DataFrame, column: str, scale: tuple[float, float]) -> np.ndarray:
    """One item's answers rescaled to 0-100, refusing values off the scale."""
    if column not in frame.columns:
        raise ValueError(f"column {column!r}: not in the data (item of the CX tree)")
    low, high = scale
    if not high > low:
        raise ValueError(f"column {column!r}: scale high ({high}) must exceed low ({low})")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    bad |= (values < low) | (values > high)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"column {column!r}: value {raw.iloc[row]!r} at row {row} is outside "
            f"the scale {low:g}-{high:g}"
        )
    return 100.0 * (values.to_numpy(dtype=float) - low) / (high - low)


def cx_scorecard(frame: pd.DataFrame, levels: Mapping[str, CxLevel | Sequence[str]]) -> Scorecard:
    """Roll item answers up into level scores and one overall 0-100 CX score.

    ``levels`` maps a level name (by default ``needs_met``, ``ease``, ``delight``) to a
    :class:`CxLevel` or simply a list of item columns on a 1-5 scale, equally weighted.
    A level's score is the weighted mean over its items of each item's mean (blanks skipped);
    its ``n`` is the number of respondents who answered at least one of its items.

    Examples
    --------
    >>> df = pd.DataFrame({"solved": [5, 3], "easy": [5, 5], "wow": [1, 3]})
    >>> card = cx_scorecard(df, {"needs_met": ["solved"], "ease": ["easy"], "delight": ["wow"]})
    >>> round(card.score, 2), card.levels["score"].tolist()
    (66.67, [75.0, 100.0, 25.0])
    """
    if not levels:
        raise ValueError("levels: give at least one level with its items")
    rows = []
    for name, spec in levels.items():
        level = spec if isinstance(spec, CxLevel) else CxLevel(dict.fromkeys(spec, 1.0))
        if not level.items:
            raise ValueError(f"levels: {name!r} has no items")
        if level.weight < 0 or any(w < 0 for w in level.items.values()):
            raise ValueError(f"levels: weights of {name!r} must not be negative")
        means, weights = [], []
        answered = np.zeros(len(frame), dtype=bool)
        for column, weight in level.items.items():
            scores = _item_scores(frame, column, level.scale)
            present = ~np.isnan(scores)
            answered |= present
            if present.any():
                means.append(float(scores[present].mean()))
                weights.append(weight)
        total = float(sum(weights))
        score = float(np.dot(means, weights) / total) if total > 0 else float("nan")
        rows.append(
            {
                "level": name,
                "label": LEVEL_LABELS.get(name, name),
                "score": score,
                "n": int(answered.sum()),
                "weight": level.weight,
            }
        )
    table = pd.DataFrame(rows)
    valid = table["score"].notna() & (table["weight"] > 0)
    if valid.any():
        overall = float(np.average(table.loc[valid, "score"], weights=table.loc[valid, "weight"]))
    else:
        overall = float("nan")
    n = int(table["n"].max()) if len(table) else 0
    return Scorecard(overall, table, n)
