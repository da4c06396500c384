"""Harnesses that let one behaviour suite drive every backend and play agencies editing the
sheet between the worker's read and its write."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from openpyxl import load_workbook

from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
from sheets_sync.sheet.memory import MemoryBackend, MemoryBook
from sheets_sync.sheet.xlsx import XlsxBackend


class Edits:
    """Agency edits on the submission tab, in terms of a plain grid plus notes that travel with
    their rows. Each harness applies them to its own storage."""

    def __init__(self, grid: list[list[object]], notes: dict[tuple[int, int], str]) -> None:
        self.grid = grid
        self.notes = notes
        self.cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())

    def row_of(self, agency: str, item: str) -> int:
        for i, row in enumerate(self.grid[1:], start=1):
            if g.text(g.cell(row, self.cols["agency"])) == agency and g.text(g.cell(row, self.cols["item"])) == item:
                return i
        raise KeyError((agency, item))

    def set_url(self, agency: str, item: str, text: str) -> None:
        self.set(agency, item, "url", text)

    def set(self, agency: str, item: str, key: str, text: str) -> None:
        """Types `text` in the row's column `key` (a layout key: url, explanation ...)."""
        row = self.grid[self.row_of(agency, item)]
        while len(row) <= self.cols[key]:
            row.append(None)
        row[self.cols[key]] = text

    def reorder(self, order_key: Callable[[list[object]], object], reverse: bool = False) -> None:
        body = list(range(1, len(self.grid)))
        body.sort(key=lambda i: order_key(self.grid[i]), reverse=reverse)
        mapping = {old: new for new, old in enumerate([0] + body)}
        self.grid[:] = [self.grid[0]] + [self.grid[i] for i in body]
        self.notes = {(mapping[r], c): v for (r, c), v in self.notes.items()}

    def insert(self, at: int, values: list[object]) -> None:
        self.grid.insert(at, list(values))
        self.notes = {(r + 1 if r >= at else r, c): v for (r, c), v in self.notes.items()}

    def copy_row(self, at: int, to: int) -> None:
        """Pastes a copy of row `at` (its cells and its URL cell's note, as a copy and paste of a
        whole row brings them) as a new row `to`."""
        notes = {c: v for (r, c), v in self.notes.items() if r == at}
        self.insert(to, self.grid[at][:])
        for c, v in notes.items():
            self.notes[(to, c)] = v

    def delete(self, at: int) -> None:
        del self.grid[at]
        self.notes = {(r - 1 if r > at else r, c): v for (r, c), v in self.notes.items() if r != at}


class MemoryHarness:
    name = "memory"

    def __init__(self, tmp_path: Path) -> None:
        self.backend = MemoryBackend()

    def grid(self, tab: str) -> list[list[object]]:
        return self.backend.book.grid(tab)

    def note(self, tab: str, row: int, col: int) -> str:
        return self.backend.book.note(tab, row, col)

    def tabs(self) -> list[str]:
        return self.backend.book.tabs()

    def edit_now(self, fn: Callable[[Edits], None]) -> None:
        _apply_memory(self.backend.book, fn)

    def edit_before_write(self, fn: Callable[[Edits], None]) -> None:
        self.backend.edits_before_write = lambda book: _apply_memory(book, fn)


def _apply_memory(book: MemoryBook, fn: Callable[[Edits], None]) -> None:
    notes = {(r, c): v for (t, r, c), v in book.notes.items() if t == TAB_SUBMISSIONS}
    edits = Edits(book.grid(TAB_SUBMISSIONS), notes)
    fn(edits)
    book.sheets[TAB_SUBMISSIONS] = edits.grid
    book.notes = {k: v for k, v in book.notes.items() if k[0] != TAB_SUBMISSIONS}
    book.notes.update({(TAB_SUBMISSIONS, r, c): v for (r, c), v in edits.notes.items()})


