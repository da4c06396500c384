"""Another province is config, not a code change: Phayao (three districts, three agencies) in
settings.yaml's `province:`, run end to end (init, syncs against the loopback farm, the summary,
a round snapshot, the instructions tab, every report format, the reminders through a real SMTP
server on loopback) names Phayao and its districts, and nothing a user reads says ลำพูน."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest
import yaml
from openpyxl import load_workbook

from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import LAMPHUN, load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.errors import ConfigError
from sheets_sync.core.models import Status
from sheets_sync.pipeline import sync as pipeline
from sheets_sync.report import governor
from sheets_sync.report import summary as S
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.kinds import open_backend
from sheets_sync.sheet.layout import AGENCY_HEADERS, TAB_AGENCIES, TAB_GUIDE, TAB_SUMMARY
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from sheets_sync.worker.reminders import run_reminders
from tests.pipeline.test_new_year import edit_urls, strings_of_workbook, submission_cells
from tests.support import ROOT
from tests.support.farm import Farm
from tests.support.sheets import HARNESSES
from tests.support.smtp import SmtpServer

LAMPHUN_TEXT = re.compile(r"ลำพูน|Lamphun|lamphun")
HOSTS = ("phayao.go.th", "dokkhamtai.go.th", "chun.go.th")
PHAYAO = {"name_th": "พะเยา", "name_en": "Phayao", "districts": ["เมืองพะเยา", "ดอกคำใต้", "จุน"],
          "district_aliases": {"ดอกคำได้": "ดอกคำใต้"}}
AGENCIES = [
    {"code": "pyo", "name": "จังหวัดพะเยา", "district": "เมืองพะเยา", "type": "จังหวัด", "domains": [HOSTS[0]],
     "reminder_emails": ["saraban@phayao.go.th"]},
    # the อำเภอ prefix and Phayao's own alias, read as the official name
    {"code": "tt-dk", "name": "เทศบาลตำบลดอกคำใต้", "district": "อำเภอดอกคำได้", "type": "เทศบาลตำบล",
     "domains": [HOSTS[1]], "last_score": 80.5, "last_grade": "B", "reminder_emails": ["it@dokkhamtai.go.th"]},
    # no district in the file: the coordinator types it in the หน่วยงาน tab
    {"code": "tt-chun", "name": "เทศบาลตำบลจุน", "type": "เทศบาลตำบล", "domains": [HOSTS[2]],
     "reminder_emails": ["chun@chun.go.th"]},
]
CONTACTS = {"line_open_chat": "ITA ๒๕๖๖ พะเยา", "phones": ["0 5444 9999"], "other": ["สำนักงานจังหวัดพะเยา"]}


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BANGKOK)


@pytest.fixture
def farm():
    with Farm(list(HOSTS)) as f:
        yield f


@pytest.fixture
def smtp():
    with SmtpServer() as s:
        yield s


def phayao_dir(tmp_path, farm=None, smtp=None, province=PHAYAO, agencies=AGENCIES):
    """The shipped config with Phayao's province block, agencies and contacts; paths in tmp_path."""
    cfg = tmp_path / "config"
    shutil.copytree(ROOT / "config", cfg)
    settings = yaml.safe_load((cfg / "settings.yaml").read_text(encoding="utf-8"))
    settings["province"] = province
    settings["backend"]["xlsx_path"] = f"{tmp_path}/data/oit-{{year}}.xlsx"
    settings["state_path"] = f"{tmp_path}/data/state-{{year}}.sqlite"
    settings["expected_agencies"], settings["target_agencies"] = 3, 2
    settings["checker"]["retries"] = 0
    if farm is not None:
        settings["checker"]["resolve"], settings["checker"]["allow_private"] = list(farm.resolve), list(farm.allow)
    if smtp is not None:
        settings["notify"].update(coordinators=["coord@phayao.go.th"], smtp={
            "host": "127.0.0.1", "port": smtp.port, "security": "none", "from_address": "ita@phayao.go.th",
            "from_name": "ITA จังหวัดพะเยา", "timeout_s": 5})
    (cfg / "settings.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    items = yaml.safe_load((cfg / "oit_items.yaml").read_text(encoding="utf-8"))
    items["contacts"] = CONTACTS  # the catalogue's contacts are the province's team
    (cfg / "oit_items.yaml").write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    (cfg / "agencies.yaml").write_text(yaml.safe_dump({"agencies": agencies}, allow_unicode=True), encoding="utf-8")
    return cfg / "settings.yaml"


def sync_at(config, when):
    with Checker(config.settings.checker) as checker:
        return pipeline.sync(config, open_backend(config), checker, FixedClock(when))


def type_district(book, code: str, district: str) -> None:
    """What a coordinator does in the หน่วยงาน tab."""
    wb = load_workbook(book)
    ws = wb[TAB_AGENCIES]
    header = [g.text(c.value) for c in ws[1]]
    code_col, district_col = header.index(AGENCY_HEADERS["code"]), header.index(AGENCY_HEADERS["district"])
    for row in ws.iter_rows(min_row=2):
        if g.text(row[code_col].value) == code:
            row[district_col].value = district
    wb.save(book)


def block_rows(ws, title: str) -> list[list]:
    """The rows of a summary block under its title, up to the next empty row."""
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r and r[0] == title)
    out = []
    for r in rows[start + 2:]:
        if not any(v not in (None, "") for v in r):
            break
        out.append(r)
    return out


