"""A site's error and a host's page sent with 200 (sheets_sync.check.errorpages): the site is
down, so the agency is told to call its web admin, never "no 2566" or "check the link"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check import errorpages, outages
from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond

HTML = {"Content-Type": "text/html; charset=utf-8"}
FATAL = ("<br /><b>Fatal error</b>: Uncaught Error: Call to undefined function mysql_connect() in "
         "/home/muangnga/public_html/inc/db.php:4\nStack trace:\n#0 /home/muangnga/public_html/ita.php(3): "
         "include()\n#1 {main}\n  thrown in <b>/home/muangnga/public_html/inc/db.php</b> on line <b>4</b><br />")
MENU = "".join(f"<li><a href='/m{k}'>เมนูที่ {k} ข้อมูลหน่วยงาน ข่าวประชาสัมพันธ์</a></li>" for k in range(12))


def site(body: str, title: str = "O10 แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2566") -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><ul>{MENU}</ul><h1>{title}</h1>"
            f"<p>เอกสารเผยแพร่ของหน่วยงานตามหลักเกณฑ์การประเมินคุณธรรมและความโปร่งใส</p>{body}"
            "<footer>สงวนลิขสิทธิ์ เทศบาลตำบลเหมืองง่า จังหวัดลำพูน</footer></body></html>").encode()


def bare(body: str, title: str = "") -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


SUSPENDED = bare("<h1>Account Suspended</h1><p>This Account has been suspended.</p>"
                 "<p>Contact your hosting provider for more information.</p>", "Account Suspended")
DB_DOWN = bare("<h1>Error establishing a database connection</h1>", "Database Error")

PAGES = {
    "/fatal": bare(FATAL),
    "/thai-die": bare("ไม่สามารถเชื่อมต่อฐานข้อมูลได้"),
    "/footer-widget": site("<table><tr><td>แผนการดำเนินงาน 2566</td></tr></table>" + FATAL),
    "/suspended": SUSPENDED,
    "/defaced": bare("<h1>Hacked By Mr.X</h1><p>Your security is low. Greetz: all my friends</p>", "~ Hacked By Mr.X ~"),
    "/slot": bare("<h1>สล็อตเว็บตรง 2566 แตกง่าย</h1><p>สมัครสมาชิก สล็อตเว็บตรง ไม่ผ่านเอเย่นต์ ฝากถอนไม่มีขั้นต่ำ "
                  "ทดลองเล่นฟรี เครดิตฟรี บาคาร่าออนไลน์ แทงบอล ประจำปี 2566</p>",
                  "สล็อตเว็บตรง 2566 เว็บสล็อตแตกง่าย ไม่ผ่านเอเย่นต์"),
    "/plan": site("<p>ปัญหาที่พบ: เครือข่ายช้า ระบบสารบรรณเชื่อมต่อฐานข้อมูลไม่ได้ในบางช่วง</p>"),
    # a short item page, its heading and its file, whose footer's counter died after it
    "/short-embed": bare("<h1>O10 แผนการดำเนินงาน</h1><iframe src='/files/o10.pdf'></iframe>" + FATAL),
    "/short-link": bare("<h1>O10 แผนการดำเนินงาน</h1><p><a href='/files/o10.pdf'>ดาวน์โหลด</a></p>" + FATAL),
    "/short-logo": bare("<img src='/logo.png' alt='อบต.'><h1>อบต.ทดสอบ</h1>" + FATAL),  # the error and a logo
}


@pytest.fixture(scope="module")
def server():
    routes = {path: respond(200, body, HTML) for path, body in PAGES.items()}
    routes["/files/o10.pdf"] = respond(200, make_pdf(["Operating plan", "Fiscal year B.E. 2566"]),
                                       {"Content-Type": "application/pdf"})
    with LoopbackServer(routes) as srv:
        yield srv


def verdict(url: str, probe: bool = False):
    settings = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=0,
                       soft404_probe=probe, allow_private=("127.0.0.1/32",))
    with Checker(settings, pdf_years=((2566,),)) as checker:
        result = checker.check(url)
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,)))


@pytest.mark.parametrize("path", ["/fatal", "/thai-die"])
def test_a_page_that_is_only_the_sites_error_is_broken_with_advice_to_call_the_web_admin(server, path):
    assert verdict(server.url(path)) == (Status.BROKEN, ("server_error_page",))


def test_an_error_in_a_widget_of_a_page_that_shows_the_item_is_a_warning_beside_its_ok(server):
    assert verdict(server.url("/footer-widget")) == (Status.WARNING, ("error_on_page",))


@pytest.mark.parametrize("path, expected", [
    # was server_error_page (broken): the browser shows the heading and the file above the error
    ("/short-embed", (Status.WARNING, ("error_on_page",))), ("/short-link", (Status.WARNING, ("error_on_page",))),
    ("/short-logo", (Status.BROKEN, ("server_error_page",))),  # a logo is no item's content
])
def test_a_short_page_that_shows_its_file_above_a_widgets_error_is_a_warning(server, path, expected):
    assert verdict(server.url(path)) == expected


def test_a_hosting_providers_page_is_broken_for_what_it_is(server):
    assert verdict(server.url("/suspended")) == (Status.BROKEN, ("hosting_page",))


def test_an_intruders_page_over_the_site_is_broken_for_what_it_is_not_no_2566(server):
    assert verdict(server.url("/defaced")) == (Status.BROKEN, ("defaced_page",))


@pytest.mark.parametrize("text, title, headings, expected", [
    ("h4ck3d by anon", "", (), True),  # a short page says it in its text alone
    ("", "หน้าหลัก", ("Defaced by Team X",), True),
    # the agency's own news of an attack elsewhere, at length
    ("ข่าว: hacked by กลุ่มแฮกเกอร์ " + "แนวทางป้องกันเว็บไซต์หน่วยงาน " * 100, "ข่าวประชาสัมพันธ์",
     ("สพฐ. แจ้งเว็บไซต์โรงเรียนถูก Hacked by กลุ่มแฮกเกอร์",), False),
])
def test_defaced_is_told_by_the_head_of_a_title_or_heading_or_a_short_pages_text(text, title, headings, expected):
    assert errorpages.defaced(text, title, headings) is expected


def test_a_gambling_sites_page_where_the_agencys_was_is_broken_not_ok_by_the_year_its_spam_names(server):
    assert verdict(server.url("/slot")) == (Status.BROKEN, ("gambling_page",))


def test_a_lapsed_domain_that_shows_gambling_on_every_path_is_that_not_a_wrong_link():
    with LoopbackServer(fallback=respond(200, PAGES["/slot"], HTML)) as srv:
        assert verdict(srv.url("/ita/o10"), probe=True) == (Status.BROKEN, ("gambling_page",))


@pytest.mark.parametrize("text, title, headings, expected", [
    # the Indonesian spam put on hacked Thai sites
    ("Situs slot gacor hari ini gampang maxwin. Daftar sekarang, deposit 10rb, RTP live tertinggi.",
     "SLOT GACOR: Situs Slot Gacor Hari Ini Gampang Maxwin", (), True),
    ("UFABET เว็บตรง แทงบอลออนไลน์ ฝาก-ถอน ออโต้ โบนัส 100%", "หน้าแรก", ("UFABET แทงบอลออนไลน์ อันดับ 1",), True),
    # the agency's news of a crackdown, and of a campaign, quote the trade's words
    ("ตำรวจไซเบอร์ทลายเว็บพนันออนไลน์ อ้างเป็นเว็บตรง ฝากถอนไม่มีขั้นต่ำ สมัครสมาชิกผ่านไลน์",
     "ตำรวจไซเบอร์ทลายเว็บพนัน สล็อต บาคาร่า", (), False),
    ("โครงการรณรงค์ลด ละ เลิก การพนันออนไลน์ ไม่หลงเชื่อเว็บตรง แตกง่าย เครดิตฟรี",
     "โครงการรณรงค์ต่อต้านการพนันออนไลน์ ประจำปี 2566", (), False),
    # a gambling word in the head, none of the sales in the text
    ("รายงานผลการสำรวจพฤติกรรมการพนันของเยาวชน ประจำปี 2566", "ผลสำรวจพฤติกรรมการพนัน", (), False),
    # an agency's page whose text carries hidden spam links: its head is the agency's
    ("แผนการดำเนินงาน ประจำปี 2566 สล็อตเว็บตรง แตกง่าย เครดิตฟรี", "O10 แผนการดำเนินงาน", ("แผนการดำเนินงาน",), False),
])
def test_gambling_is_told_by_its_head_and_its_sales_not_by_the_words_alone(text, title, headings, expected):
    assert errorpages.gambling(text, title, headings) is expected


@pytest.mark.parametrize("text, title, headings, expected", [
    ("403 Forbidden nginx", "403 Forbidden", ("403 Forbidden",), "bot_blocked"),
    # IIS heads its page "Server Error" and tells the status below
    ("Server Error 403 - Forbidden: Access is denied. You do not have permission to view this directory or page "
     "using the credentials that you supplied.", "403 - Forbidden: Access is denied.",
     ("Server Error", "403 - Forbidden: Access is denied."), "bot_blocked"),
    ("Access forbidden! You don't have permission to access the requested object.", "Access forbidden!", (),
     "bot_blocked"),  # XAMPP's
    ("Service Unavailable The server is temporarily unable to service your request.", "503 Service Unavailable",
     ("Service Unavailable",), "server_error_page"),
    ("HTTP Error 500.19 - Internal Server Error", "IIS 10.0 Detailed Error - 500.19 - Internal Server Error",
     ("HTTP Error 500.19 - Internal Server Error",), "server_error_page"),
    # in the site's template: told by the status and its words, whatever the page's length
    ("เมนูหลัก ข่าวประชาสัมพันธ์ " * 40, "Error 403 | เทศบาลตำบลเหมืองง่า", (), "bot_blocked"),
    # a number or a bare phrase heading a long page is the page's own
    ("สถิติผู้รับบริการ ประจำปี 2566 " * 40, "สถิติผู้รับบริการ", ("500",), None),
    ("ขั้นตอนการขออนุญาต " * 40, "Access Denied", (), None),
    # the words inside a heading of the agency's own
    ("แผนการดำเนินงาน ประจำปี 2566", "O10 แผนการดำเนินงาน", ("ระบบแจ้ง Access Denied เมื่อไม่ได้เข้าสู่ระบบ",), None),
    ("ประกาศ", "ประกาศ 403/2566", (), None),
    # a program's own words for its failure, heading a short page
    ("เกิดข้อผิดพลาด ไม่สามารถแสดงหน้านี้ได้ กรุณาลองใหม่อีกครั้ง", "เทศบาลตำบลเหมืองง่า", ("เกิดข้อผิดพลาด",),
     "server_error_page"),
    ("An error has occurred while processing your request.", "Error", (), "server_error_page"),
    # ... but not one that says what was not found (the link's: soft_404), nor heading a long page
    ("เกิดข้อผิดพลาด ไม่พบข้อมูลที่ท่านต้องการ", "เทศบาล", ("เกิดข้อผิดพลาด",), None),
    ("ข่าวประชาสัมพันธ์ " * 40, "เทศบาล", ("เกิดข้อผิดพลาดในระบบ",), None),
])
def test_a_servers_status_page_is_told_by_its_whole_title_or_heading(text, title, headings, expected):
    assert errorpages.status_page(title + " " + text, title, headings) == expected


def test_a_plan_that_names_a_database_problem_in_its_text_is_read_as_a_plan(server):
    assert verdict(server.url("/plan")) == (Status.OK, ())


def test_a_site_whose_every_path_shows_the_database_error_is_down_not_a_wrong_link():
    # The probe for a made-up path answers the same page: read first as not found, it told the
    # agency to check a link that was right.
    with LoopbackServer(fallback=respond(200, DB_DOWN, HTML)) as srv:
        assert verdict(srv.url("/ita/o10"), probe=True) == (Status.BROKEN, ("server_error_page",))


@pytest.mark.parametrize("heading, expected", [
    ("", (Status.BROKEN, ("server_error_page",))),  # the program died under the menu: the site is down
    ("<h1>ไม่พบหน้าที่ต้องการ</h1>", (Status.BROKEN, ("soft_404",))),  # its not-found page, a widget failing
])
def test_a_template_and_an_error_on_every_path_is_down_unless_it_says_not_found(heading, expected):
    with LoopbackServer(fallback=respond(200, site(heading + FATAL, title="เทศบาลตำบลเหมืองง่า"), HTML)) as srv:
        assert verdict(srv.url("/ita/o10"), probe=True) == expected


def test_a_suspended_account_that_answers_every_path_is_a_hosting_page_not_a_wrong_link():
    with LoopbackServer(fallback=respond(200, SUSPENDED, HTML)) as srv:
        assert verdict(srv.url("/ita/o10"), probe=True) == (Status.BROKEN, ("hosting_page",))


@pytest.mark.parametrize("text, title, expected", [
    ("Warning: mysqli_connect(): (HY000/2002): Connection refused in /var/www/html/config.php on line 9",
     "", "server_error_page"),
    ("SQLSTATE[HY000] [1045] Access denied for user 'root'@'localhost'", "", "server_error_page"),
    ("Server Error in '/' Application. Runtime Error Description: An application error occurred on the server.",
     "Runtime Error", "server_error_page"),
    ("เทศบาลตำบลเหมืองง่า Could not connect to MySQL", "เทศบาลตำบลเหมืองง่า", "server_error_page"),
    ("Whoops, looks like something went wrong.", "", "server_error_page"),  # Laravel's, with no "error" in it
    # a notice PHP prints and carries on from: the page below it is whole
    ("Deprecated: mysql_connect(): The mysql extension is deprecated and will be removed in the future in "
     "/home/lee/public_html/db.php on line 5 " + "แผนการดำเนินงาน ประจำปี 2566 " * 20, "", None),
    # wording of the site's own that a page of its own may use, among its text
    ("แผนพัฒนาดิจิทัล ปัญหา: ระบบเดิมไม่สามารถเชื่อมต่อฐานข้อมูลกลางได้ " + "รายละเอียดโครงการ " * 40, "", None),
    ("Connect with us on Facebook. Error 404 is not ours. " + "ข่าวประชาสัมพันธ์ " * 10, "", None),
])
def test_error_shown_tells_the_programs_message_from_a_page_that_names_an_error(text, title, expected):
    assert errorpages.error_shown(text, title) == expected


@pytest.mark.parametrize("text, title, headings, expected", [
    ("Welcome to nginx! If you see this page, the nginx web server is successfully installed.",
     "Welcome to nginx!", ("Welcome to nginx!",), True),
    ("Apache2 Ubuntu Default Page It works!", "Apache2 Ubuntu Default Page: It works", (), True),
    ("บัญชีนี้ถูกระงับการใช้งาน กรุณาติดต่อผู้ให้บริการ", "บัญชีถูกระงับ", (), True),
    ("This domain name has expired. Renew it now.", "", (), True),
    ("", "Account Suspended", (), True),  # told by the title alone
    ("", "โดเมนนี้หมดอายุแล้ว", (), True),
    # an agency's own notices that use the words
    ("ประกาศ ระงับการใช้น้ำประปาชั่วคราว ประจำปี 2566", "ประกาศ ระงับการใช้น้ำประปาชั่วคราว", (), False),
    ("บัญชีรายชื่อผู้มีสิทธิรับเบี้ยยังชีพ ประจำปี 2566", "บัญชีรายชื่อผู้มีสิทธิรับเบี้ยยังชีพ", (), False),
    # a news headline about another site, of a headline's length, not a host's banner
    ("", "", (("ข่าว: กระทรวงดิจิทัลฯ แจ้งเตือน เว็บไซต์ถูกระงับ หลายแห่งจากการโจมตีทางไซเบอร์ ให้หน่วยงานของรัฐ"
               "ตรวจสอบการต่ออายุโดเมนและสำรองข้อมูลของเว็บไซต์อย่างสม่ำเสมอ ประจำปีงบประมาณ พ.ศ. 2566"),), False),
    # registrar wording in a long page of the agency's is its own text (a news item, say)
    ("ข่าว: this domain has expired ในระบบเก่า " + "ข่าวประชาสัมพันธ์ของเทศบาล " * 200, "ข่าว", (), False),
])
def test_hosting_page_is_told_by_its_title_heading_or_short_text(text, title, headings, expected):
    assert errorpages.hosting_page(text, title, headings) is expected


def test_a_page_that_opened_last_time_and_shows_the_sites_error_now_is_held_like_a_site_down(server):
    # A database down for a moment: "ครั้งก่อนเปิดได้" until it stays down, as for a 500.
    url = server.url("/fatal")
    with Checker(replace(CheckerSettings(), retries=0, allow_private=("127.0.0.1/32",))) as checker:
        now = checker.check(url)
    assert now.reasons == ("server_error_page",)
    shown, start, _ = outages.judge({url: now}, {url: CheckResult(url, Status.OK)}, {}, now=1000.0, confirm_s=1200)
    assert (shown[url].status, shown[url].reasons, start) == (Status.UNKNOWN, ("not_answering",), {url: 1000.0})
