"""The report as a printable A4 document in Thai: page one is the brief (report/brief.py), the
detail (province, rounds, districts, agencies, items, follow-up) follows as an appendix.

Self-contained HTML (no scripts, no external files, charts as inline SVG), written for both the
screen and print: Chromium prints it to PDF (report/pdf.py) with A4 pages numbered in the page
margin, the date in the Buddhist era, table headers repeated on every page, no heading left alone
at the foot of a page, and agency names wide enough for two lines at most. Every text is escaped.
"""

from __future__ import annotations

import html
from typing import Sequence

from sheets_sync.core.models import Summary, SummaryBlock, SummaryChart
from sheets_sync.core.thai import digits, thai_date, thai_datetime
from sheets_sync.report import summary as S
from sheets_sync.report.brief import MAX_AT_RISK, Brief

FONT_STACK = '"Sarabun", "TH Sarabun New", "Loma", "Garuda", "Waree", "Norasi", "Tlwg Typo", "Noto Sans Thai", sans-serif'
SERIES_COLOURS = ("#1f6fb2", "#f28e2b", "#59a14f", "#e15759", "#76b7b2")
# Columns a printed page can do without: the agency code is for machines; the name says it.
HIDDEN_IN_PRINT = {"รหัส"}
# Cell classes by header text, so the CSS gives names room (at most two lines) and keeps short
# columns on one line.
COLUMN_CLASS = {"หน่วยงาน": "name", "อำเภอ": "district", "กลุ่ม": "group", "หัวข้อ": "title", "รายการ": "label",
                "ข้อที่ยังไม่ส่ง": "codes", "ข้อที่ไม่ผ่าน": "codes"}
APPENDIX_TITLE = "ภาคผนวก: รายละเอียด"
TITLE_AT_RISK = "หน่วยงานที่ต้องเร่งรัด"
TITLE_ACTIONS = "ข้อเสนอการติดตาม"
TITLE_NEXT = "กำหนดส่งถัดไป"
TITLE_CHART = "ความก้าวหน้ารายรอบ (จำนวนหน่วยงานที่ส่งครบ)"


def _cell(value: object, thai_digits: bool) -> str:
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        # Scores have two decimals, shares one: neither is rounded here. Last year's 84.99 was
        # shown as "85.0" beside "ไม่ผ่าน" in the governor's table (the pass mark is 85).
        text = f"{value:,.1f}" if round(value, 1) == value else f"{value:,.2f}"
    else:
        text = "" if value is None else str(value)
    return html.escape(digits(text, thai_digits))


