"""The governor's report from a fixed history: HTML (A4, Thai font, inline SVG chart), CSV, xlsx,
the follow-up export, the CLI; and the HTML rendered by headless Chromium to a PNG."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from sheets_sync.config.settings import load_config
from sheets_sync.report import document as DOC
from sheets_sync.report import governor as R
from sheets_sync.report import summary as S
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.history_fixture import AGENCIES, CATALOG, TIMELINE, A, B, C, D, bkk, fill
from tests.support.png import png_size_and_ink

ROOT = Path(__file__).resolve().parents[2]
AS_OF = bkk(2023, 3, 3, 9, 30)
AFTER_ROUND_3 = bkk(2023, 4, 10, 9, 0)


@pytest.fixture
def config(tmp_path):
    base = load_config(ROOT / "config" / "settings.yaml")
    base = base.with_settings(state_path=str(tmp_path / "state.sqlite"), expected_agencies=5, target_agencies=3)
    return dataclasses.replace(base, catalog=CATALOG, agencies=AGENCIES)


@pytest.fixture
def hist(config):
    with State(config.settings.state_path) as state:
        yield fill(History(state))


def _recorded_report(config, agencies, state, out: Path) -> tuple[History, str]:
    """The timeline recorded with `agencies` (their last-year scores), and its HTML report as of AS_OF."""
    history = History(state)
    for at, verdicts in TIMELINE:
        history.record(verdicts, at, agencies)
    doc = R.make_report(dataclasses.replace(config, agencies=agencies), history, "html", out, AS_OF)
    return history, doc.read_text(encoding="utf-8")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Thai text as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_html_report_is_a_self_contained_a4_thai_document(config, hist, tmp_path):
    out = R.make_report(config, hist, "html", tmp_path / "r.html", AS_OF)
    doc = out.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and '<html lang="th">' in doc and '<meta charset="utf-8">' in doc
    assert "@page { size: A4 portrait" in doc and '"Loma"' in doc and '"Sarabun"' in doc
    assert "<script" not in doc and "http://" not in doc.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "รายงานความก้าวหน้าการเผยแพร่ข้อมูลสาธารณะ (OIT) ITA ปี พ.ศ. 2566 จังหวัดลำพูน" in doc
    assert "ข้อมูล ณ 3 มี.ค. 2566 09:30 น." in doc
    # two charts: progress by round on page one, districts in the appendix
    assert doc.count("<svg") == 2 and "ความก้าวหน้ารายอำเภอ แยกตามรอบ" in doc
    # the numbers are the summary's: province row, and C (failed in 2565) first in the agency table,
    # without the code column a printed page does not need
    assert ('<td class="label">ข้อที่ส่งแล้ว</td><td class="num">9</td><td class="num">20</td>'
            '<td class="num">45.0</td>') in doc
    assert f'<tr class="failed"><td class="num">1</td><td class="name">{C.name}</td>' in doc
    assert f"<td>{C.code}</td>" not in doc
    # page one is the brief, the summary's blocks follow as the appendix
    assert doc.index('<section class="brief">') < doc.index(DOC.APPENDIX_TITLE) < doc.index(S.TITLE_PROVINCE)
    for title in (S.TITLE_PROVINCE, S.TITLE_ROUNDS, S.TITLE_DISTRICTS, S.title_agencies(CATALOG), S.TITLE_ITEMS):
        assert f"<h2>{title}</h2>" in doc


def test_last_years_score_is_shown_as_scored_not_rounded_over_the_pass_mark(config, tmp_path):
    """84.99 (failed: the pass mark is 85) was "85.0" beside "ไม่ผ่าน 2565" in the appendix's table."""
    agencies = tuple(dataclasses.replace(a, score_2565=84.99) if a.code == C.code else a for a in AGENCIES)
    with State(config.settings.state_path) as state:
        _, doc = _recorded_report(config, agencies, state, tmp_path / "r.html")
    appendix = doc[doc.index(DOC.APPENDIX_TITLE):]
    assert '<td class="num">84.99</td>' in appendix and '<td class="num">85.0</td>' not in appendix
    assert '<td class="num">45.0</td>' in appendix  # a share keeps its one decimal


def test_svg_chart_bars_match_the_district_table(config, hist):
    summary = R.report_summary(config, hist, AS_OF)
    block = next(b for b in summary.blocks if b.title == S.TITLE_DISTRICTS)
    svg = R.svg_chart(block, block.chart)
    assert svg.count("<rect") == 3 + 9 * 3  # legend + 9 categories x 3 rounds
    assert "<title>แม่ทา: 100.0</title>" in svg and "<title>แม่ทา: 50.0</title>" in svg
    assert "<title>ลี้: 50.0</title>" in svg


