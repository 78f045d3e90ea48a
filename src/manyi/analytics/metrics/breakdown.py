"""Any rating metric broken down by one or more attribute columns, with n and interval per cell.

Fast by construction: the attribute columns are factorised to integer codes, combined, and
one ``np.bincount`` builds the level table of every cell at once (see :mod:`levels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from manyi.analytics.metrics.levels import LevelTable, level_table
from manyi.analytics.metrics.registry import MetricSpec, metric_spec
from manyi.analytics.metrics.result import MetricResult
from manyi.analytics.metrics.validation import clean_answers


def _codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 for missing) and the levels of one attribute column."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(dtype=np.int64), pd.Index(series.cat.categories)
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


def group_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Code each row by its combination of ``by`` values (-1 when any is missing).

    Returns the codes (0..G-1) and a frame of the G observed key combinations.
    """
    for column in by:
        if column not in frame.columns:
            raise ValueError(f"column {column!r}: not in the data (asked to break down by it)")
    if len(by) == 1:
        codes, uniques = _codes(frame[by[0]])
        return codes, pd.DataFrame({by[0]: uniques})
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    levels: list[pd.Index] = []
    radix = 1
    for column in by:
        codes, uniques = _codes(frame[column])
        missing |= codes < 0
        combined = combined * max(len(uniques), 1) + np.maximum(codes, 0)
        radix *= max(len(uniques), 1)
        levels.append(uniques)
    combined[missing] = -1
    if radix <= 4 * max(len(frame), 1):
        present = np.bincount(combined[~missing], minlength=radix) > 0
        used = np.flatnonzero(present)
        remap = np.full(radix, -1, dtype=np.int64)
        remap[used] = np.arange(used.size)
        codes_out = np.where(missing, -1, remap[np.maximum(combined, 0)])
    else:
        factor, uniq = pd.factorize(combined[~missing], sort=True)
        used = np.asarray(uniq, dtype=np.int64)
        codes_out = np.full(len(frame), -1, dtype=np.int64)
        codes_out[~missing] = factor
    keys: dict[str, object] = {}
    rest = used.copy()
    sizes = [max(len(u), 1) for u in levels]
    for column, uniques, size in zip(reversed(by), reversed(levels), reversed(sizes), strict=True):
        keys[column] = uniques.take(rest % size) if len(uniques) else []
        rest = rest // size
    key_frame = pd.DataFrame({c: keys[c] for c in by})
    return codes_out, key_frame


def grouped_table(
    frame: pd.DataFrame,
    column: str,
    by: Sequence[str],
    spec: MetricSpec,
    weight: str | None = None,
    groups: tuple[np.ndarray, pd.DataFrame] | None = None,
    *,
    keep_unkeyed: bool = False,
) -> tuple[LevelTable, pd.DataFrame, int]:
    """Validate ``column`` once and tabulate it by the ``by`` cells; also count blanks.

    With ``keep_unkeyed`` the answers whose key is missing form one extra last row of the
    table (so the pooled table covers every answer) instead of being dropped.
    """
    if column not in frame.columns:
        raise ValueError(f"column {column!r}: not in the data")
    if weight is not None and weight not in frame.columns:
        raise ValueError(f"column {weight!r}: not in the data (given as the weight column)")
    weights = frame[weight] if weight is not None else None
    codes, keys = group_codes(frame, by) if groups is None else groups
    if len(codes) != len(frame):
        raise ValueError("groups: codes were computed on a frame of a different length")
    # Validate the whole column first so error messages give the row number in the file.
    raw = clean_answers(
        frame[column],
        spec.low,
        spec.high,
        weights=weights,
        name=column,
        weight_name=weight or "weight",
    )
    values, answer_weights = raw.values, raw.weights
    if raw.n_missing:
        codes = codes[raw.kept]
    keep = codes >= 0
    n_groups = len(keys) + int(keep_unkeyed)
    if keep_unkeyed:
        codes = np.where(keep, codes, len(keys))
    elif not keep.all():
        values, codes = values[keep], codes[keep]
        answer_weights = answer_weights[keep] if answer_weights is not None else None
    table = level_table(
        values, spec.low, spec.high, weights=answer_weights, codes=codes, n_groups=n_groups
    )
    return table, keys, raw.n_missing


