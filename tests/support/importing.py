"""Helpers shared by the import and template tests."""

from __future__ import annotations

from sheets_sync import cli
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.base import GridBackend
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS

# a few agencies keep the sheet small; names chosen so that prefixes and shared core names matter
SUBSET = ("abt-laoyao", "abt-thatum", "tt-li", "province", "tm-lamphun", "pao-lamphun")


def lacks_write_urls(backend) -> bool:
    """A backend without its own write_urls: none at all, or GridBackend's without a book to open
    (the gsheets backend overrides reading and writing instead of providing `_open`)."""
    cls = type(backend)
    if not callable(getattr(cls, "write_urls", None)):
        return True
    return cls.write_urls is GridBackend.write_urls and cls._open is GridBackend._open


def sheet_urls(sheet, agency: str) -> dict[str, str]:
    grid = sheet.grid(TAB_SUBMISSIONS)
    head = [g.text(c) for c in grid[0]]
    a, i, u = (head.index(SUBMISSION_HEADERS[k]) for k in ("agency", "item", "url"))
    return {g.text(r[i]): g.url_cell_text(g.cell(r, u)) for r in grid[1:]
            if g.text(r[a]) == agency and g.url_cell_text(g.cell(r, u))}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--config", "config/settings.yaml", "-q", *args])
    out = capsys.readouterr()
    return code, out.out, out.err
