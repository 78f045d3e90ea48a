"""Per-customer frequency / recency / T / monetary summaries from a transaction log.

The conventions are those of Fader, Hardie & Lee (2005) and the lifetimes package, so that models
fitted here are comparable with the literature:

- ``frequency``: number of *repeat* purchase occasions (distinct purchase days minus one);
- ``recency``: time from the first to the last purchase (0 for one-time buyers);
- ``T``: time from the first purchase to the end of observation;
- ``monetary_value``: mean value of the repeat purchase periods (0 for one-time buyers), the
  first purchase excluded, as the Gamma-Gamma model expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from manyi.analytics.predict.inputs import parse_dates

_UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0}

SUMMARY_COLUMNS = ("frequency", "recency", "T")


@dataclass(frozen=True)
class _Clean:
    """A validated transaction log: customer ids, day-resolution dates and values."""

    frame: pd.DataFrame
    has_value: bool


def _unit_days(unit: str) -> float:
    """Days in one time unit, or raise on an unknown unit."""
    if unit not in _UNIT_DAYS:
        raise ValueError(f"time unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    return _UNIT_DAYS[unit]


def _clean_transactions(
    transactions: pd.DataFrame, customer_col: str, date_col: str, value_col: str | None
) -> _Clean:
    """Check columns, parse dates and values, and drop rows without customer or date."""
    for name in (customer_col, date_col, *([value_col] if value_col else [])):
        if name not in transactions.columns:
            raise ValueError(f"column {name!r} not found; columns are {list(transactions.columns)}")
    dates = parse_dates(transactions[date_col])
    frame = pd.DataFrame(
        {"customer": transactions[customer_col].to_numpy(), "date": dates.dt.normalize()}
    )
    if value_col:
        values = pd.to_numeric(transactions[value_col], errors="coerce")
        bad = values.isna() & transactions[value_col].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"column {value_col!r}: value {transactions[value_col].iloc[row]!r} "
                f"at row {row} is not a number"
            )
        frame["value"] = values.fillna(0.0).to_numpy(dtype=float)
    frame = frame[frame["customer"].notna() & frame["date"].notna()]
    if frame.empty:
        raise ValueError(f"no transaction has both a {customer_col!r} and a valid {date_col!r}")
    return _Clean(frame=frame, has_value=value_col is not None)


def _summarise(clean: pd.DataFrame, end: pd.Timestamp, unit: str, has_value: bool) -> pd.DataFrame:
    """Aggregate a clean log (only rows on or before `end`) into the per-customer summary."""
    days = _unit_days(unit)
    agg = {"value": ("value", "sum")} if has_value else {}
    periods = clean.groupby(["customer", "date"], sort=False).agg(
        n=("date", "size"), **agg
    )  # one row per customer-day: several orders on one day are one purchase occasion
    periods = periods.reset_index()
    grouped = periods.groupby("customer", sort=True)
    first = grouped["date"].min()
    last = grouped["date"].max()
    count = grouped["date"].size()
    out = pd.DataFrame(
        {
            "frequency": (count - 1).astype(float),
            "recency": (last - first).dt.days / days,
            "T": (end - first).dt.days / days,
        }
    )
    if has_value:
        total = grouped["value"].sum()
        first_value = periods.sort_values("date").groupby("customer")["value"].first()
        repeat_count = count - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_repeat = (total - first_value) / repeat_count
        out["monetary_value"] = mean_repeat.where(repeat_count > 0, 0.0).astype(float)
    out.index.name = "customer_id"
    return out


def summary_from_transactions(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
    value_col: str | None = None,
    *,
    observation_end: str | pd.Timestamp | None = None,
    unit: str = "D",
) -> pd.DataFrame:
    """Summarise a transaction log into frequency, recency, T (and monetary_value).

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (order line or order).
    customer_col, date_col : str
        Columns holding the customer id and the transaction date.
    value_col : str, optional
        Column holding the transaction value; adds ``monetary_value`` (mean repeat-period value).
    observation_end : date, optional
        End of observation; transactions after it are ignored. Default: the last date in the log.
    unit : {"D", "W"}
        Time unit of recency and T (days or weeks); frequency always counts purchase days.

    Returns
    -------
    DataFrame indexed by customer id with ``frequency, recency, T`` [+ ``monetary_value``].

    Examples
    --------
    >>> log = pd.DataFrame({"c": [1, 1, 2], "d": ["2024-01-01", "2024-01-11", "2024-01-05"]})
    >>> s = summary_from_transactions(log, "c", "d", observation_end="2024-01-31")
    >>> s.loc[1].tolist(), s.loc[2].tolist()  # frequency, recency, T in days
    ([1.0, 10.0, 30.0], [0.0, 0.0, 26.0])
    """
    clean = _clean_transactions(transactions, customer_col, date_col, value_col)
    frame = clean.frame
    end = frame["date"].max() if observation_end is None else pd.Timestamp(observation_end)
    frame = frame[frame["date"] <= end]
    if frame.empty:
        raise ValueError(f"no transaction on or before the observation end {end.date()}")
    return _summarise(frame, end, unit, clean.has_value)


def calibration_and_holdout(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
    calibration_end: str | pd.Timestamp,
    value_col: str | None = None,
    *,
    observation_end: str | pd.Timestamp | None = None,
    unit: str = "D",
) -> pd.DataFrame:
    """Split a log at `calibration_end`: calibration summary plus holdout purchase counts.

    Only customers whose first purchase falls in the calibration period are kept (a model fitted on
    the calibration period knows nothing of later cohorts). Columns: ``frequency_cal, recency_cal,
    T_cal`` [``monetary_value_cal``], ``frequency_holdout`` (distinct purchase days in the holdout) and ``duration_holdout`` (holdout length in `unit`).
    """
    clean = _clean_transactions(transactions, customer_col, date_col, value_col)
    frame = clean.frame
    cal_end = pd.Timestamp(calibration_end)
    end = frame["date"].max() if observation_end is None else pd.Timestamp(observation_end)
    if end <= cal_end:
        raise ValueError(
            f"calibration end {cal_end.date()} must be before the observation end {end.date()}"
        )
    cal = frame[frame["date"] <= cal_end]
    if cal.empty:
        raise ValueError(f"no transaction on or before the calibration end {cal_end.date()}")
    summary = _summarise(cal, cal_end, unit, clean.has_value).add_suffix("_cal")
    hold = frame[(frame["date"] > cal_end) & (frame["date"] <= end)]
    hold = hold[hold["customer"].isin(summary.index)]
    counts = hold.groupby("customer")["date"].nunique()
    summary["frequency_holdout"] = counts.reindex(summary.index, fill_value=0).astype(float)
    summary["duration_holdout"] = (end - cal_end).days / _unit_days(unit)
    return summary


def validate_summary(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return frequency, recency and T as float arrays, or raise naming the bad column and row."""
    arrays = []
    for name in SUMMARY_COLUMNS:
        if name not in summary.columns:
            raise ValueError(f"column {name!r} not found; columns are {list(summary.columns)}")
        values = pd.to_numeric(summary[name], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"column {name!r}: value {summary[name].iloc[row]!r} at row {row} "
                "is not a finite non-negative number"
            )
        arrays.append(values)
    x, t_x, big_t = arrays
    _check_consistent(x, t_x, big_t)
    return x, t_x, big_t


def _check_consistent(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> None:
    """Raise when frequency is fractional, recency exceeds T, or repeat buyers have no recency."""
    checks = [
        (x != np.round(x), "frequency", "is not a whole number"),
        (t_x > big_t + 1e-9, "recency", "is larger than T"),
        ((x > 0) & (t_x <= 0), "recency", "is 0 but frequency > 0"),
        ((x == 0) & (t_x != 0), "recency", "must be 0 when frequency is 0"),
    ]
    if big_t.size and big_t.max() <= 0:
        raise ValueError("column 'T': every customer has T = 0 (all first bought on the last day)")
    for bad, name, reason in checks:
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"column {name!r}: row {row} {reason}")
