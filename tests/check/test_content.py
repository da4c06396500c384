"""Content heuristics end to end on the loopback farm: each reason code produced by a real
check, and the false-positive guard beside it. Names reach the farm only through --resolve;
any other name lookup fails the test."""

from __future__ import annotations

import random
import re
import socket
import time
from dataclasses import replace
from urllib.parse import quote

import pytest

from sheets_sync.check import content, documents
from sheets_sync.check.content import Page
from sheets_sync.check.checker import Checker
from sheets_sync.check.classify import Fetch, classify
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.farm import UPLOADS, Farm, make_pdf

HOST, SOFT, SPA, CLOSED = "tapladuk.go.th", "lee.go.th", "wiangyong.go.th", "banthi.go.th"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    real = socket.getaddrinfo

    def only_addresses(host, *args, **kwargs):
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in str(host) else socket.AF_INET, str(host))
        except OSError:
            pytest.fail(f"DNS lookup of {host!r} in a test")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", only_addresses)


@pytest.fixture(scope="module")
def farm():
    with Farm([HOST, SOFT, SPA, CLOSED, "slowsite.go.th"],
              profiles={SOFT: "soft404", SPA: "spa", CLOSED: "maintenance", "slowsite.go.th": "slow"},
              slow_s=3) as f:
        yield f


@pytest.fixture(scope="module")
def checker(farm):
    settings = replace(CheckerSettings(), resolve=farm.resolve, allow_private=farm.allow, retries=0,
                       connect_timeout_s=1, read_timeout_s=1, total_timeout_s=2, concurrency=16)
    with Checker(settings) as c:
        yield c


CURRENT = YearRule((2566,))


def verdict(checker, farm, path, host=HOST, rule=CURRENT):
    """The verdict of one URL for an item whose rule asks for 2566 (the year is judged per row)."""
    r = checker.check(farm.url(host, path))
    url = farm.url(host, path)
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), r, rule)


@pytest.mark.parametrize("path, expected", [
    ("/oit/O2", (Status.OK, ())),  # a real 2566 page
    ("/docs/O2.pdf", (Status.OK, ())),  # a real 2566 PDF
    ("/news/404", (Status.OK, ())),  # a real page that says "404" in its text: not a soft 404
    ("/missing.html", (Status.BROKEN, ("soft_404",))),
    ("/no-data", (Status.BROKEN, ("soft_404",))),  # a CMS's "no data you asked for" as its heading
    # An agency reporting that it had no complaints: its heading says "no data on complaints".
    ("/no-complaints", (Status.OK, ())),
    ("/old/O2", (Status.WARNING, ("no_fiscal_year",))),
    # A CMS list whose year filter shows 2565 and last year's records: its other options (2566
    # among them) were read as the page's text, a false "ok"; the list of 2566 stays ok.
    ("/list-2565", (Status.WARNING, ("no_fiscal_year",))),
    ("/list-2566", (Status.OK, ())),
    ("/old/O2.pdf", (Status.WARNING, ("no_fiscal_year",))),
    ("/scan/O2.pdf", (Status.OK, ("unverifiable_content",))),  # a scan: no false warning
    ("/broken.pdf", (Status.BROKEN, ("wrong_type",))),
    ("/tiny.pdf", (Status.BROKEN, ("wrong_type",))),
    ("/distributed.pdf", (Status.OK, ())),  # its year read "2 5 6 6": was a false "no 2566"
    ("/empty", (Status.WARNING, ("empty_page",))),
    ("/member/login", (Status.BROKEN, ("login_required",))),
    ("/drive-private", (Status.BROKEN, ("login_required",))),  # Drive file not shared -> Google sign-in
    ("/drive-public", (Status.OK, ())),
    # A Drive viewer shows the file's name, not its text: the years come from the file's download.
    ("/drive-nameless", (Status.OK, ())),  # named scan0001.pdf, a 2566 PDF: no false "no 2566"
    ("/drive-old", (Status.WARNING, ("no_fiscal_year",))),  # its file was read, and it is last year's
    ("/drive-scan", (Status.OK, ("unverifiable_content",))),  # a scan: a look by hand
    # A file shared before 2021 opens only with the resource key its link carries: without it
    # the download was a sign-in page, and a 2566 file a look by hand.
    ("/drive-keyed", (Status.OK, ())),
    ("/drive-big", (Status.OK, ("unverifiable_content",))),  # Drive's virus-scan notice instead of the file
    ("/docs-doc", (Status.OK, ())),  # a Docs document: its text export says 2566
    # An item page that is a heading and the PDF below it: the year is read from the PDF.
    ("/embed/pdf/O12", (Status.OK, ())),
    ("/embed/old/O12", (Status.WARNING, ("no_fiscal_year",))),  # the PDF shown is last year's
    # The frame's src written as uploaded, Thai with spaces: it was cut at the first space, the
    # PDF never read, and the heading alone gave a false "no 2566".
    ("/embed/spaced/O12", (Status.OK, ())),
    ("/embed/scan/O12", (Status.OK, ("unverifiable_content",))),  # a scan shown below a heading: a look by hand
    ("/embed/viewer/O12", (Status.OK, ())),  # PDF.js given the file
    ("/embed/drive/O12", (Status.OK, ())),  # a Drive file's preview: its download says 2566
    # A page of the site in a frame: a heading, and the list with its year in the frame.
    ("/embed/page/O12", (Status.OK, ())),  # was no_fiscal_year
    ("/embed/frameset/O12", (Status.OK, ())),  # an old template's frameset, beside a menu that is a 404
    ("/embed/page-old/O12", (Status.WARNING, ("no_fiscal_year",))),  # the page framed is last year's
    ("/embed/sheet/O12", (Status.OK, ())),  # a Google Sheet published to the web, its cells dated 2566
    # A lazy-loading plugin's frame: src="about:blank", the address in data-src (was "no 2566").
    ("/embed/lazy/O12", (Status.OK, ())),
    ("/embed/lazy-page/O12", (Status.OK, ())),
    # A script viewer draws the PDF into the page from its own markup, no frame in the HTML sent:
    # read by its heading alone the page was "no 2566".
    ("/embed/pdfemb/O12", (Status.OK, ())),  # WordPress's PDF Embedder
    ("/embed/flipbook/O12", (Status.OK, ())),  # a DearFlip flipbook, its file in a script's options
    ("/embed/flipbook-old/O12", (Status.WARNING, ("no_fiscal_year",))),  # the flipbook is last year's
    # An item page that only links its file ("ดาวน์โหลดเอกสาร") from its own content: the year is
    # in the file the assessor clicks (was a false "no 2566"); a sidebar's file, or one of a list, is not read.
    ("/embed/linked/O12", (Status.OK, ())),
    ("/embed/linked-old/O12", (Status.WARNING, ("no_fiscal_year",))),  # the file linked is last year's
    ("/embed/linked-scan/O12", (Status.OK, ("unverifiable_content",))),  # a scan: a look by hand
    ("/embed/linked-drive/O12", (Status.OK, ())),  # a Drive file, its download says 2566
    ("/embed/linked-menu/O12", (Status.WARNING, ("no_fiscal_year",))),  # the sidebar's 2566 file is not the item's
    ("/embed/linked-many/O12", (Status.WARNING, ("no_fiscal_year",))),  # five files: which is the item's is not known
    # A heading and the document's scanned pages as pictures: its year is in them, unread (was "no 2566").
    ("/embed/scans/O12", (Status.OK, ("unverifiable_content",))),
    ("/embed/photos/O12", (Status.WARNING, ("no_fiscal_year",))),  # a news post's text speaks, not its photos
    # Office files: their years were never read, so last year's file was a silent "ok".
    ("/office/plan.docx", (Status.OK, ())),  # "25" and "66" in two runs of one line are 2566
    ("/office/plan-old.docx", (Status.WARNING, ("no_fiscal_year",))),
    ("/office/plan-large.docx", (Status.OK, ())),  # 6 MB: read whole, as a PDF (its text part is first)
    ("/office/summary.xlsx", (Status.OK, ())),  # the year only in date cells
    ("/office/summary-old.xlsx", (Status.WARNING, ("no_fiscal_year",))),  # an amount of 2566.5 is no year
    ("/office/plan.doc", (Status.OK, ("unverifiable_content",))),  # an old binary format: a look by hand
    ("/embed/word/O12", (Status.OK, ())),  # a Word file shown in a frame is read like an embedded PDF
    ("/embed/word-old/O12", (Status.WARNING, ("no_fiscal_year",))),
    # A flipbook from AnyFlip, Issuu ... in a frame: its pages are images a script draws, never read.
    ("/embed/anyflip/O12", (Status.OK, ("unverifiable_content",))),  # was "no 2566": a look by hand
    ("/embed/anyflip-old/O12", (Status.WARNING, ("no_fiscal_year",))),  # the page's own 2565 speaks
    ("/friendly/O12", (Status.WARNING, ("error_status_page",))),  # a page sent with 404: was http_4xx (broken)
    # A meta refresh within seconds is where the browser goes: followed like a redirect.
    ("/refresh", (Status.OK, ())),
    ("/refresh-header", (Status.OK, ())),  # was empty_page: the Refresh header moves the browser on
    # Relative addresses go by the page's <base href>, as in a browser.
    ("/moving/index.html", (Status.OK, ())),  # was broken: /moving/O3.pdf, where the browser goes to /docs/O3.pdf
    ("/index.php/ita/O12", (Status.OK, ())),  # its PDF read, not /index.php/ita/docs/O12.pdf (a look by hand)  # was empty_page: the Refresh header moves the browser on
    ("/refresh-gone", (Status.BROKEN, ("http_4xx",))),  # was "ok, nothing to read" for a link that ends on a 404
    ("/refresh-self", (Status.OK, ())),  # reloading itself is no move, and no loop
    ("/refresh-later", (Status.OK, ())),  # a 10-minute timer is not a move
    ("/refresh-bad", (Status.OK, ())),  # an unusable refresh or iframe URL: ignored, as a browser does, not check_failed
    # A script sending the browser on from a page with nothing else to show: followed too.
    ("/script-move", (Status.OK, ())),  # was empty_page: the browser opens the 2566 PDF
    ("/script-gone", (Status.BROKEN, ("http_4xx",))),
    ("/script-click", (Status.OK, ())),  # a script run only on a click is not a move
    ("/script-choice", (Status.OK, ("script_page",))),  # phone or desktop: chosen at run time, a look by hand
    ("/dropbox", (Status.OK, ())),  # a .pdf link answering Dropbox's preview page: not wrong_type; the file says 2566
    ("/bot", (Status.OK, ())),  # 403 to the bot, fine to a browser's User-Agent
    ("/waf", (Status.UNKNOWN, ("bot_blocked",))),
    ("/modsec", (Status.OK, ())),  # was http_4xx (broken): ModSecurity's 406 to a bot, the page to a browser
    ("/modsec-all", (Status.UNKNOWN, ("bot_blocked",))),  # refused to a browser's User-Agent too: a look by hand
    ("/imunify", (Status.OK, ())),  # was http_4xx (broken): a 415 to a GET is a firewall's refusal
    ("/imunify-all", (Status.UNKNOWN, ("bot_blocked",))),
    ("/gone", (Status.BROKEN, ("http_4xx",))),  # a plain 404 is not asked again as a browser
    ("/firewall", (Status.OK, ())),  # a firewall's 200 refusal to the bot, the page to a browser's User-Agent
    ("/firewall-all", (Status.UNKNOWN, ("bot_blocked",))),  # never read as the agency's page ("no 2566")
    # A web server's own error page sent with 200: taken as its status, never read for a year.
    ("/forbidden-200", (Status.OK, ())),  # was no_fiscal_year: a 403 page to the bot, the page to a browser
    ("/forbidden-200-all", (Status.UNKNOWN, ("bot_blocked",))),  # to a browser too: a look by hand, as a 403 is
    ("/failed-200", (Status.BROKEN, ("server_error_page",))),  # was no_fiscal_year: the site is down
    ("/to-private", (Status.BROKEN, ("redirect_private",))),  # was blocked: every visitor from outside fails there
    ("/moved", (Status.OK, ())),
    ("/to-home", (Status.WARNING, ("redirected_home",))),  # was ok: the home page's 2566 news passed for the item
    ("/to-not-found", (Status.BROKEN, ("soft_404",))),  # was ok: the menu's "ITA 2566" on the not-found page
    ("/to-post-404", (Status.OK, ())),  # the post numbered 404 is a page like any other
    # A .pdf link answering a CMS's page that shows the file: the browser shows the PDF.
    ("/files/o10.pdf", (Status.OK, ())),  # was wrong_type (broken)
    ("/files/old.pdf", (Status.WARNING, ("no_fiscal_year",))),  # the file it shows is read for its year
    ("/files/gone.pdf", (Status.BROKEN, ("wrong_type",))),  # it shows a 404: nothing opens
    ("/files/facebook.pdf", (Status.BROKEN, ("wrong_type",))),  # an error page with a frame of something else
    # PDF.js's viewer page given a file: its toolbar has no year, the file does.
    ("/pdfjs/web/viewer.html?file=%2Fdocs%2FO12.pdf", (Status.OK, ())),  # was no_fiscal_year
    ("/pdfjs/web/viewer.html?file=/old/O12.pdf", (Status.WARNING, ("no_fiscal_year",))),
    # A PDF after a PHP notice its download script printed: PDF readers open it, so its year counts.
    ("/notice/o10.pdf", (Status.OK, ())),
    ("/notice/old.pdf", (Status.WARNING, ("no_fiscal_year",))),  # was ok: its year was never read
    ("/split-year", (Status.OK, ())),  # was no_fiscal_year: "25<span>6</span>6" is 2566 in a browser
    ("/split-cells", (Status.WARNING, ("no_fiscal_year",))),  # table cells 25 | 66 are no year
])
def test_each_reason_and_its_guard(checker, farm, path, expected):
    assert verdict(checker, farm, path) == expected


