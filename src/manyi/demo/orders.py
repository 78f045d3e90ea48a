"""Demo orders: seasonal timing, channels, baskets from the catalogue, statuses and delivery times.

Also plants signal 4 (:func:`plant_vip_churn`): high-value customers whose orders stop after one
bad order. Times are tz-aware in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from manyi.demo import geography as geo
from manyi.demo import signals as sig
from manyi.demo.catalog import CATEGORIES
from manyi.demo.seasonality import HOURLY, SPRING_FESTIVAL

if TYPE_CHECKING:
    from manyi.demo.generator import Window

TZ = "Asia/Shanghai"
_CHANNEL_MIX = {"app": 0.40, "web": 0.15, "mini_program": 0.25, "store": 0.20}
_BASE_CATEGORY = {"服饰": 1.4, "数码": 1.0, "家电": 0.7, "美妆": 1.0, "食品": 1.3, "家居": 1.0,
                  "母婴": 0.5, "运动": 0.6}  # fmt: skip


@dataclass
class ChurnResult:
    """Order lines and orders after planting signal 4, and the complaint order of each churner."""

    lines: pd.DataFrame
    orders: pd.DataFrame
    complaints: pd.DataFrame


def _category_probs(people: pd.DataFrame) -> np.ndarray:
    """Per-customer category preferences from gender and age."""
    base = np.array([_BASE_CATEGORY[c] for c in CATEGORIES])
    probs = np.tile(base, (len(people), 1))
    col = {c: i for i, c in enumerate(CATEGORIES)}
    female = (people["gender"] == "female").to_numpy()
    age = people["age"].to_numpy()
    probs[female, col["美妆"]] *= 2.2
    probs[female, col["服饰"]] *= 1.3
    probs[~female, col["数码"]] *= 2.0
    probs[~female, col["运动"]] *= 1.5
    parent = (age >= 25) & (age <= 40)
    probs[parent, col["母婴"]] *= 3.0
    probs[age >= 50, col["食品"]] *= 1.6
    probs[age >= 50, col["家居"]] *= 1.4
    return probs / probs.sum(1, keepdims=True)


def _order_times(rng: np.random.Generator, people: pd.DataFrame, window: Window) -> pd.DataFrame:
    """How many orders each customer places and when, following the seasonal day weights."""
    c = window.cumulative
    lo = c[people["active_from"].to_numpy()]
    hi = c[people["active_to"].to_numpy()]
    counts = rng.poisson(people["rate"].to_numpy() * (hi - lo))
    owner = np.repeat(np.arange(len(people)), counts)
    u = lo[owner] + rng.random(len(owner)) * (hi - lo)[owner]
    day = np.clip(np.searchsorted(c, u, side="right") - 1, 0, window.n_days - 1)
    hour = rng.choice(24, size=len(owner), p=HOURLY / HOURLY.sum())
    secs = hour * 3600 + rng.integers(0, 3600, len(owner))
    start = pd.Timestamp(window.start).tz_localize(TZ)
    at = start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(secs, unit="s")
    frame = pd.DataFrame({"owner": owner, "day": day, "ordered_at": at})
    return frame.sort_values(["ordered_at", "owner"], kind="stable").reset_index(drop=True)


def _channels(rng: np.random.Generator, people: pd.DataFrame, owner: np.ndarray) -> np.ndarray:
    """Each order's channel: the customer's preferred one mostly, else the general mix."""
    names = np.array(list(_CHANNEL_MIX))
    general = names[rng.choice(len(names), size=len(owner), p=list(_CHANNEL_MIX.values()))]
    preferred = people["preferred_channel"].to_numpy()[owner]
    channel = np.where(rng.random(len(owner)) < 0.65, preferred, general)
    overseas = people["overseas"].to_numpy()[owner]
    return np.where(overseas & (channel == "store"), "web", channel)


def _delivery_days(rng: np.random.Generator, regions: np.ndarray, ordered: pd.Series) -> np.ndarray:
    """Delivery time in days: lognormal around the region's median; 西北 slowed (signal 2)."""
    median = np.array([geo.DELIVERY_DAYS[r] for r in regions])
    median = np.where(regions == sig.SLOW_REGION, median * sig.SLOW_REGION_FACTOR, median)
    peak = (ordered.dt.month.to_numpy() == 11) & np.isin(ordered.dt.day.to_numpy(), range(9, 15))
    return median * rng.lognormal(0.0, 0.35, len(regions)) + np.where(peak, 1.0, 0.0)


