"""manyi.importing."""
