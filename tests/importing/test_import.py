"""`sheets-sync import` (issue 7): agencies' Excel and CSV files of many shapes -> exactly the expected
URLs in the sheet, on every backend harness; files that are not an OIT form, or whose agency cannot be
told, are refused with a clear message. Files are built here with openpyxl; no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from sheets_sync.core.models import RowKey
from sheets_sync.importing import agency as import_agency
from sheets_sync.importing import importer
from sheets_sync.importing import read as import_read
from sheets_sync.importing import template
from sheets_sync.importing.importer import Outcome, plan_merge, same_links
from sheets_sync.importing.table import Entry
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
from tests.support.importing import SUBSET, run, sheet_urls


# ---------------------------------------------------------------- building files
def xlsx(path: Path, rows, merges=(), links=None, title="Sheet1", extra_sheets=()) -> Path:
    """Writes rows (lists of values; None for blank) to a workbook; links maps "E7" -> target."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for ref, target in (links or {}).items():
        ws[ref].hyperlink = target
    for name, extra in extra_sheets:
        other = wb.create_sheet(name)
        for row in extra:
            other.append(list(row))
    wb.save(path)
    return path


def entries(path: Path, catalog, agencies, agency=None) -> dict[str, str]:
    source = import_read.read_source(path)
    ident, tables, parsed, error = importer.parse_source(source, catalog, agencies, agency)
    assert error is None, error
    return {e.item: e.url_text for e in parsed.entries}


def titled_thai(tmp_path: Path) -> Path:
    """Merged title rows, a blank row, Thai headers, Thai digits, a running-number column, a vertically
    merged code cell with two links, labels around a link, an unknown item, a cell without a link."""
    rows = [
        ["แบบรายงานการเผยแพร่ข้อมูล OIT ประจำปี ๒๕๖๖", None, None, None],
        ["องค์การบริหารส่วนตำบลท่าตุ้ม อำเภอป่าซาง จังหวัดลำพูน", None, None, None],
        [None, None, None, None],
        ["ลำดับ", "รหัส", "รายการข้อมูล", "ที่อยู่เว็บไซต์ (URL)"],
        [None, None, None, None],
        [1, "๐๑", "โครงสร้าง", "https://thatum.go.th/structure"],
        [2, "o02", "ข้อมูลผู้บริหาร", "ลิงก์: https://thatum.go.th/executive (ข้อมูลปี ๒๕๖๖)"],
        [3, "3", "อำนาจหน้าที่", "www.thatum.go.th/authority"],
        [4, "O 9", "Social Network", "https://facebook.com/thatum"],
        [5, None, None, "https://youtube.com/@thatum"],
        [6, "O44", "อื่น ๆ", "https://thatum.go.th/x"],
        [7, "๐๑๒", "รายงานการกำกับติดตาม", "ดูเอกสารแนบ"],
        [8, "O13", "รายงานผลการดำเนินงานประจำปี", None],
        [None, None, "ลงชื่อ ............ ผู้รายงาน", None],
    ]
    return xlsx(tmp_path / "report.xlsx", rows, merges=("A1:D1", "A2:D2", "B9:B10"))


THATUM = {
    "O1": "https://thatum.go.th/structure",
    "O2": "https://thatum.go.th/executive",
    "O3": "www.thatum.go.th/authority",
    "O9": "https://facebook.com/thatum\nhttps://youtube.com/@thatum",
}


def english_links(tmp_path: Path) -> Path:
    """English headers, a running number headed "No.", hyperlinks with labels, a HYPERLINK formula,
    a hyperlink whose display text is another URL (neither is imported), a mailto link."""
    rows = [
        ["No.", "Item", "Description", "Link", "Note"],
        [1, "O1", "Structure", "click here", None],
        [2, "O2", "Executives", '=HYPERLINK("https://lee.go.th/o2","ข้อ 2")', None],
        [3, "O10", "Privacy policy", "https://lee.go.th/old", "moved"],
        [4, "O11", "Plan", "e-mail us", None],
    ]
    return xlsx(tmp_path / "links.xlsx", rows, links={"D2": "https://lee.go.th/o1", "D4": "https://lee.go.th/pdpa",
                                                      "D5": "mailto:saraban@lee.go.th"})


LEE = {"O1": "https://lee.go.th/o1", "O2": "https://lee.go.th/o2"}


def headerless(tmp_path: Path, name: str = "ITA2566_อบต.เหล่ายาว.xlsx") -> Path:
    rows = [
        ["แบบส่ง URL"],
        ["O1", "โครงสร้าง", None, "https://laoyao.go.th/o1"],
        ["O2", "ข้อมูลผู้บริหาร", None, "https://laoyao.go.th/o2"],
        ["O3", "อำนาจหน้าที่", None, None],
        [None, None, None, None],
        ["O4", "แผนพัฒนา", None, "http://laoyao.go.th/o4"],
    ]
    return xlsx(tmp_path / name, rows)


