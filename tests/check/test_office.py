"""Office files' text (sheets_sync.check.office) from real files: Word files as Word writes them,
Excel files written by the real openpyxl, OpenDocument and PowerPoint parts; and what is not
read: cut-off, damaged, binary and bomb-like files."""

from __future__ import annotations

import datetime
import io
import re
import tracemalloc
import zipfile

from sheets_sync.check import content, office
from sheets_sync.check.years import years_in
from tests.support.farm import LEGACY_DOC, make_docx, make_xlsx


def _zip(parts: dict[str, str | bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_word_files_body_headers_and_footers_are_read_with_runs_joined():
    body = make_docx([["แผนการดำเนินงาน ", "ประจำปี ๒๕", "๖๖"], ["ตาราง"]])
    footer = '<w:ftr><w:p><w:r><w:t>ปรับปรุง ณ 1 ต.ค. 2565</w:t></w:r></w:p></w:ftr>'
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    text = office.text(_zip({**parts, "word/footer1.xml": footer}))
    assert "ประจำปี ๒๕๖๖ ตาราง" in text and years_in(text) == (2565, 2566)


def test_an_excel_sheet_gives_strings_dates_and_whole_numbers_never_amounts():
    text = office.text(make_xlsx([["สรุปผล", datetime.datetime(2023, 3, 31, 9, 30), 2566, 2565.75, 1234.5],
                                  ["ปีงบประมาณ", None, 2566.0]]))
    assert text == "สรุปผล 2023-03-31 2566 ปีงบประมาณ 2566"


def test_presentations_and_opendocument_files_are_read():
    slide = '<p:sld><a:p><a:r><a:t>ผลการดำเนินงาน 25</a:t></a:r><a:r><a:t>66</a:t></a:r></a:p></p:sld>'
    pptx = _zip({"[Content_Types].xml": "<Types/>", "ppt/slides/slide1.xml": slide})
    odt = _zip({"mimetype": "application/vnd.oasis.opendocument.text",
                "content.xml": "<office:text><text:p>รายงาน<text:s/>ประจำปี 2566</text:p></office:text>"},
               zipfile.ZIP_STORED)
    assert office.looks_like(pptx) and office.looks_like(odt)
    assert office.text(pptx) == "ผลการดำเนินงาน 2566" and office.text(odt) == "รายงาน ประจำปี 2566"


def test_a_calc_sheets_dates_shown_as_dd_mm_yy_give_their_year():
    # An .ods keeps a date cell's displayed text: "09/01/66" was no year, a false "no 2566"
    cell = '<table:table-cell office:value-type="date" office:date-value="2023-01-09"><text:p>{}</text:p></table:table-cell>'
    ods = _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": "<office:spreadsheet><table:table><table:table-row>" + cell.format("จัดซื้อวัสดุ")
                + cell.format("09/01/66") + "</table:table-row></table:table></office:spreadsheet>"}, zipfile.ZIP_STORED)
    assert years_in(office.text(ods)) == (2566,)
    assert years_in("ลงวันที่ 9/1/66") == (2566,) and years_in("ที่ 0023.3/66 ราคา 12/13/66") == ()


