"""Edge verdicts (issue 12), each against real loopback servers with a false-positive guard beside
it: local names, redirects to non-web schemes, unreadable PDFs, oversized response heads,
Unicode host names in --resolve, bot challenges sent with 503, bodies that end early, heads our
parser refuses and browsers read."""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import socket
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.check.guard import AddressPolicy
from sheets_sync.collect.cells import parse_cell
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from sheets_sync.core.reasons import REASONS
from tests.support import ROOT
from tests.support.farm import make_pdf, pdf_file
from tests.support.http_servers import LoopbackServer, closed_port, drip, raw, redirect, respond, slow
from tests.support.pdf_crypt import encrypted_pdf

SETTINGS = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=0,
                   soft404_probe=False, allow_private=("127.0.0.1/32",))
PAGE = ("<html><head><title>ข้อมูลผู้บริหาร</title></head><body><h1>ข้อมูลผู้บริหาร</h1>"
        "<p>นายกเทศมนตรี ประจำปีงบประมาณ พ.ศ. 2566</p></body></html>").encode()
PDF = {"Content-Type": "application/pdf"}
LAMPHUN = "ลำพูน.go.th"
LAMPHUN_IDNA = "xn--q3cju6cub7h.go.th"


@pytest.fixture
def server():
    with LoopbackServer({"/ok": respond(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})}) as srv:
        yield srv


def check(url: str, **changes):
    with Checker(replace(SETTINGS, **changes)) as checker:
        return checker.check(url)


def verdict(url: str, **changes):
    r = check(url, **changes)
    return r.status, r.reasons


# ---------------------------------------------------------------- local names
@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "oit.localhost", "a.b.localhost."])
def test_local_names_are_blocked_like_loopback_addresses(server, host):
    (cand,) = parse_cell(f"http://{host}:{server.port}/ok")
    assert cand.valid, "a local name is a URL to judge, not a malformed one"
    assert verdict(cand.url, allow_private=()) == (Status.BLOCKED, ("private_address",))
    assert server.log == []  # never requested


def test_local_names_are_the_loopback_address_when_loopback_is_allowed(server):
    # false-positive guard: judged as 127.0.0.1, so a test setup that allows loopback reaches it
    assert verdict(f"http://localhost:{server.port}/ok") == (Status.OK, ())
    assert server.log[0].host == f"localhost:{server.port}"


def test_names_that_only_contain_localhost_are_not_local():
    policy = AddressPolicy(getaddrinfo=lambda *a: pytest.fail("DNS asked"))
    assert policy.known("localhost") == policy.known("x.localhost") != None  # noqa: E711
    for name in ("localhost.go.th", "mylocalhost", "localhost-oit.lamphun.go.th", "notlocalhost"):
        assert policy.known(name) is None
    assert [c.url for c in parse_cell("http://intranet/o1")] == [None]  # other one-label names stay malformed


# ---------------------------------------------------------------- whitespace only
@pytest.mark.parametrize("text", ["   ", "\t\n", "\u3000", "\u2800", "\u3164 \u3164", "\u115f", "\u180e"])
def test_blank_looking_cells_are_empty(text):
    assert parse_cell(text) == ()


def test_a_blank_character_inside_a_url_is_not_emptied():
    (cand,) = parse_cell("https://x.go.th/o1\u2800")  # false-positive guard: the URL survives
    assert cand.url == "https://x.go.th/o1"


# ---------------------------------------------------------------- redirects to non-web schemes
@pytest.mark.parametrize("location", ["file:///C:/ITA2566/O1.pdf", "ftp://ftp.x.go.th/o1.pdf",
                                      "data:text/html,<h1>2566</h1>", "javascript:alert(1)",
                                      "mailto:saraban@x.go.th"])
def test_redirect_to_a_non_http_scheme_is_broken_with_its_own_reason(server, location):
    r = check(server.route("/r", redirect(location)))
    assert (r.status, r.reasons) == (Status.BROKEN, ("redirect_not_http",))
    assert r.redirects == (location,) and location[:20] in r.detail
    assert "file:" in REASONS["redirect_not_http"].note_th


@pytest.mark.parametrize("location", ["HTTP://127.0.0.1:{port}/ok", "//127.0.0.1:{port}/ok", "/ok", "ok"])
def test_redirects_to_web_addresses_in_any_spelling_are_followed(server, location):
    # false-positive guard: upper-case schemes, protocol-relative and relative targets are web pages
    url = server.route("/r", redirect(location.format(port=server.port)))
    assert verdict(url) == (Status.OK, ())