LAOYAO = {"O1": "https://laoyao.go.th/o1", "O2": "https://laoyao.go.th/o2", "O4": "http://laoyao.go.th/o4"}


# ---------------------------------------------------------------- reading shapes (pure, no sheet)
def test_title_rows_merged_cells_thai_headers_and_digits(tmp_path, config):
    path = titled_thai(tmp_path)
    source = import_read.read_source(path)
    ident, tables, parsed, error = importer.parse_source(source, config.catalog, config.agencies)
    assert error is None and ident.code == "abt-thatum"
    assert (tables[0].header_row, tables[0].item_col, tables[0].url_col) == (3, 1, 3)
    assert {e.item: e.url_text for e in parsed.entries} == THATUM
    whys = {u.where: u.why for u in parsed.unreadable}
    assert set(whys) == {"row 11", "row 12"}
    assert "O44 is not an item" in whys["row 11"] and "no usable link in 'ดูเอกสารแนบ'" in whys["row 12"]
    assert parsed.empty_items == ("O13",)


def test_english_headers_hyperlink_targets_and_formulas(tmp_path, config):
    path = english_links(tmp_path)
    assert entries(path, config.catalog, config.agencies, agency="tt-li") == LEE
    _, tables, parsed, _ = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies,
                                                 "tt-li")
    assert tables[0].item_col == 1  # "Item", not the running number under "No."
    assert [u.why for u in parsed.unreadable] == [
        "O10: not imported: the cell shows 'https://lee.go.th/old' but its hyperlink goes to 'https://lee.go.th/pdpa'; "
        "which one is meant cannot be told (a typed-over cell keeps its old hyperlink): make them agree in the file, "
        "or type the link into the sheet",
        "O11: no usable link in 'e-mail us' (not a web address), "
        "hyperlink to 'mailto:saraban@lee.go.th' (not an http(s) link)"]


def test_a_cell_showing_one_address_and_linking_to_another_puts_neither_on_its_item(tmp_path, config):
    """The agency copied its O4 row to O5 and typed O5's link over it: Excel kept O4's hyperlink, and
    the import put O4's address on O5 (the target won), an item the form showed right. A cell that
    shows its own target, or two links of which Excel linked the first, is imported as it shows."""
    rows = [["ข้อ", "URL"],
            ["O4", "https://lee.go.th/o4"],
            ["O5", "https://lee.go.th/o5"],
            ["O6", "https://LEE.go.th/o6/"],
            ["O7", "https://lee.go.th/o7\nhttps://lee.go.th/o7-annex"],
            ["O8", "https://lee.go.th/o8.pdf"],
            ["O9", "https://lee.go.th/#/ita/o9"]]
    path = xlsx(tmp_path / "tt-li.xlsx", rows, links={"B2": "https://lee.go.th/o4", "B3": "https://lee.go.th/o4",
                                                      "B4": "https://lee.go.th/o6", "B5": "https://lee.go.th/o7",
                                                      "B6": "https://lee.go.th/o8.pdf#page=3",
                                                      "B7": "https://lee.go.th/#/ita/o4"})  # a site routed by '#/'
    _, _, parsed, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
    assert error is None
    assert {e.item: e.url_text for e in parsed.entries} == {
        "O4": "https://lee.go.th/o4", "O6": "https://lee.go.th/o6",
        "O7": "https://lee.go.th/o7\nhttps://lee.go.th/o7-annex", "O8": "https://lee.go.th/o8.pdf#page=3"}
    o5, o9 = parsed.unreadable
    assert o9.why.startswith("O9: not imported: the cell shows 'https://lee.go.th/#/ita/o9' but its hyperlink goes")
    assert o5.where == "row 3" and o5.why.startswith(
        "O5: not imported: the cell shows 'https://lee.go.th/o5' but its hyperlink goes to 'https://lee.go.th/o4'")
    # and the form's instructions, which say the hyperlink's target is read, say so to the agency
    (hyperlinks,) = [line for line in template.guide_lines(config.catalog) if "ไฮเปอร์ลิงก์" in line]
    assert "ระบบจะไม่นำเข้าข้อนั้น ให้แก้ไขให้ตรงกัน" in hyperlinks


def test_an_item_two_sheets_give_other_links_is_not_imported_as_both(tmp_path, config):
    """The agency kept its first draft beside the corrected copy Excel made ("ส่ง URL (2)"): O1's old
    and new links were imported together, one a line, and the old one went to ITAS beside the new.
    Sheets that agree, and one sheet per round, import as before."""
    draft = [["ข้อ", "URL"], ["O1", "https://lee.go.th/old-o1"], ["O2", "https://lee.go.th/o2"]]
    fixed = [["ข้อ", "URL"], ["O1", "https://lee.go.th/new-o1"], ["O2", "https://LEE.go.th/o2/"],
             ["O5", "https://lee.go.th/o5"]]
    path = xlsx(tmp_path / "tt-li.xlsx", draft, title="ส่ง URL", extra_sheets=[("ส่ง URL (2)", fixed)])
    _, _, parsed, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
    assert error is None
    assert {e.item: e.url_text for e in parsed.entries} == {"O2": "https://lee.go.th/o2", "O5": "https://lee.go.th/o5"}
    (o1,) = parsed.unreadable
    assert o1.where == "sheet 'ส่ง URL' row 2"
    assert o1.why == ("O1: not imported: sheet 'ส่ง URL' gives 'https://lee.go.th/old-o1', sheet 'ส่ง URL (2)' gives "
                      "'https://lee.go.th/new-o1'; the sheets disagree (an older copy of the form?): keep the right "
                      "sheet only")