def test_files_that_cannot_be_read_give_no_text_and_a_look_by_hand():
    whole = make_docx([["แผน 2566"]], size=50_000)
    cut = whole[:len(whole) // 2]  # its directory is at the end
    assert office.looks_like(cut) and office.text(cut) is None
    assert office.legacy(LEGACY_DOC) and office.text(LEGACY_DOC) is None
    damaged = whole.replace(b"word/document.xml", b"word/document.xmX")  # in both headers: no text part
    assert office.text(damaged) is None
    for body in (cut, LEGACY_DOC):
        page = content.read(body, {"Content-Type": "application/octet-stream"})
        assert (page.kind, page.text) == ("office", "")
        assert content.examine("http://a.go.th/o19.docx", "http://a.go.th/o19.docx", 200, body, {},
                               page=page) == (("unverifiable_content",), None)


def test_a_zip_of_other_files_is_no_office_file():
    archive = _zip({"o19.pdf": b"%PDF-1.4 ...", "o20.pdf": b"%PDF-1.4 ..."})
    assert not office.looks_like(archive) and office.kind(archive) is None
    assert content.read(archive, {"Content-Type": "application/zip"}).kind == "other"


def test_a_part_that_unpacks_far_beyond_the_limit_is_read_only_so_far():
    """A zip bomb: 256 MB of one letter packs into a quarter of a megabyte; at most
    MAX_PART_BYTES of it is unpacked, so the read holds a few times that, not the 256 MB."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write("<w:p><w:r><w:t>ปี 2566 ".encode())
            chunk = b"a" * (1 << 20)
            for _ in range(256):
                part.write(chunk)
    tracemalloc.start()
    try:
        text = office.text(bomb.getvalue())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text.startswith("ปี 2566 aaa") and len(text) <= office.MAX_TEXT
    assert peak < 8 * office.MAX_PART_BYTES, peak


def test_a_sync_stops_at_the_cell_that_settles_its_year_rules_and_leaves_an_unsettled_giant_to_a_hand(monkeypatch):
    monkeypatch.setattr(office, "MAX_CELLS", 6_000)  # the limit, made small enough to write a file past it quickly
    # a ledger of 9,000 cells, its amounts six-digit numbers (no year), one date of 2023 near its top
    rows = [["รายการ", datetime.date(2023, 1, 1) if i == 10 else "วัสดุ", 100_000 + i] for i in range(3_000)]
    big = make_xlsx(rows)
    settled_early = office.text(big, enough=[(2566,)])
    assert "2023-01-01" in settled_early and len(settled_early) < len(office.text(big)) / 4  # its first batch
    # past MAX_CELLS without a year of a rule: the rest may hold it, so no text (a look by hand) ...
    assert office.text(big, enough=[(2567,)]) is None
    # ... while `sheets-sync check` (no rules) reads as far as it may and reports what it saw
    assert years_in(office.text(big)) == (2566,)
    # a whole file without the year is read to its end: its "no 2567" is known
    small = make_xlsx(rows[:100])
    assert office.text(small, enough=[(2567,)]) == office.text(small)


def test_a_sheet_stated_as_the_whole_grid_is_read_as_its_table():
    """Some exporters state a sheet's size as A1:XFD1048576; openpyxl pads every row to it, so
    the first rows used up the cell limit and the dates below them went unread."""
    body = make_xlsx([["สรุปผลการจัดซื้อจัดจ้าง"]] + [["วัสดุ", 100_000 + i] for i in range(1_000)]
                     + [[datetime.date(2023, 3, 1), "ครุภัณฑ์"]])
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)
    assert b"XFD1048576" in parts["xl/worksheets/sheet1.xml"]
    text = office.text(_zip(parts), enough=[(2566,)])
    assert text is not None and "2023-03-01" in text


def test_empty_rows_count_toward_the_row_limit(monkeypatch):
    """openpyxl gives every row between two with values: a sheet with one cell at its top and one
    a million rows down is a million rows to walk."""
    monkeypatch.setattr(office, "MAX_ROWS", 50)
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "สรุปผล"
    book.active["A80"] = datetime.date(2023, 1, 9)
    buf = io.BytesIO()
    book.save(buf)
    assert office.text(buf.getvalue(), enough=[(2566,)]) is None  # cut at row 50, the rest unknown
    monkeypatch.setattr(office, "MAX_ROWS", 100)
    assert office.text(buf.getvalue(), enough=[(2566,)]) == "สรุปผล 2023-01-09"


def _workbook(sheets, hidden=()) -> bytes:
    """An Excel file written by openpyxl with these sheets (title, rows); `hidden`: titles of hidden ones."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = "hidden" if title in hidden else "visible"
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_workbooks_months_in_its_sheet_names_give_their_years():
    rows = [["แบบ สขร.1 สรุปผลการดำเนินการจัดซื้อจัดจ้าง"], ["ลำดับ", "งานที่จัดซื้อหรือจัดจ้าง", "วงเงิน"],
            [1, "จัดซื้อวัสดุสำนักงาน", 12500.5]]
    months = _workbook([(m, rows) for m in ("ต.ค.65", "พ.ย.65", "ธ.ค.65", "ม.ค.66", "ก.พ.66", "มี.ค.66")])
    assert years_in(office.text(months)) == (2565, 2566)  # was (): a false "no 2566"
    assert years_in(office.text(_workbook([("แผนจัดซื้อ ปี 2566", rows)]))) == (2566,)
    # guards: a hidden sheet's tab is not shown; a tab without a year adds nothing to the text
    assert years_in(office.text(_workbook([("ต.ค.65", rows), ("ปี 2564", rows)], hidden={"ปี 2564"}))) == (2565,)
    assert office.text(_workbook([("Sheet1", [["สรุปผล"]])])) == "สรุปผล"


def test_an_empty_tab_named_for_the_year_is_no_year_of_the_workbook():
    """R4: a workbook with last year's data in its "2565" tab and a blank "2566" tab beside it
    (added for this year, never filled) read the empty tab's name as a year: a false ok."""
    from dataclasses import replace

    from sheets_sync.check.checker import Checker
    from sheets_sync.config.settings import CheckerSettings
    from tests.support.http_servers import LoopbackServer, respond

    rows = [["ลำดับ", "รายการจัดซื้อจัดจ้าง"], [1, "จัดซื้อวัสดุสำนักงาน ปีงบประมาณ 2565"]]
    blank_after = _workbook([("2565", rows), ("2566", [])])
    blank_first = _workbook([("2566", []), ("2565", rows)])
    assert years_in(office.text(blank_after)) == years_in(office.text(blank_first)) == (2565,)
    # guard: a tab that holds anything still names its year, however little it holds
    assert years_in(office.text(_workbook([("2565", rows), ("2566", [["ลำดับ", "รายการ"]])]))) == (2565, 2566)
    xlsx = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    settings = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=5.0, retries=0,
                       soft404_probe=False, allow_private=("127.0.0.1/32",))
    with LoopbackServer({"/o12.xlsx": respond(200, blank_after, xlsx)}) as srv, Checker(settings) as checker:
        result = checker.check(srv.url("/o12.xlsx"))
    assert result.years == (2565,)  # was (2565, 2566): ok for an item of 2566


