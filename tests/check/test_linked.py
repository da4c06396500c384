"""An item page that only links its file ("ดาวน์โหลดเอกสาร"): the file is read when the link is the
page's own (sheets_sync.check.linked), never when it is the template's (a menu, a sidebar, what
the site's not-found page links too) or one of a list. Unit cases, then real checks on loopback."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.check.linked import MAX_LINKED, SCAN_TEXT, own_content, parts
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond, slow
from tests.support.pdf_crypt import encrypted_pdf

URL = "https://a.go.th/ita/o10"
OWN = '<p><a href="/files/o10.pdf">ดาวน์โหลดเอกสาร</a></p>'


def docs(page: str, url: str = URL, template: frozenset = frozenset()) -> list[str]:
    return list(own_content(parts(page, url), url, links=template).documents)


def own(page: str, shown: frozenset = frozenset()):
    return own_content(parts(page, URL), URL, shown=shown)


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
    '<td class="leftmenu"><a href="/files/manual.pdf">คู่มือ</a></td>',  # an old table layout's own names
    '<div class="moduletable_menu"><a href="/files/manual.pdf">คู่มือ</a></div>',  # Joomla's menu module
    # unclosed <li>s inside a menu: the menu's end closes them, as a browser does
    '<ul class="nav"><li><a href="/files/manual.pdf">คู่มือ</a><li><a href="/files/plan.pdf">แผน</a></ul>',
    # a file a menu's script opens is the menu's too
    '<nav><a href="#" onclick="window.open(\'/files/manual.pdf\')">คู่มือ</a></nav>',
])
def test_the_templates_links_are_not_the_pages_own(template):
    assert docs(template + "<h1>O10</h1>" + OWN, URL) == ["https://a.go.th/files/o10.pdf"]
    assert docs(template + "<h1>O10</h1><p>ไม่มีลิงก์</p>", URL) == []


@pytest.mark.parametrize("wrapper", [
    '<div class="site-content has-sidebar">{}</div>',  # a layout's flag on a wrapper of both
    '<div class="elementor-widget elementor-widget-text-editor"><div class="elementor-widget-container">{}</div></div>',
    '<table><tr><td>{}</td></tr></table>',  # an old table layout, nothing marked
    '<article class="post">{}</article>',
    '<div class="entry-content">{}</div>',
    # inside an article, a header or a footer is the article's own, as in HTML
    '<article><header class="entry-header">{}</header></article>',
    '<main><div class="post-footer">{}</div></main>',
])
def test_the_pages_own_links_are_found_in_common_layouts(wrapper):
    assert docs("<h1>O10</h1>" + wrapper.format(OWN), URL) == ["https://a.go.th/files/o10.pdf"]


def test_a_page_that_marks_its_content_has_no_own_links_outside_it():
    page = '<div class="left"><a href="/files/manual.pdf">คู่มือ</a></div><div class="entry-content">{}</div>'
    assert docs(page.format(OWN), URL) == ["https://a.go.th/files/o10.pdf"]
    assert docs(page.format("<p>ไม่มีลิงก์</p>"), URL) == []


def test_what_the_sites_not_found_page_links_is_its_template():
    page = f'<table><tr><td><a href="/files/plan.pdf">แผน</a></td><td>{OWN}</td></tr></table>'
    assert docs(page, URL) == ["https://a.go.th/files/plan.pdf", "https://a.go.th/files/o10.pdf"]
    assert docs(page, URL, template=frozenset({"/files/plan.pdf"})) == ["https://a.go.th/files/o10.pdf"]


def test_a_list_of_files_is_not_read():
    listing = "".join(f'<p><a href="/files/o{k}.pdf">O{k}</a></p>' for k in range(1, MAX_LINKED + 2))
    assert docs(f"<main>{listing}</main>", URL) == []
    few = "".join(f'<p><a href="/files/o{k}.pdf">O{k}</a></p>' for k in range(1, MAX_LINKED + 1))
    assert len(docs(f"<main>{few}</main>", URL)) == 2  # read: at most two, as embedded files


def test_only_the_agencys_files_count_and_each_once():
    page = ('<main><a href="/news/12">ข่าว</a><a href="/files/o10.pdf#page=2">O10</a><a href="/files/o10.pdf">O10</a>'
            '<a href="https://drive.google.com/file/d/1AbCdEfGh_IJ-kL/view?usp=sharing&amp;x=1">Drive</a>'
            '<a href="mailto:saraban@a.go.th">อีเมล</a><a href="https://www.nacc.go.th/files/ita-2566.pdf">คู่มือ</a>'
            '</main>')
    assert docs(page, URL) == ["https://a.go.th/files/o10.pdf",
                                           "https://drive.google.com/file/d/1AbCdEfGh_IJ-kL/view?usp=sharing&x=1"]


@pytest.mark.parametrize("page", ["<![foo bar <main><a href='/files/o10.pdf'>O10</a></main>", "<a href='/files/o10.pdf'",
                                  "<!--", "<![CDATA[ x", "\x00</"])
def test_broken_markup_gives_nothing_of_its_own_and_never_raises(page):
    # html.parser raises AssertionError on a marked section it does not know: that cost the
    # URL its verdict (check_failed); such a page is judged by its own text, as before
    assert docs(page) == [] and not own(page).scanned


def test_relative_links_go_by_the_pages_base():
    page = '<head><base href="https://a.go.th/"></head><main><a href="files/o10.pdf">O10</a></main>'
    assert docs(page, "https://a.go.th/index.php/ita/o10") == ["https://a.go.th/files/o10.pdf"]


SCANS = '<img src="/uploads/2023/01/page-1.jpg"><img data-src="/uploads/2023/01/page-2.jpg" src="data:image/gif;base64,R0">'


def test_a_page_of_scanned_pictures_with_next_to_no_text_is_scanned():
    page = f'<header><img src="/images/logo.png"></header><article><h1>ประกาศ เรื่อง แผนการจัดซื้อ</h1>{SCANS}</article>'
    assert (own(page).pictures, own(page).scanned) == (2, True)
    # false-positive guards: a news post's photos beside its text, the template's pictures, icons
    long = "<p>" + "กิจกรรมวันเด็กแห่งชาติ " * (SCAN_TEXT // 10) + "</p>"
    assert not own(page.replace("</h1>", "</h1>" + long)).scanned
    assert not own(f'<aside>{SCANS}</aside><main><h1>ประกาศ</h1></main>').scanned
    assert not own(f"<table><tr><td>{SCANS}</td><td><h1>ประกาศ</h1></td></tr></table>",
                   shown=frozenset({"/uploads/2023/01/page-1.jpg", "/uploads/2023/01/page-2.jpg"})).scanned
    icons = ('<main><h1>ประกาศ</h1><img src="/img/new.gif"><img src="/img/arrow-right.png"><img class="emoji" '
             'src="/e/1f600.png"><img src="/img/pdf.png" width="32" height="32"><img src="/i/x.svg"></main>')
    assert own(icons).pictures == 0


def test_the_text_of_the_template_is_not_the_pages_own():
    menu = "<nav>" + "<a href='/o'>เมนูหลักของเว็บไซต์</a>" * 50 + "</nav>"
    assert own(f"{menu}<main><h1>ประกาศ</h1>{SCANS}</main>").scanned
    assert own(f"{menu}<h1>ประกาศ</h1>{SCANS}").scanned  # nothing marked: all but the template counts
    assert own(f"<title>{'ชื่อเว็บไซต์ ' * 60}</title><h1>ประกาศ</h1>{SCANS}").scanned


# ---------------------------------------------------------------- real checks on loopback
HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF = {"Content-Type": "application/pdf"}


def _table_site(content: str) -> bytes:
    """An old table layout, nothing marked: the left column's mayor's photo and "development plan"
    are on every page."""
    return ('<html><head><meta charset="utf-8"><title>องค์การบริหารส่วนตำบล</title></head><body><table><tr>'
            '<td width="200"><img src="/up/mayor.jpg"><a href="/files/plan.pdf">แผนพัฒนาท้องถิ่น</a><br>'
            '<a href="/">หน้าแรก</a></td>'
            f'<td>{content}</td></tr></table></body></html>').encode()


def _pages_showing(name: str, item: str) -> dict:
    """Item pages for /files/<name>.pdf: one linking it, one framing it, one linking it beside
    last year's plan that opens (/o10-<name>, /o10-embeds-<name>, /o10-<name>-and-ok)."""
    return {
        f"/o10-{name}": respond(200, _table_site(item + f'<a href="/files/{name}.pdf">ดาวน์โหลด</a>'), HTML),
        f"/o10-embeds-{name}": respond(200, _table_site("<h2>O10 แผนดำเนินงานประจำปี</h2>"
                                                        f'<iframe src="/files/{name}.pdf" width="100%" height="900">'
                                                        '</iframe>'), HTML),
        f"/o10-{name}-and-ok": respond(200, _table_site(item + f'<a href="/files/{name}.pdf">ส่วนที่ 1</a> '
                                                        '<a href="/files/o10-2565.pdf">ส่วนที่ 2</a>'), HTML),
    }


