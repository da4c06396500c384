"""A page whose named character set is not its bytes' (sheets_sync.check.charsets): the
assessor's browser shows its Thai as gibberish, so the page is a warning, never a silent "ok"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check import charsets
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.http_servers import LoopbackServer, respond

PAGE = ("<html><head><title>O10 แผนการดำเนินงาน</title>{meta}</head><body><h1>แผนการดำเนินงาน</h1><p>"
        + "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. {year} รายละเอียดโครงการพัฒนาตำบล " * 8 + "</p></body></html>")
TIS_META = "<meta http-equiv='Content-Type' content='text/html; charset=windows-874'>"


def page(codec: str, meta: str = "", year: int = 2566) -> bytes:
    return PAGE.format(meta=meta, year=year).encode(codec)


SITE = {
    # an old TIS-620 page on a server that names UTF-8 for every page (AddDefaultCharset UTF-8)
    "/tis-named-utf8": (page("tis-620", TIS_META), "text/html; charset=UTF-8"),
    "/utf8-named-tis": (page("utf-8", "<meta charset='utf-8'>"), "text/html; charset=TIS-620"),
    "/utf8-meta-tis": (page("utf-8", TIS_META), "text/html"),  # no charset in the header: the <meta> rules
    "/utf8-named-latin1": (page("utf-8"), "text/html; charset=ISO-8859-1"),
    "/old-tis-named-utf8": (page("tis-620", year=2564), "text/html; charset=utf-8"),
    # what a browser reads right
    "/tis-meta": (page("tis-620", TIS_META), "text/html"),
    "/tis-undeclared": (page("tis-620"), "text/html"),  # nothing names a set: the browser guesses Thai
    "/utf8": (page("utf-8"), "text/html; charset=utf-8"),
    "/bom-named-latin1": (b"\xef\xbb\xbf" + page("utf-8"), "text/html; charset=ISO-8859-1"),  # the mark wins
}


@pytest.fixture(scope="module")
def server():
    routes = {path: respond(200, body, {"Content-Type": ctype}) for path, (body, ctype) in SITE.items()}
    with LoopbackServer(routes, fallback=respond(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})) as srv:
        yield srv


@pytest.fixture(scope="module")
def checker():
    settings = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=0,
                       soft404_probe=False, allow_private=("127.0.0.1/32",))
    with Checker(settings, pdf_years=((2566,),)) as c:
        yield c


def verdict(checker, url: str):
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), checker.check(url), YearRule((2566,)))


@pytest.mark.parametrize("path", ["/tis-named-utf8", "/utf8-named-tis", "/utf8-meta-tis", "/utf8-named-latin1"])
def test_a_page_whose_named_set_is_not_its_bytes_is_a_warning_not_ok(server, checker, path):
    assert verdict(checker, server.url(path)) == (Status.WARNING, ("garbled_text",))


def test_gibberish_is_told_beside_the_year_the_page_is_read_for(server, checker):
    # its bytes are read in their own set all the same: the year rule still sees "2564"
    assert verdict(checker, server.url("/old-tis-named-utf8")) == (Status.WARNING, ("garbled_text", "no_fiscal_year"))


@pytest.mark.parametrize("path", ["/tis-meta", "/tis-undeclared", "/utf8", "/bom-named-latin1"])
def test_a_page_a_browser_reads_in_its_own_set_is_ok(server, checker, path):
    assert verdict(checker, server.url(path)) == (Status.OK, ())


@pytest.mark.parametrize("body, ctype, expected", [
    # one non-Thai character in a page served as ISO-8859-1: one wrong character, not gibberish
    ("<p>© เทศบาล 2566 Café</p>".encode(), "text/html; charset=ISO-8859-1", False),
    # a UTF-8 page with a TIS-620 word from an old database: a few "�", neither set's page
    ((PAGE.format(meta="", year=2566)).encode() + "ลำพูน".encode("tis-620"), "text/html; charset=utf-8", False),
    # a UTF-8 body read in part, cut inside a letter, is still UTF-8
    (page("utf-8")[:-len("</p></body></html>") - 1], "text/html; charset=utf-8", False),
    (page("utf-8")[:-len("</p></body></html>") - 1], "text/html; charset=windows-874", True),
    (b"<p>plain ASCII 2566</p>", "text/html; charset=windows-874", False),
    (page("tis-620"), "text/html; charset=x-made-up", False),  # a label browsers do not know is ignored
    (page("tis-620", "<meta charset='utf-8'>"), "text/html; charset=x-made-up", True),  # ... the <meta> asked
])
def test_garbled_compares_the_named_set_with_the_bytes(body, ctype, expected):
    assert charsets.garbled(body, {"Content-Type": ctype}) is expected
