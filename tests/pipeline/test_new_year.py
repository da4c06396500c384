"""A new assessment year is a catalogue and `init`, not a code change: a made-up year 2570 with 30
items, two rounds and other contacts, run end to end (init, syncs against the loopback farm, the
summary, the snapshots, every report format) must not show 2566 anywhere, and judges pages by 2570."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from datetime import datetime

import pytest
from openpyxl import load_workbook

from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.models import Status
from sheets_sync.pipeline import sync as pipeline
from sheets_sync.report import governor
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.kinds import open_backend
from sheets_sync.sheet.layout import (
    SUBMISSION_HEADERS,
    TAB_GUIDE,
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
)
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support import ROOT
from tests.support.farm import Farm

FORBIDDEN = re.compile(r"2566|๒๕๖๖|2023")
HOSTS = ("tapladuk.go.th", "lee.go.th", "banhong.go.th")

CATALOGUE_2570 = """\
year: 2570
rounds:
  - {number: 1, deadline: 2027-02-15}
  - {number: 2, deadline: 2027-03-31}
followup_meeting: 2027-04-20
contacts:
  line_open_chat: "OIT ลำพูน ปีใหม่"
  phones: ["๐-๕๓๕๑-๐๐๐๐"]
  other: ["อีเมล oit@lamphun.go.th"]
items:
  - {code: O1, round: 1, title: "โครงสร้าง", years: none}
  - {code: O2, round: 1, title: "รายงานประจำปี", years: [previous, current]}
  - {code: O3, round: 2, title: "รายงานรอบ 6 เดือน", period: first_half}
""" + "".join(f'  - {{code: O{n}, round: {1 if n <= 15 else 2}, title: "ข้อมูลข้อ {n}"}}\n' for n in range(4, 31))

AGENCIES_2570 = """\
agencies:
  - {code: a-one, name: เทศบาลตำบลทาปลาดุก, district: แม่ทา, type: เทศบาลตำบล, domains: [tapladuk.go.th], last_score: 80.5, last_grade: B}
  - {code: b-two, name: เทศบาลตำบลลี้, district: ลี้, type: เทศบาลตำบล, domains: [lee.go.th]}
  - {code: c-three, name: เทศบาลตำบลบ้านโฮ่ง, district: บ้านโฮ่ง, type: เทศบาลตำบล, domains: [banhong.go.th], confirm: "ยืนยันเว็บไซต์"}