def browser_only(body: bytes, headers: dict) -> object:
    """The file to a browser's User-Agent, 403 to any other: a hotlink or bot rule."""
    def run(h) -> None:
        if "mozilla" in h.headers.get("User-Agent", "").lower():
            respond(200, body, headers)(h)
        else:
            respond(403, b"Forbidden", HTML)(h)
    return run


def _listing(folder: str, files: dict[str, str]) -> bytes:
    """Apache's listing of a folder: each file with the time it was uploaded."""
    rows = "".join(f'<tr><td valign="top"><img src="/icons/layout.gif" alt="[   ]"></td><td><a href="{name}">{name}</a>'
                   f'</td><td align="right">{uploaded}  </td><td align="right">120K</td><td>&nbsp;</td></tr>'
                   for name, uploaded in files.items())
    return (f'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN"><html><head><title>Index of {folder}</title>'
            f'</head><body><h1>Index of {folder}</h1><table><tr><th><a href="?C=N;O=D">Name</a></th><th>'
            f'<a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr><tr><td>'
            f'<a href="/ita/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>{rows}</table>'
            f'<address>Apache/2.4.41 (Ubuntu) Server at www.a.go.th Port 80</address></body></html>').encode()


# IIS's listing ("directory browsing"): its times in the server's own format
IIS_LISTING = (b'<html><head><title>www.a.go.th - /ita/o11/</title></head><body><H1>www.a.go.th - /ita/o11/</H1><hr>'
               b'<pre><A HREF="/ita/">[To Parent Directory]</A><br><br> 1/15/2023 10:32 AM        122880 '
               b'<A HREF="/ita/o11/o11.pdf">o11.pdf</A><br></pre><hr></body></html>')


