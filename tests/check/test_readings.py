"""check_candidates and chosen with the real checker on loopback: the other reading of a cell
is requested only when the first one answered broken, and judged only when it opens."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from sheets_sync.check import readings
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import parse_cell
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, closed_port, respond

SETTINGS = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=0,
                   soft404_probe=False, allow_private=("127.0.0.1/32",))
PAGE = "<html><head><title>O1</title></head><body><p>แผนการดำเนินงาน ประจำปี 2566</p></body></html>".encode()
SPACED = "/files/%E0%B9%81%E0%B8%9C%E0%B8%99%20%E0%B8%9B%E0%B8%B5%2066.pdf"  # /files/แผน ปี 66.pdf
LABELLED = "/oit/o4%20%E0%B8%82%E0%B9%89%E0%B8%AD%204/2566"  # /oit/o4 ข้อ 4/2566


def run(texts):
    candidates = [c for t in texts for c in parse_cell(t)]
    with Checker(SETTINGS) as checker:
        results = readings.check_candidates(checker, candidates)
    return candidates, results


def test_an_opening_first_reading_costs_no_second_request():
    with LoopbackServer({"/o1": respond(200, PAGE)}) as srv:
        (cand,), results = run([srv.url("/o1") + " (ข้อมูลปี 2566)"])
        assert [s.path for s in srv.log] == ["/o1"]
    assert readings.chosen(cand, results) is cand and results[cand.url].status is Status.OK


def test_a_broken_first_reading_tries_the_other_and_keeps_the_one_that_opens():
    with LoopbackServer({"/oit/o4": respond(200, PAGE)}) as srv:
        (cand,), results = run([srv.url("/oit/o4 ข้อ 4/2566")])  # joined first (a "/"), but it is a label
        assert [s.path for s in srv.log] == [LABELLED, "/oit/o4"]
    assert results[cand.url].status is Status.BROKEN
    picked = readings.chosen(cand, results)
    assert picked is cand.alternatives[0] and results[picked.url].status is Status.OK


def test_a_spaced_file_name_has_no_second_reading_to_fall_back_on():
    # false-positive guard: "…/แผน ปี 66.pdf" missing must not become ok through a page at "…/แผน"
    with LoopbackServer({"/files/%E0%B9%81%E0%B8%9C%E0%B8%99": respond(200, PAGE)}) as srv:
        (cand,), results = run([srv.url("/files/แผน ปี 66.pdf")])
        assert [s.path for s in srv.log] == [SPACED]
    assert readings.chosen(cand, results) is cand and results[cand.url].status is Status.BROKEN


def test_a_site_that_does_not_answer_is_not_asked_again():
    url = f"http://127.0.0.1:{closed_port()}/oit/o4 ข้อ 4/2566"
    (cand,), results = run([url])
    assert results[cand.url].reasons == ("connect_error",)
    assert set(results) == {cand.url}  # the other reading has the same host: not requested
    assert readings.chosen(cand, results) is cand


def test_an_alternative_that_does_not_open_is_not_chosen():
    with LoopbackServer({LABELLED: respond(500)}) as srv:  # and a 404 for the other reading
        (cand,), results = run([srv.url("/oit/o4 ข้อ 4/2566")])
        assert [s.path for s in srv.log] == [LABELLED, "/oit/o4"]
    assert readings.chosen(cand, results) is cand  # both broken: the likelier reading speaks


def test_a_thai_label_glued_to_the_url_is_read_off_it():
    """No space between the URL and its label: "…/o19.pdfข้อมูลปี2566" means the PDF, and
    "…/oit/o1ข้อมูลโครงสร้าง" the page when the glued reading does not open. Read as typed, both
    were a false "broken"."""
    pdf_file = respond(200, make_pdf(["Procurement plan, fiscal year 2566"]), {"Content-Type": "application/pdf"})
    with LoopbackServer({"/o19.pdf": pdf_file, "/oit/o1": respond(200, PAGE)}) as srv:
        (pdf, page), results = run([srv.url("/o19.pdfข้อมูลปี2566"), srv.url("/oit/o1ข้อมูลโครงสร้าง")])
        assert pdf.url == srv.url("/o19.pdf") and results[pdf.url].status is Status.OK  # no second request
        assert readings.chosen(page, results).url == srv.url("/oit/o1")
        assert results[readings.chosen(page, results).url].status is Status.OK
        assert [s.path for s in srv.log].count("/o19.pdf") == 1


def _joomla(h) -> None:
    """index.php as Joomla reads its query: the article with view and id, its home page without."""
    query = parse_qs(urlsplit(h.path).query)
    if query.get("view") == ["article"] and query.get("id") == ["12"]:
        respond(200, PAGE)(h)
    else:
        respond(404, b"<html><body><h1>404 Article not found</h1></body></html>", {"Content-Type": "text/html"})(h)


def test_a_link_copied_from_html_source_is_checked_as_typed_then_fixed_and_says_to_fix_it():
    """"&amp;" pasted from a page's source or an e-mail: the browser sends it as typed, so the
    site reads "amp;view" and shows no article. The row must say so, whichever reading opens."""
    typed = "/index.php?option=com_content&amp;view=article&amp;id=12"
    with LoopbackServer({"/index.php": _joomla}) as srv:
        (cand,), results = run([srv.url(typed)])
        assert [s.path for s in srv.log] == [typed, "/index.php?option=com_content&view=article&id=12"]
    picked = readings.chosen(cand, results)
    assert picked is cand.alternatives[0] and results[picked.url].status is Status.OK
    assert judge_candidate(picked, results[picked.url])[:2] == (Status.WARNING, ("escaped_ampersand",))
    assert judge_candidate(cand, results[cand.url])[0] is Status.BROKEN


def test_an_ampersand_typed_plainly_or_escaped_only_in_the_fragment_is_no_warning():
    with LoopbackServer({"/index.php": _joomla}) as srv:
        plain, fragment = srv.url("/index.php?option=com_content&view=article&id=12"), srv.url("/oit#a&amp;b")
        (a, b), results = run([plain, fragment])
        assert len(srv.log) == 2 and not a.alternatives and not b.alternatives
    assert judge_candidate(a, results[a.url])[:2] == (Status.OK, ())
    assert "escaped_ampersand" not in b.reasons
