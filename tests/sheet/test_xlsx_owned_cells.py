"""Issue 11 on the .xlsx workbook: worker cells are protected (no password; the agency columns
unlocked), text people type into worker cells is never silently erased, tabs are found by
their header signature when renamed, and a stale verdict shows as pending."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from openpyxl import load_workbook

from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.errors import BackendError
from sheets_sync.core.models import CheckResult, RowKey, Status, SubmissionRow
from sheets_sync.pipeline.sync import init, sync
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import (
    AGENCY_KEYS,
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    TAB_AGENCIES,
    TAB_MOVED,
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
)
from sheets_sync.sheet.xlsx import XlsxBackend
from tests.support.configs import shipped_config

WORKER_KEYS = [c.key for c in SUBMISSION_COLUMNS if c.worker]


class OkChecker:
    def check_many(self, urls, progress=None):
        return {u: CheckResult(url=u, status=Status.OK, http_status=200, detail="ok") for u in urls}

    def close(self) -> None:
        pass


@pytest.fixture
def config(tmp_path):
    return shipped_config(agencies=2, state_path=str(tmp_path / "state.sqlite"))


def _cols(ws) -> dict[str, int]:
    return g.columns([c.value for c in ws[1]], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())


def _rows(ws, cols) -> dict[RowKey, int]:
    return {RowKey(g.text(ws.cell(r, cols["agency"] + 1).value), g.text(ws.cell(r, cols["item"] + 1).value)): r
            for r in range(2, ws.max_row + 1) if ws.cell(r, cols["agency"] + 1).value}


def test_worker_cells_are_locked_and_agency_columns_unlocked(tmp_path, config):
    path = tmp_path / "book.xlsx"
    init(config, XlsxBackend(path))
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    cols = _cols(ws)
    assert ws.protection.sheet and not ws.protection.password  # "Protect Sheet", no password
    assert not ws.protection.autoFilter and not ws.protection.sort  # agencies may still filter and sort
    for r in (2, ws.max_row):
        for key, c in cols.items():
            assert ws.cell(r, c + 1).protection.locked == (key not in AGENCY_KEYS), (key, r)


def test_typed_text_in_worker_cells_of_a_renamed_tab_is_kept_and_urls_still_count(tmp_path, config):
    path = tmp_path / "book.xlsx"
    backend = XlsxBackend(path)
    init(config, backend)
    code = config.agencies[0].code
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    cols, rows = _cols(ws), _rows(ws, _cols(ws))
    urls = {RowKey(code, f"O{i}"): f"https://{code}.go.th/ita/o{i}" for i in range(1, 11)}
    for key, url in urls.items():
        ws.cell(rows[key], cols["url"] + 1).value = url
    wb.save(path)
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    sync(config, backend, OkChecker(), clock)

    # a coordinator renames the tab; people type into every worker column (rows with and without a URL)
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    ws.title = "ส่ง URL ปี 2566"
    typed = {}
    for n, key in enumerate(WORKER_KEYS):
        row_key = RowKey(code, f"O{n + 1}") if n % 2 == 0 else RowKey(code, f"O{n + 20}")
        text = f"พิมพ์เอง {key} {n}"
        ws.cell(rows[row_key], cols[key] + 1).value = text
        typed[text] = row_key
    wb.save(path)

    layout = init(config, backend)  # as the error messages advise
    assert TAB_SUBMISSIONS not in layout.created_tabs
    clock.advance(600)
    report = sync(config, backend, OkChecker(), clock)

    wb = load_workbook(path)
    assert TAB_SUBMISSIONS not in wb.sheetnames and "ส่ง URL ปี 2566" in wb.sheetnames  # no empty twin
    # the agencies' URLs in the renamed tab still count (judged, not "not sent")
    assert sum(n for status, n in report.counts.items() if status != "empty") == len(urls)
    visible = [str(c.value) for name in wb.sheetnames if wb[name].sheet_state == "visible"
               for row in wb[name].iter_rows() for c in row if c.value is not None]
    visible += [c.comment.text for name in wb.sheetnames for row in wb[name].iter_rows() for c in row if c.comment]
    for text in typed:
        assert any(text in v for v in visible), text
    moved = [[g.text(c.value) for c in row] for row in wb[TAB_MOVED].iter_rows(min_row=2)]
    written = {text for text, key in typed.items() if key in urls}  # rows the sync wrote
    assert {r[4] for r in moved} >= written
    summary = " ".join(str(c.value) for row in wb[TAB_SUMMARY].iter_rows() for c in row if c.value is not None)
    assert summary.count(f"ไปไว้ที่แท็บ {TAB_MOVED}") >= len(written)  # the summary's problems list them


def test_two_tabs_that_look_like_one_stop_with_one_line_naming_both(tmp_path, config):
    path = tmp_path / "book.xlsx"
    backend = XlsxBackend(path)
    init(config, backend)
    wb = load_workbook(path)
    wb.copy_worksheet(wb[TAB_AGENCIES]).title = "หน่วยงาน (สำเนา)"
    wb.save(path)
    with pytest.raises(BackendError) as err:
        backend.read(config.catalog)
    message = str(err.value)
    assert "\n" not in message and TAB_AGENCIES in message and "หน่วยงาน (สำเนา)" in message


def test_stale_status_is_greyed_and_reads_as_pending_without_the_worker(tmp_path, config):
    path = tmp_path / "book.xlsx"
    init(config, XlsxBackend(path))
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    cols = _cols(ws)
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    stale = rules[0]
    url, checked = (chr(65 + cols[k]) for k in ("url", "checked_url"))
    assert stale.type == "expression" and stale.stopIfTrue
    shown = f"IF(_xlfn.ISFORMULA(${url}2),_xlfn.FORMULATEXT(${url}2),${url}2)"  # a formula by its text
    assert stale.formula == [f'NOT(EXACT(TRIM(CLEAN(SUBSTITUTE({shown},CHAR(160)," "))),'
                             f'TRIM(CLEAN(SUBSTITUTE(${checked}2,CHAR(160)," ")))))']
    assert stale.dxf.numFmt.formatCode == ';;;"รอตรวจ"' and stale.dxf.font.strike


def test_the_summary_is_told_from_round_snapshots_by_its_first_line():
    from sheets_sync.sheet.base import looks_like

    summary = "สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. 2566 จังหวัดลำพูน"
    assert looks_like(TAB_SUMMARY, [summary])
    assert not looks_like(TAB_SUMMARY, [summary + " ณ สิ้นวันกำหนดส่งรอบที่ 1"])
    assert not looks_like(TAB_SUMMARY, [summary + " รอบที่ 2 (กำหนดส่ง 28 ก.พ. 2566)"])
    assert not looks_like(TAB_AGENCIES, [SUBMISSION_HEADERS[k] for k in ("agency", "agency_name", "item", "url")])


# ---------------------------------------------------------------- merged cells and keys people mangle
def _synced(tmp_path, config, urls: dict[RowKey, str]):
    path = tmp_path / "book.xlsx"
    backend = XlsxBackend(path)
    init(config, backend)
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    cols, rows = _cols(ws), _rows(ws, _cols(ws))
    for key, url in urls.items():
        ws.cell(rows[key], cols["url"] + 1).value = url
    wb.save(path)
    return path, backend, cols, rows


def test_merged_cells_read_as_they_show_and_are_unmerged_only_to_write_a_verdict(tmp_path, config):
    """A coordinator merges an agency's 43 code cells into one (a common layout), or two status
    cells; an agency merges two URL cells. Each row shows the merged value: it is read so (the
    rows were unknown agencies, their verdicts lost), and a worker cell inside a merged range
    is unmerged before its row's verdict is written (the write crashed every run)."""
    agency = config.agencies[0].code
    one, two, three = RowKey(agency, "O1"), RowKey(agency, "O2"), RowKey(agency, "O3")
    site = f"https://www.{config.agencies[0].domains[0]}"  # the agency's own site: no off_site warning
    path, backend, cols, rows = _synced(tmp_path, config, {one: f"{site}/o1", three: f"{site}/o3"})
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    letter = lambda key: ws.cell(1, cols[key] + 1).column_letter  # noqa: E731
    last = max(r for k, r in rows.items() if k.agency == agency)
    ws.merge_cells(f"{letter('agency')}{rows[one]}:{letter('agency')}{last}")
    ws.merge_cells(f"{letter('url')}{rows[one]}:{letter('url')}{rows[two]}")
    ws.merge_cells(f"{letter('status')}{rows[two]}:{letter('status')}{rows[three]}")
    wb.save(path)

    report = sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert report.problems == ()
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    status = lambda key: ws.cell(rows[key], cols["status"] + 1).value  # noqa: E731
    # O2 shows O1's URL in the merged cell: judged so (the same URL as O1: a warning)
    assert (status(one), status(two), status(three)) == (Status.WARNING.label_th, Status.WARNING.label_th,
                                                          Status.OK.label_th)
    assert ws.cell(rows[two], cols["url"] + 1).value == f"{site}/o1"  # the URL it showed, kept
    assert sum(1 for r in range(2, ws.max_row + 1) if ws.cell(r, cols["item"] + 1).value == "O1") == \
        len(config.agencies)  # no empty twin row for any key
    assert ws.merged_cells.ranges and all(letter("agency") in m.coord for m in ws.merged_cells.ranges)
    # the status O2 showed in O3's cell was the merged range's, not a person's text to keep
    assert TAB_MOVED not in load_workbook(path).sheetnames


