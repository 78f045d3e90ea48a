"""manyi.store."""
