"""`sheets-sync template` (issue 7): the province's Excel form for one agency, and the round trip
form -> filled by the agency (plain text, hyperlinks, Thai labels) -> import -> exactly those URLs."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from sheets_sync.importing import agency as import_agency
from sheets_sync.importing import importer, template
from sheets_sync.importing import read as import_read
from sheets_sync.importing.importer import Outcome
from tests.support.importing import SUBSET, run, sheet_urls


def agency(config, code):
    return next(a for a in config.agencies if a.code == code)


def test_form_has_title_agency_header_43_items_and_thai_instructions(tmp_path, config):
    path = template.write_template(tmp_path / "form.xlsx", agency(config, "abt-laoyao"), config.catalog)
    wb = load_workbook(path)
    assert wb.sheetnames == [template.FORM_SHEET, template.GUIDE_SHEET]
    ws = wb[template.FORM_SHEET]
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "หน่วยงาน: องค์การบริหารส่วนตำบลเหล่ายาว" and ws["E2"].value == "อำเภอ: บ้านโฮ่ง"
    assert ws["A3"].value == "รหัสหน่วยงาน: abt-laoyao"
    assert [c.value for c in ws[template.HEADER_ROW]] == list(template.HEADERS)
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=template.HEADER_ROW + 1)]
    assert [r[0] for r in body] == [f"O{n}" for n in range(1, 44)]
    assert body[0][1:4] == ["โครงสร้าง", 1, "31 ม.ค. 2566"]
    assert body[12][1:4] == ["รายงานผลการดำเนินงานประจำปี", 2, "28 ก.พ. 2566"]
    assert body[42][2:4] == [3, "7 เม.ย. 2566"]
    assert all(r[4] is None and r[5] is None for r in body)
    guide = [c.value for c in wb[template.GUIDE_SHEET]["A"] if c.value]
    assert guide[0].startswith("คำชี้แจงการกรอกแบบฟอร์มส่ง URL")
    assert guide[-1] == ("กำหนดส่ง: รอบที่ 1 ภายใน 31 ม.ค. 2566 / รอบที่ 2 ภายใน 28 ก.พ. 2566 / "
                         "รอบที่ 3 ภายใน 7 เม.ย. 2566")
    assert {p.name: p.value for p in wb.custom_doc_props.props}[import_agency.AGENCY_PROPERTY] == "abt-laoyao"


def fill(path, drop_property=False, rename=None):
    """Plays the agency: URLs typed plain, pasted as hyperlinks, with Thai labels, two in one cell."""
    wb = load_workbook(path)
    ws = wb[template.FORM_SHEET]
    row = {f"O{n}": template.HEADER_ROW + n for n in range(1, 44)}
    ws.cell(row["O1"], 5).value = "https://www.lamphun.go.th/structure"
    ws.cell(row["O2"], 5).value = "คลิกที่นี่"
    ws.cell(row["O2"], 5).hyperlink = "https://www.lamphun.go.th/executives"
    ws.cell(row["O5"], 5).value = "ลิงก์: https://www.lamphun.go.th/contact (ข้อมูลปี ๒๕๖๖)"
    ws.cell(row["O9"], 5).value = "https://www.facebook.com/lamphun\nhttps://www.youtube.com/@lamphun"
    ws.cell(row["O11"], 5).value = "https://www.lamphun.go.th/plan-2566/"  # as Excel links a typed URL
    ws.cell(row["O11"], 5).hyperlink = "https://www.lamphun.go.th/plan-2566"
    # the explanation column: a link in it is text for ITAS, never imported as the URL
    ws.cell(row["O11"], 6).value = "อยู่ท้ายหน้า https://www.lamphun.go.th/not-this-one"
    if drop_property:
        wb.custom_doc_props.props = []
    wb.save(rename or path)
    return rename or path


EXPECTED = {
    "O1": "https://www.lamphun.go.th/structure",
    "O2": "https://www.lamphun.go.th/executives",
    "O5": "https://www.lamphun.go.th/contact",
    "O9": "https://www.facebook.com/lamphun\nhttps://www.youtube.com/@lamphun",
    "O11": "https://www.lamphun.go.th/plan-2566",
}


def test_template_filled_and_imported_lands_exactly(sheet, config, tmp_path):
    form = template.write_template(tmp_path / "province.xlsx", agency(config, "province"), config.catalog)
    blank = importer.import_file(form, sheet.backend, config.catalog)
    assert blank.error is None and blank.steps == () and len(blank.parsed.empty_items) == 43
    fill(form)
    rep = importer.import_file(form, sheet.backend, config.catalog)
    assert rep.error is None and rep.agency == "province" and rep.parsed.unreadable == ()
    assert rep.count(Outcome.FILL) == 5 and rep.write.written == 5
    assert sheet_urls(sheet, "province") == EXPECTED
    for other in SUBSET:
        if other != "province":
            assert sheet_urls(sheet, other) == {}


def test_a_resaved_form_without_its_property_is_still_identified(tmp_path, config):
    form = template.write_template(tmp_path / "f.xlsx", agency(config, "tt-li"), config.catalog)
    copy = fill(form, drop_property=True, rename=tmp_path / "Copy of form (1).xlsx")
    source = import_read.read_source(copy)
    assert import_agency.AGENCY_PROPERTY not in source.properties
    ident, _, parsed, error = importer.parse_source(source, config.catalog, config.agencies)
    assert error is None and ident.code == "tt-li"
    assert {e.item: e.url_text for e in parsed.entries} == EXPECTED


def test_another_agencys_form_is_refused_with_agency(tmp_path, config):
    form = template.write_template(tmp_path / "f.xlsx", agency(config, "tt-li"), config.catalog)
    _, _, _, error = importer.parse_source(import_read.read_source(form), config.catalog, config.agencies, "abt-laoyao")
    assert error.startswith("--agency abt-laoyao but the file names another agency: tt-li")


def test_cli_template_then_import(workdir, capsys):
    code, out, _ = run(capsys, "template", "--agency", "tt-li", "--out", "forms/tt-li.xlsx")
    assert code == 0 and "written forms/tt-li.xlsx: form for tt-li" in out  # before init: from agencies.yaml
    assert run(capsys, "template", "--agency", "nobody", "--out", "x.xlsx")[0] == 2
    assert run(capsys, "template", "--agency", "tt-li", "--out", "x.csv")[0] == 2
    assert run(capsys, "init")[0] == 0
    fill(workdir / "forms" / "tt-li.xlsx")
    code, out, _ = run(capsys, "import", "forms/tt-li.xlsx")
    assert code == 0 and "filled 5: O1 O2 O5 O9 O11" in out and "could not read 0" in out


@pytest.mark.parametrize("code", ["abt-laoyao", "pao-lamphun", "tm-lamphun"])
def test_each_form_identifies_its_own_agency_by_name_alone(tmp_path, config, code):
    """Even with the code cell and the property gone, the agency name cell is enough, and the
    names that share "ลำพูน" (province, อบจ., เทศบาลเมือง) are not confused."""
    form = template.write_template(tmp_path / "f.xlsx", agency(config, code), config.catalog)
    wb = load_workbook(form)
    wb[template.FORM_SHEET]["A3"] = None
    wb.custom_doc_props.props = []
    wb.save(form)
    ident, _, _, error = importer.parse_source(import_read.read_source(form), config.catalog, config.agencies)
    assert error is None and ident.code == code


@pytest.mark.parametrize("keep_property", [True, False])
def test_last_years_form_is_refused_not_merged_into_this_years_items(tmp_path, config, keep_property):
    """A 2566 form imported into a 2568 sheet (26 renumbered items) filled O1..O26 with last year's
    links under other items' titles (2566's O19 procurement plan in 2568's O19, complaint statistics),
    "filled 26", exit 0. A form made by `template` knows its year: by its property, or its title."""
    import dataclasses

    last_year = dataclasses.replace(config.catalog, year=config.catalog.year - 1)
    form = template.write_template(tmp_path / "f.xlsx", agency(config, "tt-li"), last_year)
    fill(form, drop_property=not keep_property)
    _, _, _, error = importer.parse_source(import_read.read_source(form), config.catalog, config.agencies)
    assert error is not None and error.startswith(f"this is the form of ITA {config.catalog.year - 1}")
    this_year = template.write_template(tmp_path / "g.xlsx", agency(config, "tt-li"), config.catalog)
    fill(this_year)
    _, _, parsed, error = importer.parse_source(import_read.read_source(this_year), config.catalog, config.agencies)
    assert error is None and {e.item: e.url_text for e in parsed.entries} == EXPECTED


def test_the_forms_instructions_name_the_year_each_item_asks_for(config):
    """Instruction 4 said every item must be of the assessment year; annual reports ask for the
    year before, six-month reports for the fiscal year's first half, and some items for no year."""
    line = template.years_line(config.catalog)
    year = config.catalog.year
    rules = {i.code: i.year_rule for i in config.catalog.items}
    none = [c for c, r in rules.items() if not r.checked]
    half = [c for c, r in rules.items() if r.period]
    assert none and half
    assert f"ข้อ {', '.join(none)} ไม่กำหนดปี" in line
    assert f"ข้อ {', '.join(half)} เป็นรายงาน 6 เดือนแรกของปีงบประมาณ พ.ศ. {year}" in line
    wb = load_workbook(template.write_template(__import__("pathlib").Path(config.settings.state_path).parent / "t.xlsx",
                                               config.agencies[0], config.catalog))
    assert line in [c.value for c in wb[template.GUIDE_SHEET]["A"]]