@pytest.mark.parametrize("mangle", ["blank", "zero-width"])
def test_a_row_whose_key_was_mangled_gets_no_empty_twin(tmp_path, config, mangle):
    """A key cell blanked (listed among the problems), or holding a zero-width space pasted with
    it (read through). An empty twin row for the key showed "ยังไม่ส่ง" for an item that was
    sent, and the real row was never checked again."""
    agency = config.agencies[0].code
    five = RowKey(agency, "O5")
    path, backend, cols, rows = _synced(tmp_path, config, {five: f"https://www.{config.agencies[0].domains[0]}/o5"})
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    ws.cell(rows[five], cols["agency"] + 1).value = "" if mangle == "blank" else agency + "\u200b"
    wb.save(path)
    before = ws.max_row

    report = sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    assert ws.max_row == before
    if mangle == "blank":
        # the row read without its key, and the key read without its row (the summary lists both)
        assert [(p.code, p.row_number) for p in report.problems] == [("unknown_agency", rows[five]), ("missing_row", 0)]
    else:
        assert report.problems == ()
        assert ws.cell(rows[five], cols["status"] + 1).value == Status.OK.label_th


def _sheet_functions():
    """Excel's (and Google Sheets') TRIM, CLEAN, SUBSTITUTE, CHAR, EXACT, NOT as documented: TRIM
    takes off ASCII spaces at the ends and leaves one between words; CLEAN removes the characters
    0-31; neither touches a no-break space (160)."""
    import re

    return {"TRIM": lambda s: re.sub(" +", " ", s.strip(" ")), "CLEAN": lambda s: re.sub("[\x00-\x1f]", "", s),
            "SUBSTITUTE": lambda s, old, new: s.replace(old, new), "CHAR": chr,
            "EXACT": lambda a, b: a == b, "NOT": lambda v: not v}


