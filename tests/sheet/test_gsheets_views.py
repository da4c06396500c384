"""Each agency's own view and own cells on Google Sheets (issue 14), on the Sheets API fake with the
real gspread client: one filter view per agency with a working link, per-agency protections from the
editor e-mails in the agencies tab (enforced per user by the fake), and a second init that adds nothing."""

from __future__ import annotations

import dataclasses
import re

import gspread
import pytest

from sheets_sync.sheet import grid as g
from sheets_sync.sheet.gsheets import GSheetsBackend
from sheets_sync.sheet.gsheets_http import RetryPolicy
from sheets_sync.sheet.gsheets_views import AGENCY_TAG
from sheets_sync.sheet.layout import (
    AGENCY_HEADERS,
    SUBMISSION_HEADERS,
    TAB_AGENCIES,
    TAB_SUBMISSIONS,
)
from tests.support.configs import shipped_config
from tests.support.fake_sheets import FakeSheets, as_user, write_credentials

COORDINATOR = "coordinator@example.org"


@pytest.fixture(scope="module")
def config():
    return shipped_config(agencies=3)


@pytest.fixture
def fake():
    with FakeSheets() as f:
        yield f


@pytest.fixture
def laid_out(fake, tmp_path, config):
    creds = write_credentials(tmp_path, fake)
    sid = fake.create_spreadsheet(shared_with=[creds.email])
    backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url, coordinators=(COORDINATOR,),
                             policy=RetryPolicy(max_attempts=2, base=0.01, cap=0.05, max_total_s=2), timeout=10)
    since = len(fake.log)
    backend.ensure_layout(config.catalog, config.agencies)
    # the whole layout, views and links: one batch; then one that anchors the new rows (row metadata)
    assert fake.count("write", since) == 2
    return backend, sid, creds


def col(grid, tab_headers, key) -> int:
    return [g.text(c) for c in grid[0]].index(tab_headers[key])


def visible_rows(grid, view) -> list[int]:
    """The rows a filter view shows, evaluated like Sheets does for a TEXT_EQ condition."""
    (spec,) = view["filterSpecs"]
    value = spec["filterCriteria"]["condition"]["values"][0]["userEnteredValue"]
    return [i for i, row in enumerate(grid[1:], start=1) if g.text(g.cell(row, spec["columnIndex"])) == value]


def test_one_filter_view_per_agency_with_a_working_link(fake, laid_out, config):
    backend, sid, _ = laid_out
    sub = fake.sheet(sid, TAB_SUBMISSIONS)
    grid = sub.grid()
    views = sub.filter_views
    assert sorted(v["title"] for v in views) == sorted(a.name for a in config.agencies)
    agencies_grid = fake.sheet(sid, TAB_AGENCIES).grid()
    code_col, link_col = col(agencies_grid, AGENCY_HEADERS, "code"), col(agencies_grid, AGENCY_HEADERS, "view_link")
    agency_col = col(grid, SUBMISSION_HEADERS, "agency")
    for row in agencies_grid[1:]:
        code, link = g.text(row[code_col]), g.text(row[link_col])
        m = re.fullmatch(rf"https://docs\.google\.com/spreadsheets/d/{re.escape(sid)}/edit#gid=(\d+)&fvid=(\d+)", link)
        assert m, link
        assert int(m[1]) == sub.sheet_id
        (view,) = [v for v in views if v["filterViewId"] == int(m[2])]  # the link opens an existing view
        shown = visible_rows(grid, view)
        assert len(shown) == 43 and {g.text(grid[i][agency_col]) for i in shown} == {code}


