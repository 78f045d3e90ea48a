"""The one JSON shape of a metric summary, shared by the CLI (file and database) and the API.

``{"metric", "overall": {"n", "score", "se", "ci_low", "ci_high", counts..., "warning"},
"groups": [{"key", "n", "score", "ci_low", "ci_high", "small_sample"}, ...]}``
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from manyi.analytics.metrics.breakdown import Summary
from manyi.analytics.metrics.result import MetricResult

#: Columns of a breakdown row that are not estimates (kept out of the detailed group rows).
_KEY_COLUMNS = ("n", "n_effective", "score", "se", "ci_low", "ci_high", "small_sample")


def json_safe(value: Any) -> Any:
    """Numpy scalars to Python, NaN and NaT to None, dates to ISO strings, recursively."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime | date | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def overall_dict(result: MetricResult, confidence: float) -> dict[str, Any]:
    """The overall figure, flat: n, score, se, interval, counts, effective n, extras, warning."""
    data = result.to_dict()
    return json_safe(
        {
            **{k: data[k] for k in ("n", "score", "se", "ci_low", "ci_high")},
            **data["counts"],
            "n_missing": result.n_missing,
            "n_effective": result.n_effective,
            "confidence": confidence,
            **data["extra"],
            "warning": result.warning,
        }
    )


def _key(row: dict[str, Any], by: Sequence[str]) -> str:
    """The display key of a breakdown row: its value, or values joined by ' / '."""
    return " / ".join(str(row[b]) for b in by)


def group_rows(groups: pd.DataFrame, by: Sequence[str], *, detail: bool) -> list[dict[str, Any]]:
    """Breakdown rows: key, n, score, interval, small-sample flag (and, with detail, the rest)."""
    rows = []
    for row in groups.to_dict("records"):
        out: dict[str, Any] = {
            "key": _key(row, by),
            "n": int(row["n"]),
            "score": row["score"],
            "ci_low": row["ci_low"],
            "ci_high": row["ci_high"],
            "small_sample": bool(row["small_sample"]),
        }
        if detail:
            out["values"] = {b: row[b] for b in by}
            out["se"] = row["se"]
            out.update({k: v for k, v in row.items() if k not in _KEY_COLUMNS and k not in by})
        rows.append(json_safe(out))
    return rows


def summary_payload(
    metric: str,
    summary: Summary,
    by: Sequence[str],
    *,
    confidence: float,
    detail: bool = False,
) -> dict[str, Any]:
    """``{"metric", "overall", "groups"}`` for a summary (groups empty without ``by``)."""
    return {
        "metric": metric,
        "overall": overall_dict(summary.overall, confidence),
        "groups": group_rows(summary.groups, by, detail=detail) if by else [],
    }