def test_report_for_any_date_from_history(config, hist, tmp_path):
    out = R.make_report(config, hist, "csv", tmp_path / "r.csv", R.parse_as_of("2023-01-31", config.settings.tz))
    rows = read_csv(out)
    assert rows[1] == ["ข้อมูล ณ 31 ม.ค. 2566 23:59 น."]
    r1 = next(r for r in rows if r and r[0] == "รอบที่ 1")
    assert r1[:13] == ["รอบที่ 1", "31 ม.ค. 2566", "ครบกำหนดแล้ว", "2", "0", "2", "8", "4", "4", "50.0", "4", "0", "4"]
    later = read_csv(R.make_report(config, hist, "csv", tmp_path / "r2.csv", R.parse_as_of("3 มี.ค. 2566 09:30",
                                                                                          config.settings.tz)))
    province = {r[0]: r[1:4] for r in later if len(r) >= 4 and r[0].startswith("ข้อที่")}
    assert province["ข้อที่ส่งแล้ว"] == ["9", "20", "45.0"]
    assert province["ข้อที่ถึงกำหนดแล้ว ที่ผ่าน"] == ["7", "16", "43.8"]


def test_parse_as_of():
    tz = bkk(2023, 1, 1).tzinfo
    assert R.parse_as_of("2023-02-28", tz) == bkk(2023, 2, 28, 23, 59, 59, 999999)
    assert R.parse_as_of("๒๘ ก.พ. ๒๕๖๖", tz) == bkk(2023, 2, 28, 23, 59, 59, 999999)
    assert R.parse_as_of("2566-02-28", tz) == bkk(2023, 2, 28, 23, 59, 59, 999999)
    assert R.parse_as_of("2023-02-28T10:00", tz) == bkk(2023, 2, 28, 10, 0)
    with pytest.raises(Exception, match="not a date"):
        R.parse_as_of("last week", tz)


def test_a_report_as_of_a_deadline_day_counts_that_round_as_due(config, hist):
    """`--as-of 2023-02-28` is the end of that day: round 2 is due (it showed "round 1" as the yardstick
    and round 2 as next due, "today is the last day")."""
    at = R.parse_as_of("2023-02-28", config.settings.tz)
    b = R.report_brief(config, hist, at)
    assert b.track_rounds == (1, 2) and b.yardstick_due
    assert [r.due for r in b.rounds] == [True, True, False]
    assert b.next_due.round.number == 3
    summary = R.report_summary(config, hist, at)
    province = next(x for x in summary.blocks if x.title == S.TITLE_PROVINCE)
    assert province.rows[0][0] == "หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1–2"


def test_followup_csv_after_round_3(config, hist, tmp_path):
    rows = read_csv(R.make_report(config, hist, "csv", tmp_path / "f.csv", AFTER_ROUND_3, followup=True))
    assert rows[0] == list(R.FOLLOWUP_CSV_HEADER)
    got = [(r[0], r[4], r[8]) for r in rows[1:]]
    assert got == [
        (C.code, "O2", "URL ไม่ถูกต้อง"), (C.code, "O3", "ยังไม่ส่ง"), (C.code, "O4", "ยังไม่ส่ง"),
        (C.code, "O5", "ยังไม่ส่ง"),
        (A.code, "O5", "ยังไม่ส่ง"),
        (B.code, "O3", "เปิดไม่ได้"), (B.code, "O4", "ยังไม่ส่ง"), (B.code, "O5", "ยังไม่ส่ง"),
        (D.code, "O1", "ยังไม่ส่ง"), (D.code, "O2", "ยังไม่ส่ง"), (D.code, "O3", "ยังไม่ส่ง"), (D.code, "O4", "ยังไม่ส่ง"),
        (D.code, "O5", "ยังไม่ส่ง"),
    ]
    assert rows[1] == [C.code, C.name, "ลี้", "ไม่ผ่าน 2565", "O2", "ข้อมูลผู้บริหาร", "1", "31 ม.ค. 2566",
                       "URL ไม่ถูกต้อง", "javascript:x", ""]
    # the follow-up list as a document, and the xlsx report's follow-up block after round 3
    html_doc = R.make_report(config, hist, "html", tmp_path / "f.html", AFTER_ROUND_3, followup=True).read_text(
        encoding="utf-8")
    assert "<h2>หน่วยงานที่ต้องติดตาม (ประชุมติดตาม 24 เม.ย. 2566)</h2>" in html_doc
    assert "O3 (เปิดไม่ได้)" in html_doc
    # the governor's report names them on page one and points to the list instead of repeating it
    report_doc = R.make_report(config, hist, "html", tmp_path / "r.html", AFTER_ROUND_3).read_text(encoding="utf-8")
    assert R.FOLLOWUP_NOTE in report_doc and "<h2>หน่วยงานที่ต้องติดตาม" not in report_doc
    assert all(a.name in report_doc for a in (C, A, B, D))


