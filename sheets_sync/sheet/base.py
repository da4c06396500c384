"""The backend logic for spreadsheets held as cells in one place (xlsx file, memory).

A subclass supplies `_open()`, a context manager yielding a `Book` loaded fresh from storage
and saved (atomically) when the block ends without error. Reading and writing are separate
sessions, so a write always works on the sheet as it is at write time: rows are found by key
then, and a row whose URL changed since the read gets no verdict.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Callable, Iterator, Mapping, Protocol, Sequence, TypeVar
from zoneinfo import ZoneInfo

from sheets_sync.config.settings import Agency, Catalog, Province
from sheets_sync.core import normalize
from sheets_sync.core.errors import BackendError
from sheets_sync.core.models import RowKey, Status, Summary, Verdict, WriteReport
from sheets_sync.core.reasons import REASONS
from sheets_sync.core.thai import parse_thai_datetime, thai_date, thai_datetime
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.backend import LayoutReport, Snapshot
from sheets_sync.sheet.layout import (
    AGENCY_COLUMNS,
    AGENCY_HEADERS,
    COPY_LABEL,
    MOVED_HEADER,
    STALE_LABEL,
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    TAB_AGENCIES,
    TAB_GUIDE,
    TAB_MOVED,
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
    TABS,
    WORKER_KEYS,
    guide_lines,
    summary_look,
)

T = TypeVar("T")
log = logging.getLogger(__name__)


class Book(Protocol):
    """The few operations on a loaded workbook that the logic needs. Rows and columns are
    0-based; values written are always text."""

    def tabs(self) -> list[str]: ...
    def add_tab(self, name: str) -> None: ...
    def remove_tab(self, name: str) -> None: ...
    def grid(self, tab: str) -> list[list[object]]: ...
    def set(self, tab: str, row: int, col: int, value: str) -> None: ...
    def set_note(self, tab: str, row: int, col: int, note: str,
                 ours: str = "") -> str | None: ...  # a person's note replaced; `ours`: the worker's last note there
    def append(self, tab: str, rows: Sequence[Sequence[str]]) -> None: ...
    def replace(self, tab: str, rows: Sequence[Sequence[object]]) -> None: ...
    def style(self, tab: str, kind: str) -> None: ...


SUMMARY_SIGNATURE = "สรุปผลการตรวจ URL"
SNAPSHOT_SIGNATURE = "รอบที่"  # round snapshots name their round in A1; the summary does not


def _header(book: Book, tab: str) -> list[str]:
    header = getattr(book, "header", None)
    row = header(tab) if header is not None else (book.grid(tab)[:1] or [[]])[0]
    return [g.text(c) for c in row]


def looks_like(role: str, header: list[str]) -> bool:
    """Whether a tab whose first row is `header` is the `role` tab (its canonical title), by its
    header signature: coordinators may rename tabs, never their headers."""
    present = set(header)
    if role == TAB_SUBMISSIONS:
        return {SUBMISSION_HEADERS[k] for k in ("agency", "item", "url")} <= present
    if role == TAB_AGENCIES:
        return ({AGENCY_HEADERS[k] for k in ("code", "name")} <= present
                and SUBMISSION_HEADERS["url"] not in present and SUBMISSION_HEADERS["item"] not in present)
    if role == TAB_SUMMARY:
        first = header[0] if header else ""
        return first.startswith(SUMMARY_SIGNATURE) and SNAPSHOT_SIGNATURE not in first
    return False


# What to do about two tabs that look like one (find_tabs)
_ONE_OF_TWO = ("delete one of them (or clear its header row: a tab is known by its headers here, so renaming it does "
               "not tell them apart), then run again")


def find_tabs(book: Book) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """canonical title -> actual title for the tabs that play a role under another name, and
    the renames found. Two tabs that look like one role stop the run with one line naming both."""
    tabs = book.tabs()
    aliases: dict[str, str] = {}
    renamed: list[tuple[str, str]] = []
    for role in (TAB_SUBMISSIONS, TAB_AGENCIES, TAB_SUMMARY):
        others = [t for t in tabs if t != role and t not in TABS and looks_like(role, _header(book, t))]
        if role in tabs:
            own = _header(book, role)
            if role != TAB_SUMMARY and others and (looks_like(role, own) or any(own)):
                raise BackendError(f"two tabs look like the {role!r} tab: {role!r} and {others[0]!r}; {_ONE_OF_TWO}")
            if any(own) or not others:
                continue  # the tab itself (an empty twin left by an older init yields to the real one)
        if len(others) > 1:
            if role == TAB_SUMMARY:
                continue  # copies of the summary are harmless: init makes a new one
            raise BackendError(f"two tabs look like the {role!r} tab: {others[0]!r} and {others[1]!r}; {_ONE_OF_TWO}")
        if others:
            aliases[role] = others[0]
            renamed.append((role, others[0]))
    return aliases, renamed


class AliasBook:
    """A Book whose tabs are named by their role: a renamed tab answers to its canonical title
    (and an empty twin under that title is hidden)."""

    def __init__(self, book: Book, aliases: dict[str, str]) -> None:
        self._book, self._to = book, aliases
        self._from = {v: k for k, v in aliases.items()}

    def __getattr__(self, name: str):
        method = getattr(self._book, name)
        if not callable(method) or name in ("tabs",):
            return method

        def call(*args, **kw):  # the tab, when there is one, is the first argument
            if args and isinstance(args[0], str):
                args = (self._to.get(args[0], args[0]), *args[1:])
            return method(*args, **kw)
        return call

    def tabs(self) -> list[str]:
        return [self._from.get(t, t) for t in self._book.tabs() if not (t in self._to and t not in self._from)]


class StorageChanged(Exception):
    """The stored workbook changed while a write session worked on it; the session is redone."""


class GridBackend:
    tz: ZoneInfo
    write_attempts = 3
    _renames_told: set

    def _open(self, write: bool) -> AbstractContextManager[Book]:
        raise NotImplementedError

    @contextmanager
    def _session(self, write: bool) -> Iterator[Book]:
        """`_open`, with tabs found by role (find_tabs); each rename is logged once."""
        with self._open(write=write) as raw:
            aliases, renamed = find_tabs(raw)
            told = self.__dict__.setdefault("_renames_told", set())
            for pair in renamed:
                if pair not in told:
                    told.add(pair)
                    log.warning("tab %r was renamed to %r; the worker keeps using it", *pair)
            yield AliasBook(raw, aliases) if aliases else raw

    def _write(self, work: Callable[[Book], T]) -> T:
        """Runs `work` on a fresh copy of the book and saves it; redone if the storage changed."""
        for _ in range(self.write_attempts):
            try:
                with self._session(write=True) as book:
                    return work(book)
            except StorageChanged:
                continue
        raise BackendError("the workbook kept changing while the worker tried to save it; the next run will retry")

    # ------------------------------------------------------------ layout
    def ensure_layout(self, catalog: Catalog, agencies: Sequence[Agency]) -> LayoutReport:
        return self._write(lambda book: self._layout(book, catalog, agencies))

    def _layout(self, book: Book, catalog: Catalog, agencies: Sequence[Agency]) -> LayoutReport:
        created = [t for t in TABS if t not in book.tabs()]
        for tab in created:
            book.add_tab(tab)
        added_agencies, notes = self._merge_agencies(book, agencies, catalog.province)
        known, _ = g.read_agencies(book.grid(TAB_AGENCIES), catalog.province)
        added_rows = self._add_rows(book, catalog, known)
        notes += self._refresh_items(book, catalog)
        guide = [[line] for line in guide_lines(catalog)]
        if TAB_GUIDE in created:
            book.replace(TAB_GUIDE, guide)
        elif TAB_GUIDE in book.tabs() and book.grid(TAB_GUIDE) and g.text(g.cell(book.grid(TAB_GUIDE)[0], 0)) != guide[0][0]:
            # another year's or province's instructions (a workbook moved to the new catalogue)
            book.replace(TAB_GUIDE, guide)
            notes.append(f"tab {TAB_GUIDE!r}: rewritten for the catalogue in force ({guide[0][0]})")
        for tab, kind in ((TAB_SUBMISSIONS, "submissions"), (TAB_AGENCIES, "agencies"), (TAB_GUIDE, "guide")):
            book.style(tab, kind)
        return LayoutReport(created_tabs=tuple(created), added_agencies=tuple(added_agencies), added_rows=added_rows,
                            notes=tuple(notes))

    def _merge_agencies(self, book: Book, agencies: Sequence[Agency], province: Province
                        ) -> tuple[list[str], list[str]]:
        """Adds the agencies the tab lacks. The tab is the coordinators' list: an agency already in it
        is never corrected from agencies.yaml; each difference is reported instead (the notes). Only a
        column this call adds (a newer layout's, e.g. ต้องยืนยัน) is filled for the agencies there."""
        grid = book.grid(TAB_AGENCIES)
        if not grid or not any(g.text(c) for c in grid[0]):
            book.replace(TAB_AGENCIES, [[c.header for c in AGENCY_COLUMNS]])
            grid = book.grid(TAB_AGENCIES)
        added_headers = set(g.missing_columns(grid[0], AGENCY_HEADERS))
        self._add_missing_headers(book, TAB_AGENCIES, grid, AGENCY_HEADERS, ("code", "name"))
        grid = book.grid(TAB_AGENCIES)
        present, _ = g.read_agencies(grid, province)
        by_code = {a.code: a for a in agencies}
        new_keys = [k for k, h in AGENCY_HEADERS.items() if h in added_headers]
        if new_keys and present:
            cols = g.columns(grid[0], AGENCY_HEADERS, TAB_AGENCIES, required=("code",))
            for i, row in enumerate(grid[1:], start=1):
                agency = by_code.get(g.text(g.cell(row, cols["code"])))
                values = g.agency_values(agency) if agency is not None else {}
                for key in new_keys:
                    if values.get(key):
                        book.set(TAB_AGENCIES, i, cols[key], values[key])
        notes = [n for a in present if a.code in by_code for n in g.agency_differences(a, by_code[a.code])]
        codes = {a.code for a in present}
        new = [a for a in agencies if a.code not in codes]
        if new:
            self._append_by_header(book, TAB_AGENCIES, AGENCY_HEADERS, [g.agency_values(a) for a in new])
        return [a.code for a in new], notes

    @staticmethod
    def _refresh_items(book: Book, catalog: Catalog) -> list[str]:
        """Puts the catalogue's round, deadline and title in every row of an item it has (init's
        columns, never the agencies'), and names the rows of items it does not have. A workbook moved
        to a new year's catalogue kept last year's titles and deadlines beside this year's verdicts."""
        grid = book.grid(TAB_SUBMISSIONS)
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=("item",))
        changed, unknown = 0, set()
        for i, row in enumerate(grid[1:], start=1):
            code = normalize.item_code(g.text(g.cell(row, cols["item"])))
            item = catalog.item(code) if code else None
            if item is None:
                if code and g.text(g.cell(row, cols.get("agency"))):
                    unknown.add(code)
                continue
            want = {"round": str(item.round), "deadline": thai_date(catalog.round(item.round).deadline),
                    "item_title": item.title}
            moved = False
            for key, text in want.items():
                if key in cols and g.text(g.cell(row, cols[key])) != text:
                    book.set(TAB_SUBMISSIONS, i, cols[key], text)
                    moved = True
            changed += moved
        notes = []
        if changed:
            notes.append(f"{changed} rows: round, deadline or title set from the catalogue of {catalog.year}")
        if unknown:
            codes = ", ".join(sorted(unknown, key=lambda c: int(c[1:])))
            notes.append(f"rows of items the catalogue of {catalog.year} does not have: {codes} (read as unknown "
                         f"items; delete them, or start this year's workbook: see the README's new year steps)")
        return notes

    def _add_rows(self, book: Book, catalog: Catalog, agencies: Sequence[Agency]) -> int:
        grid = book.grid(TAB_SUBMISSIONS)
        if not grid or not any(g.text(c) for c in grid[0]):
            book.replace(TAB_SUBMISSIONS, [[c.header for c in SUBMISSION_COLUMNS]])
            grid = book.grid(TAB_SUBMISSIONS)
        self._add_missing_headers(book, TAB_SUBMISSIONS, grid, SUBMISSION_HEADERS, ("agency", "item", "url"))
        _, _, index = g.read_submissions(book.grid(TAB_SUBMISSIONS), catalog, {a.code for a in agencies}, self.tz)
        by_code = {a.code: a for a in agencies}
        keys = [k for k in g.planned_keys(catalog, agencies) if k not in index]
        keys.sort(key=g.sort_key)
        layout_keys = [c.key for c in SUBMISSION_COLUMNS]
        self._append_by_header(book, TAB_SUBMISSIONS, SUBMISSION_HEADERS,
                               [dict(zip(layout_keys, g.submission_row(by_code[k.agency], k.item, catalog)))
                                for k in keys])
        return len(keys)

    @staticmethod
    def _add_missing_headers(book: Book, tab: str, grid: g.Grid, wanted: dict[str, str],
                             required: Sequence[str]) -> None:
        """Adds the columns of `wanted` the header row lacks (a newer layout's). Not a `required`
        one in a tab that has rows: its column is there under another name (a renamed header, a
        title row above the header), and an empty twin made every row read as not sent."""
        header = grid[0]
        missing = g.missing_columns(header, wanted)
        lost = [wanted[k] for k in required if wanted[k] in missing]
        if lost and any(any(g.text(c) for c in row) for row in grid[1:]):
            raise BackendError(f"tab {tab!r}: missing column(s) {', '.join(lost)} in a tab with rows; init adds "
                               f"no second one{g.header_hint(header, wanted)}")
        width = len(header)
        while width and not g.text(header[width - 1]):
            width -= 1
        for i, title in enumerate(missing):
            book.set(tab, 0, width + i, title)

    @staticmethod
    def _append_by_header(book: Book, tab: str, wanted: dict[str, str], records: list[dict[str, str]]) -> None:
        if not records:
            return
        cols = g.columns(book.grid(tab)[0], wanted, tab, required=())
        width = max(cols.values()) + 1
        rows = []
        for rec in records:
            row = [""] * width
            for key, value in rec.items():
                if key in cols:
                    row[cols[key]] = value
            rows.append(row)
        book.append(tab, rows)

    # ------------------------------------------------------------ read
    def read(self, catalog: Catalog) -> Snapshot:
        with self._session(write=False) as book:
            missing = [t for t in (TAB_AGENCIES, TAB_SUBMISSIONS) if t not in book.tabs()]
            if missing:
                raise BackendError(f"tab(s) {', '.join(missing)} missing; run `sheets-sync init`")
            agencies, agency_problems = g.read_agencies(book.grid(TAB_AGENCIES), catalog.province)
            links = getattr(book, "links", None)  # books whose cells carry hyperlinks (xlsx)
            rows, problems, _ = g.read_submissions(book.grid(TAB_SUBMISSIONS), catalog,
                                                   {a.code for a in agencies}, self.tz,
                                                   links(TAB_SUBMISSIONS) if links is not None else None)
        return Snapshot(agencies=agencies, rows=rows, problems=agency_problems + problems)

    # ------------------------------------------------------------ write
    def write_results(self, verdicts: Sequence[Verdict]) -> WriteReport:
        if not verdicts:
            return WriteReport()
        return self._write(lambda book: self._write_verdicts(book, verdicts))

    def _write_verdicts(self, book: Book, verdicts: Sequence[Verdict]) -> WriteReport:
        grid = book.grid(TAB_SUBMISSIONS)
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=("agency", "item", "url") + WORKER_KEYS)
        index = g.key_index(grid, cols)
        # Books that can hold what the worker wrote last (xlsx, where people can type anywhere)
        # tell a person's text in a worker cell from the worker's own; that text is kept.
        ledger = getattr(book, "ledger", None)
        last = ledger() if ledger is not None else None
        written, stale, missing, moved, found = 0, [], [], [], []
        judged: set[int] = set()
        spread = getattr(book, "spread", lambda *_: False)  # books with merged cells (xlsx)
        for v in verdicts:
            i = index.get(v.key)
            if i is None:
                missing.append(v.key)
                continue
            now_url = g.url_cell_text(g.cell(grid[i], cols["url"]))
            if now_url != v.url_text:
                stale.append(v.key)
                found.append((v.key, now_url))
                continue
            values = g.worker_values(v, self.tz)
            judged.add(i)
            changed = False
            was_copy = g.text(g.cell(grid[i], cols["status"])) == COPY_LABEL  # its first row was deleted
            for key in WORKER_KEYS:
                now = g.text(g.cell(grid[i], cols[key]))
                if now != values[key]:
                    ours = last.get(v.key.packed()) if last is not None else None
                    if last is not None and now and not (_worker_wrote(key, now, ours)
                                                         or was_copy and _copy_text(key, now, ours)
                                                         or spread(TAB_SUBMISSIONS, i, cols[key])):
                        moved.append((v.key, SUBMISSION_HEADERS[key], now))
                    book.set(TAB_SUBMISSIONS, i, cols[key], values[key])
                    changed = True
            mirror = getattr(book, "mirror_link", None)  # the .xlsx: a URL cell's label over its link
            if mirror is not None:
                mirror(TAB_SUBMISSIONS, i, cols["url"], cols["checked_url"])
            note = g.capped(v.note_th)
            displaced = book.set_note(TAB_SUBMISSIONS, i, cols["url"], note, _last_note(last, v.key))
            if displaced:
                moved.append((v.key, NOTE_COLUMN, displaced))  # a coordinator's note: kept, not lost
            if last is not None:
                last[v.key.packed()] = values | {NOTE_KEY: note}
            written += changed
        _mark_copies(book, grid, cols, moved, judged, last)
        if last is not None:
            if moved:
                when = next((v.checked_at for v in verdicts if v.checked_at), None)
                _keep_moved(book, moved, when.astimezone(self.tz) if when else None)
            book.save_ledger(last)
        return WriteReport(written=written, stale=tuple(stale), missing=tuple(missing), moved=tuple(moved),
                           stale_urls=tuple(found))

    def write_urls(self, urls: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports: key -> (URL text the plan read, new URL text), found by key at write time; a row
        whose URL text is no longer the expected one is left alone (stale). Only URL cells are written."""
        if not urls:
            return WriteReport()
        return self._write(lambda book: self._write_url_cells(book, urls))

    def write_explanations(self, texts: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports: key -> (explanation the plan read, new explanation), by the rule of write_urls."""
        if not texts:
            return WriteReport()
        return self._write(lambda book: self._write_url_cells(book, texts, column="explanation"))

    def _write_url_cells(self, book: Book, urls: Mapping[RowKey, tuple[str, str]],
                         column: str = "url") -> WriteReport:
        """The agency cells of `column` (URL or explanation) by key, each only if it still holds
        the text the plan read."""
        if TAB_SUBMISSIONS not in book.tabs() or not book.grid(TAB_SUBMISSIONS):
            raise BackendError(f"tab {TAB_SUBMISSIONS!r} missing or empty; run `sheets-sync init`")
        grid = book.grid(TAB_SUBMISSIONS)
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=("agency", "item", column))
        index = g.key_index(grid, cols)
        written, stale, missing = 0, [], []
        # books with hyperlinks (xlsx) drop the old target of a replaced URL
        clear_link = getattr(book, "clear_link", None) if column == "url" else None
        for key, (expected, new) in urls.items():
            i = index.get(key)
            if i is None:
                missing.append(key)
                continue
            now = g.url_cell_text(g.cell(grid[i], cols[column]))
            if now != g.url_cell_text(expected):
                stale.append(key)
                continue
            if now == g.url_cell_text(new):
                continue
            book.set(TAB_SUBMISSIONS, i, cols[column], new)
            if clear_link is not None:
                clear_link(TAB_SUBMISSIONS, i, cols[column])
            written += 1
        return WriteReport(written=written, stale=tuple(stale), missing=tuple(missing))

    def write_summary(self, summary: Summary) -> None:
        rows, headers = summary.grid()

        def work(book: Book) -> None:
            if TAB_SUMMARY not in book.tabs():
                book.add_tab(TAB_SUMMARY)
            book.replace(TAB_SUMMARY, rows)
            book.style(TAB_SUMMARY, "summary")
            _format_summary(book, TAB_SUMMARY, summary)
            _add_charts(book, TAB_SUMMARY, summary, headers)

        self._write(work)

    def write_snapshot(self, title: str, build: Callable[[], Summary], *, known_as: Sequence[str] = (),
                       replaces: Sequence[str] = ()) -> bool:
        """Writes `build()` to a new tab `title`, once: returns False, building and writing
        nothing, when a tab named `title` or any of `known_as` already exists (a snapshot is never
        changed); removes the tabs named in `replaces` in the same save."""
        names = {title, *known_as}
        with self._session(write=False) as book:
            if names & set(book.tabs()):
                return False
        summary = build()
        rows, headers = summary.grid()

        def work(book: Book) -> bool:
            if names & set(book.tabs()):
                return False
            book.add_tab(title)
            book.replace(title, rows)
            book.style(title, "summary")
            _format_summary(book, title, summary)
            _add_charts(book, title, summary, headers)
            for gone in set(replaces) & set(book.tabs()):
                book.remove_tab(gone)
            return True

        return self._write(work)


