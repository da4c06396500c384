"""The governor's report: the summary at any moment, rebuilt from the history, as a printable
A4 HTML document in Thai (chart embedded as inline SVG), an xlsx workbook (native chart) or CSV;
and the follow-up list for the province's meeting after round 3.

Nothing here reads the sheet: the history (data/state.sqlite) is the only source, so a report
can be made for any date, also after the sheet was lost.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Sequence

from sheets_sync.config.settings import Agency, Config
from sheets_sync.core.errors import UsageError
from sheets_sync.core.files import atomic_write
from sheets_sync.core.models import RowKey, Status, Summary, SummaryBlock, SummaryChart
from sheets_sync.core.thai import digits, parse_thai_datetime, thai_date, thai_datetime
from sheets_sync.report import summary as S
from sheets_sync.state.history import History

log = logging.getLogger(__name__)

FORMATS = ("html", "xlsx", "csv")
FONT_STACK = '"Sarabun", "TH Sarabun New", "Loma", "Garuda", "Waree", "Norasi", "Tlwg Typo", "Noto Sans Thai", sans-serif'
SERIES_COLOURS = ("#1f6fb2", "#f28e2b", "#59a14f", "#e15759", "#76b7b2")
FOLLOWUP_CSV_HEADER = ("รหัสหน่วยงาน", "หน่วยงาน", "อำเภอ", "กลุ่ม", "ข้อ", "หัวข้อ", "รอบ", "กำหนดส่ง", "สถานะ", "URL",
                       "คำอธิบายเพิ่มเติม")


def parse_as_of(text: str, tz) -> datetime:
    """A date (end of that day) or a date and time, Thai or ISO, Christian or Buddhist era."""
    dt = parse_thai_datetime(text)
    if dt is None:
        raise UsageError(f"--as-of: not a date: {text!r} (write YYYY-MM-DD or a Thai date such as '28 ก.พ.' and "
                         "a Buddhist-era year)")
    if ":" not in text and "T" not in text:  # a date alone: as the day ended
        return datetime.combine(dt.date() + timedelta(days=1), time(0), tzinfo=tz) - timedelta(microseconds=1)
    return dt.replace(tzinfo=tz)


def report_agencies(config: Config, history: History) -> tuple[Agency, ...]:
    """The agencies as the last sync saw them in the sheet; agencies.yaml before any sync."""
    return history.agencies() or config.agencies


def report_summary(config: Config, history: History, at: datetime) -> Summary:
    catalog = config.catalog
    return S.summary_at(history, at, catalog, report_agencies(config, history), S.Options.of(config.settings),
                        title=f"รายงานความก้าวหน้าการเผยแพร่ข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. {catalog.year} "
                              f"จังหวัดลำพูน", extra_heading=unrecorded_note(history, at))


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
    agencies = report_agencies(config, history)
    hist = history.as_of(at)
    df = S.frame(None, agencies, catalog, hist, tz)
    due = {r.number for r in S.due_rounds(catalog, at, tz)}
    return agencies, due, df[df["round"].isin(due)], hist


def followup_summary(config: Config, history: History, at: datetime) -> Summary:
    """The follow-up list alone: agencies with items of due rounds missing or not valid."""
    catalog, opts = config.catalog, S.Options.of(config.settings)
    agencies, due, df_due, _ = _due_rows(config, history, at)
    block = S.followup_block(df_due, S.order_agencies(agencies), catalog)
    meeting = catalog.followup_meeting
    heading = [f"รายชื่อหน่วยงานที่ต้องติดตาม แบบวัด OIT ITA ปี พ.ศ. {catalog.year} จังหวัดลำพูน",
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
def make_report(config: Config, history: History, fmt: str, out: str | os.PathLike, at: datetime,
                followup: bool = False) -> Path:
    """Writes the report (or the follow-up list) in `fmt` to `out` atomically; returns the path."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: one of {', '.join(FORMATS)}")
    thai_digits = config.settings.thai_digits
    if followup and fmt == "csv":
        data = to_csv_rows([FOLLOWUP_CSV_HEADER] + [list(r) for r in followup_rows(config, history, at)])
        return _write_bytes(out, data)
    summary = followup_summary(config, history, at) if followup else report_summary(config, history, at)
    if fmt == "html":
        return _write_bytes(out, render_html(summary, thai_digits).encode("utf-8"))
    if fmt == "csv":
        return _write_bytes(out, to_csv_rows(summary.grid()[0]))
    return _write_bytes(out, render_xlsx(summary))


