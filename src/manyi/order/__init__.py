"""manyi.order."""
