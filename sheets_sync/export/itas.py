"""`sheets-sync export`: what an agency retypes into the national ITAS system, one file per agency.

For each of the catalogue's items, in ITAS order (O1..O43): the item, its title, the URL as the agency
left it in the sheet (after its own fixes; several links one a line), the agency's explanation
("คำอธิบายเพิ่มเติม"), the worker's verdict, and a warning for every item that is not ok (not sent yet,
broken, only "open but check", not checked yet ...), so nothing doubtful is sent to ITAS unawares.

The list is built (`build_list`, pure) from one `Snapshot`; writing (`write_xlsx`, `write_csv`) is the
only I/O. Every text cell goes through core.cellsafe, so an agency name or URL that begins with `=`,
`+`, `-`, `@`, a tab or CR is text in the file, never a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Mapping, Sequence

from sheets_sync.config.settings import Agency, Catalog, YearRule
from sheets_sync.core.cellsafe import as_text_cell, csv_text
from sheets_sync.core.errors import UsageError
from sheets_sync.core.files import atomic_write
from sheets_sync.core.models import RowKey, Status, SubmissionRow
from sheets_sync.core.thai import thai_datetime
from sheets_sync.judge import verdicts as judge
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.backend import Snapshot

HEADERS = ("ข้อ", "หัวข้อ", "URL", "คำอธิบายเพิ่มเติม", "ผลการตรวจ", "คำเตือน")
WIDTHS = (7, 48, 60, 40, 20, 60)
SHEET_TITLE = "รายการ ITAS"
PENDING_TH = "รอตรวจ"  # a URL the worker has not checked yet
NOT_SENT_TH = "ยังไม่ได้ใส่ URL: ต้องใส่ก่อนกรอกในระบบ ITAS"
NOT_CHECKED_TH = "ระบบยังไม่ได้ตรวจ URL นี้ ตรวจสอบให้แน่ใจก่อนกรอกในระบบ ITAS"


@dataclass(frozen=True)
class Line:
    item: str
    title: str
    url: str
    explanation: str
    verdict: str  # the Thai status label the sheet shows, or PENDING_TH
    warning: str  # empty only for an item that is ok

    def cells(self) -> tuple[str, ...]:
        return self.item, self.title, self.url, self.explanation, self.verdict, self.warning


@dataclass(frozen=True)
class AgencyList:
    agency: Agency
    heading: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def warnings(self) -> int:
        return sum(1 for line in self.lines if line.warning)


def build_list(snapshot: Snapshot, catalog: Catalog, agency: Agency, at: datetime,
               judged: Mapping[RowKey, str] | None = None) -> AgencyList:
    """The agency's items in ITAS order with URL, explanation, verdict and warning (pure).

    `judged`: the URL text each row's last verdict was about (the history's); a row whose URL cell
    differs from it shows รอตรวจ with a warning, never the earlier URL's verdict. None: not known (no
    state file): the sheet's own "URL ที่ตรวจ" column tells it instead (a URL typed after the last
    check was exported as "ใช้งานได้", the verdict of the URL before it)."""
    rows = {r.key: r for r in snapshot.rows if r.key.agency == agency.code}
    lines = []
    for item in sorted(catalog.items, key=lambda i: i.number):
        row = rows.get(RowKey(agency.code, item.code))
        if row is not None and row.url_text and _judged_another_url(row, judged):
            lines.append(Line(item.code, item.title, row.url_text, row.explanation, PENDING_TH, NOT_CHECKED_TH))
            continue
        lines.append(_line(item.code, item.title, row, catalog.year_rule(item.code)))
    heading = (f"รายการสำหรับกรอกในระบบ ITAS แบบวัด OIT ปี พ.ศ. {catalog.year}",
               f"หน่วยงาน: {agency.name} ({agency.code})",
               f"ข้อมูลจากแผ่นงาน ณ {thai_datetime(at)}")
    return AgencyList(agency, heading, tuple(lines))


def _judged_another_url(row: SubmissionRow, judged: Mapping[RowKey, str] | None) -> bool:
    """The verdict the sheet shows for `row` is about another URL than its cell's: by the history
    (`judged`; a row it never judged too), else by the sheet's "URL ที่ตรวจ"; False without either."""
    if judged is None:
        return g.judged_another_url(row)
    return judged.get(row.key) != row.url_text


def _line(item: str, title: str, row: SubmissionRow | None, rule: YearRule) -> Line:
    if row is None:
        return Line(item, title, "", "", "", "ไม่มีแถวของข้อนี้ในแผ่นงาน (ให้ผู้ประสานงานรัน sheets-sync init)")
    if not row.url_text:
        return Line(item, title, "", row.explanation, Status.EMPTY.label_th, NOT_SENT_TH)
    status = row.previous_status
    if status is None or status is Status.EMPTY:
        # no verdict yet, or one written before the URL was typed: not checked
        return Line(item, title, row.url_text, row.explanation, PENDING_TH, NOT_CHECKED_TH)
    if status is Status.OK:
        return Line(item, title, row.url_text, row.explanation, status.label_th, "")
    note = judge.note_th(row.previous_reasons, rule).replace("• ", "").replace("\n", " / ")
    return Line(item, title, row.url_text, row.explanation, status.label_th,
                f"{status.label_th}: {note}" if note else status.label_th)