@pytest.mark.parametrize("typed", ["https://a.go.th/o1", "https://a.go.th/o1\u00a0", "\u00a0 https://a.go.th/o1\t",
                                   "https://a.go.th/o1\n", "  https://a.go.th/o1 \u00a0\n"])
def test_the_stale_rule_reads_a_checked_cell_as_current_whatever_spaces_it_was_pasted_with(typed):
    """The worker writes what it judged, stripped of the spaces around it (grid.url_cell_text);
    the sheet's rule compares that with the cell as the spreadsheet sees it. A no-break space
    pasted from a web page kept the rule true: the current verdict showed as pending forever."""
    formula = g.stale_formula("H", "Q")
    checked = g.url_cell_text(typed)
    expression = formula.replace("$H2", repr(typed)).replace("$Q2", repr(checked))
    assert eval(expression, {"__builtins__": {}}, _sheet_functions()) is False, expression
    edited = formula.replace("$H2", repr(typed.replace("o1", "o2"))).replace("$Q2", repr(checked))
    assert eval(edited, {"__builtins__": {}}, _sheet_functions()) is True


@pytest.mark.parametrize("typed, checked", [
    ("https://a.go.th/o1  ข้อมูล", "https://a.go.th/o1 ข้อมูล"), ("https://a.go.th/o1\u00a0 ข้อมูล", "https://a.go.th/o1 ข้อมูล"),
    ("https://a.go.th/o1\nhttps://a.go.th/o2", "https://a.go.th/o1https://a.go.th/o2"),
    ("https://a.go.th/O1", "https://a.go.th/o1"), ("https://a.go.th/o1 x", "https://a.go.th/o1x"),
    ("https://a.go.th/o1", "https://a.go.th/o1")])
