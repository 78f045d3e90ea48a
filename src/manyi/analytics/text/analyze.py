"""The text pipeline: language, sentiment, feedback types, aspects and masked text per row.

Each text is normalised once (NFKC, invisible characters removed, Traditional -> Simplified)
for analysis; the original is kept and only PII-masked for display (``text_masked``).
Feedback types, aspects and PII masking come from part B's modules
(:mod:`~manyi.analytics.text.types`, :mod:`~manyi.analytics.text.aspects`,
:mod:`~manyi.analytics.text.pii`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from manyi.analytics.text.aspects import AspectTaxonomy, extract_aspects
from manyi.analytics.text.language import detect_language
from manyi.analytics.text.normalize import normalize
from manyi.analytics.text.pii import mask_pii
from manyi.analytics.text.sentiment import SentimentModel, label_scores, shipped_version
from manyi.analytics.text.types import classify_types

__all__ = ["COLUMNS", "MODEL_VERSION", "analyze", "sentiment_model"]

COLUMNS = ("language", "sentiment", "sentiment_score", "types", "aspects", "text_masked")


@lru_cache(maxsize=1)
def sentiment_model() -> SentimentModel:
    """The shipped sentiment model, loaded once per process."""
    return SentimentModel.load()


MODEL_VERSION: str = shipped_version()


def _as_text(value: object) -> str:
    """Missing values (None, NaN, pd.NA) become empty text; other values their string."""
    if isinstance(value, str):
        return value
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    return str(value)


def analyze(
    texts: Sequence[object], *, mask: bool = True, taxonomy: AspectTaxonomy | None = None
) -> pd.DataFrame:
    """Analyse customer texts.

    Parameters
    ----------
    texts : sequence of str
        Raw texts (Chinese Simplified or Traditional, English, mixed). Missing values count
        as empty text.
    mask : bool, default True
        Fill ``text_masked`` with PII masked; ``False`` copies the text (faster).
    taxonomy : AspectTaxonomy, optional
        The business's aspects (default: the built-in retail taxonomy).

    Returns
    -------
    pandas.DataFrame
        One row per text, columns ``language`` (zh-Hans, zh-Hant, en, mixed, other),
        ``sentiment`` (negative, neutral, positive), ``sentiment_score`` (float in [-1, 1],
        sign = polarity), ``types`` (list of feedback types), ``aspects`` (list of
        ``(aspect, polarity)``) and ``text_masked``.

    Examples
    --------
    >>> frame = analyze(["物流很快，但是客服态度很差"])
    >>> frame.loc[0, "sentiment"]
    'negative'
    """
    if isinstance(texts, str):
        raise ValueError("texts: expected a sequence of strings, got a single str")
    raw = [_as_text(t) for t in texts]
    model = sentiment_model()
    normalized = [normalize(t) for t in raw]
    scores = model.score(normalized, normalized=True) if raw else np.zeros(0, dtype=float)
    return pd.DataFrame(
        {
            "language": [detect_language(t) for t in raw],
            "sentiment": label_scores(scores, model.neutral_band),
            "sentiment_score": scores.astype(float),
            "types": classify_types(normalized, scores=scores, normalized=True),
            "aspects": extract_aspects(normalized, taxonomy, scores=scores, normalized=True),
            "text_masked": [mask_pii(t) for t in raw] if mask else raw,
        },
        columns=list(COLUMNS),
    )