@pytest.mark.parametrize("path", ["/scan/O2.pdf", "/embed/scans/O1", "/embed/anyflip/O1"])
def test_an_item_without_a_year_rule_gets_no_look_at_the_year(checker, farm, path):
    # An org chart's picture or a scan for an item whose year is not judged: "look by hand at
    # the year" told its agency nothing; the same URL for a year-ruled item still says it.
    assert verdict(checker, farm, path, rule=YearRule()) == (Status.OK, ())
    assert verdict(checker, farm, path) == (Status.OK, ("unverifiable_content",))


def test_an_embedded_pdf_is_fetched_only_when_the_page_does_not_settle_the_year_rules(farm):
    """A sync's checker knows the catalogue's year sets: a page whose own text shows 2566 has its
    embedded PDF left alone; `sheets-sync check` (no sets) and a page without a year read it."""
    settings = replace(CheckerSettings(), resolve=farm.resolve, allow_private=farm.allow, retries=0)

    def pdf_requests(pdf_years, kind, n):
        before = farm.counts[(HOST, f"/docs/O{n}.pdf")]
        with Checker(settings, pdf_years=pdf_years) as c:
            r = c.check(farm.url(HOST, f"/embed/{kind}/O{n}"))
        assert 2566 in r.years
        return farm.counts[(HOST, f"/docs/O{n}.pdf")] - before

    assert pdf_requests(((2566,),), "dated", 21) == 0
    assert pdf_requests(((2566,),), "pdf", 22) == 1
    assert pdf_requests((), "dated", 23) == 1


def test_a_document_link_answering_a_page_is_wrong_type_unless_that_page_shows_a_file(farm):
    """Whether the page shows a file decides the verdict, so its file is fetched even when the
    page's own text settles the sync's year rules (a file page whose menus say 2566)."""
    settings = replace(CheckerSettings(), resolve=farm.resolve, allow_private=farm.allow, retries=0)
    with Checker(settings, pdf_years=((2566,),)) as c:
        shows, gone = c.check(farm.url(HOST, "/files/dated.pdf")), c.check(farm.url(HOST, "/files/gone.pdf"))
    assert (shows.status, shows.reasons) == (Status.OK, ()) and 2566 in shows.years
    assert (gone.status, gone.reasons) == (Status.BROKEN, ("wrong_type",))


