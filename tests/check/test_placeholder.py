"""An item page that says its data is not there yet (sheets_sync.check.placeholder): the advice
is to publish the data, never "no 2566", and never "ok" because the notice names the year."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from sheets_sync.check import content, placeholder
from sheets_sync.check.checker import Checker
from sheets_sync.check.placeholder import PLACEHOLDER_TEXT, notice
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.http_servers import LoopbackServer, respond

HTML = {"Content-Type": "text/html; charset=utf-8"}
MENU = "".join(f"<li><a href='/m{k}'>เมนูที่ {k} ข้อมูลหน่วยงาน รอบรั้วเทศบาล</a></li>" for k in range(40))


def site(body: str, title: str = "O10 แผนการดำเนินงาน") -> bytes:
    return (f"<html><head><title>{title}</title></head><body><header><ul>{MENU}</ul></header>"
            f"<main><h1>{title}</h1>{body}</main>"
            "<footer>เทศบาลตำบลบ้านธิ อำเภอบ้านธิ จังหวัดลำพูน โทร 053-000000</footer></body></html>").encode()


PLAN = "<p>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2566 ประกอบด้วยโครงการพัฒนาโครงสร้างพื้นฐาน " * 3 + "</p>"


@pytest.mark.parametrize("body, expected", [
    ("<p>อยู่ระหว่างจัดทำข้อมูล</p>", True),
    ("<p>อยู่ระหว่างการปรับปรุงข้อมูล ประจำปีงบประมาณ 2566</p>", True),  # the year it names is no data
    ("<p>ยังไม่มีข้อมูล</p>", True),
    ("<h2>Coming soon</h2>", True),
    ("<p>ยังไม่มีการเผยแพร่ข้อมูล ปี 2566</p>", True),  # was ok by the year it names
    ("<p>ข้อมูลจะเผยแพร่เร็วๆ นี้</p>", True),  # was "no 2566": fix the year of what is not there
    ("<p>อยู่ระหว่างเพิ่มข้อมูล</p>", True),
    ("<p>รอ อัพเดท</p>", True),  # typed spaced, with nothing after: was "no 2566"
    ("<p>รออัปเดต ข้อมูลปี 2566</p>", True),  # was ok by the year it names
    ("<p>ปรับปรุงข้อมูลล่าสุด 1 ก.พ. 2566</p>", False),  # when the page was updated: not a notice
    # "in progress" as a status of the item's own records, and "no data on X" (no cases): the
    # page's own answer (each was placeholder_page: "publish your data")
    ("<p>ได้รับเรื่องร้องเรียน จำนวน 1 เรื่อง ขณะนี้อยู่ระหว่างดำเนินการ</p>", False),
    ("<table><tr><th>โครงการ</th><th>สถานะ</th></tr><tr><td>ก่อสร้างถนน คสล. หมู่ 3</td><td>อยู่ระหว่างดำเนินการ</td>"
     "</tr><tr><td>ซ่อมแซมฝาย หมู่ 5</td><td>แล้วเสร็จ</td></tr></table>", False),
    ("<p>การดำเนินการตามมาตรการ: กำลังดำเนินการ ตามแผนที่กำหนด ผลจะรายงานในรอบ 12 เดือน</p>", False),
    ("<p>ยังไม่มีข้อมูลการรับสินบน</p>", False),
    # ... and "in progress" standing for the page, or "no data" alone, still the notice
    ("<p>ขณะนี้อยู่ระหว่างดำเนินการ</p>", True), ("<p>อยู่ระหว่างดำเนินการ</p>", True),
    ("<p>ยังไม่มีข้อมูล ในขณะนี้</p>", True),
    ("<p>อยู่ระหว่างการเพิ่มประสิทธิภาพระบบสารบรรณ ปี 2566</p>", False),  # improving a system, not a notice
    ("<p>ประกาศเผยแพร่แผนการจัดซื้อจัดจ้าง ประจำปี 2566</p>", False),
    ("<p>ไม่มีข้อมูลการร้องเรียน ประจำปี 2566</p>", False),  # a statement of its own: no complaints
    (PLAN + "<p>ข้อมูลบางส่วนอยู่ระหว่างปรับปรุง</p>", False),  # a note beside the item's own content
    ("<p>ประกาศ ระหว่างวันที่ 1-15 ตุลาคม 2565 รอบที่ 1</p>", False),
])
def test_a_notice_that_is_nearly_all_the_content_is_a_placeholder(body, expected):
    page = content.read_html(site(body), HTML)
    assert (notice(page.text, page.raw_html, page.title, page.headings) == "placeholder_page") is expected


@pytest.mark.parametrize("markup", [
    # a template of HTML5 parts around an unmarked content
    (f"<header><ul>{MENU}</ul></header><div class='content'><h1>O10</h1><p>อยู่ระหว่างจัดทำข้อมูล</p></div>"
     "<footer>เทศบาลตำบลบ้านธิ</footer>"),
    "<p>อยู่ระหว่างจัดทำข้อมูล</p>",  # a short page without a heading
])
def test_a_notice_is_found_without_a_marked_content_or_a_heading(markup):
    page = content.read_html(f"<html><head><title>O10</title></head><body>{markup}</body></html>".encode(), HTML)
    assert notice(page.text, page.raw_html, page.title, page.headings) == "placeholder_page"


def test_a_template_nothing_marks_counts_as_the_pages_own():
    # An old table layout marks no menu, header or footer: its menu is read as the page's own
    # text, and any doubt keeps the year verdict.
    page = content.read_html((f"<html><head><title>O10</title></head><body><table><tr><td>{MENU}</td><td><h1>O10</h1>"
                              "<p>อยู่ระหว่างจัดทำข้อมูล</p></td></tr></table></body></html>").encode(), HTML)
    assert len(page.text) > PLACEHOLDER_TEXT
    assert notice(page.text, page.raw_html, page.title, page.headings) != "placeholder_page"


@pytest.mark.parametrize("body, title, expected", [
    # a CMS's answer, with 200, for a record it no longer has
    ("<p>ข้อมูลนี้ถูกลบแล้ว หรือไม่มีอยู่ในระบบ</p>", "เทศบาลตำบลบ้านธิ", "soft_404"),
    ("<div class='alert'>ไม่พบข้อมูลที่ท่านต้องการ</div>", "ข่าวประชาสัมพันธ์", "soft_404"),
    ("<p>The requested article does not exist.</p>", "Article", "soft_404"),
    # a page not for this visitor
    ("<div class='alert'>You are not authorised to view this resource.</div>", "O10 แผนการดำเนินงาน", "login_required"),
    ("<p>ขออภัย คุณไม่มีสิทธิ์เข้าถึงหน้านี้ กรุณาเข้าสู่ระบบ</p>", "O10 แผนการดำเนินงาน", "login_required"),
    ("<p>ข่าวสำหรับสมาชิกเท่านั้น</p>", "ข่าวประชาสัมพันธ์", "login_required"),
    ("<p>กรุณาเข้าสู่ระบบก่อนใช้งาน</p>", "O10 แผนการดำเนินงาน", "login_required"),  # was "no 2566"
    ("<p>Session expired. Please log in again.</p>", "e-Office", "login_required"),
    # a sign-in box beside the item's content is the template's, not a wall
    (PLAN + "<p>กรุณาเข้าสู่ระบบเพื่อแสดงความคิดเห็น</p>", "O10 แผนการดำเนินงาน", None),
    # WordPress's empty category: the page is there, its posts are not
    ("<h2>Nothing Found</h2><p>It seems we can’t find what you’re looking for.</p>", "หมวดหมู่: ITA 2566",
     "placeholder_page"),
    # an item page's own statements, and a notice beside the file that replaces what it names
    ("<p>ไม่พบข้อมูลการร้องเรียน ประจำปี 2566</p>", "สถิติเรื่องร้องเรียน", None),
    ("<p>ไม่พบรายการ</p>", "O20 ประกาศจัดซื้อจัดจ้าง", None),
    ("<p>ประกาศผลการจัดซื้อจัดจ้าง ประจำปี 2566 รายละเอียดตามเอกสารแนบ ฉบับเดิมถูกลบแล้ว</p>", "ประกาศ", None),
    ("<p>รายชื่อสมาชิกสภาเทศบาล ประจำปี 2566</p>", "สมาชิกสภาเทศบาล", None),
    ("<p>แผนเดิมถูกลบแล้ว ดูแผนปี 2566 <a href='/files/plan-2566.pdf'>ดาวน์โหลด</a></p>", "O10 แผนการดำเนินงาน", None),
    ("<p>The old plan has been removed.</p><iframe src='/files/plan-2566.pdf'></iframe>", "O10", None),
    (PLAN, "O10 แผนการดำเนินงาน", None),
])
def test_a_notice_of_a_record_gone_or_not_for_this_visitor_is_its_own_verdict(body, title, expected):
    page = content.read_html(site(body + "<p>สงวนลิขสิทธิ์</p>" if expected is None else body, title), HTML)
    assert notice(page.text, page.raw_html, page.title, page.headings) == expected


SHORT_MENU = "".join(f"<li><a href='/m{k}'>{name}</a></li>" for k, name in enumerate(
    ("หน้าแรก", "ข้อมูลพื้นฐาน", "ITA", "ข่าวประชาสัมพันธ์", "ติดต่อเรา")))


def div_site(body: str, menu: str = f"<div class='menu'><ul>{SHORT_MENU}</ul></div>") -> bytes:
    """An old CMS's layout: its parts are <div>s named by id and class, no <header>, <nav> or <footer>."""
    return ("<html><head><title>ITA - เทศบาลตำบลบ้านธิ</title></head><body><div id='header'><img src='/logo.png' "
            "width='120'><h2>เทศบาลตำบลบ้านธิ อำเภอบ้านธิ จังหวัดลำพูน</h2></div>"
            f"{menu}<div id='content'>{body}</div><div id='footer'>เทศบาลตำบลบ้านธิ 99 หมู่ 1 ตำบลบ้านธิ "
            "อำเภอบ้านธิ จังหวัดลำพูน 51180 โทร. 053-000-000<br>Copyright All rights reserved.</div></body></html>").encode()


