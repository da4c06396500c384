"""A URL cell that shows a label and links to the page (pasted from a web page, Insert link, a
Drive chip) is read as the address it links to, in xlsx and in Google Sheets (real gspread
against the loopback Sheets API fake), and its verdict lands on its row; a cell that shows an
address is read as typed; Google's extra read happens only when such a cell exists."""

from __future__ import annotations

from datetime import datetime

import pytest

from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
from tests.sheet.test_xlsx_owned_cells import _sheet_functions
from tests.support.configs import shipped_config
from tests.support.fake_sheets_model import formatted
from tests.support.sheets import HARNESSES, Edits, is_write_time_read, submissions_sheet

NOW = datetime(2023, 1, 20, 10, 30, tzinfo=BANGKOK)
URL = "https://lee.go.th/ita/o1.pdf"


@pytest.fixture(scope="module")
def config():
    return shipped_config(agencies=2)


@pytest.fixture(params=["xlsx", "gsheets"])
def sheet(request, tmp_path, config):
    harness = HARNESSES[request.param](tmp_path)
    harness.backend.ensure_layout(config.catalog, config.agencies)
    return harness


def url_text(sheet, config, key: RowKey) -> str:
    rows = {r.key: r for r in sheet.backend.read(config.catalog).rows}
    return rows[key].url_text


def status_cell(sheet, key: RowKey) -> str:
    grid = sheet.grid(TAB_SUBMISSIONS)
    head = [g.text(c) for c in grid[0]]
    a, i, s = (head.index(SUBMISSION_HEADERS[k]) for k in ("agency", "item", "status"))
    return next(g.text(g.cell(r, s)) for r in grid[1:] if (g.text(r[a]), g.text(r[i])) == (key.agency, key.item))


def test_a_label_with_a_link_is_read_as_the_link_and_gets_its_verdict(sheet, config):
    key = RowKey(config.agencies[0].code, "O1")
    sheet.link_now(key.agency, key.item, "ดาวน์โหลดเอกสาร", [URL])
    assert url_text(sheet, config, key) == URL
    report = sheet.backend.write_results([Verdict(key=key, url_text=URL, status=Status.OK, checked_at=NOW,
                                                  first_submitted_at=NOW)])
    assert report.written == 1 and report.stale == ()
    assert status_cell(sheet, key) == Status.OK.label_th


def test_a_cell_that_shows_an_address_is_read_as_typed(sheet, config):
    # false-positive guard: what the agency sees wins over a link left on the cell
    key = RowKey(config.agencies[0].code, "O2")
    sheet.link_now(key.agency, key.item, "https://lee.go.th/ita/o2", ["https://lee.go.th/old"])
    assert url_text(sheet, config, key) == "https://lee.go.th/ita/o2"


@pytest.fixture
def gsheet(tmp_path, config):
    harness = HARNESSES["gsheets"](tmp_path)
    harness.backend.ensure_layout(config.catalog, config.agencies)
    return harness


def test_several_links_in_one_cell_are_read_one_a_line(gsheet, config):
    key = RowKey(config.agencies[1].code, "O3")
    gsheet.link_now(key.agency, key.item, "แผน ปี 2566 และ รายงาน", [URL, "https://lee.go.th/ita/o3"])
    assert url_text(gsheet, config, key) == f"{URL}\nhttps://lee.go.th/ita/o3"


def test_a_drive_chip_is_read_as_its_file(gsheet, config):
    key = RowKey(config.agencies[1].code, "O4")
    drive = "https://drive.google.com/file/d/1AbC/view?usp=sharing"
    gsheet.link_now(key.agency, key.item, "", [drive], chip=True)
    assert url_text(gsheet, config, key) == drive


def test_reading_the_links_costs_no_extra_request(gsheet, config):
    gsheet.edit_now(lambda e: e.set_url(config.agencies[0].code, "O5", "https://lee.go.th/ita/o5"))
    since = len(gsheet.fake.log)
    gsheet.backend.read(config.catalog)
    plain = [s.op for s in gsheet.fake.requests(since)]
    gsheet.link_now(config.agencies[0].code, "O6", "คลิก", [URL])
    since = len(gsheet.fake.log)
    gsheet.backend.read(config.catalog)
    assert [s.op for s in gsheet.fake.requests(since)] == plain and len(plain) == 2


