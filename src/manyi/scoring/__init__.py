"""Per-customer scores over time (churn risk, CLV, P(alive)) and recommended retention actions."""