@pytest.mark.parametrize("home", ["/th/", "/en/index.php", "/Home/Index"])
def test_a_redirect_to_a_home_page_in_one_language_is_redirected_home(server, home):
    # was ok: a removed item page sent on to the Thai home page, whose 2566 news passed for the item
    server.route(home, respond(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    assert verdict(server.route("/ita/o10-old", redirect(home))) == (Status.WARNING, ("redirected_home",))


def test_a_redirect_from_the_home_page_to_its_language_is_no_removed_page(server):
    server.route("/th/", respond(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    server.route("/", redirect("/th/"))
    assert "redirected_home" not in verdict(server.url("/"))[1]


# ---------------------------------------------------------------- PDFs
def test_a_pdf_that_cannot_be_parsed_is_a_warning(server):
    url = server.route("/o2.pdf", respond(200, b"%PDF-1.7\n" + b"\x00\xffgarbled object stream " * 50, PDF))
    assert verdict(url) == (Status.WARNING, ("unverifiable_content", "pdf_unreadable"))


def test_a_pdf_with_a_password_to_open_it_is_broken_for_what_it_is(server):
    # was "the file may be damaged, upload it again": the assessor's viewer asks for a password
    url = server.route("/o20.pdf", respond(200, encrypted_pdf(["Procurement plan 2566"], user="lamphun"), PDF))
    assert verdict(url) == (Status.BROKEN, ("pdf_password",))


def test_a_pdf_protected_only_against_changes_opens_and_is_read(server):
    # the "protect" most agencies set: a password to edit or print, none to open
    url = server.route("/o21.pdf", respond(200, encrypted_pdf(["Procurement plan 2566"], owner="lamphun"), PDF))
    assert verdict(url) == (Status.OK, ())


def test_a_scan_and_a_readable_pdf_are_not_warned_about(server):
    # false-positive guards: a scan opens fine (no text to read), a text PDF is read
    scan = server.route("/scan.pdf", respond(200, make_pdf([]), PDF))
    text = server.route("/text.pdf", respond(200, make_pdf(["Annual plan, fiscal year 2566"]), PDF))
    assert verdict(scan) == (Status.OK, ("unverifiable_content",))
    assert verdict(text) == (Status.OK, ())


def scan_pdf(stamp: str = "", picture: tuple[int, int] = (612, 792), words: str = "") -> bytes:
    """A scanned page: one picture (a tiny grey image drawn `picture` points wide and high) and, in
    its text layer, only `stamp` at the page's foot, as a scanner app writes it; `words`: text of
    the page's own above it."""
    w, h = picture
    stream = f"q {w} 0 0 {h} 0 0 cm /Im1 Do Q"
    for y, line in ((700, words), (20, stamp)):
        if line:
            stream += f" BT /F1 9 Tf 72 {y} Td ({line}) Tj ET"
    return pdf_file([
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 6 0 R >> "
        "/Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        "/Length 4 >>\nstream\n\xff\x80\x80\xff\nendstream"])


@pytest.mark.parametrize("stamp", ["Scanned with CamScanner", "Scanned by TapScanner", "- 1 -", "Page 1 of 1", "1/3"])
def test_a_scan_whose_text_layer_is_only_a_scanners_stamp_is_a_scan(server, stamp):
    # was "no 2566": the stamp or page number read as the document's text, the year in the picture
    scan = server.route("/scan.pdf", respond(200, scan_pdf(stamp), PDF))
    framed = server.route("/o31", respond(200, ("<html><head><title>No Gift Policy</title></head><body>"
                                                "<h3>ประกาศเจตนารมณ์นโยบาย No Gift Policy</h3>"
                                                "<iframe src='/scan.pdf' width='100%'></iframe></body></html>").encode(),
                                          {"Content-Type": "text/html; charset=utf-8"}))
    assert verdict(scan) == (Status.OK, ("unverifiable_content",))
    assert verdict(framed) == (Status.OK, ("unverifiable_content",))


@pytest.mark.parametrize("body, years", [
    (scan_pdf("- 1 -", picture=(100, 100)), ()),  # a logo, not a scan: no year to see ("no 2566" for the row)
    (scan_pdf("Scanned with CamScanner", words="No Gift Policy 2565"), (2565,)),  # the page's own words
    (scan_pdf("Scanned with CamScanner", words="No Gift Policy 2566"), (2566,)),
    (scan_pdf("- 2565 -"), (2565,)),  # a year at the foot is no page number
], ids=["logo-and-page-number", "text-2565", "text-2566", "year-at-the-foot"])
def test_a_pictures_own_words_or_a_small_picture_keep_their_year_verdict(server, body, years):
    # guards: the text is read as before (each row judges these years by its item's rule)
    r = check(server.route("/doc.pdf", respond(200, body, PDF)))
    assert (r.status, r.reasons, r.years) == (Status.OK, (), years)


def test_a_pdf_is_read_up_to_the_page_that_settles_the_sync_year_rules(server):
    """The sync's checker reads a PDF's pages (in its helper process) only until they show a year
    of each of its rules' year sets; without them (sheets-sync check) the first pdf_pages pages."""
    from tests.check.test_pdftext import build, text

    url = server.route("/o13.pdf", respond(200, build([text("F1", f"report {y}") for y in (2566, 2560, 2561)]), PDF))
    with Checker(SETTINGS, pdf_years=((2566,),)) as checker:
        assert checker.check(url).years == (2566,)
    with Checker(SETTINGS, pdf_years=((2565,), (2566,))) as checker:
        assert checker.check(url).years == (2560, 2561, 2566)
    assert check(url).years == (2560, 2561, 2566)


# ---------------------------------------------------------------- answers with nothing in them
@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Type: text/ht",  # hangs up in the middle of its headers
    b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n",  # headers, then nothing
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
], ids=["cut-in-headers", "no-body", "length-zero"])
def test_an_answer_with_no_body_is_not_ok(server, answer):
    assert verdict(server.route("/o5", raw(answer))) == (Status.WARNING, ("empty_page",))


def test_small_non_html_files_with_content_stay_ok(server):
    # false-positive guard: a short text file or an image has a body, however small; a text
    # file's (a CSV's) years are read, an image's are not: a look by hand, never a silent "ok"
    txt = server.route("/o5.txt", respond(200, b"2566", {"Content-Type": "text/plain"}))
    csv = server.route("/o5.csv", respond(200, "รายการ,ปีงบประมาณ\nจัดซื้อวัสดุ,2565\n".encode(), {"Content-Type": "text/csv"}))
    png = server.route("/o5.png", respond(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 20, {"Content-Type": "image/png"}))
    assert (verdict(txt), check(txt).years) == ((Status.OK, ()), (2566,))
    assert check(csv).years == (2565,)
    assert (verdict(png), check(png).years) == ((Status.OK, ("unverifiable_content",)), None)
    # no Content-Type: sniffed as a browser does, text by its lack of binary bytes
    bare_txt = server.route("/o5-bare", respond(200, "ประกาศ ปีงบประมาณ 2566".encode()))
    bare_png = server.route("/o5-bare.png", respond(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 20))
    assert (verdict(bare_txt), check(bare_txt).years) == ((Status.OK, ()), (2566,))
    assert verdict(bare_png) == (Status.OK, ("unverifiable_content",))


# ---------------------------------------------------------------- oversized response heads
@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 1_000_000 + b"\r\nContent-Length: 2\r\n\r\nok",  # a 1 MB header
    b"HTTP/1.1 200 " + b"O" * 100_000 + b"\r\nContent-Length: 2\r\n\r\nok",  # a 100 kB status line
    b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"Content-Length: 2\r\n\r\nok",
], ids=["header-line", "status-line", "too-many-headers"])
def test_an_oversized_response_head_has_its_own_reason(server, head):
    r = check(server.route("/big", raw(head)))
    assert (r.status, r.reasons) == (Status.BROKEN, ("header_too_large",))
    assert "got more than" in r.detail


def test_large_but_ordinary_heads_are_fine(server):
    # false-positive guard: 60 headers and an 8 kB cookie are what some CMSs really send
    headers = {f"X-Cms-{i}": "v" * 40 for i in range(60)}
    headers.update({"Set-Cookie": "session=" + "c" * 8000, "Content-Type": "text/html; charset=utf-8"})
    assert verdict(server.route("/cms", respond(200, PAGE, headers))) == (Status.OK, ())


def test_a_header_just_under_the_limit_is_fine(server):
    # false-positive guard at the threshold: a 60 kB header line (http.client allows 64 KiB)
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-Padding: " + b"a" * 60_000
            + b"\r\nContent-Length: %d\r\n\r\n" % len(PAGE) + PAGE)
    assert verdict(server.route("/near", raw(head))) == (Status.OK, ())


# ---------------------------------------------------------------- sloppy answers a browser may still show
# (heads our parser refuses and browsers read: test_a_head_browsers_read_is_read_as_they_do, below)
def test_a_body_not_in_the_encoding_it_says_is_never_called_broken(server):
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n" % len(PAGE))
    r = check(server.route("/sloppy", raw(head + PAGE)))
    assert (r.status, r.reasons) == (Status.UNKNOWN, ("check_failed",))


@pytest.mark.parametrize("coding, encode", [
    ("x-gzip", gzip.compress),  # Chromium's other name of gzip, which our HTTP client leaves as sent
    ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),  # stacked: each undone, last first
    ("deflate, gzip", lambda b: gzip.compress(zlib.compress(b))),
    ("UTF-8", lambda b: b),  # no coding at all, sent by mistake: browsers show the body as it came
    # bytes after the gzip stream's end (a PHP page's trailing newline): aiohttp refuses the body,
    # Chromium ignores them; was check_failed on every run
    ("gzip", lambda b: gzip.compress(b) + b"\n\n"),
])
def test_a_body_in_codings_browsers_undo_is_read_as_they_show_it(server, coding, encode):
    # was "no 2566": the compressed bytes read as the page
    body = encode(PAGE)
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: %s\r\n"
            b"Content-Length: %d\r\n\r\n" % (coding.encode(), len(body)))
    r = check(server.route("/coded", raw(head + body)))
    assert (r.status, r.reasons, r.years) == (Status.OK, (), (2566,))


@pytest.mark.parametrize("name, body, ctype, expected", [
    # compressed twice under one Content-Encoding (a cache plugin's stored .gz compressed again):
    # a browser undoes one and shows the other as gibberish
    ("twice", gzip.compress(gzip.compress(PAGE)), b"text/html; charset=utf-8\r\nContent-Encoding: gzip",
     (Status.BROKEN, ("binary_page",))),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, b"text/html",
     (Status.BROKEN, ("binary_page",))),
    # a page in UTF-16 has a zero byte in every other place, and shows as it should
    ("utf-16", PAGE.decode().encode("utf-16"), b"text/html", (Status.OK, ())),
    ("utf-16-named", PAGE.decode().encode("utf-16-le"), b"text/html; charset=utf-16le", (Status.OK, ())),
    # Word's line breaks (vertical tabs) pasted into a CMS's editor: text, shown as it is
    ("vertical-tabs", PAGE.replace(b"</h1>", b"</h1>" + b"\x0b" * 12), b"text/html; charset=utf-8", (Status.OK, ())),
])
def test_bytes_a_browser_shows_as_gibberish_where_the_page_should_be_are_broken(server, name, body, ctype, expected):
    # was "no 2566": the agency looked for the year in a page no one can read
    head = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (ctype, len(body))
    assert verdict(server.route(f"/binary-{name}", raw(head + body))) == expected, name


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n\n",  # bare LF line ends
    b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n",  # body ends when the site hangs up
    b"HTTP/1.1 200\r\nContent-Type: text/html;\r\n charset=utf-8\r\n\r\n",  # no reason phrase, a folded header
], ids=["bare-lf", "http10-close", "folded"])
def test_sloppy_but_readable_answers_are_read(server, head):
    assert verdict(server.route("/sloppy", raw(head + PAGE))) == (Status.OK, ())