def test_a_label_edited_between_read_and_write_leaves_the_row_for_the_next_run(gsheet, config):
    # The agency put another link on the cell after the worker read it: the verdict was for the
    # old address, so it is not written (stale), as for any edit of the URL.
    key = RowKey(config.agencies[0].code, "O7")
    gsheet.link_now(key.agency, key.item, "คลิก", [URL])
    assert url_text(gsheet, config, key) == URL
    gsheet.fake.before_next(lambda s: is_write_time_read(s, gsheet.sid),
                            lambda fake: gsheet.link_now(key.agency, key.item, "คลิก", ["https://lee.go.th/new"]))
    report = gsheet.backend.write_results([Verdict(key=key, url_text=URL, status=Status.OK, checked_at=NOW,
                                                   first_submitted_at=NOW)])
    assert report.stale == (key,) and report.written == 0


def _url_and_checked(sheet, key: RowKey) -> tuple[dict, dict]:
    """The URL cell and the checked-URL cell of `key`'s row as the fake holds them (CellData)."""
    sheet.backend.flush()
    tab = submissions_sheet(sheet.fake, sheet.sid)
    edits = Edits(tab.grid(), {})
    r = edits.row_of(key.agency, key.item)
    return tab.cell(r, edits.cols["url"]) or {}, tab.cell(r, edits.cols["checked_url"]) or {}


def _rule_says_pending(sheet, key: RowKey) -> bool:
    """The sheet's stale rule (grid.stale_formula as Google Sheets holds it) evaluated over what the
    two cells show (their formattedValue; a formula cannot read a link). Neither cell holds a
    formula here, so ISFORMULA is false, as Sheets answers for a value."""
    url, checked = (formatted(c.get("userEnteredValue")) for c in _url_and_checked(sheet, key))
    expression = g.stale_formula("H", "Q", formulas=True).replace("$H2", repr(url)).replace("$Q2", repr(checked))
    functions = _sheet_functions() | {"IF": lambda c, a, b: a if c else b, "ISFORMULA": lambda v: False,
                                      "FORMULATEXT": lambda v: v}
    return eval(expression, {"__builtins__": {}}, functions)


def _worker_says_pending(sheet, config, key: RowKey) -> bool:
    row = next(r for r in sheet.backend.read(config.catalog).rows if r.key == key)
    return g.judged_another_url(row)


def _judge(sheet, key: RowKey, url: str) -> None:
    report = sheet.backend.write_results([Verdict(key=key, url_text=url, status=Status.OK, checked_at=NOW,
                                                  first_submitted_at=NOW)])
    assert report.stale == () and report.missing == ()


def test_a_label_over_its_link_shows_its_verdict_as_current_until_the_agency_edits_it(gsheet, config):
    """"ดาวน์โหลดเอกสาร" over the link to the PDF: the worker judged the link and wrote the bare
    address in "URL ที่ตรวจ"; the sheet's stale rule compares what the two cells show, so it
    greyed the current verdict as pending on every run. The checked cell shows the same label
    over the same link, as in the .xlsx; the worker reads both cells as the link, so its own
    count agrees; an edited label greys the verdict in both."""
    key = RowKey(config.agencies[0].code, "O1")
    gsheet.link_now(key.agency, key.item, "ดาวน์โหลดเอกสาร", [URL])
    _judge(gsheet, key, URL)
    assert _url_and_checked(gsheet, key)[1].get("hyperlink") == URL
    assert (_rule_says_pending(gsheet, key), _worker_says_pending(gsheet, config, key)) == (False, False)
    gsheet.link_now(key.agency, key.item, "ดาวน์โหลดเอกสารใหม่", ["https://lee.go.th/ita/o1-new.pdf"])
    assert (_rule_says_pending(gsheet, key), _worker_says_pending(gsheet, config, key)) == (True, True)


def test_a_checked_cell_follows_its_url_cell_between_a_label_and_an_address(gsheet, config):
    # A sheet the worker wrote before shows the bare address beside the label: the next write puts
    # the label there, though the text it reads as is the same. Once the agency types the address
    # itself, the label and its link are taken off the checked cell (a new value erases its runs).
    key = RowKey(config.agencies[0].code, "O2")
    gsheet.link_now(key.agency, key.item, "คลิก", [URL])
    gsheet.edit_now(lambda e: e.set(key.agency, key.item, "checked_url", URL))
    assert _rule_says_pending(gsheet, key) is True
    _judge(gsheet, key, URL)
    assert (_rule_says_pending(gsheet, key), _worker_says_pending(gsheet, config, key)) == (False, False)
    gsheet.link_now(key.agency, key.item, URL, [URL])
    _judge(gsheet, key, URL)
    checked = _url_and_checked(gsheet, key)[1]
    assert formatted(checked.get("userEnteredValue")) == URL and "textFormatRuns" not in checked
    assert (_rule_says_pending(gsheet, key), _worker_says_pending(gsheet, config, key)) == (False, False)