HEADED = "<h3>ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566</h3>"


@pytest.mark.parametrize("markup, expected", [
    # was ok by its heading's 2566: the template's parts, named by id and class, read as its content
    (div_site(HEADED + "<p>ยังไม่มีข้อมูล</p>"), (Status.WARNING, ("placeholder_page",))),
    (div_site(HEADED + "<p>อยู่ระหว่างจัดทำข้อมูล</p>", menu=f"<ul id='topnav'>{SHORT_MENU}</ul>"),
     (Status.WARNING, ("placeholder_page",))),
    # guards: the item's own content beside a note, a notice inside a part misnamed as the
    # template's (kept: it holds the notice), and a menu never closed (its end unknown) keep theirs
    (div_site(HEADED + PLAN + "<p>ข้อมูลบางส่วนอยู่ระหว่างปรับปรุง</p>"), (Status.OK, ())),
    (div_site(f"<div class='content-sidebar'>{HEADED}{PLAN}<p>ข้อมูลบางส่วนอยู่ระหว่างปรับปรุง</p></div>"),
     (Status.OK, ())),
    (div_site(f"<div class='content-sidebar'><h2>ข้อมูลบางส่วนอยู่ระหว่างปรับปรุง</h2>{HEADED}{PLAN}</div>"),
     (Status.OK, ())),
    (f"<html><head><title>ITA</title></head><body><h2>ITA</h2>{HEADED}<p>ข้อมูลบางส่วนอยู่ระหว่างปรับปรุง</p>"
     f"<div class='menu'><ul>{SHORT_MENU}</ul>{PLAN}</body></html>".encode(), (Status.OK, ())),
], ids=["div-layout", "topnav", "note-beside-content", "misnamed-wrapper", "misnamed-wrapper-heading",
        "menu-left-open"])