def test_editor_emails_protect_each_agencys_cells_and_a_second_init_adds_nothing(fake, laid_out, config, tmp_path):
    backend, sid, creds = laid_out
    a, b, c = (x.code for x in config.agencies)
    emails = {a: "staff@a.go.th, Second@A.go.th", b: "it@b.go.th; not-an-address"}
    with fake.lock:  # a coordinator types the editors into the agencies tab
        sheet = fake.sheet(sid, TAB_AGENCIES)
        grid = sheet.grid()
        code_col, ed_col = col(grid, AGENCY_HEADERS, "code"), col(grid, AGENCY_HEADERS, "editors")
        for r, row in enumerate(grid[1:], start=1):
            if g.text(row[code_col]) in emails:
                sheet.put(r, ed_col, {"userEnteredValue": {"stringValue": emails[g.text(row[code_col])]}})
    report = backend.ensure_layout(config.catalog, config.agencies)
    assert any("not-an-address" in n for n in report.notes)
    def sub():  # each batch replaces the stored spreadsheet (atomic): look it up again
        return fake.sheet(sid, TAB_SUBMISSIONS)

    ours = [p for p in sub().protected if p.get("description", "").startswith(AGENCY_TAG)]
    assert sorted(p["description"] for p in ours) == sorted([AGENCY_TAG + a, AGENCY_TAG + b])  # none for c: as today
    grid = sub().grid()
    agency_col, url_col = col(grid, SUBMISSION_HEADERS, "agency"), col(grid, SUBMISSION_HEADERS, "url")
    said_col, status_col = col(grid, SUBMISSION_HEADERS, "explanation"), col(grid, SUBMISSION_HEADERS, "status")
    row_of = {code: next(i for i, r in enumerate(grid[1:], 1) if g.text(r[agency_col]) == code) for code in (a, b, c)}

    def edit(http, row, column, text="https://x.go.th/ok"):
        http.batch_update(sid, {"requests": [{"updateCells": {
            "range": {"sheetId": sub().sheet_id, "startRowIndex": row, "endRowIndex": row + 1,
                      "startColumnIndex": column, "endColumnIndex": column + 1},
            "rows": [{"values": [{"userEnteredValue": {"stringValue": text}}]}], "fields": "userEnteredValue"}}]})

    staff_a = as_user(fake, tmp_path, sid, "staff@a.go.th")
    edit(staff_a, row_of[a], url_col)
    edit(staff_a, row_of[a] + 42, said_col, "อยู่ท้ายหน้า")  # its 43rd row, the explanation
    edit(staff_a, row_of[c], url_col)  # c has no e-mails: any editor, as today
    for row, column in ((row_of[b], url_col), (row_of[b] + 5, said_col), (row_of[a], status_col)):
        with pytest.raises(gspread.exceptions.APIError, match="protected"):
            edit(staff_a, row, column, "https://wrong.example/")
    it_b = as_user(fake, tmp_path, sid, "it@b.go.th")
    edit(it_b, row_of[b], url_col)
    with pytest.raises(gspread.exceptions.APIError, match="protected"):
        edit(it_b, row_of[a] + 1, url_col)
    grid = sub().grid()
    assert grid[row_of[a]][url_col] == "https://x.go.th/ok" and grid[row_of[a] + 42][said_col] == "อยู่ท้ายหน้า"
    assert grid[row_of[b]][url_col] == "https://x.go.th/ok" and grid[row_of[c]][url_col] == "https://x.go.th/ok"
    assert g.text(g.cell(grid[row_of[b] + 5], said_col)) == ""

    # a second init: nothing to send
    protected, views = [dict(p) for p in sub().protected], [dict(v) for v in sub().filter_views]
    since = len(fake.log)
    backend.ensure_layout(config.catalog, config.agencies)
    assert fake.count("write", since) == 0
    assert sub().protected == protected and sub().filter_views == views

    # someone widens a's range to b's staff and deletes b's: init repairs both, duplicates none
    with fake.lock:
        pa = next(p for p in sub().protected if p.get("description") == AGENCY_TAG + a)
        pa["editors"]["users"].append("it@b.go.th")
        sub().protected.remove(next(p for p in sub().protected if p.get("description") == AGENCY_TAG + b))
    since = len(fake.log)
    backend.ensure_layout(config.catalog, config.agencies)
    assert fake.count("write", since) == 1
    ours = [p for p in sub().protected if p.get("description", "").startswith(AGENCY_TAG)]
    assert sorted(p["description"] for p in ours) == sorted([AGENCY_TAG + a, AGENCY_TAG + b])
    assert "it@b.go.th" not in next(p for p in ours if p["description"] == AGENCY_TAG + a)["editors"]["users"]
    with pytest.raises(gspread.exceptions.APIError, match="protected"):
        edit(it_b, row_of[a], url_col)
    assert len(sub().filter_views) == 3

    # e-mails cleared: the agency's protection goes, its cells follow today's rule again
    with fake.lock:
        fake.sheet(sid, TAB_AGENCIES).put(next(r for r, row in enumerate(fake.sheet(sid, TAB_AGENCIES).grid())
                                               if g.text(g.cell(row, code_col)) == b), ed_col, None)
    backend.ensure_layout(config.catalog, config.agencies)
    assert [p["description"] for p in sub().protected if p.get("description", "").startswith(AGENCY_TAG)] == [AGENCY_TAG + a]
    edit(staff_a, row_of[b], url_col, "https://a-can-type-here.go.th/")


def test_a_renamed_agency_keeps_its_view_and_link(fake, laid_out, config):
    backend, sid, _ = laid_out
    sub = fake.sheet(sid, TAB_SUBMISSIONS)
    before = {v["filterViewId"] for v in sub.filter_views}
    renamed = (dataclasses.replace(config.agencies[0], name="ชื่อใหม่"),) + config.agencies[1:]
    with fake.lock:  # the coordinator renames it in the agencies tab
        sheet = fake.sheet(sid, TAB_AGENCIES)
        grid = sheet.grid()
        r = next(i for i, row in enumerate(grid) if g.text(row[0]) == renamed[0].code)
        sheet.put(r, col(grid, AGENCY_HEADERS, "name"), {"userEnteredValue": {"stringValue": "ชื่อใหม่"}})
    backend.ensure_layout(config.catalog, renamed)
    views = fake.sheet(sid, TAB_SUBMISSIONS).filter_views
    assert {v["filterViewId"] for v in views} == before
    assert "ชื่อใหม่" in {v["title"] for v in views}
