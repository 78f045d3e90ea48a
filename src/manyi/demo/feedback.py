"""Demo feedback: which orders get feedback, on which channel, saying what, with what rating.

Plants signals 1-3 (packaging spike, slow-region logistics complaints, rising price complaints)
and writes the complaints of the signal-4 churners. The answer key (``feedback_labels``) records
for each item its language, kind, opinions and sentiment.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from manyi.demo import signals as sig
from manyi.demo.feedback_text import ASPECTS, Opinion, compose

if TYPE_CHECKING:
    from manyi.demo.generator import Window

TZ = "Asia/Shanghai"
ITEMS_PER_CUSTOMER = 3.3
ORDER_SHARE = 0.8
_ORDER_CHANNELS = {"survey": 0.35, "review": 0.25, "in_app": 0.08, "email": 0.05,
                   "web_form": 0.04, "social": 0.06, "call_centre": 0.08, "chat": 0.09}  # fmt: skip
_FREE_CHANNELS = {"app_store": 0.28, "social": 0.20, "chat": 0.20, "call_centre": 0.14,
                  "email": 0.10, "web_form": 0.08}  # fmt: skip
_STAR_CHANNELS = ("review", "app_store", "in_app")
#: Aspects a customer may mention besides the planted complaints, with weights.
_OTHER_ASPECTS = {"product_quality": 4.0, "price_value": 1.2, "logistics": 1.5, "packaging": 0.8,
                  "service_attitude": 1.5, "app_website": 0.8, "payment": 0.5,
                  "returns_refunds": 0.4, "store_environment": 0.0}  # fmt: skip
#: Aspects whose complaints only come from the planted processes (other mentions are praise).
_PLANTED = ("packaging", "logistics", "price_value")
TOUCHPOINTS = {
    "product_quality": "product", "price_value": "purchase", "logistics": "delivery",
    "packaging": "delivery", "service_attitude": "customer_service", "app_website": "app",
    "payment": "checkout", "returns_refunds": "returns", "store_environment": "store",
}  # fmt: skip


def _month_keys(times: pd.Series) -> np.ndarray:
    """'YYYY-MM' of each local time."""
    return times.dt.strftime("%Y-%m").to_numpy()


def _order_items(rng: np.random.Generator, orders: pd.DataFrame, target: int) -> pd.DataFrame:
    """Sample the orders that get feedback, and when it arrives."""
    eligible = orders[orders["status"] != "pending"]
    p = min(0.9, target / max(1, len(eligible)))
    pick = eligible[rng.random(len(eligible)) < p].copy()
    base = pick["delivered_at"].where(pick["delivered_at"].notna(), pick["ordered_at"])
    delay = rng.exponential(2.0 * 86400, len(pick)) + 600
    pick["received_at"] = base + pd.to_timedelta(np.round(delay), unit="s")
    chan = list(_ORDER_CHANNELS)
    pick["fb_channel"] = np.array(chan)[
        rng.choice(len(chan), size=len(pick), p=list(_ORDER_CHANNELS.values()))
    ]
    pick["kind"] = np.where(rng.random(len(pick)) < 0.92, "opinion",
                            np.where(rng.random(len(pick)) < 0.5, "inquiry", "suggestion"))  # fmt: skip
    return pick


def _free_items(
    rng: np.random.Generator, people: pd.DataFrame, window: Window, target: int, n_products: int
) -> pd.DataFrame:
    """Feedback not tied to an order (app-store reviews, social posts, calls, chats)."""
    owner = rng.integers(0, len(people), target)
    day = np.clip(
        np.searchsorted(window.cumulative, rng.random(target) * window.cumulative[-1]) - 1,
        0, window.n_days - 1,
    )  # fmt: skip
    start = pd.Timestamp(window.start).tz_localize(TZ)
    secs = rng.integers(7 * 3600, 24 * 3600, target)
    chan = list(_FREE_CHANNELS)
    channel = np.array(chan)[rng.choice(len(chan), size=target, p=list(_FREE_CHANNELS.values()))]
    anonymous = np.isin(channel, ["app_store", "social"]) & (rng.random(target) < 0.4)
    u = rng.random(target)
    return pd.DataFrame(
        {
            "customer_id": np.where(anonymous, "", people["customer_id"].to_numpy()[owner]),
            "order_no": "",
            "received_at": start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(secs, unit="s"),
            "fb_channel": channel,
            "kind": np.where(u < 0.6, "opinion", np.where(u < 0.85, "inquiry", "suggestion")),
            "store": "",
            "region": people["region"].to_numpy()[owner],
            "delivery_days": np.nan,
            "status": "",
            "order_channel": "",
            "product_index": rng.integers(0, n_products, target),
        }
    )


def _logistics_rate(days: np.ndarray) -> np.ndarray:
    """Probability of a logistics complaint given the delivery time (signal 2)."""
    out = np.zeros(len(days))
    lower = -np.inf
    for upper, rate in sig.LOGISTICS_COMPLAINT_BY_DAYS:
        out = np.where((days > lower) & (days <= upper), rate, out)
        lower = upper
    return out


def _complaint_flags(
    rng: np.random.Generator, items: pd.DataFrame, signals: dict[str, dict[str, object]]
) -> pd.DataFrame:
    """Draw the planted complaints (packaging, logistics, price) for every opinion item."""
    n = len(items)
    month = _month_keys(items["received_at"])
    opinion = (items["kind"] == "opinion").to_numpy()
    shipped = opinion & (items["order_channel"].isin(["app", "web", "mini_program"])).to_numpy()
    shipped &= items["status"].isin(["completed", "returned"]).to_numpy()
    spike = month == signals["packaging_spike"]["month"]
    pkg_rate = sig.PACKAGING_BASE_RATE * np.where(spike, sig.PACKAGING_SPIKE_FACTOR, 1.0)
    trend_months = list(signals["price_trend"]["months"])  # type: ignore[call-overload]
    step = np.array([trend_months.index(m) + 1 if m in trend_months else 0 for m in month])
    price_rate = sig.PRICE_BASE_RATE + sig.PRICE_MONTHLY_STEP * step
    days = items["delivery_days"].fillna(0).to_numpy()
    return pd.DataFrame(
        {
            "packaging": shipped & (rng.random(n) < pkg_rate),
            "logistics": shipped & (rng.random(n) < _logistics_rate(days)),
            "price_value": opinion & (rng.random(n) < price_rate),
        },
        index=items.index,
    )


def _opinions(
    rng: np.random.Generator, items: pd.DataFrame, flags: pd.DataFrame
) -> list[list[Opinion]]:
    """Each item's opinions: planted complaints first, then 0-2 other aspects by mood."""
    names = list(_OTHER_ASPECTS)
    n = len(items)
    extra = rng.choice([0, 1, 2], size=n, p=[0.25, 0.5, 0.25])
    draws = rng.random((n, 3))
    happy = rng.random((n, 3)) < np.where(flags.to_numpy().any(1), 0.55, 0.78)[:, None]
    planted = flags[list(_PLANTED)].to_numpy()
    out: list[list[Opinion]] = []
    for i, row in enumerate(items.itertuples(index=False)):
        if row.kind != "opinion":
            out.append([])
            continue
        ops = [Opinion(a, False) for a, hit in zip(_PLANTED, planted[i], strict=True) if hit]
        weights = np.array([_OTHER_ASPECTS[a] for a in names])
        weights[names.index("store_environment")] = 2.5 if row.order_channel == "store" else 0.0
        if row.fb_channel == "app_store" or row.order_channel in ("app", "mini_program"):
            weights[names.index("app_website")] *= 4 if row.fb_channel == "app_store" else 1.3
        if row.status == "returned":
            weights[names.index("returns_refunds")] = 5.0
        if row.order_channel == "store" or row.order_channel == "":
            weights[[names.index("logistics"), names.index("packaging")]] = 0.0
        for op in ops:
            weights[names.index(op.aspect)] = 0.0
        want = len(ops) + extra[i] if ops else 1 + extra[i]
        j = 0
        while len(ops) < min(3, want) and weights.sum() > 0:
            cum = np.cumsum(weights / weights.sum())
            a = names[min(int((draws[i, j] > cum).sum()), len(names) - 1)]
            weights[names.index(a)] = 0.0
            positive = True if a in _PLANTED else bool(happy[i, j])
            ops.append(Opinion(a, positive))
            j += 1
        out.append(ops)
    return out