def test_phayao_runs_end_to_end_named_phayao_and_never_lamphun(tmp_path, farm, smtp):
    config = load_config(phayao_dir(tmp_path, farm, smtp))
    assert config.catalog.province.name_th == "พะเยา"
    assert [a.district for a in config.agencies] == ["เมืองพะเยา", "ดอกคำใต้", ""]
    book = tmp_path / "data" / "oit-2566.xlsx"

    pipeline.init(config, open_backend(config))
    type_district(book, "tt-chun", "อำเภอจุน")
    edit_urls(book, {("pyo", "O1"): farm.url(HOSTS[0], "/year/2566/O1"),
                     ("tt-dk", "O1"): farm.url(HOSTS[1], "/year/2566/O1"),
                     ("tt-chun", "O2"): farm.url(HOSTS[2], "/gone")})
    result = sync_at(config, bkk(2023, 1, 24, 8, 30))
    assert not [p for p in result.problems if p.code == "unknown_district"], result.problems
    rows = submission_cells(book)
    assert rows[("pyo", "O1")]["status"] == Status.OK.label_th
    assert rows[("tt-chun", "O2")]["status"] == Status.BROKEN.label_th
    ours = [ua for ua in farm.user_agents if ua.startswith("sheets-sync")]
    assert ours and all("Phayao province" in ua for ua in ours)

    wb = load_workbook(book)
    summary = wb[TAB_SUMMARY]
    assert summary["A1"].value == "สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. 2566 จังหวัดพะเยา"
    districts = block_rows(summary, S.TITLE_DISTRICTS)
    assert [r[0] for r in districts] == ["เมืองพะเยา", "ดอกคำใต้", "จุน", "รวมจังหวัด"]  # no ไม่ระบุอำเภอ
    assert [r[1] for r in districts] == [1, 1, 1, 3]
    assert S.TITLE_PROBLEMS not in [c.value for c in summary["A"]]
    assert wb[TAB_GUIDE]["A1"].value.endswith("ITA ปี พ.ศ. 2566 จังหวัดพะเยา")

    # the reminders 7 days before round 1's deadline: subject and footer name Phayao
    reminded = run_reminders(config, FixedClock(bkk(2023, 1, 24, 9, 0)), config.agencies)
    assert reminded.ok and reminded.sent >= 3, reminded
    mails = smtp.inbox.messages
    (chun,) = smtp.inbox.to("chun@chun.go.th")
    assert chun.subject.startswith("[ITA 2566 พะเยา] เทศบาลตำบลจุน: เหลือ 7 วัน")
    (coord,) = smtp.inbox.to("coord@phayao.go.th")
    assert coord.subject.startswith("[ITA 2566 พะเยา] สรุปประจำวัน")
    assert "OIT ITA ปี พ.ศ. 2566 จังหวัดพะเยา (sheets-sync)" in chun.part("plain")

    # on the deadline day and after it: round 1's snapshot
    sync_at(config, bkk(2023, 1, 31, 9, 0))
    sync_at(config, bkk(2023, 2, 1, 9, 0))
    wb = load_workbook(book)
    snapshot = wb["สรุปรอบ 1 (31 มกราคม 2566)"]
    assert snapshot["A1"].value.startswith("สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. 2566 จังหวัดพะเยา ณ สิ้นวัน")
    # no check near round 2's deadline: its snapshot is provisional, and names Phayao too
    sync_at(config, bkk(2023, 3, 2, 9, 0))
    provisional = load_workbook(book)["สรุปรอบ 2 (ยังไม่ยืนยัน)"]
    assert provisional["A1"].value.startswith("สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. 2566 จังหวัดพะเยา รอบที่ 2")

    texts = {"workbook": "\n".join(strings_of_workbook(book))}
    with State(config.settings.state_path) as state:
        history = History(state, config.settings.tz)
        at = bkk(2023, 4, 10, 12, 0)
        for fmt in (f for f in governor.FORMATS if f != "pdf"):
            for followup in (False, True):
                out = governor.make_report(config, history, fmt, tmp_path / f"r-{followup}.{fmt}", at, followup)
                texts[out.name] = ("\n".join(strings_of_workbook(out)) if fmt == "xlsx"
                                   else out.read_text(encoding="utf-8"))
    assert "ความก้าวหน้าการเผยแพร่ข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. 2566 จังหวัดพะเยา" in texts["r-False.html"]
    assert "รายชื่อหน่วยงานที่ต้องติดตาม แบบวัด OIT ITA ปี พ.ศ. 2566 จังหวัดพะเยา" in texts["r-True.html"]
    assert "ดอกคำใต้" in texts["r-False.csv"] and "จุน" in texts["r-False.csv"]
    for m in mails:
        texts[f"mail to {m.rcpt_tos}"] = "\n".join((m.subject, str(m.message["From"]), m.part("plain"), m.part("html")))
    for name, text in texts.items():
        found = LAMPHUN_TEXT.findall(text)
        assert not found, f"{name} shows {sorted(set(found))}"
    for name in ("workbook", "r-False.html", "r-False.csv"):
        assert "ไม่ระบุอำเภอ" not in texts[name], name


