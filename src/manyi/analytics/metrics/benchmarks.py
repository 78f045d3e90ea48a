"""Industry reference figures (ACSI-style 0-100) and comparing a score with them.

The default table holds APPROXIMATE U.S. national ACSI industry scores as published by the
American Customer Satisfaction Index (theacsi.org) in its 2023-2024 industry reports,
rounded to whole points and recalled, not an official extract. Caveats: ACSI uses its own
questionnaire, sampling and latent-variable model; a company's own 0-100 index (e.g. from
:func:`satisfaction_index`) or a rescaled CSAT mean is only loosely comparable, other
countries and years differ, and users should override the table with current figures
(:func:`load_benchmarks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

# industry: (score, year, source). Approximate; see the module docstring for the caveats.
DEFAULT_BENCHMARKS: dict[str, tuple[float, int, str]] = {
    "national": (77.0, 2024, "ACSI national score, approx. (theacsi.org)"),
    "retail": (76.0, 2024, "ACSI retail & consumer shipping, approx."),
    "finance": (77.0, 2024, "ACSI finance & insurance, approx."),
    "banks": (77.0, 2024, "ACSI banks, approx."),
    "credit_unions": (79.0, 2024, "ACSI credit unions, approx."),
    "restaurants_full_service": (84.0, 2024, "ACSI full-service restaurants, approx."),
    "restaurants_limited_service": (79.0, 2024, "ACSI fast food / limited service, approx."),
    "telecom": (70.0, 2024, "ACSI telecommunications sector, approx."),
    "airlines": (75.0, 2024, "ACSI airlines, approx."),
    "hotels": (73.0, 2024, "ACSI hotels, approx."),
}

INDUSTRY_LABELS = {
    "national": "national / 全国",
    "retail": "retail / 零售",
    "finance": "finance / 金融",
    "banks": "banks / 银行",
    "credit_unions": "credit unions / 信用合作社",
    "restaurants_full_service": "full-service restaurants / 正餐",
    "restaurants_limited_service": "limited-service restaurants / 快餐",
    "telecom": "telecom / 电信",
    "airlines": "airlines / 航空",
    "hotels": "hotels / 酒店",
}


def benchmark_table(overrides: Mapping[str, float] | pd.DataFrame | None = None) -> pd.DataFrame:
    """The reference table (industry, score, year, source), with user figures overriding.

    ``overrides`` is a dict ``{industry: score}`` or a frame with ``industry`` and ``score``
    (and optionally ``year``, ``source``) columns; new industries are added.
    """
    rows = {
        k: {"industry": k, "score": v[0], "year": v[1], "source": v[2]}
        for k, v in DEFAULT_BENCHMARKS.items()
    }
    if isinstance(overrides, pd.DataFrame):
        for column in ("industry", "score"):
            if column not in overrides.columns:
                raise ValueError(f"column {column!r}: benchmark overrides need it")
        records = overrides.to_dict("records")
    elif overrides is not None:
        records = [{"industry": k, "score": v} for k, v in overrides.items()]
    else:
        records = []
    for record in records:
        score = pd.to_numeric(pd.Series([record["score"]]), errors="coerce").iloc[0]
        if pd.isna(score) or not 0 <= score <= 100:
            raise ValueError(
                f"column 'score': {record['score']!r} for {record['industry']!r} "
                "must be a number from 0 to 100"
            )
        key = str(record["industry"])
        year = record.get("year")
        rows[key] = {
            "industry": key,
            "score": float(score),
            "year": None if year is None or pd.isna(year) else int(year),
            "source": str(record.get("source") or "user-supplied"),
        }
    return pd.DataFrame(list(rows.values()))


def load_benchmarks(path: str | Path) -> pd.DataFrame:
    """Read overrides from a CSV with ``industry,score[,year,source]`` and merge them."""
    return benchmark_table(pd.read_csv(path))


@dataclass(frozen=True)
class BenchmarkComparison:
    """A score against its industry's reference figure."""

    industry: str
    label: str
    score: float
    benchmark: float
    difference: float
    year: int | None
    source: str
    caveat: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return asdict(self)


def compare_to_benchmark(
    score: float, industry: str, table: pd.DataFrame | None = None
) -> BenchmarkComparison:
    """Compare a 0-100 score with the industry figure (score minus benchmark, in points)."""
    if not 0 <= score <= 100:
        raise ValueError(f"score: {score} must lie on the 0-100 index scale")
    reference = benchmark_table() if table is None else table
    match = reference[reference["industry"] == industry]
    if match.empty:
        known = ", ".join(reference["industry"])
        raise ValueError(f"industry: {industry!r} is not in the table ({known})")
    row = match.iloc[-1]
    year = row["year"]
    return BenchmarkComparison(
        industry=industry,
        label=INDUSTRY_LABELS.get(industry, industry),
        score=float(score),
        benchmark=float(row["score"]),
        difference=float(score) - float(row["score"]),
        year=None if year is None or pd.isna(year) else int(year),
        source=str(row["source"]),
        caveat="methods differ from ACSI's; treat as a rough reference / 方法不同，仅供粗略参考",
    )
