"""manyi.customer."""
