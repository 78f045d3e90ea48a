"""manyi.analytics.text."""