def _calc(sheets, hidden=()) -> bytes:
    """An .ods as LibreOffice Calc lays it out: sheets (name, rows of strings); `hidden`: names
    of sheets hidden by their table style."""
    styles = ('<office:automatic-styles><style:style style:name="ta1" style:family="table">'
              '<style:table-properties table:display="true"/></style:style><style:style style:name="ta2" '
              'style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles>')
    tables = "".join(
        f'<table:table table:name="{name}" table:style-name="{"ta2" if name in hidden else "ta1"}">'
        + ("".join("<table:table-row>" + "".join(f'<table:table-cell office:value-type="string"><text:p>{c}</text:p>'
                                                 "</table:table-cell>" for c in row) + "</table:table-row>" for row in rows)
           or '<table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row>')
        + "</table:table>" for name, rows in sheets)
    content_xml = (f"<office:document-content>{styles}<office:body><office:spreadsheet>{tables}"
                   "</office:spreadsheet></office:body></office:document-content>")
    return _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content_xml},
                zipfile.ZIP_STORED)


def test_a_calc_workbooks_months_in_its_sheet_names_give_their_years():
    # An .ods's tab names are attributes, dropped with the tags: a summary whose months are only
    # in its tabs was a false "no 2566", where the same workbook saved as .xlsx was read.
    rows = [["ลำดับ", "งานที่จัดซื้อหรือจัดจ้าง"], ["1", "จัดซื้อวัสดุสำนักงาน"]]
    months = _calc([(m, rows) for m in ("ต.ค.65", "พ.ย.65", "ม.ค.66", "มี.ค.66")])
    assert office.looks_like(months) and years_in(office.text(months)) == (2565, 2566)
    # guards: a hidden sheet's tab, an empty tab, and a tab without a year add nothing
    assert years_in(office.text(_calc([("ต.ค.65", rows), ("ปี 2564", rows)], hidden={"ปี 2564"}))) == (2565,)
    assert years_in(office.text(_calc([("ปีงบ 2565", rows), ("2566", [])]))) == (2565,)
    assert office.text(_calc([("Sheet1", [["สรุปผล"]])])) == "สรุปผล"
