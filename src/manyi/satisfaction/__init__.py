"""Satisfaction metrics (NPS, CSAT, CES) over the feedback store: scores, breakdowns, comparisons, trends."""