def test_a_meta_refresh_is_followed_as_a_redirect_hop(checker, farm):
    r = checker.check(farm.url(HOST, "/refresh"))
    assert r.final_url == farm.url(HOST, "/oit/O1") and r.redirects == (farm.url(HOST, "/oit/O1"),)
    assert r.years == (2566,)


@pytest.mark.parametrize("html, target", [
    (b'<meta http-equiv="refresh" content="0;url=http://a.go.th/x">', "http://a.go.th/x"),
    (b"<meta content='3; URL=\"/x?a=1&amp;b=2\"' http-equiv='refresh'>", "/x?a=1&b=2"),
    (b'<meta http-equiv=refresh content=0;URL=/x>', "/x"),
    (b'<meta http-equiv="refresh" content="0">', None),  # a reload
    (b'<meta http-equiv="refresh" content="30; url=/x">', None),  # a timer
    (b'<noscript><meta http-equiv="refresh" content="0;url=/nojs"></noscript>', None),  # ignored by browsers with scripts
    (b'<meta name="description" content="0;url=/x">', None),
])
def test_meta_refresh_targets(html, target):
    assert documents.meta_refresh(b"<html><head>" + html + b"</head><body></body></html>", {}) == target


def test_a_refresh_header_is_followed_as_a_redirect_hop(checker, farm):
    r = checker.check(farm.url(HOST, "/refresh-header"))
    assert r.final_url == farm.url(HOST, "/oit/O1") and r.years == (2566,)
    assert documents.meta_refresh(b"", {"Refresh": "600; url=/gone"}) is None  # a timer, not a move


def test_a_script_redirect_is_followed_as_a_redirect_hop(checker, farm):
    r = checker.check(farm.url(HOST, "/script-move"))
    assert r.final_url == farm.url(HOST, "/docs/O3.pdf") and r.years == (2566,)
    assert checker.check(farm.url(HOST, "/script-click")).final_url == farm.url(HOST, "/script-click")
    # A file uploaded under a Thai name with spaces, written so in the script, is where it leads.
    r = checker.check(farm.url(HOST, "/script-upload"))
    assert r.final_url == farm.url(HOST, "/uploads/" + quote(UPLOADS[0])) and r.years == (2566,)


@pytest.mark.parametrize("html, target", [
    (b"<script>window.location = '/a';</script>", "/a"),
    (b"<script>document.location.href=\"http:\\/\\/a.go.th\\/x\"</script>", "http://a.go.th/x"),
    (b"<script>setTimeout(function () { top.location.assign('/b') }, 2000)</script>", "/b"),
    (b"<SCRIPT LANGUAGE='JavaScript'><!--\nlocation.replace('/c');\n//--></SCRIPT>", "/c"),
    (b"<script>if (location.href == '/a') { go(); }</script>", None),  # a comparison
    (b"<script>location.href = base + '/a';</script>", None),  # an address built at run time
    (b"<!-- <script>location = '/old';</script> -->", None),  # commented out
    (b"<script>location='/a'</script><p>" + "ข่าวประชาสัมพันธ์ ".encode() * 8 + b"</p>", None),  # a page with text
])
def test_script_redirect_targets(html, target):
    assert documents.script_redirect(b"<html><head><title>T</title></head><body>" + html + b"</body></html>",
                                     {"Content-Type": "text/html"}) == target


@pytest.mark.parametrize("html, shown", [
    # PDF Embedder (WordPress): the link its script replaces with the file's pages
    (b'<a href="https://a.go.th/wp-content/uploads/2023/03/o10.pdf" class="pdfemb-viewer" style="">o10</a>',
     ["https://a.go.th/wp-content/uploads/2023/03/o10.pdf"]),
    # DearFlip given its file in the shortcode (an attribute) or in a flipbook post's options (a script)
    (b'<div class="_df_book" id="df_rand1" source="/files/o10.pdf"></div>', ["https://a.go.th/files/o10.pdf"]),
    (b'<div class="_df_thumb" id="df_12">O10</div><script class="df-shortcode-script">window.option_df_12 = '
     b'{"outline":[],"source":"https:\\/\\/a.go.th\\/files\\/o10 \\u0e1b\\u0e35 66.pdf","wpOptions":"true"};</script>',
     ["https://a.go.th/files/o10%20%E0%B8%9B%E0%B8%B5%2066.pdf"]),
    # Real3D Flipbook's options in its div, HTML-escaped
    (b'<div class="real3dflipbook" data-flipbook-options="{&quot;pdfUrl&quot;:&quot;\\/files\\/o10.pdf&quot;}"></div>',
     ["https://a.go.th/files/o10.pdf"]),
    # 3D FlipBook's shortcode given a PDF
    (b'<div class="_3d-flip-book fb3d-fullscreen-mode full-size" data-id="0" data-pdf="/files/o10.pdf"></div>',
     ["https://a.go.th/files/o10.pdf"]),
    # PDFObject, which hand-made sites embed their PDFs with (was "no 2566" by the heading)
    (b"<div id='pdf1'></div><script src='/js/pdfobject.min.js'></script>"
     b"<script>PDFObject.embed('/files/o10.pdf', '#pdf1');</script>", ["https://a.go.th/files/o10.pdf"]),
    (b'<script>PDFObject.embed("https:\\/\\/a.go.th\\/files\\/o11.pdf", "#pdf1")</script>',
     ["https://a.go.th/files/o11.pdf"]),
    # not a viewer's: a menu's link, a class that only starts alike, a viewer's page image, a commented-out one
    (b'<a href="/files/plan.pdf" class="menu-item">plan</a><div class="_df_booklet" source="/x.pdf"></div>', []),
    (b'<div class="_df_book" source="/files/cover.jpg"></div><!-- <a class="pdfemb-viewer" href="/old.pdf">x</a> -->', []),
    (b'<script>var menu = {"source": "/files/plan.pdf"};</script><a class="pdfemb-viewer">no file</a>', []),
])
def test_documents_a_script_viewer_draws_into_a_page(html, shown):
    """Read from the markup the viewer's script is given; a plain link to a PDF may be any menu's."""
    assert documents.viewer_documents(b"<html><body><h1>O10</h1>" + html + b"</body></html>",
                                      "https://a.go.th/ita/o10") == shown


def test_a_page_drawn_by_scripts_is_a_look_by_hand_not_a_soft_404_or_no_2566(checker, farm):
    """A single-page application answers every path, and the probe's random one, with the same
    title and empty mount point: compared with the probe, every item was "not found"."""
    assert verdict(checker, farm, "/oit/O5", SPA) == (Status.OK, ("script_page",))
    assert verdict(checker, farm, "/empty") == (Status.WARNING, ("empty_page",))  # no script: a blank page


@pytest.mark.parametrize("heading, not_found", [
    ("404 Not Found", True), ("Error 404", True), ("404 - ไม่พบหน้า", True), ("404: Page not found", True),
    ("HTTP 404 error", True), ("(404)", True), ("404 | เทศบาลตำบลทาปลาดุก", True), ("ขออภัย ไม่พบข้อมูล", True),
    ("ไม่พบข้อมูลที่ท่านต้องการ", True), ("Error 404: ไม่พบข้อมูล", True), ("ไม่พบข้อมูล - เทศบาลตำบลทาปลาดุก", True),
    ("ขออภัยค่ะ ไม่พบข้อมูลที่ค้นหา กรุณาลองใหม่", True),
    # "No data" as what a page reports, not as the site's not-found message.
    ("ไม่พบข้อมูลการร้องเรียนการทุจริต ประจำปีงบประมาณ พ.ศ. 2566", False),
    ("สถิติเรื่องร้องเรียน (ไม่พบข้อมูล)", False), ("ไม่พบข้อมูล ประจำปี 2566", False),
    # A 404 that is part of a number: a phone number, an order's number and year, an amount.
    ("ติดต่อเรา โทร. 053-404-111", False), ("ประกาศเลขที่ 404/2566", False), ("404/2566 ประกาศผู้ชนะ", False),
    ("คำสั่งที่ 404-2566", False), ("งบประมาณ 1,404 - 2,000 บาท", False), ("404 ล้านบาท", False),
])
def test_a_not_found_heading_but_not_a_number_with_404_in_it(heading, not_found):
    page = Page(kind="html", title="เทศบาลตำบลทาปลาดุก", headings=("ข่าวประชาสัมพันธ์", heading))
    assert content.not_found_heading(page) is not_found
    assert content.not_found_heading(Page(kind="html", title=heading)) is not_found


