"""Shared test setup. The package is not installed, so make the repository root importable
(for `sheets_sync` and `tests.support`)."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


import shutil  # noqa: E402

import pytest  # noqa: E402

from tests.support import ROOT  # noqa: E402


@pytest.fixture
def workdir(tmp_path):
    """A copy of config/ whose workbook lives in tmp_path, with private loopback allowed."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    settings = tmp_path / "config" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("allow_private: []", "allow_private: [127.0.0.0/8]")
    text = text.replace("retries: 2 ", "retries: 0 ")
    settings.write_text(text, encoding="utf-8")
    return tmp_path