# Yearly files a page lists, as (its link's year, the file): the page's path's tail
YEARLY = {
    "": ((2564, "o10-2564.pdf"), (2565, "o10-2565.pdf"), (2566, "o10-2566.pdf")),
    "-gone": ((2564, "o10-2564.pdf"), (2565, "o10-2565.pdf"), (2566, "deleted.pdf")),  # this year's file removed
    "-old": ((2563, "o10-2563.pdf"), (2564, "o10-2564.pdf"), (2565, "o10-2565.pdf")),  # an O13 page: to 2565
}


def _yearly(files) -> str:
    return "<ul>" + "".join(f'<li><a href="/files/{f}">แผนดำเนินงาน ปี {y}</a></li>' for y, f in files) + "</ul>"


@pytest.fixture
def site():
    item = "<h2>O10 แผนดำเนินงานประจำปี</h2><p>รายละเอียดตามเอกสารแนบ</p>"
    routes = {
        "/o10-old": respond(200, _table_site(item + '<a href="/files/o10-2565.pdf">ดาวน์โหลด</a>'), HTML),
        "/o10": respond(200, _table_site(item + '<a href="/files/o10-2566.pdf">ดาวน์โหลด</a>'), HTML),
        "/o10-bare": respond(200, _table_site(item), HTML),
        "/o10-scans": respond(200, _table_site(item + '<img src="/up/o10-page1.jpg" width="800">'), HTML),
        "/o10-picture-only": respond(200, b'<html><body><img src="/up/o10-page1.jpg" width="800"></body></html>', HTML),
        "/o10-gone": respond(200, _table_site(item + '<a href="/files/deleted.pdf">ดาวน์โหลด</a>'), HTML),
        "/o10-gone-two": respond(200, _table_site(item + '<a href="/files/a.pdf">ส่วนที่ 1</a> '
                                                  '<a href="/files/removed.pdf">ส่วนที่ 2</a>'), HTML),
        "/o10-half-gone": respond(200, _table_site(item + '<a href="/files/deleted.pdf">ส่วนที่ 1</a> '
                                                   '<a href="/files/o10-2565.pdf">ส่วนที่ 2</a>'), HTML),
        "/o10-gone-and-refused": respond(200, _table_site(item + '<a href="/files/deleted.pdf">ส่วนที่ 1</a> '
                                                          '<a href="/files/hotlinked.pdf">ส่วนที่ 2</a>'), HTML),
        "/o10-only-frame": respond(200, b'<html><body><iframe src="/files/deleted.pdf" width="100%" height="900">'
                                        b'</iframe></body></html>', HTML),  # no text at all beside its file
        "/o10-failing": respond(200, _table_site(item + '<a href="/files/failing.pdf">ดาวน์โหลด</a>'), HTML),
        "/files/failing.pdf": respond(503, b"Service Unavailable", HTML),
        "/o10-slow": respond(200, _table_site(item + '<a href="/files/slow.pdf">ดาวน์โหลด</a>'), HTML),
        "/files/slow.pdf": slow(3.0, respond(200, make_pdf(["Fiscal year B.E. 2566"]), PDF)),
        "/o10-refused": respond(200, _table_site(item + '<a href="/files/hotlinked.pdf">ดาวน์โหลด</a>'), HTML),
        "/o10-embeds-gone": respond(200, _table_site("<h2>O10 แผนดำเนินงานประจำปี</h2>"
                                                     '<iframe src="/files/deleted.pdf" width="100%" height="900">'
                                                     '</iframe>'), HTML),
        # a CMS's answer for a deleted file: its "not found" page, sent with 200
        "/files/removed.pdf": respond(200, _table_site("<h2>ไม่พบไฟล์ที่ต้องการ</h2>"), HTML),
        "/files/hotlinked.pdf": respond(403, b"Forbidden", HTML),
        **_pages_showing("locked", item),
        "/files/locked.pdf": respond(200, encrypted_pdf(["Operating plan", "Fiscal year B.E. 2566"], user="bt"), PDF),
        "/o10-bot-rule": respond(200, _table_site(item + '<a href="/files/bot-rule.pdf">ดาวน์โหลด</a>'), HTML),
        "/files/bot-rule.pdf": browser_only(make_pdf(["Operating plan", "Fiscal year B.E. 2565"]), PDF),
        # a download script that forgot its header: the browser shows the PDF as gibberish
        "/files/garbled.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), HTML),
        **_pages_showing("garbled", item),
        "/files/plan.pdf": respond(200, make_pdf(["Local development plan", "B.E. 2566 - 2570"]), PDF),
        "/files/o10-2565.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2565"]), PDF),
        "/files/o10-2566.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
        # a CMS's download script: the address names no file type
        "/o10-script": respond(200, _table_site(item + '<a href="/download.php?id=12">ดาวน์โหลดเอกสาร</a>'), HTML),
        "/download.php": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2565"]),
                                 {"Content-Type": "application/octet-stream",
                                  "Content-Disposition": 'attachment; filename="o10.pdf"'}),
        "/o10-docman": respond(200, _table_site(item + '<a href="/index.php?option=com_docman&amp;task=doc_download'
                                                '&amp;gid=4">O10</a>'), HTML),
        "/index.php": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
        # the names Thai agencies' own sites give their download scripts
        "/o10-viewfile": respond(200, _table_site(item + '<a href="/viewfile.php?id=12">O10</a>'), HTML),
        "/viewfile.php": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
        "/o10-showpdf": respond(200, _table_site(item + '<a href="/showpdf.php?doc=12">O10</a>'), HTML),
        "/showpdf.php": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2565"]), PDF),
        "/o10-file-php": respond(200, _table_site(item + '<a href="/file.php?id=12">O10</a>'), HTML),
        "/file.php": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
        # not a file: a member's profile page, never asked for
        "/o10-profile": respond(200, _table_site(item + '<a href="/profile.php?id=12">นายก</a>'), HTML),
        "/profile.php": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
        # the year only in the text of the link to the file: the file behind it decides
        "/o10-named-gone": respond(200, _table_site(item + '<a href="/files/deleted.pdf">แผนดำเนินงาน ปี 2566</a>'), HTML),
        "/o10-named-old": respond(200, _table_site(item + '<a href="/files/o10-2565.pdf">แผนดำเนินงาน ปี 2566</a>'),
                                  HTML),
        "/o10-named": respond(200, _table_site(item + '<a href="/files/o10-2566.pdf">แผนดำเนินงาน ปี 2566</a>'), HTML),
        # ... a scan that opens: its link's word stands for its year, as before
        "/o10-named-scan": respond(200, _table_site(item + '<a href="/files/scan.pdf">แผนดำเนินงาน ปี 2566</a>'), HTML),
        "/files/scan.pdf": respond(200, make_pdf([]), PDF),
        # ... not when the page's heading names the year itself
        "/o10-headed": respond(200, _table_site('<h2>O10 แผนดำเนินงานประจำปี 2566</h2>'
                                                '<a href="/files/deleted.pdf">แผนดำเนินงาน ปี 2566</a>'), HTML),
        # a file opened by a link's script: in a window of its own, by a button
        "/o10-window": respond(200, _table_site(item + '<a href="javascript:;" onclick="MM_openBrWindow('
                                                "'/files/o10-2566.pdf','','scrollbars=yes')\">คลิก</a>"), HTML),
        "/o10-button": respond(200, _table_site(item + '<button onclick="location.href=\'/files/o10-2565.pdf\'">'
                                                'ดาวน์โหลด</button>'), HTML),
        # ... and a download centre's page, no file: the item page stays judged by its own text
        "/o10-centre": respond(200, _table_site(item + '<a href="/th/download/">ศูนย์ดาวน์โหลด</a>'), HTML),
        "/th/download/": respond(200, _table_site("<h2>ศูนย์ดาวน์โหลด</h2><p>เอกสารเผยแพร่ ปี 2566</p>"), HTML),
        # folders given as the item: last year's plan uploaded in January 2023 (2566), this year's in 2021's
        "/ita/o10/": respond(200, _listing("/ita/o10", {"o10.pdf": "2023-01-15 10:32"}), HTML),
        "/ita/o10/o10.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2565"]), PDF),
        "/ita/o11/": respond(200, IIS_LISTING, HTML),
        "/ita/o11/o11.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF),
        "/ita/o12/": respond(200, _listing("/ita/o12", {f"part{k}.pdf": "2023-01-15 10:32"
                                                        for k in range(MAX_LINKED + 1)}), HTML),
        "/ita/o13/": respond(200, _listing("/ita/o13", {}), HTML),
        # a few yearly files, listed oldest first: only two of them are read
        **{f"/o10-yearly{tail}": respond(200, _table_site(item + _yearly(files)), HTML) for tail, files in YEARLY.items()},
        "/files/o10-2564.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2564"]), PDF),
        "/files/o10-2563.pdf": respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2563"]), PDF),
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
    assert not result.years and result.reasons == ()  # no year: "no 2566", and the mayor's photo is no scan
    assert "/files/plan.pdf" not in [s.path for s in site.log]