# ---------------------------------------------------------------- files
def render_xlsx(lst: AgencyList) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    for r, text in enumerate(lst.heading, start=1):
        as_text_cell(ws.cell(row=r, column=1), text)
    ws["A1"].font = Font(bold=True, size=13)
    header_row = len(lst.heading) + 2
    for c, (title, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(row=header_row, column=c)
        as_text_cell(cell, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(c)].width = width
    warn = PatternFill("solid", fgColor="FFF59D")
    for r, line in enumerate(lst.lines, start=header_row + 1):
        for c, value in enumerate(line.cells(), start=1):
            cell = ws.cell(row=r, column=c)
            as_text_cell(cell, value or None)
            cell.alignment = Alignment(vertical="top", wrap_text=c in (2, 3, 4, 6))
            if line.warning and c == len(HEADERS):
                cell.fill = warn
    ws.freeze_panes = f"A{header_row + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_csv(lst: AgencyList) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens the Thai text correctly): the heading lines, an empty
    line, then the table."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for text in lst.heading:
        writer.writerow([csv_text(text)])
    writer.writerow([])
    writer.writerow([csv_text(h) for h in HEADERS])
    for line in lst.lines:
        writer.writerow([csv_text(v) for v in line.cells()])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


FORMATS = {".xlsx": render_xlsx, ".csv": render_csv}


def write_list(lst: AgencyList, out: str | os.PathLike) -> Path:
    """Writes the list as .xlsx or .csv, by the file's extension, atomically."""
    render = FORMATS.get(Path(out).suffix.lower())
    if render is None:
        raise UsageError(f"--out {out}: the file name must end in .xlsx or .csv")
    data = render(lst)
    return atomic_write(out, lambda tmp: Path(tmp).write_bytes(data))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(agency: Agency, suffix: str) -> str:
    """A file name from the agency code that is safe on every system (codes come from the sheet)."""
    stem = _UNSAFE.sub("_", agency.code).strip("._") or "agency"
    return f"{stem}{suffix}"


def write_all(snapshot: Snapshot, catalog: Catalog, folder: str | os.PathLike, at: datetime,
              suffix: str = ".xlsx", judged: Mapping[RowKey, str] | None = None) -> list[tuple[AgencyList, Path]]:
    """One file per agency of the sheet into `folder` (created); names from the codes, never clashing."""
    if suffix not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(s[1:] for s in FORMATS)}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {folder}: with --all, --out is a folder")
    taken: set[str] = set()
    out = []
    for agency in snapshot.agencies:
        name = file_name(agency, suffix)
        n = 2
        while name.lower() in taken:
            name = f"{Path(file_name(agency, suffix)).stem}-{n}{suffix}"
            n += 1
        taken.add(name.lower())
        lst = build_list(snapshot, catalog, agency, at, judged)
        out.append((lst, write_list(lst, folder / name)))
    return out


def run_cli(config, backend, args, now: datetime) -> int:
    """`sheets-sync export (--agency CODE --out FILE.xlsx|.csv | --all --out FOLDER [--format xlsx|csv])`."""
    snapshot = backend.read(config.catalog)
    judged = _judged_urls(config)
    if args.all:
        if args.agency:
            raise UsageError("give --agency CODE or --all, not both")
        try:
            written = write_all(snapshot, config.catalog, args.out, now, suffix=f".{args.format}", judged=judged)
        except OSError as e:
            raise UsageError(f"cannot write into {args.out}: {e.strerror or e}") from None
        warnings = sum(lst.warnings for lst, _ in written)
        print(f"written {len(written)} files to {args.out}; {warnings} items need attention before ITAS")
        return 0
    if not args.agency:
        raise UsageError("give --agency CODE (or --all)")
    agency = _agency(snapshot.agencies, args.agency)
    lst = build_list(snapshot, config.catalog, agency, now, judged)
    try:
        path = write_list(lst, args.out)
    except OSError as e:
        raise UsageError(f"cannot write {args.out}: {e.strerror or e}") from None
    print(f"written {path}: {agency.code} {agency.name}, {len(lst.lines)} items, "
          f"{lst.warnings} need attention before ITAS")
    return 0


def _judged_urls(config) -> dict[RowKey, str] | None:
    """The URL each row's last verdict judged, from the worker's state file; None without one."""
    import logging

    from sheets_sync.state.history import History
    from sheets_sync.state.store import open_state

    path = Path(config.settings.state_path)
    if not path.exists():
        logging.getLogger(__name__).warning(
            "no state file at %s: each verdict is taken as about the URL now in its cell when the sheet's "
            "'URL ที่ตรวจ' column says so (else รอตรวจ)", path)
        return None
    state = open_state(path)
    if state is None:
        return None
    try:
        return History(state, config.settings.tz).judged_urls()
    finally:
        state.close()


def _agency(agencies: Sequence[Agency], code: str) -> Agency:
    found = next((a for a in agencies if a.code == code), None)
    if found is None:
        raise UsageError(f"unknown agency code {code!r} (see the agencies tab)")
    return found
