"""manyi.analytics.segments."""