"""


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BANGKOK)


@pytest.fixture
def farm():
    with Farm(list(HOSTS)) as f:
        yield f


@pytest.fixture
def year_dir(tmp_path, farm):
    """The shipped config with the 2570 catalogue in force; paths inside tmp_path."""
    cfg = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg)
    (cfg / "oit_items_2570.yaml").write_text(CATALOGUE_2570, encoding="utf-8")
    (cfg / "agencies_2570.yaml").write_text(AGENCIES_2570, encoding="utf-8")
    text = (cfg / "settings.yaml").read_text(encoding="utf-8")
    for old, new in (("items_file: oit_items.yaml", "items_file: oit_items_2570.yaml"),
                     ("agencies_file: agencies.yaml", "agencies_file: agencies_2570.yaml"),
                     ("xlsx_path: data/oit-{year}.xlsx", f"xlsx_path: {tmp_path}/data/oit-{{year}}.xlsx"),
                     ("state_path: data/state-{year}.sqlite", f"state_path: {tmp_path}/data/state-{{year}}.sqlite"),
                     ("resolve: []", f"resolve: [{', '.join(farm.resolve)}]"),
                     ("allow_private: []", f"allow_private: [{', '.join(farm.allow)}]"),
                     ("retries: 2 ", "retries: 0 ")):
        assert old in text, old
        text = text.replace(old, new)
    (cfg / "settings.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def sync_at(config, when):
    backend = open_backend(config)
    with Checker(config.settings.checker) as checker:
        return pipeline.sync(config, backend, checker, FixedClock(when))


def strings_of_workbook(path) -> list[str]:
    wb = load_workbook(path)
    out = [str(wb.properties.title or ""), *wb.sheetnames]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out.append(str(c.value))
                if c.comment is not None:
                    out.append(c.comment.text)
    return out


def test_a_new_years_catalogue_runs_end_to_end_without_a_trace_of_2566(year_dir, farm):
    config = load_config(year_dir / "config" / "settings.yaml")
    assert config.catalog.year == 2570 and len(config.catalog.items) == 30 and len(config.catalog.rounds) == 2
    book = year_dir / "data" / "oit-2570.xlsx"
    assert config.settings.backend.xlsx_path == str(book)
    assert config.settings.state_path.endswith("state-2570.sqlite")

    report = pipeline.init(config, open_backend(config))
    assert report.added_rows == 3 * 30
    urls = {
        ("a-one", "O1"): farm.url(HOSTS[0], "/year/2570/O1"),
        ("a-one", "O2"): farm.url(HOSTS[0], "/year/2569/O2"),  # last year's annual report: ok for O2
        ("a-one", "O3"): farm.url(HOSTS[0], "/year/2570/O3"),  # this fiscal year's first-half report: ok
        ("b-two", "O3"): farm.url(HOSTS[1], "/year/2569/O3"),  # "ปีงบประมาณ 2569": last fiscal year's half
        ("a-one", "O4"): farm.url(HOSTS[0], "/year/2570/O4"),  # a page showing only 2570: ok
        ("a-one", "O5"): farm.url(HOSTS[0], "/oit/O5"),  # a 2566 page: not this year's
        ("b-two", "O4"): farm.url(HOSTS[1], "/old/O4"),  # a 2565 page
        ("b-two", "O16"): farm.url(HOSTS[1], "/gone"),
        ("c-three", "O4"): farm.url(HOSTS[2], "/year/2570/O4"),
    }
    edit_urls(book, urls)
    sync_at(config, bkk(2027, 2, 1, 9, 0))
    rows = submission_cells(book)
    for key in (("a-one", "O1"), ("a-one", "O2"), ("a-one", "O3"), ("a-one", "O4"), ("c-three", "O4")):
        assert rows[key]["status"] == Status.OK.label_th, (key, rows[key])
    assert rows[("a-one", "O5")]["reasons"] == rows[("b-two", "O4")]["reasons"] == "no_fiscal_year"
    assert rows[("b-two", "O3")]["status"] == Status.WARNING.label_th, rows[("b-two", "O3")]
    assert rows[("b-two", "O16")]["status"] == Status.BROKEN.label_th
    # the user agent names the year in force
    ours = [ua for ua in farm.user_agents if ua.startswith("sheets-sync")]
    assert ours and all("ITA 2570" in ua and not FORBIDDEN.search(ua) for ua in ours)

    # on each deadline day (a snapshot rests on a check that close), then after round 1's deadline (its
    # snapshot) and after round 2's (the follow-up list)
    sync_at(config, bkk(2027, 2, 15, 9, 0))
    sync_at(config, bkk(2027, 2, 20, 9, 0))
    sync_at(config, bkk(2027, 3, 31, 9, 0))
    sync_at(config, bkk(2027, 4, 2, 9, 0))
    wb = load_workbook(book)
    assert {"สรุปรอบ 1 (15 กุมภาพันธ์ 2570)", "สรุปรอบ 2 (31 มีนาคม 2570)"} <= set(wb.sheetnames)
    guide = "\n".join(str(r[0].value or "") for r in wb[TAB_GUIDE].iter_rows())
    assert "ITA ปี พ.ศ. 2570" in guide and "OIT ลำพูน ปีใหม่" in guide and "๐-๕๓๕๑-๐๐๐๐" in guide
    assert "15 ก.พ. 2570" in guide and "oit@lamphun.go.th" in guide
    summary = "\n".join(str(c.value) for row in wb[TAB_SUMMARY].iter_rows() for c in row if c.value is not None)
    assert "ITA ปี พ.ศ. 2570" in summary and "คะแนน 2569" in summary and "ไม่ผ่าน 2569" in summary
    assert "ยังต้องยืนยัน 1 แห่ง" in summary
    notes = [n for n in strings_of_workbook(book) if "ไม่พบปี" in n]
    assert notes and all("2570" in n for n in notes)

    texts = {"workbook": "\n".join(strings_of_workbook(book))}
    with State(config.settings.state_path) as state:
        history = History(state, config.settings.tz)
        at = bkk(2027, 4, 2, 12, 0)
        # the PDF is the HTML document printed by Chromium (its text is read back in tests/report/test_pdf.py)
        for fmt in (f for f in governor.FORMATS if f != "pdf"):
            for followup in (False, True):
                out = governor.make_report(config, history, fmt, year_dir / f"r-{followup}.{fmt}", at, followup)
                texts[out.name] = ("\n".join(strings_of_workbook(out)) if fmt == "xlsx"
                                   else out.read_text(encoding="utf-8"))
    assert "ITA ปี พ.ศ. 2570" in texts["r-False.html"] and "ไม่ผ่าน 2569" in texts["r-True.csv"]
    for name, text in texts.items():
        found = FORBIDDEN.findall(text)
        assert not found, f"{name} shows {sorted(set(found))}"


def edit_urls(book, urls: dict[tuple[str, str], str]) -> None:
    wb = load_workbook(book)
    ws = wb[TAB_SUBMISSIONS]
    header = [g.text(c.value) for c in ws[1]]
    col = {k: header.index(h) for k, h in SUBMISSION_HEADERS.items()}
    for row in ws.iter_rows(min_row=2):
        key = (g.text(row[col["agency"]].value), g.text(row[col["item"]].value))
        if key in urls:
            row[col["url"]].value = urls[key]
    wb.save(book)


def submission_cells(book) -> dict[tuple[str, str], dict[str, str]]:
    ws = load_workbook(book)[TAB_SUBMISSIONS]
    header = [g.text(c.value) for c in ws[1]]
    col = {k: header.index(h) for k, h in SUBMISSION_HEADERS.items()}
    return {(g.text(r[col["agency"]].value), g.text(r[col["item"]].value)):
            {k: g.text(r[i].value) for k, i in col.items()} for r in ws.iter_rows(min_row=2)}


def test_last_years_workbook_and_state_stay_readable_beside_the_new_year(year_dir, farm):
    """The 2566 catalogue's workbook and state file are separate files: running 2570 leaves them
    as they were, and last year's report can still be made from them."""
    old_settings = year_dir / "config" / "settings-2566.yaml"
    text = (year_dir / "config" / "settings.yaml").read_text(encoding="utf-8")
    old_settings.write_text(text.replace("oit_items_2570.yaml", "oit_items.yaml")
                            .replace("agencies_2570.yaml", "agencies.yaml"), encoding="utf-8")
    old = load_config(old_settings)
    old = dataclasses.replace(old, agencies=old.agencies[:3])  # a small province keeps the test quick
    pipeline.init(old, open_backend(old))
    sync_at(old, bkk(2023, 1, 20, 9, 0))
    old_book = year_dir / "data" / "oit-2566.xlsx"
    before = old_book.read_bytes()

    new = load_config(year_dir / "config" / "settings.yaml")
    pipeline.init(new, open_backend(new))
    sync_at(new, bkk(2027, 2, 1, 9, 0))
    assert old_book.read_bytes() == before
    assert (year_dir / "data" / "oit-2570.xlsx").exists() and (year_dir / "data" / "state-2570.sqlite").exists()
    with State(old.settings.state_path) as state:
        history = History(state, old.settings.tz)
        out = governor.make_report(old, history, "csv", year_dir / "old.csv", bkk(2023, 1, 21))
        assert [a.code for a in history.agencies()] == [a.code for a in old.agencies]
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert "2566" in rows[0][0]


