"""A cookie-consent (PDPA) interstitial an item's address is sent on to, through the real Checker
on loopback: its template's 2566 (a footer's copyright) passed it as the item's page, a false ok.
Beside it, the item pages that carry a consent banner of their own keep their verdicts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, redirect, respond

HTML = {"Content-Type": "text/html; charset=utf-8"}
CURRENT = YearRule((2566,))
MENU = "".join(f"<li><a href='/m{k}'>{name}</a></li>" for k, name in enumerate(
    ["หน้าแรก", "ข้อมูลพื้นฐาน", "โครงสร้างหน่วยงาน", "ผู้บริหาร", "ข่าวประชาสัมพันธ์", "กระดานสนทนา", "ติดต่อเรา"]))
FOOTER = "<footer>© 2566 เทศบาลตำบลบ้านธิ อำเภอบ้านธิ จังหวัดลำพูน โทร. 0 5300 0000</footer>"
BANNER = ("<div id='pdpa-consent' class='cookie-banner'><h2>เว็บไซต์นี้ใช้คุกกี้</h2>"
          "<p>เทศบาลตำบลบ้านธิใช้คุกกี้เพื่อพัฒนาการให้บริการ ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 "
          "อ่าน<a href='/privacy'>นโยบายความเป็นส่วนตัว</a></p>"
          "<form method='post' action='/consent/accept'><input type='hidden' name='next' value='/o10'>"
          "<button type='submit' class='btn'>ยอมรับทั้งหมด</button> <button type='button'>ตั้งค่าคุกกี้</button>"
          "</form></div>")


def site_page(title: str, content: str, banner: str = BANNER) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} | เทศบาลตำบลบ้านธิ</title></head>"
            f"<body><header><h1>เทศบาลตำบลบ้านธิ</h1><nav><ul>{MENU}</ul></nav></header>"
            f"<main>{content}</main>{banner}{FOOTER}</body></html>").encode()


LAST_YEARS = ("<h2>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565</h2><p>เทศบาลตำบลบ้านธิได้จัดทำแผนการดำเนินงาน "
              "เพื่อแสดงรายละเอียดโครงการและกิจกรรมที่ดำเนินการจริงทั้งหมดในพื้นที่ ประจำปีงบประมาณ พ.ศ. 2565 "
              "โดยมีโครงการทั้งสิ้น 120 โครงการ</p><p><a href='/files/plan65.pdf'>ดาวน์โหลดแผนการดำเนินงาน</a></p>")
THIS_YEARS = LAST_YEARS.replace("2565", "2566").replace("plan65", "plan66")
CONSENT_ONLY = site_page("การใช้คุกกี้", "")  # the banner alone, in the site's template
ROUTES = {
    # the home page: the site's template around its news (what tells the template where a missing
    # path gets the web server's bare 404)
    "/": respond(200, site_page("หน้าแรก", "<h2>ข่าวประชาสัมพันธ์</h2><ul><li><a href='/news/3'>ประชุมสภาเทศบาล "
                                        "สมัยสามัญ สมัยที่ 4 ประจำปี 2566</a></li></ul>"), HTML),
    # the item's address sent to a consent page that says where to come back to
    "/o10": redirect("/consent?next=%2Fo10"),
    "/consent": respond(200, CONSENT_ONLY, HTML),
    # ... or to a page of the site that shows the banner and nothing else
    "/o11": redirect("/index.php?page=welcome"),
    "/index.php": respond(200, CONSENT_ONLY, HTML),
    # guards: item pages with a consent banner of their own, reached by a redirect or not
    "/o12": redirect("/content/o12"),
    "/content/o12": respond(200, site_page("แผนการดำเนินงาน", LAST_YEARS), HTML),
    "/o13": redirect("/content/o13?back=%2Fo13"),
    "/content/o13": respond(200, site_page("แผนการดำเนินงาน", THIS_YEARS), HTML),
    "/o14": respond(200, site_page("แผนการดำเนินงาน", THIS_YEARS), HTML),
    # ... a heading and its PDF in a frame, sent on to its trailing slash (its years are the PDF's)
    "/o15": redirect("/o15/"),
    "/o15/": respond(200, site_page("แผนการดำเนินงาน", "<h2>แผนการดำเนินงาน</h2><iframe src='/files/plan66.pdf'>"
                                    "</iframe>"), HTML),
    "/files/plan66.pdf": respond(200, make_pdf(["Action plan, fiscal year B.E. 2566"]), {"Content-Type": "application/pdf"}),
    # ... a short page (a heading and a link to another site) sent on to its trailing slash
    "/o17": redirect("/o17/"),
    "/o17/": respond(200, site_page("การจัดซื้อจัดจ้าง", "<h2>ประกาศจัดซื้อจัดจ้าง ปี 2565</h2>"
                                    "<a href='https://process3.gprocurement.go.th/'>e-GP</a>"), HTML),
    # ... a short page at another path, with a search box's "ตกลง" and a footer's link to the policy
    "/o18": redirect("/news/18"),
    "/news/18": respond(200, site_page("การจัดซื้อจัดจ้าง", "<h2>ประกาศ ปี 2565</h2>", banner=(
        "<form action='/search'><input name='q'><button>ตกลง</button></form>"
        "<a href='/privacy'>นโยบายคุ้มครองข้อมูลส่วนบุคคล</a>")), HTML),
    # ... a page whose body a consent plugin marks
    "/o16": redirect("/content/o16"),
    "/content/o16": respond(200, site_page("แผนการดำเนินงาน", THIS_YEARS).replace(
        b"<body>", b"<body class='cookie-consent-active pdpa-consent'>"), HTML),
    # ... and a page on cookies typed as itself (an O10 privacy policy)
    "/cookie-policy": respond(200, site_page("นโยบายคุกกี้", "<h2>นโยบายการใช้คุกกี้</h2><p>ปรับปรุงเมื่อ 1 ตุลาคม 2566 "
                                             "เว็บไซต์ใช้คุกกี้ที่จำเป็นเพื่อให้เว็บไซต์ทำงานได้ และคุกกี้เพื่อการวิเคราะห์ "
                                             "ท่านสามารถปฏิเสธคุกกี้ได้ที่การตั้งค่าของเบราว์เซอร์</p>"), HTML),
}


# What the site answers for a missing path (the soft-404 probe): its template, banner and footer
# with "not found", or the web server's bare 404 (the template then told by the home page).
MISSING = {"template": respond(404, site_page("ไม่พบหน้าที่ต้องการ", "<h2>ไม่พบหน้าที่ต้องการ</h2>"), HTML),
           "bare": respond(404, b"<html><body><h1>Not Found</h1></body></html>", HTML)}


def verdicts(paths, missing: str, rule: YearRule = CURRENT) -> dict:
    """Each path's verdict for an item of `rule`, checked as a sync checks it (the site's
    answer for a missing path, `MISSING[missing]`, asked for)."""
    missing = MISSING[missing]
    settings = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=4, total_timeout_s=8, retries=0,
                       allow_private=("127.0.0.1/32",))
    with LoopbackServer(ROUTES, fallback=missing) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        out = {}
        for path in paths:
            url = srv.url(path)
            result = checker.check(url)
            judged = judge_candidate(Candidate(raw=url, url=url, reasons=()), result, rule)
            out[path] = (judged[0], judged[1], result.years)
        return out


@pytest.mark.parametrize("missing", MISSING)
def test_a_consent_interstitial_an_item_is_sent_to_is_not_the_items_page(missing):
    # The item's page is behind the accept button, unread: each was judged by the banner's page,
    # "ok" by its footer's 2566 (a site whose missing paths get the server's bare 404), or "only
    # the template shows 2566" (last year's data?) where the template is told. A look by hand
    # (consent_wall: open it in a browser, accept and check), never a verdict on what the checker did not see.
    got = verdicts(["/o10", "/o11"], missing)
    assert got == dict.fromkeys(["/o10", "/o11"], (Status.OK, ("consent_wall",), None))


@pytest.mark.parametrize("missing", MISSING)
def test_an_item_page_with_a_consent_banner_keeps_its_verdict(missing):
    got = verdicts(["/o12", "/o13", "/o14", "/o15", "/o16", "/o17", "/o18", "/cookie-policy"], missing)
    # last year's plan: 2566 in its template alone (told by the not-found page, or, where a missing
    # path gets the bare 404, by the home page's header and footer: it was a false ok by its footer)
    assert got["/o12"][:2] == got["/o17"][:2] == got["/o18"][:2] == (Status.WARNING, ("year_only_in_template",))
    for path in ("/o13", "/o14", "/o15", "/o16", "/cookie-policy"):  # this year's, by their own content
        assert got[path][:2] == (Status.OK, ()) and 2566 in got[path][2], path
