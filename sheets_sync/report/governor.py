"""The governor's report: the summary at any moment, rebuilt from the history, as a printable
A4 document in Thai (page one the brief, the detail as an appendix: report/document.py) in HTML
or PDF (report/pdf.py), an xlsx workbook (native chart) or CSV; and the follow-up list for the
province's meeting after round 3. Every CSV and xlsx cell goes through core/cellsafe.py.

Nothing here reads the sheet: the history (data/state.sqlite) is the only source, so a report
can be made for any date, also after the sheet was lost.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Sequence

from sheets_sync.config.settings import Agency, Config
from sheets_sync.core.cellsafe import csv_rows, xlsx_value
from sheets_sync.core.errors import StorageError, UsageError
from sheets_sync.core.files import atomic_write
from sheets_sync.core.models import RowKey, Status, Summary
from sheets_sync.core.thai import digits, parse_thai_datetime, thai_date, thai_datetime
from sheets_sync.report import summary as S
from sheets_sync.report.brief import Brief, build_brief
from sheets_sync.report.document import FONT_STACK, HIDDEN_IN_PRINT, render_html, svg_chart  # noqa: F401 (API)
from sheets_sync.report.pdf import html_to_pdf
from sheets_sync.state.history import History

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "xlsx", "csv")
FOLLOWUP_NOTE = "รายการข้อที่ต้องแก้ไขของแต่ละหน่วยงาน: รายงานติดตาม (sheets-sync report --followup)"
FOLLOWUP_CSV_HEADER = ("รหัสหน่วยงาน", "หน่วยงาน", "อำเภอ", "กลุ่ม", "ข้อ", "หัวข้อ", "รอบ", "กำหนดส่ง", "สถานะ", "URL",
                       "คำอธิบายเพิ่มเติม")


def parse_as_of(text: str, tz) -> datetime:
    """A date (end of that day) or a date and time, Thai or ISO, Christian or Buddhist era."""
    dt = parse_thai_datetime(text)
    if dt is None:
        raise UsageError(f"--as-of: not a date: {text!r} (write YYYY-MM-DD or a Thai date such as '28 ก.พ.' and "
                         "a Buddhist-era year)")
    if ":" not in text and "T" not in text:  # a date alone: as the day ended
        return S.last_moment(dt.date(), tz)
    return dt.replace(tzinfo=tz)


def report_agencies(config: Config, history: History, at: datetime) -> tuple[Agency, ...]:
    """The agencies in the sheet as of `at`, as the syncs saw them (an agency removed from the
    agencies tab is not in a report after that, as in the summary tab); agencies.yaml before any sync."""
    return history.agencies(at) or config.agencies


def report_summary(config: Config, history: History, at: datetime) -> Summary:
    catalog = config.catalog
    return S.summary_at(history, at, catalog, report_agencies(config, history, at), S.Options.of(config.settings),
                        title=f"รายงานความก้าวหน้าการเผยแพร่ข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. {catalog.year} "
                              f"{catalog.province.title}", extra_heading=unrecorded_note(history, at))


def unrecorded_note(history: History, at: datetime) -> tuple[str, ...]:
    """The heading line a report as of a moment before the first record carries: its zeros are
    not what the sheet showed then, only what the history does not know."""
    first = history.first_event_at()
    if first is not None and first <= at:
        return ()
    since = f" (บันทึกแรกเมื่อ {thai_datetime(first)} น.)" if first is not None else ""
    return (f"คำเตือน: ไม่มีบันทึกการตรวจ ณ เวลานี้{since} ตัวเลขในรายงานนี้จึงไม่ใช่สถานะจริงของหน่วยงาน ณ เวลานั้น",)


def _due_rows(config: Config, history: History, at: datetime):
    """(agencies, numbers of the rounds due at `at`, the frame's rows of those rounds, the
    history as of `at`): what both follow-up outputs are made of."""
    catalog, tz = config.catalog, config.settings.tz
    agencies = report_agencies(config, history, at)
    hist = history.as_of(at)
    df = S.frame(None, agencies, catalog, hist, tz, carry_unknown=True)
    due = {r.number for r in S.due_rounds(catalog, at, tz)}
    return agencies, due, df[df["round"].isin(due)], hist


def followup_summary(config: Config, history: History, at: datetime) -> Summary:
    """The follow-up list alone: agencies with items of due rounds missing or not valid."""
    catalog, opts = config.catalog, S.Options.of(config.settings)
    agencies, due, df_due, _ = _due_rows(config, history, at)
    block = S.followup_block(df_due, S.order_agencies(agencies), catalog)
    meeting = catalog.followup_meeting
    heading = [f"รายชื่อหน่วยงานที่ต้องติดตาม แบบวัด OIT ITA ปี พ.ศ. {catalog.year} {catalog.province.title}",
               f"ข้อมูล ณ {thai_datetime(at.astimezone(opts.tz))} น.", *unrecorded_note(history, at)]
    if meeting:
        heading.append(f"สำหรับการประชุมติดตาม {thai_date(meeting, long=True)}")
    if not due or max(due) != catalog.rounds[-1].number:
        heading.append("หมายเหตุ: ยังไม่ครบกำหนดส่งรอบสุดท้าย รายการนี้นับเฉพาะรอบที่ครบกำหนดแล้ว")
    return Summary(heading=tuple(digits(h, opts.thai_digits) for h in heading), blocks=(block,))


def followup_rows(config: Config, history: History, at: datetime) -> list[tuple]:
    """One line per (agency, item) of a due round that is missing or not valid."""
    catalog = config.catalog
    agencies, _, df_due, hist = _due_rows(config, history, at)
    urls = {(a, i): u for a, i, u in zip(hist["agency"], hist["item"], hist["url_text"])} if len(hist) else {}
    said = history.explanations()  # the agency's explanation beside the URL, as of the last sync
    rows = []
    for a, items in S.followup_items(df_due, S.order_agencies(agencies)):
        for code, status in items:
            item = catalog.item(code)
            rows.append((a.code, a.name, a.district, S.failed_mark(catalog) if a.failed_2565 else "", code, item.title,
                         item.round, thai_date(catalog.round(item.round).deadline), Status(status).label_th,
                         urls.get((a.code, code), ""), said.get(RowKey(a.code, code), "")))
    return rows


# ---------------------------------------------------------------- writing
def report_brief(config: Config, history: History, at: datetime) -> Brief:
    """Page one: the brief at `at`, its headline compared with the last report before `at` (the
    reports are made after each round), else with the end of the last deadline day before `at`."""
    catalog, opts = config.catalog, S.Options.of(config.settings)
    agencies = report_agencies(config, history, at)
    at = at.astimezone(opts.tz)
    df = S.frame(None, agencies, catalog, history.as_of(at), opts.tz, carry_unknown=True)
    since = history.last_report_before(at)
    if since is None:
        ends = [S.snapshot_moment(r, opts.tz) for r in S.due_rounds(catalog, at, opts.tz)]
        since = max((e for e in ends if e < at), default=None)
    first = history.first_event_at()
    before = None
    if since is not None and first is not None and since >= first:
        before = S.frame(None, agencies, catalog, history.as_of(since), opts.tz, carry_unknown=True)
    by_deadline = {r.number: S.complete_at_deadline(history, r, catalog, agencies, opts.tz)
                   for r in S.due_rounds(catalog, at, opts.tz)}
    return build_brief(df, agencies, catalog, at, opts, before, since if before is not None else None,
                       complete_by_deadline=by_deadline)


def report_html(config: Config, history: History, at: datetime) -> str:
    """The governor's report: the brief on page one, the detail as an appendix. The follow-up
    block (every missing item of every agency) is left to `report --followup`: page one names the
    agencies, the by-agency table counts their items, and the whole report stays within 6 pages."""
    summary = report_summary(config, history, at)
    blocks = tuple(b for b in summary.blocks if not b.title.startswith(S.TITLE_FOLLOWUP))
    if len(blocks) < len(summary.blocks):
        summary = dataclasses.replace(summary, blocks=blocks, heading=summary.heading + (
            digits(FOLLOWUP_NOTE, config.settings.thai_digits),))
    return render_html(summary, config.settings.thai_digits, brief=report_brief(config, history, at),
                       hidden=HIDDEN_IN_PRINT)


def make_report(config: Config, history: History, fmt: str, out: str | os.PathLike, at: datetime,
                followup: bool = False) -> Path:
    """Writes the report (or the follow-up list) in `fmt` to `out` atomically; returns the path."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: one of {', '.join(FORMATS)}")
    thai_digits = config.settings.thai_digits
    if followup and fmt == "csv":
        # Before the first record (--force), the file says so in a first line of its own: its rows
        # of "ยังไม่ส่ง" are not what the sheet showed then (the other formats' heading says it).
        warning = [[line] for line in unrecorded_note(history, at)]
        data = to_csv_rows(warning + [FOLLOWUP_CSV_HEADER] + [list(r) for r in followup_rows(config, history, at)])
        return _write_bytes(out, data)
    if fmt in ("html", "pdf"):
        doc = (render_html(followup_summary(config, history, at), thai_digits, hidden=HIDDEN_IN_PRINT) if followup
               else report_html(config, history, at))
        return _write_bytes(out, doc.encode("utf-8") if fmt == "html" else html_to_pdf(doc))
    summary = followup_summary(config, history, at) if followup else report_summary(config, history, at)
    if fmt == "csv":
        return _write_bytes(out, to_csv_rows(summary.grid()[0]))
    return _write_bytes(out, render_xlsx(summary))