def _mark_copies(book: Book, grid: g.Grid, cols: Mapping[str, int], moved: list, judged: set[int],
                 last: dict | None) -> None:
    """Each copied row (a second row of one key, made by an agency copying its row to add a link)
    gets `grid.copy_values` in place of the verdict and advice copied with it, which the sheet
    showed greyed as pending forever, about another URL. A row marked so that is no copy any more
    (the first row was deleted) and got no verdict now (`judged`: rows written) is cleared until
    its check. Text in its worker cells that the worker does not make is kept in the moved-text
    tab, as on any row (books with a ledger). Not in Google Sheets yet (`marks_copies`): a copy
    shares its key's row metadata there, and cells placed by position need an identity of their
    own to be put right after a sort during the write."""
    if not getattr(book, "marks_copies", True):
        return
    kept = getattr(book, "ledger", None) is not None
    copies = g.copies(grid, cols)
    marked = {i for i, row in enumerate(grid[1:], start=1) if g.text(g.cell(row, cols["status"])) == COPY_LABEL}
    for i in sorted(set(copies) | (marked - judged)):
        row = grid[i]
        if i in copies:
            first, key = copies[i]
            values, note = g.copy_values(g.url_cell_text(g.cell(row, cols["url"])), first + 1, key)
        else:
            key = RowKey(g.text(g.cell(row, cols["agency"])), g.text(g.cell(row, cols["item"])))
            values, note = dict.fromkeys(WORKER_KEYS, ""), ""
        for column in WORKER_KEYS:
            now = g.text(g.cell(row, cols[column]))
            if now == values[column]:
                continue
            if kept and now and not _copy_text(column, now, last.get(key.packed()) if last else None):
                moved.append((key, SUBMISSION_HEADERS[column], now))
            book.set(TAB_SUBMISSIONS, i, cols[column], values[column])
        displaced = book.set_note(TAB_SUBMISSIONS, i, cols["url"], note, _last_note(last, key))
        if displaced:
            moved.append((key, NOTE_COLUMN, displaced))


