"""The embedded default backend: a local .xlsx workbook, through openpyxl.

Every session loads the file fresh and saves it to a temporary file that replaces the
original with one rename, so a crash or a kill never leaves half a workbook. If the file
changed on disk while we worked (a coordinator saved it), the work is redone on the new
file instead of overwriting it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import struct
import time
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, Rule
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from sheets_sync.core.cellsafe import as_text_cell, xlsx_value
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.errors import BackendError
from sheets_sync.core.files import atomic_write
from sheets_sync.core.models import Status, SummaryChart
from sheets_sync.sheet.base import GridBackend, StorageChanged
from sheets_sync.sheet.grid import fill_merges, other_address, stale_formula
from sheets_sync.sheet.layout import (
    AGENCY_COLUMNS,
    AGENCY_KEYS,
    STALE_COLOUR,
    STALE_LABEL,
    STATUS_COLOURS,
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    SUMMARY_FROZEN_ROWS,
    TABS,
    SummaryLook,
)

log = logging.getLogger(__name__)

NOTE_AUTHOR = "sheets-sync"
LEDGER_TAB = "_sheets_sync"  # very hidden: what the worker last wrote in each row's worker cells
# An unreadable workbook changed this recently is taken as still being written or copied (a copy
# over it paused on a slow disk, a share, scp), not as damaged: the next run reads it again.
RECENT_WRITE_S = 120


class XlsxBook:
    def __init__(self, wb: Workbook) -> None:
        self.wb = wb

    def tabs(self) -> list[str]:
        return [t for t in self.wb.sheetnames if t != LEDGER_TAB]

    def ledger(self) -> dict[str, dict[str, str]]:
        """key "agency|item" -> the worker cells it wrote last (GridBackend tells typed text by it)."""
        if LEDGER_TAB not in self.wb.sheetnames:
            return {}
        out = {}
        for key, text in self.wb[LEDGER_TAB].iter_rows(min_row=1, max_col=2, values_only=True):
            try:
                out[str(key)] = json.loads(text)
            except (TypeError, ValueError):
                continue
        return out

    def save_ledger(self, ledger: dict[str, dict[str, str]]) -> None:
        if LEDGER_TAB in self.wb.sheetnames:
            self.wb.remove(self.wb[LEDGER_TAB])
        ws = self.wb.create_sheet(LEDGER_TAB)
        ws.sheet_state = "veryHidden"
        for key in sorted(ledger):
            ws.append([key, json.dumps(ledger[key], ensure_ascii=False)])
        for row in ws.iter_rows():
            for c in row:
                c.data_type = "s"

    def add_tab(self, name: str) -> None:
        self.wb.create_sheet(name, index=min(TABS.index(name) if name in TABS else len(self.wb.sheetnames),
                                             len(self.wb.sheetnames)))

    def remove_tab(self, name: str) -> None:
        self.wb.remove(self.wb[name])

    def grid(self, tab: str) -> list[list[object]]:
        """The tab's values by row, up to its last cell with a value; a row is as long as its last
        cell. Only the cells the sheet holds are looked at: `ws.iter_rows()` makes a cell for every
        coordinate up to `max_row`, and one stray character typed in row 1,048,576 (Ctrl+Down in
        the URL column) took a sync to 5.5 GB and 8 minutes, past the service's memory limit."""
        ws = self.wb[tab]
        cells = {}
        for (r, c), cell in ws._cells.items():  # noqa: SLF001 - openpyxl's own store of the cells that exist
            value = as_shown(cell.value)
            # A hyperlink cell showing a label ("ข้อ 1") carries the URL in its target.
            link = getattr(cell, "hyperlink", None)
            if link is not None and link.target and "://" not in str(value or ""):
                value = link.target
            if value is not None:
                cells[(r, c)] = value
        height = max((r for r, _ in cells), default=0)
        out: list[list[object]] = [[] for _ in range(height)]
        for (r, c), value in cells.items():
            row = out[r - 1]
            if len(row) < c:
                row.extend([None] * (c - len(row)))
            row[c - 1] = value
        fill_merges(out, ((m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges))
        return out

    def links(self, tab: str) -> dict[tuple[int, int], str]:
        """(row, column), 0-based -> the hyperlink target of each cell that shows another address
        (`grid` reads what it shows; the target is its other reading, SubmissionRow.link)."""
        out = {}
        for (r, c), cell in self.wb[tab]._cells.items():  # noqa: SLF001 - see grid
            link = getattr(cell, "hyperlink", None)
            other = other_address(as_shown(cell.value), str(link.target) if link is not None and link.target else "")
            if other:
                out[(r - 1, c - 1)] = other
        return out

    def header(self, tab: str) -> list[object]:
        """The first row only (tabs are recognised by it; reading whole tabs for that is slow)."""
        for row in self.wb[tab].iter_rows(min_row=1, max_row=1, values_only=True):
            return list(row)
        return []

    def _cell(self, tab: str, row: int, col: int):
        """The cell to write at (`row`, `col`), 0-based. One inside a merged range (a coordinator
        merged status cells for looks, an agency two URL cells) cannot take a value, and would
        show one row's verdict for all: the range is unmerged first, each of its cells keeping
        the value it showed (the write failed, and no row's verdict was written)."""
        ws = self.wb[tab]
        c = ws.cell(row=row + 1, column=col + 1)
        around = [m for m in ws.merged_cells.ranges if c.coordinate in m]  # nearly always none
        for merged in around:
            log.warning("tab %s: unmerging %s to write row %d's cell", tab, merged.coord, row + 1)
            shown = ws.cell(row=merged.min_row, column=merged.min_col).value
            cells = list(merged.cells)
            ws.unmerge_cells(merged.coord)
            for r, k in cells:
                ws.cell(row=r, column=k).value = shown
                if (r, k) != (merged.min_row, merged.min_col):
                    self.__dict__.setdefault("_spread", set()).add((tab, r - 1, k - 1))
        return ws.cell(row=row + 1, column=col + 1) if around else c

    def spread(self, tab: str, row: int, col: int) -> bool:
        """Whether the cell shows the value of a merged range it is not the first cell of (or was
        given it when the range was unmerged to write): the text is the range's, nobody typed it
        there, so it is not kept as a person's text (it was filed in the moved-text tab)."""
        if (tab, row, col) in self.__dict__.get("_spread", ()):
            return True
        ws = self.wb[tab]
        coordinate = ws.cell(row=row + 1, column=col + 1).coordinate
        return any(coordinate in m and (m.min_row, m.min_col) != (row + 1, col + 1) for m in ws.merged_cells.ranges)

    def set(self, tab: str, row: int, col: int, value: str) -> None:
        # openpyxl turns any text starting with "=" into a formula; the worker writes text only.
        as_text_cell(self._cell(tab, row, col), value)

    def set_note(self, tab: str, row: int, col: int, note: str, ours: str = "") -> str | None:
        """Writes the worker's note on a cell (clears it for ""), and returns the text of a
        person's note it replaced, for the caller to keep: a coordinator's note on a URL cell
        was lost the first time the row needed a note of the worker's. A note is the worker's by
        its author, or by being `ours` (the note the ledger says the worker wrote there last):
        LibreOffice saves every note's author as " ", and a fixed row kept its old advice."""
        c = self._cell(tab, row, col)
        displaced = None
        mine = c.comment is not None and (c.comment.author == NOTE_AUTHOR
                                          or bool(ours) and (c.comment.text or "").strip() == ours.strip())
        if note:
            if c.comment is None or c.comment.text != note:
                if c.comment is not None and not mine and (c.comment.text or "").strip():
                    displaced = c.comment.text.strip()
                comment = Comment(note, NOTE_AUTHOR)
                comment.width, comment.height = 420, 140
                c.comment = comment
        elif mine:
            c.comment = None  # only our own notes are cleared; a coordinator's stays
        return displaced

    def mirror_link(self, tab: str, row: int, shown: int, mirror: int) -> None:
        """Makes cell `mirror` show what cell `shown` shows when that is a label over a link
        ("ดาวน์โหลดเอกสาร" linking to the PDF): the same label over the same link. The sheet's
        stale rule compares what the URL cell and the checked-URL cell show; with the address
        in one and the label in the other, a current verdict showed as pending forever. Both
        cells still read as the address (`grid`). Otherwise a link left from before is taken off."""
        src, dst = self._cell(tab, row, shown), self._cell(tab, row, mirror)
        link = getattr(src, "hyperlink", None)
        label = src.value
        if link is None or not link.target or label is None or "://" in str(label):
            if dst.hyperlink is not None:
                dst.hyperlink = None
            return
        if dst.value != label or dst.hyperlink is None or dst.hyperlink.target != link.target:
            as_text_cell(dst, str(label))
            dst.hyperlink = link.target

    def clear_link(self, tab: str, row: int, col: int) -> None:
        """Drops a hyperlink whose target would still point at the old URL after an import."""
        self._cell(tab, row, col).hyperlink = None

    def append(self, tab: str, rows: Sequence[Sequence[str]]) -> None:
        ws = self.wb[tab]
        start = last_row(ws) + 1
        if rows and start - 1 + len(rows) > EXCEL_ROWS:
            raise BackendError(f"tab {tab!r} has text in row {start - 1}, the last row Excel has, so no row can be "
                               f"added below it: clear that cell (Ctrl+End finds it) and run again")
        for r, row in enumerate(rows):
            for col, value in enumerate(row):
                if value != "":
                    self.set(tab, start - 1 + r, col, value)

    def replace(self, tab: str, rows: Sequence[Sequence[object]]) -> None:
        index = self.wb.sheetnames.index(tab)
        self.wb.remove(self.wb[tab])
        ws = self.wb.create_sheet(tab, index)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    xlsx_value(ws.cell(row=r, column=c), value)

    def style(self, tab: str, kind: str) -> None:
        ws = self.wb[tab]
        if kind == "submissions":
            _table_style(ws, SUBMISSION_COLUMNS)
            _status_colours(ws, [c.key for c in SUBMISSION_COLUMNS].index("status"))
            _protect(ws, {SUBMISSION_HEADERS[k] for k in AGENCY_KEYS})
        elif kind == "agencies":
            _table_style(ws, AGENCY_COLUMNS)
        elif kind == "guide":
            ws.column_dimensions["A"].width = 110
            ws["A1"].font = Font(bold=True, size=13)

    def format_summary(self, tab: str, look: SummaryLook) -> None:
        """The summary tab as its picture in the README: title and block titles bold, block header
        rows filled and wrapped, the title lines frozen, widths from the content, one decimal for
        percentages, and printable: the used area as print area, A4 landscape, fit to one page wide."""
        ws = self.wb[tab]
        ws["A1"].font = Font(bold=True, size=14)
        for r in range(1, look.heading_rows):
            ws.cell(row=r + 1, column=1).font = Font(color="404040")
        for r in look.title_rows:
            ws.cell(row=r + 1, column=1).font = Font(bold=True, size=12, color="1F4E79")
        header_fill = PatternFill("solid", fgColor="DDEBF7")
        for r, width in look.header_rows:
            ws.row_dimensions[r + 1].height = 45
            for c in range(1, width + 1):
                cell = ws.cell(row=r + 1, column=c)
                cell.font = Font(bold=True)
                cell.fill = header_fill
                cell.alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)
        for row in ws.iter_rows(min_row=look.heading_rows + 1):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
        for c, w in enumerate(look.widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w
        ws.freeze_panes = f"A{SUMMARY_FROZEN_ROWS + 1}"
        ws.print_area = f"A1:{get_column_letter(look.last_col)}{look.last_row}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"1:{SUMMARY_FROZEN_ROWS}"
        _protect(ws, set())  # the worker rewrites it every run: typing there would be lost

    def add_chart(self, tab: str, chart: SummaryChart, header_row: int, width: int) -> None:
        """A native bar chart over a summary block's cells, to the right of the block."""
        add_summary_chart(self.wb[tab], chart, header_row, width)


# OOXML's escape for a character XML cannot hold, which openpyxl hands over as stored: Excel and
# LibreOffice save a carriage return in a cell (two links pasted with Windows line breaks, text
# from a form or another program) as "_x000D_". The link before it was checked as
# "…/o1_x000D_", a 404 for a page that opens. Read as the cell shows it: a CR before a line
# break is that line break, any other control character one (CLEAN drops both in the sheet's
# stale rule, and a line break is what the collector splits links on and what openpyxl can
# write back into the checked-URL cell, where a control character is refused and a bare CR
# is read back as a line feed). Only controls: "_x0041_" may be part of a file's name.
_CR_BEFORE_LF = re.compile(r"(?:_x000[dD]_|\r)(?=\n)")
_CONTROL = re.compile(r"_x00[01][0-9a-fA-F]_|\r")


def as_shown(value: object) -> object:
    r"""A cell's value with the control characters Excel escaped read as it shows them.

    >>> as_shown("https://a.go.th/o1_x000D_\nhttps://a.go.th/o2"), as_shown("a_x000D_"), as_shown("t_x0009_b")
    ('https://a.go.th/o1\nhttps://a.go.th/o2', 'a\n', 't\tb')
    """
    if not isinstance(value, str) or "_x00" not in value and "\r" not in value:
        return value
    return _CONTROL.sub(lambda m: "\t" if m.group().lower() == "_x0009_" else "\n", _CR_BEFORE_LF.sub("", value))


def add_summary_chart(ws: Worksheet, spec: SummaryChart, header_row: int, width: int) -> None:
    """`header_row` is the block's 0-based header row; the chart reads the cells below it."""
    from openpyxl.chart import BarChart, Reference

    top = header_row + 1  # 1-based header row
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title or None
    if spec.y_max is not None:
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = spec.y_max
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    for col in spec.series_columns:
        data = Reference(ws, min_col=col + 1, min_row=top, max_row=top + spec.row_count)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=spec.category_column + 1, min_row=top + 1, max_row=top + spec.row_count))
    chart.width, chart.height = 20, 9
    ws.add_chart(chart, f"{get_column_letter(width + 2)}{max(top - 1, 1)}")


