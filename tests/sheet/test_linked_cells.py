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
from tests.support.configs import shipped_config
from tests.support.sheets import HARNESSES, is_write_time_read

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
