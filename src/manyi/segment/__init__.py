"""Customer segments stored over time: snapshots, memberships, saved definitions."""
