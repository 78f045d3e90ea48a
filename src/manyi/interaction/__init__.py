"""manyi.interaction."""
