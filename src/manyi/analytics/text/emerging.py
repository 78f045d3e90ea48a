"""Emerging issues: an aspect or topic whose share of feedback or negativity jumps.

For each period and category the count ``x`` among ``n`` feedback items is compared with the
previous ``baseline_periods`` periods (``X`` among ``N``):

- volume: under "same share as the baseline", ``x`` given ``x + X`` is binomial with
  probability ``n / (n + N)`` (the exact conditional test for two Poisson rates with exposures
  n and N); one-sided for an increase; effect size = share ratio ``(x/n) / (X/N)``;
- negativity: the negative items of the category in the period vs the baseline, one-sided
  Fisher exact test (hypergeometric tail); effect size = negative-share ratio.

All p-values of one call form one family, corrected with Benjamini-Hochberg; an issue is flagged
when its q-value is below ``fdr``, its count at least ``min_count`` and its ratio at least
``min_ratio``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["detect_emerging"]

_OUT_COLUMNS = [
    "period", "category", "signal", "count", "total", "share", "baseline_count",
    "baseline_total", "baseline_share", "ratio", "p_value", "q_value", "flagged",
    "negative", "negative_share", "baseline_negative_share", "quotes",
]  # fmt: skip


def _periods(values: pd.Series, column: str, freq: str) -> pd.Series:
    """Parse a time column and bucket it into periods, naming the column on failure."""
    try:
        ts = pd.to_datetime(values, errors="raise", format="mixed")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{column}: cannot be read as dates/times ({exc})") from None
    if ts.isna().any():
        raise ValueError(f"{column}: {int(ts.isna().sum())} missing timestamps")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.dt.to_period(freq)


def _long_form(
    frame: pd.DataFrame, time: str, category: str, negative: str | None, text: str | None, freq: str
) -> tuple[pd.DataFrame, pd.Series]:
    """One row per (item, category) plus the number of items per period."""
    for col in (time, category, negative, text):
        if col is not None and col not in frame.columns:
            raise ValueError(f"{col}: column not found")
    df = pd.DataFrame({"period": _periods(frame[time], time, freq), "category": frame[category]})
    df["negative"] = frame[negative].fillna(False).astype(bool) if negative else False
    df["text"] = frame[text].astype(object) if text else None
    totals = df.groupby("period").size()
    full = pd.period_range(totals.index.min(), totals.index.max(), freq=freq)
    totals = totals.reindex(full, fill_value=0)
    long = df.explode("category")
    long = long[long["category"].notna() & (long["category"].astype(str) != "")]
    return long, totals


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values)."""
    if p.size == 0:
        return p
    return np.asarray(stats.false_discovery_control(np.clip(p, 0.0, 1.0), method="bh"))