@pytest.mark.parametrize("header", ["ข้อ", "No.", "ลำดับข้อ"])
def test_a_running_number_headed_as_the_item_does_not_number_the_items(tmp_path, config, header):
    """A form of the round-2 items only: its ข้อ column counts 1, 2, 3 and each title begins with its
    O-code. The running number was read as the item, and O12's link was put on O1, O13's on O2."""
    rows = [[header, "รายการข้อมูล", "URL"],
            [1, "O12 รายงานการกำกับติดตามการดำเนินงาน ประจำปี รอบ 6 เดือน", "https://lee.go.th/o12"],
            [2, "O13 รายงานผลการดำเนินงานประจำปี", "https://lee.go.th/o13"],
            [3, "o14 คู่มือหรือมาตรฐานการปฏิบัติงาน", None]]
    path = xlsx(tmp_path / "tt-li.xlsx", rows)
    _, tables, parsed, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
    assert error is None and tables[0].item_col == 1
    assert {e.item: e.url_text for e in parsed.entries} == {"O12": "https://lee.go.th/o12",
                                                            "O13": "https://lee.go.th/o13"}
    assert parsed.empty_items == ("O14",) and parsed.unreadable == ()


def test_one_link_given_for_several_items_is_listed_not_put_on_the_first(tmp_path, config):
    """'O1 และ O2' beside one link was read as O1 alone: the link went to O1, and O2 was left empty
    without a word. Which items the link serves cannot be told from the row: it is listed."""
    rows = [["ข้อ", "รายการข้อมูล", "URL"],
            ["O1 และ O2", "โครงสร้าง และข้อมูลผู้บริหาร", "https://lee.go.th/o1"],
            ["3 และ 4", "อำนาจหน้าที่ และแผนพัฒนา", "https://lee.go.th/o3"],
            ["O5 (ลิงก์เดียวกับ O6)", "แผนการดำเนินงาน", "https://lee.go.th/o5"],
            ["O10 - 2566", "แผนการดำเนินงานประจำปี", "https://lee.go.th/o10"],
            ["O12 รายงาน รอบ 6 เดือน", None, "https://lee.go.th/o12"]]
    path = xlsx(tmp_path / "tt-li.xlsx", rows)
    _, _, parsed, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
    assert error is None
    assert {e.item: e.url_text for e in parsed.entries} == {"O10": "https://lee.go.th/o10",
                                                            "O12": "https://lee.go.th/o12"}
    whys = {u.where: u.why for u in parsed.unreadable}
    assert set(whys) == {"row 2", "row 3", "row 4"}
    assert whys["row 2"].startswith("O1: not imported: the item cell 'O1 และ O2' names O1 O2 with one link;")
    assert "names O3 O4" in whys["row 3"] and "names O5 O6" in whys["row 4"]


def test_an_agencys_own_form_titled_with_another_year_is_refused(tmp_path, config):
    """A form the agency made itself has no year property: last year's file ("แบบรายงาน OIT ประจำปี
    ๒๕๖๕"), sent again by mistake, filled this year's renumbered items with last year's links."""
    path = titled_thai(tmp_path)
    wb = load_workbook(path)
    wb.active["A1"] = "แบบรายงานการเผยแพร่ข้อมูล OIT ประจำปี ๒๕๖๕"
    wb.save(path)
    _, _, parsed, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
    assert parsed is None and error.startswith(
        "its title (sheet 'Sheet1' cell A1 'แบบรายงานการเผยแพร่ข้อมูล OIT ประจำปี 2565') names ITA/OIT 2565, not the "
        "sheet's 2566")
    # this year's title, or one naming both years (last fiscal year's data), is this year's form
    for title in ("แบบรายงาน ITA ปี 2566", "OIT ประจำปี พ.ศ. 2566 (ข้อมูลปีงบประมาณ 2565)"):
        wb.active["A1"] = title
        wb.save(path)
        assert entries(path, config.catalog, config.agencies) == THATUM


