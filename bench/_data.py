"""Where benchmarks find the real data sets (../shared/data beside the project root)."""

from __future__ import annotations

import sys
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """Return a file of ../shared/data, or exit with a clear reason when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        sys.exit(f"skipped: {path} not found (the real data sets live in ../shared/data)")
    return path
