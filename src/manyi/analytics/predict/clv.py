"""Customer lifetime value: discounted expected margin over a horizon, with a value tier.

CLV_i = sum over months k = 1..H of  margin * E[spend_i] * (E[N_i(k)] - E[N_i(k - 1)]) / (1 + d)^k,
where E[N_i(k)] is the purchase model's conditional expected repeat purchases by the end of month k
and d the monthly discount rate (the monthly discounting of Fader, Hardie & Lee 2005 "RFM and CLV"
and of lifetimes' ``customer_lifetime_value``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from manyi.analytics.predict.bgnbd import BetaGeoModel, group_histories
from manyi.analytics.predict.gamma_gamma import GammaGammaModel
from manyi.analytics.predict.rfm_summary import validate_summary

DAYS_PER_MONTH = 365.25 / 12
UNIT_PER_MONTH = {"D": DAYS_PER_MONTH, "W": DAYS_PER_MONTH / 7.0}

TIERS: tuple[tuple[str, str, float], ...] = (
    # (code, label shown to people, share of customers from the top)
    ("vip", "VIP (top 5%) / 贵宾客户", 0.05),
    ("high", "High value / 高价值", 0.20),
    ("medium", "Medium value / 中价值", 0.50),
    ("low", "Low value / 低价值", 1.00),
)
TIER_LABELS = {code: label for code, label, _ in TIERS}


def value_tier(values: pd.Series) -> pd.Series:
    """Tier each customer by rank of value: vip top 5%, high top 20%, medium top 50%, low rest."""
    rank = values.rank(ascending=False, method="first", pct=True)
    codes = np.full(len(values), TIERS[-1][0], dtype=object)
    for code, _, share in reversed(TIERS):
        codes[(rank <= share).to_numpy()] = code
    return pd.Series(codes, index=values.index, name="tier", dtype="string")


def customer_lifetime_value(
    purchases: BetaGeoModel,
    spend: GammaGammaModel,
    summary: pd.DataFrame,
    *,
    horizon_months: int = 12,
    monthly_discount_rate: float = 0.01,
    margin: float = 1.0,
    unit: str = "D",
) -> pd.DataFrame:
    """Per-customer CLV over `horizon_months` with discounting and a value tier.

    Parameters
    ----------
    purchases : BetaGeoModel
        Fitted purchase-count model (BG/NBD or MBG/NBD) in time unit `unit`.
    spend : GammaGammaModel
        Fitted spend model.
    summary : DataFrame
        ``frequency, recency, T, monetary_value`` per customer.
    horizon_months : int
        Months ahead (1..600).
    monthly_discount_rate : float
        Discount rate per month (0.01 ~ 12.7% a year).
    margin : float
        Profit margin applied to spend (1.0 gives revenue).
    unit : {"D", "W"}
        Time unit of recency and T.

    Returns
    -------
    DataFrame with ``p_alive, expected_purchases, expected_spend, clv, tier, tier_label``.
    """
    if not 1 <= horizon_months <= 600:
        raise ValueError(f"horizon_months must be between 1 and 600, got {horizon_months}")
    if not 0 <= monthly_discount_rate < 1:
        raise ValueError(f"monthly_discount_rate must be in [0, 1), got {monthly_discount_rate}")
    if unit not in UNIT_PER_MONTH:
        raise ValueError(f"unit must be 'D' or 'W', got {unit!r}")
    x, t_x, big_t = validate_summary(summary)
    money = summary["monetary_value"] if "monetary_value" in summary.columns else None
    m = np.zeros_like(x) if money is None else pd.to_numeric(money, errors="coerce").to_numpy()
    spend_per_purchase = spend.expected_spend(x, m)
    per_month = UNIT_PER_MONTH[unit]
    groups = group_histories(x, t_x, big_t)
    inverse = groups.inverse
    discounted = np.zeros(len(groups.x))
    previous = np.zeros(len(groups.x))
    for month in range(1, horizon_months + 1):
        cumulative = purchases.conditional_expected_purchases(
            month * per_month, groups.x, groups.t_x, groups.T
        )
        discounted += (cumulative - previous) / (1.0 + monthly_discount_rate) ** month
        previous = cumulative
    out = pd.DataFrame(index=summary.index)
    out["p_alive"] = purchases.probability_alive(groups.x, groups.t_x, groups.T)[inverse]
    out["expected_purchases"] = previous[inverse]
    out["expected_spend"] = spend_per_purchase
    out["clv"] = margin * spend_per_purchase * discounted[inverse]
    out["tier"] = value_tier(out["clv"])
    out["tier_label"] = out["tier"].map(TIER_LABELS).astype("string")
    return out
