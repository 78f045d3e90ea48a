"""Demo touchpoint events (interactions.csv): browsing, ordering, delivery, returns, service contacts.

Derived from the generated orders and feedback so the journey is consistent: a customer browses
(app, website, mini-program or store) before an order, the order is placed (or cancelled), shipped
orders are delivered, returned ones produce a return request, and call-centre / chat / e-mail
feedback is also a service contact. Journey stages: consideration, purchase, delivery,
after_sales, feedback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INTERACTION_COLUMNS = (
    "interaction_id", "customer_id", "order_no", "occurred_at", "channel", "touchpoint",
    "journey_stage", "event_type",
)  # fmt: skip
_BROWSE_TOUCHPOINT = {
    "app": "app",
    "web": "website",
    "mini_program": "mini_program",
    "store": "store",
}
_SERVICE_CHANNELS = ("call_centre", "chat", "email")


def _events(orders: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """One event per row of `orders` with the given columns."""
    return pd.DataFrame(
        {
            "customer_id": orders["customer_id"].to_numpy(),
            "order_no": orders["order_no"].to_numpy(),
            **columns,
        }
    )


def generate_interactions(
    rng: np.random.Generator,
    orders: pd.DataFrame,
    feedback: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """Touchpoint events of every order and service contact between `start` and `end`, by time."""
    channel = orders["channel"].to_numpy()
    sessions = rng.choice([1, 2, 3], size=len(orders), p=[0.5, 0.3, 0.2])
    sessions = np.where(channel == "store", 1, sessions)
    idx = np.repeat(np.arange(len(orders)), sessions)
    before = rng.exponential(86400.0, len(idx)) + 60
    before = np.where(channel[idx] == "store", rng.uniform(300, 3600, len(idx)), before)
    ordered = orders["ordered_at"].reset_index(drop=True)
    browse_at = ordered.iloc[idx].reset_index(drop=True) - pd.to_timedelta(
        np.round(before), unit="s"
    )
    browse = _events(
        orders.iloc[idx],
        occurred_at=browse_at.array,
        channel=channel[idx],
        touchpoint=[_BROWSE_TOUCHPOINT[c] for c in channel[idx]],
        journey_stage="consideration",
        event_type=np.where(channel[idx] == "store", "store_visit", "browse"),
    )
    placed = _events(orders, occurred_at=orders["ordered_at"].array, channel=channel,
                     touchpoint="checkout", journey_stage="purchase", event_type="order_placed")  # fmt: skip
    cancelled = orders[orders["status"] == "cancelled"]
    cancel = _events(
        cancelled,
        occurred_at=(
            cancelled["ordered_at"]
            + pd.to_timedelta(rng.integers(600, 86400, len(cancelled)), unit="s")
        ).array,
        channel=cancelled["channel"].to_numpy(), touchpoint="checkout", journey_stage="purchase",
        event_type="order_cancelled",
    )  # fmt: skip
    shipped = orders[orders["delivered_at"].notna() & (orders["channel"] != "store")]
    delivered = _events(shipped, occurred_at=shipped["delivered_at"].array, channel="logistics",
                        touchpoint="delivery", journey_stage="delivery", event_type="delivered")  # fmt: skip
    returned = orders[orders["status"] == "returned"]
    base = returned["delivered_at"].where(returned["delivered_at"].notna(), returned["ordered_at"])
    ret = _events(
        returned,
        occurred_at=(
            base + pd.to_timedelta(rng.integers(3600, 7 * 86400, len(returned)), unit="s")
        ).array,
        channel=returned["channel"].to_numpy(), touchpoint="returns", journey_stage="after_sales",
        event_type="return_requested",
    )  # fmt: skip
    contact = feedback[
        feedback["channel"].isin(_SERVICE_CHANNELS) & (feedback["customer_id"] != "")
    ]
    service = pd.DataFrame({
        "customer_id": contact["customer_id"].to_numpy(), "order_no": contact["order_no"].to_numpy(),
        "occurred_at": contact["received_at"].array, "channel": contact["channel"].to_numpy(),
        "touchpoint": "customer_service", "journey_stage": "after_sales",
        "event_type": "service_contact",
    })  # fmt: skip
    surveys = feedback[(feedback["channel"] == "survey") & (feedback["customer_id"] != "")]
    survey = pd.DataFrame({
        "customer_id": surveys["customer_id"].to_numpy(), "order_no": surveys["order_no"].to_numpy(),
        "occurred_at": surveys["received_at"].array, "channel": "survey",
        "touchpoint": "survey", "journey_stage": "feedback", "event_type": "survey_completed",
    })  # fmt: skip
    frame = pd.concat([browse, placed, cancel, delivered, ret, service, survey], ignore_index=True)
    frame["occurred_at"] = (
        pd.to_datetime(frame["occurred_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.floor("s")
    )
    frame = frame[(frame["occurred_at"] >= start) & (frame["occurred_at"] < end)]
    frame = frame.iloc[
        np.lexsort(
            (
                np.arange(len(frame)),
                frame["occurred_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
            )
        )
    ]
    frame = frame.reset_index(drop=True)
    frame["interaction_id"] = [f"IX{i + 1:08d}" for i in range(len(frame))]
    return frame[list(INTERACTION_COLUMNS)]