# ---------------------------------------------------------------- characters a browser draws as nothing
@pytest.mark.parametrize("name, heading, body, expected", [
    # a zero-width space (a Thai word-break plugin's, or pasted from LINE) or a soft hyphen inside
    # the year: the assessor sees "2566"; was "no 2566"
    ("zwsp-year", "แผนการดำเนินงาน ปี 25&#8203;66", "<p>รายละเอียดโครงการของเทศบาล</p>", (Status.OK, (), (2566,))),
    ("shy-year", "แผนการดำเนินงาน ปี 25&shy;66", "<p>รายละเอียดโครงการของเทศบาล</p>", (Status.OK, (), (2566,))),
    # between the words of a notice: the assessor reads "อยู่ระหว่างจัดทำข้อมูล"; was ok by the year
    ("zwsp-notice", "แผนการดำเนินงาน", "<p>อยู่ระหว่าง\u200bจัดทำ\u200bข้อมูล ปี 2566</p>",
     (Status.WARNING, ("placeholder_page",), None)),
    # guard: a page whose year is last year's stays so, zero-width spaces or not
    ("zwsp-old", "แผนการดำเนินงาน ปี\u200b2565", "<p>รายละเอียด\u200bโครงการของเทศบาล</p>", (Status.OK, (), (2565,))),
])
def test_characters_a_browser_draws_as_nothing_join_what_they_split(server, name, heading, body, expected):
    page = (f"<html><head><title>O10</title></head><body><h1>{heading}</h1>{body}</body></html>").encode()
    r = check(server.route(f"/invisible-{name}", respond(200, page, {"Content-Type": "text/html; charset=utf-8"})))
    assert (r.status, r.reasons, r.years) == expected, name


# ---------------------------------------------------------------- "no data" under the item's own heading
@pytest.mark.parametrize("name, headings, expected", [
    # an item page with its year, saying it has no records ("no complaints"; an empty list): was
    # soft_404, broken
    ("complaints", "<h1>สถิติเรื่องร้องเรียนการทุจริต ประจำปี 2566</h1><h2>ไม่พบข้อมูล</h2>", (Status.OK, (), (2566,))),
    ("complaints-dashes", "<h1>สถิติเรื่องร้องเรียน ประจำปี 2566</h1><table><tr><th>เดือน</th></tr></table>"
                          "<h2>- ไม่พบข้อมูล -</h2>", (Status.OK, (), (2566,))),
    # guards: a section's heading without a year over "ไม่พบข้อมูล" is a record gone; "ไม่พบหน้า"
    # is the site's not-found page under any heading
    ("news-gone", "<h1>ข่าวประชาสัมพันธ์</h1><h2>ไม่พบข้อมูล</h2>", (Status.BROKEN, ("soft_404",), None)),
    ("page-gone", "<h1>ITA 2566</h1><h2>ไม่พบหน้าที่ท่านต้องการ</h2>", (Status.BROKEN, ("soft_404",), None)),
])
def test_no_data_under_a_heading_that_names_its_year_is_the_items_own_answer(server, name, headings, expected):
    page = (f"<html><head><title>เทศบาลตำบลบ้านแป้น</title></head><body>{headings}"
            "<p>ในรอบ 6 เดือนแรกของปีงบประมาณ ไม่มีเรื่องร้องเรียนการทุจริตและประพฤติมิชอบ</p></body></html>").encode()
    r = check(server.route(f"/no-data-{name}", respond(200, page, {"Content-Type": "text/html; charset=utf-8"})))
    assert (r.status, r.reasons, r.years) == expected, name


# ---------------------------------------------------------------- files a script or a postback brings
def test_a_pdf_drawn_by_pdfobject_is_read_and_postback_downloads_are_a_look_by_hand(server):
    """PDFObject.embed("/files/o10.pdf") shows the PDF in the page (its year is the item's); an
    ASP.NET GridView's "ดาวน์โหลด" postback buttons give files the checker cannot ask for. Both
    were "no 2566" by the heading."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/files/o10.pdf", respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF))
    heading = "<html><head><title>O10</title></head><body><h1>O10 แผนการดำเนินงาน</h1>"
    drawn = heading + ("<div id='pdf1'></div><script src='/js/pdfobject.min.js'></script>"
                       "<script>PDFObject.embed('/files/o10.pdf', '#pdf1');</script></body></html>")
    posted = heading + ("<form id='form1' method='post'><table><tr><td>แผนการดำเนินงาน.pdf</td><td><a href=\""
                        "javascript:__doPostBack('ctl00$gvFiles','Download$0')\">ดาวน์โหลด</a></td></tr></table>"
                        "</form></body></html>")
    paged = posted.replace("Download$0", "Page$2").replace("ดาวน์โหลด", "2").replace("แผนการดำเนินงาน.pdf", "หน้า")
    r = check(server.route("/o10-pdfobject", respond(200, drawn.encode(), html)))
    assert (r.status, r.reasons, r.years) == (Status.OK, (), (2566,))
    r = check(server.route("/o10-postback", respond(200, posted.encode(), html)))
    assert (r.status, r.reasons, r.years) == (Status.OK, ("unverifiable_content",), None)
    r = check(server.route("/o10-paged", respond(200, paged.encode(), html)))  # a pager's postback: no file
    assert (r.reasons, r.years) == ((), ())


# ---------------------------------------------------------------- a link's query in its page's encoding
def test_a_thai_file_name_in_a_links_query_is_asked_in_the_pages_encoding(server):
    """An old Thai site in Windows-874 links download.php?file=แผนดำเนินงาน.pdf; a browser writes
    that query in the page's encoding and the script finds the file by those bytes. Asked in
    UTF-8 it answered "ไม่พบไฟล์": the page was "no 2566". The path stays UTF-8, as browsers send it."""
    from urllib.parse import unquote_to_bytes

    name = "แผนดำเนินงาน.pdf"
    asked = []

    def download(h) -> None:
        raw = unquote_to_bytes(h.path.partition("?")[2].partition("file=")[2])
        asked.append(raw)
        if raw == name.encode("cp874"):
            respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]), PDF)(h)
        else:
            respond(200, "<h3>ไม่พบไฟล์ที่ต้องการ</h3>".encode("cp874"), {"Content-Type": "text/html"})(h)

    server.route("/download.php", download)
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-874'>"
            "<title>แผนการดำเนินงาน</title></head><body><h2>แผนการดำเนินงาน</h2><p>แผนการดำเนินงานขององค์การ"
            f"บริหารส่วนตำบลทดสอบ</p><p><a href='download.php?file={name}'>ดาวน์โหลดเอกสาร</a></p></body></html>")
    r = check(server.route("/o10-tis", respond(200, page.encode("cp874"), {"Content-Type": "text/html"})))
    assert (r.status, r.reasons, r.years) == (Status.OK, (), (2566,)) and asked == [name.encode("cp874")]


# ---------------------------------------------------------------- sent on to a subfolder site's home page
@pytest.mark.parametrize("root, expected", [
    (redirect("/web/"), ("redirected_home",)),  # the site lives in /web/: its root leads there
    (respond(200, b"<title>portal</title><h1>" + "หน่วยงานในจังหวัด".encode() + b"</h1>",
             {"Content-Type": "text/html; charset=utf-8"}), ()),  # a root of its own: /web/ is a section
])
def test_an_item_sent_on_to_the_home_page_of_a_site_in_a_subfolder_is_said_so(root, expected):
    """A deleted article of a Joomla site installed in /web/ redirects to /web/, its home page of
    news dated 2566: that was "ok". It is told by where the site's own root leads, asked once."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    home = ("<html><head><title>เทศบาลตำบลทดสอบ</title></head><body><h2>ข่าวประชาสัมพันธ์</h2>"
            "<ul><li>ประชุมสภาเทศบาล 15 กุมภาพันธ์ 2566</li></ul></body></html>").encode()
    routes = {"/web/index.php": redirect("/web/", 301), "/web/": respond(200, home, html), "/": root}
    with LoopbackServer(routes, fallback=respond(404, b"Not Found")) as srv:
        r = check(srv.url("/web/index.php?option=com_content&view=article&id=5"), soft404_probe=True)
        assert (r.reasons, r.years) == (expected, (2566,))
        # the home page itself pasted as the item: no redirect, nothing asked of the root
        assert check(srv.url("/web/"), soft404_probe=True).reasons == ()
        assert len(srv.requests_to("/")) == 1