def _write_bytes(out: str | os.PathLike, data: bytes) -> Path:
    return atomic_write(out, lambda tmp: Path(tmp).write_bytes(data))


def to_csv_rows(rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Thai text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_xlsx(summary: Summary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from sheets_sync.sheet.xlsx import add_summary_chart

    wb = Workbook()
    ws = wb.active
    ws.title = "รายงาน"
    rows, headers = summary.grid()
    for row in rows:
        ws.append(list(row))
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


# ---------------------------------------------------------------- HTML
def _cell(value: object, thai_digits: bool) -> str:
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.1f}"
    else:
        text = "" if value is None else str(value)
    return html.escape(digits(text, thai_digits))


def _table(block: SummaryBlock, thai_digits: bool) -> str:
    head = "".join(f"<th>{_cell(h, thai_digits)}</th>" for h in block.header)
    body = []
    for row in block.rows:
        cells = []
        for v in row:
            cls = ' class="num"' if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
            cells.append(f"<td{cls}>{_cell(v, thai_digits)}</td>")
        mark = ' class="failed"' if any(S.is_failed_mark(v) for v in row) else ""
        body.append(f"<tr{mark}>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(block.header)}" class="none">ไม่มีรายการ</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def svg_chart(block: SummaryBlock, chart: SummaryChart, thai_digits: bool = False) -> str:
    """Clustered vertical bars from a block's cells, as inline SVG (no scripts, no external files)."""
    rows = block.rows[:chart.row_count]
    cats = [str(r[chart.category_column]) for r in rows]
    series = [(str(block.header[c]), [float(r[c] or 0) for r in rows]) for c in chart.series_columns]
    top = chart.y_max if chart.y_max is not None else max([v for _, vs in series for v in vs] + [1.0])
    width, height = 760, 330
    left, right, bottom, header = 48, 10, 40, 64
    plot_w, plot_h = width - left - right, height - bottom - header
    group = plot_w / max(len(cats), 1)
    bar = min(22.0, (group - 10) / max(len(series), 1))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{html.escape(chart.title)}" font-family=\'{FONT_STACK}\'>',
           f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="15" font-weight="bold">'
           f'{html.escape(digits(chart.title, thai_digits))}</text>']
    for k, (name, _) in enumerate(series):  # legend
        x = left + k * 150
        out.append(f'<rect x="{x}" y="26" width="12" height="12" fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}"/>'
                   f'<text x="{x + 16}" y="36" font-size="12">{html.escape(digits(name, thai_digits))}</text>')
    for t in range(0, 5):  # grid lines and y labels
        value = top * t / 4
        y = header + plot_h - plot_h * t / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ccc" stroke-width="0.6"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                   f'{digits(f"{value:g}", thai_digits)}</text>')
    for i, cat in enumerate(cats):
        gx = left + i * group + (group - bar * len(series)) / 2
        for k, (_, values) in enumerate(series):
            v = max(0.0, min(values[i], top))
            h = plot_h * v / top if top else 0
            x, y = gx + k * bar, header + plot_h - h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                       f'fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}"><title>{html.escape(cat)}: '
                       f'{values[i]:.1f}</title></rect>')
            if values[i] > 0:
                out.append(f'<text x="{x + (bar - 2) / 2:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">'
                           f'{digits(f"{values[i]:.0f}", thai_digits)}</text>')
        out.append(f'<text x="{left + i * group + group / 2:.1f}" y="{header + plot_h + 18}" font-size="12" '
                   f'text-anchor="middle">{html.escape(cat)}</text>')
    if chart.y_title:
        out.append(f'<text x="12" y="{header + plot_h / 2}" font-size="11" text-anchor="middle" '
                   f'transform="rotate(-90 12 {header + plot_h / 2})">{html.escape(chart.y_title)}</text>')
    out.append(f'<line x1="{left}" y1="{header + plot_h}" x2="{width - right}" y2="{header + plot_h}" stroke="#333"/>')
    out.append("</svg>")
    return "".join(out)