def test_a_worker_started_after_the_second_deadline_claims_nothing_it_does_not_know(year_dir, farm, tmp_path):
    """2566: the worker's first sync is after round 2's deadline with an empty history. Rounds 1 and 2
    get tabs that say nothing was recorded (only first-submitted times count), never a final
    snapshot of zeros; a sync before round 3's deadline makes round 3's snapshot normally."""
    settings = year_dir / "config" / "settings-2566.yaml"
    text = (year_dir / "config" / "settings.yaml").read_text(encoding="utf-8")
    settings.write_text(text.replace("oit_items_2570.yaml", "oit_items.yaml"), encoding="utf-8")  # 2566
    config = load_config(settings)
    config = dataclasses.replace(config, agencies=config.agencies[:2])
    backend = open_backend(config)
    pipeline.init(config, backend)
    book = year_dir / "data" / "oit-2566.xlsx"
    edit_urls(book, {("a-one", "O1"): farm.url(HOSTS[0], "/oit/O1")})
    sync_at(config, bkk(2023, 3, 5, 9, 0))  # after round 2's deadline (28 Feb), nothing recorded before
    tabs = load_workbook(book).sheetnames
    finals = [t for t in tabs if t.startswith("สรุปรอบ") and "ยังไม่ยืนยัน" not in t]
    assert finals == []  # no snapshot claims to show the sheet at a deadline nobody recorded
    assert {"สรุปรอบ 1 (ยังไม่ยืนยัน)", "สรุปรอบ 2 (ยังไม่ยืนยัน)"} <= set(tabs)
    first = "\n".join(str(c.value) for row in load_workbook(book)["สรุปรอบ 1 (ยังไม่ยืนยัน)"].iter_rows()
                      for c in row if c.value is not None)
    assert "ไม่มีบันทึกการตรวจ ณ วันกำหนดส่งรอบนี้" in first and "ยังไม่ใช่ผลสุดท้าย" in first
    assert "ผ่านเบื้องต้น" not in first  # no statuses it cannot know

    # a later sync, on the day before round 3's deadline (7 Apr), then one after it: round 3 is a real snapshot
    sync_at(config, bkk(2023, 4, 6, 9, 0))
    sync_at(config, bkk(2023, 4, 8, 9, 0))
    wb = load_workbook(book)
    assert "สรุปรอบ 3 (7 เมษายน 2566)" in wb.sheetnames
    third = [[c.value for c in row] for row in wb["สรุปรอบ 3 (7 เมษายน 2566)"].iter_rows()]
    assert third[1][0] == "ข้อมูล ณ 7 เม.ย. 2566 23:59 น."
    assert not any("ไม่มีบันทึก" in str(v) for row in third for v in row)

    # a coordinator confirms round 1: its final tab says who stands behind it; a second confirm is refused
    title = pipeline.confirm_snapshot(config, open_backend(config), 1, bkk(2023, 4, 9, 10, 0))
    assert title == "สรุปรอบ 1 (31 มกราคม 2566)"
    confirmed = "\n".join(str(c.value) for row in load_workbook(book)[title].iter_rows() for c in row if c.value)
    assert "ผู้ประสานงานยืนยันภาพนี้เมื่อ 9 เม.ย. 2566" in confirmed
    # the provisional tab, which advised `--confirm 1`, is gone, and a later sync does not bring it back
    assert "สรุปรอบ 1 (ยังไม่ยืนยัน)" not in load_workbook(book).sheetnames
    sync_at(config, bkk(2023, 4, 10, 9, 0))
    tabs = load_workbook(book).sheetnames
    assert "สรุปรอบ 1 (ยังไม่ยืนยัน)" not in tabs and "สรุปรอบ 2 (ยังไม่ยืนยัน)" in tabs and title in tabs
    from sheets_sync.core.errors import UsageError
    with pytest.raises(UsageError):
        pipeline.confirm_snapshot(config, open_backend(config), 1, bkk(2023, 4, 9, 11, 0))