def _copy_text(column: str, text: str, last: dict | None) -> bool:
    """Whether `text` in a worker cell of a copied row is the worker's: what it wrote on the row
    copied, text only the worker makes there, or the copy's own marking."""
    return (_worker_wrote(column, text, last) or _worker_wrote(column, text, None) or text == COPY_LABEL
            or column == "detail" and text.startswith("another row of "))


def _last_note(last: dict | None, key: RowKey) -> str:
    """The note the worker wrote last on `key`'s URL cell, by the ledger ('' without one)."""
    return str((last or {}).get(key.packed(), {}).get(NOTE_KEY) or "")


def _format_summary(book: Book, tab: str, summary: Summary) -> None:
    """Books that keep formats (xlsx) format a summary tab; the gsheets backend sends the same
    look as requests (gsheets_plan.summary_format_requests)."""
    format_summary = getattr(book, "format_summary", None)
    if format_summary is not None:
        format_summary(tab, summary_look(summary))


def _worker_wrote(column: str, text: str, last: dict | None) -> bool:
    """Whether `text` in a worker cell is the worker's own: what it wrote last time, or (for a
    row written before the worker kept a ledger) text only the worker makes in that column."""
    if last is not None:
        return g.text(last.get(column, "")) == text
    if column == "status":
        return Status.from_label(text) is not None or text == STALE_LABEL
    if column == "reasons":
        return all(code.strip() in REASONS for code in text.split(","))
    if column == "http_status":
        return text.isdigit()
    if column in ("final_url", "checked_url"):
        return "://" in text
    if column in ("checked_at", "first_submitted_at"):
        return parse_thai_datetime(text) is not None
    return True  # free text (detail): cannot tell without the ledger, so it is not taken for a person's