def test_followup_before_the_last_deadline_counts_only_due_rounds(config, hist, tmp_path):
    rows = read_csv(R.make_report(config, hist, "csv", tmp_path / "f.csv", AS_OF, followup=True))
    assert {r[4] for r in rows[1:]} == {"O1", "O2", "O3", "O4"}
    doc = R.make_report(config, hist, "html", tmp_path / "f.html", AS_OF, followup=True).read_text(encoding="utf-8")
    assert "ยังไม่ครบกำหนดส่งรอบสุดท้าย" in doc


def test_xlsx_report_has_the_tables_and_a_native_chart(config, hist, tmp_path):
    from openpyxl import load_workbook

    out = R.make_report(config, hist, "xlsx", tmp_path / "r.xlsx", AS_OF)
    ws = load_workbook(out)["รายงาน"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0].startswith("รายงานความก้าวหน้า")
    assert ["ข้อที่ส่งแล้ว", 9, 20, 45.0] == values[next(i for i, r in enumerate(values) if r[0] == "ข้อที่ส่งแล้ว")][:4]
    assert len(ws._charts) == 1 and len(ws._charts[0].series) == 3


def test_cli_report_and_followup(config, hist, tmp_path, capsys):
    from sheets_sync import cli

    settings = tmp_path / "config" / "settings.yaml"
    shutil.copytree(ROOT / "config", settings.parent)
    text = settings.read_text(encoding="utf-8").replace("state_path: data/state-{year}.sqlite",
                                                        f"state_path: {config.settings.state_path}")
    settings.write_text(text, encoding="utf-8")
    assert cli.main(["--config", str(settings), "-q", "report", "--format", "html", "--out", str(tmp_path / "a.html"),
                     "--as-of", "2023-03-03"]) == 0
    assert "ข้อมูล ณ 3 มี.ค. 2566 23:59 น." in (tmp_path / "a.html").read_text(encoding="utf-8")
    assert cli.main(["--config", str(settings), "-q", "report", "--followup", "--format", "csv",
                     "--out", str(tmp_path / "f.csv"), "--as-of", "2023-04-10"]) == 0
    assert read_csv(tmp_path / "f.csv")[0] == list(R.FOLLOWUP_CSV_HEADER)
    assert cli.main(["--config", str(settings), "-q", "report", "--format", "csv", "--out", str(tmp_path / "x.csv"),
                     "--as-of", "someday"]) == 2
    # the format from the file's name; a name ending with another format's is refused (an xlsx
    # was written into a .csv, HTML into a .pdf); a day to come is no moment of the history
    assert cli.main(["--config", str(settings), "-q", "report", "--out", str(tmp_path / "named.xlsx"),
                     "--as-of", "2023-03-03"]) == 0
    assert (tmp_path / "named.xlsx").read_bytes().startswith(b"PK")
    assert cli.main(["--config", str(settings), "-q", "report", "--format", "xlsx", "--out", str(tmp_path / "r.csv"),
                     "--as-of", "2023-03-03"]) == 2 and not (tmp_path / "r.csv").exists()
    assert cli.main(["--config", str(settings), "-q", "report", "--format", "csv", "--out", str(tmp_path / "later.csv"),
                     "--as-of", "2999-01-01"]) == 2 and not (tmp_path / "later.csv").exists()
    # before the first record nothing is known: refused (exit 2) unless --force, and then it says so
    first = hist.first_event_at()
    early = ["--config", str(settings), "-q", "report", "--format", "html", "--out", str(tmp_path / "early.html"),
             "--as-of", (first.date() - timedelta(days=1)).isoformat()]
    assert cli.main(early) == 2 and not (tmp_path / "early.html").exists()
    assert cli.main(early + ["--force"]) == 0
    assert "คำเตือน: ไม่มีบันทึกการตรวจ ณ เวลานี้" in (tmp_path / "early.html").read_text(encoding="utf-8")
    # an --out that cannot be written (under a file): the path given, not a temporary file, and
    # no advice to edit settings.yaml (exit 3)
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    unwritable = tmp_path / "a-file" / "r.csv"
    assert cli.main(["--config", str(settings), "-q", "report", "--out", str(unwritable), "--as-of", "2023-03-03"]) == 3
    said = capsys.readouterr().err
    assert f"cannot write {unwritable} (--out)" in said and "settings.yaml" not in said
    # ... the follow-up CSV too, in a first line of its own (its rows had no word of it)
    early_csv = ["--config", str(settings), "-q", "report", "--followup", "--format", "csv", "--out",
                 str(tmp_path / "early.csv"), "--as-of", (first.date() - timedelta(days=1)).isoformat(), "--force"]
    assert cli.main(early_csv) == 0
    rows = read_csv(tmp_path / "early.csv")
    assert rows[0][0].startswith("คำเตือน: ไม่มีบันทึกการตรวจ ณ เวลานี้") and rows[1] == list(R.FOLLOWUP_CSV_HEADER)
    # a report as of now is remembered: the next summary's trend starts from it
    before = hist.last_report_before(bkk(2030, 1, 1))
    assert cli.main(["--config", str(settings), "-q", "report", "--format", "csv", "--out", str(tmp_path / "n.csv")]) == 0
    assert hist.last_report_before(bkk(2030, 1, 1)) > before