def _table_style(ws: Worksheet, columns) -> None:
    header = {str(c.value).strip(): c.column for c in ws[1] if c.value is not None}
    for col in columns:
        if col.header in header:
            letter = get_column_letter(header[col.header])
            ws.column_dimensions[letter].width = col.width
            cell = ws[f"{letter}1"]
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    if ws.tables:
        # A coordinator made the tab an Excel table (Insert > Table): the table filters, a sheet
        # filter over it is damage Excel repairs on opening, and rows the worker appended (a new
        # agency's) fell outside it. The table grows to the last row; its columns stay its own.
        ws.auto_filter.ref = None
        for table in ws.tables.values():
            first, last = table.ref.split(":")
            start_col, start_row = coordinate_from_string(first)
            end_col, end_row = coordinate_from_string(last)
            if start_row == 1 and end_row < ws.max_row:
                table.ref = f"{start_col}1:{end_col}{ws.max_row}"
                if table.autoFilter is not None:
                    table.autoFilter.ref = table.ref
        return
    ws.auto_filter.ref = ws.dimensions


EXCEL_ROWS = 1_048_576


def last_row(ws: Worksheet, columns: set[int] | None = None) -> int:
    """The last row (1-based; 0 for none) with a value, in `columns` (1-based) if given. From the
    cells the sheet holds: `ws.max_row` also counts cells that were only formatted or cleared."""
    return max((r for (r, c), cell in ws._cells.items()  # noqa: SLF001 - see XlsxBook.grid
                if cell.value is not None and (columns is None or c in columns)), default=0)


