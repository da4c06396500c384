"""`sheets-sync template`: the province's Excel form for one agency (issue 7).

For agencies that stay on Excel: one sheet with the agency's name and code, a header row
(ข้อ | หัวข้อ | รอบ | กำหนดส่ง | URL | คำอธิบายเพิ่มเติม) and the 43 items with their round and deadline, and
a second sheet of instructions in Thai. The agency code is written in a cell ("รหัสหน่วยงาน: ...")
and as a workbook property, so `sheets-sync import` knows whose form it is without guessing.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from sheets_sync.config.settings import Agency, Catalog
from sheets_sync.core.files import atomic_write
from sheets_sync.core.thai import thai_date
from sheets_sync.importing.agency import AGENCY_PROPERTY, YEAR_PROPERTY

FORM_SHEET = "แบบฟอร์มส่ง URL"
GUIDE_SHEET = "คำชี้แจง"
CODE_LABEL = "รหัสหน่วยงาน"
HEADERS = ("ข้อ", "หัวข้อ", "รอบ", "กำหนดส่ง", "URL", "คำอธิบายเพิ่มเติม")
WIDTHS = (8, 62, 6, 14, 60, 30)
HEADER_ROW = 5  # 1-based, as Excel shows it
URL_COLUMN = get_column_letter(HEADERS.index("URL") + 1)  # named in the Thai instructions

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def years_line(catalog: Catalog) -> str:
    """Instruction 4: the year each item asks for, from the catalogue (it said every item must be of
    the assessment year, where annual reports ask for the year before and some items for none)."""
    year = catalog.year
    before = [i.code for i in catalog.items if i.year_rule.checked and max(i.year_rule.years) < year]
    either = [i.code for i in catalog.items if i.year_rule.checked and not i.year_rule.period
              and min(i.year_rule.years) < year <= max(i.year_rule.years)]
    half = [i.code for i in catalog.items if i.year_rule.period]
    none = [i.code for i in catalog.items if not i.year_rule.checked]
    line = f"4. ข้อมูลต้องอยู่บนเว็บไซต์หลักของหน่วยงาน และเป็นข้อมูลของปี พ.ศ. {year}"
    parts = []
    if before:
        parts.append(f"ข้อ {', '.join(before)} เป็นข้อมูลของปี พ.ศ. {year - 1}")
    if either:
        parts.append(f"ข้อ {', '.join(either)} เป็นของปี พ.ศ. {year - 1} หรือ {year} ก็ได้")
    if half:
        parts.append(f"ข้อ {', '.join(half)} เป็นรายงาน 6 เดือนแรกของปีงบประมาณ พ.ศ. {year} "
                     f"(ต.ค. {year - 1} - มี.ค. {year})")
    if none:
        parts.append(f"ข้อ {', '.join(none)} ไม่กำหนดปี")
    return line + (" ยกเว้น " + " / ".join(parts) if parts else "")


def guide_lines(catalog: Catalog) -> list[str]:
    deadlines = " / ".join(f"รอบที่ {r.number} ภายใน {thai_date(r.deadline)}" for r in catalog.rounds)
    return [
        f"คำชี้แจงการกรอกแบบฟอร์มส่ง URL แบบวัดการเปิดเผยข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. {catalog.year}",
        "",
        f"1. กรอก URL ของหน้าที่เผยแพร่ข้อมูลแต่ละข้อในคอลัมน์ \"URL\" (คอลัมน์ {URL_COLUMN}) ของแผ่นงาน "
        f"\"{FORM_SHEET}\" ข้อละหนึ่งช่อง",
        f"2. ห้ามแก้ไข ลบ หรือย้ายคอลัมน์ \"ข้อ\" ห้ามลบแถว และห้ามแก้ไข{CODE_LABEL}ที่ด้านบนของแบบฟอร์ม "
        "(ระบบใช้ระบุหน่วยงานและข้อ)",
        "3. URL ต้องขึ้นต้นด้วย https:// หรือ http:// และเปิดไปยังหน้าที่แสดงข้อมูลข้อนั้นโดยตรง "
        "ไม่ใช่หน้าแรกของเว็บไซต์",
        years_line(catalog),
        "5. ไฟล์ใน Google Drive ต้องตั้งค่าแชร์ให้ \"ทุกคนที่มีลิงก์\" เปิดดูได้",
        "6. หากข้อหนึ่งมีหลายลิงก์ ให้ใส่ในช่องเดียวกัน โดยขึ้นบรรทัดใหม่ (Alt+Enter) ระหว่างลิงก์",
        # said beside the hyperlink rule: a cell that shows one address and links to another is not imported
        "7. จะวาง URL เป็นข้อความ หรือแทรกเป็นไฮเปอร์ลิงก์ก็ได้ ระบบอ่านที่อยู่ปลายทางของไฮเปอร์ลิงก์ "
        "แต่หากช่องแสดง URL หนึ่งแต่ลิงก์ไปยังอีก URL หนึ่ง (เช่น คัดลอกช่องของข้ออื่นมาแล้วพิมพ์ทับ) "
        "ระบบจะไม่นำเข้าข้อนั้น ให้แก้ไขให้ตรงกัน",
        "8. คอลัมน์ \"คำอธิบายเพิ่มเติม\" ใช้อธิบายว่าข้อมูลอยู่ส่วนใดของหน้า (ถ้ามี) ระบบนำเข้าพร้อม URL "
        "และนำไปใส่ในรายการสำหรับกรอกในระบบ ITAS",
        "9. บันทึกเป็นไฟล์ .xlsx แล้วส่งคืนผู้ประสานงานของจังหวัด ภายในกำหนดส่งของแต่ละรอบ",
        "",
        f"กำหนดส่ง: {deadlines}",
    ]


def build_template(agency: Agency, catalog: Catalog) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    last = get_column_letter(len(HEADERS))

    ws["A1"] = f"แบบฟอร์มส่ง URL แบบวัดการเปิดเผยข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. {catalog.year}"
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"หน่วยงาน: {agency.name}"
    ws.merge_cells("A2:D2")
    ws["A2"].font = Font(bold=True, size=12)
    if agency.district:
        ws["E2"] = f"อำเภอ: {agency.district}"
    ws["A3"] = f"{CODE_LABEL}: {agency.code}"
    ws.merge_cells("A3:D3")
    ws["E3"] = "ระบบใช้รหัสนี้ระบุหน่วยงาน ห้ามแก้ไข"
    ws["E3"].font = Font(italic=True, color="808080")
    ws["A4"] = (f"กรอก URL ในคอลัมน์ \"URL\" (คอลัมน์ {URL_COLUMN}) ข้อละหนึ่งช่อง "
                f"อ่านคำชี้แจงในแผ่นงาน \"{GUIDE_SHEET}\"")
    ws.merge_cells(f"A4:{last}4")
    ws["A4"].font = Font(color="C00000")

    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[cell.column_letter].width = width

    url_fill = PatternFill("solid", fgColor="FFF9E5")
    for n, item in enumerate(catalog.items, start=HEADER_ROW + 1):
        values = (item.code, item.title, item.round, thai_date(catalog.round(item.round).deadline), None, None)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=n, column=col, value=value)
            cell.border = _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=col in (2, 5, 6),
                                       horizontal="center" if col in (1, 3) else None)
            if col in (5, 6):
                cell.fill = url_fill
                cell.number_format = "@"  # typed text stays text
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1

    guide = wb.create_sheet(GUIDE_SHEET)
    for n, line in enumerate(guide_lines(catalog), start=1):
        guide.cell(row=n, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    guide.column_dimensions["A"].width = 110
    guide["A1"].font = Font(bold=True, size=13)

    wb.custom_doc_props.append(StringProperty(name=AGENCY_PROPERTY, value=agency.code))
    wb.custom_doc_props.append(StringProperty(name=YEAR_PROPERTY, value=str(catalog.year)))
    wb.properties.title = f"แบบฟอร์มส่ง URL OIT {catalog.year} {agency.name}"
    wb.active = 0
    return wb


def write_template(path: str | os.PathLike, agency: Agency, catalog: Catalog) -> Path:
    """Saves the form (to a temporary file renamed into place, so a failed save leaves nothing half-written)."""
    return atomic_write(path, build_template(agency, catalog).save)


def run_cli(config, backend, args) -> int:
    """`sheets-sync template --agency CODE --out FILE.xlsx`."""
    import logging

    from sheets_sync.core.errors import BackendError, UsageError

    log = logging.getLogger(__name__)
    try:
        agencies = backend.read(config.catalog).agencies
    except BackendError as e:
        log.warning("agencies tab not readable (%s); using agencies.yaml", e)
        agencies = config.agencies
    agency = next((a for a in agencies if a.code == args.agency), None)
    if agency is None:
        raise UsageError(f"unknown agency code {args.agency!r} (see the agencies tab)")
    if not str(args.out).lower().endswith(".xlsx"):
        raise UsageError(f"--out {args.out}: the form is an .xlsx file; give a name ending in .xlsx")
    try:
        out = write_template(args.out, agency, config.catalog)
    except OSError as e:
        raise UsageError(f"cannot write {args.out}: {e.strerror or e}") from None
    print(f"written {out}: form for {agency.code} {agency.name}, {len(config.catalog.items)} items")
    return 0