# ---------------------------------------------------------------- rendering in headless Chromium
def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(html_path: Path, png: Path, profile: Path) -> subprocess.CompletedProcess:
    """Headless Chromium, as root, with nothing leaving the machine (file:// only, no background traffic)."""
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--hide-scrollbars", f"--screenshot={png}", "--window-size=1240,1754",
         html_path.resolve().as_uri()],
        capture_output=True, text=True, timeout=60)


def dump_dom(html_path: Path, profile: Path) -> str:
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", html_path.resolve().as_uri()],
        capture_output=True, text=True, timeout=60).stdout


def test_report_renders_in_headless_chromium(config, hist, tmp_path):
    if chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium fonts-thai-tlwg; .ci/run does it)")
    html_path = R.make_report(config, hist, "html", tmp_path / "report.html", AS_OF)
    png = tmp_path / "report.png"
    done = render(html_path, png, tmp_path / "profile")
    assert done.returncode == 0 and png.exists(), done.stderr[-2000:]
    width, height, ink = png_size_and_ink(png)
    assert (width, height) == (1240, 1754)
    assert 0.005 < ink < 0.6  # text and chart on white: neither blank nor a solid block
    dom = dump_dom(html_path, tmp_path / "profile")
    assert "รายงานความก้าวหน้าการเผยแพร่ข้อมูลสาธารณะ" in dom and "รายอำเภอ" in dom and "<svg" in dom
    fonts = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True).stdout
    if not fonts.strip():
        pytest.skip("no Thai font installed (fonts-thai-tlwg): the PNG would show boxes for Thai text")


def test_followup_csv_carries_the_agencys_explanation(config, hist, tmp_path):
    """Issue 14: the explanation an agency typed beside a URL (as of the last sync that wrote the row)
    travels with the item into the follow-up list; a later sync with the cell emptied clears it."""
    from sheets_sync.core.models import RowKey, Status, Verdict

    key = RowKey(B.code, "O3")
    broken = Verdict(key, "https://b.go.th/report", Status.BROKEN, ("http_5xx",))
    hist.record([broken], bkk(2023, 3, 2, 8, 0), explanations={key: "อยู่ในหัวข้อ \"รายงานประจำปี\" ท้ายหน้า"})
    rows = read_csv(R.make_report(config, hist, "csv", tmp_path / "f.csv", AFTER_ROUND_3, followup=True))
    assert rows[0][-1] == "คำอธิบายเพิ่มเติม"
    by_key = {(r[0], r[4]): r for r in rows[1:]}
    assert by_key[(B.code, "O3")][-1] == "อยู่ในหัวข้อ \"รายงานประจำปี\" ท้ายหน้า"
    assert all(r[-1] == "" for k, r in by_key.items() if k != (B.code, "O3"))
    hist.record([broken], bkk(2023, 3, 3, 8, 0), explanations={key: ""})
    rows = read_csv(R.make_report(config, hist, "csv", tmp_path / "g.csv", AFTER_ROUND_3, followup=True))
    assert {(r[0], r[4]): r for r in rows[1:]}[(B.code, "O3")][-1] == ""


