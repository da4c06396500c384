"""`sheets-sync export` (issue 14): the ITAS-ready list of an agency round-trips from the sheet (every
backend) to .xlsx and .csv and back; formula-like text comes out as text; --all writes one file each."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from sheets_sync import cli
from sheets_sync.config.settings import load_config
from sheets_sync.core.cellsafe import as_text_cell, csv_text, looks_like_formula
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.export import itas
from sheets_sync.importing.read import unescaped
from tests.support.configs import shipped_config
from tests.support.sheets import HARNESSES

AT = datetime(2023, 2, 20, 9, 0, tzinfo=BANGKOK)
HOSTILE = ("=HYPERLINK(\"http://evil.example/\",\"คลิก\")", "+66 53 511 192", "-1+1", "@SUM(1,2)",
           "\t=1+1", "\r=1+1")


@pytest.fixture(scope="module")
def config():
    return shipped_config(agencies=2)


@pytest.fixture(params=sorted(HARNESSES))
def sheet(request, tmp_path, config):
    harness = HARNESSES[request.param](tmp_path)
    harness.backend.ensure_layout(config.catalog, config.agencies)
    return harness


def fill(sheet, code: str) -> dict[str, tuple[str, str]]:
    """Plays the agency (URLs and explanations, in no particular order) and the worker (verdicts)."""
    typed = {
        "O12": ("https://a.go.th/plan-2566", "แผนดำเนินงานประจำปี หน้า 3"),
        "O1": ("https://a.go.th/structure", "แผนผังโครงสร้างอยู่กลางหน้า"),
        "O5": ("https://a.go.th/contact\nhttps://www.facebook.com/a", ""),
        "O30": ("https://a.go.th/gone", "ลิงก์เดิม"),
        "O43": ("", "ยังไม่ได้เผยแพร่ จะส่งภายหลัง"),
        "O2": ("https://a.go.th/exec", ""),  # typed after the last check: no verdict yet
    }

    def type_them(e):
        for item, (url, said) in typed.items():
            e.set_url(code, item, url)
            e.set(code, item, "explanation", said)

    sheet.edit_now(type_them)
    verdicts = [Verdict(RowKey(code, item), typed[item][0], status, reasons, checked_at=AT)
                for item, status, reasons in (("O1", Status.OK, ()), ("O12", Status.OK, ()),
                                              ("O5", Status.WARNING, ("homepage",)),
                                              ("O30", Status.BROKEN, ("http_4xx",)))]
    sheet.backend.write_results(verdicts)
    return typed


def read_back_xlsx(data: bytes) -> tuple[list[list[object]], object]:
    ws = load_workbook(io.BytesIO(data))[itas.SHEET_TITLE]
    return [[c.value for c in row] for row in ws.iter_rows()], ws


def table(rows: list[list[object]]) -> list[list[str]]:
    start = next(i for i, r in enumerate(rows) if r and r[0] == itas.HEADERS[0]) + 1
    return [["" if v is None else str(v) for v in r] for r in rows[start:]]


def test_filled_agency_round_trips_in_itas_order(sheet, config):
    code = config.agencies[0].code
    typed = fill(sheet, code)
    snapshot = sheet.backend.read(config.catalog)
    lst = itas.build_list(snapshot, config.catalog, config.agencies[0], AT)

    rows, _ = read_back_xlsx(itas.render_xlsx(lst))
    text = itas.render_csv(lst).decode("utf-8-sig")
    for body in (table(rows), table(list(csv.reader(io.StringIO(text))))):
        assert [r[0] for r in body] == [f"O{n}" for n in range(1, 44)]
        by_item = {r[0]: r for r in body}
        sheet_rows = {r.key.item: r for r in snapshot.rows if r.key.agency == code}
        for item, row in by_item.items():
            assert row[2] == sheet_rows[item].url_text and row[3] == sheet_rows[item].explanation, item
        for item, (url, said) in typed.items():
            assert (by_item[item][2], by_item[item][3]) == (url, said)
        assert by_item["O1"][4] == Status.OK.label_th and by_item["O1"][5] == ""
        assert by_item["O30"][4] == Status.BROKEN.label_th and by_item["O30"][5].startswith(Status.BROKEN.label_th + ": ")
        assert by_item["O5"][5].startswith(Status.WARNING.label_th)
        assert by_item["O2"][4] == itas.PENDING_TH and by_item["O2"][5] == itas.NOT_CHECKED_TH
        assert by_item["O43"][5] == itas.NOT_SENT_TH and by_item["O7"][5] == itas.NOT_SENT_TH
        warned = {r[0] for r in body if r[5]}
        assert warned == {f"O{n}" for n in range(1, 44)} - {"O1", "O12"}
    assert lst.warnings == 41


def test_hostile_agency_name_url_and_explanation_come_out_as_text(tmp_path, config):
    from sheets_sync.sheet.memory import MemoryBackend
    from tests.support.sheets import MemoryHarness

    harness = MemoryHarness(tmp_path)
    assert isinstance(harness.backend, MemoryBackend)
    hostile = dataclasses.replace(config.agencies[0], name=HOSTILE[0])
    harness.backend.ensure_layout(config.catalog, (hostile,))

    def type_them(e):
        for n, text in enumerate(HOSTILE, start=1):
            e.set_url(hostile.code, f"O{n}", text)
            e.set(hostile.code, f"O{n}", "explanation", text)

    harness.edit_now(type_them)
    snapshot = harness.backend.read(config.catalog)
    agency = next(a for a in snapshot.agencies if a.code == hostile.code)
    assert agency.name == HOSTILE[0]
    lst = itas.build_list(snapshot, config.catalog, agency, AT)
    sheet_text = {r.key.item: r.url_text for r in snapshot.rows}

    _, ws = read_back_xlsx(itas.render_xlsx(lst))
    formula_like = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and looks_like_formula(c.value)]
    assert len(formula_like) >= 1 + len(HOSTILE)  # the name line and the URL cells at least
    for c in formula_like:
        assert c.data_type == "s" and c.quotePrefix, c.coordinate
    assert ws["A2"].value == f"หน่วยงาน: {HOSTILE[0]} ({hostile.code})"
    names = [c.value for c in ws["A"]]
    assert HOSTILE[0] in ws["A2"].value and names[0].startswith("รายการสำหรับกรอกในระบบ ITAS")

    raw = itas.render_csv(lst).decode("utf-8-sig")
    body = table(list(csv.reader(io.StringIO(raw))))
    for n, row in enumerate(body[:len(HOSTILE)], start=1):
        assert row[2] == "'" + sheet_text[f"O{n}"] and row[3] == "'" + sheet_text[f"O{n}"], row
    for line in csv.reader(io.StringIO(raw)):
        assert not any(looks_like_formula(field) for field in line), line


def test_cellsafe_covers_every_formula_start():
    class Cell:
        value = None
        data_type = "n"
        quotePrefix = False

    # Full width too ('＝' typed with an East Asian input method): Excel there, and LibreOffice with
    # some settings, read it as '='; the guard went through untouched.
    full_width = ("＝HYPERLINK(\"http://evil.example/\")", "＋66 53 511 192", "－ อยู่ท้ายหน้า", "＠SUM(1,2)")
    for text in HOSTILE + ("=1", "\r") + full_width:
        c = Cell()
        as_text_cell(c, text)
        assert (c.value, c.data_type, c.quotePrefix) == (text, "s", True)
        assert csv_text(text) == "'" + text
        assert unescaped(csv_text(text)) == text  # an ITAS list sent back imports the text as it was
    for text in ("https://a.go.th/-x", "ข้อ ＝ ๑", "ก＋ข"):  # a sign inside the text is no formula
        c = Cell()
        as_text_cell(c, text)
        assert (c.data_type, c.quotePrefix) == ("s", False) and csv_text(text) == text


def test_cli_export_one_agency_and_all(workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)

    def run(*args):
        code = cli.main(["--config", "config/settings.yaml", "-q", *args])
        return code, capsys.readouterr().out

    assert run("init")[0] == 0
    config = load_config("config/settings.yaml")
    code = config.agencies[0].code
    assert run("export", "--agency", code, "--out", "out/one.csv")[0] == 0
    body = table(list(csv.reader(io.StringIO((workdir / "out" / "one.csv").read_text("utf-8-sig")))))
    assert [r[0] for r in body] == [f"O{n}" for n in range(1, 44)]
    assert all(r[5] == itas.NOT_SENT_TH for r in body)
    assert run("export", "--agency", code, "--out", "out/one.xlsx")[0] == 0
    assert table(read_back_xlsx((workdir / "out" / "one.xlsx").read_bytes())[0]) == body
    assert run("export", "--agency", "nobody", "--out", "x.csv")[0] == 2
    assert run("export", "--agency", code, "--out", "x.txt")[0] == 2
    exit_code, out = run("export", "--all", "--out", "itas", "--format", "csv")
    assert exit_code == 0 and f"written {len(config.agencies)} files" in out
    assert sorted(p.name for p in (workdir / "itas").iterdir()) == sorted(f"{a.code}.csv" for a in config.agencies)


def test_file_names_from_odd_codes_are_safe_and_distinct(tmp_path, config):
    from sheets_sync.sheet.backend import Snapshot

    odd = [dataclasses.replace(config.agencies[0], code=c) for c in ("../etc/passwd", "..-etc-passwd", "ก/ข")]
    written = itas.write_all(Snapshot(agencies=tuple(odd), rows=()), config.catalog, tmp_path / "out", AT, ".csv")
    paths = [p for _, p in written]
    assert len({p.name for p in paths}) == 3 and all(p.parent == tmp_path / "out" for p in paths)


def test_a_verdict_about_an_earlier_url_is_exported_as_pending(tmp_path, config):
    """The sheet's status of a row whose URL the agency changed after the check is about the old URL:
    the export says รอตรวจ with a warning (the history knows which URL each verdict judged)."""
    from tests.support.sheets import MemoryHarness

    sheet = MemoryHarness(tmp_path)
    sheet.backend.ensure_layout(config.catalog, config.agencies)
    code = config.agencies[0].code
    typed = fill(sheet, code)
    judged = {RowKey(code, item): url for item, (url, _) in typed.items() if item != "O2"}
    judged[RowKey(code, "O1")] = "https://a.go.th/old-structure"  # the OK verdict was about this
    lst = itas.build_list(sheet.backend.read(config.catalog), config.catalog, config.agencies[0], AT, judged)
    by_item = {line.item: line for line in lst.lines}
    assert (by_item["O1"].verdict, by_item["O1"].warning) == (itas.PENDING_TH, itas.NOT_CHECKED_TH)
    assert by_item["O1"].url == typed["O1"][0]
    assert by_item["O12"].verdict == Status.OK.label_th and by_item["O12"].warning == ""
    assert by_item["O2"].verdict == itas.PENDING_TH  # never judged at all
    assert by_item["O30"].verdict == Status.BROKEN.label_th


def test_a_year_note_names_the_items_year_as_the_sheet_does(tmp_path, config):
    from sheets_sync.check import years
    from sheets_sync.core import reasons
    from tests.support.sheets import MemoryHarness

    sheet = MemoryHarness(tmp_path)
    sheet.backend.ensure_layout(config.catalog, config.agencies)
    code = config.agencies[0].code
    sheet.edit_now(lambda e: e.set_url(code, "O19", "https://a.go.th/procurement-plan"))
    sheet.backend.write_results([Verdict(RowKey(code, "O19"), "https://a.go.th/procurement-plan", Status.WARNING,
                                         ("no_fiscal_year",), checked_at=AT)])
    lst = itas.build_list(sheet.backend.read(config.catalog), config.catalog, config.agencies[0], AT)
    (line,) = [line for line in lst.lines if line.item == "O19"]
    rule = config.catalog.year_rule("O19")
    assert rule.checked and str(config.catalog.year) in line.warning
    sheet_note = reasons.note_th(("no_fiscal_year",), years.note_values(rule)).replace("• ", "")
    assert line.warning == f"{Status.WARNING.label_th}: {sheet_note}"


def test_without_a_state_file_the_sheets_own_checked_url_tells_a_verdict_about_an_earlier_url(sheet, config):
    """No history to ask (a coordinator's laptop, a state file lost): a URL typed after the last
    check was exported with the earlier URL's "ใช้งานได้". The sheet's "URL ที่ตรวจ" says which URL
    each verdict judged, on every backend."""
    code = config.agencies[0].code
    typed = fill(sheet, code)
    sheet.edit_now(lambda e: e.set_url(code, "O1", "https://a.go.th/missing"))  # after its OK verdict
    lst = itas.build_list(sheet.backend.read(config.catalog), config.catalog, config.agencies[0], AT, None)
    by_item = {line.item: line for line in lst.lines}
    assert (by_item["O1"].verdict, by_item["O1"].warning) == (itas.PENDING_TH, itas.NOT_CHECKED_TH)
    assert (by_item["O12"].verdict, by_item["O12"].warning) == (Status.OK.label_th, "")
    assert by_item["O30"].verdict == Status.BROKEN.label_th and by_item["O12"].url == typed["O12"][0]
    assert by_item["O2"].verdict == itas.PENDING_TH
