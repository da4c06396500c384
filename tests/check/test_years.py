"""Which years a page shows, through the real Checker on loopback: the verdict a row gets for its
item's year rule. Each case is a false verdict an agency saw (a plan's period read as two years, a
visitor counter read as a year, last year's six-month report passed as this year's), beside the
pages that must keep theirs. Names reach the server only through --resolve."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.check.years import year_sets
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond

HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF = {"Content-Type": "application/pdf"}
CURRENT = YearRule((2566,))
FIRST_HALF = YearRule((2565, 2566), "first_half")  # O12, O21, O24, O37 as config/oit_items.yaml makes them
RULES = (CURRENT, YearRule((2565, 2566)), FIRST_HALF)
OK, NO_YEAR = (Status.OK, ()), (Status.WARNING, ("no_fiscal_year",))


def page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<nav><a href='/'>หน้าแรก</a></nav><main><h1>{title}</h1>{body}</main>"
            "<footer>เทศบาลตำบลตัวอย่าง จังหวัดลำพูน</footer></body></html>").encode()


def thai_pdf(text: str) -> bytes | None:
    """A PDF of Thai text in an embedded Thai font, as Chromium prints it (None without Chromium)."""
    from sheets_sync.report import pdf as P

    if P.find_chromium() is None:
        return None
    return P.html_to_pdf(f"<html><head><meta charset='utf-8'></head><body><p>{text}</p></body></html>")


def verdicts(routes: dict, rule: YearRule, paths) -> dict:
    """The verdict of each path's URL for an item of `rule`, checked as a sync checks them (the
    catalogue's year sets given, the site's not-found page asked for its template)."""
    missing = respond(404, page("ไม่พบหน้าที่ต้องการ", "<p>404</p>"), HTML)
    settings = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=4, total_timeout_s=8, retries=0,
                       allow_private=("127.0.0.1/32",))
    with LoopbackServer(routes, fallback=missing) as srv, Checker(settings, pdf_years=year_sets(RULES)) as checker:
        out = {}
        for path in paths:
            url = srv.url(path)
            out[path] = judge_candidate(Candidate(raw=url, url=url, reasons=()), checker.check(url), rule)
        return out


# ---------------------------------------------------------------- a plan's period (O4)
PLAN = "<p>แผนยุทธศาสตร์การพัฒนาหน่วยงาน {} ประกอบด้วยวิสัยทัศน์ พันธกิจ เป้าประสงค์ และกลยุทธ์</p>"
PERIODS = {
    # each was "no 2566": the period's second year after its own year word, read as two years
    "/be-twice": ("(พ.ศ. 2564 - พ.ศ. 2568)", OK),
    "/be-twice-joined": ("พ.ศ.2564-พ.ศ.2568", OK),
    "/between-years": ("ระหว่างปี พ.ศ. 2564 ถึงปี พ.ศ. 2568", OK),
    "/until-year": ("ตั้งแต่ปี 2564 จนถึงปี 2568", OK),
    "/thai-digits": ("(พ.ศ. ๒๕๖๔ - พ.ศ. ๒๕๖๘)", OK),
    "/short-second": ("ปีงบประมาณ 2565-66", OK),
    "/short-second-plan": ("(พ.ศ. 2566-70)", OK),
    "/short-second-thai": ("ปีงบประมาณ ๒๕๖๕-๖๖", OK),
    # guards: a period before 2566, a number that only follows a year, two years far apart
    "/old-period": ("(พ.ศ. 2561 - พ.ศ. 2565)", NO_YEAR),
    "/old-short": ("ปีงบประมาณ 2564-65", NO_YEAR),
    "/number-after": ("ปี 2565 - 12 รายการ", NO_YEAR),
    "/far-apart": ("พ.ศ. 2500 - พ.ศ. 2570", NO_YEAR),
}


def test_a_plans_period_written_with_its_year_words_shows_every_year_in_it():
    routes = {path: respond(200, page("แผนยุทธศาสตร์", PLAN.format(period)), HTML)
              for path, (period, _) in PERIODS.items()}
    got = verdicts(routes, CURRENT, PERIODS)
    assert got == {path: expected for path, (_, expected) in PERIODS.items()}


def test_a_plans_period_in_a_pdf_shows_every_year_in_it():
    thai = thai_pdf("แผนยุทธศาสตร์การพัฒนา ระหว่างปี พ.ศ. ๒๕๖๔ ถึงปี พ.ศ. ๒๕๖๘")
    if thai is None:
        pytest.skip("chromium is not installed (apt-get install chromium fonts-thai-tlwg): no Thai PDF to read")
    routes = {"/plan.pdf": respond(200, thai, PDF),
              "/plan-be.pdf": respond(200, make_pdf(["Strategic plan B.E. 2564 - B.E. 2568"]), PDF),
              "/old-plan.pdf": respond(200, make_pdf(["Strategic plan B.E. 2559 - B.E. 2563"]), PDF)}
    assert verdicts(routes, CURRENT, routes) == {"/plan.pdf": OK, "/plan-be.pdf": OK, "/old-plan.pdf": NO_YEAR}


# ---------------------------------------------------------------- the first six months (O12, O21, O24, O37)
HALF_REPORT = "<p>รายงานการกำกับติดตามการดำเนินงานและการใช้งบประมาณประจำปี รอบ 6 เดือน ประจำปีงบประมาณ พ.ศ. {}</p>"
HALF = {
    # last year's six-month report, still linked: each was "ok" (either year counted)
    "/fy2565-half": (HALF_REPORT.format("2565 (1 ตุลาคม 2564 - 31 มีนาคม 2565)"), NO_YEAR),
    "/fy2565-months": ("<ul><li>ต.ค. 64</li><li>พ.ย. 64</li><li>ธ.ค. 64</li><li>ม.ค. 65</li><li>ก.พ. 65</li>"
                       "<li>มี.ค. 65</li></ul>", NO_YEAR),
    # this year's, and its first months alone (a monthly summary begun in October 2565)
    "/fy2566-half": (HALF_REPORT.format("2566 (1 ตุลาคม 2565 - 31 มีนาคม 2566)"), OK),
    "/fy2566-first-months": ("<ul><li>สรุปผลการจัดซื้อจัดจ้าง เดือน ต.ค. 65</li><li>เดือน พ.ย. 65</li></ul>", OK),
    # a list of both years' reports shows this year's too
    "/both-years": (HALF_REPORT.format("2565 (ต.ค. 64 - มี.ค. 65)") + HALF_REPORT.format("2566 (ต.ค. 65 - มี.ค. 66)"),
                    OK),
    "/fy2564-only": ("<p>ผลการดำเนินงาน ปีงบประมาณ 2564</p>", NO_YEAR),
    # last year's named as a fiscal year and no month: fiscal year 2565 began in October 2564 (each was "ok")
    "/fy2565-named": (HALF_REPORT.format("2565") + "<p>ความก้าวหน้าของโครงการ ร้อยละ 45</p>", NO_YEAR),
    "/fy2565-short": ("<p>สรุปผลการจัดซื้อจัดจ้าง รอบ 6 เดือน ปีงบฯ 65</p>", NO_YEAR),
    # ... this year's named so, its months, and 2565 with no fiscal year named keep theirs
    "/fy2566-named": (HALF_REPORT.format("2566"), OK),
    "/fy2566-months": ("<p>สรุปผลการจัดซื้อจัดจ้าง ม.ค. 2566 - มี.ค. 2566</p>", OK),
    "/fy2566-quarter": ("<p>สรุปผลการจัดซื้อจัดจ้าง ต.ค. 2565 - ธ.ค. 2565</p>", OK),
    "/calendar-2565": ("<p>รายงานการดำเนินการตามแผนบริหารทรัพยากรบุคคล พ.ศ. 2565</p>", OK),
}


def test_a_first_half_item_wants_this_fiscal_years_first_half_not_last_years():
    routes = {path: respond(200, page("รายงานรอบ 6 เดือน", body), HTML) for path, (body, _) in HALF.items()}
    routes["/fy2565-half.pdf"] = respond(200, make_pdf(["HR plan implementation report, first 6 months of fiscal "
                                                        "year 2565", "(October 2021 - March 2022)"]), PDF)
    routes["/fy2566-half.pdf"] = respond(200, make_pdf(["HR plan implementation report, first 6 months of fiscal "
                                                        "year 2566", "(October 2022 - March 2023)"]), PDF)
    routes["/fy2565-named.pdf"] = respond(200, make_pdf(["HR plan implementation report", "fiscal year B.E. 2565"]),
                                          PDF)
    expected = {path: want for path, (_, want) in HALF.items()}
    expected |= {"/fy2565-half.pdf": NO_YEAR, "/fy2566-half.pdf": OK, "/fy2565-named.pdf": NO_YEAR}
    assert verdicts(routes, FIRST_HALF, routes) == expected
    # guard: an item that accepts either year (an annual report of the year just ended) keeps them
    either = ["/fy2565-half", "/fy2565-months", "/fy2565-named", "/fy2565-short", "/fy2565-named.pdf"]
    assert verdicts(routes, YearRule((2565, 2566)), either) == dict.fromkeys(either, OK)


def test_a_year_named_as_a_fiscal_year_is_kept_so_in_the_cache(tmp_path):
    from sheets_sync.check.cache import ResultCache
    from sheets_sync.check.years import FiscalYear, fits
    from sheets_sync.core.models import CheckResult
    from sheets_sync.state.store import State

    kept = [CheckResult(url="http://a/1", status=Status.OK, years=(FiscalYear(2565),)),
            CheckResult(url="http://a/2", status=Status.OK, years=(FiscalYear(2565),), template_years=(2566,)),
            CheckResult(url="http://a/3", status=Status.OK, years=(2565,))]
    with State(tmp_path / "state.sqlite") as state:
        cache = ResultCache(state)
        cache.store(kept, 1.0)
        loaded = [cache.load([r.url])[r.url].result for r in kept]
    assert loaded == kept
    assert [fits(r.years, FIRST_HALF) for r in loaded] == [False, False, True]


def test_a_first_half_item_is_settled_only_by_its_current_year():
    # A text that shows only the year before may show the year before that further on: reading
    # must go on (a PDF's next pages, a page's files) until the current year shows.
    assert year_sets([FIRST_HALF]) == ((2566,),)
    assert year_sets([FIRST_HALF, YearRule((2564, 2565))]) == ((2564, 2565), (2566,))


# ---------------------------------------------------------------- numbers that are not years (O19)
LAST_YEARS_PLAN = "<p>แผนการจัดซื้อจัดจ้าง ประจำปีงบประมาณ พ.ศ. 2565 รายการจัดซื้อวัสดุสำนักงาน {}</p>"
NUMBERS = {
    # last year's plan, each with a number a careful reader never takes for the year: were "ok"
    "/phone-thai": ("สอบถามรายละเอียด โทร. ๐ ๕๓๕๑ ๒๕๖๖", NO_YEAR),
    "/phone-thai-dashes": ("ติดต่อ โทร ๐-๕๓๕๑-๒๕๖๖ ในวันและเวลาราชการ", NO_YEAR),
    "/visitors": ("</p><div class='meta'>ผู้เข้าชม 2566 ครั้ง</div><p>", NO_YEAR),
    "/hits": ("</p><div class='meta'>Hits: 2566</div><p>", NO_YEAR),
    "/reads": ("</p><div class='meta'>อ่าน 2023 ครั้ง</div><p>", NO_YEAR),
    "/amount": ("วงเงิน 2566.00 บาท", NO_YEAR),
    "/median-price": ("ราคากลาง 2566 บาท", NO_YEAR),
    "/visitors-people": ("</p><div class='meta'>ผู้เข้าชม 2566 คน</div><p>", NO_YEAR),
    "/visitors-label": ("</p><div class='meta'>ผู้เข้าชม : 2566</div><p>", NO_YEAR),
    # a file's address typed out, under the folder of the month it was uploaded (WordPress's)
    "/upload-address": ("ดาวน์โหลดได้ที่ https://www.banpaen.go.th/wp-content/uploads/2023/01/plan-65.pdf", NO_YEAR),
    # guards: the year beside a count, an ordinal, a date, a file's name, a counter elsewhere
    "/year-and-count": ("</p><p>แผน ปี 2566 จำนวน 12 ครั้ง", OK),
    "/meeting": ("</p><p>การประชุมสภา ประจำปี 2566 ครั้งที่ 1", OK),
    "/first-meeting": ("</p><p>การประชุมประจำปี 2566 ครั้งแรก", OK),
    "/posted": ("</p><div class='meta'>โพสต์เมื่อ 15 มีนาคม 2566</div><p>", OK),
    "/file-name": ('</p><p><a href="/plan.pdf">แผน ปี 2566.pdf</a>', OK),
    "/upload-file-name": ("ดาวน์โหลดได้ที่ https://www.banpaen.go.th/wp-content/uploads/2023/01/plan-2566.pdf", OK),
    "/year-folder": ("ดาวน์โหลดได้ที่ https://www.banpaen.go.th/images/uploads/2566/plan.pdf", OK),
    "/counter-and-year": ("</p><div class='meta'>ผู้เข้าชม 120 ครั้ง</div><p>แก้ไขเมื่อ 1 ก.พ. 2566", OK),
    "/allowances": ("</p><p>เบี้ยยังชีพ ปี 2566 คนพิการ", OK),
    # a statistics table: its last column's heading stands just before the first row's year
    "/stats-table": ("</p><table><tr><th>ปี</th><th>จำนวนผู้เข้าชม</th></tr><tr><td>2566</td><td>1,234</td></tr>"
                     "</table><p>", OK),
}


def test_a_count_an_amount_or_a_telephone_number_is_not_a_year():
    routes = {path: respond(200, page("แผนการจัดซื้อจัดจ้าง", LAST_YEARS_PLAN.format(extra)), HTML)
              for path, (extra, _) in NUMBERS.items()}
    routes["/plan.pdf"] = respond(200, make_pdf(["Procurement plan 2566"]), PDF)
    assert verdicts(routes, CURRENT, NUMBERS) == {path: want for path, (_, want) in NUMBERS.items()}


# ---------------------------------------------------------------- a workbook's months in its sheet names (O21)
def test_a_workbook_whose_months_are_its_sheet_names_shows_their_years():
    from openpyxl import Workbook

    def workbook(titles) -> bytes:
        book = Workbook()
        book.remove(book.active)
        for title in titles:
            book.create_sheet(title).append(["แบบ สขร.1 สรุปผลการดำเนินการจัดซื้อจัดจ้าง", "จัดซื้อวัสดุสำนักงาน", 12500.5])
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()

    xlsx = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    routes = {"/fy66.xlsx": respond(200, workbook(["ต.ค.65", "พ.ย.65", "ธ.ค.65", "ม.ค.66", "ก.พ.66", "มี.ค.66"]), xlsx),
              "/fy65.xlsx": respond(200, workbook(["ต.ค.64", "พ.ย.64", "ธ.ค.64", "ม.ค.65", "ก.พ.65", "มี.ค.65"]), xlsx),
              "/untitled.xlsx": respond(200, workbook(["Sheet1"]), xlsx)}
    # each was "no 2566" (the cells hold no year); last year's months stay last year's
    assert verdicts(routes, FIRST_HALF, routes) == {"/fy66.xlsx": OK, "/fy65.xlsx": NO_YEAR, "/untitled.xlsx": NO_YEAR}


# ---------------------------------------------------------------- a post's date (O31)
REPOSTED = "ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2565"
GIFTS = "<p>เทศบาลตำบลบ้านธิ ประกาศเจตนารมณ์ไม่รับของขวัญ ประจำปี 2565</p>"
POSTED = {
    # last year's announcement put up again: each was "ok" by the day it was posted
    "/posted-thai": (REPOSTED, "<span class='posted-on'>โพสต์เมื่อ 12 มกราคม 2566</span>" + GIFTS, NO_YEAR),
    "/posted-time": (REPOSTED, "<span class='posted-on'>Posted on <time class='entry-date published' "
                               "datetime='2023-01-12'>12 มกราคม 2566</time></span>" + GIFTS, NO_YEAR),
    # guards: this year's posted last year, a text that shows the year besides the date (right
    # after it too), a heading without "ประจำปี", a list of posts with their dates
    "/posted-early": ("ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2566", "<span>โพสต์เมื่อ 28 ธันวาคม 2565</span>", OK),
    "/posted-and-said": (REPOSTED, "<span>โพสต์เมื่อ 12 ม.ค. 2566</span> แผนปี 2566" + GIFTS, OK),
    "/posted-untitled": ("ประกาศเจตนารมณ์ No Gift Policy", "<span>โพสต์เมื่อ 12 มกราคม 2566</span>" + GIFTS, OK),
    "/posted-month": ("สรุปผลการจัดซื้อจัดจ้าง เดือนธันวาคม 2565", "<span>โพสต์เมื่อ 5 มกราคม 2566</span>"
                      "<p>รายการจัดซื้อจัดจ้าง 12 รายการ</p>", OK),  # a month's, not a year's, title
    "/posted-list": (REPOSTED, "".join(f"<div class='post'><a href='/p{k}'>ประกาศ ฉบับที่ {k}</a> "
                                       f"<span>โพสต์เมื่อ {k} มกราคม 2566</span></div>" for k in range(1, 4)) + GIFTS, OK),
}


def test_the_day_a_post_was_put_up_is_not_the_year_its_heading_names():
    routes = {path: respond(200, page(title, f"<article>{body}</article>"), HTML)
              for path, (title, body, _) in POSTED.items()}
    assert verdicts(routes, CURRENT, routes) == {path: want for path, (_, _, want) in POSTED.items()}
    # an item that accepts last year too keeps it
    assert verdicts(routes, YearRule((2565, 2566)), ["/posted-thai", "/posted-time"]) == dict.fromkeys(
        ["/posted-thai", "/posted-time"], OK)


# ---------------------------------------------------------------- a period named by its short year (O12, O19-O21)
SHORT_REPORT = "<p>รายงานผลการจัดซื้อจัดจ้าง {}</p><p>รายละเอียดตามเอกสารแนบ</p>"
SHORT = {
    # this year's period named only by its short year: "ไตรมาส N/66" was a false "no 2566"
    "/quarter": ("ไตรมาส 1/66", OK),
    "/quarter-ordinal": ("ไตรมาสที่ 2/66 (ม.ค. - มี.ค.)", OK),
    "/quarter-spaced": ("ประจำไตรมาส 3 / 66", OK),
    "/quarter-thai": ("ไตรมาสที่ ๑/๖๖", OK),
    # forms already read so (kept so)
    "/quarter-long": ("ไตรมาส 2/2566", OK),
    "/fiscal-short": ("ปีงบ 66", OK),
    "/fiscal-be-short": ("ปีงบประมาณ พ.ศ. 66", OK),
    "/months-span": ("ต.ค. 65 - มี.ค. 66", OK),
    "/month-joined": ("ม.ค.66", OK),
    # last year's quarter, and numbers that only stand near a quarter or are no year at all
    "/quarter-last-year": ("ไตรมาส 4/65", NO_YEAR),
    "/no-fifth-quarter": ("ไตรมาส 5/66", NO_YEAR),
    "/quarter-count": ("ไตรมาส 1 จำนวน 66 รายการ", NO_YEAR),
    "/pages": ("ไตรมาส 1 หน้า 1/66", NO_YEAR),
    "/address": ("ที่ทำการ เลขที่ 66 หมู่ 3 ตำบลป่าสัก", NO_YEAR),
    "/price": ("ไตรมาส 1 ราคา 66 บาท", NO_YEAR),
    "/phone": ("ไตรมาส 1 โทร. 053-511-066 หรือ 081 234 5666", NO_YEAR),
    "/letter-number": ("หนังสือที่ 1/66 ลงวันที่ 3", NO_YEAR),
    # two digits after a year word that are a count or an amount: each was a false "ok"
    "/age-count": ("ผู้สูงอายุ อายุ 60-69 ปี 66 คน", NO_YEAR),
    "/age-cases": ("อายุ 70-79 ปี 66 ราย", NO_YEAR),
    "/rent": ("ค่าเช่าต่อปี 66,000 บาท", NO_YEAR),
    "/per-year-decimal": ("งบประมาณต่อปี 66.5 ล้านบาท", NO_YEAR),
    # ... while a short year before an ordinal or a list keeps it
    "/month-meeting": ("ประชุม ม.ค. 66 ครั้งที่ 1", OK),
    "/fiscal-list": ("ปีงบ 66 รายการที่ 1", OK),
    # an academic year (school-affiliated agencies) and a fiscal year written "FY", short: each was "no 2566"
    "/academic-year": ("ปีการศึกษา 66", OK),
    "/academic-year-joined": ("ภาคเรียนที่ 2 ปีการศึกษา66", OK),
    "/fy-short": ("FY66", OK),
    "/fy-short-spaced": ("FY 66", OK),
    # forms already read so (kept so)
    "/fy-long": ("FY 2566", OK),
    "/fy-ce": ("FY2023", OK),
    "/budget-year": ("งบประมาณ ปี 66", OK),
    # guards: a count after the academic year, a code or an amount after FY, "fy" written small
    "/academic-count": ("ปีการศึกษา 2565 นักเรียน 66 คน", NO_YEAR),
    "/academic-students": ("ปีการศึกษา 66 คน", NO_YEAR),
    "/fy-code": ("รหัสวัสดุ PFY66", NO_YEAR),
    "/fy-amount": ("งบ FY 66,000 บาท", NO_YEAR),
    "/fy-small": ("แฟ้ม fy66", NO_YEAR),
    "/budget-amount": ("งบประมาณ 66,000 บาท", NO_YEAR),
}


def test_a_period_named_by_its_short_year_shows_that_year():
    # each page also names last year (the plan it reports on), so "no 2566" is what reading
    # the short year wrongly (or not at all) would give
    routes = {path: respond(200, page("รายงานผลการจัดซื้อจัดจ้าง", SHORT_REPORT.format(period)
                                      + "<p>ตามแผนปีงบประมาณ พ.ศ. 2565</p>"), HTML)
              for path, (period, _) in SHORT.items()}
    assert verdicts(routes, CURRENT, SHORT) == {path: want for path, (_, want) in SHORT.items()}


QUARTERS = {
    # a quarter is the fiscal year's: the fourth of 2565 (July-September 2565) is last year's,
    # never this fiscal year's first months (O12, O21, O24, O37)
    "/q4-65": ("<p>รายงานผลการดำเนินงาน ไตรมาส 4/65</p>", NO_YEAR),
    "/q3-2565": ("<p>รายงานผลการดำเนินงาน ไตรมาสที่ 3/2565</p>", NO_YEAR),
    "/q1-66": ("<p>รายงานผลการดำเนินงาน ไตรมาส 1/66</p>", OK),
    "/q2-66": ("<p>รายงานผลการดำเนินงาน ไตรมาสที่ ๒/๖๖</p>", OK),
    # ... written "Q": an agency's quarterly report, filed beside its fiscal year's monthly ones
    # (O11's "Q1"/"Q2" files), was this year's first months by "Q4/65"
    "/q4-65-latin": ("<p>รายงานผลการดำเนินงาน Q4/65</p>", NO_YEAR),
    "/q4-2565-latin": ("<p>รายงานผลการดำเนินงาน Q4 / 2565</p>", NO_YEAR),
    "/q1-66-latin": ("<p>รายงานผลการดำเนินงาน Q1/66</p>", OK),
    # guard: this fiscal year's first months by their calendar year alone, beside a word that is
    # no quarter ("q4/65" is not how a quarter is written, nor "SQ4/65" a material's code)
    "/first-months-code": ("<p>ผลการดำเนินงาน ต.ค. - ธ.ค. 2565 รหัสวัสดุ SQ4/65 q4/65</p>", OK),
    # guard: this fiscal year's first months by their calendar year alone
    "/first-months": ("<p>รายงานผลการดำเนินงาน ไตรมาส 1 (ต.ค. - ธ.ค. 65)</p>", OK),
    # last year named a fiscal year as "FY" or "งบประมาณ ปี": each was this year's first months ("ok")
    "/fy2565": ("<p>รายงานผลการดำเนินงาน รอบ 6 เดือน FY2565</p>", NO_YEAR),
    "/fy2022": ("<p>รายงานผลการดำเนินงาน รอบ 6 เดือน FY2022</p>", NO_YEAR),
    "/fy65": ("<p>รายงานผลการดำเนินงาน รอบ 6 เดือน FY 65</p>", NO_YEAR),
    "/budget-year-2565": ("<p>รายงานผลการดำเนินงาน รอบ 6 เดือน งบประมาณ ปี 2565</p>", NO_YEAR),
    "/budget-year-65": ("<p>รายงานผลการดำเนินงาน รอบ 6 เดือน งบประมาณปี 65</p>", NO_YEAR),
    # ... this year's so named, and last year's calendar months beside an "FY" that is a code
    "/fy66": ("<p>รายงานผลการดำเนินงาน รอบ 6 เดือน FY66</p>", OK),
    "/budget-year-66": ("<p>รายงานผลการดำเนินงาน งบประมาณ ปี 2566 (ต.ค. 65 - มี.ค. 66)</p>", OK),
    "/fy-code-months": ("<p>ผลการดำเนินงาน ต.ค. - ธ.ค. 2565 รหัส PFY65 fy65</p>", OK),
}


def test_a_quarters_year_is_a_fiscal_year_for_a_first_half_item():
    # (a title without "ไตรมาส": a page that writes its quarter "Q4/65" may write the word nowhere)
    routes = {path: respond(200, page("รายงานผลการดำเนินงาน", body), HTML) for path, (body, _) in QUARTERS.items()}
    assert verdicts(routes, FIRST_HALF, QUARTERS) == {path: want for path, (_, want) in QUARTERS.items()}


# ---------------------------------------------------------------- a meeting's number with its short year (O30, O40, O43)
MINUTES = "<p>รายงานการประชุม {}</p><p>ตามแผนปีงบประมาณ พ.ศ. 2565</p>"
NUMBERED = {
    # "ครั้งที่ N/yy" is the Nth meeting of year yy, and "Q1/66" a quarter's report: a list of
    # minutes or reports named only so was a false "no 2566" (each page also names 2565)
    "/meeting": ("สภาเทศบาล สมัยสามัญ สมัยที่ 1 ครั้งที่ 1/66", OK),
    "/meeting-joined": ("คณะกรรมการ ครั้งที่1/66", OK),
    "/meeting-spaced": ("พนักงานเทศบาล ครั้งที่ 2 / 66", OK),
    "/meeting-thai": ("คณะผู้บริหาร ครั้งที่ ๓/๖๖", OK),
    "/meeting-twelfth": ("ประจำเดือน ครั้งที่ 12/66", OK),
    "/quarter-q": ("ผลการดำเนินงาน Q1/66", OK),
    "/quarter-q-spaced": ("ผลการดำเนินงาน Q2 / 66", OK),
    # forms already read so (kept so)
    "/meeting-long": ("ครั้งที่ 2/2566", OK),
    "/quarter-q-long": ("ผลการดำเนินงาน Q1/2566", OK),
    "/first-quarter": ("ผลการดำเนินงาน ไตรมาสแรก ปี 66", OK),
    "/half-months": ("ผลการดำเนินงาน รอบ 6 เดือน (ต.ค.65-มี.ค.66)", OK),
    # last year's meeting or quarter, and numbers after a slash that name no year: a letter's
    # number (its running number after the office's code, "ว" for a circular), an order cited by
    # its short number, a house number, a page, a fifth quarter, a code that ends in Q1
    "/meeting-last-year": ("ครั้งที่ 4/65", NO_YEAR),
    "/quarter-q-last-year": ("ผลการดำเนินงาน Q4/65", NO_YEAR),
    "/letter": ("ตามหนังสือที่ ลพ 52001/66 ลงวันที่ 3", NO_YEAR),
    "/letter-circular": ("ตามหนังสือ ที่ ลพ 0023.3/ว 66", NO_YEAR),
    "/letter-office": ("หนังสือ ที่ 0023.3/66", NO_YEAR),
    "/order": ("อาศัยอำนาจตามคำสั่งที่ 12/66", NO_YEAR),
    "/announcement": ("ตามประกาศ ฉบับที่ 3/66", NO_YEAR),
    "/house": ("ณ ห้องประชุม เลขที่ 12/66 หมู่ 3", NO_YEAR),
    "/meeting-page": ("ครั้งที่ 1 หน้า 1/66", NO_YEAR),
    "/meeting-count": ("ครั้งที่ 1 ผู้เข้าร่วม 3/66 คน", NO_YEAR),
    "/quarter-fifth": ("ผลการดำเนินงาน Q5/66", NO_YEAR),
    "/quarter-code": ("รหัสวัสดุ SQ1/66", NO_YEAR),
}


def test_a_meetings_or_a_quarters_number_with_its_short_year_shows_that_year():
    routes = {path: respond(200, page("รายงานการประชุม", MINUTES.format(number)), HTML)
              for path, (number, _) in NUMBERED.items()}
    assert verdicts(routes, CURRENT, NUMBERED) == {path: want for path, (_, want) in NUMBERED.items()}


# ---------------------------------------------------------------- a year spaced out, or in full-width digits
SPACED = {
    # this year's plan with its year typed spaced out or in full-width digits: each was "no 2566"
    # (each page also names 2565, last year's plan it follows)
    "/spaced": ("ประจำปีงบประมาณ พ.ศ. 2 5 6 6", OK),
    "/spaced-thai": ("ประจำปี พ.ศ. ๒ ๕ ๖ ๖", OK),
    "/spaced-nbsp": ("ประจำปี 2&nbsp;5&nbsp;6&nbsp;6", OK),
    "/wide": ("ประจำปีงบประมาณ พ.ศ. ２５６６", OK),
    # guards: numbers spaced out that are no year, and single digits each in its own cell
    "/counts": ("ตารางที่ 1 2 3 4 ผลการสำรวจ", NO_YEAR),
    "/phone": ("ติดต่อ โทร. 0 5356 1234 หรือ 0 2 5 6 6 1234", NO_YEAR),
    "/amount": ("ค่าธรรมเนียม 2 5 6 6 บาท", NO_YEAR),
    "/longer-run": ("รหัส 1 2 5 6 6 7", NO_YEAR),
    "/run-ending-so": ("คะแนนรายข้อ 8 2 5 6 6", NO_YEAR),
    "/ce-quad": ("ลำดับ 2 0 2 3", NO_YEAR),
    "/cells": ("</p><table><tr><td>เรื่องร้องเรียน</td><td>2</td><td>5</td><td>6</td><td>6</td></tr></table><p>", NO_YEAR),
    "/wide-amount": ("วงเงิน ２５６６ บาท", NO_YEAR),
}


def test_a_year_spaced_out_or_in_full_width_digits_shows_that_year():
    routes = {path: respond(200, page("แผนการจัดซื้อจัดจ้าง", f"<p>แผนการจัดซื้อจัดจ้าง {year}</p>"
                                      "<p>ต่อเนื่องจากแผนปีงบประมาณ พ.ศ. 2565</p>"), HTML)
              for path, (year, _) in SPACED.items()}
    assert verdicts(routes, CURRENT, SPACED) == {path: want for path, (_, want) in SPACED.items()}


SPACED_HALF = {
    # last year's six-month report, its fiscal year spaced out or in full-width digits: read as
    # plain 2565, it was this fiscal year's first months ("ok") for a first-half item
    "/spaced-2565": ("ประจำปีงบประมาณ พ.ศ. 2 5 6 5", NO_YEAR),
    "/wide-2565": ("ประจำปีงบประมาณ ２５６５", NO_YEAR),
    "/wide-short-65": ("ปีงบ ６５ (ต.ค. 64 - มี.ค. 65)", NO_YEAR),
    # ... this year's, and this fiscal year's first months by their calendar year alone
    "/spaced-2566": ("ประจำปีงบประมาณ พ.ศ. 2 5 6 6", OK),
    "/wide-2566": ("ประจำปีงบประมาณ ２５６６", OK),
    "/spaced-months": ("ต.ค. - ธ.ค. 2 5 6 5", OK),
}


def test_a_fiscal_year_spaced_out_or_in_full_width_digits_is_one_for_a_first_half_item():
    routes = {path: respond(200, page("รายงานรอบ 6 เดือน", f"<p>รายงานผลการดำเนินงาน รอบ 6 เดือน {year}</p>"), HTML)
              for path, (year, _) in SPACED_HALF.items()}
    assert verdicts(routes, FIRST_HALF, SPACED_HALF) == {path: want for path, (_, want) in SPACED_HALF.items()}