NOTE_KEY = "note"  # the ledger's entry for the URL cell's note, beside the worker columns' keys
NOTE_COLUMN = f"หมายเหตุบนช่อง {SUBMISSION_HEADERS['url']}"  # the moved-text tab's name for a note on the URL cell


def _keep_moved(book: Book, moved: Sequence[tuple[RowKey, str, str]], at: datetime | None) -> None:
    """Appends each kept text to the moved-text tab (created with its header when missing)."""
    if TAB_MOVED not in book.tabs():
        book.add_tab(TAB_MOVED)
        book.replace(TAB_MOVED, [list(MOVED_HEADER)])
    when = thai_datetime(at) if at else ""
    book.append(TAB_MOVED, [[when, key.agency, key.item, header, text] for key, header, text in moved])


def _add_charts(book: Book, tab: str, summary: Summary, headers: Sequence[int]) -> None:
    """Books that can draw charts (xlsx) get one per block that asks for it."""
    add_chart = getattr(book, "add_chart", None)
    if add_chart is None:
        return
    for block, header_row in zip(summary.blocks, headers):
        if block.chart is not None and block.chart.row_count > 0:
            # right of the widest block, so a chart never covers a table and stays out of the print area
            add_chart(tab, block.chart, header_row, max(len(b.header) for b in summary.blocks))