class XlsxHarness:
    name = "xlsx"

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "book.xlsx"
        self.backend = XlsxBackend(self.path)
        self._pending: Callable[[Edits], None] | None = None
        harness = self
        original = self.backend._open

        # Agencies save the file between the worker's read and its write: apply the edit
        # just before the first write session opens the file.
        def opening(write: bool):
            if write and harness._pending:
                fn, harness._pending = harness._pending, None
                harness.edit_now(fn)
            return original(write)

        self.backend._open = opening

    def _wb(self):
        # Tests read many cells; load the file once per version of it.
        st = self.path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if getattr(self, "_cached", (None,))[0] != stamp:
            self._cached = (stamp, load_workbook(self.path))
        return self._cached[1]

    def _ws(self, tab: str):
        return self._wb()[tab]

    def grid(self, tab: str) -> list[list[object]]:
        return [[c.value for c in row] for row in self._ws(tab).iter_rows()]

    def note(self, tab: str, row: int, col: int) -> str:
        comment = self._ws(tab).cell(row=row + 1, column=col + 1).comment
        return comment.text if comment else ""

    def tabs(self) -> list[str]:
        return self._wb().sheetnames

    def edit_now(self, fn: Callable[[Edits], None]) -> None:
        from openpyxl.comments import Comment

        wb = load_workbook(self.path)
        ws = wb[TAB_SUBMISSIONS]
        grid = [[c.value for c in row] for row in ws.iter_rows()]
        notes = {(c.row - 1, c.column - 1): (c.comment.text, c.comment.author)
                 for row in ws.iter_rows() for c in row if c.comment}
        edits = Edits(grid, {k: v[0] for k, v in notes.items()})
        fn(edits)
        authors = {v[0]: v[1] for v in notes.values()}
        width = max(len(r) for r in edits.grid)
        ws.delete_rows(1, ws.max_row + 1)
        for r, row in enumerate(edits.grid, start=1):
            for c in range(width):
                cell = ws.cell(row=r, column=c + 1)
                cell.value = row[c] if c < len(row) else None
                cell.comment = None
        for (r, c), text in edits.notes.items():
            ws.cell(row=r + 1, column=c + 1).comment = Comment(text, authors.get(text, "agency"))
        wb.save(self.path)

    def edit_before_write(self, fn: Callable[[Edits], None]) -> None:
        self._pending = fn

    def link_now(self, agency: str, item: str, label: str, uris: list[str], chip: bool = False) -> None:
        """The URL cell shows `label` with a hyperlink to `uris[0]` (an xlsx cell holds one link;
        no chips)."""
        wb = load_workbook(self.path)
        ws = wb[TAB_SUBMISSIONS]
        edits = Edits([[c.value for c in row] for row in ws.iter_rows()], {})
        cell = ws.cell(row=edits.row_of(agency, item) + 1, column=edits.cols["url"] + 1)
        cell.value, cell.hyperlink = label, uris[0]
        wb.save(self.path)