def _protect(ws: Worksheet, open_headers: set[str]) -> None:
    """Excel's "Protect Sheet" without a password: the worker's cells are locked, the columns
    agencies type in (layout.AGENCY_KEYS) are unlocked; filtering, sorting and resizing stay
    allowed. It stops slips, not people: Review > Unprotect Sheet needs no password."""
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if not open_headers:
        return
    header = [str(c.value or "").strip() for c in ws[1]]
    # Down to the last row with a key: a stray character typed far below (row 1,048,576) made a
    # cell for every row in between, gigabytes on every run.
    keys = {i for i, title in enumerate(header, start=1) if title in (SUBMISSION_HEADERS["agency"], SUBMISSION_HEADERS["item"])}
    bottom = max(last_row(ws, keys) if keys else ws.max_row, 2)
    for i, title in enumerate(header, start=1):
        if title in open_headers:
            for (cell,) in ws.iter_rows(min_row=2, max_row=bottom, min_col=i, max_col=i):
                cell.protection = Protection(locked=False)


def _status_colours(ws: Worksheet, layout_index: int) -> None:
    from openpyxl.formatting.formatting import ConditionalFormattingList

    header = [str(c.value or "").strip() for c in ws[1]]
    title = SUBMISSION_COLUMNS[layout_index].header
    if title not in header:
        return
    letter = get_column_letter(header.index(title) + 1)
    ws.conditional_formatting = ConditionalFormattingList()  # rebuilt, never duplicated
    cells = f"{letter}2:{letter}{max(ws.max_row, 2)}"
    if SUBMISSION_HEADERS["url"] in header and SUBMISSION_HEADERS["checked_url"] in header:
        # First and stopping: a status whose URL was edited since its check is grey, struck
        # through, and its text shows as STALE_LABEL (a number format's text section), so
        # Excel and LibreOffice never show a stale verdict as current, without the worker.
        url = get_column_letter(header.index(SUBMISSION_HEADERS["url"]) + 1)
        checked = get_column_letter(header.index(SUBMISSION_HEADERS["checked_url"]) + 1)
        style = DifferentialStyle(font=Font(strike=True, color="616161"),
                                  fill=PatternFill("solid", fgColor=STALE_COLOUR, bgColor=STALE_COLOUR),
                                  numFmt=NumberFormat(numFmtId=200, formatCode=f';;;"{STALE_LABEL}"'))
        ws.conditional_formatting.add(cells, Rule(type="expression", dxf=style, stopIfTrue=True,
                                                  formula=[stale_formula(url, checked, formulas="_xlfn.")]))
    for status in Status:
        fill = PatternFill("solid", fgColor=STATUS_COLOURS[status.value], bgColor=STATUS_COLOURS[status.value])
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{status.label_th}"'], fill=fill))