def test_a_template_named_by_id_and_class_is_told_from_a_notice(markup, expected):
    with LoopbackServer({"/o31": respond(200, markup, HTML)}) as srv:
        url = srv.url("/o31")
        settings = replace(CheckerSettings(), retries=0, soft404_probe=False, allow_private=("127.0.0.1/32",))
        with Checker(settings, pdf_years=((2566,),)) as checker:
            result = checker.check(url)
    assert judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,))) == expected


def wordpress(block: str, name: str) -> bytes:
    """A WordPress category's page in a classic theme: its header and menu, its title, `block`
    in its main content, a sidebar of the latest posts and a footer."""
    return (f"<html><head><title>หมวดหมู่: ITA 2566 – เทศบาลตำบลบ้านธิ</title></head><body class='archive category'>"
            f"<header id='masthead' class='site-header'><p class='site-title'>เทศบาลตำบลบ้านธิ</p><nav><ul>{MENU}</ul>"
            "</nav></header><div id='content' class='site-content'><main id='main' class='site-main'>"
            "<header class='page-header'><h1 class='page-title'>หมวดหมู่: ITA 2566</h1></header>"
            f"{block}</main><aside id='secondary' class='widget-area'><section class='widget widget_recent_entries'>"
            "<h2>เรื่องล่าสุด</h2><ul><li><a href='/p1'>ประกาศรับสมัครงาน</a></li></ul></section></aside></div>"
            "<footer class='site-footer'>เทศบาลตำบลบ้านธิ จังหวัดลำพูน</footer></body></html>").encode()


