"""manyi.feedback."""
