"""RFM: recency, frequency and monetary value per customer, quintile scores and named segments.

Definitions (as of an explicit date, at day resolution):

- ``recency_days``: days from the customer's last purchase day to the as-of day;
- ``frequency``: distinct purchase orders (a cancellation invoice is never a purchase);
- ``monetary``: net spend, purchases minus reversals (cancellations and returns);
- ``r``, ``f``, ``m``: scores 1..5 from the mid-rank percentile of each value among customers
  (recency reversed: recent is 5). Equal values always get equal scores, so the scores do not
  depend on row order and ties at a quintile boundary fall on one side deterministically;
- ``fm``: the mean of F and M rounded half up, and ``segment`` from an editable rules table of
  R and FM score ranges (first matching row wins; the table must cover every R x FM cell).

Everything is vectorised over factorized customer codes (``np.maximum.at`` and
``np.bincount``), so 50 million order lines take seconds, not minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from manyi.analytics.segments.ranking import midrank_percentile

RFM_COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "fm")
RULE_COLUMNS = ("segment", "r_min", "r_max", "fm_min", "fm_max", "name_en", "name_zh")
N_SCORES = 5


@dataclass(frozen=True)
class RFMRules:
    """A validated rules table mapping (R score, FM score) cells to segment keys.

    Attributes
    ----------
    table : pandas.DataFrame
        The rules, one row per (segment, R range, FM range), in priority order.
    segments : tuple of str
        Segment keys in first-appearance order (the category order of results).
    lookup : numpy.ndarray
        ``lookup[r, fm]`` is the index into ``segments`` for scores 1..5.
    """

    table: pd.DataFrame
    segments: tuple[str, ...]
    lookup: np.ndarray

    def names(self, lang: str = "en") -> dict[str, str]:
        """Display name per segment key in English (`en`) or Chinese (`zh`)."""
        column = "name_zh" if lang.startswith("zh") else "name_en"
        first = self.table.drop_duplicates("segment")
        return dict(zip(first["segment"], first[column], strict=True))


def default_rules_table() -> pd.DataFrame:
    """The shipped default rules as a DataFrame (a readable CSV inside the package)."""
    source = resources.files("manyi.analytics.segments").joinpath("data/rfm_rules.csv")
    with resources.as_file(source) as path:
        return pd.read_csv(path, dtype={"segment": "str", "name_en": "str", "name_zh": "str"})


def load_rules(source: str | Path | pd.DataFrame | list[dict] | None = None) -> RFMRules:
    """Load and validate a rules table from a CSV path, DataFrame, list of dicts or the default.

    Raises
    ------
    ValueError
        When a column is missing, a range is not within 1..5 or reversed, or some
        (R, FM) cell is not covered by any rule.
    """
    if source is None:
        return _default_rules()
    if isinstance(source, pd.DataFrame):
        table = source.copy()
    elif isinstance(source, list):
        table = pd.DataFrame.from_records(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"rules file {path} does not exist")
        table = pd.read_csv(path, encoding="utf-8-sig")
    return _validate_rules(table)


@lru_cache(maxsize=1)
def _default_rules() -> RFMRules:
    """The validated default rules, read once per process."""
    return _validate_rules(default_rules_table())


def _validate_rules(table: pd.DataFrame) -> RFMRules:
    """Check columns, ranges and full coverage, then build the score lookup table."""
    missing = [c for c in ("segment", "r_min", "r_max", "fm_min", "fm_max") if c not in table]
    if missing:
        raise ValueError(f"RFM rules lack column(s) {missing}; need {list(RULE_COLUMNS)}")
    table = table.reset_index(drop=True)
    for column in ("name_en", "name_zh"):
        if column not in table:
            table[column] = table["segment"]
    table["segment"] = table["segment"].astype("str").str.strip()
    bounds = table[["r_min", "r_max", "fm_min", "fm_max"]]
    numeric = bounds.apply(pd.to_numeric, errors="coerce")
    for i, row in numeric.iterrows():
        values = row.to_numpy()
        if np.isnan(values).any() or (values != np.round(values)).any():
            raise ValueError(f"RFM rules row {i}: score bounds must be whole numbers 1..5")
        if values.min() < 1 or values.max() > N_SCORES:
            raise ValueError(f"RFM rules row {i}: score bounds must lie within 1..5")
        if row["r_min"] > row["r_max"] or row["fm_min"] > row["fm_max"]:
            raise ValueError(f"RFM rules row {i}: a minimum exceeds its maximum")
    table[["r_min", "r_max", "fm_min", "fm_max"]] = numeric.astype("int64")
    segments = tuple(dict.fromkeys(table["segment"]))
    index = {s: k for k, s in enumerate(segments)}
    lookup = np.full((N_SCORES + 1, N_SCORES + 1), -1, dtype=np.int16)
    for row in table.itertuples(index=False):
        block = lookup[row.r_min : row.r_max + 1, row.fm_min : row.fm_max + 1]
        block[block < 0] = index[row.segment]
    holes = [(r, fm) for r in range(1, 6) for fm in range(1, 6) if lookup[r, fm] < 0]
    if holes:
        raise ValueError(f"RFM rules leave (R, FM) cell(s) {holes} without a segment")
    return RFMRules(table=table, segments=segments, lookup=lookup)


def quantile_scores(values: np.ndarray, n: int = N_SCORES) -> np.ndarray:
    """Score values 1..n by mid-rank percentile: ties share a score, independent of order.

    A value's percentile is ``(count below + count equal / 2) / total``; the score is
    ``floor(percentile * n) + 1``. Higher values get higher scores.
    """
    percentile = midrank_percentile(values)
    return np.minimum(np.floor(percentile * n).astype(np.int8) + 1, n).astype(np.int8)


def _days(ordered_at: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 for each timestamp (int32)."""
    values = ordered_at.to_numpy()
    if not np.issubdtype(values.dtype, np.datetime64):
        values = pd.to_datetime(ordered_at).to_numpy()
    out = np.empty(values.size, dtype=np.int32)
    step = 1 << 22  # convert in chunks: no full-size int64 temporary
    for start in range(0, values.size, step):
        chunk = values[start : start + step].astype("datetime64[D]").view(np.int64)
        out[start : start + step] = chunk
    return out