# ---------------------------------------------------------------- Unicode host names in --resolve
@pytest.mark.parametrize("mapped, typed", [(LAMPHUN, LAMPHUN_IDNA), (LAMPHUN_IDNA, LAMPHUN), (LAMPHUN, LAMPHUN),
                                           ("ลำพูน.GO.TH.", LAMPHUN_IDNA)])
def test_resolve_matches_a_thai_host_in_either_form(server, mapped, typed):
    (cand,) = parse_cell(f"http://{typed}:{server.port}/ok")
    assert cand.url.startswith(f"http://{LAMPHUN_IDNA}:")
    assert verdict(cand.url, resolve=(f"{mapped}:127.0.0.1",)) == (Status.OK, ())
    assert server.log[-1].host == f"{LAMPHUN_IDNA}:{server.port}"  # the name the site expects


def test_resolve_does_not_match_another_thai_name():
    # false-positive guard: only the mapped name is taken out of DNS
    policy = AddressPolicy(resolve=[f"{LAMPHUN}:127.0.0.1"])
    assert policy.known(LAMPHUN_IDNA) is not None and policy.known(LAMPHUN) is not None
    assert policy.known("xn--42cah2c7a0f1b.go.th") is None and policy.known("ลำปาง.go.th") is None


def test_cli_resolve_takes_a_thai_host_name(server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-m", "sheets_sync", "check", "--resolve", f"{LAMPHUN}:127.0.0.1",
                          "--allow-private", "127.0.0.1/32", f"http://{LAMPHUN}:{server.port}/ok"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.split()[0] == "ok" and server.log[0].host == f"{LAMPHUN_IDNA}:{server.port}"


# ---------------------------------------------------------------- bot challenges
# Cloudflare's "Just a moment..." page, as its "Under Attack" mode sends it (status 503).
CHALLENGE = (b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
             b"<noscript>Enable JavaScript and cookies to continue</noscript><script>(function(){"
             b"window._cf_chl_opt={cvId: '3', cZone: 'tapladuk.go.th', cType: 'managed'};"
             b"var a=document.createElement('script');"
             b"a.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f6071';"
             b"document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>")


def test_a_bot_challenge_sent_with_503_is_not_a_broken_site(server):
    """A browser runs the challenge's script and opens the page: `http_5xx` (broken) was a false
    verdict on every item of a site that turned the mode on."""
    html = {"Content-Type": "text/html; charset=UTF-8", "Server": "cloudflare"}
    server.route("/attack", respond(503, CHALLENGE, {**html, "cf-mitigated": "challenge"}))
    server.route("/attack-body", respond(503, CHALLENGE, html))
    server.route("/down", respond(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>", html))
    assert verdict(server.url("/attack")) == (Status.UNKNOWN, ("bot_blocked",))
    assert verdict(server.url("/attack-body")) == (Status.UNKNOWN, ("bot_blocked",))
    assert verdict(server.url("/down")) == (Status.BROKEN, ("http_5xx",))  # a site that is down still is
    # A challenge is not retried (it answers the same a second later): one request as ours and one
    # as a browser's, where a 503 of a site that is down is retried as declared.
    asked = len(server.log)
    assert verdict(server.url("/attack"), retries=2, backoff_s=0.01) == (Status.UNKNOWN, ("bot_blocked",))
    assert len(server.log) - asked == 2
    assert verdict(server.url("/down"), retries=2, backoff_s=0.01)[1] == ("http_5xx",)
    assert len(server.log) - asked == 2 + 3


WORDFENCE = ("<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1><p>If you think you "
             "have been blocked in error, contact the owner of this site for assistance.</p><p>Block Technical Data"
             "</p><p class='generated'>Generated by Wordfence at Wed, 1 Feb 2023 3:15:22 GMT.<br>Your computer's time: "
             "<script>document.write(new Date().toUTCString());</script>.</p></body></html>")


def test_a_security_plugins_refusal_sent_with_503_is_not_a_broken_site(server):
    """Wordfence sends its block and its rate limit with 503: the site is up, and opens in a
    browser; `http_5xx` ("เว็บไซต์ขัดข้อง", broken) was false on every item of such a site."""
    html = {"Content-Type": "text/html; charset=UTF-8"}
    blocked = WORDFENCE.format(title="Your access to this site has been limited by the site owner").encode()
    limited = WORDFENCE.format(title="Your access to this service has been temporarily limited. "
                                     "Please try again in a few minutes.").encode()
    server.route("/wf-blocked", respond(503, blocked, html))
    server.route("/wf-limited", respond(503, limited, html))
    # a page of the site that mentions the plugin, sent with 503 while the site is really down
    server.route("/down-wp", respond(503, b"<h1>Service Unavailable</h1><p>Protected by Wordfence</p>", html))
    assert verdict(server.url("/wf-blocked")) == (Status.UNKNOWN, ("bot_blocked",))
    assert verdict(server.url("/wf-limited")) == (Status.UNKNOWN, ("rate_limited",))
    assert verdict(server.url("/down-wp")) == (Status.BROKEN, ("http_5xx",))


# ---------------------------------------------------------------- bodies that end early
def test_a_body_that_ends_before_its_declared_length_is_judged_as_it_came(server):
    """A server that hangs up before the Content-Length it declared (or before the last chunk)
    still showed the browser the page it sent; that was `connect_error`, "cannot connect"."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    server.route("/short", raw(head + b"Content-Length: 10000\r\n\r\n" + PAGE))
    server.route("/unfinished", raw(head + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(PAGE) + PAGE + b"\r\n"))
    server.route("/short-old", raw(head + b"Content-Length: 10000\r\n\r\n" + PAGE.replace(b"2566", b"2565")))
    server.route("/short.pdf", raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 99999\r\n\r\n"
                                   + make_pdf(["Action plan, fiscal year 2566"])))
    server.route("/short-nothing", raw(head + b"Content-Length: 10000\r\n\r\n"))
    server.route("/bad-gzip", raw(head + b"Content-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello"))
    for path in ("/short", "/unfinished", "/short.pdf"):
        r = check(server.url(path))
        assert (r.status, r.reasons, r.years) == (Status.OK, (), (2566,)), path
        assert "connection ended" in r.detail
    assert check(server.url("/short-old")).years == (2565,)  # judged by what it shows, as any page
    assert verdict(server.url("/short-nothing")) == (Status.WARNING, ("empty_page",))  # a blank page
    assert verdict(server.url("/bad-gzip")) == (Status.UNKNOWN, ("check_failed",))  # not an early end


# ---------------------------------------------------------------- heads browsers read
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
CHUNKED_PAGE = b"%x\r\n" % len(PAGE) + PAGE + b"\r\n0\r\n\r\n"
LAX_HEADS = {
    "/length-twice": HEAD + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(PAGE), len(PAGE)) + PAGE,
    "/chunked-and-length": HEAD + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_PAGE,
    "/space-before-colon": (b"HTTP/1.1 200 OK\r\nContent-Type : text/html; charset=utf-8\r\n"
                            b"Content-Length: %d\r\n\r\n" % len(PAGE) + PAGE),
}


@pytest.mark.parametrize("path", LAX_HEADS)
def test_a_head_browsers_read_is_read_as_they_do(server, path):
    """aiohttp's parser refuses these heads and Chrome and Firefox open the page: that was
    `check_failed` (unknown, "will re-check next run") on every run, never a verdict."""
    server.route(path, raw(LAX_HEADS[path]))
    r = check(server.url(path))
    assert (r.status, r.reasons, r.years, r.http_status) == (Status.OK, (), (2566,), 200)
    assert "as browsers read it" in r.detail


def test_a_lax_head_is_read_on_the_checked_address_and_its_redirect_followed(server):
    server.route("/moved", raw(b"HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n"))
    r = check(f"http://tapladuk.go.th:{server.port}/moved", resolve=("tapladuk.go.th:127.0.0.1",))
    assert (r.status, r.final_url) == (Status.OK, f"http://tapladuk.go.th:{server.port}/ok")
    assert [(s.path, s.host) for s in server.log] == [("/moved", f"tapladuk.go.th:{server.port}")] * 2 + [
        ("/ok", f"tapladuk.go.th:{server.port}")]  # aiohttp's read, then http.client's, with the real Host


def test_a_lax_head_is_read_from_the_next_address_when_the_first_is_down(server):
    server.route("/lax", raw(LAX_HEADS["/length-twice"]))
    r = check(f"http://two.go.th:{server.port}/lax", resolve=("two.go.th:127.0.0.4", "two.go.th:127.0.0.1"),
              allow_private=("127.0.0.0/29",))
    assert (r.status, r.years) == (Status.OK, (2566,)) and "as browsers read it" in r.detail


def test_a_head_browsers_refuse_too_stays_unchecked(server):
    two_lengths = HEAD + b"Content-Length: %d\r\nContent-Length: 5\r\n\r\n" % len(PAGE) + PAGE
    server.route("/two-lengths", raw(two_lengths))
    assert verdict(server.url("/two-lengths")) == (Status.UNKNOWN, ("check_failed",))  # never a verdict on a guess


def test_a_lax_head_over_tls_is_read_with_the_checkers_tls(pki):
    name = "tls.go.th"
    with LoopbackServer({"/": raw(LAX_HEADS["/length-twice"])}, tls=pki.server(name, chain=True)) as site:
        r = check(f"https://{name}:{site.port}/", resolve=(f"{name}:127.0.0.1",))
        assert (r.status, r.years) == (Status.OK, (2566,))
    with LoopbackServer({"/": raw(LAX_HEADS["/length-twice"])}, tls=pki.server("other.go.th", chain=True)) as site:
        r = check(f"https://{name}:{site.port}/", resolve=(f"{name}:127.0.0.1",))
        assert r.reasons[0] == "tls_invalid"  # the name is verified on this path too


def test_slow_lax_heads_never_hold_the_threads_dns_lookups_run_on(server, monkeypatch):
    """On a small VM the loop's default pool has a few threads, and every DNS lookup runs there.
    Sites whose lax heads are read slowly must not hold them: every other check waited behind
    them and timed out, one bad site holding up everyone's feedback."""
    def lax_and_slow(h) -> None:
        h.close_connection = True
        h.wfile.write(HEAD + b"Content-Length: 40\r\nContent-Length: 40\r\n\r\n")
        for _ in range(8):  # ~4 s, a few bytes at a time
            h.wfile.flush()
            time.sleep(0.5)
            h.wfile.write(b"2566 ")
    server.route("/lax-slow", lax_and_slow)
    names = [f"slow{i}.go.th" for i in range(4)]
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: real("127.0.0.1" if host == "dns.go.th" else host,
                                                                           *a, **k))
    looked_up = f"http://dns.go.th:{server.port}/ok"
    # Reached through a late redirect, so that its lookup comes while the slow reads are under way.
    server.route("/late", slow(0.5, redirect(looked_up)))
    settings = replace(SETTINGS, resolve=(*(f"{n}:127.0.0.1" for n in names), "late.go.th:127.0.0.1"),
                       total_timeout_s=3.0, read_timeout_s=2.0)
    with Checker(settings) as checker:
        checker.runner.run(_default_threads(2))
        results = checker.check_many([*(f"http://{n}:{server.port}/lax-slow" for n in names),
                                      f"http://late.go.th:{server.port}/late"])
    late = results[f"http://late.go.th:{server.port}/late"]
    assert (late.status, late.final_url) == (Status.OK, looked_up), late.detail


async def _default_threads(n: int) -> None:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(n))


# ---------------------------------------------------------------- redirects as browsers read them
def test_a_redirect_written_with_backslashes_goes_where_a_browser_goes(server):
    """Old ASP sites redirect to "\\files\\o1.pdf"; a browser reads "\\" as "/". Requested as
    "/%5Cfiles%5Co1.pdf" it was a 404, a false "broken"."""
    server.route("/files/o1.pdf", respond(200, make_pdf(["Action plan, fiscal year 2566"]), PDF))
    server.route("/o1.asp", raw(b"HTTP/1.1 302 Object moved\r\nLocation: \\files\\o1.pdf\r\nContent-Length: 0\r\n\r\n"))
    r = check(server.url("/o1.asp"))
    assert (r.status, r.years, r.final_url) == (Status.OK, (2566,), server.url("/files/o1.pdf"))


def test_a_lenient_read_never_waits_for_the_loops_default_threads(server):
    """Since DNS lookups have threads of their own too, the test above no longer tells which of
    the two keeps them apart; this one holds the lenient reads to their own: the loop's default
    threads all busy (any blocking call of the loop's), a lax head is still read in time."""
    server.route("/lax", raw(LAX_HEADS["/length-twice"]))
    with Checker(replace(SETTINGS, total_timeout_s=2.0)) as checker:
        checker.runner.run(_default_threads(1))
        checker.runner.run(_busy_default_thread(2.5))  # past the check's 2 s
        r = checker.check(server.url("/lax"))
    assert (r.status, r.years) == (Status.OK, (2566,)), r.detail


async def _busy_default_thread(seconds: float) -> None:
    asyncio.get_running_loop().run_in_executor(None, time.sleep, seconds)


# ---------------------------------------------------------------- pages sent with "not found"
MENU = ("<nav>หน้าแรก | ข้อมูลพื้นฐาน | โครงสร้างองค์กร | ข่าวประชาสัมพันธ์ | ศูนย์ข้อมูลข่าวสาร | ติดต่อเรา</nav>"
        "<aside>ข่าวล่าสุด: ประชุมสภาเทศบาลสมัยสามัญ กิจกรรมวันเด็กแห่งชาติ โครงการฝึกอบรมอาสาสมัคร</aside>")


def _template(body: str) -> bytes:
    return f"<html><head><title>เทศบาลตำบลบ้านแป้น</title></head><body>{MENU}<main>{body}</main></body></html>".encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}
