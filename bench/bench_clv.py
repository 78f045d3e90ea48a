"""BG/NBD fit and scoring on 1,000,000 simulated customers vs lifetimes' BetaGeoFitter.

Customers are simulated from known BG/NBD parameters (the CDNOW values), with acquisition spread
over a year and purchase times recorded to the day, as a real log would give them. We time:

1. manyi's fit on all customers (grouping identical (x, t_x, T) + analytic gradients);
2. lifetimes' BetaGeoFitter (autograd gradients) on the same customers as it is normally called
   (one row per customer), and on the *same grouped rows with weights* (lifetimes accepts
   weights but does not group by itself) -- the fastest way lifetimes can be run;
3. scoring P(alive) and 39-week conditional expected purchases for every customer.

Usage: python bench/bench_clv.py [--customers 1000000] [--peer-customers 1000000] [--skip-lifetimes]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from manyi.analytics.predict.bgnbd import BetaGeoModel, group_histories

TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    """Draw n customers' (frequency, recency, T) in weeks from the BG/NBD process, times to the day."""
    rng = np.random.default_rng(seed)
    t_days = rng.integers(26 * 7, 78 * 7 + 1, n).astype(float)  # acquired over a year
    lam = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], n) / 7.0  # purchases per day
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    purchases = rng.poisson(lam * t_days)  # purchases had nobody dropped out
    max_repeats = rng.geometric(p)  # dropout after the K-th repeat purchase
    x = np.minimum(purchases, max_repeats)
    # the x-th of `purchases` uniform arrival times on (0, T] is T * Beta(x, purchases - x + 1)
    t_x = np.zeros(n)
    buyers = x > 0
    t_x[buyers] = t_days[buyers] * rng.beta(x[buyers], purchases[buyers] - x[buyers] + 1)
    t_x = np.where(buyers, np.minimum(np.ceil(t_x), t_days), 0.0)  # to the day, at least day 1
    return pd.DataFrame({"frequency": x.astype(float), "recency": t_x / 7.0, "T": t_days / 7.0})


def _lifetimes_fit(frame: pd.DataFrame, weights: np.ndarray | None) -> tuple[dict, float]:
    """Fit lifetimes' BetaGeoFitter; return its parameters and seconds taken."""
    from lifetimes import BetaGeoFitter

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes' own deprecation noise, local to this call
        fitter = BetaGeoFitter().fit(
            frame["frequency"], frame["recency"], frame["T"], weights=weights
        )
    seconds = time.perf_counter() - start
    return {k: float(v) for k, v in fitter.params_.items()}, seconds


def _max_rel(ours: dict, theirs: dict) -> float:
    """Largest relative difference between two parameter sets."""
    return max(abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in TRUE)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--peer-customers", type=int, default=1_000_000)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()

    summary = simulate(args.customers)
    start = time.perf_counter()
    model = BetaGeoModel().fit(summary)
    fit_s = time.perf_counter() - start
    print(f"customers {args.customers:,}, distinct histories {model.n_groups_:,}")
    print(f"true      {TRUE}")
    print("manyi     " + ", ".join(f"{k}={v:.4f}" for k, v in model.params_.items()))
    print(f"manyi fit (grouping included): {fit_s:.2f} s")

    start = time.perf_counter()
    scored = model.predict(summary, 39.0)
    score_s = time.perf_counter() - start
    print(f"manyi scoring P(alive) + E[purchases in 39 weeks], {len(scored):,} customers: "
          f"{score_s:.2f} s")  # fmt: skip

    if args.skip_lifetimes:
        return
    try:
        groups = group_histories(
            summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy()
        )
        grouped = pd.DataFrame({"frequency": groups.x, "recency": groups.t_x, "T": groups.T})
        theirs, life_s = _lifetimes_fit(grouped, groups.weight)
    except Exception as exc:  # report the peer's failure honestly rather than crash
        print(f"lifetimes BetaGeoFitter failed on the grouped data: {type(exc).__name__}: {exc}")
        return
    print("lifetimes " + ", ".join(f"{k}={v:.4f}" for k, v in theirs.items()))
    print(f"lifetimes fit on the same {len(grouped):,} grouped rows with weights: {life_s:.2f} s")
    print(f"  -> manyi is {life_s / fit_s:.1f}x faster; max relative parameter difference "
          f"{_max_rel(model.params_, theirs):.1e}")  # fmt: skip

    sub = (
        summary
        if args.peer_customers >= len(summary)
        else summary.sample(n=args.peer_customers, random_state=1)
    )
    start = time.perf_counter()
    ours_sub = BetaGeoModel().fit(sub)
    ours_sub_s = time.perf_counter() - start
    try:
        theirs_sub, life_sub_s = _lifetimes_fit(sub, None)
    except Exception as exc:  # report the peer's failure honestly rather than crash
        print(f"lifetimes BetaGeoFitter failed on {len(sub):,} rows: {type(exc).__name__}: {exc}")
        return
    print(f"one row per customer, {len(sub):,} customers: lifetimes {life_sub_s:.2f} s, manyi "
          f"{ours_sub_s:.2f} s -> manyi is {life_sub_s / ours_sub_s:.0f}x faster; max relative "
          f"parameter difference {_max_rel(ours_sub.params_, theirs_sub):.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
