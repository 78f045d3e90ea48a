"""manyi.staff."""