SEARCH_FORM = "<form role='search' class='search-form'><input type='search' name='s'><button>ค้นหา</button></form>"
POSTS = "".join(f"<article class='post'><h2><a href='/p{k}'>ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566 ฉบับที่ {k}</a>"
                "</h2><p>นายกเทศมนตรีตำบลบ้านธิ ประกาศเจตนารมณ์ไม่รับของขวัญและของกำนัลทุกชนิด</p></article>"
                for k in range(1, 4))
EMPTY = {
    # an empty category linked as an item: ok by its title's 2566, or soft_404 by "ไม่พบบทความ"
    "nothing": f"<section class='no-results not-found'><h2>ไม่พบสิ่งใด</h2><p>ดูเหมือนว่าเราไม่พบสิ่งที่คุณกำลังมองหา "
               f"ลองค้นหาดูสิ</p>{SEARCH_FORM}</section>",
    "sorry": "<section class='no-results not-found'><p>ขออภัย ไม่พบบทความ</p></section>",
    "none-yet": "<div class='no-results'><p>ยังไม่มีเรื่อง</p></div>",
    # guards: a category's posts beside such a block (a plugin's hidden "no more posts"), and
    # those words outside it (no complaints this year: the page's own answer)
    "posts": POSTS + "<div class='no-results'><p>ไม่พบบทความเพิ่มเติม</p></div>",
    "complaints": "<article><h2>สถิติเรื่องร้องเรียน ประจำปี 2566</h2><p>ยังไม่มีเรื่องร้องเรียน</p></article>",
    # ... and the theme's not-found page, sent with 200: gone, not empty
    "error-404": "<section class='error-404 not-found'><p>ขออภัย ไม่พบบทความ</p></section>",
}


