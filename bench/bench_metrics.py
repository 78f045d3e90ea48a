"""Benchmark: NPS + CSAT with intervals and a 20-way breakdown over 10 million responses.

Peer: a straightforward plain-pandas implementation (boolean columns, ``groupby().agg``,
then the same formulas per group), measured in the same run. Target: manyi < 2 s.

    OMP_NUM_THREADS=1 python bench/bench_metrics.py [--rows 10000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy import stats

from manyi.analytics.metrics.breakdown import group_codes, summarise

Z = float(stats.norm.ppf(0.975))


def make_data(rows: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic survey: NPS 0-10 and CSAT 1-5 (1% blanks), 20 stores as strings."""
    rng = np.random.default_rng(seed)
    nps_p = np.array([3, 2, 2, 3, 3, 5, 6, 12, 18, 22, 24], dtype=float)
    csat_p = np.array([5, 8, 17, 38, 32], dtype=float)
    nps_values = rng.choice(11, rows, p=nps_p / nps_p.sum()).astype(float)
    csat_values = (rng.choice(5, rows, p=csat_p / csat_p.sum()) + 1).astype(float)
    nps_values[rng.random(rows) < 0.01] = np.nan
    csat_values[rng.random(rows) < 0.01] = np.nan
    stores = np.array([f"store_{i:02d}" for i in range(20)])
    return pd.DataFrame(
        {"store": stores[rng.integers(0, 20, rows)], "nps": nps_values, "csat": csat_values}
    )


def manyi_run(df: pd.DataFrame) -> dict[str, object]:
    """Overall NPS and CSAT with intervals and both by store: one factorisation of the store
    column, one validation and counting pass per metric (``summarise``)."""
    groups = group_codes(df, ["store"])
    nps_summary = summarise(df, "nps", "store", groups=groups)
    csat_summary = summarise(df, "csat", "store", metric="csat", groups=groups)
    return {
        "nps": nps_summary.overall,
        "csat": csat_summary.overall,
        "nps_by": nps_summary.groups.sort_values("store").reset_index(drop=True),
        "csat_by": csat_summary.groups.sort_values("store").reset_index(drop=True),
    }


def _peer_nps(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: promoter/detractor flags, groupby sums, formulas per group."""
    valid = frame.dropna(subset=["nps"])
    work = pd.DataFrame({"store": valid["store"], "p": valid["nps"] >= 9, "d": valid["nps"] <= 6})
    g = work.groupby("store").agg(n=("p", "size"), p=("p", "mean"), d=("d", "mean"))
    g["score"] = 100 * (g["p"] - g["d"])
    g["se"] = 100 * np.sqrt((g["p"] + g["d"] - (g["p"] - g["d"]) ** 2) / g["n"])
    g["ci_low"] = g["score"] - Z * g["se"]
    g["ci_high"] = g["score"] + Z * g["se"]
    return g


def _peer_csat(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: top-2-box flag and value, groupby, Wilson interval and t interval."""
    valid = frame.dropna(subset=["csat"])
    work = pd.DataFrame({"store": valid["store"], "top": valid["csat"] >= 4, "v": valid["csat"]})
    g = work.groupby("store").agg(
        n=("top", "size"), p=("top", "mean"), mean=("v", "mean"), sd=("v", "std")
    )
    n, p = g["n"], g["p"]
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    g["score"], g["ci_low"], g["ci_high"] = 100 * p, 100 * (centre - half), 100 * (centre + half)
    g["mean_se"] = g["sd"] / np.sqrt(n)
    return g


def peer_run(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The same figures with pandas groupby (overall = one group)."""
    whole = df.assign(store="all")
    return {
        "nps": _peer_nps(whole),
        "csat": _peer_csat(whole),
        "nps_by": _peer_nps(df),
        "csat_by": _peer_csat(df),
    }


def best_of(fn, df: pd.DataFrame, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(df)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    """Generate the data, time both implementations, check they agree, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    df = make_data(args.rows)
    print(f"generated {len(df):,} responses in {time.perf_counter() - start:.1f} s")
    ours_t, ours = best_of(manyi_run, df, args.repeat)
    peer_t, peer = best_of(peer_run, df, args.repeat)
    assert isinstance(ours, dict) and isinstance(peer, dict)
    # the two must agree before the times mean anything
    assert abs(ours["nps"].score - peer["nps"]["score"].iloc[0]) < 1e-9
    assert abs(ours["csat"].ci_low - peer["csat"]["ci_low"].iloc[0]) < 1e-9
    np.testing.assert_allclose(ours["nps_by"]["score"], peer["nps_by"]["score"], atol=1e-9)
    np.testing.assert_allclose(ours["nps_by"]["ci_high"], peer["nps_by"]["ci_high"], atol=1e-9)
    np.testing.assert_allclose(ours["csat_by"]["ci_low"], peer["csat_by"]["ci_low"], atol=1e-9)
    np.testing.assert_allclose(ours["csat_by"]["mean_se"], peer["csat_by"]["mean_se"], rtol=1e-9)
    print(
        f"NPS {ours['nps'].score:.2f} [{ours['nps'].ci_low:.2f}, {ours['nps'].ci_high:.2f}], "
        f"CSAT {ours['csat'].score:.2f}% over {ours['nps'].n:,} answers; results agree"
    )
    print(
        f"manyi  (NPS+CSAT with CIs + 20-way breakdown): {ours_t:.3f} s  "
        f"(target < 2 s: {'met' if ours_t < 2 else 'MISSED'})"
    )
    print(f"pandas groupby peer (same figures)            : {peer_t:.3f} s")
    print(f"ratio peer / manyi: {peer_t / ours_t:.2f}x")


if __name__ == "__main__":
    main()