def test_the_worker_counts_a_row_as_not_yet_checked_exactly_where_the_sheet_greys_it(typed, checked):
    """The stale rule squeezes spaces inside the text (TRIM) and drops line breaks (CLEAN); the
    worker compared exactly, and counted as not yet checked rows the sheet showed as current."""
    formula = g.stale_formula("H", "Q")
    expression = formula.replace("$H2", repr(typed)).replace("$Q2", repr(checked))
    greyed = eval(expression, {"__builtins__": {}}, _sheet_functions())
    row = SubmissionRow(RowKey("a", "O1"), g.url_cell_text(typed), previous_checked_url=g.url_cell_text(checked))
    assert g.judged_another_url(row) is greyed


class NotFoundChecker:
    """Every URL answers 404, except those in `ok`."""
    ok: set = set()

    def check_many(self, urls, progress=None):
        return {u: CheckResult(url=u, status=Status.OK, http_status=200, detail="ok") if u in self.ok else
                CheckResult(url=u, status=Status.BROKEN, reasons=("http_4xx",), http_status=404, detail="404")
                for u in urls}

    def close(self) -> None:
        pass


def test_a_coordinators_note_on_a_url_cell_is_kept_when_the_workers_note_takes_its_place(tmp_path, config):
    """A note a coordinator left on a URL cell ("โทรแจ้งแล้ว 2 ก.พ.") was replaced, and lost for
    good, the first time the row needed the worker's note; it goes to the moved-text tab now."""
    from openpyxl.comments import Comment

    agency = config.agencies[0].code
    one = RowKey(agency, "O1")
    path, backend, cols, rows = _synced(tmp_path, config, {one: f"https://www.{config.agencies[0].domains[0]}/o1"})
    wb = load_workbook(path)
    wb[TAB_SUBMISSIONS].cell(rows[one], cols["url"] + 1).comment = Comment("โทรแจ้งหน่วยงานแล้ว 2 ก.พ.", "สมศรี")
    wb.save(path)

    sync(config, backend, NotFoundChecker(), FixedClock(datetime(2023, 2, 3, 9, 0, tzinfo=BANGKOK)))
    wb = load_workbook(path)
    note = wb[TAB_SUBMISSIONS].cell(rows[one], cols["url"] + 1).comment
    assert note is not None and note.author == "sheets-sync" and "เปิดแล้วพบข้อผิดพลาด" in note.text
    kept = [[c.value for c in row] for row in wb[TAB_MOVED].iter_rows(min_row=2)]
    assert [r[1:] for r in kept] == [[agency, "O1", "หมายเหตุบนช่อง URL", "โทรแจ้งหน่วยงานแล้ว 2 ก.พ."]]


def test_the_workers_notes_stay_its_own_after_libreoffice_saved_them_without_their_author(tmp_path, config):
    """LibreOffice saves every note's author as " ": the worker took its own old advice for a
    person's, so a fixed row kept "เปิดแล้วพบข้อผิดพลาด" beside ใช้งานได้, and a re-broken row's
    old advice was filed in the moved-text tab. Its notes are known by the ledger's text now."""
    from openpyxl.comments import Comment

    agency = config.agencies[0].code
    fixed, again = RowKey(agency, "O1"), RowKey(agency, "O2")
    site = config.agencies[0].domains[0]
    path, backend, cols, rows = _synced(tmp_path, config, {fixed: f"https://www.{site}/o1",
                                                            again: f"https://www.{site}/o2"})
    sync(config, backend, NotFoundChecker(), FixedClock(datetime(2023, 2, 3, 9, 0, tzinfo=BANGKOK)))
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    for key, url in ((fixed, f"https://www.{site}/o1-fixed"), (again, f"https://www.{site}/o2-new")):
        cell = ws.cell(rows[key], cols["url"] + 1)
        assert cell.comment is not None
        cell.comment = Comment(cell.comment.text, " ")  # as LibreOffice saves it
        cell.value = url
    wb.save(path)

    checker = NotFoundChecker()
    checker.ok = {f"https://www.{site}/o1-fixed"}
    sync(config, backend, checker, FixedClock(datetime(2023, 2, 4, 9, 0, tzinfo=BANGKOK)))
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    assert ws.cell(rows[fixed], cols["status"] + 1).value == Status.OK.label_th
    assert ws.cell(rows[fixed], cols["url"] + 1).comment is None  # no old advice beside ใช้งานได้
    assert ws.cell(rows[again], cols["url"] + 1).comment is not None
    assert TAB_MOVED not in wb.sheetnames  # nothing of the worker's was filed as a person's


