"""The four signals planted in the demo data, precisely defined, for analytics to find again.

Each signal is placed relative to the data window (its last month is ``end_date``'s month), so it
moves with ``--end-date`` and ``--months``; :data:`PLANTED_SIGNALS` holds the values for the
defaults (3,000 customers, 24 months ending 2026-10-31). A *complaint about X* is an opinion on
aspect X with negative polarity in ``feedback_labels.csv`` (the answer key written beside the data).

1. ``packaging_spike`` — in ONE month (the 8th-last: 2026-03 by default) every order-linked
   feedback item of a shipped order carries a packaging complaint with probability ``4.5 x`` the
   baseline (5%), so that month's share of packaging complaints is about 4-5 times the median month's.
2. ``slow_region`` — orders shipped to 西北 take ``2.5 x`` the region's normal delivery time
   (median about 7 days instead of 2.9; other regions 1.6-2.7 days). Logistics complaints depend
   on the actual delivery time (4% at <= 2 days, 10% <= 4, 30% <= 6, 55% beyond), so they are much
   more frequent for 西北 orders.
3. ``price_trend`` — the probability of a price complaint is 5% until the last six months, then
   rises by 3 points a month (8%, 11%, ... 23% in the last month).
4. ``vip_churn`` — 60 customers (scaled with the number of customers) drawn from the top 6% by
   spend have one bad order (complaint order); within 1-10 days of its delivery they send a
   survey with NPS 0-3 and 2-3 negative opinions (product quality, service attitude, returns),
   sometimes a second complaint by e-mail, phone or social media, and they place no order after it.
   Their complaint order is at least 150 days before the end of the window.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PACKAGING_BASE_RATE = 0.05
PACKAGING_SPIKE_FACTOR = 4.5
PACKAGING_MONTHS_BEFORE_END = 7
SLOW_REGION = "西北"
SLOW_REGION_FACTOR = 2.5
#: (upper bound in days, probability of a logistics complaint) for delivered online orders.
LOGISTICS_COMPLAINT_BY_DAYS: tuple[tuple[float, float], ...] = (
    (2.0, 0.04), (4.0, 0.10), (6.0, 0.30), (float("inf"), 0.55),
)  # fmt: skip
PRICE_BASE_RATE = 0.05
PRICE_MONTHLY_STEP = 0.03
PRICE_TREND_MONTHS = 6
VIP_CHURNERS_PER_3000 = 60
VIP_POOL_SHARE = 0.06
VIP_MIN_DAYS_BEFORE_END = 150


def month_add(month: str, delta: int) -> str:
    """'2026-10' plus `delta` months, as 'YYYY-MM'."""
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + mon - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def planted_signals(end_date: dt.date, customers: int = 3000) -> dict[str, dict[str, Any]]:
    """The planted signals for a window ending on `end_date`, as plain data."""
    last = f"{end_date.year:04d}-{end_date.month:02d}"
    trend_months = [month_add(last, k) for k in range(-PRICE_TREND_MONTHS + 1, 1)]
    return {
        "packaging_spike": {
            "month": month_add(last, -PACKAGING_MONTHS_BEFORE_END),
            "aspect": "packaging",
            "base_rate": PACKAGING_BASE_RATE,
            "factor": PACKAGING_SPIKE_FACTOR,
            "description": "包装破损投诉在一个月内激增约4.5倍 / packaging-damage complaints ~4.5x in one month",
        },
        "slow_region": {
            "region": SLOW_REGION,
            "delivery_factor": SLOW_REGION_FACTOR,
            "aspect": "logistics",
            "description": "西北地区配送慢2.5倍，物流投诉更多 / deliveries to 西北 2.5x slower, more logistics complaints",
        },
        "price_trend": {
            "months": trend_months,
            "aspect": "price_value",
            "base_rate": PRICE_BASE_RATE,
            "monthly_step": PRICE_MONTHLY_STEP,
            "description": "最近6个月价格投诉占比持续上升 / share of price complaints rising over the last 6 months",
        },
        "vip_churn": {
            "customers": vip_churner_count(customers),
            "pool_share": VIP_POOL_SHARE,
            "max_nps": 3,
            "min_days_before_end": VIP_MIN_DAYS_BEFORE_END,
            "description": "高价值客户投诉后流失 / high-value customers complain, then stop buying",
        },
    }


def vip_churner_count(customers: int) -> int:
    """How many high-value churners to plant: 60 per 3,000 customers, at least 5."""
    return max(5, round(VIP_CHURNERS_PER_3000 * customers / 3000))


#: The signals of the default data set (24 months ending 2026-10-31, 3,000 customers).
PLANTED_SIGNALS: dict[str, dict[str, Any]] = planted_signals(dt.date(2026, 10, 31))