@pytest.fixture(scope="module")
def server():
    routes = {"/o10": respond(200, site("<p>อยู่ระหว่างจัดทำข้อมูล ประจำปีงบประมาณ 2566</p>"), HTML),
              "/o11": respond(200, site("<p>อยู่ระหว่างจัดทำข้อมูล</p>"), HTML),
              "/o12": respond(200, site(PLAN), HTML),
              "/news.php": respond(200, site("<p>ข้อมูลนี้ถูกลบแล้ว</p>", "ข่าวประชาสัมพันธ์"), HTML),
              "/o14": respond(200, site("<p>You are not authorised to view this resource.</p>"), HTML),
              "/o15": respond(200, site("<p>รอข้อมูล</p>"), HTML),
              "/o16": respond(200, site("<p>รอข้อมูล ประจำปี 2566</p>"), HTML),
              "/o17": respond(200, site(PLAN + "<table><tr><td>โครงการก่อสร้างถนน คสล. หมู่ 3</td><td>รอข้อมูล</td></tr>"
                                        "</table>"), HTML),
              "/o18": respond(200, site("<table><tr><th>โครงการ</th><th>สถานะ</th></tr><tr><td>ซ่อมแซมฝาย หมู่ 5 "
                                        "ปี 2566</td><td>รอข้อมูลจากผู้รับจ้าง</td></tr><tr><td>ก่อสร้างถนน คสล. หมู่ 3 "
                                        "ปี 2566</td><td>แล้วเสร็จ</td></tr></table>"), HTML),
              **{f"/category/{name}": respond(200, wordpress(block, name), HTML) for name, block in EMPTY.items()}}
    with LoopbackServer(routes) as srv:
        yield srv


@pytest.mark.parametrize("path, expected", [
    ("/o10", (Status.WARNING, ("placeholder_page",))),  # was ok: its notice names 2566
    ("/o11", (Status.WARNING, ("placeholder_page",))),  # was "no 2566"
    ("/o12", (Status.OK, ())),
    ("/news.php?id=1290", (Status.BROKEN, ("soft_404",))),  # was "no 2566": the record is gone
    ("/o14", (Status.BROKEN, ("login_required",))),  # was "no 2566": the assessor is not let in
    ("/o15", (Status.WARNING, ("placeholder_page",))),  # "awaiting data": was "no 2566"
    ("/o16", (Status.WARNING, ("placeholder_page",))),  # ... was ok by the year it names
    ("/o17", (Status.OK, ())),  # a row's status beside the item's own content
    ("/o18", (Status.OK, ())),  # a short table whose row awaits data
    ("/category/nothing", (Status.WARNING, ("placeholder_page",))),  # was ok
    ("/category/sorry", (Status.WARNING, ("placeholder_page",))),  # was soft_404
    ("/category/none-yet", (Status.WARNING, ("placeholder_page",))),  # was ok
    ("/category/posts", (Status.OK, ())),
    ("/category/complaints", (Status.OK, ())),
    ("/category/error-404", (Status.BROKEN, ("soft_404",))),
])
def test_a_placeholder_is_told_to_publish_its_data(server, path, expected):
    url = server.url(path)
    settings = replace(CheckerSettings(), retries=0, soft404_probe=False, allow_private=("127.0.0.1/32",))
    with Checker(settings, pdf_years=((2566,),)) as checker:
        result = checker.check(url)
    assert judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,))) == expected


def test_a_site_that_shows_coming_soon_on_every_path_is_closed_not_a_wrong_link():
    # A new site put up before its pages: judged by the probe it was "not found, check the link".
    soon = site("<h2>Coming soon</h2>", title="เทศบาลตำบลบ้านธิ")
    with LoopbackServer(fallback=respond(200, soon, HTML)) as srv:
        settings = replace(CheckerSettings(), retries=0, soft404_probe=True, allow_private=("127.0.0.1/32",))
        with Checker(settings) as checker:
            result = checker.check(srv.url("/ita/o10"))
    assert (result.status, result.reasons) == (Status.UNKNOWN, ("site_maintenance",))