ITEM = _template("<h1>O1 โครงสร้าง</h1><p>" + "ผังโครงสร้างส่วนราชการของเทศบาลตำบลบ้านแป้น ประจำปีงบประมาณ พ.ศ. 2566 "
                 "ประกอบด้วยสำนักปลัด กองคลัง กองช่าง กองการศึกษา กองสาธารณสุขและสิ่งแวดล้อม "
                 "นายกเทศมนตรี รองนายกเทศมนตรี และปลัดเทศบาล" + "</p>")
SITE_NOT_FOUND = _template("<h1>ขออภัย ไม่พบหน้าที่ท่านต้องการ</h1>")


def test_a_page_its_site_sends_with_404_is_a_warning_with_its_years():
    """A site whose friendly addresses its 404 handler serves (Apache's ErrorDocument, a front
    controller that never sets the status) sends every page with 404; a browser shows the page
    and the assessor reads it. "Broken" was false: a warning to fix the status, judged by content."""
    with LoopbackServer({"/o1": respond(404, ITEM, HTML)}, fallback=respond(404, SITE_NOT_FOUND, HTML)) as srv:
        r = check(srv.url("/o1"), soft404_probe=True)
        assert (r.status, r.reasons, r.years, r.http_status) == (Status.WARNING, ("error_status_page",), (2566,), 404)
        assert REASONS["error_status_page"].status is Status.WARNING