def test_a_lazy_loaded_image_of_its_own_keeps_a_short_page_from_being_its_sites_home():
    """A catch-all site with a lazy-loading plugin: every <img> has the same placeholder src
    and its address in data-src. A short item page (the home page's template and its own chart)
    was nearly the home page by text, and its chart read as the placeholder the home page shows
    too: a false "not found"."""
    placeholder = 'src="data:image/gif;base64,R0lGODlhAQABAAAAACw="'
    home = ("<html><head><title>เทศบาลตำบลลี้</title></head><body><nav>หน้าแรก ข่าวสาร ติดต่อเรา</nav>"
            f"<img {placeholder} data-src='/banner.png'>{{own}}<p>ข่าวประชาสัมพันธ์ ประจำปี 2566 กิจกรรมของเทศบาล</p>"
            "</body></html>")
    probe = content.probe_from(200, "https://lee.go.th/", home.format(own="").encode(), {})
    url = "https://lee.go.th/o1-chart"
    chart = content.read_html(home.format(own=f"<img {placeholder} data-src='/uploads/o1-chart.png'>").encode(), {})
    assert not content.soft_404_by_probe(url, url, chart, probe)
    same = content.read_html(home.format(own="").encode(), {})  # the home page itself at that address
    assert content.soft_404_by_probe(url, url, same, probe)


def test_a_site_closed_for_maintenance_is_not_a_wrong_link(checker, farm):
    # Every address answers 200 with the notice: judged by the probe it was soft_404, "not
    # found, check the link" (broken) for links that open again tomorrow.
    assert verdict(checker, farm, "/oit/O5", CLOSED) == (Status.UNKNOWN, ("site_maintenance",))
    # false-positive guards: a catch-all site's not-found stays so; a notice of road works is an item page
    assert verdict(checker, farm, "/index.php?_mod=khao&type=999", SOFT) == (Status.BROKEN, ("soft_404",))
    page = content.read_html("<title>ประกาศ เรื่อง ปรับปรุงถนน ปิดการจราจร</title><h1>ปรับปรุงถนน</h1>".encode(), {})
    assert not content.maintenance_page(page)


def test_soft_404_by_probe_on_a_catch_all_site_but_not_its_real_pages(checker, farm):
    # lee.go.th answers every unknown path with its home page and 200.
    assert verdict(checker, farm, "/index.php?_mod=khao&type=999", SOFT) == (Status.BROKEN, ("soft_404",))
    assert verdict(checker, farm, "/oit/O5", SOFT) == (Status.OK, ())
    assert verdict(checker, farm, "/", SOFT) == (Status.OK, ())  # the home page itself is no soft 404
    # A short item page in the site's template is nearly its home page by text, but shows text
    # or an image of its own: that was a false "not found" (broken).
    assert verdict(checker, farm, "/o1-chart", SOFT) == (Status.OK, ())
    assert verdict(checker, farm, "/o1-image", SOFT) == (Status.OK, ())
    # A frame of a missing page gets the home page, whose 2566 news is not the item's list.
    assert verdict(checker, farm, "/embed/page-gone/O5", SOFT) == (Status.WARNING, ("no_fiscal_year",))
    assert verdict(checker, farm, "/embed/page/O5", SOFT) == (Status.OK, ())
    probes = [p for (h, p) in farm.counts if h == SOFT and p.startswith("/sheets-sync-probe-")]
    assert len(probes) == 1  # one probe per host per run


content_words = ("ข่าวประชาสัมพันธ์ กิจกรรม ประชุมสภา โครงการ งบประมาณ ประกาศ จัดซื้อจัดจ้าง แผนพัฒนา รายงาน "
                 "ผลการดำเนินงาน ผู้บริหาร อำนาจหน้าที่ ติดต่อ กฎหมาย นโยบาย คุ้มครองข้อมูล เรื่องร้องเรียน "
                 "บุคลากร การเงิน พัสดุ ตำบล หมู่บ้าน ถนน ประปา ขยะ ผู้สูงอายุ เด็ก สตรี เกษตร ท่องเที่ยว วัด "
                 "โรงเรียน อนามัย ป่าไม้ ลำน้ำ ภาษี ทะเบียน สวัสดิการ ภัยแล้ง อุทกภัย").split()


def test_an_answer_echoing_the_address_asked_for_is_still_the_sites_not_found_answer():
    """A catch-all answer that echoes the address asked for ("results for: ...") differs from
    the probe's only by that echo: still the site's not-found answer."""
    menus = " ".join(f"{title} {topic}" for title in content_words[:20] for topic in content_words[20:40])
    home = (f"<html><head><title>เทศบาลตำบลลี้</title></head><body><nav>{menus}</nav>"
            "<main><p>ผลการค้นหา: {}</p></main></body></html>")
    answer = content.probe_from(200, "https://lee.go.th/sheets-sync-probe-1a2b3c", home.format(
        "/sheets-sync-probe-1a2b3c").encode(), {"Content-Type": "text/html"})
    url = "https://lee.go.th/index.php?_mod=khao&type=999"
    page = content.read_html(home.format("/index.php?_mod=khao&type=999").encode(), {"Content-Type": "text/html"})
    assert content.soft_404_by_probe(url, url, page, answer)
    own = content.read_html(home.format("คำสั่งแต่งตั้งคณะกรรมการตรวจรับพัสดุ ประจำปีงบประมาณ 2566").encode(), {})
    assert not content.soft_404_by_probe(url, url, own, answer)


def test_probe_is_made_once_per_host_per_run(checker, farm):
    urls = [farm.url(HOST, f"/oit/O{n}") for n in range(10, 20)]
    before = [p for (h, p) in farm.counts if h == HOST and p.startswith("/sheets-sync-probe-")]
    results = checker.check_many(urls)
    assert all(r.status is Status.OK for r in results.values())
    after = [p for (h, p) in farm.counts if h == HOST and p.startswith("/sheets-sync-probe-")]
    assert len(after) - len(before) == 1


def test_platforms_are_ok_unverifiable_and_never_requested(checker):
    for url in ("https://www.facebook.com/tapladuk.go.th", "https://youtu.be/abc", "https://m.youtube.com/watch?v=x"):
        r = checker.check(url)  # would fail the no_dns fixture if it tried
        assert (r.status, r.reasons) == (Status.OK, ("unverifiable_platform",))


def test_slow_host_is_cut_by_the_total_budget(checker, farm):
    status, reasons = verdict(checker, farm, "/oit/O1", "slowsite.go.th")
    assert (status, reasons) == (Status.BROKEN, ("timeout",))


def test_identifying_user_agent_with_contact_url_and_browser_fallback_only_after_403(farm):
    settings = replace(CheckerSettings(), resolve=farm.resolve, allow_private=farm.allow, retries=0,
                       contact_url="https://example.go.th/sheets-sync", user_agent="sheets-sync/0.1 (ITA 2566)")
    farm.user_agents.clear()
    with Checker(settings) as c:
        c.check(farm.url(HOST, "/oit/O7"))
        assert list(farm.user_agents) == ["sheets-sync/0.1 (ITA 2566; +https://example.go.th/sheets-sync)"]
        c.check(farm.url(HOST, "/bot"))
    assert sum(n for ua, n in farm.user_agents.items() if ua.startswith("Mozilla/5.0")) == 1


# ---------------------------------------------------------------- pure rules
def fetch(body: bytes, url="http://a.go.th/p", ctype="text/html; charset=utf-8", final=None):
    return Fetch(url=url, status_code=200, headers={"Content-Type": ctype}, body=body, final_url=final or url)