def test_an_itas_list_sent_back_as_csv_imports_its_text_without_the_formula_guard(sheet, config, tmp_path):
    """`export` writes "'- อยู่ท้ายหน้า" in CSV so that no spreadsheet runs it as a formula; the agency
    edited its list and sent it back, and the import wrote the apostrophe into the sheet, whence it
    went on to ITAS. A HYPERLINK formula so guarded gives its link, as in any other file."""
    from datetime import datetime

    from sheets_sync.core.clock import BANGKOK
    from sheets_sync.export import itas

    lee = next(a for a in config.agencies if a.code == "tt-li")
    lines = (itas.Line("O1", "โครงสร้าง", "https://lee.go.th/o1", "- อยู่ท้ายหน้า", "", ""),
             itas.Line("O2", "ผู้บริหาร", '=HYPERLINK("https://lee.go.th/o2","ผู้บริหาร")', "+ เมนูผู้บริหาร", "", ""))
    heading = ("รายการสำหรับกรอกในระบบ ITAS", f"หน่วยงาน: {lee.name} ({lee.code})",
               f"ข้อมูลจากแผ่นงาน ณ {datetime(2023, 2, 20, 9, 0, tzinfo=BANGKOK):%d/%m/%Y}")
    path = tmp_path / "tt-li.csv"
    path.write_bytes(itas.render_csv(itas.AgencyList(lee, heading, lines)))
    assert "'- อยู่ท้ายหน้า" in path.read_text(encoding="utf-8-sig")  # guarded as exported
    rep = importer.import_file(path, sheet.backend, config.catalog)
    assert rep.error is None and rep.agency == "tt-li" and rep.parsed.unreadable == ()
    assert sheet_urls(sheet, "tt-li") == {"O1": "https://lee.go.th/o1", "O2": "https://lee.go.th/o2"}
    said = {r.key.item: r.explanation for r in sheet.backend.read(config.catalog).rows if r.key.agency == "tt-li"}
    assert (said["O1"], said["O2"]) == ("- อยู่ท้ายหน้า", "+ เมนูผู้บริหาร")


@pytest.mark.parametrize("name", ["ITA2566_อบต.เหล่ายาว.xlsx", "เหล่ายาว-oit.xlsx", "abt-laoyao.xlsx"])
def test_no_header_row_found_by_content_agency_from_file_name(tmp_path, config, name):
    path = headerless(tmp_path, name)
    source = import_read.read_source(path)
    ident, tables, parsed, error = importer.parse_source(source, config.catalog, config.agencies)
    assert error is None and ident.code == "abt-laoyao" and "file name" in ident.how
    assert tables[0].how == "content"
    assert {e.item: e.url_text for e in parsed.entries} == LAOYAO


def test_csv_exported_from_google_sheets(tmp_path, config):
    text = ('ข้อ,หัวข้อ,URL\r\nO1,โครงสร้าง,https://laoyao.go.th/o1\r\n'
            'O9,Social Network,"https://facebook.com/laoyao\nhttps://youtube.com/laoyao"\r\n'
            'O5,ข้อมูลการติดต่อ,\r\n')
    path = tmp_path / "abt-laoyao - ส่ง URL.csv"
    path.write_text(text, encoding="utf-8")
    assert entries(path, config.catalog, config.agencies) == {
        "O1": "https://laoyao.go.th/o1", "O9": "https://facebook.com/laoyao\nhttps://youtube.com/laoyao"}


def test_csv_with_bom_and_semicolons(tmp_path, config):
    path = tmp_path / "form.csv"
    path.write_bytes("\ufeffหน่วยงาน: ทต.ลี้;;\nลำดับข้อ;ลิงก์ข้อมูล;\n๐๑;https://lee.go.th/a?x=1,2;\n"
                     "๐๒;https://lee.go.th/b;\n".encode("utf-8"))
    assert entries(path, config.catalog, config.agencies) == {"O1": "https://lee.go.th/a?x=1,2",
                                                              "O2": "https://lee.go.th/b"}


def test_csv_of_links_with_escaped_ampersands_is_read_by_its_commas(tmp_path, config):
    # Joomla links copied from a page's source carry "&amp;" (three ";" a line): counted alone,
    # the ";" made the form a ";" file, and it was refused as no form at all
    link = "https://lee.go.th/index.php?option=com_content&amp;view=article&amp;id={}&amp;Itemid=7"
    path = tmp_path / "lee.csv"
    path.write_text("ข้อ,หัวข้อ,URL\n" + "".join(f"O{n},ข้อ {n},{link.format(n)}\n" for n in (1, 2, 3)), encoding="utf-8")
    assert entries(path, config.catalog, config.agencies, agency="tt-li") == {
        f"O{n}": link.format(n) for n in (1, 2, 3)}


def test_csv_in_thai_windows_encoding(tmp_path, config):
    path = tmp_path / "thatum.csv"
    path.write_bytes("รหัส,ลิงก์\r\nO3,https://thatum.go.th/อำนาจหน้าที่\r\n".encode("cp874"))
    assert entries(path, config.catalog, config.agencies, agency="abt-thatum") == {
        "O3": "https://thatum.go.th/อำนาจหน้าที่"}


