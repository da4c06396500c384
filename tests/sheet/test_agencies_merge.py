"""`init` on a workbook made with an earlier agency list and layout: the new agencies are added,
the new ต้องยืนยัน column is filled, and nothing a coordinator typed is corrected (differences are
reported instead)."""

from __future__ import annotations

import dataclasses

from openpyxl import load_workbook

from sheets_sync.config.settings import load_config
from sheets_sync.pipeline import sync as pipeline
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import TAB_AGENCIES, TAB_SUBMISSIONS
from sheets_sync.sheet.xlsx import XlsxBackend

OLD = 14  # agencies in the earlier list (a part of the shipped one keeps the test quick)
NOW = 24


def test_init_adds_new_agencies_and_reports_instead_of_correcting(tmp_path):
    shipped = load_config("config/settings.yaml").with_settings(state_path=str(tmp_path / "state.sqlite"))
    by_code = {a.code: a for a in shipped.agencies}
    keep = [a for a in shipped.agencies if a.code not in ("tt-thasopchai", "tt-li", "abt-laoyao")][:NOW - 3]
    config = dataclasses.replace(shipped, agencies=tuple(keep + [by_code[c] for c in ("tt-li", "abt-laoyao",
                                                                                     "tt-thasopchai")]))
    book = tmp_path / "oit.xlsx"
    backend = XlsxBackend(str(book), tz=config.settings.tz)
    old = [a for a in keep[:OLD - 3]] + [by_code["tt-li"], by_code["abt-laoyao"]]
    old.append(dataclasses.replace(by_code["tt-thasopchai"], district=""))  # its district was unknown then
    pipeline.init(dataclasses.replace(config, agencies=tuple(old)), backend)

    # the earlier layout: "คะแนน 2565" headers and no ต้องยืนยัน column; a coordinator fixed tt-li's site
    wb = load_workbook(book)
    ws = wb[TAB_AGENCIES]
    header = [c.value for c in ws[1]]
    ws.cell(1, header.index("คะแนนปีก่อน") + 1, "คะแนน 2565")
    ws.cell(1, header.index("ระดับปีก่อน") + 1, "ระดับ 2565")
    ws.delete_cols(header.index("ต้องยืนยัน") + 1)
    li = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "tt-li")
    li[header.index("เว็บไซต์ (โดเมน คั่นด้วย ,)")].value = "lee-new.go.th"
    wb.save(book)

    report = pipeline.init(config, backend)
    assert len(report.added_agencies) == NOW - OLD
    assert report.added_rows == (NOW - OLD) * 43
    agencies, _ = g.read_agencies(backend_grid(book, TAB_AGENCIES))
    got = {a.code: a for a in agencies}
    assert len(got) == NOW
    assert got["tt-li"].domains == ("lee-new.go.th",)  # the coordinator's edit stands
    assert got["tt-thasopchai"].district == ""  # not corrected ...
    notes = "\n".join(report.notes)
    assert "agency tt-thasopchai: อำเภอ is '' in the sheet but 'แม่ทา'" in notes  # ... but reported
    assert "agency tt-li: เว็บไซต์" in notes and "lee.go.th" in notes
    # the new column is filled for the agencies already there, the old score column still read
    flagged_before = [a.code for a in old if by_code[a.code].confirm]
    assert flagged_before and all(got[c].confirm == by_code[c].confirm for c in flagged_before)
    assert got["abt-laoyao"].score_2565 == 84.99
    header = [g.text(c) for c in backend_grid(book, TAB_AGENCIES)[0]]
    assert header.count("ต้องยืนยัน") == 1 and "คะแนนปีก่อน" not in header  # no second score column
    assert len(backend_grid(book, TAB_SUBMISSIONS)) == 1 + NOW * 43
    again = pipeline.init(config, backend)
    assert again.added_agencies == () and again.added_rows == 0


def backend_grid(book, tab):
    return [[c.value for c in row] for row in load_workbook(book)[tab].iter_rows()]


def test_a_score_that_is_not_a_number_is_a_problem_named_to_the_coordinator():
    """"84,5" typed for last year's score: the agency lost its "ไม่ผ่าน" mark and its place among
    those followed first, without a word. A Thai-digit score still reads."""
    from sheets_sync.report.summary import problem_th
    from sheets_sync.sheet import grid as g
    from sheets_sync.sheet.layout import AGENCY_HEADERS

    header = list(AGENCY_HEADERS.values())
    at = header.index(AGENCY_HEADERS["score_2565"])

    def row(code: str, score: str) -> list[str]:
        cells = [""] * len(header)
        cells[header.index(AGENCY_HEADERS["code"])], cells[header.index(AGENCY_HEADERS["name"])] = code, code
        cells[at] = score
        return cells

    agencies, problems = g.read_agencies([header, row("tt-a", "84,5"), row("tt-b", "๘๔.๕๐"), row("tt-c", "")])
    assert [a.score_2565 for a in agencies] == [None, 84.5, None]
    assert [(p.code, p.row_number, p.value) for p in problems] == [("bad_score", 2, "84,5")]
    assert "84,5" in problem_th(problems[0]) and "แถว 2" in problem_th(problems[0])


def test_a_district_typo_in_the_agencies_tab_is_a_problem_named_in_the_summary():
    """The agency still counts (under "no district"); the coordinator is told which row to fix."""
    from sheets_sync.report.summary import problem_th
    from sheets_sync.sheet.layout import AGENCY_HEADERS

    header = [AGENCY_HEADERS["code"], AGENCY_HEADERS["name"], AGENCY_HEADERS["district"]]
    agencies, problems = g.read_agencies([header, ["tt-a", "ก", "บ้านโฮง"], ["tt-b", "ข", "อ.บ้านโฮ้ง"],
                                          ["tt-c", "ค", ""]])
    assert [a.district for a in agencies] == ["บ้านโฮง", "บ้านโฮ่ง", ""]
    assert [(p.code, p.row_number, p.value) for p in problems] == [("unknown_district", 2, "บ้านโฮง")]
    assert "บ้านโฮง" in problem_th(problems[0]) and "แถว 2" in problem_th(problems[0])
