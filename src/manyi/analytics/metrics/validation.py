"""Validating survey answers once, at the public boundary of every metric."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

ArrayLike: TypeAlias = Sequence[Any] | np.ndarray | pd.Series


@dataclass(frozen=True)
class Answers:
    """Clean answers: valid values, weights, blanks dropped, and the mask of rows kept."""

    values: np.ndarray
    weights: np.ndarray | None
    n_missing: int
    kept: np.ndarray


def _to_float(values: Any, name: str) -> np.ndarray:
    """Convert answers to a float array, blanks becoming NaN, or raise naming the column."""
    if isinstance(values, pd.Series):
        series = values
    else:
        series = pd.Series(
            np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        )
    if series.dtype == np.float64:
        return series.to_numpy()
    if series.dtype.kind in "fiub":
        return series.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    stripped = series.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    stripped = stripped.replace("", np.nan)
    converted = pd.to_numeric(stripped, errors="coerce")
    bad = converted.isna() & stripped.notna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"column {name!r}: value {stripped.iloc[position]!r} at row {position} is not a number"
        )
    return converted.to_numpy(dtype=float, na_value=np.nan)


def _raise_out_of_range(
    values: np.ndarray, low: float, high: float, name: str, integer: bool
) -> None:
    """Find the first answer off the scale (slow path, only on error) and raise naming it."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ((values < low) | (values > high) | np.isinf(values))
        if integer:
            bad |= ~np.isnan(values) & (values != np.round(values))
    index = int(np.argmax(bad))
    kind = "whole numbers " if integer else ""
    raise ValueError(
        f"column {name!r}: value {values[index]:g} at row {index} is outside the "
        f"scale; expected {kind}from {low:g} to {high:g}"
    )


def check_weights(weights: ArrayLike | None, size: int, name: str = "weight") -> np.ndarray:
    """Return survey weights as floats (all ones when none), refusing negative or blank ones."""
    if weights is None:
        return np.ones(size)
    array = _to_float(weights, name)
    if array.shape != (size,):
        raise ValueError(f"column {name!r}: {array.shape[0]} weights for {size} answers")
    if np.isnan(array).any() or np.isinf(array).any():
        raise ValueError(f"column {name!r}: weights must be finite numbers (found a blank)")
    if (array < 0).any():
        raise ValueError(f"column {name!r}: weights must not be negative")
    return array


def clean_answers(
    values: ArrayLike,
    low: float,
    high: float,
    *,
    weights: ArrayLike | None = None,
    name: str = "answer",
    integer: bool = True,
    weight_name: str = "weight",
) -> Answers:
    """Validate answers on a ``low..high`` scale; drop and count blanks, keep weights aligned.

    One pass finds blanks, then min/max and a whole-number check run on the clean answers;
    the row-by-row search for the offending value only runs when there is one.

    Raises
    ------
    ValueError
        When a value is not a number, lies outside the scale, or a weight is invalid.
    """
    array = _to_float(values, name)
    if array.ndim != 1:
        raise ValueError(f"column {name!r}: expected one column of answers")
    blank = np.isnan(array)
    n_missing = int(np.count_nonzero(blank))
    clean = array[~blank] if n_missing else array
    if clean.size:
        lowest, highest = float(clean.min()), float(clean.max())
        if not (low <= lowest and highest <= high):
            _raise_out_of_range(array, low, high, name, integer)
        if integer and np.any(clean.astype(np.int64) != clean):
            _raise_out_of_range(array, low, high, name, integer)
    weight_array = (
        None if weights is None else check_weights(weights, array.shape[0], name=weight_name)
    )
    if weight_array is not None and n_missing:
        weight_array = weight_array[~blank]
    return Answers(clean, weight_array, n_missing, ~blank)


def small_sample_warning(n: int, min_n: int) -> str | None:
    """Say, in English and Chinese, when a sample is too small to read."""
    if n < min_n:
        return f"small sample: n={n} < {min_n}, read with care / 样本量过小（n={n}），仅供参考"
    return None
