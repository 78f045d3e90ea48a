"""manyi.cli."""
