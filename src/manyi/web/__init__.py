"""manyi.web."""