def test_a_picture_a_coordinator_put_in_the_workbook_survives_the_workers_saves(tmp_path, config):
    """A QR code of the province's LINE group on the instructions tab: openpyxl drops pictures it
    cannot read (without Pillow), and each save of the worker's lost it."""
    import io
    import zipfile

    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    from sheets_sync.sheet.layout import TAB_GUIDE

    path, backend, _, _ = _synced(tmp_path, config, {})
    png = io.BytesIO()
    Picture.new("RGB", (64, 64), "navy").save(png, format="PNG")
    wb = load_workbook(path)
    wb[TAB_GUIDE].add_image(Image(png), "D2")
    wb.save(path)
    before = path.read_bytes()

    sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert path.read_bytes() != before  # the worker saved the workbook
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
        assert len(media) == 1 and Picture.open(io.BytesIO(z.read(media[0]))).size == (64, 64)


def test_a_url_cell_showing_a_label_over_its_link_shows_its_verdict_as_current(tmp_path, config):
    """"ดาวน์โหลดเอกสาร" over the link to the PDF: the worker judged the link, wrote the address in
    "URL ที่ตรวจ", and the sheet's stale rule, comparing what the two cells show, greyed the status
    as pending forever. The checked cell now shows the same label over the same link."""
    agency = config.agencies[0].code
    one, two = RowKey(agency, "O1"), RowKey(agency, "O2")
    site = f"https://www.{config.agencies[0].domains[0]}"
    path, backend, cols, rows = _synced(tmp_path, config, {one: "ดาวน์โหลดเอกสาร", two: f"{site}/o2"})
    wb = load_workbook(path)
    wb[TAB_SUBMISSIONS].cell(rows[one], cols["url"] + 1).hyperlink = f"{site}/o1.pdf"
    wb.save(path)

    sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    url_letter, checked_letter = (ws.cell(1, cols[k] + 1).column_letter for k in ("url", "checked_url"))
    formula = g.stale_formula(url_letter, checked_letter)
    for key in (one, two):
        shown = {f"${letter}2": repr(ws.cell(rows[key], cols[k] + 1).value)
                 for letter, k in ((url_letter, "url"), (checked_letter, "checked_url"))}
        expression = formula
        for ref, value in shown.items():
            expression = expression.replace(ref, value)
        assert eval(expression, {"__builtins__": {}}, _sheet_functions()) is False, (key, expression)
    checked = ws.cell(rows[one], cols["checked_url"] + 1)
    assert (checked.value, checked.hyperlink.target) == ("ดาวน์โหลดเอกสาร", f"{site}/o1.pdf")
    assert ws.cell(rows[one], cols["status"] + 1).value == Status.OK.label_th
    # read back, both cells are the address the verdict judged: nothing stale, nothing moved
    again = backend.read(config.catalog)
    row = next(r for r in again.rows if r.key == one)
    assert row.url_text == row.previous_checked_url == f"{site}/o1.pdf"
    report = sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 21, 9, 0, tzinfo=BANGKOK)))
    assert report.write.moved == () and report.write.stale == ()