def test_a_site_not_answering_for_a_moment_is_not_a_broken_link_in_the_report(config, tmp_path):
    """Both sites stopped answering for a moment after a good check: the report said 0 on track and
    told web masters to fix links that were fine."""
    from sheets_sync.core.models import Status
    from tests.support.history_fixture import v

    r1 = [i.code for i in CATALOG.items if i.round == 1]
    with State(config.settings.state_path) as state:
        history = History(state)
        history.record([v(x, i, f"https://{x.code}.go.th/{i}", Status.OK) for x in (A, B) for i in r1],
                       bkk(2023, 2, 5, 9, 0), AGENCIES)
        history.record([v(x, i, f"https://{x.code}.go.th/{i}", Status.UNKNOWN, "not_answering")
                        for x in (A, B) for i in r1] + [v(D, "O1", "https://d.go.th/new", Status.UNKNOWN,
                                                             "not_answering")], bkk(2023, 2, 5, 9, 30), AGENCIES)
        b = R.report_brief(config, history, bkk(2023, 2, 5, 10, 0))
        assert b.on_track == 2
        assert not any("ลิงก์ยังไม่ผ่าน" in a for a in b.actions)
        d = next(r for r in b.at_risk if r.agency.code == D.code)
        assert (d.valid, d.problems, d.unchecked) == (0, 0, 1)
        assert "1 ข้อของ 1 แห่งตรวจไม่ได้ชั่วคราว" in " ".join(b.actions)
        # the follow-up list, like the reminders, has nothing for D to fix in O1
        rows = R.followup_rows(config, history, bkk(2023, 2, 5, 10, 0))
        assert (D.code, "O1") not in {(r[0], r[4]) for r in rows} and (D.code, "O2") in {(r[0], r[4]) for r in rows}


def test_complete_by_the_deadline_is_what_the_rounds_snapshot_counted(config, hist):
    """A link that broke after the deadline took its agency out of the "ครบภายในกำหนด" bar (and put it
    back when fixed): the bar is the round's snapshot, whatever happens to the links later."""
    from sheets_sync.core.models import Status
    from tests.support.history_fixture import v

    snap = S.snapshot_summary(hist, CATALOG.round(1), CATALOG, AGENCIES, S.Options.of(config.settings))
    by_snapshot = next(b for b in snap.blocks if b.title == S.TITLE_ROUNDS).rows[0][3]
    hist.record([v(A, "O1", "https://a.go.th/org-moved", Status.BROKEN, "http_4xx")], bkk(2023, 3, 2, 9, 0))
    r1 = R.report_brief(config, hist, AS_OF).rounds[0]
    assert (r1.complete_on_time, r1.complete_now) == (by_snapshot, 1) == (2, 1)
    hist.record([v(A, "O1", "https://a.go.th/org", Status.OK)], bkk(2023, 3, 3, 9, 0))
    assert R.report_brief(config, hist, AS_OF).rounds[0].complete_on_time == 2


def test_a_score_typed_with_three_decimals_is_read_as_published_and_shown_as_counted(config, tmp_path):
    """84.995 was "85.00" beside "ไม่ผ่าน 2565" (the pass mark is 85): a score is read to its two
    published decimals, never rounded up, so the number shown and the mark agree everywhere."""
    typed = dataclasses.replace(C, score_2565=84.995)
    assert typed.score_2565 == 84.99 and typed.failed_2565
    agencies = tuple(typed if a.code == C.code else a for a in AGENCIES)
    with State(config.settings.state_path) as state:
        history, doc = _recorded_report(config, agencies, state, tmp_path / "r.html")
        row = next(r for r in next(b for b in R.report_summary(config, history, AS_OF).blocks
                                   if b.title == S.title_agencies(CATALOG)).rows if r[1] == C.code)
    assert row[4] == "ไม่ผ่าน 2565" and row[-3] == 84.99
    brief = doc[:doc.index(DOC.APPENDIX_TITLE)]
    assert '<td class="num">84.99</td>' in brief and "85.00" not in doc
    assert f'<tr class="failed"><td class="num">1</td><td class="name">{C.name}</td>' in doc


def test_an_agency_removed_from_the_tab_leaves_the_report_as_it_left_the_summary(config, hist):
    """tt-d was merged away on 2 March: the summary tab showed 3 agencies, the report went on with 4."""
    hist.record([], bkk(2023, 3, 2, 9, 0), (A, B, C))
    summary = R.report_summary(config, hist, AS_OF)
    assert [r[1] for r in next(b for b in summary.blocks if b.title == S.title_agencies(CATALOG)).rows] == [
        C.code, A.code, B.code]
    assert any(h.startswith("หน่วยงานในชีต 3 แห่ง") for h in summary.heading)
    assert R.report_brief(config, hist, AS_OF).total == 3
    assert D.code not in {r[0] for r in R.followup_rows(config, hist, AS_OF)}
    # as of a day before the merger the report still has it
    assert R.report_brief(config, hist, bkk(2023, 3, 1, 9, 0)).total == 4
