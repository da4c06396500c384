"""The site's soft-404 probe and a script's sibling (Checker._probe, Checker._template_probe) are
asked once per site (script) and run, and shared by all its checks: through the real Checker on
loopback, a request one check's own deadline cut is no answer of the site's, and a later check of
the site with more time asks again. Kept as the site's answer, it judged every later page of the
site without the probe: a soft 404 passed as ok, and last year's page as ok by its template's
2566."""

from __future__ import annotations

from dataclasses import replace

from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.check.test_edge_verdicts import _rich_template
from tests.check.test_template_home import BARE, PLAN_TEXT, semantic
from tests.support.http_servers import LoopbackServer, respond, slow

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
    # The site's first check spent 3 of its 4 s on its own page and asked for the probe with the
    # second left: cut by that check's deadline, no answer of the site's. Kept as one, every later
    # check of the site went without the probe, and its deleted item (the template alone, sent
    # with 200) was a false ok. The next check, with time of its own, asks again.
    site = {"/o11-gone": slow(3.0, GONE), "/o10-gone": GONE}
    with LoopbackServer(site, fallback=slow(1.5, NOT_FOUND)) as srv, \
            Checker(SETTINGS, pdf_years=((2566,),)) as checker:
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
        pages.get(h.path.partition("?")[2], slow(1.5, no_news))(h)

    with LoopbackServer({"/news.php": news}, fallback=BARE) as srv, \
            Checker(SETTINGS, pdf_years=((2566,),)) as checker:
        got = checker.check_many([srv.url("/news.php?id=1"), srv.url("/news.php?id=2")])
        siblings = [r for r in srv.log if r.path.startswith("/news.php?id=") and r.path[13:] not in ("1", "2")]
        assert len(siblings) == 2
    assert got[srv.url("/news.php?id=1")].http_status == 200  # its page came, the sibling not in its time
    assert judged(got[srv.url("/news.php?id=2")]) == (Status.WARNING, ("year_only_in_template",))
