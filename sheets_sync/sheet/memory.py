"""An in-memory workbook: the reference backend for tests and for trying the pipeline.

`edits_before_write` lets a test play an agency editing the sheet between the worker's
read and its write (sorting, inserting rows, changing URLs).
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence
from zoneinfo import ZoneInfo

from sheets_sync.core.clock import BANGKOK
from sheets_sync.sheet.base import GridBackend


class MemoryBook:
    def __init__(self) -> None:
        self.sheets: dict[str, list[list[object]]] = {}
        self.notes: dict[tuple[str, int, int], str] = {}

    def tabs(self) -> list[str]:
        return list(self.sheets)

    def add_tab(self, name: str) -> None:
        self.sheets.setdefault(name, [])

    def remove_tab(self, name: str) -> None:
        self.sheets.pop(name, None)
        self.notes = {k: v for k, v in self.notes.items() if k[0] != name}

    def grid(self, tab: str) -> list[list[object]]:
        return [list(r) for r in self.sheets[tab]]

    def set(self, tab: str, row: int, col: int, value: str) -> None:
        rows = self.sheets[tab]
        while len(rows) <= row:
            rows.append([])
        while len(rows[row]) <= col:
            rows[row].append("")
        rows[row][col] = value

    def set_note(self, tab: str, row: int, col: int, note: str, ours: str = "") -> None:
        if note:
            self.notes[(tab, row, col)] = note
        else:
            self.notes.pop((tab, row, col), None)

    def note(self, tab: str, row: int, col: int) -> str:
        return self.notes.get((tab, row, col), "")

    def append(self, tab: str, rows: Sequence[Sequence[str]]) -> None:
        self.sheets[tab].extend([list(r) for r in rows])

    def replace(self, tab: str, rows: Sequence[Sequence[object]]) -> None:
        self.sheets[tab] = [list(r) for r in rows]
        self.notes = {k: v for k, v in self.notes.items() if k[0] != tab}

    def style(self, tab: str, kind: str) -> None:
        pass  # nothing to look at

    # -- helpers for tests playing agencies; notes travel with their row like in a real sheet
    def move_rows(self, tab: str, order: Sequence[int]) -> None:
        """Reorders data rows (1-based row indexes after the header) like a sort would."""
        rows = self.sheets[tab]
        old_to_new = {old: new for new, old in enumerate([0] + list(order))}
        self.sheets[tab] = [rows[0]] + [rows[i] for i in order]
        self.notes = {(t, old_to_new[r] if t == tab else r, c): v for (t, r, c), v in self.notes.items()}

    def insert_row(self, tab: str, at: int, values: Sequence[object]) -> None:
        self.sheets[tab].insert(at, list(values))
        self.notes = {(t, r + 1 if t == tab and r >= at else r, c): v for (t, r, c), v in self.notes.items()}

    def delete_row(self, tab: str, at: int) -> None:
        del self.sheets[tab][at]
        self.notes = {(t, r - 1 if t == tab and r > at else r, c): v
                      for (t, r, c), v in self.notes.items() if not (t == tab and r == at)}


class MemoryBackend(GridBackend):
    def __init__(self, tz: ZoneInfo = BANGKOK) -> None:
        self.tz = tz
        self.book = MemoryBook()
        self.edits_before_write: Callable[[MemoryBook], None] | None = None

    @contextmanager
    def _open(self, write: bool) -> Iterator[MemoryBook]:
        if write and self.edits_before_write:
            hook, self.edits_before_write = self.edits_before_write, None
            hook(self.book)
        # Work on a copy and swap it in at the end: like the xlsx rename, a failed write
        # leaves the book as it was.
        work = copy.deepcopy(self.book)
        yield work
        if write:
            self.book = work
