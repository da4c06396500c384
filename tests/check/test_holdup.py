"""One hostile page must never hold up everyone else's feedback.

A page's markup is read on the checker's event loop: a pattern that scans the rest of a page
from each of thousands of starts (a "<" with no ">" after it, a tag or a link never closed)
costs time squared in the page's length, and while it runs no other check moves. 500 KB of
"x < y" in a <pre> held the loop for 46 s, and the other agencies' pages checked beside it came
back `timeout` (broken). Each page below is such a shape; the pages checked with it must keep
their verdicts. No wall-clock threshold is asserted: a linear read takes milliseconds, a squared
one (the bug) far longer than the other pages' deadline, so their verdicts tell the two apart.
Real Checker, real loopback servers; names reach them only through --resolve."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond, slow

HTML = {"Content-Type": "text/html; charset=utf-8"}
HEAD = ("<html><head><meta charset='utf-8'><title>O19</title></head><body>"
        "<h1>แผนการจัดซื้อจัดจ้าง</h1>")
GOOD = ("<html><head><meta charset='utf-8'><title>O19</title></head><body><h1>แผนการจัดซื้อจัดจ้าง</h1>"
        "<p>แผนการจัดซื้อจัดจ้าง ประจำปีงบประมาณ พ.ศ. 2566 ขององค์การบริหารส่วนตำบล</p></body></html>").encode()
GOOD_HOSTS = ("good0.go.th", "good1.go.th", "good2.go.th")


def repeated(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


# name: (the page, how many URLs serve it). Each is sized so that a squared read of it holds the
# loop for half a minute or more (measured on the code before the fix), a linear one milliseconds.
# A shape read only within a page's first 16 or 64 KB costs seconds a page: a site's many item
# pages add up, so several URLs serve it.
SHAPES = {
    # the tester's page: a formula in a <pre>, "<" and never a ">" (template.text_of)
    "less-than-in-text": (HEAD + "<pre>" + repeated("x < y ", 600_000), 1),
    "runs-of-less-than": (HEAD + repeated("<<<<<<<<<<a", 300_000), 1),
    "tags-left-open": (HEAD + repeated("<div a=b ", 750_000), 1),
    "links-never-closed": (HEAD + repeated("<a href='/files/o19.pdf'>แผน ปี 2566 ", 300_000), 1),
    "link-starts": (HEAD + repeated("<a href='", 700_000), 1),
    "titles-never-closed": (repeated("<title>x", 250_000), 1),
    "headings-left-open": (HEAD + repeated("<h1 ", 350_000), 1),
    "inline-tags-left-open": (HEAD + repeated("2<b ", 350_000), 1),
    "password-inputs-left-open": (HEAD + "<form>" + repeated("<input ", 250_000), 1),
    "meta-tags-left-open": (repeated("<meta ", 400_000), 1),
    "script-tags-left-open": (repeated("<script ", 250_000), 1),
    "frames-left-open": (HEAD + repeated("<iframe src='", 150_000), 1),
    "images-left-open": (HEAD + repeated("<img src='/a.jpg' ", 250_000), 1),
    "options-left-open": (HEAD + "<select>" + repeated("<option selected ", 400_000), 1),
    "postback-links-left-open": (HEAD + "__doPostBack" + repeated("<a ", 80_000), 1),
    "viewer-marks": (HEAD + "<div " + repeated("_df_ ", 80_000), 1),
    # html.parser, given a page whose own links are read (check/linked.py), looked for the end
    # of each tag left open from every "<" after it
    "parsed-tags-left-open": (HEAD + "<p><a href='/files/o19.pdf'>ดาวน์โหลด</a></p>" + repeated("<a/b ", 70_000), 1),
    # read within the first 16 KB (documents.base_url, meta_refresh) or 64 KB (script_redirect)
    "base-tags-left-open": ("<iframe src='/files/o19.pdf'></iframe>" + repeated("<base ", 16_000), 20),
    "refresh-tags-left-open": (repeated("<meta http-equiv=refresh ", 16_000), 16),
    "onload-left-open": (repeated("<body ", 60_000) + "location", 8),
    # a "no data yet" notice above a menu whose items are left open (valid HTML): the template's
    # parts named by class (placeholder.py, template.without_named_parts) were each looked for
    # their end to the page's end
    "named-parts-left-open": (HEAD + "<p>อยู่ระหว่างจัดทำข้อมูล</p><ul>" + repeated("<li class='menu-item'>เมนู ", 300_000),
                              1),
}


def _settings(hosts):
    return replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=6, total_timeout_s=8, retries=0,
                   soft404_probe=False, allow_private=("127.0.0.1/32",),
                   resolve=tuple(f"{h}:127.0.0.1" for h in hosts))


def _check_beside(bad_routes: dict, good_route, good_path: str):
    """The bad routes' URLs (one host each) and GOOD_HOSTS' `good_path` checked in one run:
    (results of the bad URLs, results of the good ones)."""
    bad_hosts = [f"bad{i}.go.th" for i in range(len(bad_routes))]
    with LoopbackServer({**bad_routes, good_path: good_route}) as srv, \
            Checker(_settings([*bad_hosts, *GOOD_HOSTS]), pdf_years=((2566,),)) as checker:
        bad = [f"http://{h}:{srv.port}{path}" for h, path in zip(bad_hosts, bad_routes)]
        good = [f"http://{h}:{srv.port}{good_path}" for h in GOOD_HOSTS]
        results = checker.check_many([*bad, *good])
    return [results[u] for u in bad], [results[u] for u in good]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_hostile_page_holds_up_no_other_check(shape):
    page, copies = SHAPES[shape]
    # The good pages answer a moment later, so they are in flight while the hostile page is read.
    bad, good = _check_beside({f"/bad{i}": respond(200, page.encode(), HTML) for i in range(copies)},
                              slow(0.3, respond(200, GOOD, HTML)), "/o19")
    for r in good:
        assert (r.status, r.reasons) == (Status.OK, ()) and 2566 in r.years, r
    for r in bad:
        assert "timeout" not in r.reasons, r  # read at once, whatever its verdict


def test_an_office_file_left_open_holds_up_no_pdf():
    """An office file's XML is read in the PDF helper, which every site's PDFs wait for in turn:
    a Word file whose text holds "<" and never ">" (office._TAG) must not hold them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>" + repeated("x < y ", 400_000))
    docx = {"Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    pdf = make_pdf(["Procurement plan, fiscal year 2566"])
    bad, good = _check_beside({"/o19.docx": respond(200, buf.getvalue(), docx)},
                              slow(0.3, respond(200, pdf, {"Content-Type": "application/pdf"})), "/o19.pdf")
    for r in good:
        assert (r.status, r.reasons) == (Status.OK, ()) and 2566 in r.years, r
    assert "timeout" not in bad[0].reasons, bad[0]


def test_text_of_reads_a_less_than_sign_as_text_as_a_browser_does():
    """A "<" before a space or a digit is text in a browser; one before a letter opens a tag, which
    runs to its ">", or to the end when left open there (a browser drops it)."""
    from sheets_sync.check.template import text_of

    assert text_of("<pre>x < y ปี 2566 <5 x <y z") == "x < y ปี 2566 <5 x"
    assert text_of("<p>แผน</p><!-- 2565 --><b>ปี 2566</b></ p>") == "แผน ปี 2566"
