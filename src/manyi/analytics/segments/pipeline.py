"""One call from cleaned order lines to the per-customer segmentation table used by the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from manyi.analytics.segments.lifecycle import LifecycleThresholds, lifecycle_stages
from manyi.analytics.segments.rfm import RFMRules, compute_rfm
from manyi.analytics.segments.tiers import DEFAULT_CUTOFFS, pareto_share, value_tiers

OUTPUT_COLUMNS = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "segment",
    "tier",
    "lifecycle",
)


@dataclass(frozen=True)
class SegmentationResult:
    """Per-customer table plus the Pareto share (revenue share of the top 20% customers)."""

    customers: pd.DataFrame
    pareto_top20_share: float
    n_customers: int


def segment_customers(
    lines: pd.DataFrame,
    as_of: object,
    *,
    rules: RFMRules | None = None,
    tier_cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
    lifecycle: LifecycleThresholds | None = None,
    with_lifecycle: bool = True,
) -> SegmentationResult:
    """RFM, segment, value tier and lifecycle stage per customer from cleaned order lines.

    Parameters
    ----------
    lines : pandas.DataFrame
        Cleaned order lines (:func:`manyi.analytics.segments.orders.clean_orders`).
    as_of : date-like
        The day recency is measured to.
    rules, tier_cutoffs, lifecycle
        RFM rules, tier percentile cut-offs and lifecycle thresholds (defaults when omitted).
    with_lifecycle : bool
        Skip lifecycle staging (the slowest step at very large scale) when False.

    Returns
    -------
    SegmentationResult
        ``customers`` has the columns of ``OUTPUT_COLUMNS`` (``lifecycle`` only when asked).
    """
    rfm = compute_rfm(lines, as_of, rules=rules)
    rfm["tier"] = value_tiers(rfm["monetary"].to_numpy(), tier_cutoffs)
    columns = list(OUTPUT_COLUMNS)
    if with_lifecycle:
        stages = lifecycle_stages(lines, as_of, lifecycle)
        by_customer = stages.set_index("customer_id")["lifecycle"]
        rfm["lifecycle"] = by_customer.reindex(rfm["customer_id"]).to_numpy()
    else:
        columns.remove("lifecycle")
    return SegmentationResult(
        customers=rfm[columns],
        pareto_top20_share=pareto_share(rfm["monetary"].to_numpy(), 0.2),
        n_customers=len(rfm),
    )
