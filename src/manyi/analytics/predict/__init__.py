"""manyi.analytics.predict: what each customer will do and be worth.

Modules: ``rfm_summary`` (transaction log -> frequency/recency/T/monetary; calibration split),
``bgnbd`` and ``mbgnbd`` (purchase-count models), ``gamma_gamma`` (spend), ``clv`` (discounted
value and tiers), ``calibration`` (holdout check), ``churn`` (labelled churn classifier and
P(alive)-based risk), ``retention`` (rule-based actions), ``inputs`` (recognising file layouts).
"""