@pytest.mark.parametrize("path", ["/o10-scans", "/o10-picture-only"])  # the second was ok with no word of its year
def test_a_page_of_its_own_scanned_pictures_is_a_look_by_hand(site, path):
    result = _check(site.url(path))
    assert (result.reasons, result.years) == (("unverifiable_content",), None)


@pytest.mark.parametrize("path", ["/o10-gone", "/o10-gone-two", "/o10-embeds-gone", "/o10-only-frame"])
def test_a_page_whose_own_files_are_all_not_found_says_so_not_no_2566(site, path):
    # The assessor who clicks "ดาวน์โหลด" gets the site's not-found page: the advice is to upload
    # the file again, not to look for this year's document.
    result = _check(site.url(path))
    assert (result.status, result.reasons, result.years) == (Status.WARNING, ("linked_file_missing",), None)


@pytest.mark.parametrize("path, reason", [
    # the checker reads a 2566 in the file; the assessor who clicks sees lines of gibberish
    ("/o10-garbled", "file_sent_as_page"), ("/o10-embeds-garbled", "file_sent_as_page"),
    # was "no 2566" by the heading (a link) or a look by hand (a frame): the assessor is asked
    # for a password
    ("/o10-locked", "pdf_password"), ("/o10-embeds-locked", "pdf_password"),
])
def test_a_page_whose_own_pdfs_do_not_open_for_the_assessor_is_broken_whatever_they_hold(site, path, reason):
    result = _check(site.url(path))
    assert (result.status, result.reasons, result.years) == (Status.BROKEN, (reason,), None)


