"""A CMS's archive widget in the sidebar ("คลังเก็บ: มกราคม 2023, ธันวาคม 2022", WordPress's, Joomla's,
Blogger's), its calendar ("มกราคม 2566") or the dates beside its latest posts stand on every page
of the site: when it posted, never what an item's page shows. On a site whose missing paths show none of that sidebar (the
web server's bare 404, a redirect home, a themed not-found page without the sidebar), last year's
announcement was ok by the widget's 2023. Through the real Checker on loopback, with the guards
that keep an item's own year: a list of months in its content (the same words as the widget's),
and an archive page whose content a theme names "archive-..."."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check import template
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.http_servers import LoopbackServer, redirect, respond

HTML = {"Content-Type": "text/html; charset=utf-8"}
CURRENT = YearRule((2566,))
SITE = "องค์การบริหารส่วนตำบลบ้านแป้น"
ARCHIVE = ("<section id='archives-2' class='widget widget_archive'><h2 class='widget-title'>คลังเก็บ</h2><ul>"
           "<li><a href='/2023/02/'>กุมภาพันธ์ 2023</a>&nbsp;(4)</li><li><a href='/2023/01/'>มกราคม 2023</a>&nbsp;(7)"
           "</li><li><a href='/2022/12/'>ธันวาคม 2022</a>&nbsp;(2)</li></ul></section>")
CALENDAR = ("<section id='calendar-2' class='widget widget_calendar'><div id='calendar_wrap' class='calendar_wrap'>"
            "<table id='wp-calendar' class='wp-calendar-table'><caption>มกราคม 2566</caption><thead><tr><th>จ</th>"
            "<th>อ</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table></div></section>")
RECENT = ("<section id='recent-posts-2' class='widget widget_recent_entries'><h2 class='widget-title'>เรื่องล่าสุด</h2>"
          "<ul><li><a href='/p/1'>ประชาสัมพันธ์การชำระภาษีที่ดินและสิ่งปลูกสร้าง</a></li></ul></section>")


def wordpress(title: str, content: str, widgets: str | None = RECENT + ARCHIVE, body_class: str = "page") -> bytes:
    """A page of a WordPress theme: header, menu, the entry, the sidebar's `widgets` (none: None), footer."""
    side = f"<div id='secondary' class='widget-area' role='complementary'>{widgets}</div>" if widgets else ""
    return (f"<!DOCTYPE html><html lang='th'><head><meta charset='UTF-8'><title>{title} &#8211; {SITE}</title></head>"
            f"<body class='{body_class}'><div id='page' class='site'><header id='masthead' class='site-header'>"
            f"<p class='site-title'><a href='/'>{SITE}</a></p><nav id='site-navigation' class='main-navigation'><ul>"
            f"<li><a href='/'>หน้าแรก</a></li><li><a href='/ita'>ITA</a></li></ul></nav></header>"
            f"<div id='content' class='site-content'><div id='primary' class='content-area'><main id='main' "
            f"class='site-main'><article class='page type-page'><header class='entry-header'><h1 class='entry-title'>"
            f"{title}</h1></header><div class='entry-content'>{content}</div></article></main></div>{side}</div>"
            f"<footer id='colophon' class='site-footer'><div class='site-info'>Proudly powered by WordPress</div>"
            f"</footer></div></body></html>").encode()


NO_GIFT = ("<p>{site} ประกาศเจตนารมณ์ไม่รับของขวัญและของกำนัลทุกชนิดจากการปฏิบัติหน้าที่ (No Gift Policy) ประจำปี {year}"
           "</p><p>ประกาศ ณ วันที่ 10 มกราคม {year}</p><p>นายกองค์การบริหารส่วนตำบลบ้านแป้น</p>")
# the latest posts with their dates (WordPress's classic widget, and the block in a widget area)
LATEST = ("<section id='recent-posts-2' class='widget widget_recent_entries'><h2 class='widget-title'>เรื่องล่าสุด</h2>"
          "<ul><li><a href='/p/31'>ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566</a> <span class='post-date'>12 มกราคม 2566"
          "</span></li><li><a href='/p/30'>กิจกรรมวันเด็กแห่งชาติ</a> <span class='post-date'>14 มกราคม 2566</span></li></ul>"
          "</section><section id='block-3' class='widget widget_block'><ul class='wp-block-latest-posts__list has-dates "
          "wp-block-latest-posts'><li><a href='/p/29'>ประชาสัมพันธ์การชำระภาษี</a><time datetime='2023-01-10T09:00:00+07:00'"
          " class='wp-block-latest-posts__post-date'>10 มกราคม 2566</time></li></ul></section>")