# One phrase of each alternative of each notice's pattern, as pages write them.
PHRASES = {
    "placeholder_page": ["อยู่ระหว่างจัดทำข้อมูล", "อยู่ในระหว่างการปรับปรุงเนื้อหา", "กำลังอัปเดตข้อมูล", "ยังไม่มีเอกสาร",
                         "รอการปรับปรุงข้อมูล", "รอเพิ่มเนื้อหา", "Coming Soon", "UNDER CONSTRUCTION", "No content yet",
                         "Nothing Found", "No posts found", "Nothing matched your search", "อยู่ระหว่างเพิ่มข้อมูล",
                         "ยังไม่มีการเผยแพร่ข้อมูล", "ยังไม่ได้เผยแพร่", "ยังไม่เผยแพร่", "ยังไม่ได้มีการเผยแพร่",
                         "ข้อมูลจะเผยแพร่เร็วๆ นี้", "เผยแพร่ได้ในเร็ว ๆ นี้", "รออัพเดท", "รอ อัพเดต", "รอการ อัปเดท",
                         "รอ อัปเดตข้อมูล", "รอ ปรับปรุงข้อมูล", "รอ เพิ่ม เนื้อหา", "กำลังอัพเดต", "รอข้อมูล", "รอ ข้อมูล"],
    "soft_404": ["ไม่พบหน้า", "ไม่พบบทความ", "ไม่พบข้อมูลที่ท่านต้องการ", "ข้อมูลนี้ได้ถูกลบ", "ข่าวถูกลบแล้ว",
                 "หน้านี้ไม่มีอยู่", "Page not found", "Article was not found", "It could not be found",
                 "can't be found", "doesn't exist", "does not exist", "has been removed", "was deleted",
                 "no longer available"],
    "login_required": ["You are not authorized to view", "NOT AUTHORISED TO ACCESS", "you must be logged in",
                       "You must log in", "you must login first", "ไม่มีสิทธิ์เข้าถึง", "ไม่มีสิทธิในการเปิด", "ไม่ได้รับอนุญาตเข้าถึง",
                       "ไม่ได้รับสิทธิ์เข้าใช้", "เฉพาะสมาชิก", "สำหรับสมาชิกเท่านั้น", "Members Only",
                       "กรุณาเข้าสู่ระบบ", "กรุณา ลงชื่อเข้าใช้", "กรุณาล็อกอิน", "Session expired", "session has expired",
                       "Please log in", "Please login"],
}


@pytest.mark.parametrize("code", list(PHRASES))
def test_the_quick_look_for_signs_never_hides_a_notice(code):
    # notice() searches a notice's pattern only where one of its signs (and, first, one of all
    # notices' signs) is found: every phrase each pattern stands for, and every match in random
    # texts of the patterns' pieces, passes both looks.
    pattern, signs = next((p, s) for c, p, s in placeholder._NOTICES if c == code)
    rng = random.Random(2566)
    texts = [rng.choice(["", "ขออภัย ", "Sorry, "]) + phrase + rng.choice(["", " แล้ว", "."]) for phrase in PHRASES[code]]
    assert all(pattern.search(t) for t in texts)  # each phrase is one the pattern stands for
    bits = [w for phrase in PHRASES[code] for w in phrase.split()] + ["ที่", "การ", "ใน", "ได้", "นี้", " ", "Found"]
    texts += ["".join(rng.choice(bits) + rng.choice(["", " "]) for _ in range(rng.randint(1, 5))) for _ in range(5000)]
    matched = 0
    for text in texts:
        if pattern.search(text):
            matched += 1
            assert placeholder._holds([text], signs, pattern), text
            assert any(s in text for s in placeholder._THAI_SIGNS) or \
                any(s in text.lower() for s in placeholder._LATIN_SIGNS), text
    assert matched > len(PHRASES[code])
