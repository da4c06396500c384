"""Lists a page's scripts fill in as it opens (sheets_sync.check.scripted): a look in a browser,
never "no 2566"; a page whose empty table no script fills keeps its year verdict."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from sheets_sync.check import content
from sheets_sync.check.checker import Checker
from sheets_sync.check.scripted import filled_by_script
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.http_servers import LoopbackServer, respond

HEAD = "<thead><tr><th>ลำดับ</th><th>ชื่อเอกสาร</th><th>วันที่</th></tr></thead>"
DATATABLE = f'<table id="ita-docs" class="table">{HEAD}<tbody></tbody></table>'
# an empty table no data script names, beside a visitor counter's request
COUNTER = (f'<table id="ita-docs">{HEAD}<tbody></tbody></table><span id="hits"></span>'
           '<script>$.get("/counter", function (n) { $("#hits").text(n); });</script>')
ASKS = '<script>$(function(){ $("#ita-docs").DataTable({ajax: "/api/ita?item=10", serverSide: true}); });</script>'


def html(body: str, heading: str = "O10 แผนการดำเนินงาน", top: str = "") -> bytes:
    menu = "".join(f"<li><a href='/m{k}'>เมนูที่ {k} ข้อมูลหน่วยงาน</a></li>" for k in range(12))
    return (f"<!DOCTYPE html><html><head><title>{heading}</title></head><body>{top}<ul>{menu}</ul><h1>{heading}</h1>"
            f"<p>เอกสารเผยแพร่ของหน่วยงานตามหลักเกณฑ์การประเมินคุณธรรมและความโปร่งใส</p>{body}"
            "<footer>สงวนลิขสิทธิ์ เทศบาลตำบลเหมืองง่า จังหวัดลำพูน</footer></body></html>").encode()


PAGES = {
    "/ajax": html(DATATABLE + ASKS),
    "/ajax-dated": html(DATATABLE + ASKS, heading="O10 แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2565"),
    "/loading": html('<div id="list">กำลังโหลดข้อมูล...</div><script>fetch("/api/list").then(r => r.text())'
                     '.then(t => document.getElementById("list").innerHTML = t);</script>'),
    "/counter": html(COUNTER),
    # a table the page sends filled, that a script only sorts
    "/sorted": html(f'<table id="ita-docs">{HEAD}<tbody><tr><td>1</td><td>แผนการดำเนินงาน</td><td>1 ต.ค.</td></tr>'
                    f'</tbody></table><script>$("#ita-docs").DataTable({{ajax: null}});</script>'),
}


@pytest.fixture(scope="module")
def server():
    routes = {path: respond(200, body, {"Content-Type": "text/html; charset=utf-8"}) for path, body in PAGES.items()}
    routes["/api/ita"] = respond(200, b'{"data": [["1", "O10 2566", "1 Oct 2565"]]}', {"Content-Type": "application/json"})
    with LoopbackServer(routes) as srv:
        yield srv


def verdict(server, path: str, probe: bool = False):
    settings = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=0,
                       soft404_probe=probe, allow_private=("127.0.0.1/32",))
    url = f"http://127.0.0.1:{server.port}{path}"
    with Checker(settings, pdf_years=((2566,),)) as checker:
        result = checker.check(url)
    return judge_candidate(Candidate(raw=url, url=url, reasons=()), result, YearRule((2566,)))


@pytest.mark.parametrize("path", ["/ajax", "/loading"])
def test_a_list_a_script_fills_is_a_look_in_a_browser_not_no_2566(server, path):
    assert verdict(server, path) == (Status.OK, ("script_page",))


@pytest.mark.parametrize("path", ["/counter", "/sorted"])
def test_a_page_whose_empty_table_no_data_script_fills_keeps_its_year_verdict(server, path):
    assert verdict(server, path) == (Status.WARNING, ("no_fiscal_year",))


def test_a_page_that_shows_a_year_of_its_own_is_judged_by_it(server):
    # Its heading says 2565: that is what the agency published, whatever the list brings.
    assert verdict(server, "/ajax-dated") == (Status.WARNING, ("no_fiscal_year",))


def test_a_list_a_script_fills_beside_a_dated_template_is_a_look_in_a_browser_too():
    # Today's date in the header was its only year: the template's (year_only_in_template),
    # while the list the script brings may well show 2566.
    top = '<div class="today">วันพุธที่ 1 กุมภาพันธ์ 2566</div>'
    routes = {"/ajax": respond(200, html(DATATABLE + ASKS, top=top), {"Content-Type": "text/html; charset=utf-8"}),
              "/counter": respond(200, html(COUNTER, top=top), {"Content-Type": "text/html; charset=utf-8"})}
    missing = respond(404, html("<p>ขออภัย ไม่พบหน้าที่ท่านต้องการ</p>", heading="404", top=top),
                      {"Content-Type": "text/html; charset=utf-8"})
    with LoopbackServer(routes, fallback=missing) as dated:
        assert verdict(dated, "/ajax", probe=True) == (Status.OK, ("script_page",))
        assert verdict(dated, "/counter", probe=True) == (Status.WARNING, ("year_only_in_template",))


@pytest.mark.parametrize("markup, filled", [
    (DATATABLE + ASKS, True),
    (f'<table id="ita-docs">{HEAD}</table>' + ASKS, True),  # a head and no body at all
    (f'<table id="ita-docs">{HEAD}<tbody><tr><td colspan="3">กำลังโหลด...</td></tr></tbody></table>' + ASKS, True),
    ('<ul id="docs">\n  Loading…</ul><script>axios.get("/api/docs").then(r => draw("#docs", r.data))</script>', True),
    (DATATABLE, False),  # no script at all
    (DATATABLE + '<script>$("#ita-docs").DataTable();</script>', False),  # sorts the rows it was sent
    (DATATABLE + '<script>$.get("/x", f)</script><script>$("#ita-docs").DataTable();</script>', False),
    (DATATABLE.replace('id="ita-docs"', 'id="ita-docs-2"') + ASKS, False),  # another table's id
    ('<table id="ita-docs"><tbody><tr><td>O10 แผน</td></tr><tr><td>O11</td></tr></tbody></table>' + ASKS, False),
])
def test_both_signs_are_needed(markup, filled):
    assert filled_by_script(content.read_html(markup.encode(), {}).raw_html, markup.encode()) is filled


def test_odd_markup_never_raises():
    rng = random.Random(7)
    bits = ["<table id='t'>", "</table>", "<thead>", "</thead>", "<tbody>", "</tbody>", "<tr>", "<td>", "</td>",
            "</tr>", "<script>", "</script>", "$.get(", "#t", "ajax:", "fetch(", "loading", "<div id='t'>", "</div>",
            "<", ">", " ", "กำลังโหลด", "'t'"]
    seen = set()
    for _ in range(2000):
        markup = "".join(rng.choice(bits) for _ in range(rng.randint(0, 30)))
        seen.add(filled_by_script(markup, markup.encode()))
    assert seen == {True, False}