def _window_sums(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """Sum over the previous k periods (excluding the current one)."""
    return table.rolling(k, min_periods=k).sum().shift(1)


def detect_emerging(
    frame: pd.DataFrame,
    *,
    time: str,
    category: str,
    negative: str | None = None,
    text: str | None = None,
    freq: str = "D",
    baseline_periods: int = 3,
    fdr: float = 0.05,
    min_count: int = 5,
    min_ratio: float = 1.5,
    n_quotes: int = 3,
) -> pd.DataFrame:
    """Flag categories whose share of feedback (or negative share) jumps against a baseline.

    Parameters
    ----------
    frame : DataFrame
        One row per feedback item.
    time : str
        Column with the item's date/time.
    category : str
        Column with the item's aspect/topic: a string, a list of strings (multi-label) or
        missing (the item still counts in the period's total).
    negative : str, optional
        Boolean column: the item is negative. Enables the negativity test.
    text : str, optional
        Column with the text, for example quotes (negative ones first).
    freq : str
        Period length ("D", "W", "M", ...).
    baseline_periods : int
        Number of previous periods forming the baseline.
    fdr : float
        Benjamini-Hochberg false discovery rate over all tests of the call.
    min_count, min_ratio : minimum count in the period and minimum ratio to flag.

    Returns
    -------
    DataFrame
        One row per (period, category, signal) tested, signal "volume" or "negative";
        flagged rows first, then by ascending q-value.
    """
    if baseline_periods < 1:
        raise ValueError("baseline_periods: must be at least 1")
    if not 0 < fdr < 1:
        raise ValueError("fdr: must be between 0 and 1")
    long, totals = _long_form(frame, time, category, negative, text, freq)
    if long.empty:
        return pd.DataFrame(columns=_OUT_COLUMNS)
    counts = long.pivot_table(
        index="period", columns="category", values="negative", aggfunc="size", fill_value=0
    ).reindex(totals.index, fill_value=0)
    negs = long.pivot_table(
        index="period", columns="category", values="negative", aggfunc="sum", fill_value=0
    ).reindex(totals.index, fill_value=0)
    base_counts = _window_sums(counts, baseline_periods)
    base_negs = _window_sums(negs, baseline_periods)
    base_totals = totals.rolling(baseline_periods, min_periods=baseline_periods).sum().shift(1)
    rows = _tests(counts, negs, totals, base_counts, base_negs, base_totals, negative is not None)
    if rows.empty:
        return pd.DataFrame(columns=_OUT_COLUMNS)
    rows["q_value"] = _bh(rows["p_value"].to_numpy())
    rows["flagged"] = (
        (rows["q_value"] < fdr) & (rows["count"] >= min_count) & (rows["ratio"] >= min_ratio)
    )
    rows["quotes"] = _quotes(long, rows, n_quotes)
    rows = rows.sort_values(["flagged", "q_value"], ascending=[False, True], ignore_index=True)
    return rows[_OUT_COLUMNS]


def _tests(
    counts: pd.DataFrame,
    negs: pd.DataFrame,
    totals: pd.Series,
    base_counts: pd.DataFrame,
    base_negs: pd.DataFrame,
    base_totals: pd.Series,
    with_negative: bool,
) -> pd.DataFrame:
    """Volume and negativity tests for every period that has a full baseline."""
    valid = base_totals.notna() & (base_totals > 0) & (totals > 0)
    idx = totals.index[valid.to_numpy()]
    cats = counts.columns
    x = counts.loc[idx].to_numpy(float)
    k = negs.loc[idx].to_numpy(float)
    bx = base_counts.loc[idx].to_numpy(float)
    bk = base_negs.loc[idx].to_numpy(float)
    n = totals.loc[idx].to_numpy(float)[:, None] * np.ones((1, len(cats)))
    bn = base_totals.loc[idx].to_numpy(float)[:, None] * np.ones((1, len(cats)))
    grid = {
        "period": np.repeat(idx.astype(str).to_numpy(), len(cats)),
        "category": np.tile(np.asarray(cats, dtype=object), len(idx)),
        "count": x.ravel().astype(int),
        "total": n.ravel().astype(int),
        "baseline_count": bx.ravel().astype(int),
        "baseline_total": bn.ravel().astype(int),
        "negative": k.ravel().astype(int),
    }
    vol = pd.DataFrame(grid)
    vol["signal"] = "volume"
    vol["share"] = (x / n).ravel()
    vol["baseline_share"] = (bx / bn).ravel()
    vol["ratio"] = (x / n / ((bx + 0.5) / bn)).ravel()
    vol["p_value"] = stats.binom.sf(x - 1, x + bx, n / (n + bn)).ravel()
    vol["negative_share"] = np.divide(k, x, out=np.full_like(k, np.nan), where=x > 0).ravel()
    vol["baseline_negative_share"] = np.divide(
        bk, bx, out=np.full_like(bk, np.nan), where=bx > 0
    ).ravel()
    parts = [vol[(vol["count"] + vol["baseline_count"]) > 0]]
    if with_negative:
        neg = vol.copy()
        neg["signal"] = "negative"
        neg["ratio"] = (neg["negative_share"] / ((bk + 0.5) / (bx + 1.0)).ravel()).fillna(0.0)
        neg["p_value"] = stats.hypergeom.sf(k - 1, x + bx, k + bk, x).ravel()
        neg["count"] = neg["negative"]
        parts.append(neg[(vol["count"] > 0) & (vol["negative"] > 0)])
    return pd.concat(parts, ignore_index=True)


def _quotes(long: pd.DataFrame, rows: pd.DataFrame, n_quotes: int) -> list[list[str]]:
    """Example texts for flagged rows (negative first); empty lists elsewhere."""
    out: list[list[str]] = [[] for _ in range(len(rows))]
    if long["text"].isna().all():
        return out
    keyed = long.assign(period=long["period"].astype(str))
    groups = keyed.sort_values("negative", ascending=False).groupby(["period", "category"])
    for i, (flag, period, cat) in enumerate(
        zip(rows["flagged"], rows["period"], rows["category"], strict=True)
    ):
        if not flag:
            continue
        try:
            texts: Sequence[object] = groups.get_group((period, cat))["text"].tolist()
        except KeyError:
            continue
        seen: list[str] = []
        for t in texts:
            if isinstance(t, str) and t.strip() and t not in seen:
                seen.append(t.strip()[:300])
            if len(seen) == n_quotes:
                break
        out[i] = seen
    return out
