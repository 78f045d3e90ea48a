"""A synthetic customer base with demographics, orders and feedback for persona tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# Three planted groups: young urban white-collar online price shoppers, affluent executives
# who praise quality and service, and retirees who prefer stores.
_GROUPS = {
    "young_online": {
        "age": (22, 33),
        "city_tier": [1, 2],
        "income_band": ["medium"],
        "occupation": ["white_collar"],
        "preferred_channel": ["online"],
        "aspects": [("price", 1), ("price", -1), ("logistics", -1)],
        "spend": 40.0,
        "categories": ["electronics", "fashion"],
    },
    "executives": {
        "age": (38, 55),
        "city_tier": [1],
        "income_band": ["high"],
        "occupation": ["executive"],
        "preferred_channel": ["store", "online"],
        "aspects": [("quality", 1), ("service", 1)],
        "spend": 400.0,
        "categories": ["wine", "watches"],
    },
    "retirees": {
        "age": (66, 80),
        "city_tier": [3, 4],
        "income_band": ["low", "medium"],
        "occupation": ["retired"],
        "preferred_channel": ["store"],
        "aspects": [("service", 1), ("packaging", -1)],
        "spend": 60.0,
        "categories": ["groceries", "health"],
    },
}


@pytest.fixture(scope="session")
def synthetic_people() -> dict[str, pd.DataFrame]:
    """The synthetic customer base (built once per session)."""
    return make_synthetic_people()


def make_synthetic_people() -> dict[str, pd.DataFrame]:
    """Customers, order lines and feedback for 3 x 200 customers with planted personas."""
    rng = np.random.default_rng(7)
    customers, orders, feedback = [], [], []
    as_of = pd.Timestamp("2024-06-30")
    for g, (group, spec) in enumerate(_GROUPS.items()):
        for i in range(200):
            cid = f"{group[:3]}{i:04d}"
            age = int(rng.integers(*spec["age"]))
            birthday = as_of - pd.DateOffset(years=age, days=int(rng.integers(1, 360)))
            customers.append(
                {
                    "customer_id": cid,
                    "gender": rng.choice(["F", "M"], p=[0.75, 0.25] if g == 0 else [0.5, 0.5]),
                    "birthday": birthday.date().isoformat(),
                    "city": "Shanghai",
                    "region": "East",
                    "city_tier": int(rng.choice(spec["city_tier"])),
                    "income_band": str(rng.choice(spec["income_band"])),
                    "occupation": str(rng.choice(spec["occupation"])),
                    "preferred_channel": str(rng.choice(spec["preferred_channel"])),
                    "nps": int(rng.integers(0, 11)),
                    "churn_probability": float(rng.uniform(0.05, 0.9 if g == 2 else 0.3)),
                    "group": group,
                }
            )
            for k in range(int(rng.integers(1, 6))):
                orders.append(
                    {
                        "customer_id": cid,
                        "order_id": f"{cid}-{k}",
                        "ordered_at": as_of - pd.Timedelta(days=int(rng.integers(0, 365))),
                        "amount": float(rng.gamma(4, spec["spend"] / 4)),
                        "category": str(rng.choice(spec["categories"])),
                    }
                )
            aspect, sign = spec["aspects"][int(rng.integers(len(spec["aspects"])))]
            feedback.append({"customer_id": cid, "aspect": aspect, "sentiment": 0.8 * sign})
    return {
        "customers": pd.DataFrame(customers),
        "orders": pd.DataFrame(orders),
        "feedback": pd.DataFrame(feedback),
    }
