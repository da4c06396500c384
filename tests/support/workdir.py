"""A work folder as a user has it: config/ copied, the workbook and data/ beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from openpyxl import load_workbook

from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
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


def keep_agencies(workdir: Path, n: int) -> None:
    """Only the first `n` agencies of the work folder's agencies.yaml: a small, fast sheet."""
    path = workdir / "config" / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["agencies"] = data["agencies"][:n]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def put_urls(book: Path, urls: list[str]) -> None:
    """Types `urls` into the URL column of the first rows of the workbook's submissions tab."""
    wb = load_workbook(book)
    ws = wb[TAB_SUBMISSIONS]
    col = [c.value for c in ws[1]].index(SUBMISSION_HEADERS["url"]) + 1
    for row, url in enumerate(urls, start=2):
        ws.cell(row=row, column=col, value=url)
    wb.save(book)
