"""Benchmark: RFM + segments + value tiers, manyi's vectorised path vs a plain-pandas groupby.

Two runs, each timed best-of-N after load, against the peer measured in the same run:

1. the UCI Online Retail file (541,909 lines): cleaning + RFM + segments + tiers + Pareto;
2. a generated table of 50 million orders (int32 ids, float32 amounts, 2% reversals):
   RFM + segments + tiers + Pareto. The pandas peer would take minutes and several GB at
   that size, so it is timed on the first 5 million orders, where manyi is timed too.

Run:  OMP_NUM_THREADS=1 python bench/bench_rfm.py [--orders 50000000] [--peer-orders 5000000]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from _data import shared_file
from manyi.analytics.segments.orders import clean_orders, read_order_lines
from manyi.analytics.segments.rfm import compute_rfm
from manyi.analytics.segments.tiers import pareto_share, value_tiers

AS_OF = "2011-12-10"

# The classic tutorial segment map on R and F scores, applied with regex replace.
_PEER_MAP = {
    r"[1-2][1-2]": "hibernating",
    r"[1-2][3-4]": "at_risk",
    r"[1-2]5": "cant_lose_them",
    r"3[1-2]": "about_to_sleep",
    r"33": "need_attention",
    r"[3-4][4-5]": "loyal",
    r"41": "promising",
    r"51": "new",
    r"[4-5][2-3]": "potential_loyalists",
    r"5[4-5]": "champions",
}


def best_of(n: int, fn: Callable[[], object]) -> tuple[float, object]:
    """Best wall time of n runs and the last result."""
    best, result = float("inf"), None
    for _ in range(n):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def manyi_path(lines: pd.DataFrame, as_of: str, clean: bool) -> pd.DataFrame:
    """manyi: (cleaning), RFM with scores and segments, value tiers, Pareto share."""
    if clean:
        lines = clean_orders(lines, as_of).lines
    rfm = compute_rfm(lines, as_of)
    rfm["tier"] = value_tiers(rfm["monetary"].to_numpy())
    rfm.attrs["pareto"] = pareto_share(rfm["monetary"].to_numpy())
    return rfm


def pandas_peer(lines: pd.DataFrame, as_of: str, clean: bool) -> pd.DataFrame:
    """Plain pandas as written in tutorials: filter, groupby-agg, qcut, regex segment map."""
    df = lines
    if clean:
        df = df[df["customer_id"].notna() & (df["unit_price"] > 0)]
        df = df[df["ordered_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
        cancelled = df["order_id"].str.startswith("C") | (df["quantity"] < 0)
    else:
        cancelled = df["amount"] < 0
    purchases = df[~cancelled]
    stamp = pd.Timestamp(as_of)
    rfm = purchases.groupby("customer_id").agg(
        last=("ordered_at", "max"), frequency=("order_id", "nunique")
    )
    rfm["recency_days"] = (stamp - rfm["last"].dt.normalize()).dt.days
    rfm["monetary"] = df.groupby("customer_id")["amount"].sum().reindex(rfm.index)
    rfm["r"] = pd.qcut(rfm["recency_days"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1])
    rfm["f"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    rfm["m"] = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    rfm["segment"] = (rfm["r"].astype(str) + rfm["f"].astype(str)).replace(_PEER_MAP, regex=True)
    rfm["tier"] = pd.qcut(
        rfm["monetary"].rank(method="first", pct=True),
        [0, 0.5, 0.8, 0.95, 1.0],
        labels=["low", "medium", "high", "vip"],
    )
    top = rfm["monetary"].clip(lower=0).sort_values(ascending=False)
    rfm.attrs["pareto"] = top.iloc[: int(np.ceil(0.2 * len(top)))].sum() / top.sum()
    return rfm


def agree(ours: pd.DataFrame, peer: pd.DataFrame) -> bool:
    """Recency, frequency and monetary agree customer by customer."""
    a = ours.set_index("customer_id")[["recency_days", "frequency", "monetary"]]
    b = peer[["recency_days", "frequency", "monetary"]].copy()
    b.index = b.index.astype(a.index.dtype)
    b = b.reindex(a.index)
    return bool(
        (a["recency_days"].to_numpy() == b["recency_days"].to_numpy()).all()
        and (a["frequency"].to_numpy() == b["frequency"].to_numpy()).all()
        and np.allclose(a["monetary"].to_numpy(), b["monetary"].to_numpy(), atol=0.01)
    )


def online_retail(repeats: int) -> None:
    """Time both paths on the real Online Retail file."""
    path = shared_file("online_retail/online_retail.csv.gz")
    start = time.perf_counter()
    lines = read_order_lines(path)
    load = time.perf_counter() - start
    ours_t, ours = best_of(repeats, lambda: manyi_path(lines, AS_OF, clean=True))
    peer_t, peer = best_of(repeats, lambda: pandas_peer(lines, AS_OF, clean=True))
    assert isinstance(ours, pd.DataFrame) and isinstance(peer, pd.DataFrame)
    print(f"Online Retail: {len(lines):,} lines, {len(ours):,} customers (load {load:.2f} s)")
    print(f"  manyi  clean+RFM+segments+tiers: {ours_t:.3f} s")
    print(
        f"  pandas groupby peer:             {peer_t:.3f} s   ratio peer/manyi {peer_t / ours_t:.1f}x"
    )
    print(
        f"  R/F/M agree with the peer: {agree(ours, peer)}; Pareto top-20% share "
        f"{ours.attrs['pareto']:.4f}"
    )


def generate(n_orders: int, n_customers: int, seed: int = 0) -> pd.DataFrame:
    """A clean order table: one line per order, int32 ids, float32 amounts, 2% reversals."""
    rng = np.random.default_rng(seed)
    # Skewed activity: low ids order far more often (density ~ 1/sqrt(id)).
    u = rng.random(n_orders, dtype=np.float32)
    u *= u
    u *= n_customers
    customer = u.astype(np.int32)
    del u
    np.minimum(customer, n_customers - 1, out=customer)
    day = rng.integers(0, 730, n_orders, dtype=np.int32)
    ordered_at = (np.datetime64("2022-01-01", "s") + day.astype("timedelta64[D]")).astype(
        "datetime64[s]"
    )
    del day
    amount = rng.gamma(2.0, 25.0, n_orders).astype(np.float32)
    reversal = rng.random(n_orders, dtype=np.float32) < 0.02
    amount[reversal] *= -1
    del reversal
    return pd.DataFrame(
        {
            "customer_id": customer,
            "order_id": np.arange(n_orders, dtype=np.int32),
            "ordered_at": ordered_at,
            "amount": amount,
        }
    )


def generated(n_orders: int, peer_orders: int) -> None:
    """Time manyi on the big table, and both paths on its first `peer_orders` rows."""
    as_of = "2023-12-31"
    start = time.perf_counter()
    table = generate(n_orders, max(1, n_orders // 25))
    gen = time.perf_counter() - start
    mem = table.memory_usage(deep=True).sum() / 2**20
    print(
        f"Generated: {n_orders:,} orders, {table['customer_id'].nunique():,} customers "
        f"({mem:,.0f} MiB, generated in {gen:.1f} s)"
    )
    big_t, big = best_of(1, partial(manyi_path, table, as_of, clean=False))
    assert isinstance(big, pd.DataFrame)
    print(f"  manyi  RFM+segments+tiers on {n_orders:,}: {big_t:.2f} s")
    del big
    small = table.iloc[:peer_orders].copy()
    del table
    gc.collect()
    ours_t, ours = best_of(2, lambda: manyi_path(small, as_of, clean=False))
    peer_t, peer = best_of(1, lambda: pandas_peer(small, as_of, clean=False))
    assert isinstance(ours, pd.DataFrame) and isinstance(peer, pd.DataFrame)
    print(
        f"  on the first {peer_orders:,} orders: manyi {ours_t:.2f} s, pandas groupby peer "
        f"{peer_t:.2f} s, ratio peer/manyi {peer_t / ours_t:.1f}x; R/F/M agree: "
        f"{agree(ours, peer)}"
    )


def main() -> None:
    """Parse arguments and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=50_000_000)
    parser.add_argument("--peer-orders", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    online_retail(args.repeats)
    generated(args.orders, min(args.peer_orders, args.orders))


if __name__ == "__main__":
    main()