def test_an_export_of_the_shared_sheet_imports_only_the_named_agency(tmp_path, config):
    header = list(SUBMISSION_HEADERS.values())
    a, i, u, f = (list(SUBMISSION_HEADERS).index(k) for k in ("agency", "item", "url", "final_url"))

    def row(agency, item, url):
        r = [None] * len(header)
        r[a], r[i], r[u], r[f] = agency, item, url, "https://final.example/x"
        return r

    path = xlsx(tmp_path / "copy of sheet.xlsx", [header, row("tt-li", "O1", "https://lee.go.th/1"),
                                                  row("abt-laoyao", "O1", "https://laoyao.go.th/1")])
    assert entries(path, config.catalog, config.agencies, agency="tt-li") == {"O1": "https://lee.go.th/1"}
    _, _, _, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
    assert "several agencies" in error and "--agency" in error


def test_a_workbook_with_one_sheet_per_round(tmp_path, config):
    path = xlsx(tmp_path / "tt-li.xlsx", [["ข้อ", "URL"], ["O1", "https://lee.go.th/1"]], title="รอบ 1",
                extra_sheets=[("รอบ 2", [["ข้อ", "URL"], ["O13", "https://lee.go.th/13"]]),
                              ("หมายเหตุ", [["ส่งภายใน 28 ก.พ. 2566"]])])
    assert entries(path, config.catalog, config.agencies) == {"O1": "https://lee.go.th/1",
                                                              "O13": "https://lee.go.th/13"}


