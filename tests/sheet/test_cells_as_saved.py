"""Cells of the workbook as people type them and as Excel saves them, through the real .xlsx
backend, the pipeline and the checker against the one-agency loopback farm: each verdict must be
the one the cell, as it shows, deserves."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from sheets_sync.pipeline import sync as pipeline
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import AGENCY_HEADERS, SUBMISSION_HEADERS, TAB_AGENCIES, TAB_SUBMISSIONS
from sheets_sync.sheet.xlsx import XlsxBackend
from tests.support.one_agency import HOST, config_for, farm, sync_once  # noqa: F401  (farm: a fixture)


def _workbook(farm, tmp_path):
    config = config_for(farm, tmp_path)
    backend = XlsxBackend(tmp_path / "oit.xlsx", tz=config.settings.tz)
    pipeline.init(config, backend)
    return config, backend


def _url_cell(ws, item: str):
    cols = g.columns([c.value for c in ws[1]], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    row = next(r for r in ws.iter_rows(min_row=2) if r[cols["item"]].value == item)
    return row[cols["url"]]


def _as_excel_saves_it(path) -> None:
    """Rewrites the workbook's parts with every carriage return in a cell's text as Excel and
    LibreOffice store it: the OOXML escape `_x000D_` (openpyxl writes the character itself)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    assert any(b"\r" in d for n, d in parts.items() if n.startswith("xl/worksheets/") or "sharedStrings" in n)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            if name.startswith("xl/worksheets/") or "sharedStrings" in name:
                data = data.replace(b"\r", b"_x000D_")
            z.writestr(name, data)


def test_two_sites_on_two_lines_of_the_domains_cell_are_both_the_agencys(farm, tmp_path):
    # A coordinator types the agency's second site on a new line of its cell (Alt+Enter), as the
    # e-mail columns allow: every link on its first site was off_site.
    config, backend = _workbook(farm, tmp_path)
    wb = load_workbook(backend.path)
    agencies = wb[TAB_AGENCIES]
    domains = [c.value for c in agencies[1]].index(AGENCY_HEADERS["domains"])
    agencies.cell(2, domains + 1).value = f"{HOST}\ntapladuk.org"
    _url_cell(wb[TAB_SUBMISSIONS], "O1").value = farm.url(HOST, "/oit/O1")
    wb.save(backend.path)

    verdict = sync_once(config, backend, {"O1"})["O1"]

    assert "off_site" not in verdict.reasons
    assert verdict.status.value == "ok"
    assert backend.read(config.catalog).agencies[0].domains == (HOST, "tapladuk.org")


def test_links_separated_by_windows_line_breaks_as_excel_saves_them_are_each_checked(farm, tmp_path):
    # Excel saves the CR of a CR LF as "_x000D_", and openpyxl reads it so: the first link was
    # checked as ".../O1_x000D_", a 404, and the row called broken.
    config, backend = _workbook(farm, tmp_path)
    wb = load_workbook(backend.path)
    _url_cell(wb[TAB_SUBMISSIONS], "O1").value = farm.url(HOST, "/oit/O1") + "\r\n" + farm.url(HOST, "/oit/O2")
    _url_cell(wb[TAB_SUBMISSIONS], "O3").value = farm.url(HOST, "/oit/O3") + "\r"  # a trailing one
    wb.save(backend.path)
    _as_excel_saves_it(backend.path)

    verdicts = sync_once(config, backend, {"O1", "O3"})

    for item in ("O1", "O3"):
        assert verdicts[item].status.value == "ok", (item, verdicts[item].reasons, verdicts[item].detail)
        assert "_x000D_" not in verdicts[item].detail
    # written as current, and a second run finds nothing of its own to file as a person's text
    second = sync_once(config, backend, {"O1", "O3"})
    assert second["O1"].status.value == "ok"
    assert "ข้อความที่ถูกย้าย" not in load_workbook(backend.path).sheetnames