@pytest.mark.parametrize("path, years", [("/o10-half-gone", (2565,)), ("/o10-garbled-and-ok", (2565,)),
                                         ("/o10-locked-and-ok", (2565,))])
def test_a_file_that_opens_among_them_gives_the_year_verdict(site, path, years):
    result = _check(site.url(path))
    assert (result.reasons, result.years) == ((), years)


@pytest.mark.parametrize("path", ["/o10-refused", "/o10-gone-and-refused", "/o10-failing", "/o10-slow"])
def test_a_page_whose_own_files_did_not_come_this_time_is_read_again_not_no_2566(site, path):
    # A 403 may be a hotlink rule a browser sent from the page passes; a 5xx or a timeout is this
    # moment's. The year is in the file: "no 2566" by the heading was a guess. A file not found
    # beside one not read may be the one that matters less.
    result = _check(site.url(path))
    assert (result.status, result.reasons, result.years) == (Status.OK, ("document_unread",), None)


def test_a_file_refused_to_the_checker_but_not_to_a_browser_is_read(site):
    # was a look by hand (document_unread): the file a browser gets says 2565
    result = _check(site.url("/o10-bot-rule"))
    assert (result.status, result.reasons, result.years) == (Status.OK, (), (2565,))
    agents = [s.headers.get("User-Agent", "") for s in site.log if s.path == "/files/bot-rule.pdf"]
    assert len(agents) == 2 and "mozilla" in agents[1].lower()