# ---------------------------------------------------------------- refusals
def test_unrelated_spreadsheets_are_refused(tmp_path, config):
    budget = xlsx(tmp_path / "abt-laoyao งบประมาณ.xlsx", [
        ["ประมาณการรายจ่าย ปีงบประมาณ 2566"], ["ลำดับ", "รายการ", "จำนวนเงิน (บาท)"],
        [1, "ค่าตอบแทน", 120000], [2, "ค่าใช้สอย", 80000], [3, "ค่าวัสดุ", 45000]])
    contacts = xlsx(tmp_path / "รายชื่อ.xlsx", [
        ["ลำดับ", "ชื่อหน่วยงาน", "เว็บไซต์"], [1, "อบต.เหล่ายาว", "https://laoyao.go.th"],
        [2, "ทต.ลี้", "https://lee.go.th"], [3, "อบต.ท่าตุ้ม", "https://thatum.go.th"]])
    for path in (budget, contacts):
        _, _, _, error = importer.parse_source(import_read.read_source(path), config.catalog, config.agencies)
        assert error == importer.NO_TABLE
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(import_read.ImportFileError, match="save it as .xlsx or .csv"):
        import_read.read_source(tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(import_read.ImportFileError, match="not a readable .xlsx"):
        import_read.read_source(tmp_path / "broken.xlsx")


def test_an_ods_or_xls_saved_under_the_xlsx_name_is_named_as_such(tmp_path):
    """LibreOffice's "Keep current format" and an old Excel's Save As keep the .xlsx name; the refusal
    said "KeyError: There is no item named '[Content_Types].xml' in the archive"."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "tt-li.xlsx", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    (tmp_path / "abt-laoyao.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    for name, what in (("tt-li.xlsx", r"an OpenDocument spreadsheet \(\.ods\)"),
                       ("abt-laoyao.xlsx", r"an Excel 97-2003 file \(\.xls\)")):
        with pytest.raises(import_read.ImportFileError, match=f"^{what} saved under the .xlsx name; open it and "
                                                              r"save it as an Excel Workbook \(\.xlsx\)"):
            import_read.read_source(tmp_path / name)


def test_agency_is_never_guessed(tmp_path, config):
    table = [["ข้อ", "URL"], ["O1", "https://x.go.th/1"]]
    nobody = xlsx(tmp_path / "form.xlsx", [["แบบส่ง URL จังหวัดลำพูน"], *table])
    two = xlsx(tmp_path / "two.xlsx", [["อบต.เหล่ายาว และ ทต.ลี้"], *table])
    other = xlsx(tmp_path / "other.xlsx", [["หน่วยงาน: อบต.เหล่ายาว"], *table])
    errors = {p.name: importer.parse_source(import_read.read_source(p), config.catalog, config.agencies, agency)[3]
              for p, agency in ((nobody, None), (two, None), (other, "tt-li"))}
    assert errors["form.xlsx"].startswith("cannot tell which agency")
    assert "several agencies" in errors["two.xlsx"] and "abt-laoyao" in errors["two.xlsx"] \
        and "tt-li" in errors["two.xlsx"]
    assert errors["other.xlsx"].startswith("--agency tt-li but the file names another agency: abt-laoyao")
    # --agency settles the first two
    assert entries(nobody, config.catalog, config.agencies, agency="tt-li") == {"O1": "https://x.go.th/1"}
    assert entries(two, config.catalog, config.agencies, agency="tt-li") == {"O1": "https://x.go.th/1"}


@pytest.mark.parametrize("text,expected", [
    ("ทต.ลี้", {"tt-li"}),
    ("เทศบาลตำบลลี้ อำเภอลี้ จังหวัดลำพูน", {"tt-li"}),
    ("อำเภอลี้ จังหวัดลำพูน", set()),  # an address names no agency; the province only when alone
    ("หน่วยงาน: จังหวัดลำพูน", {"province"}),
    ("องค์การบริหารส่วนจังหวัดลำพูน", {"pao-lamphun"}),
    ("อบจ.ลำพูน", {"pao-lamphun"}),
    ("เทศบาลเมืองลำพูน", {"tm-lamphun"}),
    ("เทศบาลตำบลเหล่ายาว", {"abt-laoyao"}),  # the type changed, the name did not
    ("อบต. ท่าตุ้ม", {"abt-thatum"}),
    ("องค์การบริหารส่วนตำบลทากาศ", {"tt-thakat"}),  # the type only breaks ties between equal names
])
def test_agency_names_are_compared_without_type_prefixes(all_agencies, text, expected):
    assert import_agency.AgencyMatcher(all_agencies).names_in(text) == expected


def test_a_file_named_only_by_a_name_two_agencies_bear_says_so(all_agencies):
    """"ITA66_ทุ่งหัวช้าง.xlsx": both the เทศบาลตำบล and the อบต. bear the name; the refusal said the
    file named no agency at all."""
    from sheets_sync.importing.read import SheetCells, Source

    ident = import_agency.identify_agency(Source("ITA66_ทุ่งหัวช้าง.xlsx", (SheetCells("Sheet1", ()),)), all_agencies)
    assert ident.code is None and "'ทุ่งหัวช้าง', the name of 2 agencies" in ident.error
    assert "tt-thunghuachang" in ident.error and "abt-thunghuachang" in ident.error


def test_file_names_ignore_the_shared_name_of_the_province(all_agencies):
    matcher = import_agency.AgencyMatcher(all_agencies)
    assert matcher.in_file_name("ITA66 ลำพูน เหล่ายาว.xlsx") == {"abt-laoyao"}
    assert matcher.in_file_name("oit_tt-li_final.xlsx") == {"tt-li"}
    assert matcher.in_file_name("รวม.xlsx") == set()


# ---------------------------------------------------------------- the merge plan (pure)
def test_plan_fills_empty_keeps_same_reports_conflicts():
    cur = {RowKey("a", "O1"): "", RowKey("a", "O2"): "https://X.go.th/2", RowKey("a", "O3"): "https://x.go.th/old"}
    new = [Entry("O1", "https://x.go.th/1", "row 2"), Entry("O2", "https://x.go.th/2", "row 3"),
           Entry("O3", "https://x.go.th/3", "row 4"), Entry("O4", "https://x.go.th/4", "row 5")]
    assert [s.outcome for s in plan_merge(cur, "a", new)] == [Outcome.FILL, Outcome.SAME, Outcome.CONFLICT,
                                                              Outcome.NO_ROW]
    steps = plan_merge(cur, "a", new, overwrite=True)
    assert steps[2].outcome is Outcome.OVERWRITE
    assert importer.writes_of(steps) == {RowKey("a", "O1"): ("", "https://x.go.th/1"),
                                         RowKey("a", "O3"): ("https://x.go.th/old", "https://x.go.th/3")}
    assert same_links("https://x.go.th", "https://X.GO.TH/") and not same_links("ดูเว็บ", "ดูเว็บไซต์")


def test_an_explanation_is_written_only_beside_the_link_it_explains():
    """A file's O2 conflicts with the sheet's link (left as it is without --overwrite): its
    explanation, about the file's link, was written beside the sheet's other one."""
    cur_urls = {RowKey("a", "O1"): "", RowKey("a", "O2"): "https://x.go.th/old"}
    cur_said = {RowKey("a", "O1"): "", RowKey("a", "O2"): ""}
    new = [Entry("O1", "https://x.go.th/1", "row 2", "หน้า 3"), Entry("O2", "https://x.go.th/2", "row 3", "หน้า 5")]
    held = frozenset(s.key for s in plan_merge(cur_urls, "a", new) if s.outcome is Outcome.CONFLICT)
    said = importer.plan_explanations(cur_said, "a", new, held=held)
    assert [s.outcome for s in said] == [Outcome.FILL, Outcome.CONFLICT]
    assert importer.writes_of(said) == {RowKey("a", "O1"): ("", "หน้า 3")}
    # with --overwrite both the link and its explanation are written
    held = frozenset(s.key for s in plan_merge(cur_urls, "a", new, overwrite=True) if s.outcome is Outcome.CONFLICT)
    assert [s.outcome for s in importer.plan_explanations(cur_said, "a", new, True, held)] == [Outcome.FILL,
                                                                                              Outcome.FILL]


# ---------------------------------------------------------------- through the backends
def test_write_urls_by_key_refuses_changed_cells_and_writes_text(sheet, config):
    sheet.edit_now(lambda e: e.set_url("tt-li", "O2", "https://lee.go.th/typed"))
    formula_like = "=HYPERLINK(\"https://lee.go.th/3\")"

    def agency_edits(e):  # between plan and write: a sort, and the agency types into O4
        e.reorder(lambda row: g.text(row[e.cols["item"]]), reverse=True)
        e.set_url("tt-li", "O4", "https://lee.go.th/typed-4")

    sheet.edit_before_write(agency_edits)
    report = sheet.backend.write_urls({
        RowKey("tt-li", "O1"): ("", "https://lee.go.th/1"),
        RowKey("tt-li", "O2"): ("https://lee.go.th/typed", "https://lee.go.th/2"),
        RowKey("tt-li", "O3"): ("", formula_like),
        RowKey("tt-li", "O4"): ("", "https://lee.go.th/4"),
        RowKey("tt-li", "O99"): ("", "https://lee.go.th/99"),
    })
    assert report.written == 3
    assert report.stale == (RowKey("tt-li", "O4"),) and report.missing == (RowKey("tt-li", "O99"),)
    assert sheet_urls(sheet, "tt-li") == {"O1": "https://lee.go.th/1", "O2": "https://lee.go.th/2",
                                          "O3": formula_like, "O4": "https://lee.go.th/typed-4"}
    assert sheet_urls(sheet, "abt-laoyao") == {}


def test_import_fills_keeps_conflicts_and_overwrites_on_request(sheet, config, tmp_path):
    path = titled_thai(tmp_path)
    sheet.edit_now(lambda e: (e.set_url("abt-thatum", "O2", "https://thatum.go.th/executive"),
                              e.set_url("abt-thatum", "O3", "https://thatum.go.th/typed-by-agency")))
    dry = importer.import_file(path, sheet.backend, config.catalog, dry_run=True)
    assert (dry.count(Outcome.FILL), dry.count(Outcome.SAME), dry.count(Outcome.CONFLICT)) == (2, 1, 1)
    assert sheet_urls(sheet, "abt-thatum") == {"O2": "https://thatum.go.th/executive",
                                               "O3": "https://thatum.go.th/typed-by-agency"}
    lines = importer.report_lines(dry)
    assert "  would be filled 2: O1 O9" in lines
    assert any("O3 (row 8): sheet https://thatum.go.th/typed-by-agency / file www.thatum.go.th/authority" in line
               for line in lines)
    assert any(line.startswith("    row 12: O12: no usable link") for line in lines)

    done = importer.import_file(path, sheet.backend, config.catalog)
    assert done.write.written == 2 and done.error is None
    assert sheet_urls(sheet, "abt-thatum") == {**THATUM, "O3": "https://thatum.go.th/typed-by-agency"}
    again = importer.import_file(path, sheet.backend, config.catalog, overwrite=True)
    assert again.write.written == 1 and again.count(Outcome.SAME) == 3
    assert sheet_urls(sheet, "abt-thatum") == THATUM
    for other in SUBSET:
        if other != "abt-thatum":
            assert sheet_urls(sheet, other) == {}


@pytest.mark.parametrize("shape", ["english", "headerless", "csv"])
def test_every_shape_lands_exactly(sheet, config, tmp_path, shape):
    if shape == "english":
        path, agency, expected, code = english_links(tmp_path), "tt-li", LEE, "tt-li"
    elif shape == "headerless":
        path, agency, expected, code = headerless(tmp_path), None, LAOYAO, "abt-laoyao"
    else:
        path = tmp_path / "ทต.ลี้.csv"
        path.write_bytes("\ufeffข้อ,URL\r\n๐๕,https://lee.go.th/contact\r\n".encode("utf-8"))
        agency, expected, code = None, {"O5": "https://lee.go.th/contact"}, "tt-li"
    rep = importer.import_file(path, sheet.backend, config.catalog, agency=agency)
    assert rep.error is None and rep.agency == code
    assert sheet_urls(sheet, code) == expected


def test_a_link_typed_in_full_width_lands_as_the_agency_typed_it(sheet, config, tmp_path):
    # an imported link is the agency's text, its label left out (as "www.thatum.go.th/authority" is): it was the
    # text as read in ASCII, "／／www.laoyao.go.th/o1" and "ｈｔｔｐｓ://laoyao.go.th/o2", which no agency typed
    rows = [["แบบส่ง URL"], ["O1", "โครงสร้าง", None, "www.laoyao.go.th／ｏ１"],
            ["O2", "ข้อมูลผู้บริหาร", None, "O2ｈｔｔｐｓ：／／ｌａｏｙａｏ．ｇｏ．ｔｈ／ｏ２ (ปี ๒๕๖๖)"]]
    rep = importer.import_file(xlsx(tmp_path / "ITA2566_อบต.เหล่ายาว.xlsx", rows), sheet.backend, config.catalog)
    assert rep.error is None and rep.agency == "abt-laoyao"
    assert sheet_urls(sheet, "abt-laoyao") == {"O1": "www.laoyao.go.th／ｏ１", "O2": "ｈｔｔｐｓ：／／ｌａｏｙａｏ．ｇｏ．ｔｈ／ｏ２"}


# ---------------------------------------------------------------- the command line
def test_cli_import_reports_per_file_and_exits_2_for_refused_files(workdir, capsys):
    assert run(capsys, "init")[0] == 0
    good = titled_thai(workdir)
    budget = xlsx(workdir / "budget.xlsx", [["ลำดับ", "รายการ", "จำนวนเงิน"], [1, "ค่าวัสดุ", 100]])
    code, out, _ = run(capsys, "import", "--dry-run", str(good))
    assert code == 0 and out.startswith("dry run: nothing is written")
    assert "would be filled 4: O1 O2 O3 O9" in out
    code, out, _ = run(capsys, "import", str(good), str(budget), "missing.xlsx")
    assert code == 2
    assert "report.xlsx: agency abt-thatum" in out and "  filled 4: O1 O2 O3 O9" in out
    assert "budget.xlsx: NOT IMPORTED: no table of item codes and links found" in out
    assert "missing.xlsx: NOT IMPORTED: file not found" in out
    (workdir / "forms").mkdir()
    code, out, _ = run(capsys, "import", str(workdir / "forms"))  # a folder: was "file not found"
    assert code == 2 and "NOT IMPORTED: a folder, not a file: give its files" in out
    code, out, _ = run(capsys, "import", str(good))
    assert code == 0 and "already the same 4" in out and "filled 0" in out
    code, _, err = run(capsys, "import", "--agency", "nobody", str(good))
    assert code == 2 and "unknown agency code 'nobody'" in err


def test_cli_import_exits_3_when_the_sheet_is_missing(workdir, capsys):
    code, _, err = run(capsys, "import", str(titled_thai(workdir)))
    assert code == 3 and "sheets-sync init" in err



def test_on_google_sheets_rows_protected_against_the_worker_do_not_cost_the_others_their_import(
        tmp_path, config, caplog):
    """A coordinator protects some of an agency's rows "only me" (say, round 1 closed): Google refuses a
    batch with one of their cells in it, and none of the file's URLs or explanations were imported. Those
    rows are left as they are, the others written, and the report and the log say which rows and which
    account to add to the range, as the verdict write does."""
    from tests.support.fake_sheets import as_user
    from tests.support.sheets import GSheetsHarness, submissions_sheet

    sheet = GSheetsHarness(tmp_path)
    sheet.backend.ensure_layout(config.catalog, config.agencies)
    tab = submissions_sheet(sheet.fake, sheet.sid)
    grid = tab.grid()
    cols = g.columns(grid[0], SUBMISSION_HEADERS, "", required=())
    row = next(n for n, r in enumerate(grid) if g.text(r[cols["agency"]]) == "abt-thatum"
               and g.text(r[cols["item"]]) == "O2")
    coordinator = as_user(sheet.fake, tmp_path, sheet.sid, "coordinator@example.org")
    coordinator.batch_update(sheet.sid, {"requests": [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": tab.sheet_id, "startRowIndex": row, "endRowIndex": row + 1},
        "description": "รอบ 1 ปิดแล้ว", "editors": {"users": ["coordinator@example.org"]}}}}]})
    path = xlsx(tmp_path / "abt-thatum.xlsx", [["ข้อ", "URL", "คำอธิบายเพิ่มเติม"],
                                               ["O1", "https://thatum.go.th/o1", "หน้าแรก"],
                                               ["O2", "https://thatum.go.th/o2", "เมนูผู้บริหาร"],
                                               ["O3", "https://thatum.go.th/o3", "เมนูเกี่ยวกับเรา"]])

    rep = importer.import_file(path, sheet.backend, config.catalog)

    assert rep.error is None and rep.agency == "abt-thatum"
    assert sheet_urls(sheet, "abt-thatum") == {"O1": "https://thatum.go.th/o1", "O3": "https://thatum.go.th/o3"}
    grid = sheet.grid(TAB_SUBMISSIONS)
    said = {g.text(r[cols["item"]]): g.text(g.cell(r, cols["explanation"])) for r in grid[1:]
            if g.text(r[cols["agency"]]) == "abt-thatum" and g.text(g.cell(r, cols["explanation"]))}
    assert said == {"O1": "หน้าแรก", "O3": "เมนูเกี่ยวกับเรา"}
    protected = (RowKey("abt-thatum", "O2"),)
    assert (rep.write.written, rep.write.refused) == (2, protected)
    assert (rep.explanation_write.written, rep.explanation_write.refused) == (2, protected)
    lines = importer.report_lines(rep)
    account = sheet.creds.email
    assert "  filled 2: O1 O3" in lines and any(line.startswith("  explanations: written 2: O1 O3") for line in lines)
    refused = [line for line in lines if line.startswith("  NOT IMPORTED: ")]
    assert len(refused) == 2 and all(f"protected against the worker's account {account}" in line
                                     and "(O2)" in line and f"add {account} as an editor" in line for line in refused)
    assert "their imported URLs are not written" in refused[0]
    assert "their imported explanations are not written" in refused[1]
    assert f"account {account}, so their imported URLs are not written (abt-thatum/O2)" in caplog.text