@dataclass(frozen=True)
class Summary:
    """A metric overall (every valid answer) and per cell of the attribute columns."""

    overall: MetricResult
    groups: pd.DataFrame


def _group_frame(
    table: LevelTable, keys: pd.DataFrame, spec: MetricSpec, confidence: float, min_n: int
) -> pd.DataFrame:
    """One row per observed cell with n, effective n, estimates and the small-sample flag."""
    est = spec.estimate(table, confidence)
    out = keys.copy()
    out["n"] = table.n
    out["n_effective"] = table.n_effective
    for name, values in est.items():
        out[name] = values
    out["small_sample"] = out["n"] < min_n
    return out[out["n"] > 0]


def summarise(
    frame: pd.DataFrame,
    column: str,
    by: str | Sequence[str] | None = None,
    *,
    metric: str = "nps",
    weight: str | None = None,
    scale: int = 5,
    top: int = 2,
    easy_top: int = 3,
    confidence: float = 0.95,
    min_n: int = 30,
    groups: tuple[np.ndarray, pd.DataFrame] | None = None,
) -> Summary:
    """The overall score and its breakdown from ONE validation and ONE counting pass.

    Equivalent to calling :func:`nps` / :func:`csat` / :func:`ces` on the column and
    :func:`breakdown` by ``by`` (sorted by score, best first), at about half the cost.
    Answers with a missing key count in the overall figure but in no cell.

    Examples
    --------
    >>> df = pd.DataFrame({"store": ["a", "a", "b", None], "nps": [10, 0, 9, 10]})
    >>> s = summarise(df, "nps", "store", min_n=1)
    >>> s.overall.score, s.groups["store"].tolist()
    (50.0, ['b', 'a'])
    """
    spec = metric_spec(metric, scale=scale, top=top, easy_top=easy_top)
    by_list = [] if by is None else [by] if isinstance(by, str) else list(by)
    if by_list:
        table, keys, n_missing = grouped_table(
            frame, column, by_list, spec, weight, groups, keep_unkeyed=True
        )
    else:
        empty = (np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(0)))
        table, keys, n_missing = grouped_table(
            frame, column, [], spec, weight, empty, keep_unkeyed=True
        )
    overall = spec.result(table.pooled(), n_missing, confidence, min_n)
    cells = LevelTable(table.levels, table.counts[:-1], table.wsum[:-1], table.w2sum[:-1])
    out = _group_frame(cells, keys, spec, confidence, min_n)
    out = out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return Summary(overall, out)


def breakdown(
    frame: pd.DataFrame,
    column: str,
    by: str | Sequence[str],
    *,
    metric: str = "nps",
    weight: str | None = None,
    scale: int = 5,
    top: int = 2,
    easy_top: int = 3,
    confidence: float = 0.95,
    min_n: int = 30,
    sort_by: str = "score",
    ascending: bool = False,
    groups: tuple[np.ndarray, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Score ``column`` (NPS, CSAT or CES) for every combination of the ``by`` columns.

    Returns one row per observed cell with ``n``, ``n_effective``, ``score``, ``se``,
    ``ci_low``, ``ci_high``, the metric's extra figures and ``small_sample`` (n < ``min_n``),
    sorted by ``sort_by``. Rows with a missing key are left out; blank answers are dropped.
    To score several columns by the same attributes, compute ``groups = group_codes(frame,
    by)`` once and pass it to each call (it skips re-factorising the attribute columns).

    Examples
    --------
    >>> df = pd.DataFrame({"store": ["a", "a", "b", "b"], "nps": [10, 0, 9, 10]})
    >>> breakdown(df, "nps", "store", min_n=1)[["store", "n", "score"]].to_dict("records")
    [{'store': 'b', 'n': 2, 'score': 100.0}, {'store': 'a', 'n': 2, 'score': 0.0}]
    """
    by_list = [by] if isinstance(by, str) else list(by)
    if not by_list:
        raise ValueError("by: give at least one column to break down by")
    spec = metric_spec(metric, scale=scale, top=top, easy_top=easy_top)
    table, keys, _ = grouped_table(frame, column, by_list, spec, weight, groups)
    out = _group_frame(table, keys, spec, confidence, min_n)
    if sort_by not in out.columns:
        raise ValueError(f"sort_by: {sort_by!r} is not a result column")
    return out.sort_values(sort_by, ascending=ascending, kind="stable").reset_index(drop=True)
