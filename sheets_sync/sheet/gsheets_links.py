"""A URL cell that shows a label and links to the page, as Google Sheets keeps it.

Agencies paste links copied from their web pages ("ดาวน์โหลดเอกสาร" with the link on it), use
Insert link on a label, or let Sheets turn a pasted Drive address into a chip showing the
file's name. The values API gives only the text the cell shows, which holds no web address, so
the row read as `invalid` while the link works for whoever clicks it. The address is in the
cell's data: `hyperlink` (a link on the whole cell), `textFormatRuns` (links on parts of the
text) and `chipRuns` (a chip's `richLinkProperties`). As the xlsx backend does with a
hyperlink's target, a URL cell whose text holds no address is read as the addresses it links
to, one a line; a cell whose text holds an address is read as typed (what the agency sees).

The verdict's `URL ที่ตรวจ` cell of such a URL cell shows the same label over the same links
(`linked_copy`), as in the .xlsx: the sheet's stale rule compares what the two cells show (a
formula cannot read a link), and the bare address there greyed a current verdict as pending on
every run. Both cells are read as their links, so the worker's comparison is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS

# The parts of CellData that carry links, for a field mask.
LINK_FIELDS = "hyperlink,textFormatRuns(startIndex,format(link(uri))),chipRuns(chip(richLinkProperties(uri)))"
_LINK_KEYS = ("hyperlink", "textFormatRuns", "chipRuns")


def carries_links(cell: Mapping[str, Any]) -> bool:
    """Whether the cell's data has any of the parts that carry links."""
    return any(key in cell for key in _LINK_KEYS)


def cell_links(cell: Mapping[str, Any]) -> list[str]:
    """The addresses a cell links to, in order, each once.

    >>> cell_links({"hyperlink": "https://a.go.th/o1", "textFormatRuns": [{"format": {"link": {"uri": "https://a.go.th/o1"}}}]})
    ['https://a.go.th/o1']
    """
    found = [cell.get("hyperlink")]
    found += [(run.get("format") or {}).get("link", {}).get("uri") for run in cell.get("textFormatRuns") or ()]
    found += [(run.get("chip") or {}).get("richLinkProperties", {}).get("uri") for run in cell.get("chipRuns") or ()]
    return list(dict.fromkeys(u.strip() for u in found if isinstance(u, str) and u.strip()))


def shown_or_linked(value: Any, cell: Mapping[str, Any]) -> Any:
    """The URL cell as the worker reads it: `value` (its text), or the addresses it links to
    when that text holds none (a label, a file's name, a chip's "@").

    >>> shown_or_linked("คลิกที่นี่", {"hyperlink": "https://a.go.th/o1"})
    'https://a.go.th/o1'
    >>> shown_or_linked("https://a.go.th/o2", {"hyperlink": "https://a.go.th/o1"})
    'https://a.go.th/o2'
    """
    links = cell_links(cell)
    if not links or "://" in str(value or ""):
        return value
    return "\n".join(links)


def follow_links(grid: list[list[Any]], cells: Mapping[tuple[int, int], Mapping[str, Any]]) -> None:
    """Reads the submissions tab's URL and checked-URL cells in `grid` (from the cells' data,
    `cells` by position) as `shown_or_linked` does, in place."""
    if not grid:
        return
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    linked = {cols[k] for k in ("url", "checked_url") if k in cols}
    for (r, c), cell in cells.items():
        if r and c in linked and r < len(grid) and c < len(grid[r]):
            grid[r][c] = shown_or_linked(grid[r][c], cell)


class LinkedText(str):
    """A cell's text as the worker reads it (its links, `shown_or_linked`) that is written as
    `cell`, the label with its link runs (`linked_copy`); as a str it compares as it reads back."""

    cell: dict[str, Any]

    def __new__(cls, text: str, cell: dict[str, Any]) -> "LinkedText":
        made = super().__new__(cls, text)
        made.cell = cell
        return made


def linked_copy(cell: Mapping[str, Any]) -> dict[str, Any] | None:
    """The CellData that shows what `cell` shows when that is a label over links (its text and
    its runs, where each link starts and ends; a link on the whole cell as one run), else None:
    an address shown is read as typed, and a chip is left out (its label is the file's name,
    which the API does not give).

    >>> linked_copy({"userEnteredValue": {"stringValue": "คลิก"}, "hyperlink": "https://a.go.th/o1"})
    {'userEnteredValue': {'stringValue': 'คลิก'}, 'textFormatRuns': [{'startIndex': 0, 'format': {'link': {'uri': 'https://a.go.th/o1'}}}]}
    """
    label = (cell.get("userEnteredValue") or {}).get("stringValue")
    if not label or "://" in label or cell.get("chipRuns"):
        return None
    runs = [{"startIndex": run.get("startIndex", 0), "format": {"link": {"uri": uri}} if (
                uri := ((run.get("format") or {}).get("link") or {}).get("uri")) else {}}
            for run in cell.get("textFormatRuns") or ()]
    if not any(run["format"] for run in runs):
        if not cell.get("hyperlink"):
            return None
        runs = [{"startIndex": 0, "format": {"link": {"uri": cell["hyperlink"]}}}]
    return {"userEnteredValue": {"stringValue": label}, "textFormatRuns": runs}


def other_links(grid: list[list[Any]], cells: Mapping[tuple[int, int], Mapping[str, Any]]) -> dict[tuple[int, int], str]:
    """(row, column) -> the address a URL cell of the submissions tab links to where the cell shows
    another address (Insert link changed, the text kept): the cell's other reading."""
    if not grid:
        return {}
    url = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=()).get("url")
    out = {}
    for (r, c), cell in cells.items():
        if not r or c != url or r >= len(grid):
            continue
        links = cell_links(cell)
        other = g.other_address(g.cell(grid[r], c), links[0]) if len(links) == 1 else ""
        if other:
            out[(r, c)] = other
    return out
