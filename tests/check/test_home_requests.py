"""The request for a site's home page (Checker._home: the template of a site whose missing paths
get the web server's bare 404, a consent wall at the item's own address, a folder's index) is a
request like every other, through the real Checker on loopback: never made when no rule needs it
(nor for an item that answers the cache's conditional GET with 304), paced per host, within the
check's deadline, through the private-address guard; asked again by a later check of the site
when one check's own deadline cut it (never by one with less time than that request had), never
when the site's own read timeout ended it; and a home page that did not answer this time (a
dropped connection, a 5xx, a timeout) leaves the item's verdict made without it unkept: its
validators are dropped, so the next run reads it whole and asks the home page again, where a 304
kept the footer's false ok for good."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from sheets_sync.check.cache import CachedChecker
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from sheets_sync.state.store import State
from tests.check.test_consent import CONSENT_ONLY
from tests.check.test_template_home import BARE, HTML, PLAN_TEXT, routes, semantic
from tests.support.http_servers import LoopbackServer, etagged, raw, redirect, respond, sequence, slow

SETTINGS = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=4, total_timeout_s=8, retries=0,
                   allow_private=("127.0.0.1/32",))


def judged(result) -> tuple:
    url = result.url
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,)))[:2]


class Waits:
    """A sleep that only records what it was asked to wait (the per-host pacing's turns)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def test_a_page_no_rule_needs_the_home_page_for_does_not_ask_for_it():
    # This year's page whose header, menus and footer show no year and that is no consent wall:
    # nothing the home page could change. Nor any page with the soft-404 probe off.
    site = routes("semantic") | {
        "/o30": respond(200, b"<html><body><header>x</header><main><h1>Plan 2566</h1>" + b"<p>text</p>" * 30
                             + b"</main></body></html>", HTML)}
    with LoopbackServer(site, fallback=BARE) as srv, Checker(SETTINGS, pdf_years=((2566,),)) as checker:
        checker.check_many([srv.url("/o30")])
        assert srv.requests_to("/") == []
    with LoopbackServer(site | {"/o20": respond(200, CONSENT_ONLY, HTML), "/": respond(200, CONSENT_ONLY, HTML)},
                        fallback=BARE) as srv, \
            Checker(replace(SETTINGS, soft404_probe=False), pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10"), srv.url("/o20")])
        assert srv.requests_to("/") == []
        # as before the probe's rules (the banner's page is told by its footer's "© 2566" alone, no request)
        assert [judged(got[srv.url(p)]) for p in ("/o10", "/o20")] == [(Status.OK, ()),
                                                                       (Status.WARNING, ("year_only_in_template",))]


def test_an_item_that_answers_the_caches_conditional_get_with_304_asks_for_no_home_page(tmp_path):
    # Its cached verdict stands (the 304); nothing is read, so no rule needs the home page.
    site = {"/": respond(200, CONSENT_ONLY, HTML),  # a wall in front of every page
            "/o20": etagged(respond(200, CONSENT_ONLY, HTML))}
    with LoopbackServer(site, fallback=BARE) as srv:
        urls = [srv.url("/o20")]

        def run():
            with State(tmp_path / "state.sqlite") as state, \
                    CachedChecker(Checker(SETTINGS, pdf_years=((2566,),)), state) as cached:
                return cached.check_many(urls, recheck=urls)

        first = run()
        assert judged(first[urls[0]]) == (Status.OK, ("consent_wall",)) and first[urls[0]].etag == '"v1"'
        assert len(srv.requests_to("/")) == 1
        second = run()
        assert judged(second[urls[0]]) == (Status.OK, ("consent_wall",))
        assert [r.headers.get("If-None-Match") for r in srv.requests_to("/o20")] == [None, '"v1"']
        assert len(srv.requests_to("/")) == 1  # the 304's run asked for no home page


def test_the_home_page_waits_its_turn_at_the_host():
    # min_host_interval_s between two requests to one host: the item, the probe, the home page.
    waits = Waits()
    with LoopbackServer(routes("semantic"), fallback=BARE) as srv, \
            Checker(replace(SETTINGS, min_host_interval_s=30.0), sleep=waits, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10")])
        assert len(srv.requests_to("/")) == 1 and len(srv.log) == 3
    assert judged(got[srv.url("/o10")]) == (Status.WARNING, ("year_only_in_template",))
    assert sum(1 for s in waits.asked if s > 0) == 2  # the probe and the home page each waited a turn


def test_a_home_page_that_leads_to_a_private_address_is_not_asked_there():
    # The root sends the checker on to an address the guard does not allow: no request goes there,
    # and the page is judged without the home page (the false ok stays, never a wrong warning).
    with LoopbackServer({"/": respond(200, b"<html><body>inside</body></html>", HTML)}, host="127.0.0.2") as inside:
        site = routes("semantic") | {"/": redirect(inside.url("/"))}
        with LoopbackServer(site, fallback=BARE) as srv, Checker(SETTINGS, pdf_years=((2566,),)) as checker:
            got = checker.check_many([srv.url("/o10"), srv.url("/o11")])
            assert len(srv.requests_to("/")) == 1
        assert inside.log == []
    assert judged(got[srv.url("/o10")]) == judged(got[srv.url("/o11")]) == (Status.OK, ())


def test_a_home_page_slower_than_the_checks_deadline_costs_only_its_rule():
    # The item's own page came: its verdict is its page's, never a timeout. The home page, which
    # would answer within the socket's read timeout but after the check's deadline, is cut there:
    # the page is judged without it (read past the deadline, it was year_only_in_template).
    settings = replace(SETTINGS, total_timeout_s=2, read_timeout_s=5)
    site = routes("semantic") | {"/": slow(3.5, routes("semantic")["/"])}
    with LoopbackServer(site, fallback=BARE) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10")])[srv.url("/o10")]
        assert len(srv.requests_to("/")) == 1
    assert judged(got) == (Status.OK, ()) and got.http_status == 200


@pytest.mark.parametrize("down", [raw(b""), respond(503, b"busy", HTML)], ids=["hung-up", "503"])
def test_a_verdict_made_without_the_home_page_that_did_not_answer_is_not_kept_by_a_304(tmp_path, down):
    # Last year's plan on a bare-404 site, its 2566 only in its header and footer. The home page
    # did not answer this run (a network hiccup, a moment's 503): the page is judged whole, ok by
    # the footer, as before the home page's rule. Kept with its ETag, every later run's 304 kept
    # that ok for good; now it is read whole again, and the home page, answering, tells the template.
    site = routes("semantic")
    home = site["/"]
    site["/o10"] = etagged(site["/o10"])
    site["/"] = down
    with LoopbackServer(site, fallback=BARE) as srv:
        url = srv.url("/o10")

        def run():
            with State(tmp_path / "state.sqlite") as state, \
                    CachedChecker(Checker(SETTINGS, pdf_years=((2566,),)), state) as cached:
                return cached.check_many([url], recheck=[url])[url]

        first = run()
        assert judged(first) == (Status.OK, ()) and first.etag is None
        srv.route("/", home)
        second = run()
        assert judged(second) == (Status.WARNING, ("year_only_in_template",))
        assert [r.headers.get("If-None-Match") for r in srv.requests_to("/o10")] == [None, None]


def test_a_home_page_cut_by_one_checks_deadline_is_asked_again_by_the_sites_next_check():
    # The site's first check spent most of its time on its own slow page, and the home page, asked
    # with the second left, was cut by that check's deadline: no answer of the site's. Kept as one,
    # every later check of the site was judged without the home page's rules for the run (last
    # year's plan ok by its banner's 2566). The next check, with time of its own, asks again.
    # One at a time, in order. The first check asks for the home page with 5 s left, which it
    # takes 5.5 s to send; the second with 8 s. (Seconds to spare either way: a loaded machine only
    # shortens the first check's time, and its page has 5 s to come.)
    settings = replace(SETTINGS, total_timeout_s=8, read_timeout_s=10, per_host=1)
    site = routes("semantic")
    site |= {"/o10-slow": slow(3.0, site["/o10"]), "/": slow(5.5, site["/"])}
    with LoopbackServer(site, fallback=BARE) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10-slow"), srv.url("/o10")])
        assert len(srv.requests_to("/")) == 2
    first, second = got[srv.url("/o10-slow")], got[srv.url("/o10")]
    assert judged(first) == (Status.OK, ()) and first.http_status == 200  # its page came, the home page not in its time
    assert judged(second) == (Status.WARNING, ("year_only_in_template",))


def test_a_check_waiting_for_a_home_page_its_asker_ran_out_of_time_for_asks_again():
    # The second check of the site asked while the first one's request was under way, and waited
    # for it: cut by the first check's deadline, that request tells it nothing, and it asks itself.
    settings = replace(SETTINGS, total_timeout_s=8, read_timeout_s=10, per_host=2)
    site = routes("semantic")
    no_year = respond(200, b"<html><body><main><p>" + b"text " * 60 + b"</p></main></body></html>", HTML)
    site |= {"/o10-slow": slow(3.5, site["/o10"]),  # asks for the home page with at most 4.5 s left
             # holds the second slot: the next check starts after the first asked, with more time
             # left when that request is cut than it had
             "/other": slow(6.0, no_year),
             "/": sequence(slow(6.0, site["/"]), site["/"])}
    with LoopbackServer(site, fallback=BARE) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10-slow"), srv.url("/other"), srv.url("/o10")])
        asked = srv.requests_to("/")
    assert len(asked) == 2 and asked[1].at > srv.requests_to("/o10")[0].at > asked[0].at
    assert judged(got[srv.url("/o10-slow")]) == (Status.OK, ())
    assert judged(got[srv.url("/o10")]) == (Status.WARNING, ("year_only_in_template",))


def test_a_home_page_slower_than_a_check_has_is_not_asked_again_with_less_time():
    # Once a request to the home page was cut with some seconds to go, a check with fewer left
    # would be cut too: it is judged without the home page (its validators dropped) at once, not
    # after another request that waits out its deadline, check after check of a site that drips.
    settings = replace(SETTINGS, total_timeout_s=6, read_timeout_s=10, per_host=1)
    site = routes("semantic")
    # The first check asks for the home page with nearly 6 s to go; the second, after its slow page, with 3.
    site |= {"/o10-slow": slow(3.0, site["/o10"]), "/": slow(8.0, site["/"])}
    with LoopbackServer(site, fallback=BARE) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10"), srv.url("/o10-slow")])
        assert len(srv.requests_to("/")) == 1
    assert judged(got[srv.url("/o10")]) == judged(got[srv.url("/o10-slow")]) == (Status.OK, ())


def dripped(body: bytes, pieces: int, interval: float):
    """`body` as a 200 page whose bytes come in `pieces`, `interval` seconds apart: a slow page
    whose every read gets a byte long before the socket's read timeout."""
    size = -(-len(body) // pieces)

    def run(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", HTML["Content-Type"])
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        for at in range(0, len(body), size):
            h.wfile.write(body[at:at + size])
            h.wfile.flush()
            time.sleep(interval)
    return run


def test_a_home_page_the_sites_own_timeout_ends_stands_for_the_run():
    # No byte of the home page within the socket's read timeout, with seconds of the check's time
    # to go: the site's own answer, not one check's lack of time. Every check of the site is
    # judged without it (its validators dropped: the next run asks again), and none asks again,
    # though a later one has more time left than that request had.
    settings = replace(SETTINGS, total_timeout_s=10, read_timeout_s=1.5, per_host=1)
    plan = semantic("แผนการดำเนินงาน", "<h2>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565</h2>" + PLAN_TEXT)
    site = routes("semantic")
    # The first check reads its page for 3 s, then asks for the home page with 7 s to go; the
    # second asks with nearly 10.
    site |= {"/o10-drip": etagged(dripped(plan, 8, 0.4)), "/o10": etagged(site["/o10"]), "/": slow(5.0, site["/"])}
    with LoopbackServer(site, fallback=BARE) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o10-drip"), srv.url("/o10")])
        assert len(srv.requests_to("/")) == 1
    for path in ("/o10-drip", "/o10"):
        assert judged(got[srv.url(path)]) == (Status.OK, ()) and got[srv.url(path)].etag is None, path
