"""The governor's report as a PDF for a province-sized history (59 agencies, 43 items): page one is
the brief, the whole within 6 A4 pages, no heading alone at the foot of a page, Thai in embedded
Thai fonts, agency names on at most two lines; checked from the PDF itself with poppler-utils.
Needs headless Chromium (.ci/run installs it); skips with the reason where it is missing."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from sheets_sync import cli
from sheets_sync.config.settings import load_config
from sheets_sync.report import document as DOC
from sheets_sync.report import governor as R
from sheets_sync.report import pdf as P
from sheets_sync.report.summary import DISTRICTS
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support import pdf_layout as L
from tests.support.png import png_size_and_ink
from tests.support.province_fixture import (
    NOW,
    PROVINCE_SIZE,
    province_config,
    province_history,
)

ROOT = Path(__file__).resolve().parents[2]
AFTER_ROUND_3 = R.parse_as_of("2023-04-10", NOW.tzinfo)

needs_chromium = pytest.mark.skipif(P.find_chromium() is None,
                                    reason="chromium is not installed (apt-get install chromium fonts-thai-tlwg; "
                                           ".ci/run does it)")
needs_poppler = pytest.mark.skipif(not L.have_poppler(), reason="poppler-utils is not installed (pdftotext ...)")


class Rendered:
    def __init__(self, config, brief, doc: str, pdf: Path) -> None:
        self.config, self.brief, self.doc, self.pdf = config, brief, doc, pdf

    def headings(self) -> list[str]:
        return [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", self.doc)]


def render(tmp: Path, at) -> Rendered:
    config = province_config(load_config(ROOT / "config" / "settings.yaml")).with_settings(
        state_path=str(tmp / "state.sqlite"))
    with State(config.settings.state_path) as state:
        hist = province_history(History(state), config.agencies, config.catalog, until=at)
        brief = R.report_brief(config, hist, at)
        doc = R.report_html(config, hist, at)
    pdf = tmp / "report.pdf"  # what make_report writes for --format pdf (the CLI path: test_hostile, below)
    pdf.write_bytes(P.html_to_pdf(doc))
    return Rendered(config, brief, doc, pdf)


@pytest.fixture(scope="module")
def mid_march(tmp_path_factory):
    if P.find_chromium() is None or not L.have_poppler():
        pytest.skip("needs chromium and poppler-utils (apt-get install chromium fonts-thai-tlwg poppler-utils)")
    return render(tmp_path_factory.mktemp("mid-march"), NOW)


@pytest.fixture(scope="module")
def after_round_3(tmp_path_factory):
    if P.find_chromium() is None or not L.have_poppler():
        pytest.skip("needs chromium and poppler-utils (apt-get install chromium fonts-thai-tlwg poppler-utils)")
    return render(tmp_path_factory.mktemp("after-round-3"), AFTER_ROUND_3)


def test_page_one_is_the_brief(mid_march):
    r, b = mid_march, mid_march.brief
    assert b.total == b.expected == PROVINCE_SIZE and b.target == 50
    page1 = L.page_text(r.pdf, 1)
    flat = " ".join(page1.split())
    # the headline: on track / target / total, and the change since the last report
    assert f"{b.on_track} / {b.target} / {b.expected}" in flat
    assert b.change is not None
    assert (f"เปลี่ยนแปลง {b.change:+d} แห่ง" if b.change else "เปลี่ยนแปลง 0 แห่ง") in flat
    # the agencies at risk, named on page one: the 2565 failures first, each with its 2565 score
    shown = b.at_risk[:DOC._at_risk_rows(b)]
    assert len(shown) >= 12 and [x.agency.failed_2565 for x in shown] == sorted(
        (x.agency.failed_2565 for x in shown), reverse=True)
    flat1 = L.squash(page1)
    missing = [x.agency.name for x in shown if L.squash(x.agency.name) not in flat1]
    assert not missing, missing
    for x in shown:
        if x.agency.score_2565 is not None:
            assert f"{x.agency.score_2565:.2f}" in page1
    if len(b.at_risk) > len(shown):
        assert f"และอีก {len(b.at_risk) - len(shown)} แห่ง" in flat
    # what is due next and in how many days, and the actions, still on page one
    assert b.next_due is not None and f"รอบที่ 3 ภายใน 7 เมษายน 2566 (อีก {b.next_due.days} วัน)" in flat
    assert DOC.TITLE_ACTIONS in flat and L.squash(b.actions[-1]) in flat1
    # the date in the Buddhist era, the page number in the margin; the appendix starts on page 2
    assert "ข้อมูล ณ 15 มี.ค. 2566 09:30 น." in flat and "หน้า 1 / " in flat and "2023" not in flat
    assert L.squash(DOC.APPENDIX_TITLE) not in flat1
    assert L.squash(DOC.APPENDIX_TITLE) in L.squash(L.page_text(r.pdf, 2))


@pytest.mark.parametrize("case", ["mid_march", "after_round_3"])
def test_whole_report_within_six_a4_pages_no_heading_alone_at_a_foot(case, request):
    r = request.getfixturevalue(case)
    n = L.page_count(r.pdf)
    assert 2 <= n <= 6
    width, height = L.page_size(r.pdf)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait, in points
    assert L.pages_ending_with_a_heading(r.pdf, r.headings()) == []
    for page in range(1, n + 1):
        assert f"หน้า {page} / {n}" in " ".join(L.page_text(r.pdf, page).split())


def test_table_headers_repeat_and_names_take_at_most_two_lines(mid_march):
    r = mid_march
    names = [a.name for a in r.config.agencies]
    lines: dict[str, int] = {}
    header_pages = 0
    for page in L.pages(r.pdf)[1:]:
        lines.update(L.name_lines(page, names, list(DISTRICTS)))
        header_pages += "คะแนน2565" in L.squash(L.page_text(r.pdf, page.number))
    assert len(lines) >= 0.9 * len(names)  # the by-agency table's rows, found from text positions
    assert max(lines.values()) <= 2, sorted(lines.items(), key=lambda kv: -kv[1])[:5]
    assert header_pages >= 2  # the by-agency table spans pages, its header on each


def test_thai_is_drawn_with_embedded_thai_fonts(mid_march, tmp_path):
    fonts = L.fonts(mid_march.pdf)
    assert fonts and all(embedded for _, embedded in fonts)
    thai = L.thai_font_families()
    if not thai:
        pytest.skip("no Thai font installed (fonts-thai-tlwg)")
    # every font Chromium used covers Thai: no fallback font without Thai glyphs, so no boxes
    assert all(name.split("-")[0] in thai for name, _ in fonts), (fonts, thai)
    text = L.page_text(mid_march.pdf, 1)
    assert "\ufffd" not in text and "รายงานความก้าวหน้าการเผยแพร่ข้อมูลสาธารณะ" in text
    # page one as a picture (what docs/img/make_screenshots.py puts in the README): A4, not blank
    png = L.page_png(mid_march.pdf, 1, tmp_path / "page1", dpi=40)
    width, height, ink = png_size_and_ink(png)
    assert abs(height / width - 297 / 210) < 0.01 and 0.01 < ink < 0.5


@needs_chromium
@needs_poppler
def test_the_heading_check_finds_a_heading_left_at_the_foot(tmp_path):
    """The layout check can fail: a heading pushed to the foot of page one with its table on page
    two (no break-after: avoid) is reported."""
    doc = ("<!DOCTYPE html><html lang='th'><head><meta charset='utf-8'><style>@page { size: A4; margin: 10mm }"
           "body { margin: 0; font-family: Loma, sans-serif } h2 { margin: 0; font-size: 14pt }</style></head><body>"
           "<div style='height: 262mm'>ก</div><h2>รายอำเภอ</h2><table>"
           + "".join(f"<tr><td>แถว {i}</td></tr>" for i in range(20)) + "</table></body></html>")
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(P.html_to_pdf(doc))
    assert L.page_count(pdf) == 2
    assert L.pages_ending_with_a_heading(pdf, ["รายอำเภอ", "แถว 0"]) == [(1, "รายอำเภอ")]


def test_pdf_without_chromium_says_what_to_install(tmp_path, monkeypatch, capsys):
    settings = tmp_path / "config" / "settings.yaml"
    shutil.copytree(ROOT / "config", settings.parent)
    text = settings.read_text(encoding="utf-8").replace("state_path: data/state.sqlite",
                                                        f"state_path: {tmp_path / 'state.sqlite'}")
    settings.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SHEETS_SYNC_CHROMIUM", "no-such-chromium-here")
    code = cli.main(["--config", str(settings), "report", "--format", "pdf", "--out", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 7  # MissingTool: distinct from check's verdict codes 5 and 6
    assert len([line for line in err if "apt-get install chromium" in line]) == 1
    assert not (tmp_path / "r.pdf").exists()
