"""Customer satisfaction index (ECSI/ACSI) on top of the PLS path model.

The standard ECSI model (Tenenhaus, Esposito Vinzi, Chatelin & Lauro 2005, *Computational
Statistics & Data Analysis* 48: 159-205, section 5): image -> expectations, satisfaction,
loyalty; expectations -> perceived quality, perceived value, satisfaction; perceived quality
-> perceived value, satisfaction; perceived value -> satisfaction; satisfaction ->
complaints, loyalty; complaints -> loyalty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from manyi.analytics.metrics.pls import PLSPathModel

# latent -> column prefix of its items in the classic ECSI questionnaire
ECSI_PREFIXES: dict[str, str] = {
    "image": "IMAG",
    "expectations": "CUEX",
    "quality": "PERQ",
    "value": "PERV",
    "satisfaction": "CUSA",
    "complaints": "CUSCO",
    "loyalty": "CUSL",
}

ECSI_LABELS: dict[str, str] = {
    "image": "image / 企业形象",
    "expectations": "expectations / 顾客期望",
    "quality": "perceived quality / 感知质量",
    "value": "perceived value / 感知价值",
    "satisfaction": "satisfaction / 顾客满意",
    "complaints": "complaints / 顾客抱怨",
    "loyalty": "loyalty / 顾客忠诚",
}

ECSI_PATHS: list[tuple[str, str]] = [
    ("image", "expectations"),
    ("image", "satisfaction"),
    ("image", "loyalty"),
    ("expectations", "quality"),
    ("expectations", "value"),
    ("expectations", "satisfaction"),
    ("quality", "value"),
    ("quality", "satisfaction"),
    ("value", "satisfaction"),
    ("satisfaction", "complaints"),
    ("satisfaction", "loyalty"),
    ("complaints", "loyalty"),
]


def ecsi_blocks(
    columns: Sequence[str], prefixes: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Find each ECSI latent's items by column prefix (``PREFIX`` or ``PREFIX<digits>``)."""
    prefixes = ECSI_PREFIXES if prefixes is None else prefixes
    blocks: dict[str, list[str]] = {}
    for latent, prefix in prefixes.items():
        pattern = re.compile(rf"^{re.escape(prefix)}\d*$", re.IGNORECASE)
        items = [c for c in columns if pattern.match(str(c))]
        if not items:
            raise ValueError(
                f"column {prefix}*: no items found for {latent!r} "
                f"(expected columns like {prefix}1, {prefix}2, ...)"
            )
        blocks[latent] = items
    return blocks


def spec_from_mapping(
    spec: Mapping[str, Any],
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Read ``{"blocks": {latent: [items]}, "paths": [[from, to], ...]}`` (e.g. from JSON)."""
    if not isinstance(spec, Mapping) or "blocks" not in spec or "paths" not in spec:
        raise ValueError("spec: expected an object with 'blocks' and 'paths'")
    blocks_raw = spec["blocks"]
    if not isinstance(blocks_raw, Mapping):
        raise ValueError("spec: 'blocks' must map each latent to a list of item columns")
    blocks: dict[str, list[str]] = {}
    for latent, items in blocks_raw.items():
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError(f"spec: block {latent!r} must be a list of column names")
        blocks[str(latent)] = items
    paths: list[tuple[str, str]] = []
    for edge in spec["paths"]:
        if not isinstance(edge, list | tuple) or len(edge) != 2:
            raise ValueError(f"spec: path {edge!r} must be a pair [from, to]")
        paths.append((str(edge[0]), str(edge[1])))
    return blocks, paths


@dataclass(frozen=True)
class IndexResult:
    """Satisfaction-index model: 0-100 index, paths with intervals, loadings, R², n."""

    index: pd.Series
    paths: pd.DataFrame
    outer: pd.DataFrame
    r2: pd.Series
    n: int
    n_dropped: int
    labels: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view."""
        return {
            "n": self.n,
            "n_dropped": self.n_dropped,
            "index": [
                {"latent": k, "label": self.labels.get(k, k), "index": float(v)}
                for k, v in self.index.items()
            ],
            "paths": self.paths.to_dict("records"),
            "r2": {k: float(v) for k, v in self.r2.items()},
            "outer": self.outer.to_dict("records"),
        }


def satisfaction_index(
    frame: pd.DataFrame,
    *,
    blocks: Mapping[str, Sequence[str]] | None = None,
    paths: Sequence[tuple[str, str]] | None = None,
    scale: tuple[float, float] = (1, 10),
    n_boot: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> IndexResult:
    """Fit the ECSI model (or a custom one) and report the 0-100 index per latent.

    Without ``blocks`` the items are found by the ECSI prefixes (IMAG, CUEX, PERQ, PERV, CUSA,
    CUSCO, CUSL); without ``paths`` the standard ECSI inner model is used. The index is the
    ACSI-style rescaled weighted mean of each latent's raw items on ``scale``.
    """
    if blocks is None:
        blocks = ecsi_blocks(list(frame.columns))
    if paths is None:
        paths = [p for p in ECSI_PATHS if p[0] in blocks and p[1] in blocks]
    model = PLSPathModel(
        blocks, paths, n_boot=n_boot, confidence=confidence, seed=seed, scale=scale
    ).fit(frame)
    for column in model.outer_["manifest"]:
        values = pd.to_numeric(frame[column], errors="coerce")
        if (values < scale[0]).any() or (values > scale[1]).any():
            raise ValueError(
                f"column {column!r}: values outside the scale {scale[0]:g}-{scale[1]:g}"
            )
    return IndexResult(
        model.index_,
        model.paths_,
        model.outer_,
        model.r2_,
        model.n_,
        model.n_dropped_,
        {k: ECSI_LABELS.get(k, k) for k in blocks},
    )