def _ratings(
    rng: np.random.Generator, channels: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """NPS 0-10 for surveys, 1-5 stars for reviews/app store/in-app, consistent with the text."""
    nps = np.clip(np.round(rng.normal(7.2 + 2.8 * score, 1.1)), 0, 10)
    stars = np.clip(np.round(rng.normal(3.7 + 1.4 * score, 0.55)), 1, 5)
    rating = np.where(
        channels == "survey", nps, np.where(np.isin(channels, _STAR_CHANNELS), stars, np.nan)
    )
    scale = np.where(
        channels == "survey", "0-10", np.where(np.isin(channels, _STAR_CHANNELS), "1-5", "")
    )
    return rating, scale


def _languages(rng: np.random.Generator, preferred: np.ndarray) -> np.ndarray:
    """Language of each text from the writer's preference, with some switching and mixing."""
    u = rng.random(len(preferred))
    zh = np.where(u < 0.05, "mixed", np.where(u < 0.07, "en", "zh-Hans"))
    trad = np.where(u < 0.88, "zh-Hant", np.where(u < 0.95, "en", "mixed"))
    en = np.where(u < 0.92, "en", "mixed")
    return np.where(
        preferred == "en", en, np.where(np.isin(preferred, ["zh-HK", "zh-TW"]), trad, zh)
    )


def _churn_items(
    rng: np.random.Generator, complaints: pd.DataFrame
) -> tuple[pd.DataFrame, list[list[Opinion]], np.ndarray]:
    """Signal 4: one survey (NPS 0-3) per churner, sometimes a second complaint elsewhere."""
    rows, opinions, ratings = [], [], []
    pool = ("product_quality", "service_attitude", "returns_refunds")
    for rec in complaints.itertuples(index=False):
        base = rec.delivered_at if pd.notna(rec.delivered_at) else rec.ordered_at
        second = rng.random() < 0.5
        for k, channel in enumerate(
            ["survey"] + ([str(rng.choice(["email", "call_centre", "social"]))] if second else [])
        ):
            delay = pd.Timedelta(seconds=int(rng.integers(86400, 10 * 86400)) + k * 3600)
            count = int(rng.integers(2, 4))
            aspects = [pool[i] for i in sorted(rng.choice(3, size=count, replace=False))]
            opinions.append([Opinion(a, False) for a in aspects])
            ratings.append(float(rng.integers(0, 4)) if channel == "survey" else np.nan)
            rows.append({
                "customer_id": rec.customer_id, "order_no": rec.order_no,
                "received_at": base + delay, "fb_channel": channel, "kind": "opinion",
                "store": rec.store, "region": rec.region, "delivery_days": rec.delivery_days,
                "status": rec.status, "order_channel": rec.channel, "product_index": -1,
            })  # fmt: skip
    return pd.DataFrame(rows), opinions, np.array(ratings, dtype=float)


def generate_feedback(
    rng: np.random.Generator,
    text_rng: random.Random,
    people: pd.DataFrame,
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    products: pd.DataFrame,
    window: Window,
    complaints: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feedback items (CSV columns plus hidden ones) and the answer key."""
    signals = sig.planted_signals(window.end, len(people))
    target = round(ITEMS_PER_CUSTOMER * len(people))
    churners = set(complaints["customer_id"])
    first_line = lines.drop_duplicates("order_no").set_index("order_no")["product_index"]
    linked = _order_items(rng, orders[~orders["order_no"].isin(complaints["order_no"])],
                          int(target * ORDER_SHARE))  # fmt: skip
    linked = pd.DataFrame({
        "customer_id": linked["customer_id"], "order_no": linked["order_no"],
        "received_at": linked["received_at"], "fb_channel": linked["fb_channel"],
        "kind": linked["kind"], "store": linked["store"], "region": linked["region"],
        "delivery_days": linked["delivery_days"], "status": linked["status"],
        "order_channel": linked["channel"],
        "product_index": linked["order_no"].map(first_line).to_numpy(),
    })  # fmt: skip
    free = _free_items(
        rng, people, window, target - len(linked) - 2 * len(complaints), len(products)
    )
    items = pd.concat([linked, free], ignore_index=True)
    end = pd.Timestamp(window.end).tz_localize(TZ) + pd.Timedelta(days=1)
    late_churner = pd.Series(False, index=items.index)
    if churners:
        cut = items["customer_id"].map(
            dict(zip(complaints["customer_id"], complaints["ordered_at"], strict=True))
        )
        known = cut.notna()
        late_churner[known] = items.loc[known, "received_at"] > cut[known]
    items = items[(items["received_at"] < end) & ~late_churner].reset_index(drop=True)
    flags = _complaint_flags(rng, items, signals)
    opinions = _opinions(rng, items, flags)
    churn, churn_ops, churn_ratings = _churn_items(rng, complaints)
    items = pd.concat([items, churn], ignore_index=True)
    opinions += churn_ops
    n_churn = len(churn)
    is_churn = np.r_[np.zeros(len(items) - n_churn, dtype=bool), np.ones(n_churn, dtype=bool)]
    return _finish(rng, text_rng, people, products, items, opinions, is_churn, churn_ratings)


def _finish(
    rng: np.random.Generator,
    text_rng: random.Random,
    people: pd.DataFrame,
    products: pd.DataFrame,
    items: pd.DataFrame,
    opinions: list[list[Opinion]],
    is_churn: np.ndarray,
    churn_ratings: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Texts, ratings, ids and the answer key, sorted by time."""
    pref = items["customer_id"].map(people.set_index("customer_id")["preferred_language"])
    language = _languages(rng, pref.fillna("zh-CN").to_numpy())
    score = np.array([
        0.0 if not ops else (sum(o.positive for o in ops) - sum(not o.positive for o in ops)) / len(ops)
        for ops in opinions
    ])  # fmt: skip
    score = np.where(items["kind"].to_numpy() == "suggestion", 0.1, score)
    channels = items["fb_channel"].to_numpy()
    rating, scale = _ratings(rng, channels, score)
    rating[is_churn] = np.where(channels[is_churn] == "survey", churn_ratings, np.nan)
    product_index = items["product_index"].to_numpy().astype(int)
    random_product = rng.integers(0, len(products), len(items))
    product_index = np.where(product_index < 0, random_product, product_index)
    short = products["product_short"].to_numpy()[product_index]
    english = products["product_name_en"].to_numpy()[product_index]
    days = np.ceil(items["delivery_days"].fillna(0).to_numpy()).astype(int)
    days = np.where(days < 1, rng.integers(3, 15, len(items)), days)
    texts = [
        compose(text_rng, opinions=ops, language=str(lang), channel=str(ch), product=str(p),
                product_en=str(pe), days=int(d), kind=str(k))
        for ops, lang, ch, p, pe, d, k in zip(
            opinions, language, channels, short, english, days, items["kind"], strict=True
        )
    ]  # fmt: skip
    touch = [
        TOUCHPOINTS[ops[0].aspect] if ops else ("app" if ch == "app_store" else "pre_sales" if k == "inquiry" else "product")
        for ops, ch, k in zip(opinions, channels, items["kind"], strict=True)
    ]  # fmt: skip
    frame = items.assign(channel=channels, text=texts, rating=rating, rating_scale=scale,
                         touchpoint=touch, language=language, score=score, churn=is_churn)  # fmt: skip
    frame["opinions"] = [
        ";".join(f"{o.aspect}{'+' if o.positive else '-'}" for o in ops) for ops in opinions
    ]
    order = np.lexsort(
        (
            np.arange(len(frame)),
            frame["received_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
        )
    )
    frame = frame.iloc[order].reset_index(drop=True)
    frame["feedback_id"] = [f"FB{i + 1:07d}" for i in range(len(frame))]
    frame["received_at"] = frame["received_at"].dt.floor("s")
    labels = pd.DataFrame({
        "feedback_id": frame["feedback_id"], "customer_id": frame["customer_id"],
        "received_at": frame["received_at"], "channel": frame["channel"],
        "region": frame["region"], "language": frame["language"], "kind": frame["kind"],
        "opinions": frame["opinions"], "sentiment": frame["score"].round(3),
        "packaging_complaint": frame["opinions"].str.contains("packaging-", regex=False),
        "logistics_complaint": frame["opinions"].str.contains("logistics-", regex=False),
        "price_complaint": frame["opinions"].str.contains("price_value-", regex=False),
        "vip_churn_complaint": frame["churn"],
    })  # fmt: skip
    return frame, labels


__all__ = ["ASPECTS", "generate_feedback"]
