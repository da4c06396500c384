"""A site whose missing paths get the web server's bare 404 shows no template to the soft-404
probe, so its header's "ITA ประจำปี 2566" and footer's "© 2566" passed last year's page as ok.
Its home page wears the same header, menus and footer (sheets_sync.check.checker's
`_home_template`): their dated lines that an item page's own header, menus and footer show too
are the template's. Through the real Checker on loopback, both ways, with the guards that keep an
item's own 2566: a heading that is also the home page's news headline, its sidebar's news or a
menu entry, and a site whose home page gives nothing to compare with."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check import template
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.http_servers import LoopbackServer, respond

HTML = {"Content-Type": "text/html; charset=utf-8"}
BARE = respond(404, b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
                    b"<p>The requested URL was not found on this server.</p><hr><address>Apache/2.4.41 (Ubuntu)"
                    b"</address></body></html>", HTML)
MENU = ["หน้าแรก", "ข้อมูลพื้นฐาน", "โครงสร้างหน่วยงาน", "ITA 2566", "ข่าวประชาสัมพันธ์", "ติดต่อเรา"]
NEWS_HEADLINE = "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2566"  # the home page's news: this year's item's heading too
SIDE_NEWS = "รายงานผลการดำเนินงาน รอบ 6 เดือน ประจำปี 2566"  # the home page's sidebar: another item's heading
HOME_NEWS = (f"<h2>ข่าวประชาสัมพันธ์</h2><ul class='news'><li><a href='/news/31'>{NEWS_HEADLINE}</a> "
             "<span>15 ต.ค. 2565</span></li><li><a href='/news/30'>ประกาศรับสมัครพนักงานจ้าง ปี 2566</a> "
             "<span>2 ต.ค. 2565</span></li><li><a href='/news/29'>กิจกรรมวันปิยมหาราช</a> <span>23 ต.ค. 2565</span>"
             "</li></ul>")


def semantic(title: str, content: str, side: str = "", menu: list[str] | None = MENU) -> bytes:
    """A page of a site built with <header>, <nav> and <footer> (without the menu: `menu` None)."""
    nav = f"<nav><ul>{''.join(f'<li><a href=/m{k}>{name}</a></li>' for k, name in enumerate(menu))}</ul></nav>" \
        if menu else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} | เทศบาลตำบลทาขุมเงิน</title></head>"
            f"<body><header><div class='banner'><h1>เทศบาลตำบลทาขุมเงิน</h1><p>ITA ประจำปี 2566</p></div>"
            f"{nav}</header><div class='container'><div class='content'>{content}</div>"
            f"{side}</div><footer><p>© 2566 เทศบาลตำบลทาขุมเงิน อำเภอแม่ทา จังหวัดลำพูน โทร. 0 5300 0000</p>"
            f"</footer></body></html>").encode()


def table(title: str, content: str, side: str = "") -> bytes:
    """A page of an old table layout whose parts only their ids and classes name."""
    menu = "".join(f"<a href='/m{k}'>{name}</a><br>" for k, name in enumerate(MENU))
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><table width='100%'><tr>"
            f"<td colspan='2'><div id='header'><b>เทศบาลตำบลทาขุมเงิน</b><br>ITA ประจำปี 2566</div></td></tr><tr>"
            f"<td class='leftmenu' width='200'>{menu}</td><td valign='top'>{content}{side}</td></tr><tr>"
            f"<td colspan='2'><div id='footer'>Copyright &copy; 2566 เทศบาลตำบลทาขุมเงิน</div></td></tr></table>"
            f"</body></html>").encode()


LAYOUTS = {"semantic": (semantic, f"<aside><h3>ข่าวล่าสุด</h3><p>{SIDE_NEWS}</p></aside>"),
           "table": (table, f"<div class='sidebar'><b>ข่าวล่าสุด</b><br>{SIDE_NEWS}</div>")}
PLAN_TEXT = ("<p>เทศบาลตำบลทาขุมเงินได้จัดทำแผนการดำเนินงาน เพื่อแสดงรายละเอียดโครงการและกิจกรรมที่ดำเนินการจริง"
             "ทั้งหมดในพื้นที่ โดยมีโครงการทั้งสิ้น 120 โครงการ งบประมาณรวม 35,400,000 บาท</p>")


def routes(layout: str) -> dict:
    page, side = LAYOUTS[layout]
    return {
        "/": respond(200, page("หน้าแรก", HOME_NEWS, side), HTML),
        # last year's plan: its 2566 only in the header's banner, the menu and the footer
        "/o10": respond(200, page("แผนการดำเนินงาน", "<h2>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565</h2>" + PLAN_TEXT), HTML),
        # this year's: its heading is the home page's news headline
        "/o11": respond(200, page("แผนการดำเนินงาน", f"<h2>{NEWS_HEADLINE}</h2>" + PLAN_TEXT), HTML),
        # ... its heading, in a page header a class names so, is a menu entry's text ("ITA 2566")
        "/o12": respond(200, page("ITA", "<div class='page-header'><h2>ITA 2566</h2></div><p>ข้อมูลเปิดเผยต่อสาธารณะ (OIT) ของเทศบาลตำบลทาขุมเงิน"
                                         "</p>"), HTML),
        # ... its heading is the home page's sidebar news, in a page header a class names so
        "/o13": respond(200, page("รายงานผล", f"<div class='page-header'><h2>{SIDE_NEWS}</h2></div>" + PLAN_TEXT), HTML),
    }


def verdicts(srv: LoopbackServer, paths) -> dict:
    """Each path's (status, reasons, years, template's years) for a 2566 item, checked in one run."""
    settings = replace(CheckerSettings(), allow_private=("127.0.0.1/32",), retries=0, connect_timeout_s=2,
                       read_timeout_s=4, total_timeout_s=8)
    urls = {srv.url(p): p for p in paths}
    with Checker(settings, pdf_years=((2566,),)) as checker:
        results = checker.check_many(list(urls))
    out = {}
    for url, path in urls.items():
        status, codes = judge_candidate(Candidate(raw=url, url=url, reasons=()), results[url], YearRule((2566,)))[:2]
        out[path] = (status, codes, results[url].years, results[url].template_years)
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
def test_last_years_page_on_a_bare_404_site_is_not_ok_by_its_templates_2566(layout):
    # It was ok by the banner's and footer's 2566: the probe's bare 404 shows no template.
    with LoopbackServer(routes(layout), fallback=BARE) as srv:
        got = verdicts(srv, ["/o10", "/o11", "/o12", "/o13"])
        assert len(srv.requests_to("/")) == 1  # the home page, once for the site's four pages
    assert got["/o10"] == (Status.WARNING, ("year_only_in_template",), (2565,), (2566,))
    for path in ("/o11", "/o12", "/o13"):  # this year's, by their own headings
        assert got[path][:2] == (Status.OK, ()) and 2566 in got[path][2] and got[path][3] == (), path


@pytest.mark.parametrize("home", [
    respond(200, b"<html><body><a href='/main'><img src='/intro.jpg'></a> <a href='/main'>\xe0\xb9\x80\xe0\xb8\x82"
                 b"\xe0\xb9\x89\xe0\xb8\xb2\xe0\xb8\xaa\xe0\xb8\xb9\xe0\xb9\x88\xe0\xb9\x80\xe0\xb8\xa7\xe0\xb9\x87"
                 b"\xe0\xb8\x9a\xe0\xb9\x84\xe0\xb8\x8b\xe0\xb8\x95\xe0\xb9\x8c</a></body></html>", HTML),  # a splash page
    BARE,  # no home page at all
])
def test_a_home_page_that_shows_no_template_leaves_the_page_as_it_was(home):
    # Nothing to compare with: the page is read whole, as before (the false ok stays, never a
    # false warning).
    site = routes("semantic") | {"/": home}
    with LoopbackServer(site, fallback=BARE) as srv:
        got = verdicts(srv, ["/o10", "/o11"])
    assert got["/o10"] == (Status.OK, (), (2565, 2566), ())
    assert got["/o11"][:2] == (Status.OK, ())


OIT_MENU = [f"O{n} {name} ประจำปี 2566" for n, name in enumerate(
    ["โครงสร้าง", "ข้อมูลผู้บริหาร", "อำนาจหน้าที่", "แผนพัฒนาท้องถิ่น", "ข้อมูลการติดต่อ", "กฎหมายที่เกี่ยวข้อง",
     "ข่าวประชาสัมพันธ์", "Q&A", "Social Network", "แผนการดำเนินงาน"], start=1)]


def test_a_page_that_shows_little_of_the_home_pages_dated_parts_keeps_every_year():
    # The home page's menu lists the items, dated. This year's O10 page in another layout (none of
    # the site's header, menu or footer) is headed by its entry's words in a "page-header": one of
    # the home page's twelve dated lines, not plainly its template. Taken for the template's, its
    # 2566 was a false year_only_in_template. The price: last year's page in the site's header and
    # footer without the menu shows two of the twelve, and is read whole, as before.
    site = {
        "/": respond(200, semantic("หน้าแรก", HOME_NEWS, menu=OIT_MENU), HTML),
        "/o20": respond(200, (f"<html><body><div class='page-header'><h1>{OIT_MENU[9]}</h1></div>{PLAN_TEXT}"
                              f"</body></html>").encode(), HTML),
        "/o22": respond(200, semantic("แผนการดำเนินงาน", f"<h1>แผนการดำเนินงาน ประจำปี 2565</h1>{PLAN_TEXT}",
                                      menu=None), HTML),
    }
    with LoopbackServer(site, fallback=BARE) as srv:
        got = verdicts(srv, ["/o20", "/o22"])
    assert got["/o20"][:2] == (Status.OK, ()) and got["/o20"][3] == ()
    assert got["/o22"] == (Status.OK, (), (2565, 2566), ())


def test_a_heading_that_is_a_menu_entrys_words_on_a_page_without_the_menu_stays_its_own():
    # The page wears the site's header and footer but not its menu, and is headed "ITA 2566", the
    # menu's entry on the home page: its heading is no part of its template, and keeps its 2566.
    site = routes("semantic") | {
        "/o23": respond(200, semantic("ITA", f"<h1>ITA 2566</h1>{PLAN_TEXT}", menu=None), HTML),
        "/o24": respond(200, semantic("แผนการดำเนินงาน", f"<h1>แผนการดำเนินงาน ประจำปี 2565</h1>{PLAN_TEXT}",
                                      menu=None), HTML),
    }
    with LoopbackServer(site, fallback=BARE) as srv:
        got = verdicts(srv, ["/o23", "/o24"])
    assert got["/o23"][:2] == (Status.OK, ()) and got["/o23"][3] == ()
    assert got["/o24"] == (Status.WARNING, ("year_only_in_template",), (2565,), (2566,))


def test_a_site_whose_not_found_page_shows_its_template_is_not_asked_for_its_home_page():
    # Its not-found page is its template without a year: the template shows none, and a footer's
    # 2566 only on item pages is no template's line told by the home page.
    page, _ = LAYOUTS["semantic"]
    missing = respond(404, page("ไม่พบหน้า", "<h2>ไม่พบหน้าที่ท่านต้องการ</h2>").replace(b"2566", b"x"), HTML)
    with LoopbackServer(routes("semantic"), fallback=missing) as srv:
        got = verdicts(srv, ["/o10", "/o11"])
        assert srv.requests_to("/") == []
    assert got["/o10"][:2] == got["/o11"][:2] == (Status.OK, ())


def test_part_lines_are_the_header_menus_and_footer_outside_the_main_content():
    page, side = LAYOUTS["table"]
    assert template.part_lines(page("x", HOME_NEWS, side).decode()) == (
        "ITA ประจำปี 2566", "ITA 2566", "Copyright © 2566 เทศบาลตำบลทาขุมเงิน")
    # a news post's own header inside <article> is its content
    assert template.part_lines("<article><header><h1>แผน ปี 2566</h1></header></article><footer>© 2566</footer>") == (
        "© 2566",)


def test_the_quick_year_look_agrees_with_the_pattern():
    # template.shows_year finds each form of the year and looks at its neighbours, where the
    # pattern's look-behind tried every character (~7 us a page): the same answers.
    import random

    rnd, alphabet = random.Random(7), "0123456789๐๑๒๕๖ ปีab"
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        year = rnd.choice((2565, 2566))
        if rnd.random() < 0.6:
            at = rnd.randint(0, len(text))
            text = text[:at] + rnd.choice(template._year_forms(year)) + text[at:]
        assert template.shows_year(text, year) == (template._year_token(year).search(text) is not None), (text, year)