@pytest.mark.parametrize("path, years", [
    ("/o10-script", (2565,)),  # was "no 2566" by the heading, whatever the file said
    ("/o10-docman", (2566,)),  # was "no 2566": Joomla DOCman's link to the 2566 plan
    ("/o10-centre", ()),  # a page, not a file: its 2566 is not the item's
    ("/o10-window", (2566,)),  # was "no 2566": the file a link's script opens in a window
    ("/o10-button", (2565,)),
    # were "no 2566" by the heading: viewfile.php, showpdf.php, file.php send the item's file
    ("/o10-viewfile", (2566,)), ("/o10-showpdf", (2565,)), ("/o10-file-php", (2566,)),
    ("/o10-profile", ()),  # profile.php is no download script: the page's own (no year) stands
])
def test_a_file_linked_through_a_script_or_the_sites_download_script_gives_its_year(site, path, years):
    result = _check(site.url(path))
    assert (result.reasons, result.years) == ((), years)


@pytest.mark.parametrize("path, reasons, years, read", [
    ("/o10-named-gone", ("linked_file_missing",), None, True),  # was ok: the assessor's click finds no file
    ("/o10-named-old", (), (2565,), True),  # was ok: the file behind "ปี 2566" is last year's plan
    ("/o10-named", (), (2566,), True),
    ("/o10-named-scan", (), (2566,), True),  # a scanned PDF, no text: not a look by hand over a year its link names
    ("/o10-headed", (), (2566,), False),  # the page's own heading: its files are not asked for
])
def test_a_year_only_in_a_file_links_text_is_the_files_to_show(site, path, reasons, years, read):
    result = _check(site.url(path))
    assert (result.reasons, result.years) == (reasons, years)
    assert any(s.path.startswith("/files/") for s in site.log) is read