def _write_bytes(out: str | os.PathLike, data: bytes) -> Path:
    try:
        return atomic_write(out, lambda tmp: Path(tmp).write_bytes(data))
    except OSError as e:
        # --out is the command line's: the message named the temporary file beside it and said
        # to fix settings.yaml
        raise StorageError(f"cannot write {Path(out).absolute()} (--out): {e.strerror or e}; give a file in a "
                           f"folder that exists and that this user can write") from None


def to_csv_rows(rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Thai text correctly; text that a
    spreadsheet would evaluate gets a leading apostrophe (core/cellsafe.py)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(csv_rows(rows))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(summary: Summary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from sheets_sync.sheet.xlsx import add_summary_chart

    wb = Workbook()
    ws = wb.active
    ws.title = "รายงาน"
    rows, headers = summary.grid()
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                xlsx_value(ws.cell(row=r, column=c), value)  # sheet text never becomes a formula
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 40
    for block, header_row in zip(summary.blocks, headers):
        ws.cell(row=header_row, column=1).font = Font(bold=True, size=12)
        for c in range(1, len(block.header) + 1):
            ws.cell(row=header_row + 1, column=c).font = Font(bold=True)
        if block.chart is not None and block.chart.row_count:
            add_summary_chart(ws, block.chart, header_row, len(block.header))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_of_or_now(text: str | None, now: datetime, tz) -> datetime:
    return parse_as_of(text, tz) if text else now.astimezone(tz)


_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx", ".csv": "csv"}


def report_format(given: str | None, out: str) -> str:
    """The format to write: `given` (--format), else the one `out`'s name ends with, else html.
    A name ending with another format's suffix is a usage error: `--out report.pdf` without
    --format wrote HTML into a .pdf that no viewer opened.

    >>> report_format(None, "r.pdf"), report_format(None, "r"), report_format("xlsx", "r.xlsx")
    ('pdf', 'html', 'xlsx')
    """
    named = _SUFFIX_FORMATS.get(Path(out).suffix.lower())
    if given and named and given != named:
        raise UsageError(f"--format {given} but --out {out} ends with {Path(out).suffix}: "
                         f"name the file .{given} or give --format {named}")
    return given or named or "html"


def run_cli(config: Config, args, now: datetime | None = None) -> int:
    """`sheets-sync report --format html|pdf|xlsx|csv --out PATH [--as-of DATE] [--followup]`."""
    from sheets_sync.state.store import State

    tz = config.settings.tz
    now = now or datetime.now(tz)
    at = as_of_or_now(args.as_of, now, tz)
    fmt = report_format(args.format, args.out)
    if args.as_of and at.date() > now.date():
        raise UsageError(f"--as-of {thai_datetime(at)} is in the future: the report would show today's numbers "
                         f"as if they were that day's")
    with State(config.settings.state_path) as state:
        history = History(state, tz)
        first = history.first_event_at()
        if args.as_of and (first is None or at < first):
            where = f"starts {thai_datetime(first)}" if first is not None else "is empty"
            if not getattr(args, "force", False):
                raise UsageError(f"--as-of {thai_datetime(at)}: the history {where}, so nothing is known of that "
                                 f"moment and the report would show zeros as if they were true; --force writes it "
                                 f"anyway, marked as not known")
            log.warning("--as-of is before the first record (the history %s): the report says so", where)
        elif first is None:
            log.warning("the history is empty: run `sheets-sync sync` first; the report shows no submissions")
        path = make_report(config, history, fmt, args.out, at, followup=args.followup)
        if not args.as_of and not args.followup:
            history.record_report(at)  # the next summaries show the change since this report
    print(f"{'follow-up list' if args.followup else 'report'} as of {thai_datetime(at)} written to {path}")
    return 0
