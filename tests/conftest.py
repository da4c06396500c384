"""Shared test setup. The package is not installed, so make the repository root importable
(for `sheets_sync` and `tests.support`)."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