def test_title_phrases_are_narrow():
    doc = "<html><head><title>{}</title></head><body><p>{}</p></body></html>"
    body = "ประกาศผลการจัดซื้อจัดจ้าง ประจำปี 2566 รายละเอียดตามเอกสารแนบ"
    assert classify(fetch(doc.format("404 Not Found", body).encode())).reasons == ("soft_404",)
    assert classify(fetch(doc.format("Page not found", body).encode())).reasons == ("soft_404",)
    assert classify(fetch(doc.format("ไม่พบข้อมูล", body).encode())).reasons == ("soft_404",)
    assert classify(fetch(doc.format("The requested page can&#039;t be found.", body).encode())).reasons == \
        ("soft_404",)  # Joomla's, sent with 200
    assert classify(fetch(doc.format("หน้าที่ท่านเรียกไม่มีอยู่ในระบบ", body).encode())).reasons == ("soft_404",)
    # "หน้าที่" is also "duty": an item's heading of duties that are not in a law is no not-found page
    assert classify(fetch(doc.format("อำนาจหน้าที่ที่ไม่มีอยู่ในกฎหมายจัดตั้ง", body).encode())).reasons == ()
    # "404" in a title as a document number, and not-found words in the body only, are fine
    assert classify(fetch(doc.format("คำสั่งที่ 404/2566", body).encode())).reasons == ()
    assert classify(fetch(doc.format("ประกาศ", body + " ไม่พบหน้า 404 page not found").encode())).reasons == ()


def test_a_telephone_numbers_last_group_is_no_year():
    # an agency's number in its contact box: was "ok" for a page of last year's plan
    doc = ("<html><head><title>แผน</title></head><body><p>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565</p>"
           "<p>ติดต่อ กองคลัง โทร. {} ต่อ 12</p></body></html>")
    for phone in ("0 5351 2566", "0-5351-2566", "081 234 2023", "(053) 51-2566", "02-123-2566"):
        assert classify(fetch(doc.format(phone).encode())).years == (2565,), phone
    assert classify(fetch(doc.format("0 5351 2566 (ข้อมูล ณ 01-10-2566)").encode())).years == (2565, 2566)


def test_thai_digits_and_2023_count_as_the_fiscal_year_and_tis620_is_read():
    doc = "<html><head><title>แผน</title></head><body><p>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. {}</p></body></html>"
    assert classify(fetch(doc.format("๒๕๖๖").encode())).years == (2566,)
    assert classify(fetch(doc.format("2023").encode())).years == (2566,)
    assert classify(fetch(doc.format("๒๐๒๓").encode())).years == (2566,)
    assert classify(fetch(doc.format("25660").encode())).years == ()  # not a year
    assert classify(fetch(doc.format("2566").encode("cp874"), ctype="text/html; charset=tis-620")).years == (2566,)
    assert classify(fetch(doc.format("2566").encode())).reasons == ()  # the year is the row's to judge
    # A byte-order mark wins over the server's charset, as in browsers: a page saved with one by
    # Notepad and served with old Apache's default (AddDefaultCharset ISO-8859-1) showed its
    # Thai-digit year as mojibake, a false "no 2566".
    bom = b"\xef\xbb\xbf" + doc.format("๒๕๖๖").encode()
    assert classify(fetch(bom, ctype="text/html; charset=ISO-8859-1")).years == (2566,)


def test_sidebar_login_beside_real_content_is_not_a_wall():
    text = "ข่าวประชาสัมพันธ์ ประจำปี 2566 " * 30
    body = (f"<html><head><title>ข่าว</title></head><body><form><input type=password></form>"
            f"<p>{text}</p></body></html>").encode()
    assert classify(fetch(body)).reasons == ()


LOGIN_BOX = ("<div class='login'><h3>เข้าสู่ระบบสำหรับเจ้าหน้าที่</h3>ชื่อผู้ใช้ <input name='ctl00$txtUser' type='text'>"
             "รหัสผ่าน <input name='ctl00$txtPass' type='password'><input type='submit' value='เข้าสู่ระบบ'></div>")


@pytest.mark.parametrize("name, body, reasons", [
    # ASP.NET WebForms wraps the whole page in one form; its sidebar holds a staff login (was
    # login_required, broken, for the whole item)
    ("webforms", f"<form method='post' id='form1'><div>{LOGIN_BOX}</div><h1>O10 แผนการดำเนินงาน ประจำปี 2566</h1>"
                 + "<p>รายละเอียดแผนงานโครงการต่าง ๆ ของเทศบาลตำบล ประกอบด้วยยุทธศาสตร์การพัฒนา 6 ด้าน</p>" * 6
                 + "</form>", ()),
    # a short item page (a heading and its file) beside Joomla's login module
    ("joomla", f"<div id='left'><form action='/index.php' method='post'>{LOGIN_BOX}</form></div>"
               "<h2>O10 แผนการดำเนินงาน ประจำปีงบประมาณ 2566</h2><p><a href='/images/o10.pdf'>ดาวน์โหลด</a></p>", ()),
    # guards: a sign-in page, in one form or beside a short frame, is a wall
    ("webforms-login", f"<form method='post' id='form1'><div>เทศบาลตำบลทดสอบ</div>{LOGIN_BOX}</form>",
     ("login_required",)),
    ("joomla-login", f"<div>อบต.ทดสอบ</div><form action='/index.php' method='post'>{LOGIN_BOX}</form>", ("login_required",)),
])
def test_a_login_box_in_a_page_of_its_own_content_is_not_a_wall(name, body, reasons):
    page = f"<html><head><title>เทศบาลตำบลทดสอบ</title></head><body>{body}</body></html>".encode()
    assert classify(fetch(page)).reasons == reasons, name


def test_page_embedding_a_document_is_not_empty_and_a_drive_viewer_is_not_wrong_type():
    body = b"<html><body><iframe src='/files/plan2566.pdf'></iframe></body></html>"
    assert classify(fetch(body)).reasons == ()
    viewer = "<html><head><title>x.pdf - Google Drive</title></head><body>รายงาน 2566 " + "ข้อมูล " * 20 + "</body></html>"
    drive = "https://drive.google.com/file/d/abc/view"
    assert classify(fetch(viewer.encode(), url=drive)).reasons == ()


def test_a_drive_download_link_answering_the_virus_scan_notice_is_not_wrong_type():
    """A large file's download link gives Drive's notice (HTML) instead of the file: what the
    assessor gets too, with a button; not a broken link, and nothing says its year."""
    notice = ("<html><head><title>Google Drive - Virus scan warning</title></head><body><p>Google Drive can't scan "
              "this file for viruses.</p><p>รายงานผล.pdf (120M) is too large for Google to scan for viruses. Would "
              "you still like to download this file?</p><form><input type='submit' value='Download anyway'></form>"
              "</body></html>").encode()
    link = "https://drive.google.com/uc?export=download&id=1AbCdEfGh_IJkLmNoP"
    r = classify(fetch(notice, url=link, final="https://drive.usercontent.google.com/download?id=1AbCdEfGh_IJkLmNoP"))
    assert (r.status, r.reasons, r.years) == (Status.OK, ("unverifiable_content",), None)


def test_other_file_sharing_viewers_are_neither_wrong_type_nor_empty():
    script = b"<script>window.__PRELOAD__ = {'file': 'o12.pdf', 'viewer': 'pdf', 'chunks': [" + b"0, " * 200 + b"]}</script>"
    dropbox = classify(fetch(b"<html><head><title>o12.pdf | Dropbox</title>" + script + b"</head><body></body></html>",
                             url="https://www.dropbox.com/scl/fi/abc123/o12.pdf?rlkey=k9&dl=0"))
    assert (dropbox.status, dropbox.reasons) == (Status.OK, ("unverifiable_content",))  # its file unread here
    onedrive = classify(fetch(b"<html><head><title>OneDrive</title></head><body></body></html>",
                              url="https://onedrive.live.com/?cid=1A2B&id=1A2B%21105&authkey=x"))
    assert (onedrive.status, onedrive.reasons) == (Status.OK, ("unverifiable_content",))
    sharepoint = classify(fetch(b"<html><head><title>O12 2566.pdf</title></head><body></body></html>",
                                url="https://lamphun-my.sharepoint.com/:b:/g/personal/x/EaBc?e=1"))
    assert (sharepoint.reasons, sharepoint.years) == ((), (2566,))
    # A flipbook's own page: its title and a share box; the book is images a script draws.
    anyflip = classify(fetch("<html><head><title>รายงานผลการดำเนินงาน | AnyFlip</title></head><body><div id='app'>"
                             "</div><p>Share this book. Embed it on your site. More books from the publisher</p>"
                             "</body></html>".encode(), url="https://online.anyflip.com/abcd/efgh/"))
    assert (anyflip.status, anyflip.reasons, anyflip.years) == (Status.OK, ("unverifiable_content",), None)
    issuu = classify(fetch(b"<html><head><title>Annual report 2566 by Lamphun - Issuu</title></head></html>",
                           url="https://issuu.com/lamphun/docs/annual_report_2566"))
    assert (issuu.reasons, issuu.years) == ((), (2566,))  # its title's year counts, as a Drive file's name


