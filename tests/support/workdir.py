"""A work folder as a user has it: config/ copied, the workbook and data/ beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import ROOT


def make_workdir(path: Path) -> Path:
    """`path` with a copy of config/ (private loopback allowed, no checker retries)."""
    shutil.copytree(ROOT / "config", path / "config")
    settings = path / "config" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("allow_private: []", "allow_private: [127.0.0.0/8]")
    text = text.replace("retries: 2 ", "retries: 0 ")
    settings.write_text(text, encoding="utf-8")
    return path