def test_a_tab_made_an_excel_table_grows_with_the_rows_and_gets_no_filter_over_it(tmp_path):
    """Insert > Table on ส่ง URL, then a new agency: its rows fell outside the table and a sheet
    filter over the table made Excel "repair" the file on opening."""
    import zipfile

    from openpyxl.worksheet.table import Table

    path = tmp_path / "book.xlsx"
    init(shipped_config(agencies=2, state_path=str(tmp_path / "s.sqlite")), XlsxBackend(path))
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    ws.auto_filter.ref = None  # as Excel does when a range becomes a table
    ws.add_table(Table(displayName="URLs", ref=ws.dimensions))
    wb.save(path)

    init(shipped_config(agencies=3, state_path=str(tmp_path / "s.sqlite")), XlsxBackend(path))  # a new agency
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    start, end = ws.tables["URLs"].ref.split(":")
    assert ws.max_row == 1 + 3 * 43 and start == "A1" and end == f"{ws.cell(1, ws.max_column).column_letter}130"
    with zipfile.ZipFile(path) as z:
        index = load_workbook(path).sheetnames.index(TAB_SUBMISSIONS) + 1
        assert "<autoFilter" not in z.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_a_stray_character_in_the_last_row_excel_has_costs_no_cell_per_row(tmp_path, config):
    """Ctrl+Down in the URL column, one character typed in row 1,048,576, saved: every sync made a
    cell for each of the million rows (5.5 GB, 8 minutes: killed by the service's memory limit). The
    sync reads, judges and saves as before; the stray text is a problem named in the summary."""
    agency = config.agencies[0].code
    one = RowKey(agency, "O1")
    path, backend, cols, rows = _synced(tmp_path, config, {one: f"https://www.{config.agencies[0].domains[0]}/o1"})
    wb = load_workbook(path)
    wb[TAB_SUBMISSIONS].cell(1_048_576, cols["url"] + 1).value = "x"
    wb.save(path)

    report = sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert any(p.code == "missing_key" and p.row_number == 1_048_576 for p in report.problems)
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    assert ws.cell(rows[one], cols["status"] + 1).value == Status.OK.label_th
    assert len(ws._cells) < 100 * ws.max_column  # the rows agencies use, not a cell per row down to the stray one
    with pytest.raises(BackendError, match="1048576"):  # no room below it for a new agency's rows
        backend.ensure_layout(config.catalog, config.agencies + (dataclasses.replace(config.agencies[0], code="new-one"),))


def test_a_hyperlink_formula_in_a_url_cell_shows_its_verdict_as_current(tmp_path, config):
    """`=HYPERLINK("…","ดาวน์โหลดเอกสาร")` typed in Excel or LibreOffice: the worker judges and names
    the formula's text, the cell shows its label, and the stale rule showed the current verdict as
    รอตรวจ on every run (seen rendered by LibreOffice 7.4). The rule compares a formula by its text;
    in the file the functions carry Excel's _xlfn. prefix, as Excel itself stores them."""
    class Formula(str):
        def __new__(cls, shown: str, text: str) -> "Formula":
            cell = super().__new__(cls, shown)
            cell.text = text
            return cell

    key = RowKey(config.agencies[0].code, "O1")
    typed = f'=HYPERLINK("https://www.{config.agencies[0].domains[0]}/o1","ดาวน์โหลดเอกสาร")'
    path, backend, cols, rows = _synced(tmp_path, config, {key: typed})
    sync(config, backend, OkChecker(), FixedClock(datetime(2023, 2, 3, 9, 0, tzinfo=BANGKOK)))
    ws = load_workbook(path)[TAB_SUBMISSIONS]
    assert ws.cell(rows[key], cols["checked_url"] + 1).value == typed
    formula = next(r.formula[0] for cf in ws.conditional_formatting for r in cf.rules if r.type == "expression")
    assert "_xlfn.FORMULATEXT(" in formula and "_xlfn.ISFORMULA(" in formula
    letters = {k: chr(65 + cols[k]) for k in ("url", "checked_url")}
    functions = _sheet_functions() | {"IF": lambda c, a, b: a if c else b,
                                      "ISFORMULA": lambda v: isinstance(v, Formula),
                                      "FORMULATEXT": lambda v: getattr(v, "text", "#N/A")}

    def stale(url_cell) -> bool:
        expression = (formula.replace("_xlfn.", "").replace(f"${letters['url']}2", "url")
                      .replace(f"${letters['checked_url']}2", "checked"))
        return eval(expression, {"__builtins__": {}}, functions | {"url": url_cell, "checked": typed})

    assert stale(Formula("ดาวน์โหลดเอกสาร", typed)) is False
    assert stale(Formula("ดาวน์โหลดเอกสาร", typed.replace("/o1", "/o2"))) is True
    assert stale(typed.replace("=HYPERLINK", "")) is True  # plain text typed over it


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_a_workbook_saved_in_another_format_under_its_name_is_named_as_such(tmp_path, config, kind):
    """LibreOffice's "Use ODF format!" or an old Excel's save wrote the file under the .xlsx name;
    the advice was "move it away and run init", which starts an empty workbook."""
    import zipfile

    path = tmp_path / "book.xlsx"
    if kind == "ods":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(BackendError, match=rf"\(\.{kind}\) saved under the \.xlsx name; open it and save it as"):
        XlsxBackend(path).read(config.catalog)