def _as_of_day(as_of: object) -> int:
    """The as-of date as whole days since 1970-01-01."""
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)") from exc
    if pd.isna(stamp):
        raise ValueError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)")
    return int(np.datetime64(stamp.tz_localize(None) if stamp.tzinfo else stamp, "D").astype(int))


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the values they stand for.

    Dense non-negative integer ids (the usual database keys) are their own codes, which
    skips hashing; anything else is factorized.
    """
    if values.size and np.issubdtype(values.dtype, np.integer):
        low, high = int(values.min()), int(values.max())
        if low >= 0 and high < 2 * values.size + 1024:
            return values, np.arange(high + 1, dtype=values.dtype)
    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques)


def _series_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of an id column: dense integers as they are, else pandas' (Arrow-aware) factorize."""
    if pd.api.types.is_integer_dtype(series.dtype) and isinstance(series.dtype, np.dtype):
        return _codes(series.to_numpy())
    codes, uniques = pd.factorize(series, sort=False)
    return codes, np.asarray(uniques)


def _distinct_orders(
    cust: np.ndarray, order_codes: np.ndarray, n_orders: int, n_customers: int
) -> np.ndarray:
    """Distinct order codes per customer code (orders shared by customers count for each)."""
    if cust.size == 0:
        return np.zeros(n_customers, dtype=np.int64)
    owner = np.full(n_orders, -1, dtype=np.int32 if n_customers < 2**31 - 1 else np.int64)
    owner[order_codes] = cust
    if np.array_equal(owner[order_codes], cust):
        return np.bincount(owner[np.greater_equal(owner, 0)], minlength=n_customers)
    pair = cust.astype(np.int64) * n_orders + order_codes
    pair_uniques = pd.unique(pair)
    return np.bincount(pair_uniques // n_orders, minlength=n_customers)


def _validate_lines(lines: pd.DataFrame) -> None:
    """Refuse frames that lack a needed column or hold unusable values."""
    for column in ("customer_id", "order_id", "ordered_at", "amount"):
        if column not in lines.columns:
            raise ValueError(f"order lines lack column '{column}' (clean them with clean_orders)")
    if lines["customer_id"].isna().any():
        raise ValueError("column 'customer_id' has missing values (clean them with clean_orders)")
    if lines["ordered_at"].isna().any():
        raise ValueError("column 'ordered_at' has missing dates (clean them with clean_orders)")


def compute_rfm(
    lines: pd.DataFrame,
    as_of: object,
    *,
    rules: RFMRules | None = None,
    with_dates: bool = False,
) -> pd.DataFrame:
    """Compute RFM values, scores and segments per customer from cleaned order lines.

    Parameters
    ----------
    lines : pandas.DataFrame
        Cleaned lines (see :func:`manyi.analytics.segments.orders.clean_orders`) with
        ``customer_id, order_id, ordered_at, amount`` and optionally ``is_purchase``
        (default: ``amount > 0``). Lines after ``as_of`` must already be removed.
    as_of : date-like
        The day recency is measured to.
    rules : RFMRules, optional
        Segment rules; the shipped default when omitted.
    with_dates : bool
        Also return ``first_purchase`` and ``last_purchase`` (dates) for lifecycle staging.

    Returns
    -------
    pandas.DataFrame
        One row per customer with at least one purchase, sorted by ``customer_id``:
        ``customer_id, recency_days, frequency, monetary, r, f, m, fm, segment``.

    Examples
    --------
    >>> lines = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
    ...     "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02"]),
    ...     "amount": [10.0, 5.0, 40.0]})
    >>> compute_rfm(lines, "2024-01-10")[["customer_id", "recency_days", "frequency"]].values.tolist()
    [['a', 5, 2], ['b', 8, 1]]
    """
    _validate_lines(lines)
    rules = rules or load_rules()
    as_of_day = _as_of_day(as_of)
    amount = lines["amount"].to_numpy(dtype="float64")
    if "is_purchase" in lines.columns:
        purchase = lines["is_purchase"].to_numpy(dtype=bool)
    else:
        purchase = amount > 0
    days = _days(lines["ordered_at"])
    if days.size and int(days.max()) > as_of_day:
        raise ValueError("column 'ordered_at' has dates after as_of (clean_orders drops them)")
    codes, uniques = _series_codes(lines["customer_id"])
    n = len(uniques)
    low = np.iinfo(np.int32).min
    last = np.full(n, low, dtype=np.int32)
    np.maximum.at(last, codes[purchase], days[purchase])
    monetary = np.bincount(codes, weights=amount, minlength=n)
    order_codes, order_uniques = _series_codes(lines["order_id"])
    frequency = _distinct_orders(codes[purchase], order_codes[purchase], len(order_uniques), n)
    buyer = last > low
    out, order = _scored_frame(uniques, buyer, as_of_day - last, frequency, monetary, rules)
    if with_dates:
        first = np.full(n, np.iinfo(np.int32).max, dtype=np.int32)
        np.minimum.at(first, codes[purchase], days[purchase])
        out["first_purchase"] = first[buyer][order].astype("datetime64[D]")
        out["last_purchase"] = last[buyer][order].astype("datetime64[D]")
    return out


def _scored_frame(
    uniques: object,
    buyer: np.ndarray,
    recency: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    rules: RFMRules,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Keep buyers, score them, assign segments and sort by customer id."""
    ids = pd.Index(uniques)[buyer]
    order = np.asarray(ids.argsort(), dtype=np.int64)
    recency = recency[buyer][order].astype(np.int32)
    frequency = frequency[buyer][order].astype(np.int64)
    monetary = np.round(monetary[buyer][order], 2)
    out = pd.DataFrame({"customer_id": ids[order]})
    out["recency_days"] = recency
    out["frequency"] = frequency
    out["monetary"] = monetary
    out["r"] = quantile_scores(-recency.astype("float64"))
    out["f"] = quantile_scores(frequency)
    out["m"] = quantile_scores(monetary)
    out["fm"] = ((out["f"].to_numpy(np.int16) + out["m"].to_numpy(np.int16) + 1) // 2).astype(
        np.int8
    )
    out["segment"] = assign_segments(out["r"].to_numpy(), out["fm"].to_numpy(), rules)
    return out, order


def assign_segments(r: np.ndarray, fm: np.ndarray, rules: RFMRules | None = None) -> pd.Categorical:
    """Segment key for each (R, FM) score pair via the rules' lookup table (categorical)."""
    rules = rules or load_rules()
    r = np.asarray(r, dtype=np.int64)
    fm = np.asarray(fm, dtype=np.int64)
    if r.size and (r.min() < 1 or r.max() > N_SCORES or fm.min() < 1 or fm.max() > N_SCORES):
        raise ValueError("R and FM scores must lie within 1..5")
    codes = rules.lookup[r, fm] if r.size else np.zeros(0, dtype=np.int16)
    return pd.Categorical.from_codes(codes, categories=list(rules.segments))