def _table(block: SummaryBlock, thai_digits: bool, hidden: frozenset[str] | set[str] = frozenset()) -> str:
    keep = [i for i, h in enumerate(block.header) if h not in hidden]
    classes = [COLUMN_CLASS.get(str(block.header[i]), "") for i in keep]
    head = "".join(f'<th class="{c}">{_cell(block.header[i], thai_digits)}</th>' if c
                   else f"<th>{_cell(block.header[i], thai_digits)}</th>" for i, c in zip(keep, classes))
    body = []
    for row in block.rows:
        cells = []
        for i, c in zip(keep, classes):
            v = row[i] if i < len(row) else ""
            cls = "num" if isinstance(v, (int, float)) and not isinstance(v, bool) else c
            cells.append(f'<td class="{cls}">{_cell(v, thai_digits)}</td>' if cls else f"<td>{_cell(v, thai_digits)}</td>")
        mark = ' class="failed"' if any(S.is_failed_mark(v) for v in row) else ""
        body.append(f"<tr{mark}>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(keep)}" class="none">ไม่มีรายการ</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def svg_chart(block: SummaryBlock, chart: SummaryChart, thai_digits: bool = False) -> str:
    """Clustered vertical bars from a block's cells, as inline SVG (no scripts, no external files)."""
    rows = block.rows[:chart.row_count]
    cats = [str(r[chart.category_column]) for r in rows]
    series = [(str(block.header[c]), [float(r[c] or 0) for r in rows]) for c in chart.series_columns]
    top = chart.y_max if chart.y_max is not None else max([v for _, vs in series for v in vs] + [1.0])
    width, height = 760, 300
    left, right, bottom, header = 48, 10, 40, 50
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


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


CSS = """
@page { size: A4 portrait; margin: 11mm 10mm 13mm 10mm;
  @bottom-left { content: %(footer)s; font-family: %(font)s; font-size: 8pt; color: #555; }
  @bottom-right { content: "หน้า " counter(page) " / " counter(pages); font-family: %(font)s; font-size: 8pt;
                  color: #555; } }
* { box-sizing: border-box; }
html { font-family: %(font)s; font-size: 10pt; color: #111; background: #fff;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 190mm; padding: 0; }
h1 { font-size: 15pt; margin: 0 0 1mm 0; line-height: 1.3; }
h2 { font-size: 12pt; margin: 3.5mm 0 1.2mm 0; border-bottom: 1.5px solid #1f6fb2; padding-bottom: 0.5mm;
     break-after: avoid; page-break-after: avoid; }
h2 + table, h2 + figure, h2 + ol, h2 + p { break-before: avoid; page-break-before: avoid; }
p.meta { margin: 0.4mm 0; line-height: 1.4; font-size: 9pt; }
table { border-collapse: collapse; width: 100%%; font-size: 8pt; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
th { background: #ddebf7; font-weight: bold; }
th, td { border: 0.6px solid #999; padding: 0.5mm 1mm; vertical-align: top; line-height: 1.25; }
td.num { text-align: right; white-space: nowrap; }
th.name, td.name { min-width: 44mm; }
td.district, td.group { white-space: nowrap; }
th.title, td.title { min-width: 50mm; }
th.label, td.label { min-width: 70mm; }
td.codes { font-size: 7.5pt; }
tr.failed td { background: #fff4e5; }
td.none { text-align: center; color: #666; }
figure { margin: 1mm 0; break-inside: avoid; page-break-inside: avoid; }
section { break-inside: auto; }
section.block { break-inside: auto; }
section.appendix { break-before: page; page-break-before: always; }
footer { margin-top: 4mm; font-size: 8pt; color: #555; }
.brief .headline { display: flex; gap: 4mm; align-items: stretch; margin: 2mm 0 1mm 0; }
.brief .big { border: 1.5px solid #1f6fb2; border-radius: 2mm; padding: 1.5mm 3mm; min-width: 62mm; }
.brief .big .n { font-size: 26pt; font-weight: bold; color: #1f6fb2; line-height: 1.1; }
.brief .big .of { font-size: 15pt; font-weight: bold; }
.brief .big .what { font-size: 8.5pt; line-height: 1.3; }
.brief .side { flex: 1; font-size: 9.5pt; line-height: 1.45; }
.brief .side p { margin: 0.3mm 0; }
.brief .up { color: #2e7d32; font-weight: bold; }
.brief .down { color: #c62828; font-weight: bold; }
.brief .row2 { display: flex; gap: 4mm; align-items: flex-start; }
.brief .row2 figure { flex: 0 0 88mm; margin: 0; }
.brief .row2 .next { flex: 1; }
.brief table.risk { font-size: 8.5pt; }
.brief table.risk td.name { min-width: 52mm; }
.brief ol { margin: 0.5mm 0 0 0; padding-left: 5mm; font-size: 9.5pt; line-height: 1.4; }
.brief p.more { margin: 0.6mm 0; font-size: 8.5pt; }
"""


def css(footer: str) -> str:
    return CSS % {"font": FONT_STACK, "footer": _css_string(footer)}


def render_html(summary: Summary, thai_digits: bool = False, brief: Brief | None = None,
                hidden: Sequence[str] = ()) -> str:
    """A self-contained printable A4 document: no scripts, no external files, the charts inline.
    With a brief, page one is the brief and the summary's blocks follow as an appendix."""
    title, *meta = summary.heading
    footer = f"{title}" if brief is None else f"ข้อมูล ณ {thai_datetime(brief.at)} น."
    parts = ["<!DOCTYPE html>", '<html lang="th"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>", f"<style>{css(digits(footer, thai_digits))}</style></head><body>"]
    hide = set(hidden)
    if brief is not None:
        parts.append(render_brief(brief, title, thai_digits))
        parts.append(f'<section class="appendix"><h1>{html.escape(APPENDIX_TITLE)}</h1>')
        parts += [f'<p class="meta">{html.escape(line)}</p>' for line in meta]
    else:
        parts.append(f"<header><h1>{html.escape(title)}</h1>")
        parts += [f'<p class="meta">{html.escape(line)}</p>' for line in meta]
        parts.append("</header>")
    for block in summary.blocks:
        parts.append(f'<section class="block"><h2>{html.escape(block.title)}</h2>')
        if block.chart is not None and block.chart.row_count:
            parts.append(f"<figure>{svg_chart(block, block.chart, thai_digits)}</figure>")
        parts.append(_table(block, thai_digits, hide))
        parts.append("</section>")
    if brief is not None:
        parts.append("</section>")
    parts.append("<footer>จัดทำโดยระบบตรวจ URL แบบวัด OIT (sheets-sync) จากประวัติการตรวจ; "
                 "แถวพื้นสีส้ม = หน่วยงานที่ไม่ผ่านการประเมินปีก่อน</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------- page one
def rounds_svg(brief: Brief, thai_digits: bool = False) -> str:
    """Small clustered bars per round: agencies complete by the deadline and now, with the target
    as a dashed line; the y axis is the number of agencies (0 .. expected)."""
    width, height, left, right, top_pad, bottom = 340, 170, 30, 8, 26, 30
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max(brief.expected, brief.total, 1)
    n = max(len(brief.rounds), 1)
    group = plot_w / n
    bar = min(34.0, (group - 14) / 2)

    def y_of(v: float) -> float:
        return top_pad + plot_h - plot_h * min(max(v, 0), top) / top

    d = thai_digits
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{html.escape(TITLE_CHART)}" font-family=\'{FONT_STACK}\'>']
    legend = (("ครบภายในกำหนด", SERIES_COLOURS[0]), ("ครบ ณ วันนี้", SERIES_COLOURS[2]))
    for k, (name, colour) in enumerate(legend):
        x = left + k * 110
        out.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="15" font-size="10">{html.escape(name)}</text>')
    for t in sorted({0, top // 2, top}):
        y = y_of(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
                   f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end">{digits(f"{t:g}", d)}</text>')
    for i, r in enumerate(brief.rounds):
        gx = left + i * group + (group - 2 * bar) / 2
        for k, (value, colour) in enumerate(((r.complete_on_time if r.due else None, SERIES_COLOURS[0]),
                                              (r.complete_now, SERIES_COLOURS[2]))):
            if value is None:
                continue
            x, y = gx + k * bar, y_of(value)
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 3:.1f}" height="{top_pad + plot_h - y:.1f}" '
                       f'fill="{colour}"/><text x="{x + (bar - 3) / 2:.1f}" y="{y - 2:.1f}" font-size="9" '
                       f'text-anchor="middle">{digits(str(value), d)}</text>')
        label = f"รอบที่ {r.number}" + ("" if r.due else " (ยังไม่ถึงกำหนด)")
        out.append(f'<text x="{left + i * group + group / 2:.1f}" y="{top_pad + plot_h + 13}" font-size="9.5" '
                   f'text-anchor="middle">{html.escape(digits(label, d))}</text>'
                   f'<text x="{left + i * group + group / 2:.1f}" y="{top_pad + plot_h + 25}" font-size="8.5" '
                   f'text-anchor="middle" fill="#555">{html.escape(thai_date(r.deadline, thai_digits=d))}</text>')
    ty = y_of(brief.target)
    out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="#c62828" '
               f'stroke-width="1.2" stroke-dasharray="4 3"/><text x="{width - right}" y="{ty - 3:.1f}" font-size="9" '
               f'text-anchor="end" fill="#c62828">{html.escape(digits(f"เป้าหมาย {brief.target}", d))}</text>')
    out.append(f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="#333"/>')
    out.append("</svg>")
    return "".join(out)


def _rounds_text(brief: Brief) -> str:
    nums = brief.track_rounds
    label = str(nums[0]) if len(nums) == 1 else f"{nums[0]}–{nums[-1]}"
    return f"รอบที่ {label}" + ("" if brief.yardstick_due else " (ยังไม่ถึงกำหนด)")


def render_brief(b: Brief, title: str, thai_digits: bool = False) -> str:
    d = thai_digits

    def esc(text: str) -> str:
        return html.escape(digits(text, d))

    parts = ['<section class="brief">', f"<h1>{esc(title)}</h1>",
             f'<p class="meta">ข้อมูล ณ {esc(thai_datetime(b.at))} น. · หน่วยงานในรายงาน {esc(str(b.total))} แห่ง '
             f'จากที่ต้องประเมิน {esc(str(b.expected))} แห่ง</p>']
    short = b.target - b.on_track
    parts.append('<div class="headline"><div class="big">'
                 f'<span class="n">{esc(str(b.on_track))}</span><span class="of"> / {esc(str(b.target))} / '
                 f'{esc(str(b.expected))}</span>'
                 f'<div class="what">หน่วยงานที่ส่งและผ่านครบทุกข้อของ{esc(_rounds_text(b))} / เป้าหมาย / ที่ต้องประเมินทั้งหมด</div>'
                 '</div><div class="side">')
    if b.change is not None and b.change_since is not None:
        cls = "up" if b.change > 0 else "down" if b.change < 0 else ""
        sign = f"+{b.change}" if b.change > 0 else str(b.change)
        parts.append(f'<p>เปลี่ยนแปลง <span class="{cls}">{esc(sign)} แห่ง</span> นับจาก '
                     f'{esc(thai_datetime(b.change_since))} น. (เกณฑ์เดียวกัน)</p>')
    else:
        parts.append("<p>เปลี่ยนแปลง: ยังไม่มีรายงานครั้งก่อนให้เทียบ</p>")
    parts.append(f"<p>{'ถึงเป้าหมายแล้ว' if short <= 0 else esc(f'ยังขาดอีก {short} แห่งจึงถึงเป้าหมาย')}; "
                 f"ยังไม่ครบ {esc(str(len(b.at_risk)))} แห่ง "
                 f"(ไม่ผ่านปี {esc(str(b.last_year))} {esc(str(sum(r.agency.failed_2565 for r in b.at_risk)))} แห่ง)</p>")
    if b.failed_on_track:
        parts.append(f"<p>หน่วยงานที่ไม่ผ่านปี {esc(str(b.last_year))} แต่ส่งครบแล้ว {esc(str(len(b.failed_on_track)))} "
                     "แห่ง</p>")
    parts.append("</div></div>")

    parts.append('<div class="row2">')
    parts.append(f"<figure>{rounds_svg(b, d)}</figure>")
    parts.append(f'<div class="next"><h2>{esc(TITLE_NEXT)}</h2>')
    if b.next_due is not None:
        n = b.next_due
        when = ("วันนี้วันสุดท้าย" if n.days == 0 else f"อีก {n.days} วัน")
        parts.append(f"<p><b>{esc(f'รอบที่ {n.round.number} ภายใน {thai_date(n.round.deadline, long=True)}')}</b> "
                     f"({esc(when)}) จำนวน {esc(str(n.items))} ข้อ</p>"
                     f"<p>ส่งครบแล้ว {esc(str(n.agencies_complete))} แห่ง · ยังไม่เริ่มส่ง "
                     f"{esc(str(n.agencies_not_started))} แห่ง</p>")
    elif b.followup_meeting is not None and b.followup_meeting >= b.at.date():
        days = (b.followup_meeting - b.at.date()).days
        parts.append(f"<p>ครบกำหนดส่งทุกรอบแล้ว · <b>ประชุมติดตาม "
                     f"{esc(thai_date(b.followup_meeting, long=True))}</b> (อีก {esc(str(days))} วัน)</p>")
    else:
        parts.append("<p>ครบกำหนดส่งทุกรอบแล้ว</p>")
    parts.append("</div></div>")

    shown = b.at_risk[:_at_risk_rows(b)]
    parts.append(f"<h2>{esc(TITLE_AT_RISK)} ({esc(str(len(b.at_risk)))} แห่ง: ไม่ผ่านปี {esc(str(b.last_year))} ก่อน "
                 f"แล้วเรียงตามจำนวนข้อที่ขาด)</h2>")
    if shown:
        head = ("ลำดับ", "หน่วยงาน", "อำเภอ", "ผ่าน / ถึงกำหนด (ข้อ)", "ขาด (ข้อ)", "ส่งแล้วไม่ผ่าน",
                f"คะแนน {b.last_year}", f"ระดับ {b.last_year}")
        rows = []
        for k, r in enumerate(shown, start=1):
            a = r.agency
            score = f"{a.score_2565:.2f}" if a.score_2565 is not None else "–"
            cls = ' class="failed"' if a.failed_2565 else ""
            rows.append(f"<tr{cls}><td class=\"num\">{esc(str(k))}</td><td class=\"name\">{html.escape(a.name)}</td>"
                        f"<td class=\"district\">{html.escape(a.district)}</td>"
                        f"<td class=\"num\">{esc(f'{r.valid} / {r.due_items}')}</td><td class=\"num\">{esc(str(r.behind))}</td>"
                        f"<td class=\"num\">{esc(str(r.problems))}</td><td class=\"num\">{esc(score)}</td>"
                        f"<td>{html.escape(a.grade_2565 or '–')}</td></tr>")
        parts.append('<table class="risk"><thead><tr>' + "".join(
            f'<th class="{"name" if h == "หน่วยงาน" else ""}">{esc(h)}</th>' for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        if len(b.at_risk) > len(shown):
            rest = len(b.at_risk) - len(shown)
            parts.append(f'<p class="more">และอีก {esc(str(rest))} แห่ง ขาดน้อยกว่า '
                         '(ดูภาคผนวก รายหน่วยงาน)</p>')
    else:
        parts.append("<p>ไม่มี: ทุกหน่วยงานส่งและผ่านครบทุกข้อที่ถึงกำหนด</p>")
    parts.append(f"<h2>{esc(TITLE_ACTIONS)}</h2><ol>")
    parts += [f"<li>{esc(a)}</li>" for a in b.actions]
    parts.append("</ol></section>")
    return "".join(parts)


def _at_risk_rows(b: Brief) -> int:
    """Rows of the at-risk table on page one: every failure of last year that is behind, then others up to
    the room the page has."""
    failed = sum(1 for r in b.at_risk if r.agency.failed_2565)
    return max(failed, MAX_AT_RISK)
