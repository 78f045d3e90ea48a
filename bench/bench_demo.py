"""Demo data: generation, CSV writing and loading time, and whether the planted signals show up.

Generates the default demo set (3,000 customers, 24 months, seed 42), writes the CSV files, loads
them into a fresh SQLite file with ``load_demo`` (the validating importer plus the enrichment
step), and, as the peer, dumps the same CSV files into another SQLite file with
``pandas.DataFrame.to_sql`` (no validation, no keys, no identities: the usual quick load). Then
runs manyi's own text analytics (``extract_aspects``) on the feedback texts and reports how much
of each planted signal it recovers from the raw text, against the answer key.

Usage: python bench/bench_demo.py [--customers 3000] [--seed 42]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import pandas as pd
from scipy import stats

from manyi.analytics.text.aspects import extract_aspects
from manyi.demo.generator import FILES, generate, write_csv
from manyi.demo.load import load_demo
from manyi.store.engine import make_engine, make_session_factory
from manyi.store.migrate import upgrade


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run fn, print its wall time, return (result, seconds)."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:8.2f} s")
    return out, seconds


def _to_sql(folder: Path, db: Path) -> None:
    """The peer: pandas read_csv + to_sql of every file, no validation."""
    with sqlite3.connect(db) as conn:
        for name in ("customers", "orders", "feedback", "interactions"):
            frame = pd.read_csv(folder / FILES[name], dtype=str, keep_default_na=False)
            frame.to_sql(name, conn, index=False, if_exists="replace", chunksize=5000)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        data, gen_s = _timed(
            "generate (frames)", generate, customers=args.customers, seed=args.seed
        )
        _, write_s = _timed("write CSV", write_csv, data, folder)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'manyi.db'}")
        upgrade(engine)
        _, load_s = _timed("load_demo into SQLite (importer + enrich)", load_demo,
                           sessions=make_session_factory(engine), folder=folder)  # fmt: skip
        engine.dispose()
        _, peer_s = _timed(
            "peer: pandas to_sql into SQLite", _to_sql, folder, Path(tmp) / "peer.db"
        )
    sizes = {k: len(v) for k, v in data.frames().items()}
    print("rows:", sizes)
    print(f"load_demo / to_sql time ratio: {load_s / peer_s:.1f}x (validation, keys, identities)")
    print(f"generate + write total: {gen_s + write_s:.2f} s")
    fb, labels = data.feedback, data.feedback_labels
    sample = fb["text"].sample(5000, random_state=0)
    print(f"distinct texts among 5,000: {sample.nunique() / 5000:.1%}")
    found, text_s = _timed("extract_aspects on all feedback", extract_aspects, fb["text"].tolist())
    month = fb["received_at"].dt.strftime("%Y-%m")
    pkg = pd.Series([("packaging", "negative") in f for f in found], index=fb.index)
    price = pd.Series([("price_value", "negative") in f for f in found], index=fb.index)
    logi = pd.Series([("logistics", "negative") in f for f in found], index=fb.index)
    spike = data.signals["packaging_spike"]["month"]
    for name, truth_col, seen in (("packaging", "packaging_complaint", pkg),
                                  ("price", "price_complaint", price),
                                  ("logistics", "logistics_complaint", logi)):  # fmt: skip
        truth = labels[truth_col]
        recall = seen[truth].mean()
        precision = truth[seen].mean()
        print(f"{name:<10} complaints: answer key {truth.sum():5d}, found {seen.sum():5d}, "
              f"recall {recall:.2f}, precision {precision:.2f}")  # fmt: skip
    by_month = pkg.groupby(month).mean()
    key_month = labels["packaging_complaint"].groupby(month).mean()
    print(f"signal 1 packaging {spike}: answer key {key_month[spike] / key_month.median():.1f}x "
          f"median month; from text {by_month[spike] / by_month.median():.1f}x "
          f"(peak month from text: {by_month.idxmax()})")  # fmt: skip
    trend_months = data.signals["price_trend"]["months"]
    trend = price.groupby(month).mean()
    rho = stats.spearmanr(range(6), trend[trend_months].to_numpy()).statistic
    print(f"signal 3 price: share from text {trend[trend_months[0]]:.3f} -> "
          f"{trend[trend_months[-1]]:.3f} over the last 6 months (Spearman {rho:.2f}); "
          f"answer key {labels['price_complaint'].groupby(month).mean()[trend_months[-1]]:.3f} "
          f"in the last month")  # fmt: skip
    region = fb["region"]
    mainland = region.isin(["华东", "华南", "华北", "华中", "西南", "东北"])
    print(f"signal 2 西北: logistics complaints from text {logi[region == '西北'].mean():.3f} vs "
          f"{logi[mainland].mean():.3f} other mainland regions "
          f"({logi[region == '西北'].mean() / logi[mainland].mean():.1f}x)")  # fmt: skip
    churn = labels[labels["vip_churn_complaint"]]
    print(f"signal 4: {churn['customer_id'].nunique()} churners, {len(churn)} complaints, "
          f"text time {text_s:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
