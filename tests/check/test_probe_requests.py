"""The site's soft-404 probe and a script's sibling (Checker._probe, Checker._template_probe) are
asked once per site (script) and run, and shared by all its checks: through the real Checker on
loopback, a request one check's own deadline cut is no answer of the site's, and a later check of
the site with more time asks again. Kept as the site's answer, it judged every later page of the
site without the probe: a soft 404 passed as ok, and last year's page as ok by its template's
2566. A page judged without the probe or sibling its check asked for, which gave no answer this
time (cut by that check's deadline, a 503, a dropped connection), keeps no validators: a 304 to
them kept its false ok for good, where the next run reads it whole and asks again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check.cache import CachedChecker
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from sheets_sync.state.store import State
from tests.check.test_edge_verdicts import _rich_template
from tests.check.test_template_home import BARE, PLAN_TEXT, semantic
from tests.support.http_servers import LoopbackServer, etagged, raw, respond, slow

HTML = {"Content-Type": "text/html; charset=utf-8"}
# per_host 1: the site's checks run one at a time, in the order given
SETTINGS = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=10, total_timeout_s=4, retries=0,
                   per_host=1, allow_private=("127.0.0.1/32",))
FOOTER = "<p>ปรับปรุงข้อมูลล่าสุด 1 ตุลาคม 2566</p>"  # the template's 2566, on every page
NOT_FOUND = respond(200, _rich_template("<h3>ขออภัย ไม่พบหน้าที่คุณต้องการ</h3>" + FOOTER), HTML)  # sent with 200
GONE = respond(200, _rich_template("<h3></h3>" + FOOTER), HTML)  # a deleted item: the template alone, no not-found words


def judged(result) -> tuple:
    url = result.url
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,)))[:2]


def probes(srv: LoopbackServer) -> int:
    return sum(1 for r in srv.log if r.path.startswith("/sheets-sync-probe-"))


def test_a_probe_cut_by_one_checks_deadline_is_asked_again_by_the_sites_next_check():
    # The site's first check spent 3 of its 8 s on its own page and asked for the probe, which
    # takes 5.5 s, with 5 left: cut by that check's deadline, no answer of the site's. Kept as one,
    # every later check of the site went without the probe, and its deleted item (the template
    # alone, sent with 200) was a false ok. The next check, with time of its own, asks again.
    site = {"/o11-gone": slow(3.0, GONE), "/o10-gone": GONE}
    with LoopbackServer(site, fallback=slow(5.5, NOT_FOUND)) as srv, \
            Checker(replace(SETTINGS, total_timeout_s=8), pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/o11-gone"), srv.url("/o10-gone")])
        assert probes(srv) == 2
    assert got[srv.url("/o11-gone")].http_status == 200  # its page came, the probe not in its time
    assert judged(got[srv.url("/o10-gone")]) == (Status.BROKEN, ("soft_404",))


def test_a_sibling_cut_by_one_checks_deadline_is_asked_again_by_the_scripts_next_check():
    # A query site (news.php?id=N) whose missing paths get the web server's bare 404: its
    # template is told by the script's answer for an id that does not exist. The first check asked
    # for it with the second left, and its cut request, kept as "no template", passed last year's
    # plan as ok by its header's and footer's 2566.
    plan = semantic("ข่าว", "<h2>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565</h2>" + PLAN_TEXT)
    no_news = respond(200, semantic("ไม่พบข่าว", "<p>ไม่พบข่าวที่ต้องการ</p>"), HTML)
    pages = {"id=1": slow(3.0, respond(200, plan, HTML)), "id=2": respond(200, plan, HTML)}

    def news(h) -> None:
        pages.get(h.path.partition("?")[2], slow(5.5, no_news))(h)  # asked with 5 of 8 s left, then with 8

    with LoopbackServer({"/news.php": news}, fallback=BARE) as srv, \
            Checker(replace(SETTINGS, total_timeout_s=8), pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/news.php?id=1"), srv.url("/news.php?id=2")])
        siblings = [r for r in srv.log if r.path.startswith("/news.php?id=") and r.path[13:] not in ("1", "2")]
        assert len(siblings) == 2
    assert got[srv.url("/news.php?id=1")].http_status == 200  # its page came, the sibling not in its time
    assert judged(got[srv.url("/news.php?id=2")]) == (Status.WARNING, ("year_only_in_template",))


# What a shared request gets that is no answer of the site's this time: cut by its asker's deadline
# (the socket's read timeout is longer), a busy server's 503, a connection dropped at once.
SILENCES = {"cut": lambda then: slow(8.0, then), "503": lambda then: respond(503, b"busy", HTML),
            "hung-up": lambda then: raw(b"")}


def run_twice(tmp_path, url: str, between, recheck: bool = True, others: tuple[str, ...] = ()) -> tuple:
    """`url` (and `others`) checked by two runs of a sync with the cache, `between()` called
    between them; with `recheck`, the second asked to check `url` again (a row that showed a
    problem): conditionally, when the first kept its validators."""
    def run():
        with State(tmp_path / "state.sqlite") as state, \
                CachedChecker(Checker(SETTINGS, pdf_years=((2566,),)), state) as cached:
            return cached.check_many([url, *others], recheck=[url] if recheck else [])[url]
    first = run()
    between()
    return first, run()


@pytest.mark.parametrize("silence", SILENCES, ids=list(SILENCES))
def test_a_verdict_made_without_the_probe_that_gave_no_answer_is_not_kept_by_a_304(tmp_path, silence):
    # A deleted item: the site's template around nothing, sent with 200, its 2566 only in what
    # every page shows. Without the probe it is ok (as with probes off); kept with its ETag, every
    # later run's 304 kept that false ok for good. Now the next run reads it whole, and the probe,
    # answering then, tells the soft 404. (Its 2566 is in no header or footer: no home page asked.)
    with LoopbackServer({"/o10-gone": etagged(GONE)}, fallback=SILENCES[silence](NOT_FOUND)) as srv:
        first, second = run_twice(tmp_path, srv.url("/o10-gone"), lambda: setattr(srv, "fallback", NOT_FOUND))
        assert [r.headers.get("If-None-Match") for r in srv.requests_to("/o10-gone")] == [None, None]
        assert srv.requests_to("/") == []
    assert judged(first) == (Status.OK, ()) and first.http_status == 200 and first.etag is None
    assert judged(second) == (Status.BROKEN, ("soft_404",))


@pytest.mark.parametrize("silence", ["503", "hung-up"])
def test_a_verdict_made_without_the_sibling_that_gave_no_answer_is_not_kept_by_a_304(tmp_path, silence):
    # Last year's plan on a query site whose missing paths get the web server's bare 404, its 2566
    # only in its header and footer: ok without its sibling, and a 304 kept that ok for good. (A
    # sibling cut by the check's deadline leaves no time for the home page either, whose cut says
    # the same: the case of the home page's tests.)
    plan = etagged(respond(200, semantic("ข่าว", "<h2>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565</h2>" + PLAN_TEXT), HTML))
    no_news = respond(200, semantic("ไม่พบข่าว", "<p>ไม่พบข่าวที่ต้องการ</p>"), HTML)
    sibling = [SILENCES[silence](no_news)]

    def news(h) -> None:
        (plan if h.path.endswith("?id=1") else sibling[0])(h)

    with LoopbackServer({"/news.php": news}, fallback=BARE) as srv:
        first, second = run_twice(tmp_path, srv.url("/news.php?id=1"), lambda: sibling.__setitem__(0, no_news))
        assert [r.headers.get("If-None-Match") for r in srv.requests_to("/news.php?id=1")] == [None, None]
        assert len(srv.requests_to("/")) == 1  # asked by the first run, it answered (a bare 404: nothing told)
    assert judged(first) == (Status.OK, ()) and first.etag is None
    assert judged(second) == (Status.WARNING, ("year_only_in_template",))


@pytest.mark.parametrize("silence", SILENCES, ids=list(SILENCES))
def test_a_verdict_made_without_the_probe_that_gave_no_answer_is_checked_again_next_run(tmp_path, silence):
    # The deleted item's ok, judged without its probe, is a verdict of that run only: reused from
    # the cache for its TTL (6 h), the false ok stood on the sheet for hours. The next run, in the
    # TTL and with nothing asked of it, checks it again, and the probe, answering then, tells the
    # soft 404; the site's home page, judged with no probe asked, is reused as ever.
    home = etagged(respond(200, _rich_template("<h3>หน้าแรก เทศบาลตำบล</h3>" + FOOTER), HTML))
    with LoopbackServer({"/o10-gone": etagged(GONE), "/": home}, fallback=SILENCES[silence](NOT_FOUND)) as srv:
        first, second = run_twice(tmp_path, srv.url("/o10-gone"), lambda: setattr(srv, "fallback", NOT_FOUND),
                                  recheck=False, others=(srv.url("/"),))
        assert len(srv.requests_to("/o10-gone")) == 2
        assert len(srv.requests_to("/")) == 1  # fresh in the cache: not asked again
    assert judged(first) == (Status.OK, ()) and first.unfinished
    assert judged(second) == (Status.BROKEN, ("soft_404",))
