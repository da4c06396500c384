"""The shape of the workbook, shared by every backend: tab names, columns, header texts.

Columns are found by their header text when reading, so coordinators may move or add columns;
the order here is only the order `init` creates.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sheets_sync.config.settings import Catalog
from sheets_sync.core.thai import thai_date

TAB_AGENCIES = "หน่วยงาน"
TAB_SUBMISSIONS = "ส่ง URL"
TAB_SUMMARY = "สรุป"
TAB_GUIDE = "คำชี้แจง"
TAB_MOVED = "ข้อความที่ถูกย้าย"  # text people typed into worker cells, kept here (xlsx)
MOVED_HEADER = ("ย้ายเมื่อ", "รหัสหน่วยงาน", "ข้อ", "คอลัมน์", "ข้อความที่พิมพ์ไว้ (ผู้พิมพ์และเวลาที่พิมพ์ไม่ทราบ)")
TABS = (TAB_SUBMISSIONS, TAB_SUMMARY, TAB_AGENCIES, TAB_GUIDE)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int  # characters
    worker: bool = False  # written by the worker; every other column belongs to people
    agency: bool = False  # typed by the agency; the only cells of the tab agencies may edit


SUBMISSION_COLUMNS = (
    Column("agency", "รหัสหน่วยงาน", 16),
    Column("agency_name", "ชื่อหน่วยงาน", 34),
    Column("district", "อำเภอ", 14),
    Column("round", "รอบ", 6),
    Column("deadline", "กำหนดส่ง", 14),
    Column("item", "ข้อ", 6),
    Column("item_title", "หัวข้อ", 48),
    Column("url", "URL", 60, agency=True),
    # What ITAS asks beside each URL: where on the page the information is (issue 14).
    Column("explanation", "คำอธิบายเพิ่มเติม", 40, agency=True),
    Column("status", "สถานะ", 20, worker=True),
    Column("reasons", "รหัสเหตุผล", 24, worker=True),
    Column("http_status", "HTTP", 7, worker=True),
    Column("final_url", "URL ปลายทาง", 40, worker=True),
    Column("checked_at", "ตรวจเมื่อ", 20, worker=True),
    Column("first_submitted_at", "ส่งครั้งแรกเมื่อ", 20, worker=True),
    Column("detail", "รายละเอียด", 50, worker=True),
    # The exact URL text the verdict judged: where the URL cell no longer equals it, the sheet
    # itself greys the status and shows it as pending (STALE_LABEL), without the worker.
    Column("checked_url", "URL ที่ตรวจ", 40, worker=True),
)
WORKER_KEYS = tuple(c.key for c in SUBMISSION_COLUMNS if c.worker)
# Which columns agencies may edit: the one place protections (Sheets) and locks (xlsx) read.
AGENCY_KEYS = tuple(c.key for c in SUBMISSION_COLUMNS if c.agency)
STALE_LABEL = "รอตรวจ"  # what a status whose URL was edited since the check reads as
STALE_COLOUR = "BDBDBD"
# What a copied row (a second row of one agency's item) shows instead of the verdict it was copied
# with: the worker reads and writes one row a key (the first), so the copy's own URL is never checked.
COPY_LABEL = "แถวซ้ำ (ไม่ได้ตรวจ)"
SUBMISSION_HEADERS = {c.key: c.header for c in SUBMISSION_COLUMNS}

AGENCY_COLUMNS = (
    Column("code", "รหัสหน่วยงาน", 18),
    Column("name", "ชื่อหน่วยงาน", 40),
    Column("district", "อำเภอ", 14),
    Column("type", "ประเภท", 14),
    Column("domains", "เว็บไซต์ (โดเมน คั่นด้วย ,)", 36),
    Column("score_2565", "คะแนนปีก่อน", 12),  # last year's ITA result: the words hold for any year
    Column("grade_2565", "ระดับปีก่อน", 10),
    Column("confirm", "ต้องยืนยัน", 36),  # what coordinators must still confirm (agencies.yaml confirm:)
    # Where e-mail reminders go (sheets_sync/notify). Its own column, apart from any editors
    # column, so an agency may have its sheet edited by one person and be reminded at another.
    Column("reminder_emails", "อีเมลรับการแจ้งเตือน (คั่นด้วย ,)", 36),
    # Google Sheets (issue 14): who may edit the agency's URL and explanation cells; empty = any editor.
    Column("editors", "อีเมลผู้แก้ไข URL (คั่นด้วย ,)", 36),
    Column("view_link", "ลิงก์มุมมองของหน่วยงาน", 40, worker=True),
)
AGENCY_HEADERS = {c.key: c.header for c in AGENCY_COLUMNS}
# Header texts of earlier layouts, still read as the same column (a workbook made before keeps working).
HEADER_ALIASES = {"คะแนน 2565": "score_2565", "ระดับ 2565": "grade_2565"}

# Status colours (fill, RGB hex) used by the xlsx styles and Sheets conditional formatting.
STATUS_COLOURS = {
    "empty": "EEEEEE",
    "ok": "C8E6C9",
    "warning": "FFF59D",
    "unknown": "B3E5FC",
    "blocked": "D1C4E9",
    "broken": "FFCDD2",
    "invalid": "FFAB91",
}

def guide_lines(catalog: Catalog) -> tuple[str, ...]:
    """The instructions tab: its year, deadlines and contact lines come from the catalogue, the
    province from settings.yaml (carried by the catalogue)."""
    year = catalog.year
    contacts = catalog.contacts
    ask = []
    if contacts.line_open_chat:
        ask.append(f"line open chat \"{contacts.line_open_chat}\"")
    if contacts.phones:
        ask.append("โทร " + " หรือ ".join(contacts.phones))
    return (
        f"คำชี้แจงการส่ง URL แบบวัดการเปิดเผยข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. {year} {catalog.province.title}",
        "",
        "1. ไปที่แท็บ \"ส่ง URL\" แล้วกรองเฉพาะแถวของหน่วยงานท่าน (ใช้มุมมองตัวกรอง) ไม่ต้องลบหรือย้ายแถว",
        "2. วาง URL ของหน้าที่เผยแพร่ข้อมูลแต่ละข้อ ในคอลัมน์ \"URL\" และคำอธิบายในคอลัมน์ \"คำอธิบายเพิ่มเติม\" เท่านั้น "
        "(คอลัมน์อื่นระบบเป็นผู้กรอก)",
        "3. URL ต้องขึ้นต้นด้วย https:// หรือ http:// และเปิดไปยังหน้าที่แสดงข้อมูลข้อนั้นโดยตรง ไม่ใช่หน้าแรกของเว็บไซต์",
        f"4. ข้อมูลต้องอยู่บนเว็บไซต์หลักของหน่วยงาน และเป็นข้อมูลของปีที่แต่ละข้อกำหนด (ส่วนใหญ่คือปี พ.ศ. {year} "
        f"รายงานประจำปีอาจเป็นของปี พ.ศ. {year - 1} บางข้อไม่กำหนดปี)",
        "5. ไฟล์ใน Google Drive ต้องตั้งค่าแชร์ให้ \"ทุกคนที่มีลิงก์\" เปิดดูได้",
        "6. หากข้อหนึ่งมีหลายลิงก์ ให้ขึ้นบรรทัดใหม่ระหว่างลิงก์ ระบบตรวจทุกลิงก์และแสดงผลที่แย่ที่สุด",
        "7. คอลัมน์ \"คำอธิบายเพิ่มเติม\" (ถ้ามี) ใช้อธิบายว่าข้อมูลอยู่ส่วนใดของหน้า ระบบเก็บไว้และนำไปใส่ในรายการ"
        "สำหรับกรอก ITAS",
        "8. ระบบตรวจลิงก์เป็นระยะ แล้วแสดงผลในคอลัมน์ \"สถานะ\" และหมายเหตุบนช่อง URL บอกสิ่งที่ต้องแก้ไข",
        "",
        "ความหมายของสถานะ",
        "ยังไม่ส่ง = ยังไม่ได้ใส่ URL",
        "URL ไม่ถูกต้อง = ข้อความไม่ใช่ URL ของเว็บไซต์ ให้แก้ไข",
        "ใช้งานได้ = เปิดได้และผ่านการตรวจเบื้องต้น",
        "เปิดได้ แต่ควรตรวจ = เปิดได้ แต่มีสิ่งที่ผู้ประเมินอาจไม่ยอมรับ ดูหมายเหตุ",
        "เปิดไม่ได้ = ผู้ประเมินจะเปิดไม่ได้ ต้องแก้ไขก่อนกำหนดส่ง",
        "ไม่อนุญาตให้ตรวจ = ลิงก์ชี้ไปยังเครือข่ายภายใน ให้ใช้ URL สาธารณะ",
        "ตรวจไม่ได้ในขณะนี้ = ระบบจะตรวจซ้ำในรอบถัดไป",
        "",
        "กำหนดส่ง: " + " / ".join(f"รอบที่ {r.number} ภายใน {thai_date(r.deadline)}" for r in catalog.rounds),
        *((f"สอบถาม: {' หรือ '.join(ask)}",) if ask else ()),
        *contacts.other,
    )


# ---------------------------------------------------------------- the summary tab's look
SUMMARY_FROZEN_ROWS = 2  # the title and the "ข้อมูล ณ" line stay visible while scrolling
SUMMARY_MIN_WIDTH, SUMMARY_MAX_WIDTH = 8, 42  # characters


@dataclass(frozen=True)
class SummaryLook:
    """Where the summary tab's title, block titles and block header rows are (0-based rows), the
    column widths (characters) and the used area, for every backend to format the same way."""

    heading_rows: int
    title_rows: tuple[int, ...]
    header_rows: tuple[tuple[int, int], ...]  # (row, number of columns of that block)
    widths: tuple[int, ...]
    last_row: int  # 1-based, for the print area
    last_col: int  # 1-based


def display_width(value: object) -> int:
    """Characters a cell needs: Thai vowel and tone marks above or below a consonant take no room."""
    text = f"{value:,.1f}" if isinstance(value, float) else str(value if value is not None else "")
    return max((sum(1 for ch in line if unicodedata.category(ch) not in ("Mn", "Me")) for line in text.split("\n")),
               default=0)


def summary_look(summary) -> SummaryLook:
    """The look of a summary (core.models.Summary) laid out by `Summary.grid()`."""
    rows, headers = summary.grid()
    width = max((len(b.header) for b in summary.blocks), default=1)
    need = [SUMMARY_MIN_WIDTH] * width
    for block in summary.blocks:
        for row in block.rows:
            for c, v in enumerate(row):
                need[c] = max(need[c], display_width(v) + 2)
        for c, h in enumerate(block.header):  # headers wrap onto two or three lines
            need[c] = max(need[c], min(display_width(h) // 2 + 2, 16))
    return SummaryLook(heading_rows=len(summary.heading), title_rows=tuple(h - 1 for h in headers),
                       header_rows=tuple((h, len(b.header)) for h, b in zip(headers, summary.blocks)),
                       widths=tuple(min(n, SUMMARY_MAX_WIDTH) for n in need), last_row=len(rows), last_col=width)
