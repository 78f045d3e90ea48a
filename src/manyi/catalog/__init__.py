"""manyi.catalog."""
