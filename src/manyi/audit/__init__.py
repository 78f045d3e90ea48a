"""manyi.audit."""