def type_districts(harness, typed: dict[str, str]) -> None:
    """A coordinator types districts in the หน่วยงาน tab of the memory backend or the Sheets fake."""
    if harness.name == "memory":
        grid = harness.backend.book.sheets[TAB_AGENCIES]
        col = grid[0].index(AGENCY_HEADERS["district"])
        for row in grid[1:]:
            row[col] = typed[row[0]]
        return
    from tests.support.fake_sheets_model import user_entered
    with harness.fake.lock:
        sheet = harness.fake.sheet(harness.sid, TAB_AGENCIES)
        grid = sheet.grid()
        col = [g.text(c) for c in grid[0]].index(AGENCY_HEADERS["district"])
        for r, row in enumerate(grid[1:], start=1):
            cells = sheet.rows[r]
            cells.extend({} for _ in range(col + 1 - len(cells)))
            cells[col] = {**(cells[col] or {}), "userEnteredValue": user_entered(typed[g.text(row[0])], parse=True)}


@pytest.mark.parametrize("kind", ["memory", "gsheets"])
def test_a_district_of_another_province_typed_in_the_tab_is_named_against_phayaos(tmp_path, kind):
    """A district that is not Phayao's, typed in the หน่วยงาน tab, is a problem naming Phayao and its
    districts (the agency counts under ไม่ระบุอำเภอ); Phayao's, with อ. or an alias, are not."""
    config = load_config(phayao_dir(tmp_path))
    harness = HARNESSES[kind](tmp_path)
    pipeline.init(config, harness.backend)
    type_districts(harness, {"pyo": "อ.เมืองพะเยา", "tt-dk": "ดอกคำได้", "tt-chun": "เมืองลำพูน"})
    backend = harness.backend
    snap = backend.read(config.catalog)
    assert {a.code: a.district for a in snap.agencies} == {"pyo": "เมืองพะเยา", "tt-dk": "ดอกคำใต้",
                                                         "tt-chun": "เมืองลำพูน"}
    (problem,) = snap.problems
    assert problem.code == "unknown_district" and "not a district of Phayao" in problem.detail
    said = S.problem_th(problem, config.catalog.province)
    assert "ไม่ใช่อำเภอของจังหวัดพะเยา (เขียนเป็น เมืองพะเยา ดอกคำใต้ จุน)" in said
    summary = S.build_summary(None, snap.agencies, config.catalog, snap.problems, bkk(2023, 1, 20, 9, 0), 3,
                              target_agencies=2)
    blocks = {b.title: b for b in summary.blocks}
    assert [r[0] for r in blocks[S.TITLE_DISTRICTS].rows] == ["เมืองพะเยา", "ดอกคำใต้", "จุน", S.NO_DISTRICT,
                                                              "รวมจังหวัด"]
    assert said in [r[1] for r in blocks[S.TITLE_PROBLEMS].rows]