@pytest.mark.parametrize("tail, years, read", [
    # was "no 2566": the first two links, 2564's and 2565's, were read; the one left unread
    # speaks by its link's text, as a scan's link does
    ("", (2564, 2565, 2566), {"o10-2566.pdf", "o10-2565.pdf"}),
    # guards: this year's file is gone, the assessor's click finds nothing: no 2566 from its link
    ("-gone", (2564, 2565), {"deleted.pdf", "o10-2565.pdf"}),
    # no link names a year the rules want: the newest first (an O13 page, which accepts 2565)
    ("-old", (2563, 2564, 2565), {"o10-2565.pdf", "o10-2564.pdf"}),
])
def test_a_list_of_yearly_files_is_read_from_the_years_wanted_and_the_newest(site, tail, years, read):
    result = _check(site.url(f"/o10-yearly{tail}"))
    assert (result.status, result.years) == (Status.OK, years)
    assert {s.path.removeprefix("/files/") for s in site.log if s.path.startswith("/files/")} == read


def test_files_whose_links_name_a_wanted_year_are_read_first():
    page = '<h1>O10</h1><p><a href="/files/form.pdf">แบบฟอร์ม</a></p>' + _yearly(YEARLY[""][1:])
    found = own_content(parts(page, URL), URL, enough=[(2566,)])
    assert found.documents == ("https://a.go.th/files/o10-2566.pdf", "https://a.go.th/files/o10-2565.pdf")
    assert found.unread == ("แบบฟอร์ม",)
    # the newest first when no year set is given
    assert own_content(parts(page, URL), URL).documents[0] == "https://a.go.th/files/o10-2566.pdf"
    plain = '<h1>O10</h1><a href="/files/a.pdf">ส่วนที่ 1</a> <a href="/files/b.pdf">ส่วนที่ 2</a>'
    assert own_content(parts(plain, URL), URL, enough=[(2566,)]).documents == (
        "https://a.go.th/files/a.pdf", "https://a.go.th/files/b.pdf")


@pytest.mark.parametrize("path, reasons, years", [
    ("/ita/o10/", (), (2565,)),  # was ok by its upload time, "2023-01-15"
    ("/ita/o11/", (), (2566,)),  # IIS's "1/15/2023 10:32 AM" is no year either; the file's is
    # more files than a page gets read: which one is the item is not known, a look by hand (was
    # ok by the upload times; without them, "no 2566" would be a guess)
    ("/ita/o12/", ("unverifiable_content",), None),
    ("/ita/o13/", (), ()),  # an empty folder shows no year at all
])
def test_a_folder_listing_is_judged_by_its_files_not_by_the_times_they_were_uploaded(site, path, reasons, years):
    result = _check(site.url(path))
    assert (result.reasons, result.years) == (reasons, years)


def test_unclosed_paragraphs_and_stray_end_tags_keep_the_template_apart():
    # Valid HTML leaves <p> and <li> open; a stray end tag closes nothing. The open elements are
    # counted as they come and go: what sits in the template and in the content stays told apart.
    page = ("<nav><ul><li><a href='/files/manual.pdf'>คู่มือ</a><li>เมนู</ul></nav></span></div>"
            + "<p>ย่อหน้า" * 500 + "<main><p>O10</div><p><a href='/files/o10.pdf'>ดาวน์โหลด</a></main>")
    assert docs(page) == ["https://a.go.th/files/o10.pdf"]
    found = parts(page, URL)
    assert found.text == len("O10ดาวน์โหลด")  # the page marks its content: the 500 paragraphs outside it do not count