@pytest.mark.parametrize("missing", [respond(404, b"Not Found"), respond(410, b"<h1>Gone</h1>", HTML)])
def test_a_page_sent_with_404_is_read_beside_any_not_found_answer_of_its_site(missing):
    with LoopbackServer({"/o1": respond(404, ITEM, HTML)}, fallback=missing) as srv:
        assert verdict(srv.url("/o1"), soft404_probe=True) == (Status.WARNING, ("error_status_page",))


@pytest.mark.parametrize("page", [
    _template("<h1>ข่าวประชาสัมพันธ์</h1><p>บทความที่ท่านเรียกไม่มีอยู่ในระบบ หรืออาจถูกลบไปแล้ว</p>"),  # a CMS's own "not found"
    _template("<h2>Error</h2><p>The requested article could not be loaded, please try again later.</p>"),
    _template(""),  # the template alone: no text of its own
    SITE_NOT_FOUND,
])
def test_a_not_found_answer_in_the_sites_template_stays_broken(page):
    with LoopbackServer({"/o1": respond(404, page, HTML)}, fallback=respond(404, SITE_NOT_FOUND, HTML)) as srv:
        assert verdict(srv.url("/o1"), soft404_probe=True) == (Status.BROKEN, ("http_4xx",))


def test_a_404_stays_broken_where_the_site_answers_missing_paths_otherwise_or_is_not_asked():
    """Missing paths answered 200 (a catch-all home page): this address's 404 is meant. Without
    the probe nothing tells the page from the site's not-found answer."""
    with LoopbackServer({"/o1": respond(404, ITEM, HTML)}, fallback=respond(200, _template("<h1>หน้าแรก</h1>"), HTML)) as srv:
        assert verdict(srv.url("/o1"), soft404_probe=True) == (Status.BROKEN, ("http_4xx",))
    with LoopbackServer({"/o1": respond(404, ITEM, HTML)}, fallback=respond(404, SITE_NOT_FOUND, HTML)) as srv:
        assert verdict(srv.url("/o1"), soft404_probe=False) == (Status.BROKEN, ("http_4xx",))
        assert verdict(srv.url("/o1"), soft404_probe=True)[0] is Status.WARNING


# A home page's long news list, as n-grams go: 5,000 characters, nearly every run of five its own
_LETTERS = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮะาิีึืุูเแโใไ"
NEWS = "".join(f"<p>{''.join(random.Random(k).choices(_LETTERS, k=50))}</p>" for k in range(100))
HEADLINES = (  # each with more than OWN_TEXT_NGRAMS n-grams the other lacks
    ("<p>ข่าวเด่น: โครงการปลูกต้นไม้เฉลิมพระเกียรติ ณ สวนสาธารณะหนองดอก ร่วมกับโรงเรียนในเขตเทศบาลและอาสาสมัคร"
     "พิทักษ์ทรัพยากรธรรมชาติ มีประชาชนเข้าร่วมกว่าสามร้อยคน ปลูกต้นยางนาและต้นประดู่รอบอ่างเก็บน้ำ เพื่อเพิ่มพื้นที่สีเขียว"
     "ให้แก่ชุมชน และส่งเสริมการท่องเที่ยวเชิงนิเวศของตำบล</p>"),
    ("<p>ข่าวเด่น: การแข่งขันกีฬาต้านยาเสพติด ณ สนามกีฬากลาง ชิงถ้วยนายกเทศมนตรีบ้านแป้น ทีมฟุตบอลเยาวชนจาก"
     "สิบสองหมู่บ้านลงแข่งขันตลอดสัปดาห์ ผู้ชนะได้รับทุนการศึกษาและอุปกรณ์กีฬา พร้อมกิจกรรมให้ความรู้เรื่องโทษของยาเสพติด"
     "แก่ผู้ปกครองและนักเรียนในพื้นที่</p>"),
)
# A footer widget's fatal error after the page was written: PHP sends 500, the browser shows the page.
ITEM_DIED_IN_FOOTER = ITEM.replace(b"</main>", "</main><footer>ผู้เข้าชม: ".encode())
NOT_FOUND_DIED_IN_FOOTER = SITE_NOT_FOUND.replace(b"</main>", "</main><footer>ผู้เข้าชม: ".encode())


@pytest.mark.parametrize("missing", [
    respond(404, SITE_NOT_FOUND, HTML), respond(200, _template("<h1>หน้าแรก</h1>"), HTML),
    # the widget is on every page, the site's not-found page too: every path is sent with 500
    # (was "broken, the site is down" on every row of the agency)
    respond(500, NOT_FOUND_DIED_IN_FOOTER, HTML),
])
def test_a_page_its_site_sends_with_500_is_a_warning_with_its_years(missing):
    """"Broken, the site is down" was false: the assessor's browser shows the item."""
    with LoopbackServer({"/o1": respond(500, ITEM_DIED_IN_FOOTER, HTML)}, fallback=missing) as srv:
        r = check(srv.url("/o1"), soft404_probe=True)
        assert (r.status, r.reasons, r.years, r.http_status) == (Status.WARNING, ("page_sent_with_500",), (2566,), 500)


@pytest.mark.parametrize("page, missing", [
    (_template("<h1>เกิดข้อผิดพลาด</h1><p>ระบบไม่สามารถแสดงหน้านี้ได้ในขณะนี้ กรุณาลองใหม่ภายหลัง</p>"),
     respond(404, SITE_NOT_FOUND, HTML)),  # the site's own error page
    (_template(""), respond(404, SITE_NOT_FOUND, HTML)),  # died before the content: its template alone
    (_template(""), respond(500, NOT_FOUND_DIED_IN_FOOTER, HTML)),  # so, where every path is sent with 500
    (SITE_NOT_FOUND, respond(500, NOT_FOUND_DIED_IN_FOOTER, HTML)),  # the not-found page itself
    (ITEM_DIED_IN_FOOTER, respond(500, ITEM_DIED_IN_FOOTER, HTML)),  # every path fails: the site is down
    # the home page any path shows, its news list drawn anew for each request, sent with 500 here
    (_template(NEWS + HEADLINES[0]), respond(200, _template(NEWS + HEADLINES[1]), HTML)),
])
def test_a_500_that_shows_an_error_a_template_or_what_every_path_shows_stays_broken(page, missing):
    with LoopbackServer({"/o1": respond(500, page, HTML)}, fallback=missing) as srv:
        assert verdict(srv.url("/o1"), soft404_probe=True) == (Status.BROKEN, ("http_5xx",))
        assert verdict(srv.url("/o1"), soft404_probe=False) == (Status.BROKEN, ("http_5xx",))


# ---------------------------------------------------------------- pages of the site shown in frames
LIST_2566 = _template("<h2>รายการเอกสาร</h2><ul><li>แผนการดำเนินงานประจำปีงบประมาณ พ.ศ. 2566</li>"
                      "<li>รายงานการกำกับติดตาม รอบ 6 เดือน</li></ul>")
FRAMES = replace(SETTINGS, allow_private=("127.0.0.0/8",))


def _framing(frames: str) -> bytes:
    return f"<html><head><title>O7 แผนดำเนินงานประจำปี</title></head><body><h1>O7 แผนดำเนินงานประจำปี</h1>{frames}</body></html>".encode()