CSS = """
@page { size: A4 portrait; margin: 12mm 10mm 14mm 10mm; }
* { box-sizing: border-box; }
html { font-family: %(font)s; font-size: 10.5pt; color: #111; background: #fff; }
body { margin: 0 auto; max-width: 190mm; padding: 6mm 0; }
h1 { font-size: 16pt; margin: 0 0 2mm 0; line-height: 1.35; }
h2 { font-size: 12.5pt; margin: 5mm 0 1.5mm 0; border-bottom: 1.5px solid #1f6fb2; padding-bottom: 0.6mm; }
p.meta { margin: 0.6mm 0; line-height: 1.45; }
table { border-collapse: collapse; width: 100%%; font-size: 8.6pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
thead { display: table-header-group; }
th { background: #ddebf7; font-weight: bold; }
th, td { border: 0.6px solid #999; padding: 0.8mm 1.2mm; vertical-align: top; line-height: 1.3; }
td.num { text-align: right; white-space: nowrap; }
tr.failed td { background: #fff4e5; }
td.none { text-align: center; color: #666; }
figure { margin: 2mm 0; page-break-inside: avoid; }
footer { margin-top: 6mm; font-size: 8.5pt; color: #555; }
section { page-break-inside: auto; }
""" % {"font": FONT_STACK}


def render_html(summary: Summary, thai_digits: bool = False) -> str:
    """A self-contained printable A4 document: no scripts, no external files, the chart inline."""
    title, *meta = summary.heading
    parts = ["<!DOCTYPE html>", '<html lang="th"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style></head><body>",
             f"<header><h1>{html.escape(title)}</h1>"]
    parts += [f'<p class="meta">{html.escape(line)}</p>' for line in meta]
    parts.append("</header>")
    for block in summary.blocks:
        parts.append(f"<section><h2>{html.escape(block.title)}</h2>")
        if block.chart is not None and block.chart.row_count:
            parts.append(f"<figure>{svg_chart(block, block.chart, thai_digits)}</figure>")
        parts.append(_table(block, thai_digits))
        parts.append("</section>")
    parts.append("<footer>จัดทำโดยระบบตรวจ URL แบบวัด OIT (sheets-sync) จากประวัติการตรวจ; "
                 "แถวพื้นสีส้ม = หน่วยงานที่ไม่ผ่านการประเมินปีก่อน</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def as_of_or_now(text: str | None, now: datetime, tz) -> datetime:
    return parse_as_of(text, tz) if text else now.astimezone(tz)


def run_cli(config: Config, args, now: datetime | None = None) -> int:
    """`sheets-sync report --format html|xlsx|csv --out PATH [--as-of DATE] [--followup]`."""
    from sheets_sync.state.store import State

    tz = config.settings.tz
    now = now or datetime.now(tz)
    at = as_of_or_now(args.as_of, now, tz)
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
        path = make_report(config, history, args.format, args.out, at, followup=args.followup)
        if not args.as_of and not args.followup:
            history.record_report(at)  # the next summaries show the change since this report
    print(f"{'follow-up list' if args.followup else 'report'} as of {thai_datetime(at)} written to {path}")
    return 0
