"""manyi.analytics."""
