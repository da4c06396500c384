"""The years a site's template shows on every page (today's date in its header, a menu's "ITA
2566", a sidebar's news, "© 2566") are not an item page's own (sheets_sync.check.template): unit
cases, then real checks on the loopback farm, each with the guard that keeps an item's own year."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from sheets_sync.check import content, template
from sheets_sync.check.cache import ResultCache
from sheets_sync.check.checker import Checker
from sheets_sync.check.classify import _template_only, template_years
from sheets_sync.check.template import MAX_LINES, lines_years, without_lines, year_lines
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core import reasons
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.judge.verdicts import judge_candidate
from sheets_sync.state.store import State
from tests.support.farm import Farm, post_line

TOP = '<div class="date">วันพุธที่ 1 กุมภาพันธ์ 2566</div><div class="menu"><a href="/ita">ITA 2566</a></div>'
BOTTOM = "<div class='copy'>&copy; 2566 เทศบาลตำบลเวียงยอง</div>"
URL = "https://a.go.th/ita/o10"


def probe_of(middle: str = "<h1>ไม่พบหน้าที่ต้องการ</h1>", status: int = 404) -> content.Probe:
    return content.probe_from(status, "https://a.go.th/sheets-sync-probe-1", f"{TOP}{middle}{BOTTOM}".encode(),
                              {"Content-Type": "text/html"})


def page_of(middle: str) -> content.Page:
    return content.read_html(f"<title>อบต.</title>{TOP}{middle}{BOTTOM}".encode(), {})


def only(middle: str, probe: content.Probe | None = None) -> list[int]:
    page = page_of(middle)
    return sorted(template_years(URL, URL, page, probe or probe_of(), content.html_years(page)))


def test_a_probes_page_keeps_the_lines_that_show_a_year():
    assert year_lines(f"{TOP}<h1>404</h1><p>ไม่พบหน้า</p>{BOTTOM}") == (
        "วันพุธที่ 1 กุมภาพันธ์ 2566", "ITA 2566", "© 2566 เทศบาลตำบลเวียงยอง")
    assert len(year_lines("<p>ปี 2566</p>" * (MAX_LINES + 50))) == MAX_LINES
    assert year_lines("<p>โทร. 053-511-111</p><p>" + "ปี 2566 " * 100 + "</p>") == ()  # no year; a paragraph


def test_years_only_the_template_shows_are_told_apart():
    assert only("<h1>แผนการดำเนินงาน ประจำปี 2565</h1>") == [2566]
    assert only("<h1>แผนการดำเนินงาน</h1><p>ไม่มีปี</p>") == [2566]


@pytest.mark.parametrize("middle", [
    "<h1>แผนการดำเนินงาน ประจำปี 2566</h1>",
    "<h1>ITA 2566</h1>",  # the same line as the menu's: the page's own copy stays
    "<h1>ปีงบประมาณ 25<b>66</b></h1>",  # a year a Word paste split
    "<p>ประกาศ ณ วันที่ 5 ม.ค. 66</p>",
    "<p>แผน พ.ศ. 2564 - 2568</p>",
])
def test_an_items_own_year_is_never_the_templates(middle):
    assert only(middle) == []


def test_the_clock_beside_the_templates_date_does_not_hide_it():
    clock = probe_of('<div class="now">วันพุธที่ 1 กุมภาพันธ์ 2566 เวลา 09:15:02 น.</div>')
    assert only('<div class="now">วันพุธที่ 1 กุมภาพันธ์ 2566 เวลา 09:15:41 น.</div><h1>แผน ปี 2565</h1>', clock) == [2566]
    assert only('<div class="now">วันพุธที่ 1 กุมภาพันธ์ 2566 เวลา 09:15:41 น.</div><h1>แผน ปี 2566</h1>', clock) == []


def test_a_page_in_another_layout_than_the_probes_keeps_every_year():
    # The site's answer to a missing path is its home page of dated news, one of them this
    # post's own line: the post shows fewer than half of that page's dated lines.
    news = "".join(f"<p>ข่าวกิจกรรมที่ {k} ประจำปี 2566</p>" for k in range(8))
    home = probe_of(f"<p>{post_line(10)}</p>{news}", status=200)
    assert only(f"<p>{post_line(10)}</p>", home) == []
    post = page_of(f"<p>{post_line(10)}</p>")
    assert without_lines(post.raw_html, post.text, home.lines) is None
    # a home page redirected to keeps no lines at all
    html = {"Content-Type": "text/html"}
    assert content.probe_from(200, "https://a.go.th/", f"{TOP}{BOTTOM}".encode(), html).lines == ()
    assert content.probe_from(200, "https://a.go.th/x", f"{TOP}{BOTTOM}".encode(), html).lines


def test_the_main_content_a_page_marks_keeps_its_years():
    # A widget of the latest posts on the not-found page shows this post's own line.
    widget = probe_of(f"<h1>ไม่พบหน้า</h1><aside><p>{post_line(10)}</p></aside>")
    assert only(f"<article><header><p>{post_line(10)}</p></header><p>รายละเอียด</p></article>", widget) == []
    assert only(f"<div><p>{post_line(10)}</p></div>", widget) == [2566]  # nothing marked: the probe decides


def test_a_sidebar_inside_the_main_content_is_still_the_templates():
    sidebar = probe_of("<h1>ไม่พบหน้า</h1><aside><p>ข่าวประชาสัมพันธ์ ประจำปี 2566</p></aside>")
    assert only("<main><h1>แผน ปี 2565</h1><aside><p>ข่าวประชาสัมพันธ์ ประจำปี 2566</p></aside></main>", sidebar) == [2566]


def test_the_quick_count_agrees_with_the_whole_reading():
    # A year written out more often than the template writes it is settled without reading the
    # page line by line; on random pages of template and own lines both ways agree.
    rng = random.Random(2566)
    template_lines = ["วันพุธที่ 1 กุมภาพันธ์ 2566", "ITA 2566", "ข่าว (12 ม.ค. 66)", "© 2566", "แผน 2564 - 2568"]
    own_lines = ["แผน ปี 2565", "ประกาศ ปี 2566", "ณ วันที่ 5 ม.ค. 66", "ITA 2566", "ปีงบประมาณ 25<b>66</b>",
                 "ลงวันที่ 05/10/65", "โทร. 053-511-111", "2566"]
    probe = probe_of("<h1>ไม่พบหน้า</h1>" + "".join(f"<p>{line}</p>" for line in template_lines))
    for _ in range(300):
        shown = [line for line in template_lines for _ in range(rng.choice((0, 1, 1, 2)))]
        shown += rng.sample(own_lines, rng.randint(0, 3))
        rng.shuffle(shown)
        page = page_of("".join(f"<p>{line}</p>" for line in shown))
        years = content.html_years(page)
        own = template.page_template_lines(page.raw_html)  # its "© 2566", a template's wherever it stands
        whole = _template_only(page.raw_html, page.text, probe.lines, (), frozenset(years) & lines_years(probe.lines + own),
                               bool(own))
        assert template_years(URL, URL, page, probe, years) == whole, shown


CRUMBS = ('<ol class="breadcrumb"><li><a href="/">หน้าแรก</a></li><li><a href="/ita2566">ITA 2566</a></li>'
          '<li class="active">{current}</li></ol>')


@pytest.mark.parametrize("probe", [None, "probe"])
@pytest.mark.parametrize("main", [False, True])
def test_a_breadcrumb_trails_sections_are_not_the_items_year(probe, main):
    # Last year's plan filed under the section "ITA 2566": the trail's 2566 passed it as ok,
    # with or without a probe that tells the template, inside the main content or not.
    middle = CRUMBS.format(current="O11 แผนการดำเนินงาน") + "<h1>แผนการดำเนินงาน ประจำปี 2565</h1>"
    middle = f"<main>{middle}</main>" if main else middle
    # (without a probe, a site whose template shows no year: its header's 2566 would stay)
    page = page_of(middle) if probe else content.read_html(f"<title>อบต.</title><div>{middle}</div>".encode(), {})
    years = content.html_years(page)
    assert years == (2565, 2566)
    assert template_years(URL, URL, page, probe and probe_of(), years) == {2566}


@pytest.mark.parametrize("middle", [
    CRUMBS.format(current="แผนการดำเนินงาน ประจำปี 2566") + "<p>ดาวน์โหลดแผน</p>",  # the page's own crumb
    CRUMBS.format(current="O11") + "<h1>ITA 2566</h1><p>แผนการดำเนินงาน</p>",  # the same line once more
    '<nav class="breadcrumbs"><a href="/">หน้าแรก</a> » <span>แผน ปี 2566</span></nav><p>แผน</p>',
    "<p>ITA 2566 แผนการดำเนินงาน</p>",  # no trail at all
    # a trail whose last crumb, the page itself, is a link too
    '<div id="breadcrumbs"><a href="/">หน้าแรก</a> › <a href="/o11">แผน ปี 2566</a> ›</div><p>แผน</p>',
    # an element named so that wraps the content, its list of links: not a trail
    '<div class="with-breadcrumbs">' + "".join(f'<p><a href="/f{k}.pdf">เอกสาร {k} ปี 2566</a></p>' for k in range(20))
    + "</div>",
])
def test_a_year_the_page_shows_besides_its_trails_links_stays_its_own(middle):
    page = content.read_html(f"<title>อบต.</title><div>{middle}</div>".encode(), {})
    assert template_years(URL, URL, page, None, content.html_years(page)) == frozenset()


def test_only_the_first_elements_named_as_trails_are_looked_at():
    # A page has a trail or two; each look scans to its element's end, so thousands left open
    # would cost time squared: after MAX_NAMED looks the rest are not read.
    trail = '<ol class="breadcrumb"><li><a href="/">ITA 2566</a></li><li>O11</li></ol>'
    assert len(template.crumb_lines(trail * (template.MAX_NAMED + 5))) == template.MAX_NAMED
    assert template.crumb_lines('<div class="breadcrumb"><a>ITA 2566</a>' * 3000) == ()  # none closed: no trail


def test_a_checked_page_filed_under_an_ita_2566_section_is_told_by_its_content():
    from tests.support.http_servers import LoopbackServer, respond

    menu = "".join(f"<li><a href='/m{k}'>เมนูที่ {k} ข้อมูลหน่วยงาน</a></li>" for k in range(10))
    html = {"Content-Type": "text/html; charset=utf-8"}

    def item(year: str) -> bytes:
        return (f"<html><head><title>O11</title></head><body><ul>{menu}</ul>"
                + CRUMBS.format(current="O11 แผนการดำเนินงาน")
                + f"<h1>แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. {year}</h1></body></html>").encode()

    settings = replace(CheckerSettings(), retries=0, soft404_probe=False, allow_private=("127.0.0.1/32",))
    with LoopbackServer({"/o11-old": respond(200, item("2565"), html), "/o11": respond(200, item("2566"), html)}) as srv, \
            Checker(settings, pdf_years=((2566,),)) as checker:
        for path, expected in (("/o11-old", (Status.WARNING, ("year_only_in_template",))), ("/o11", (Status.OK, ()))):
            url = srv.url(path)
            result = checker.check(url)
            assert judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,))) == expected


def test_no_probe_no_lines_or_the_home_page_take_nothing_away():
    page = page_of("<h1>แผน ปี 2565</h1>")
    years = content.html_years(page)
    assert template_years(URL, URL, page, None, years) == frozenset()
    assert template_years(URL, URL, page, probe_of(status=404).__class__(final_url="x", shingles=frozenset()),
                          years) == frozenset()
    assert template_years("https://a.go.th/", "https://a.go.th/", page, probe_of(), years) == frozenset()
    assert template_years(URL, URL, replace(page, document="รายงาน ปี 2566"), probe_of(), years) == frozenset()


def test_a_row_told_its_year_shows_only_in_the_template():
    url = URL
    candidate = Candidate(raw=url, url=url, reasons=())
    result = CheckResult(url=url, status=Status.OK, years=(2565,), template_years=(2566,))
    assert judge_candidate(candidate, result, YearRule((2566,))) == (Status.WARNING, ("year_only_in_template",))
    assert judge_candidate(candidate, result, YearRule((2565,))) == (Status.OK, ())
    assert judge_candidate(candidate, result, YearRule((2567,))) == (Status.WARNING, ("no_fiscal_year",))
    note = reasons.note_th(("year_only_in_template",), {"years": "2566", "wanted": "ของปี พ.ศ. 2566"})
    assert "2566" in note and "ทุกหน้า" in note


def test_the_cache_keeps_the_templates_years(tmp_path):
    with State(tmp_path / "state.sqlite") as state:
        cache = ResultCache(state)
        kept = [CheckResult(url="http://a/1", status=Status.OK, years=(2565,), template_years=(2566,)),
                CheckResult(url="http://a/2", status=Status.OK, years=(2566,)),
                CheckResult(url="http://a/3", status=Status.OK)]
        cache.store(kept, 1.0)
        assert [cache.load([r.url])[r.url].result for r in kept] == kept


# ---------------------------------------------------------------- real checks on loopback
DATED, TABLE, POSTS, HOME = "lee.go.th", "tapladuk.go.th", "banthi.go.th", "wiangyong.go.th"
QUERY = "makhuea.go.th"  # items at news.php?id=N; a missing path gets the web server's bare 404


@pytest.fixture(scope="module")
def farm():
    with Farm([DATED, TABLE, POSTS, HOME, QUERY], profiles={DATED: "dated", TABLE: "dated-table", POSTS: "dated-posts",
                                                           HOME: "dated-home", QUERY: "dated-query"}) as f:
        yield f


def settings_for(farm, probe: bool = True) -> CheckerSettings:
    return replace(CheckerSettings(), resolve=farm.resolve, allow_private=farm.allow, retries=0,
                   connect_timeout_s=1, read_timeout_s=1, total_timeout_s=5, soft404_probe=probe)


def check(farm, host: str, path: str, probe: bool = True):
    with Checker(settings_for(farm, probe), pdf_years=((2566,),)) as checker:
        url = farm.url(host, path)
        result = checker.check(url)
    return result, judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,)))


def asked(farm, host: str, start: str) -> int:
    """Requests the farm saw for `host` whose target starts with `start` (query strings included)."""
    with farm._lock:
        return sum(n for (h, target), n in farm.counts.items() if h == host and target.startswith(start))


@pytest.mark.parametrize("host", [DATED, TABLE])
def test_last_years_page_in_a_dated_template_is_not_ok(farm, host):
    result, verdict = check(farm, host, "/old/O10")
    assert verdict == (Status.WARNING, ("year_only_in_template",))
    assert (result.years, result.template_years) == ((2565,), (2566,))
    # the false "ok" it was: without the site's not-found page, the template is not told apart
    assert check(farm, host, "/old/O10", probe=False)[1] == (Status.OK, ())


@pytest.mark.parametrize("host, path", [(DATED, "/oit/O10"), (TABLE, "/oit/O10"), (DATED, "/post/O10"),
                                        (TABLE, "/post/O10"), (DATED, "/docs/O10.pdf"),
                                        (POSTS, "/post/O10"),  # the not-found page's widget shows the post
                                        (HOME, "/post/O10")])  # missing paths get the home page of news
def test_an_items_own_2566_in_a_dated_template_stays_ok(farm, host, path):
    assert check(farm, host, path)[1] == (Status.OK, ())


@pytest.mark.parametrize("path", ["/news.php?id=110", "/news/detail/110"])
def test_a_query_sites_template_is_told_by_its_sibling(farm, path):
    # Its answer to a random path is the web server's bare 404: no template to tell. The same
    # script asked for an id that does not exist shows the template around "ไม่พบข่าว".
    assert check(farm, QUERY, "/sheets-sync-any")[0].reasons == ("http_4xx",)
    result, verdict = check(farm, QUERY, path)
    assert verdict == (Status.WARNING, ("year_only_in_template",))
    assert (result.years, result.template_years) == ((2565,), (2566,))
    assert check(farm, QUERY, path.replace("110", "10"))[1] == (Status.OK, ())  # this year's item


def test_a_number_the_site_ignores_takes_no_year_away(farm):
    # page.php shows the same 2566 page whatever its id: the sibling is the page itself, whose
    # every dated line it shows; taken for the template, it took the page's own 2566 away.
    before = asked(farm, QUERY, "/page.php?id=")
    result, verdict = check(farm, QUERY, "/page.php?id=10")
    assert verdict == (Status.OK, ()) and result.template_years == ()
    assert asked(farm, QUERY, "/page.php?id=") - before == 2  # the page, then its sibling


def test_a_sibling_is_asked_for_once_per_script_in_a_run(farm):
    urls = [farm.url(QUERY, f"/news.php?id={n}") for n in (*range(1, 6), *range(101, 106))]
    before = asked(farm, QUERY, "/news.php?id=")
    with Checker(settings_for(farm), pdf_years=((2566,),)) as checker:
        results = checker.check_many(urls)
    assert asked(farm, QUERY, "/news.php?id=") - before == len(urls) + 1
    assert [results[u].template_years for u in urls] == [()] * 5 + [(2566,)] * 5


def test_a_page_sent_with_404_has_its_templates_years_told_apart_too(farm):
    # A site whose not-found handler serves its friendly addresses (error_status_page) wears its
    # template there as well.
    assert check(farm, DATED, "/friendly/O10")[1] == (Status.WARNING, ("error_status_page",))
    assert check(farm, DATED, "/friendly-old/O10")[1] == (Status.WARNING,
                                                          ("error_status_page", "year_only_in_template"))


def test_a_page_that_links_its_file_is_read_though_its_template_shows_2566(farm):
    # Its own text shows no year; the template's 2566 had the linked file left unread.
    result, verdict = check(farm, DATED, "/embed/linked/O10")
    assert verdict == (Status.OK, ()) and 2566 in result.years
    assert farm.count(DATED, "/docs/O10.pdf") >= 1
    assert check(farm, DATED, "/embed/linked-old/O10")[1] == (Status.WARNING, ("year_only_in_template",))


def test_odd_markup_never_raises_and_only_takes_years_away():
    # Unclosed and stray tags, entities, digits and Thai in any order: the template's years are
    # some of the page's, and nothing raises (a bug here would cost every page of a dated site).
    rng = random.Random(43)
    bits = ["<div>", "</div>", "<main>", "</main>", "<article class='x'>", "<aside>", "</aside>", "<nav>", "<p>",
            "</p>", "<b>", "</b>", "<", ">", "&copy;", "&amp;", "&#3665;", "2566", "๒๕๖๖", "66", "ม.ค.", "ปี ",
            "10:15", " ", "ITA", "<div class='entry-content'>", "</article>", "<td>", "\n", "2564 - 2568",
            "<ol class='breadcrumb'>", "</ol>", "<a href='/'>", "</a>", "<nav aria-label='breadcrumb'>"]
    for _ in range(400):
        probe = probe_of("".join(rng.choice(bits) for _ in range(rng.randint(0, 40))))
        page = page_of("".join(rng.choice(bits) for _ in range(rng.randint(0, 60))))
        years = content.html_years(page)
        assert template_years(URL, URL, page, probe, years) <= set(years)
        assert template_years(URL, URL, page, None, years) <= set(years)
        template.marked_content(page.raw_html)


# ---------------------------------------------------------------- a scan under a dated template
def _footed(body: str) -> bytes:
    """An item page of a site whose footer shows "© 2566" on every page, its not-found page too."""
    return (f"<html><head><title>No Gift Policy - เทศบาลตำบลบ้านธิ</title></head><body>"
            f"<div id='header'><h2>เทศบาลตำบลบ้านธิ</h2></div><div class='menu'><a href='/'>หน้าแรก</a> "
            f"<a href='/ita.php'>ITA</a></div><div id='content'>{body}</div>"
            f"<div id='footer'>เทศบาลตำบลบ้านธิ Copyright &copy; 2566 All rights reserved.</div></body></html>").encode()


@pytest.fixture(scope="module")
def footed():
    from tests.check.test_edge_verdicts import scan_pdf
    from tests.support.farm import make_pdf
    from tests.support.http_servers import LoopbackServer, respond

    html, pdf = {"Content-Type": "text/html; charset=utf-8"}, {"Content-Type": "application/pdf"}
    heading = "<h3>ประกาศเจตนารมณ์นโยบาย No Gift Policy</h3>"
    routes = {
        "/o31-jpg": respond(200, _footed(heading + "<p><img src='/up/nogift.jpg' width='800'></p>"), html),
        "/o31-link": respond(200, _footed(heading + "<p><a href='/up/scan.pdf'>ดาวน์โหลดเอกสาร</a></p>"), html),
        "/o31-frame": respond(200, _footed(heading + "<iframe src='/up/scan.pdf' width='100%' height='800'></iframe>"),
                              html),
        "/o31-gone": respond(200, _footed(heading + "<p><a href='/up/deleted.pdf'>ดาวน์โหลดเอกสาร</a></p>"), html),
        # guards: the page's own heading, a file's text, and a page without a file keep their verdicts
        "/o31-headed-frame": respond(200, _footed("<h3>No Gift Policy ประจำปี 2565</h3>"
                                                  "<iframe src='/up/scan.pdf' width='100%' height='800'></iframe>"), html),
        "/o31-link-old": respond(200, _footed(heading + "<p><a href='/up/old.pdf'>ดาวน์โหลดเอกสาร</a></p>"), html),
        "/o31-bare": respond(200, _footed(heading + "<p>เทศบาลตำบลบ้านธิ ประกาศเจตนารมณ์ไม่รับของขวัญ</p>"), html),
        "/up/nogift.jpg": respond(200, b"\xff\xd8\xff\xe0" + bytes(2000), {"Content-Type": "image/jpeg"}),
        "/up/scan.pdf": respond(200, scan_pdf(), pdf),
        "/up/old.pdf": respond(200, make_pdf(["No Gift Policy", "Fiscal year B.E. 2565"]), pdf),
    }
    missing = respond(404, _footed("<h1>ไม่พบหน้าที่ต้องการ</h1>"), html)
    with LoopbackServer(routes, fallback=missing) as srv:
        yield srv


def _footed_verdict(srv, path: str):
    settings = replace(CheckerSettings(), allow_private=("127.0.0.1/32",), retries=0, connect_timeout_s=1,
                       read_timeout_s=1, total_timeout_s=5)
    url = srv.url(path)
    with Checker(settings, pdf_years=((2566,),)) as checker:
        result = checker.check(url)
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,)))


@pytest.mark.parametrize("path, expected", [
    # was year_only_in_template: the footer's "© 2566" says nothing of the scan's year, a look by hand
    # as on a site whose footer shows no year
    ("/o31-jpg", (Status.OK, ("unverifiable_content",))),
    ("/o31-link", (Status.OK, ("unverifiable_content",))),
    ("/o31-frame", (Status.OK, ("unverifiable_content",))),
    ("/o31-gone", (Status.WARNING, ("linked_file_missing",))),  # the file the assessor clicks is not there
    # guards
    ("/o31-headed-frame", (Status.WARNING, ("year_only_in_template",))),  # its own heading says 2565
    ("/o31-link-old", (Status.WARNING, ("year_only_in_template",))),  # the file read says 2565
    ("/o31-bare", (Status.WARNING, ("year_only_in_template",))),  # its text is its content: no year
])
def test_a_scan_on_a_site_whose_template_shows_2566_is_a_look_by_hand(footed, path, expected):
    assert _footed_verdict(footed, path) == expected