LATEST_UNDATED_TITLES = LATEST.replace("ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566", "ประชุมสภาองค์การบริหารส่วนตำบล")
MONTHS = ("<p>สรุปผลการจัดซื้อจัดจ้างหรือการจัดหาพัสดุรายเดือน (แบบ สขร.1)</p><ul>"
          "<li><a href='/wp-content/uploads/2023/02/sk1-jan.pdf'>มกราคม 2566</a></li>"
          "<li><a href='/wp-content/uploads/2023/03/sk1-feb.pdf'>กุมภาพันธ์ 2566</a></li></ul>")
ROUTES = {
    "/": respond(200, wordpress("หน้าแรก", "<p>ยินดีต้อนรับสู่เว็บไซต์</p>"), HTML),
    # last year's announcement: its 2566 only in the sidebar's archive (2023) or calendar
    "/o31-2565": respond(200, wordpress("ประกาศเจตนารมณ์ No Gift Policy", NO_GIFT.format(site=SITE, year=2565)), HTML),
    "/o31-2565-calendar": respond(200, wordpress("ประกาศเจตนารมณ์ No Gift Policy", NO_GIFT.format(site=SITE, year=2565),
                                                 widgets=RECENT + CALENDAR), HTML),
    "/o31-2565-latest": respond(200, wordpress("ประกาศเจตนารมณ์ No Gift Policy", NO_GIFT.format(site=SITE, year=2565),
                                               widgets=LATEST_UNDATED_TITLES), HTML),
    # this year's, also one of the latest posts (its title in the widget, its date beside it)
    "/o31-2566-latest": respond(200, wordpress("ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566", "<p>ข้าพเจ้าพร้อมด้วยคณะ"
                                               "ผู้บริหาร ขอประกาศเจตนารมณ์ไม่รับของขวัญ</p>", widgets=LATEST), HTML),
    # a page of the latest posts block in its own content: the posts' dates are all it says of them
    "/o21-latest": respond(200, wordpress("สรุปผลการจัดซื้อจัดจ้างรายเดือน", "<ul class='wp-block-latest-posts__list has-dates"
                                          " wp-block-latest-posts'><li><a href='/p/40'>แบบ สขร.1</a><time class='wp-block-"
                                          "latest-posts__post-date'>5 มกราคม 2566</time></li></ul>", widgets=LATEST_UNDATED_TITLES), HTML),
    # this year's
    "/o31-2566": respond(200, wordpress("ประกาศเจตนารมณ์ No Gift Policy", NO_GIFT.format(site=SITE, year=2566)), HTML),
    # a monthly list whose lines are the calendar's words: its own
    "/o21": respond(200, wordpress("สรุปผลการจัดซื้อจัดจ้างรายเดือน", MONTHS, widgets=RECENT + CALENDAR), HTML),
    # a category's archive page, its posts in the theme's "archive-posts" (no entry content)
    "/category/o21": respond(200, wordpress("หมวดหมู่: สรุปผลการจัดซื้อจัดจ้าง", "").replace(
        b"<div class='entry-content'></div>", "<div class='archive-posts'><h2>สรุปผลการจัดซื้อจัดจ้าง</h2><p>มกราคม 2566"
        "</p><p>กุมภาพันธ์ 2566</p></div>".encode()).replace(b"<article", b"<section").replace(b"</article>", b"</section>")
        .replace(b"<main id='main' class='site-main'>", b"<div class='site-main'>").replace(b"</main>", b"</div>"),
        HTML),
}
MISSING = {
    "bare 404": respond(404, b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
                        HTML),
    "redirect home": redirect("/", 301),  # a "404 to home page" plugin
    "theme's 404 without the sidebar": respond(404, wordpress("ไม่พบหน้า", "<p>ดูเหมือนว่าจะไม่มีอะไรถูกพบที่นี่ ลองค้นหาดู?"
                                                              "</p>", widgets=None), HTML),
}


def verdicts(missing, paths) -> dict:
    settings = replace(CheckerSettings(), allow_private=("127.0.0.1/32",), retries=0, connect_timeout_s=2,
                       read_timeout_s=4, total_timeout_s=8)
    with LoopbackServer(ROUTES, fallback=missing) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        urls = {srv.url(p): p for p in paths}
        results = checker.check_many(list(urls))
    return {path: judge_candidate(Candidate(raw=url, url=url, reasons=()), results[url], CURRENT)[:2]
            for url, path in urls.items()}