class GSheetsHarness:
    """The gsheets backend with the real gspread and google-auth, against the local Sheets API
    fake (one per test process); each harness has its own spreadsheet and service account."""

    name = "gsheets"

    def __init__(self, tmp_path: Path, fake=None) -> None:
        from sheets_sync.sheet.gsheets import GSheetsBackend
        from sheets_sync.sheet.gsheets_http import RetryPolicy
        from tests.support.fake_sheets import shared_fake, write_credentials

        self.fake = fake or shared_fake()
        self.creds = write_credentials(tmp_path, self.fake)
        self.sid = self.fake.create_spreadsheet(shared_with=[self.creds.email])
        self.backend = GSheetsBackend(self.sid, str(self.creds.path), api_endpoint=self.fake.url,
                                      coordinators=("coordinator@example.org",),
                                      policy=RetryPolicy(max_attempts=3, base=0.01, cap=0.05, max_total_s=2),
                                      timeout=10)

    def _sheet(self, tab: str):
        # gsheets holds notes and checked-at-only times until the summary (one write less per
        # sync); suites that write results without a summary look after flushing them
        self.backend.flush()
        if tab == TAB_SUBMISSIONS:
            return submissions_sheet(self.fake, self.sid)
        return self.fake.sheet(self.sid, tab)

    def grid(self, tab: str) -> list[list[object]]:
        return self._sheet(tab).grid()

    def note(self, tab: str, row: int, col: int) -> str:
        return (self._sheet(tab).cell(row, col) or {}).get("note", "")

    def tabs(self) -> list[str]:
        return [s.title for s in sorted(self.fake.spreadsheet(self.sid).sheets, key=lambda s: s.index)]

    def edit_now(self, fn: Callable[[Edits], None]) -> None:
        apply_to_fake(self.fake, self.sid, fn)

    def link_now(self, agency: str, item: str, label: str, uris: list[str], chip: bool = False) -> None:
        """The URL cell shows `label` with links, as Sheets keeps them: one link on the whole
        text also sets `hyperlink`; several sit on parts of it (a paste from a web page); with
        `chip`, each is a link chip (a Drive file shown by its name; "@" in the text)."""
        with self.fake.lock:
            sheet = submissions_sheet(self.fake, self.sid)
            edits = Edits(sheet.grid(), {})
            r, c = edits.row_of(agency, item), edits.cols["url"]
            while len(sheet.rows[r]) <= c:
                sheet.rows[r].append(None)
            if chip:
                cell = {"userEnteredValue": {"stringValue": "@" * len(uris)},
                        "chipRuns": [{"startIndex": i, "chip": {"richLinkProperties": {"uri": u}}}
                                     for i, u in enumerate(uris)]}
            else:
                step = max(1, len(label) // len(uris))
                cell = {"userEnteredValue": {"stringValue": label},
                        "textFormatRuns": [{"startIndex": i * step, "format": {"link": {"uri": u}}}
                                           for i, u in enumerate(uris)]}
                if len(uris) == 1:
                    cell["hyperlink"] = uris[0]
            sheet.rows[r][c] = cell

    def edit_before_write(self, fn: Callable[[Edits], None]) -> None:
        # between the worker's read and its write: just before its write-time read of the tab
        # (the only spreadsheets.get asking for cell data; the read asks for tab properties)
        self.fake.before_next(lambda seen: is_write_time_read(seen, self.sid),
                              lambda fake: apply_to_fake(fake, self.sid, fn))


def is_write_time_read(seen, sid: str) -> bool:
    """The gsheets backend's write-time read: the spreadsheets.get whose field mask asks for
    cells with their row metadata (the read's look at a URL column's links asks for no metadata)."""
    return seen.op == "spreadsheets.get" and sid in seen.path and "rowMetadata" in seen.query.get("fields", [""])[0]


def submissions_sheet(fake, sid: str):
    """The submissions tab of the fake, whatever its title now (coordinators may rename it):
    by title, else the tab whose header row has the agency, item and URL headers."""
    ss = fake.spreadsheet(sid)
    for sheet in ss.sheets:
        if sheet.title == TAB_SUBMISSIONS:
            return sheet
    wanted = {SUBMISSION_HEADERS[k] for k in ("agency", "item", "url")}
    for sheet in ss.sheets:
        header = sheet.grid()[:1]
        if header and wanted <= {g.text(c) for c in header[0]}:
            return sheet
    raise KeyError(TAB_SUBMISSIONS)


def apply_to_fake(fake, sid: str, fn: Callable[[Edits], None]) -> None:
    """Agencies editing the submissions tab in the fake: cells keep their identity (format,
    untouched values) and rows keep their developer metadata when rows move, as in Sheets;
    changed or new cells are typed like in the Sheets UI."""
    from tests.support.fake_sheets_meta import remap_rows
    from tests.support.fake_sheets_model import rendered, user_entered

    with fake.lock:
        sheet = submissions_sheet(fake, sid)
        grid = sheet.grid()
        originals = {id(row): list(sheet.rows[r]) if r < len(sheet.rows) else [] for r, row in enumerate(grid)}
        old_index = {id(row): r for r, row in enumerate(grid)}
        alive = list(grid)  # rows the edit deletes stay alive, so no new row can reuse their id()
        edits = Edits(grid, sheet.notes())
        fn(edits)
        rows = []
        for row in edits.grid:
            cells = [dict(c) if c else {} for c in originals.get(id(row), [])]
            for c, value in enumerate(row):
                while len(cells) <= c:
                    cells.append({})
                old = rendered(cells[c].get("userEnteredValue"), "FORMULA") if cells[c].get("userEnteredValue") else None
                if value != old:
                    uev = user_entered(value, parse=True)
                    if uev:
                        cells[c]["userEnteredValue"] = uev
                    else:
                        cells[c].pop("userEnteredValue", None)
                cells[c].pop("note", None)
            rows.append(cells)
        for (r, c), text in edits.notes.items():
            while len(rows[r]) <= c:
                rows[r].append({})
            rows[r][c]["note"] = text
        old_of_new = [old_index.get(id(row)) for row in edits.grid]
        tail = max(sheet.row_count, len(rows))
        old_of_new += [r - len(rows) + len(grid) for r in range(len(rows), tail)]
        remap_rows(sheet, old_of_new)
        del alive
        sheet.rows = [[c or None for c in row] for row in rows]
        sheet.row_count = max(sheet.row_count, len(rows))


HARNESSES = {"memory": MemoryHarness, "xlsx": XlsxHarness, "gsheets": GSheetsHarness}