def test_a_drive_page_drawn_by_scripts_is_neither_empty_nor_proof_of_another_year():
    """What a Drive or Docs page carries without its scripts is mostly a name: a short folder
    page is not `empty_page`, and a page without a year (its file unread) asks for a look by hand."""
    def drive_page(title: str) -> bytes:
        return f"<html><head><title>{title}</title><script>var data = [1, 2];</script></head><body></body></html>".encode()

    folder = "https://drive.google.com/drive/folders/1XyZ-folder-abcdefg"
    r = classify(fetch(drive_page("O12 - Google Drive"), url=folder))
    assert (r.status, r.reasons, r.years) == (Status.OK, ("unverifiable_content",), None)
    named = classify(fetch(drive_page("ITA 2565 - Google Drive"), url=folder))
    assert (named.reasons, named.years) == ((), (2565,))  # a year it does show still counts
    elsewhere = classify(fetch(drive_page("O12"), url="https://www.tapladuk.go.th/o12"))
    assert elsewhere.reasons == ("empty_page",)  # any other site's empty page still is one


def test_truncated_pdf_gives_no_false_warning_and_an_unreadable_one_a_warning():
    pdf = make_pdf(["Annual report, fiscal year 2565"])
    assert classify(fetch(pdf, ctype="application/pdf")).years == (2565,)
    cut = replace(fetch(pdf[:200], ctype="application/pdf"), truncated=True)
    assert classify(cut).reasons == ("too_large",)  # cut short by us: pypdf's failure proves nothing
    damaged = classify(fetch(b"%PDF-1.4 garbage" * 40, ctype="application/pdf"))
    assert (damaged.status, damaged.reasons) == (Status.WARNING, ("unverifiable_content", "pdf_unreadable"))
    assert classify(cut).years is None  # not read: no year can be held against it


def test_promises_document():
    assert content.promises_document("http://a.go.th/files/%E0%B8%9B.PDF")
    assert content.promises_document("https://drive.google.com/file/d/XYZ/view?usp=sharing")
    assert not content.promises_document("http://a.go.th/index.php?_mod=pdf")


def test_years_a_page_shows_and_how_a_rule_reads_them():
    from sheets_sync.check.years import fits, years_in

    assert years_in("แผนพัฒนาท้องถิ่น (พ.ศ. 2564 – 2568)") == (2564, 2565, 2566, 2567, 2568)  # a span counts
    assert years_in("ตุลาคม ๒๕๖๕ ถึง มีนาคม ๒๕๖๖, fiscal 2023") == (2565, 2566)
    assert years_in("โทร 0 5351 1192 เลขที่ 1234/25660 ราคา 3000 บาท") == ()  # not years
    assert years_in("2500 - 2566") == (2500, 2566)  # a span longer than a plan period is two years, not 67
    # a month typed without its inner dot, "ปี งบประมาณ" spaced: procurement summaries' titles (were "no 2566")
    assert years_in("สรุปผลการจัดซื้อจัดจ้าง ประจำเดือน มีค.66") == (2566,)
    assert years_in("ตค.65 - มีค.66") == (2565, 2566)
    assert years_in("แผนการจัดซื้อจัดจ้าง ปี งบประมาณ 66") == (2566,)
    # ... but an amount is no year, nor two letters that only look like a month without its dot
    assert years_in("ใช้งบประมาณ 66,000 บาท") == years_in("นายสมชาย กพ 66 คน") == ()
    two = YearRule((2565, 2566))
    assert fits((2565,), two) and not fits((2564,), two) and fits(None, two)  # None: not read, never warned
    assert fits((), YearRule())  # no year clause: a page without a year is fine


def test_a_pdf_helper_that_dies_costs_one_pdf_and_is_restarted():
    import asyncio
    import os
    import signal

    from sheets_sync.check.pdfpool import PdfReaderPool

    pdf = make_pdf(["Annual report, fiscal year 2566"])
    pool = PdfReaderPool(workers=1)

    async def read_kill_read_read():
        first = await pool.read_async(pdf, 5)
        for pid in pool.helper_pids():  # as if PDFium had crashed on a file
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        return first, await pool.read_async(pdf, 5), await pool.read_async(pdf, 5)

    try:
        first, lost, again = asyncio.run(read_kill_read_read())
        assert first.text == "Annual report, fiscal year 2566"
        assert (lost.kind, lost.text) == ("pdf", "")  # checked by hand; never read in this process instead
        assert again.text == "Annual report, fiscal year 2566"  # a new helper
    finally:
        pool.close()


def test_a_site_whose_pdfs_crash_the_reader_loses_only_its_own_pdfs_text():
    """A helper that dies reading a file is restarted a few times per run; past that every PDF
    of the run went unread. Now the limit is per site: one site's crashing files cost only its own."""
    import asyncio
    import os
    import signal

    from sheets_sync.check.pdfpool import SITE_CRASHES, PdfReaderPool

    pdf = make_pdf(["Annual report, fiscal year 2566"])
    pool = PdfReaderPool(workers=1)

    async def crash_then_read():
        for _ in range(SITE_CRASHES):
            await pool.read_async(pdf, 5, site="good.go.th")  # a helper is up
            for pid in pool.helper_pids():  # as if PDFium had crashed on bad.go.th's file
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            assert (await pool.read_async(pdf, 5, site="bad.go.th")).text == ""
        return await pool.read_async(pdf, 5, site="bad.go.th"), await pool.read_async(pdf, 5, site="good.go.th")

    try:
        bad, good = asyncio.run(crash_then_read())
    finally:
        pool.close()
    assert (bad.kind, bad.text) == ("pdf", "")  # its files are left to be checked by hand, not read again
    assert good.text == "Annual report, fiscal year 2566"


def test_a_helper_that_cannot_start_fails_with_its_own_cause(monkeypatch):
    import asyncio

    from sheets_sync.check import pdfpool

    def refuse(*args, **kwargs):
        raise RuntimeError("cannot spawn while bootstrapping")

    monkeypatch.setattr(pdfpool, "_Helper", refuse)
    pool = pdfpool.PdfReaderPool(workers=1)
    with pytest.raises(RuntimeError, match="bootstrapping"):  # not an AttributeError of our cleanup
        asyncio.run(pool.read_async(make_pdf(["2566"]), 5))


def test_a_pdf_waiting_for_a_busy_helper_waits_no_longer_than_its_check():
    """PDFs queued behind slow ones (one site's files that take PDFium its whole budget each)
    waited for a free helper without end, and every other site's PDFs with them."""
    import asyncio
    import time

    from sheets_sync.check.pdfpool import PdfReaderPool

    pdf = make_pdf(["Annual report, fiscal year 2566"])
    pool = PdfReaderPool(workers=1)

    async def read_while_busy():
        busy = await pool._take()  # the only helper, held as by a file PDFium reads slowly
        started = time.monotonic()
        page = await pool.read_async(pdf, 5, deadline=time.monotonic() + 0.2)
        waited = time.monotonic() - started
        await pool._give_back(busy)
        return page, waited, await pool.read_async(pdf, 5)

    try:
        page, waited, later = asyncio.run(asyncio.wait_for(read_while_busy(), 20))
    finally:
        pool.close()
    assert (page.kind, page.text) == ("pdf", "")  # no text: a look by hand, not a warning
    assert waited < 10  # given up at its deadline (a second at least), not when the helper came free
    assert later.text == "Annual report, fiscal year 2566"


