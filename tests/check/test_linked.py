"""An item page that only links its file ("ดาวน์โหลดเอกสาร"): the file is read when the link is the
page's own (sheets_sync.check.linked), never when it is the template's (a menu, a sidebar, what
the site's not-found page links too) or one of a list. Unit cases, then real checks on loopback."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.check.linked import MAX_LINKED, linked_documents
from sheets_sync.config.settings import CheckerSettings
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond

URL = "https://a.go.th/ita/o10"
OWN = '<p><a href="/files/o10.pdf">ดาวน์โหลดเอกสาร</a></p>'


@pytest.mark.parametrize("template", [
    '<nav><ul><li><a href="/files/manual.pdf">คู่มือ</a></li></ul></nav>',
    '<header><a href="/files/manual.pdf">คู่มือ</a></header>',
    '<footer><a href="/files/manual.pdf">คู่มือ</a></footer>',
    '<aside><a href="/files/manual.pdf">คู่มือ</a></aside>',
    '<div role="navigation"><a href="/files/manual.pdf">คู่มือ</a></div>',
    '<div class="menu-main-container"><ul><li><a href="/files/manual.pdf">คู่มือ</a></ul></div>',
    '<ul id="menu-ita"><li class="menu-item"><a href="/files/manual.pdf">คู่มือ</a></li></ul>',
    '<div class="col-md-3 left-sidebar"><a href="/files/manual.pdf">คู่มือ</a></div>',
    '<div class="widget-area"><a href="/files/manual.pdf">คู่มือ</a></div>',
    # unclosed <li>s inside a menu: the menu's end closes them, as a browser does
    '<ul class="nav"><li><a href="/files/manual.pdf">คู่มือ</a><li><a href="/files/plan.pdf">แผน</a></ul>',
])
def test_the_templates_links_are_not_the_pages_own(template):
    assert linked_documents(template + "<h1>O10</h1>" + OWN, URL) == ["https://a.go.th/files/o10.pdf"]
    assert linked_documents(template + "<h1>O10</h1><p>ไม่มีลิงก์</p>", URL) == []


@pytest.mark.parametrize("wrapper", [
    '<div class="site-content has-sidebar">{}</div>',  # a layout's flag on a wrapper of both
    '<div class="elementor-widget elementor-widget-text-editor"><div class="elementor-widget-container">{}</div></div>',
    '<table><tr><td>{}</td></tr></table>',  # an old table layout, nothing marked
    '<article class="post">{}</article>',
    '<div class="entry-content">{}</div>',
])
def test_the_pages_own_links_are_found_in_common_layouts(wrapper):
    assert linked_documents("<h1>O10</h1>" + wrapper.format(OWN), URL) == ["https://a.go.th/files/o10.pdf"]


def test_a_page_that_marks_its_content_has_no_own_links_outside_it():
    page = '<div class="left"><a href="/files/manual.pdf">คู่มือ</a></div><div class="entry-content">{}</div>'
    assert linked_documents(page.format(OWN), URL) == ["https://a.go.th/files/o10.pdf"]
    assert linked_documents(page.format("<p>ไม่มีลิงก์</p>"), URL) == []


def test_what_the_sites_not_found_page_links_is_its_template():
    page = f'<table><tr><td><a href="/files/plan.pdf">แผน</a></td><td>{OWN}</td></tr></table>'
    assert linked_documents(page, URL) == ["https://a.go.th/files/plan.pdf", "https://a.go.th/files/o10.pdf"]
    assert linked_documents(page, URL, template=frozenset({"/files/plan.pdf"})) == ["https://a.go.th/files/o10.pdf"]


def test_a_list_of_files_is_not_read():
    listing = "".join(f'<p><a href="/files/o{k}.pdf">O{k}</a></p>' for k in range(1, MAX_LINKED + 2))
    assert linked_documents(f"<main>{listing}</main>", URL) == []
    few = "".join(f'<p><a href="/files/o{k}.pdf">O{k}</a></p>' for k in range(1, MAX_LINKED + 1))
    assert len(linked_documents(f"<main>{few}</main>", URL)) == 2  # read: at most two, as embedded files


def test_only_the_agencys_files_count_and_each_once():
    page = ('<main><a href="/news/12">ข่าว</a><a href="/files/o10.pdf#page=2">O10</a><a href="/files/o10.pdf">O10</a>'
            '<a href="https://drive.google.com/file/d/1AbCdEfGh_IJ-kL/view?usp=sharing&amp;x=1">Drive</a>'
            '<a href="mailto:saraban@a.go.th">อีเมล</a><a href="https://www.nacc.go.th/files/ita-2566.pdf">คู่มือ</a>'
            '</main>')
    assert linked_documents(page, URL) == ["https://a.go.th/files/o10.pdf",
                                           "https://drive.google.com/file/d/1AbCdEfGh_IJ-kL/view?usp=sharing&x=1"]


def test_relative_links_go_by_the_pages_base():
    page = '<head><base href="https://a.go.th/"></head><main><a href="files/o10.pdf">O10</a></main>'
    assert linked_documents(page, "https://a.go.th/index.php/ita/o10") == ["https://a.go.th/files/o10.pdf"]


# ---------------------------------------------------------------- real checks on loopback
HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF = {"Content-Type": "application/pdf"}


def _table_site(content: str) -> bytes:
    """An old table layout, nothing marked: the left column's "development plan" is on every page."""
    return ('<html><head><meta charset="utf-8"><title>องค์การบริหารส่วนตำบล</title></head><body><table><tr>'
            '<td width="200"><a href="/files/plan.pdf">แผนพัฒนาท้องถิ่น</a><br><a href="/">หน้าแรก</a></td>'
            f'<td>{content}</td></tr></table></body></html>').encode()


