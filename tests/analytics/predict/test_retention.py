"""Retention actions from the editable rule table, consent always honoured."""

from __future__ import annotations

import pandas as pd
import pytest

from manyi.analytics.predict.retention import DEFAULT_RULES, recommend_actions


def _customers() -> pd.DataFrame:
    """One customer per branch of the default rules."""
    return pd.DataFrame(
        {
            "churn_probability": [0.2, 0.8, 0.7, 0.7, 0.4, 0.6, 0.05],
            "tier": ["low", "vip", "medium", "low", "medium", "low", "high"],
            "open_complaint": ["yes", "no", "no", "no", "no", "no", None],
            "marketing_consent": ["no", "no", "yes", "no", "yes", None, "yes"],
        },
        index=list("abcdefg"),
    )


def test_default_rules():
    out = recommend_actions(_customers())
    assert out["action"].tolist() == [
        "service_recovery",  # open complaint comes first, whatever the risk
        "account_manager_callback",  # VIP at risk: a service call, no consent needed
        "win_back_offer",  # medium tier, high risk, consented
        "service_check_in",  # high risk but no marketing consent: no offer
        "care_message",
        "service_check_in",  # blank consent counts as no consent
        "no_action",
    ]
    assert out.loc["c", "rule"] == "win_back"
    assert "/" in out.loc["c", "action_label"]


def test_marketing_never_without_consent_even_if_rules_say_so():
    rules = pd.DataFrame(
        [("spam", "*", 0, 1.01, "*", "*", "offer", "Offer / 优惠", "yes")],
        columns=DEFAULT_RULES.columns,
    )
    out = recommend_actions(_customers(), rules)
    consented = _customers()["marketing_consent"].eq("yes").to_numpy()
    assert (out["action"][consented] == "offer").all()
    assert (out["action"][~consented] == "no_action").all()


def test_reason_condition_and_editable_table():
    rules = pd.concat(
        [
            pd.DataFrame(
                [
                    (
                        "price",
                        "*",
                        0.5,
                        "*",
                        "MonthlyCharges",
                        "*",
                        "price_review",
                        "Review the price plan / 资费方案复核",
                        "no",
                    )
                ],
                columns=DEFAULT_RULES.columns,
            ),
            DEFAULT_RULES,
        ]
    )
    customers = _customers().assign(reasons=["", "", "monthlycharges=105 (+1.2)", "", "", "", ""])
    out = recommend_actions(customers, rules)
    assert out.loc["c", "action"] == "price_review"
    assert out.loc["b", "action"] == "account_manager_callback"


def test_minimal_table_only_risk():
    out = recommend_actions(pd.DataFrame({"churn_probability": [0.9, 0.1]}))
    assert out["action"].tolist() == ["service_check_in", "no_action"]


@pytest.mark.parametrize(
    ("customers", "rules", "message"),
    [
        (pd.DataFrame({"x": [1]}), None, "churn_probability"),
        (pd.DataFrame({"churn_probability": [1.5]}), None, "row 0"),
        (
            pd.DataFrame({"churn_probability": [0.5]}),
            DEFAULT_RULES.drop(columns="action"),
            "missing",
        ),
        (
            pd.DataFrame({"churn_probability": [0.5]}),
            DEFAULT_RULES.assign(marketing="maybe"),
            "yes, no or",
        ),
        (
            pd.DataFrame({"churn_probability": [0.5]}),
            DEFAULT_RULES.assign(min_risk="high"),
            "not a number",
        ),
    ],
)
def test_bad_input_is_named(customers, rules, message):
    with pytest.raises(ValueError, match=message):
        recommend_actions(customers, rules)