def _statuses(rng: np.random.Generator, n: int) -> np.ndarray:
    """Completed mostly; some cancelled and returned orders."""
    u = rng.random(n)
    return np.where(u < 0.055, "cancelled", np.where(u < 0.105, "returned", "completed"))


def generate_orders(
    rng: np.random.Generator, people: pd.DataFrame, products: pd.DataFrame, window: Window
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order lines (CSV columns plus hidden ones) and one row per order."""
    orders = _order_times(rng, people, window)
    owner = orders["owner"].to_numpy()
    orders["customer_id"] = people["customer_id"].to_numpy()[owner]
    orders["channel"] = _channels(rng, people, owner)
    cities = people["city"].to_numpy()[owner]
    home = (owner % 3).astype(int)
    orders["store"] = [
        geo.store_name(city, h) if ch == "store" else ""
        for city, h, ch in zip(cities, home, orders["channel"], strict=True)
    ]
    orders["region"] = people["region"].to_numpy()[owner]
    orders["status"] = _statuses(rng, len(orders))
    days = _delivery_days(rng, orders["region"].to_numpy(), orders["ordered_at"])
    days = np.where(orders["channel"].to_numpy() == "store", 0.0, days)
    orders["delivery_days"] = days
    delivered = orders["ordered_at"] + pd.to_timedelta(np.round(days * 86400), unit="s")
    end = pd.Timestamp(window.end).tz_localize(TZ) + pd.Timedelta(days=1)
    pending = (delivered >= end) & (orders["status"] != "cancelled")
    orders.loc[pending, "status"] = "pending"
    orders["delivered_at"] = delivered.where(orders["status"].isin(["completed", "returned"]))
    orders["order_no"] = [f"SO{t:%Y%m%d}{i + 1:06d}" for i, t in enumerate(orders["ordered_at"])]
    lines = _lines(rng, people, products, orders, window)
    totals = lines.groupby("order_no", sort=False)["amount"].sum()
    orders["total"] = orders["order_no"].map(totals)
    return lines, orders


def _lines(
    rng: np.random.Generator,
    people: pd.DataFrame,
    products: pd.DataFrame,
    orders: pd.DataFrame,
    window: Window,
) -> pd.DataFrame:
    """Basket lines: category by preference, SKU by the customer's price level, promo prices."""
    n_lines = rng.choice([1, 2, 3, 4], size=len(orders), p=[0.62, 0.24, 0.10, 0.04])
    idx = np.repeat(np.arange(len(orders)), n_lines)
    owner = orders["owner"].to_numpy()[idx]
    probs = _category_probs(people)[owner]
    cat = (rng.random(len(idx))[:, None] > np.cumsum(probs, 1)).sum(1)
    cat = np.minimum(cat, len(CATEGORIES) - 1)
    day = orders["day"].to_numpy()[idx]
    gift = _gift_days(window)[day] & (rng.random(len(idx)) < 0.35)
    cat = np.where(gift, CATEGORIES.index("食品"), cat)
    value = people["value"].to_numpy()[owner]
    level = np.clip(0.5 + 0.22 * np.log(value) + rng.normal(0, 0.22, len(idx)), 0, 0.999)
    by_cat = [products.index[products["category"] == c].to_numpy() for c in CATEGORIES]
    by_cat = [ix[np.argsort(products.loc[ix, "price"].to_numpy(), kind="stable")] for ix in by_cat]
    pick = np.array([by_cat[c][int(lv * len(by_cat[c]))] for c, lv in zip(cat, level, strict=True)])
    chosen = products.iloc[pick]
    bulk = np.isin(chosen["category"].to_numpy(), ["食品", "美妆", "母婴"])
    qty = np.where(bulk, rng.choice([1, 2, 3, 4], len(idx), p=[0.6, 0.25, 0.1, 0.05]),
                   rng.choice([1, 2], len(idx), p=[0.92, 0.08]))  # fmt: skip
    ordered = orders["ordered_at"].iloc[idx]
    month, dom = ordered.dt.month.to_numpy(), ordered.dt.day.to_numpy()
    promo = np.where(
        (month == 11) & (dom <= 11), 0.85, np.where((month == 6) & (dom <= 18), 0.88, 1.0)
    )
    coupon = np.where(rng.random(len(idx)) < 0.2, 0.95, 1.0)
    price = np.round(chosen["price"].to_numpy() * promo * coupon, 2)
    frame = pd.DataFrame(
        {
            "order_no": orders["order_no"].to_numpy()[idx],
            "customer_id": orders["customer_id"].to_numpy()[idx],
            "ordered_at": ordered.array,
            "channel": orders["channel"].to_numpy()[idx],
            "store": orders["store"].to_numpy()[idx],
            "region": orders["region"].to_numpy()[idx],
            "status": orders["status"].to_numpy()[idx],
            "sku": chosen["sku"].to_numpy(),
            "product_name": chosen["product_name"].to_numpy(),
            "category": chosen["category"].to_numpy(),
            "quantity": qty,
            "unit_price": price,
            "amount": np.round(qty * price, 2),
            "delivered_at": orders["delivered_at"].iloc[idx].array,
            "product_index": pick,
        }
    )
    # One line per SKU and order: a repeated pick adds nothing (the first line is kept).
    return frame.drop_duplicates(["order_no", "sku"], keep="first").reset_index(drop=True)


def _gift_days(window: Window) -> np.ndarray:
    """Days 21 to 8 before a Spring Festival: gift buying (年货)."""
    out = np.zeros(window.n_days, dtype=bool)
    for fest in SPRING_FESTIVAL.values():
        delta = np.array([(d.date() - fest).days for d in window.days])
        out |= (delta >= -21) & (delta <= -8)
    return out


def plant_vip_churn(
    rng: np.random.Generator,
    people: pd.DataFrame,
    lines: pd.DataFrame,
    orders: pd.DataFrame,
    window: Window,
) -> ChurnResult:
    """Signal 4: pick high-value customers, keep orders up to one bad order, drop the rest."""
    n_churn = sig.vip_churner_count(len(people))
    done = orders[orders["status"] == "completed"]
    value = done.groupby("customer_id")["total"].sum().sort_values(ascending=False, kind="stable")
    pool = value.index[: max(n_churn + 1, round(sig.VIP_POOL_SHARE * len(people)))]
    latest = pd.Timestamp(window.end).tz_localize(TZ) - pd.Timedelta(
        days=sig.VIP_MIN_DAYS_BEFORE_END
    )
    earliest = pd.Timestamp(window.start).tz_localize(TZ) + pd.Timedelta(days=60)
    own = done[done["customer_id"].isin(pool)]
    share = own.groupby("customer_id")["total"].cumsum() / own["customer_id"].map(value)
    ok = own[
        (share >= 0.6)
        & (own["channel"] != "store")
        & (own["ordered_at"] <= latest)
        & (own["ordered_at"] >= earliest)
    ]
    first_ok = ok.groupby("customer_id", sort=False).head(1)
    rank = first_ok["customer_id"].map({code: i for i, code in enumerate(pool)})
    candidates = first_ok.index.to_numpy()[np.argsort(rank.to_numpy(), kind="stable")]
    chosen = np.sort(rng.choice(candidates, size=min(n_churn, len(candidates)), replace=False))
    bad = orders.loc[chosen]
    if bad.empty:  # too few customers with a qualifying order (tiny or short data sets)
        return ChurnResult(lines, orders, bad.reset_index(drop=True))
    cut = dict(zip(bad["customer_id"], bad["ordered_at"], strict=True))
    limit = orders["customer_id"].map(cut)
    keep = limit.isna() | (orders["ordered_at"] <= limit)
    kept = orders[keep].reset_index(drop=True)
    line_limit = lines["customer_id"].map(cut)
    kept_lines = lines[line_limit.isna() | (lines["ordered_at"] <= line_limit)].reset_index(
        drop=True
    )
    return ChurnResult(kept_lines, kept, bad.reset_index(drop=True))