@pytest.fixture
def site():
    item = "<h2>O10 แผนดำเนินงานประจำปี</h2><p>รายละเอียดตามเอกสารแนบ</p>"
    routes = {
        "/o10-old": respond(200, _table_site(item + '<a href="/files/o10-2565.pdf">ดาวน์โหลด</a>'), HTML),
        "/o10": respond(200, _table_site(item + '<a href="/files/o10-2566.pdf">ดาวน์โหลด</a>'), HTML),
        "/o10-bare": respond(200, _table_site(item), HTML),
        "/files/plan.pdf": respond(200, make_pdf(["Local development plan", "B.E. 2566 - 2570"]), PDF),
        "/files/o10-2565.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2565"]), PDF),
        "/files/o10-2566.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
    }
    missing = respond(404, _table_site("<h2>ไม่พบหน้าที่ต้องการ</h2>"), HTML)
    with LoopbackServer(routes, fallback=missing) as srv:
        yield srv


def _check(url: str, probe: bool = True):
    settings = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=5.0, retries=0,
                       soft404_probe=probe, allow_private=("127.0.0.1/32",))
    with Checker(settings, pdf_years=((2566,),)) as checker:
        return checker.check(url)


def test_the_file_a_page_links_gives_its_year(site):
    result = _check(site.url("/o10"))
    assert 2566 in result.years
    assert "/files/o10-2566.pdf" in [s.path for s in site.log]


def test_the_templates_2566_file_does_not_pass_for_the_items(site):
    # The left column links a 2566 plan from every page, the not-found page too: the item's own
    # file is last year's, and that is what the row must say.
    result = _check(site.url("/o10-old"))
    assert result.years == (2565,)
    assert "/files/plan.pdf" not in [s.path for s in site.log]
    # false-positive guard: without the site's not-found page to tell its template, the plan is
    # taken for the page's own, which is why the probe is asked
    assert 2566 in _check(site.url("/o10-old"), probe=False).years


def test_a_page_whose_only_file_is_the_templates_stays_judged_by_its_own_text(site):
    result = _check(site.url("/o10-bare"))
    assert not result.years
    assert "/files/plan.pdf" not in [s.path for s in site.log]