def test_similar_gives_the_same_answer_as_the_full_shingle_comparison():
    import random

    rnd = random.Random(2566)
    words = ["ข้อมูล", "ผู้บริหาร", "ประจำปี", "2566", "๒๕๖๖", "หน้าแรก", "ไม่พบหน้า", "page", "not", "found", " ",
             "  \n", "O1", "แผน"]
    positives = negatives = 0
    for _ in range(600):
        page = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 900)))
        other = page if rnd.random() < 0.3 else "".join(rnd.choice(words) for _ in range(rnd.randint(0, 900)))
        if rnd.random() < 0.5:  # near-copies, on both sides of the threshold
            other = other[: rnd.randint(0, len(other))] + "".join(rnd.choice(words) for _ in range(rnd.randint(0, 40)))
        reference = content.shingles(other)
        for threshold in (content.SIMILAR, 0.5):
            expected = content.similarity(content.shingles(page), reference) >= threshold
            assert content.similar(page, reference, threshold, chunk=rnd.choice([1, 64, 512])) is expected
            positives, negatives = positives + expected, negatives + (not expected)
    assert positives > 100 and negatives > 100  # both answers were tried


def test_years_in_gives_the_answers_of_the_look_around_patterns():
    """years_in reads digit runs in one pass; the reference is the pair of look-around patterns
    it replaced, run on random text made of years, spans, digits, dashes and Thai words."""
    import random
    import re

    from sheets_sync.check.years import MAX_SPAN, be_year, years_in

    from sheets_sync.check.years import SHORT_YEAR_WORD
    from sheets_sync.core.normalize import thai_digits_to_arabic

    d = "[0-9๐-๙]"
    year = re.compile(rf"(?<!{d}){d}{{4}}(?!{d})")
    # the second year after its own year word ("พ.ศ. 2564 - พ.ศ. 2568"), or its two last digits ("2565-66")
    gap = r"\s*(?:-|–|—|(?:จน)?ถึง)\s*(?:ปี(?:งบประมาณ)?\s*)?(?:(?:[พค]\.\s?ศ\.|B\.\s?E\.)\s*)?"
    span = re.compile(rf"(?<!{d})({d}{{4}}){gap}({d}{{4}}|{d}{{2}})(?!{d})")
    short = re.compile(rf"{SHORT_YEAR_WORD}([4-9๔-๙]{d})(?!{d})")  # "ม.ค. 66", "ไตรมาส 1/66", "ครั้งที่ 1/66": 2566
    date = re.compile(rf"(?<![0-9๐-๙/.\-])({d}{{1,2}})([/.\-])({d}{{1,2}})\2([4-9๔-๙]{d})(?!{d})")  # "5/10/65"

    phone = re.compile(r"(?<![0-9๐-๙])[0๐][0-9๐-๙]{0,3}(?:\)?[ -][0-9๐-๙]{3,4}|\)\s?[0-9๐-๙]{2})[ -]\Z")  # "0 5351 "
    # an amount or a count: "2566.00", "2566 ครั้ง" (not "ครั้งที่"), "ผู้เข้าชม : 2566", "Hits: 2566"
    amount = re.compile(r"[.][0-9๐-๙]|\s{0,3}(?:(?:ครั้ง|คน)(?![ก-๛])|บาท|(?:views?|hits?|reads?)(?![A-Za-z]))", re.I)
    counter = re.compile(r"(?:(?:เข้าชม|อ่าน|ยอดวิว|ผู้ชม)\s{0,3}:|(?<![A-Za-z])(?:hits?|views?|reads?)\s{0,3}:?)"
                         r"\s{0,3}\Z", re.I)

    # ... and after a short year, "ราย" and a thousands' group too: "ปี 66 คน", "ต่อปี 66,000 บาท"
    short_amount = re.compile(r"[.][0-9๐-๙]|,[0-9๐-๙]{3}(?![0-9๐-๙])|"
                              r"\s{0,3}(?:(?:ครั้ง|คน|ราย)(?![ก-๛])|บาท|(?:views?|hits?|reads?)(?![A-Za-z]))", re.I)

    def other_number(text: str, m: re.Match) -> bool:
        return bool(phone.search(text[:m.start()]) or amount.match(text[m.end():]) or counter.search(text[:m.start()]))

    def reference(text: str) -> tuple[int, ...]:
        found = {y for y in (be_year(m.group()) for m in year.finditer(text) if not other_number(text, m))
                 if y is not None}
        for m in span.finditer(text):
            first, second = (thai_digits_to_arabic(m.group(k)) for k in (1, 2))
            a, b = be_year(first), be_year(second if len(second) == 4 else first[:2] + second)
            if a is not None and b is not None and 0 < b - a <= MAX_SPAN:
                found.update(range(a, b + 1))
        found.update(2500 + int(thai_digits_to_arabic(m.group(1))) for m in short.finditer(text)
                     if not short_amount.match(text, m.end()))
        for m in date.finditer(text):
            day, month = (int(thai_digits_to_arabic(m.group(k))) for k in (1, 3))
            if 1 <= day <= 31 and 1 <= month <= 12 and not short_amount.match(text, m.end()):
                found.add(2500 + int(thai_digits_to_arabic(m.group(4))))
        return tuple(sorted(found))

    rnd = random.Random(2566)
    parts = ["2564", "2566", "๒๕๖๖", "2023", "1999", "25661", "12", "7", "66", "๖๕", "-", "–", " - ", "ถึง", " ถึง ",
             " ", "\n", "พ.ศ.", "พ.ศ. ", "ปี", "ปีงบประมาณ ", "ม.ค.", "มีนาคม ", "ต.ค. ", "อายุ ", "x", "2570", "2560",
             "/", ".", "31", "5", "๑", "0", "13", "05/10/", "31-3-", "1.", "13/", "๓๑/๑๒/",
             "0 5351 ", "081-234-", "(053) 512 ", "(053) 51-", "0-", "01-10-", "053",
             "ถึงปี ", "จนถึง", " - พ.ศ. ", "ถึงปี พ.ศ. ", "B.E. ", "-66", "-70", "-๖๖", "-01",
             "๐ ๕๓๕๑ ", "๐-๕๓๕๑-", "เข้าชม ", "ผู้เข้าชม", " ครั้ง", "ครั้งที่", "ครั้งแรก", ".00", "Hits: ", " บาท",
             "อ่าน", " views", "ราคากลาง ", ":", " คน", "คนพิการ", "วงเงิน ", "ไตรมาส ", "ไตรมาสที่ 2/", "4 / ",
             " ราย", "รายการ", ",000", ",5", ".5", "ครั้งที่ 1/", "ครั้งที่๑๒ / ", "Q1/", "SQ2/", "Q"]
    spans = shorts = dates = phones = counts = 0
    for _ in range(9000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 30)))
        assert years_in(text) == reference(text), text
        spans += bool(span.search(text))
        shorts += bool(short.search(text))
        dates += bool(date.search(text))
        phones += any(phone.search(text[:m.start()]) and be_year(m.group()) for m in year.finditer(text))
        counts += any(other_number(text, m) and be_year(m.group()) for m in year.finditer(text))
    # spans, short years, dates and years that are a phone number's last group, an amount or a count were really tried
    assert spans > 150 and shorts > 150 and dates > 50 and phones > 50 and counts > 100


def test_whitespace_is_squeezed_as_the_regex_did():
    """Page text is squeezed with str.split; the reference is the `\\s+` substitution it replaced,
    run on random text mixing Thai, ASCII and every kind of Unicode whitespace (and look-alikes
    that are not whitespace: a zero-width space, a BOM)."""
    import random
    import re

    from sheets_sync.check.content import _squeeze

    space = re.compile(r"\s+")
    rnd = random.Random(2566)
    parts = [" ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2003",
             "\u2028", "\u2029", "\u3000", "\u200b", "\ufeff", "ก", "ปี", "2566", "a", "&nbsp;", "."]
    spaced = 0
    for _ in range(3000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 30)))
        assert _squeeze(text) == space.sub(" ", text).strip(), repr(text)
        spaced += "\u3000" in text or "\x85" in text
    assert spaced > 300  # the uncommon spaces were really tried