@pytest.mark.parametrize("frames", [
    '<iframe src="/module/list.php?cat=7" width="100%" height="600"></iframe>',  # a CMS module's list
    '<frameset cols="20%,80%"><frame src="menu.html" name="menu"><frame src=\'/module/list.php?cat=7\'></frameset>',
])
def test_a_list_the_page_shows_in_a_frame_of_its_site_gives_the_years(frames):
    """The page's own text is a heading; its list, with the year, is another page of the site in
    a frame. Read by its own text alone it was "no 2566", a false warning."""
    routes = {"/ita/o7": respond(200, _framing(frames), HTML), "/module/list.php": respond(200, LIST_2566, HTML),
              "/ita/menu.html": respond(200, _template("<p>เมนู</p>"), HTML)}
    with LoopbackServer(routes) as srv, Checker(FRAMES) as checker:
        r = checker.check(srv.url("/ita/o7"))
        assert (r.status, r.years) == (Status.OK, (2566,)), r.detail
        assert srv.requests_to("/module/list.php?cat=7")


def test_frames_of_other_sites_and_frames_that_show_no_page_of_their_own_give_no_years():
    """A calendar on another host shows today's date (its 2566 is no item's); a frame whose
    address is wrong gets the site's not-found page or its home page, whose news shows 2566."""
    calendar = _template("<p>วันพุธที่ 2 ธันวาคม 2566 ปฏิทินกิจกรรม</p>")
    with LoopbackServer({"/today": respond(200, calendar, HTML)}, host="127.0.0.2") as other:
        frames = (f'<iframe src="{other.url("/today")}"></iframe><iframe src="/module/gone.php"></iframe>'
                  '<iframe src="/index.php"></iframe>')
        routes = {"/ita/o7": respond(200, _framing(frames), HTML), "/index.php": respond(200, LIST_2566, HTML),
                  "/module/gone.php": respond(200, _template("<h1>ไม่พบหน้าที่ท่านต้องการ 2566</h1>"), HTML)}
        with LoopbackServer(routes) as srv, Checker(FRAMES) as checker:
            r = checker.check(srv.url("/ita/o7"))
            assert (r.status, r.years) == (Status.OK, ()), r.detail
            assert other.log == [] and srv.requests_to("/module/gone.php")


def test_e_gps_announcements_in_a_frame_are_a_look_by_hand_not_no_2566():
    """An O20 page is often a heading and the agency's announcements from e-GP (the Comptroller
    General's procurement system) in a frame: the list, with its 2566 dates, is not read here,
    and the page read alone was "ไม่พบปี 2566". A calendar of another site stays ignored (above)."""
    egp = ('<iframe src="http://process3.gprocurement.go.th/egp2procmainWeb/jsp/procsearch.sch?servlet=gojsp'
           '&proc_id=ShowHTMLFile&deptId=6510101" width="100%" height="800"></iframe>')
    page = _framing(egp).replace("O7 แผนดำเนินงานประจำปี".encode(), "O20 ประกาศจัดซื้อจัดจ้าง".encode())
    with LoopbackServer({"/ita/o20": respond(200, page, HTML)}) as srv, Checker(FRAMES) as checker:
        r = checker.check(srv.url("/ita/o20"))
        assert (r.status, r.reasons, r.years) == (Status.OK, ("unverifiable_content",), None), r.detail
        page_2565 = page.replace("O20 ประกาศจัดซื้อจัดจ้าง".encode(), "O20 ประกาศจัดซื้อจัดจ้าง ปี 2565".encode())
        srv.route("/ita/o20-2565", respond(200, page_2565, HTML))
        assert checker.check(srv.url("/ita/o20-2565")).years == (2565,)  # its own year is judged


# ---------------------------------------------------------------- a site that answers nothing
def test_a_site_that_answers_none_of_its_first_requests_is_not_asked_for_the_rest():
    """A dead site's URLs each waited out the deadline, four at a time: 12 of them held the run
    for three rounds (43 for eleven, minutes of everyone's feedback). After SILENT_LIMIT requests
    without an answer, the rest are `site_not_answering` (unknown: not asked, never "broken")."""
    from sheets_sync.check.dispatch import SILENT_LIMIT

    with LoopbackServer(fallback=slow(2.0)) as srv:
        urls = [srv.url(f"/o{n}") for n in range(1, 13)]
        settings = replace(SETTINGS, connect_timeout_s=0.5, total_timeout_s=1.0, read_timeout_s=1.0, per_host=4)
        with Checker(settings) as checker:
            results = checker.check_many(urls)
        asked = len(srv.log)
    timed_out = [u for u in urls if results[u].reasons == ("timeout",)]
    skipped = [u for u in urls if results[u].reasons == ("site_not_answering",)]
    assert SILENT_LIMIT <= asked < len(urls) and len(timed_out) == asked and len(skipped) == len(urls) - asked
    assert all(results[u].status is Status.UNKNOWN for u in skipped)


def test_a_site_that_sends_headers_then_drips_its_pages_is_not_asked_for_the_rest():
    """An agency's site answered 200 and then sent a byte a second, on all 43 items: each URL held
    its slot to the deadline, and every other agency's feedback waited five and a half minutes.
    A timeout after the headers is no answer either."""
    from sheets_sync.check.dispatch import SILENT_LIMIT

    with LoopbackServer(fallback=drip(0.2, 100)) as srv:
        urls = [srv.url(f"/o{n}") for n in range(1, 13)]
        settings = replace(SETTINGS, connect_timeout_s=0.5, total_timeout_s=1.0, read_timeout_s=1.0, per_host=4)
        with Checker(settings) as checker:
            results = checker.check_many(urls)
        asked = len(srv.log)
    skipped = [u for u in urls if results[u].reasons == ("site_not_answering",)]
    assert SILENT_LIMIT <= asked < len(urls) and len(skipped) == len(urls) - asked
    assert all(results[u].reasons == ("timeout",) for u in urls if u not in skipped)


def test_a_site_that_refuses_connections_is_asked_for_every_url():
    """A refused connection fails at once: asking again costs nothing, and each URL gets its own
    verdict (`connect_error`), not a "not asked"."""
    url = f"http://127.0.0.1:{closed_port()}"
    with Checker(replace(SETTINGS, per_host=2)) as checker:
        results = checker.check_many([f"{url}/o{n}" for n in range(1, 9)])
    assert {r.reasons for r in results.values()} == {("connect_error",)}


def test_a_site_that_answered_once_is_asked_for_every_url():
    """False-positive guard: a site whose first page answers and whose others are slow is a site
    that works; each of its URLs gets its own verdict."""
    with LoopbackServer({"/o1": respond(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})},
                        fallback=slow(2.0)) as srv:
        urls = [srv.url(f"/o{n}") for n in range(1, 8)]
        with Checker(replace(SETTINGS, total_timeout_s=1.0, read_timeout_s=1.0, per_host=2)) as checker:
            results = checker.check_many(urls)
        assert len(srv.log) == len(urls)
    assert results[urls[0]].status is Status.OK
    assert all(results[u].reasons == ("timeout",) for u in urls[1:])


def _rich_template(middle: str) -> bytes:
    """A page of a site whose template (sixty menu entries of distinct words) dwarfs any item's text."""
    rng = random.Random(66)
    letters = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮะาิีึืุูเแโใไ"
    menu = "".join(f'<li><a href="/m{k}">{"".join(rng.choice(letters) for _ in range(30))}</a></li>' for k in range(60))
    return (f'<html><head><meta charset="utf-8"><title>เทศบาลตำบลเวียงยอง</title></head><body><ul>{menu}</ul>'
            f'<div>{middle}</div><p>ที่อยู่ 123 หมู่ 4 ตำบลเวียงยอง อำเภอเมืองลำพูน จังหวัดลำพูน</p></body></html>').encode()


