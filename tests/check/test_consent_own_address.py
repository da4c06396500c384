"""A cookie-consent (PDPA) wall served at the item's own address, with no redirect, through the
real Checker on loopback: why it is not told from a page, and what it gets.

An item sent on to a consent wall is `consent_wall` (test_consent.py): the redirect itself says
the item's page is elsewhere. At the item's own address there is no such sign. A site that puts a
consent page in place of every page until it is accepted (a PHP include before the page, say)
sends, for the item, its template and the banner around nothing; so does a site with a banner on
every page for an item page left empty, or for a deleted item where its missing paths answer the
template with 200. What the checker reads of those pages is the same but for their titles, and so
is what the site answers for a missing path (the soft-404 probe). Calling the first `consent_wall`
(ok, a look by hand) would call the second ok too, where it is empty or gone: a false ok, as
much a wrong verdict as the false ok of the wall's footer's 2566. What would tell them is the
site's home page (a wall in front of every page shows there too; a site with an empty item page
shows its home), which the checker does not read for this. So both are judged as pages, alike, and
a short item page with its heading and its file beside the banner is judged by its years.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.check.test_consent import CONSENT_ONLY, HTML, MISSING, site_page
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond

CURRENT = YearRule((2566,))
HOME = site_page("หน้าแรก", "<h2>ข่าวประชาสัมพันธ์</h2><ul><li><a href='/news/3'>ประชุมสภาเทศบาล สมัยสามัญ "
                            "สมัยที่ 4 ประจำปี 2566</a></li><li><a href='/news/2'>กิจกรรมวันเด็กแห่งชาติ</a></li></ul>")
EMPTIED = site_page("แผนการดำเนินงาน", "")  # an item page left empty, the site's banner on every page
ROUTES = {
    "/": respond(200, HOME, HTML),
    # the wall in the item's place, at its own address: the banner, its accept button, "© 2566"
    "/o20": respond(200, CONSENT_ONLY, HTML),
    # ... and an item page left empty on a site with a banner on every page
    "/o21": respond(200, EMPTIED, HTML),
    # guard: a short item page, its heading and its file, beside the same banner
    "/o22": respond(200, site_page("แผนการดำเนินงาน", "<h2>แผนการดำเนินงาน ประจำปี 2565</h2>"
                                                      "<a href='/files/plan65.pdf'>ดาวน์โหลด</a>"), HTML),
    "/files/plan65.pdf": respond(200, make_pdf(["Action plan, fiscal year B.E. 2565"]), {"Content-Type": "application/pdf"}),
}


def verdicts(routes: dict, fallback, paths) -> dict:
    """Each path's verdict for an item of this year, checked as a sync checks it."""
    settings = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=4, total_timeout_s=8, retries=0,
                       allow_private=("127.0.0.1/32",))
    with LoopbackServer(routes, fallback=fallback) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        out = {}
        for path in paths:
            url = srv.url(path)
            out[path] = judge_candidate(Candidate(raw=url, url=url, reasons=()), checker.check(url), CURRENT)[:2]
        return out


@pytest.mark.parametrize("missing", MISSING)
def test_a_consent_wall_at_the_items_own_address_is_judged_as_the_empty_page_it_cannot_be_told_from(missing):
    got = verdicts(ROUTES, MISSING[missing], ["/o20", "/o21", "/o22"])
    # the wall and the emptied page get one verdict, and it is not consent_wall: that would pass
    # the emptied page as ok
    assert got["/o20"] == got["/o21"]
    assert all("consent_wall" not in reasons for _, reasons in got.values()), got
    # the short item page is judged by its years: last year's plan, 2566 only in the template
    # (a site whose missing paths get the bare 404: what its home page tells, another change's)
    assert got["/o22"][1] != ("consent_wall",)
    if missing == "template":
        assert got == dict.fromkeys(got, (Status.WARNING, ("year_only_in_template",)))


def test_a_wall_in_front_of_every_page_is_the_deleted_item_of_a_catch_all_site():
    # A site that shows the wall for every path, the probe's random one too, and a site that
    # answers every missing path with its template and banner (200) where the item was deleted:
    # the same answer for the item and for any address. soft_404 (broken) is right for the
    # second and wrong for the first; only the home page tells them (the wall shows there too).
    gate = verdicts({"/": respond(200, CONSENT_ONLY, HTML)}, respond(200, CONSENT_ONLY, HTML), ["/o20"])
    catch_all = verdicts({"/": respond(200, HOME, HTML)}, respond(200, site_page("เทศบาลตำบลบ้านธิ", ""), HTML),
                         ["/o21"])
    assert gate["/o20"] == catch_all["/o21"] == (Status.BROKEN, ("soft_404",))