class XlsxBackend(GridBackend):
    """Backend over one .xlsx file."""

    def __init__(self, path: str | os.PathLike, tz: ZoneInfo = BANGKOK) -> None:
        self.path = Path(path)
        self.tz = tz

    def read(self, catalog):
        for other in other_format_beside(self.path):
            log.warning("%s was saved after the workbook %s: the worker reads only the .xlsx, so what was typed "
                        "there is not checked; open it and save it as %s (Excel Workbook)", other, self.path,
                        self.path.name)
        return super().read(catalog)

    def version(self):
        """What changes whenever the file is saved (by anyone): the watch reads the workbook only when
        it differs from the last pass's (a stat instead of loading 2,537 rows every minute)."""
        return _stamp(self.path)

    @contextmanager
    def _open(self, write: bool) -> Iterator[XlsxBook]:
        before = _stamp(self.path)
        if before is None:
            if not write:
                # A relative path is the working directory's: run from elsewhere, "run init" made a
                # second, empty workbook there. Both are named, so the mistake shows.
                where = "" if self.path.is_absolute() else f" (relative to the working directory {Path.cwd()})"
                raise BackendError(f"workbook {self.path.absolute()} not found{where}; run `sheets-sync init` to "
                                   f"create it, or run from the folder the settings' paths are relative to")
            wb = Workbook()
            wb.remove(wb.active)
        else:
            wb = _load(self.path)
        yield XlsxBook(wb)
        if write:
            self._save(wb, before)

    def _save(self, wb: Workbook, before) -> None:
        def unchanged_since_load() -> None:
            if _stamp(self.path) != before:
                raise StorageChanged(str(self.path))

        try:
            atomic_write(self.path, wb.save, before_replace=unchanged_since_load)
        except OSError as e:
            raise BackendError(f"cannot save workbook {self.path}: {e.strerror or e}") from None