def test_a_short_item_page_that_links_its_file_is_no_soft_404():
    """A heading and "ดาวน์โหลด" to its PDF inside a large template, on a site whose missing paths
    answer 200 with "ไม่พบหน้า": nearly the same text as that answer, and under OWN_NGRAMS of its
    own, but a not-found answer links no file of its own (a false "broken" before)."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {"/o10": respond(200, _rich_template('<h3>O10</h3><a href="/f/o10.pdf">ดาวน์โหลด</a>'), html),
              "/o10-gone": respond(200, _rich_template("<h3></h3>"), html),  # a deleted item: the template alone
              "/f/o10.pdf": respond(200, make_pdf(["Policy", "B.E. 2566"]), PDF)}
    with LoopbackServer(routes, fallback=respond(200, _rich_template("<h3>ขออภัย ไม่พบหน้าที่คุณต้องการ</h3>"),
                                                 html)) as srv:
        assert verdict(srv.url("/o10"), soft404_probe=True) == (Status.OK, ())
        assert verdict(srv.url("/o10-gone"), soft404_probe=True) == (Status.BROKEN, ("soft_404",))
        assert verdict(srv.url("/no-such-page"), soft404_probe=True) == (Status.BROKEN, ("soft_404",))


# ---------------------------------------------------------------- addresses of a site's back office
LOGIN = ('<html><head><title>Log In ‹ เทศบาลตำบลบ้านแป้น — WordPress</title></head><body><form method="post" '
         'action="/wp-login.php"><input name="log"><input type="password" name="pwd"><input type="submit"></form>'
         '</body></html>').encode()


@pytest.fixture(scope="module")
def office():
    routes = {"/wp-admin/post.php": redirect("/wp-login.php?redirect_to=%2Fwp-admin%2Fpost.php&reauth=1"),
              "/wp-login.php": respond(200, LOGIN, HTML), "/index.php": respond(200, LOGIN, HTML),
              "/member/login": respond(200, LOGIN, HTML), "/admin/report": respond(401, b"Unauthorized", HTML),
              "/private/report": respond(401, b"Unauthorized", HTML),
              "/ita/o1-draft": redirect("/wp-login.php?redirect_to=%2Fita%2Fo1-draft"),
              "/admin/uploads/o1.html": respond(200, PAGE, HTML)}
    with LoopbackServer(routes) as srv:
        yield srv


@pytest.mark.parametrize("path", ["/wp-admin/post.php?post=12&action=edit", "/index.php?option=com_content&task=article.edit&id=5",
                                  "/admin/report"])
def test_an_editors_address_copied_from_the_back_office_is_told_apart_from_a_sign_in_wall(office, path):
    # The agency's staff, signed in, see the page; the advice is to copy the public page's address.
    assert verdict(office.url(path)) == (Status.BROKEN, ("admin_page",))


@pytest.mark.parametrize("path, expected", [
    ("/member/login", (Status.BROKEN, ("login_required",))),
    # a public address whose post is private: the advice is to publish it, not to copy another address
    ("/ita/o1-draft", (Status.BROKEN, ("login_required",))),
    ("/private/report", (Status.BROKEN, ("login_required",))),  # HTTP authentication: a sign-in, not "not found"
    ("/admin/uploads/o1.html", (Status.OK, ())),  # a public file in the admin folder of a site's own CMS
])
def test_other_sign_in_walls_and_public_pages_under_admin_keep_their_verdicts(office, path, expected):
    assert verdict(office.url(path)) == expected


# ---------------------------------------------------------------- a file sent as a web page
@pytest.mark.parametrize("headers, expected", [
    # a download script that forgot its header: PHP's default, which browsers never sniff
    ({"Content-Type": "text/html; charset=UTF-8"}, (Status.BROKEN, ("file_sent_as_page",))),
    ({"Content-Type": "text/html", "Content-Disposition": 'attachment; filename="o1.pdf"'}, (Status.OK, ())),  # downloaded
    ({"Content-Type": "application/octet-stream"}, (Status.OK, ())),  # downloaded, then opened
    ({"Content-Type": "application/pdf"}, (Status.OK, ())),
])
def test_a_pdf_a_browser_would_show_as_gibberish_is_broken_whatever_it_holds(headers, expected):
    body = make_pdf(["Organisation structure", "Fiscal year B.E. 2566"])
    with LoopbackServer({"/download.php": respond(200, body, headers)}) as srv:
        assert verdict(srv.url("/download.php?id=7")) == expected


# ---------------------------------------------------------------- single sign-on walls
def _sso_page(title: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            "<p>กรุณาลงชื่อเข้าใช้งานด้วยบัญชีผู้ใช้ของหน่วยงาน</p><a href='/oauth/start'>เข้าสู่ระบบด้วย ThaID</a>"
            "<footer>© 2566 เทศบาลตำบลบ้านธิ</footer></body></html>").encode()


@pytest.mark.parametrize("sign_in", ["/login.php?returnUrl=/o10", "/Account/Login?ReturnUrl=%2Fo10",
                                     "/cas/login?service=http%3A%2F%2Fa.go.th%2Fo10"])
def test_an_item_sent_on_to_a_single_sign_on_page_is_a_sign_in_wall(sign_in):
    # The sign-in page offers an SSO or ThaID button, no password field: it was read as the
    # item's page and passed as ok by its footer's 2566.
    html = {"Content-Type": "text/html; charset=utf-8"}
    with LoopbackServer({"/o10": redirect(sign_in), sign_in.split("?")[0]: respond(200, _sso_page("ลงชื่อเข้าใช้ Single Sign-On"), html),
                         "/o11": redirect("/news.php?next=2"), "/news.php": respond(200, PAGE, html),
                         "/login-guide": respond(200, _sso_page("คู่มือการเข้าสู่ระบบ"), html)}) as srv:
        assert verdict(srv.url("/o10")) == (Status.BROKEN, ("login_required",))
        # guards: a redirect to a page that is no sign-in, and a page about signing in linked as
        # itself, stay pages
        assert check(srv.url("/o11")).status is Status.OK
        result = check(srv.url("/login-guide"))
        assert (result.status, result.reasons) == (Status.OK, ())


# ---------------------------------------------------------------- 405 and 501: a method the browser uses
def _by_method(answers: dict, other) -> "object":
    """Answers each method as `answers` says (`other` for the rest), recording the methods asked."""
    seen: list[str] = []

    def run(h) -> None:
        seen.append(h.command)
        answers.get(h.command, other)(h)
    run.seen = seen
    return run


def test_a_page_a_browser_gets_is_judged_by_the_get_a_browser_sends():
    # IIS or a WAF that allows GET alone (405 with Allow: GET to HEAD, POST or OPTIONS, 501 to a
    # method it does not know): the checker asks with GET only, as a browser does, so such a
    # server's answers to other methods never make the page "broken".
    html = {"Content-Type": "text/html; charset=utf-8"}
    get_only = _by_method({"GET": respond(200, PAGE, html)}, respond(405, b"Method Not Allowed", {"Allow": "GET"}))
    unknown = _by_method({"GET": respond(200, PAGE, html)}, respond(501, b"Not Implemented"))
    # ... and where the browser's own GET is refused, the page does not open for the assessor either
    no_get = _by_method({"POST": respond(200, PAGE, html)},
                        respond(405, b"<h1>405 Method Not Allowed</h1>", {"Allow": "POST", **html}))
    no_get_501 = _by_method({}, respond(501, b"<h1>501 Not Implemented</h1>", html))
    with LoopbackServer({"/o1": get_only, "/o2": unknown, "/o3": no_get, "/o4": no_get_501}) as srv:
        first, second = check(srv.url("/o1")), check(srv.url("/o2"))
        assert (first.status, first.years) == (second.status, second.years) == (Status.OK, (2566,))
        assert verdict(srv.url("/o3")) == (Status.BROKEN, ("http_4xx",))
        assert verdict(srv.url("/o4")) == (Status.BROKEN, ("http_5xx",))
    assert set(get_only.seen + unknown.seen + no_get.seen + no_get_501.seen) == {"GET"}