@pytest.mark.parametrize("missing", MISSING)
def test_last_years_page_is_not_ok_by_its_sidebars_archive_calendar_or_latest_posts_dates(missing):
    got = verdicts(MISSING[missing], [p for p in ROUTES if p != "/"])
    assert got == {
        # each was ok by the widget's 2023 (or the calendar's 2566)
        "/o31-2565": (Status.WARNING, ("year_only_in_template",)),
        "/o31-2565-calendar": (Status.WARNING, ("year_only_in_template",)),
        "/o31-2565-latest": (Status.WARNING, ("year_only_in_template",)),  # was ok by its latest posts' dates
        "/o31-2566-latest": (Status.OK, ()),
        "/o21-latest": (Status.OK, ()),
        "/o31-2566": (Status.OK, ()),
        "/o21": (Status.OK, ()),
        "/category/o21": (Status.OK, ()),
    }


@pytest.mark.parametrize("markup, lines", [
    (ARCHIVE, ("กุมภาพันธ์ 2023", "มกราคม 2023", "ธันวาคม 2022")),
    (CALENDAR, ("มกราคม 2566",)),
    # WordPress's archives block, Joomla's articles archive module, Blogger's archive
    ("<ul class='wp-block-archives-list wp-block-archives'><li><a href='/2023/01/'>มกราคม 2023</a></li></ul>",
     ("มกราคม 2023",)),
    ("<ul class='mod-articlesarchive archive-module mod-list'><li><a href='/index.php/archive?month=1&amp;year=2023'>"
     "มกราคม, 2023</a></li></ul>", ("มกราคม, 2023",)),
    ("<div class='widget BlogArchive' id='BlogArchive1'><ul><li><a class='post-count-link' href='/2023/'>2023</a>"
     "<span class='post-count'>(12)</span></li></ul></div>", ("2023",)),
    # not an archive widget: a theme's archive header and list, a page's own text, one left unclosed
    ("<header class='archive-header'><h1>ประกาศ ปี 2566</h1></header><div class='archive-posts'><p>มกราคม 2566</p>"
     "</div>", ()),
    ("<p>ปฏิทินกิจกรรม มกราคม 2566</p>", ()),
    ("<div class='widget_archive'><a>มกราคม 2023</a>", ()),
])
def test_archive_lines_are_an_archive_or_calendar_widgets_alone(markup, lines):
    assert template.archive_lines(f"<h1>ประกาศ ปี 2565</h1>{markup}<p>&copy; 2566</p>") == lines


# ---------------------------------------------------------------- a copyright notice nothing names
def old_layout(title: str, content: str, notice: str) -> bytes:
    """A page of an old table layout (Dreamweaver's): banner, left menu, content, and a footer cell
    nothing names (no <footer>, no class or id), whose notice is `notice`."""
    return (f"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'><title>{title}</title>"
            f"</head><body><table width='980' align='center'><tr><td><img src='/images/banner.jpg'></td></tr><tr><td>"
            f"<table><tr><td width='200' valign='top'><a href='/'>หน้าแรก</a><br><a href='/ita.php'>ITA</a></td>"
            f"<td valign='top'>{content}</td></tr></table></td></tr><tr><td align='center' bgcolor='#336699'>"
            f"<font color='white'>{notice}</font></td></tr></table></body></html>").encode()


NOTICES = {
    "thai": "สงวนลิขสิทธิ์ &copy; 2566 องค์การบริหารส่วนตำบลบ้านแป้น อำเภอเมืองลำพูน จังหวัดลำพูน",
    "span": "Copyright &copy; 2013-2023 องค์การบริหารส่วนตำบลบ้านแป้น All rights reserved.",
    "year apart": "Copyright &copy; <span id='year'>2566</span> <b>อบต.บ้านแป้น</b>",
}
ANNOUNCEMENT = "<b>ประกาศเจตนารมณ์ No Gift Policy ประจำปี {}</b><p>องค์การบริหารส่วนตำบลบ้านแป้น ขอประกาศเจตนารมณ์ไม่รับของขวัญ</p>"
# guards: this year's, a table of its own whose cell is the notice's year alone, an O6 page of laws
STATISTICS = ("<b>สถิติเรื่องร้องเรียนการทุจริต</b><table border='1'><tr><td>ปี</td><td>จำนวน</td></tr>"
              "<tr><td>2566</td><td>0</td></tr></table>")