@pytest.mark.parametrize("changed", [-3600, -30, 60, 3600], ids=["an-hour-ago", "just-now", "a-minute-ahead",
                                                                "an-hour-ahead"])
def test_a_short_workbook_changed_lately_is_being_copied_not_damaged(tmp_path, config, changed):
    """The first half of a real workbook (a copy over it, paused): changed within RECENT_WRITE_S of
    the system clock it is being written or copied, nothing to move away; a share whose clock is a
    little ahead stamps it in the future, still lately. Changed an hour either way, it is damaged
    and the advice to restore it or move it away and init stays."""
    import os
    import time

    from sheets_sync.sheet.xlsx import RECENT_WRITE_S

    path, _, _, _ = _synced(tmp_path, config, {})
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    at = time.time() + changed
    os.utime(path, (at, at))
    with pytest.raises(BackendError) as raised:
        XlsxBackend(path).read(config.catalog)
    if abs(changed) <= RECENT_WRITE_S:
        assert "is being written or copied right now" in str(raised.value)
        assert "nothing was written; the next run reads it again" in str(raised.value)
        assert "init" not in str(raised.value)
    else:
        assert "cannot be read (BadZipFile" in str(raised.value)
        assert str(raised.value).endswith("restore it from a copy or move it away and run `sheets-sync init`")


def test_edits_saved_beside_the_workbook_in_another_format_are_named_in_the_log(tmp_path, config, caplog):
    import os

    path, backend, _, _ = _synced(tmp_path, config, {})
    old = tmp_path / "book.xls"
    old.write_bytes(b"older")
    os.utime(old, (1, 1))  # saved before the workbook: nothing of it is missed
    backend.read(config.catalog)
    assert "book.xls" not in caplog.text
    (tmp_path / "book.ods").write_bytes(b"an agency's edits")
    os.utime(path, (1, 1))
    backend.read(config.catalog)
    assert "book.ods was saved after the workbook" in caplog.text


def test_a_status_a_merge_spread_over_another_row_is_not_kept_as_a_persons_text(tmp_path, config):
    """Two status cells merged in LibreOffice after a sync (ยังไม่ส่ง over ใช้งานได้): the worker
    unmerges to write and each row gets its verdict, but the value the merge showed in the second
    row was filed in the moved-text tab as a person's, and listed among the summary's problems."""
    agency = config.agencies[0].code
    two, three = RowKey(agency, "O2"), RowKey(agency, "O3")
    site = f"https://www.{config.agencies[0].domains[0]}"
    path, backend, cols, rows = _synced(tmp_path, config, {three: f"{site}/o3"})
    sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    wb = load_workbook(path)
    ws = wb[TAB_SUBMISSIONS]
    letter = ws.cell(1, cols["status"] + 1).column_letter
    assert ws.cell(rows[three], cols["status"] + 1).value == Status.OK.label_th
    ws.merge_cells(f"{letter}{rows[two]}:{letter}{rows[three]}")
    wb.save(path)
    sync(config, backend, OkChecker(), FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)))
    wb = load_workbook(path)
    assert wb[TAB_SUBMISSIONS].cell(rows[three], cols["status"] + 1).value == Status.OK.label_th
    assert TAB_MOVED not in wb.sheetnames