def test_agencies_yaml_takes_the_provinces_districts(tmp_path):
    config = load_config(phayao_dir(tmp_path))
    assert config.settings.province == config.catalog.province != LAMPHUN
    assert config.settings.checker.user_agent == "sheets-sync/0.1 (ITA 2566 OIT link review, Phayao province)"
    wrong = [dict(AGENCIES[0], district="ลี้")]  # Lamphun's: not Phayao's
    with pytest.raises(ConfigError, match=r"agencies\.yaml: agencies\[0\]\.district: 'ลี้' of agency pyo is not "
                                          r"a district of Phayao \(one of: เมืองพะเยา, ดอกคำใต้, จุน"):
        load_config(phayao_dir(tmp_path / "w", agencies=wrong))
    # Lamphun's spelling fix is Lamphun's: under Phayao, บ้านโฮ้ง stays as typed
    assert config.catalog.province.district("บ้านโฮ้ง") == "บ้านโฮ้ง" and LAMPHUN.district("บ้านโฮ้ง") == "บ้านโฮ่ง"


@pytest.mark.parametrize("block, message", [
    (dict(PHAYAO, capital="พะเยา"), r"settings\.yaml: province\.capital: unknown key"),
    ({k: v for k, v in PHAYAO.items() if k != "name_en"}, r"settings\.yaml: province\.name_en: missing"),
    ({k: v for k, v in PHAYAO.items() if k != "districts"}, r"settings\.yaml: province\.districts: expected"),
    (dict(PHAYAO, name_th="จังหวัดพะเยา"), r"settings\.yaml: province\.name_th: write the name alone \('พะเยา'\)"),
    (dict(PHAYAO, districts=["จุน", "อ.จุน"]), r"settings\.yaml: province\.districts: 'จุน' is listed twice"),
    (dict(PHAYAO, district_aliases={"บ้านโฮ้ง": "บ้านโฮ่ง"}),
     r"settings\.yaml: province\.district_aliases\.บ้านโฮ้ง: 'บ้านโฮ่ง' is not one of province\.districts"),
])
def test_a_wrong_province_block_is_one_line_naming_file_and_key(tmp_path, block, message):
    with pytest.raises(ConfigError, match=message):
        load_config(phayao_dir(tmp_path, province=block))