LAWS = ("<b>กฎหมายที่เกี่ยวข้อง</b><ul><li>พระราชบัญญัติลิขสิทธิ์ (ฉบับที่ 2) พ.ศ. 2566</li>"
        "<li>พระราชบัญญัติสภาตำบลและองค์การบริหารส่วนตำบล พ.ศ. 2537</li></ul>")


@pytest.mark.parametrize("notice", NOTICES)
def test_last_years_page_is_not_ok_by_its_copyright_notice(notice):
    def page(content: str) -> bytes:
        return old_layout("O31", content, NOTICES[notice])

    site = {"/": respond(200, page("<p>ยินดีต้อนรับ</p>"), HTML),
            "/o31-2565.php": respond(200, page(ANNOUNCEMENT.format(2565)), HTML),
            "/o31.php": respond(200, page(ANNOUNCEMENT.format(2566)), HTML),
            "/o29.php": respond(200, page(STATISTICS), HTML),
            "/o6.php": respond(200, page(LAWS), HTML)}
    settings = replace(CheckerSettings(), allow_private=("127.0.0.1/32",), retries=0, connect_timeout_s=2,
                       read_timeout_s=4, total_timeout_s=8)
    with LoopbackServer(site, fallback=MISSING["bare 404"]) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        urls = {srv.url(p): p for p in site if p != "/"}
        results = checker.check_many(list(urls))
    got = {path: judge_candidate(Candidate(raw=url, url=url, reasons=()), results[url], CURRENT)[:2]
           for url, path in urls.items()}
    assert got == {"/o31-2565.php": (Status.WARNING, ("year_only_in_template",)),  # was ok by the notice's 2566
                   "/o31.php": (Status.OK, ()), "/o29.php": (Status.OK, ()), "/o6.php": (Status.OK, ())}


# ---------------------------------------------------------------- the links to the posts before and after
def post(title: str, content: str, before: str, after: str) -> bytes:
    """A WordPress post with the theme's post navigation (its neighbours' titles, rel prev and next)."""
    nav = ("<nav class='navigation post-navigation' aria-label='เรื่อง'><h2 class='screen-reader-text'>นำทางเรื่อง</h2>"
           f"<div class='nav-links'><div class='nav-previous'><a href='/p/1' rel='prev'><span class='meta-nav'>ก่อนหน้า"
           f"</span> {before}</a></div><div class='nav-next'><a href='/p/3' rel='next'><span class='meta-nav'>ถัดไป</span>"
           f" {after}</a></div></div></nav>")
    return wordpress(title, content, widgets=RECENT).replace(b"</article>", b"</article>" + nav.encode())


@pytest.mark.parametrize("missing", ["bare 404", "theme's 404 without the sidebar"])
def test_last_years_post_is_not_ok_by_the_title_of_the_post_after_it(missing):
    this_year = "ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566"
    site = {
        "/": ROUTES["/"],
        # last year's announcement: the post after it is this year's (was ok by its title)
        "/2022/01/no-gift/": respond(200, post("ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2565", NO_GIFT.format(
            site=SITE, year=2565), "กิจกรรมวันเด็กแห่งชาติ", this_year), HTML),
        # this year's: the post before it is last year's, its own heading this year's
        "/2023/01/no-gift/": respond(200, post(this_year, NO_GIFT.format(site=SITE, year=2566),
                                               "ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2565", "กิจกรรมวันเด็ก"), HTML),
        # a page of links to this year's posts (no rel), in a layout that marks no content: its own
        "/o40": respond(200, old_layout("การขับเคลื่อนจริยธรรม", "<ul><li><a href='/p/7'>โครงการส่งเสริมคุณธรรม ประจำปี 2566"
                                        "</a></li><li><a href='/p/8'>กิจกรรมอบรมจริยธรรมพนักงาน</a></li></ul>",
                                        "องค์การบริหารส่วนตำบลบ้านแป้น"), HTML),
    }
    settings = replace(CheckerSettings(), allow_private=("127.0.0.1/32",), retries=0, connect_timeout_s=2,
                       read_timeout_s=4, total_timeout_s=8)
    with LoopbackServer(site, fallback=MISSING[missing]) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        urls = {srv.url(p): p for p in site if p != "/"}
        results = checker.check_many(list(urls))
    got = {path: judge_candidate(Candidate(raw=url, url=url, reasons=()), results[url], CURRENT)[:2]
           for url, path in urls.items()}
    assert got == {"/2022/01/no-gift/": (Status.WARNING, ("year_only_in_template",)),
                   "/2023/01/no-gift/": (Status.OK, ()), "/o40": (Status.OK, ())}
