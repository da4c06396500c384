"""Shared test setup. The package is not installed, so make the repository root importable
(for `sheets_sync` and `tests.support`)."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


import pytest  # noqa: E402

from tests.support.workdir import make_workdir  # noqa: E402


@pytest.fixture
def workdir(tmp_path):
    """A copy of config/ whose workbook lives in tmp_path, with private loopback allowed."""
    return make_workdir(tmp_path)
