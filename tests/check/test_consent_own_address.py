"""A cookie-consent (PDPA) wall served at the item's own address, with no redirect, through the
real Checker on loopback.

An item sent on to a consent wall is `consent_wall` (test_consent.py): the redirect itself says
the item's page is elsewhere. At the item's own address there is no such sign. A site that puts a
consent page in place of every page until it is accepted (a PHP include before the page, say)
sends, for the item, its template and the banner around nothing; so does a site with a banner on
every page for an item page left empty, or for a deleted item where its missing paths answer the
template with 200. The item's page and the soft-404 probe read alike for both; the site's home
page tells them (Checker._walled_site): a wall in front of every page shows there too, the same
wall, and the site of an emptied page shows its home page. So a page that is a banner alone, at
a site whose home page is that same banner alone, is `consent_wall` (its footer's 2566 made it
ok, or "only the template shows 2566"); an emptied page on a site with a real home page (or a
splash page, or a page with its own title) keeps its verdict, and a short item page with its
heading and its file beside the banner is judged by its years.
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


GATE = ROUTES | {"/": respond(200, CONSENT_ONLY, HTML)}  # the same wall at the root: in front of every page
SPLASH = site_page("การใช้คุกกี้", "<p><a href='/main'>เข้าสู่เว็บไซต์</a></p>")  # a splash page with the banner


@pytest.mark.parametrize("missing", MISSING)
def test_a_wall_in_front_of_every_page_is_a_consent_wall_at_the_items_own_address(missing):
    # The home page is the same wall: the item's page is behind the accept button. It was ok by
    # the wall's footer's 2566, or "only the template shows 2566": a verdict on a page not seen.
    got = verdicts(GATE, MISSING[missing], ["/o20", "/o22"])
    assert got["/o20"] == (Status.OK, ("consent_wall",))
    # a short item page with its heading and its file beside the banner is a page, even there
    assert got["/o22"] == (Status.WARNING, ("year_only_in_template",))


@pytest.mark.parametrize("missing", MISSING)
def test_an_emptied_item_page_whose_site_shows_its_home_page_keeps_its_verdict(missing):
    # The same banner around nothing, on a site whose home page is its home page: an item page
    # left empty, not a wall. consent_wall (ok) would pass it.
    got = verdicts(ROUTES, MISSING[missing], ["/o20", "/o21", "/o22"])
    assert got == dict.fromkeys(got, (Status.WARNING, ("year_only_in_template",)))


def test_an_emptied_item_page_is_no_wall_where_the_home_page_differs_from_it():
    # Its own title beside a home page that is a wall alone (a consent landing page at the root,
    # item pages served): the emptied page is not the home page's wall, and keeps its verdict.
    for missing in MISSING:
        got = verdicts(ROUTES | {"/": respond(200, CONSENT_ONLY, HTML)}, MISSING[missing], ["/o21"])
        assert got["/o21"] == (Status.WARNING, ("year_only_in_template",)), missing


def test_a_splash_page_with_a_banner_at_every_path_is_no_wall():
    # A site that answers every path with its splash page ("เข้าสู่เว็บไซต์" and the banner): its
    # link is content, not a wall in front of the item: soft_404, as before.
    splash = respond(200, SPLASH, HTML)
    got = verdicts({"/": splash}, splash, ["/o21"])
    assert got["/o21"] == (Status.BROKEN, ("soft_404",))


def test_a_wall_in_front_of_every_path_is_a_consent_wall_and_a_catch_all_sites_deleted_item_is_not():
    # A site that shows the wall for every path, the probe's random one too, and a site that
    # answers every missing path with its template and banner (200) where the item was deleted:
    # the same answer for the item and for any address, soft_404 (broken) before for both. The
    # home page tells them: the wall shows there too; the catch-all site shows its home page.
    gate = verdicts({"/": respond(200, CONSENT_ONLY, HTML)}, respond(200, CONSENT_ONLY, HTML), ["/o20"])
    catch_all = verdicts({"/": respond(200, HOME, HTML)}, respond(200, site_page("เทศบาลตำบลบ้านธิ", ""), HTML),
                         ["/o21"])
    assert gate["/o20"] == (Status.OK, ("consent_wall",))
    assert catch_all["/o21"] == (Status.BROKEN, ("soft_404",))