def _stamp(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _load(path: Path) -> Workbook:
    """The workbook, or one BackendError line. A file replaced in place while it is read (a
    copy over it, a sync client) breaks the zip under openpyxl in many ways (EOFError,
    BadZipFile, zlib.error ...): when the file changed during the read it is read once more,
    and if that fails too the message says it was being replaced. A copy paused for the whole read
    leaves a short zip that does not change while it is read: unreadable and changed within
    RECENT_WRITE_S, it is being written or copied, and the advice to move it away and run init
    (which replaced a workbook that was only being copied with an empty one) is kept for a file
    that has been unreadable for longer."""
    first = _stamp(path)
    for attempt in (1, 2):
        before = _stamp(path)
        try:
            return load_workbook(path)
        except OSError as e:  # before the zip errors: BadZipFile is not one, EOFError neither
            if isinstance(e, FileNotFoundError) and attempt == 1 and before is not None:
                continue  # renamed away and back (an editor's save) just as we opened it
            raise BackendError(f"cannot open workbook {path}: {e.strerror or e}") from None
        except Exception as e:  # noqa: BLE001 - a file changed under the parser can raise anything
            changed = _stamp(path) != before
            if not changed and not isinstance(e, _UNREADABLE):
                raise
            if changed and attempt == 1:
                continue
            if _stamp(path) != first:
                raise BackendError(f"workbook {path} was being replaced while it was read ({type(e).__name__}); "
                                   f"nothing was written; run again once the copy or save has finished") from None
            other = _other_format(path)
            if other:
                raise BackendError(f"workbook {path} is {other} saved under the .xlsx name; open it and save it "
                                   f"as an Excel Workbook (.xlsx), then run again (nothing was written)") from None
            if _written_lately(path):
                raise BackendError(f"workbook {path} is being written or copied right now (changed in the last "
                                   f"{RECENT_WRITE_S // 60} minutes, not yet a whole workbook: {type(e).__name__}); "
                                   f"nothing was written; the next run reads it again") from None
            raise BackendError(f"workbook {path} cannot be read ({type(e).__name__}: {e}); "
                               f"restore it from a copy or move it away and run `sheets-sync init`") from None
    raise AssertionError("unreachable")


def _written_lately(path: Path) -> bool:
    """Whether the file's last change is within RECENT_WRITE_S of now: its mtime against the system
    clock, as the stale temp files' age is judged (the injected clock may be a test's frozen one),
    either way round (a share's clock a little ahead stamps a file just written in the future)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return False
    return abs(time.time() - mtime) <= RECENT_WRITE_S


def _other_format(path: Path) -> str:
    """What spreadsheet format a file is when it is not an .xlsx ('' when it is none known): a
    "Keep current format" in LibreOffice or an old Excel's save wrote it under the name, and the
    advice to move it away and run init would have started an empty workbook."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return "an Excel 97-2003 file (.xls)"
        if head.startswith(b"PK") and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                if "mimetype" in z.namelist() and b"opendocument.spreadsheet" in z.read("mimetype"):
                    return "an OpenDocument spreadsheet (.ods)"
    except (OSError, zipfile.BadZipFile):
        return ""
    return ""


def other_format_beside(path: Path) -> list[Path]:
    """Files beside the workbook with its name in another spreadsheet format, saved after it: an
    agency's or coordinator's edits saved there ("Use ODF format", "Save As .xls") never reach the
    worker, which reads only the .xlsx."""
    try:
        own = path.stat().st_mtime
    except OSError:
        return []
    out = []
    for suffix in (".ods", ".xls", ".xlsm", ".csv"):
        other = path.with_suffix(suffix)
        try:
            if other.stat().st_mtime > own:
                out.append(other)
        except OSError:
            continue
    return out


# What a damaged or half-replaced .xlsx raises inside zipfile, zlib and openpyxl's parsers.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, struct.error, InvalidFileException, KeyError, ValueError,
               IndexError, SyntaxError)