def test_a_pdf_the_helper_cannot_read_by_the_deadline_gets_no_text_and_a_new_helper():
    """A file built to be slow to parse holds neither its check past the deadline nor the PDFs
    after it: the helper is stopped (here frozen with SIGSTOP, as if stuck in PDFium), that
    file gets no text (checked by hand, never 'cannot be opened') and a new helper reads on."""
    import asyncio
    import os
    import signal

    from sheets_sync.check.pdfpool import PdfReaderPool

    pdf = make_pdf(["Annual report, fiscal year 2566"])
    pool = PdfReaderPool(workers=1)

    async def freeze_then_read():
        await pool.read_async(pdf, 5)
        (stuck,) = pool.helper_pids()
        os.kill(stuck, signal.SIGSTOP)
        start = time.monotonic()
        late = await pool.read_async(pdf, 5, deadline=time.monotonic() + 1.0)
        waited = time.monotonic() - start
        return stuck, late, waited, await pool.read_async(pdf, 5, deadline=time.monotonic() + 30)

    try:
        stuck, late, waited, after = asyncio.run(freeze_then_read())
        assert (late.kind, late.text, late.pdf_readable) == ("pdf", "", True)
        assert 0.9 <= waited < 5.0  # the deadline, not the stuck helper, ended the wait
        assert after.text == "Annual report, fiscal year 2566" and stuck not in pool.helper_pids()
    finally:
        pool.close()
    with pytest.raises(ProcessLookupError):  # the stuck helper was stopped, not left behind
        for _ in range(50):
            os.kill(stuck, 0)
            time.sleep(0.1)


def test_a_site_whose_pdfs_hang_the_reader_stops_holding_it_up_for_everyone_else():
    """The one helper (on two cores) reads PDFs in turn: a site whose files hang PDFium until their
    checks' deadlines made every other site's PDFs wait behind each. Past SITE_CRASHES such files,
    that site's PDFs are left to a look by hand at once; other sites' are read as before."""
    import asyncio
    import os
    import signal

    from sheets_sync.check.pdfpool import SITE_CRASHES, PdfReaderPool

    pdf = make_pdf(["Annual report, fiscal year 2566"])
    pool = PdfReaderPool(workers=1)

    async def hang_then_read():
        for _ in range(SITE_CRASHES):
            await pool.read_async(pdf, 5, site="good.go.th")  # a helper is up
            for pid in pool.helper_pids():  # as if PDFium hung on slow.go.th's file
                os.kill(pid, signal.SIGSTOP)
            assert (await pool.read_async(pdf, 5, deadline=time.monotonic() + 0.5, site="slow.go.th")).text == ""
        helpers = pool.helper_pids()
        slow = await pool.read_async(pdf, 5, deadline=time.monotonic() + 30, site="slow.go.th")
        return slow, helpers == pool.helper_pids(), await pool.read_async(pdf, 5, site="good.go.th")

    try:
        slow, no_helper_used, good = asyncio.run(hang_then_read())
    finally:
        pool.close()
    assert (slow.kind, slow.text) == ("pdf", "") and no_helper_used  # not read, and no helper started for it
    assert good.text == "Annual report, fiscal year 2566"


@pytest.mark.parametrize("name, html, blocked", [
    ("FortiWeb", "<html><body><h2>Web Page Blocked</h2>The page cannot be displayed. Please contact the administrator "
                 "for additional information.<br>URL: www.lamphun.go.th/o1<br>Attack ID: 20000051</body></html>", True),
    ("Incapsula", "<html><head><meta name='robots' content='noindex'></head><body><iframe "
                  "src='/_Incapsula_Resource?CWUDNSAI=9&xinfo=1'>Request unsuccessful. Incapsula incident ID: "
                  "123</iframe></body></html>", True),
    ("Cloudflare", "<html><head><title>Attention Required! | Cloudflare</title></head><body><h1>Sorry, you have "
                   "been blocked</h1><h2>You are unable to access lamphun.go.th</h2></body></html>", True),
    ("a script's check sent with 200", "<html><head><title>Just a moment...</title></head><body><h1>Checking your "
     "browser before accessing lamphun.go.th.</h1><p>This process is automatic. Your browser will redirect to your "
     "requested content shortly.</p></body></html>", True),
    ("a loading screen", "<html><head><title>ระบบ</title></head><body><div>Just a moment...</div></body></html>", False),
    ("a long page about firewalls", "<html><body><p>Incapsula incident ID คืออะไร ปี 2566 </p>"
                                    + "<p>ข้อมูลการรักษาความปลอดภัยของเว็บไซต์หน่วยงาน</p>" * 120 + "</body></html>", False),
])
def test_firewall_refusals_sent_with_200_are_recognised_narrowly(name, html, blocked):
    page = content.read_html(html.encode(), {"Content-Type": "text/html"})
    assert content.firewall_page(page) is blocked, name


def test_the_quick_look_before_the_not_found_pattern_never_hides_a_match():
    # not_found_heading searches its pattern only in titles that hold "ไม่พบ", "404" or "found":
    # on random titles of the pattern's own pieces, every match passes that look.
    rng = random.Random(404)
    bits = ["ไม่พบ", "หน้า", "ข้อมูล", "เพจ", "Page", " ", "NOT", "not", "Found", "FOUND", "404", "Error", "error",
            "-", "|", ":", "ขออภัย", "ที่ท่านต้องการ", "053-", "/2566", "O1", "\t", "!"]
    matched = 0
    for _ in range(3000):
        title = "".join(rng.choice(bits) for _ in range(rng.randint(1, 6)))
        if content._NOT_FOUND.search(title):
            matched += 1
            assert content._may_say_not_found(title), title
    assert matched > 100


@pytest.mark.parametrize("markup, shown", [
    # left open, a script, a style, a noscript, a template or a comment runs to the end, as in a browser
    ("<p>แผน ปี 2565</p><script>var y = 2566; ", "แผน ปี 2565"),
    ("<p>แผน ปี 2565</p><!-- ปี 2566 <p>x</p>", "แผน ปี 2565"),
    ("<p>แผน ปี 2565</p><template><p>ปี 2566</p>", "แผน ปี 2565"),
    # an SVG left open does not hide what follows
    ("<svg><path d='M0 0'/><p>แผน ปี 2566</p>", "แผน ปี 2566"),
    ("<p>a</p><svg><title>icon</title></svg><p>แผน ปี 2566</p>", "a แผน ปี 2566"),
])
def test_what_a_page_left_open_shows(markup, shown):
    assert content.read_html(markup.encode(), {}).text == shown


def test_a_heading_left_open_at_the_end_is_a_heading():
    page = content.read_html(b"<html><body><nav>menu</nav><h1>404 Not Found", {})
    assert page.headings == ("404 Not Found",) and content.not_found_heading(page)


def test_the_unrolled_patterns_match_as_their_plain_reading():
    # _DROP, _HEADING and documents' script scan are written as runs of what cannot end them,
    # for speed and to stay linear; on random markup they match as the plain lazy patterns do.
    from sheets_sync.check.documents import _SCRIPT_OR_COMMENT
    drop = re.compile(rb"<(script|style|noscript|template)\b.*?(?:</\1\s*>|\Z)|<svg\b(?:(?!<svg\b).)*?</svg\s*>"
                      rb"|<!--.*?(?:-->|\Z)", re.S | re.I)
    heading = re.compile(r"<h[12][^>]*>(.*?)(?:</h[12]|\Z)", re.S | re.I)
    scripts = re.compile(rb"<!--.*?(?:-->|\Z)|<script\b[^>]*>(.*?)(?:</script\s*>|\Z)", re.S | re.I)
    rng = random.Random(66)
    bits = ["<script>", "</script>", "</SCRIPT >", "<style>", "</style>", "<svg>", "</svg>", "<!--", "-->", "--", "-",
            "<", ">", "<h1>", "</h1>", "<H2 class=x>", "</h2>", "text ", "2566", "<p>", "<noscript>", "</noscript>",
            "<template>", "</template>", "\n", "</scriptx>", "<script src=a>", "</h3>", "<svg><svg>", "->"]
    for _ in range(20000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 14)))
        body = text.encode()
        assert content._DROP.sub(b" ", body) == drop.sub(b" ", body), text
        assert content._HEADING.findall(text) == heading.findall(text), text
        assert [m.groups() for m in _SCRIPT_OR_COMMENT.finditer(body)] == [m.groups() for m in scripts.finditer(body)]
