"""The summary's numbers, exactly, from a fixed history at a fixed moment (see
tests/support/history_fixture.py for the timeline; the expected values are worked out by hand)."""

from __future__ import annotations

import logging

import pytest

from sheets_sync.core.models import RowKey, Status
from sheets_sync.report import summary as S
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.history_fixture import AGENCIES, CATALOG, A, B, C, D, bkk, fill

NOW = bkk(2023, 3, 3, 9, 30)
OPTS = S.Options(expected_agencies=5, target_agencies=3)
OTHER_DISTRICTS = ("เมืองลำพูน", "บ้านโฮ่ง", "ทุ่งหัวช้าง", "ป่าซาง", "บ้านธิ", "เวียงหนองล่อง")


@pytest.fixture
def hist(tmp_path):
    with State(tmp_path / "state.sqlite") as state:
        yield fill(History(state))


def blocks(summary):
    return {b.title: b for b in summary.blocks}


def test_heading(hist):
    s = S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS)
    assert s.heading == (
        "สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. 2566 จังหวัดลำพูน",
        "ข้อมูล ณ 3 มี.ค. 2566 09:30 น.",
        "กำหนดส่ง: รอบที่ 1 ภายใน 31 ม.ค. 2566 (เลยกำหนดมา 31 วัน) / รอบที่ 2 ภายใน 28 ก.พ. 2566 (เลยกำหนดมา 3 วัน)"
        " / รอบที่ 3 ภายใน 7 เม.ย. 2566 (เหลือ 35 วัน)",
        "หน่วยงานในชีต 4 แห่ง จากที่ต้องประเมิน 5 แห่ง (ยังขาด 1 แห่ง ให้ผู้ประสานงานเพิ่มในแท็บหน่วยงาน)",
        "เป้าหมายจังหวัด: หน่วยงานผ่านเกณฑ์ไม่น้อยกว่า 3 จาก 5 แห่ง; ขณะนี้ 1 แห่งส่งและผ่านครบทุกข้อของรอบที่ 1–2"
        " (ยังขาด 2 แห่ง)",
        "ผ่านเบื้องต้น = ใช้งานได้ หรือ เปิดได้ แต่ควรตรวจ; ทันกำหนด = ผ่านครั้งแรกภายในวันกำหนดส่ง (เวลาประเทศไทย)",
        "เปลี่ยนแปลง = จำนวนข้อที่ผ่านเพิ่มขึ้น (+) หรือลดลง (-) นับจากรายงานครั้งก่อน 5 ก.พ. 2566 12:00 น.",
    )


def test_province_figures(hist):
    b = blocks(S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS))[S.TITLE_PROVINCE]
    assert b.header == ("รายการ", "จำนวน", "จาก", "ร้อยละ")
    assert b.rows == (
        ("หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1–2", 1, 4, 25.0),
        ("เทียบเป้าหมาย 3 แห่ง", 1, 3, 33.3),
        ("ข้อที่ส่งแล้ว", 9, 20, 45.0),
        ("ข้อที่ผ่านเบื้องต้น", 7, 20, 35.0),
        ("ข้อที่ถึงกำหนดแล้ว ที่ผ่าน", 7, 16, 43.8),
        ("ข้อที่ส่งแล้วแต่ยังไม่ผ่าน", 2, 9, 22.2),
        ("หน่วยงานในชีต", 4, 5, 80.0),
    )


def test_per_round(hist):
    b = blocks(S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS))[S.TITLE_ROUNDS]
    assert b.header == S.ROUND_HEADER
    assert b.rows == (
        # round, deadline, time left, complete, partly, not started, items, submitted, valid, %, on time, late, not valid
        ("รอบที่ 1", "31 ม.ค. 2566", "เลยกำหนดมา 31 วัน", 2, 1, 1, 8, 6, 5, 62.5, 4, 1, 3),
        ("รอบที่ 2", "28 ก.พ. 2566", "เลยกำหนดมา 3 วัน", 1, 1, 2, 8, 3, 2, 25.0, 1, 1, 6),
        ("รอบที่ 3", "7 เม.ย. 2566", "เหลือ 35 วัน", 0, 0, 4, 4, 0, 0, 0.0, 0, 0, 4),
    )


def test_per_district_all_eight_and_the_unassigned(hist):
    bs = blocks(S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS))
    b = bs[S.TITLE_DISTRICTS]
    assert b.header == ("อำเภอ", "หน่วยงาน", "ครบทุกข้อที่ถึงกำหนด", "ส่งแล้ว (ข้อ)", "ผ่าน (ข้อ)", "ผ่าน %", "ทันกำหนด",
                        "หลังกำหนด", "รอบ 1 ผ่าน %", "รอบ 2 ผ่าน %", "รอบ 3 ผ่าน %")
    rows = {r[0]: r[1:] for r in b.rows}
    assert [r[0] for r in b.rows] == list(S.DISTRICTS) + [S.NO_DISTRICT, "รวมจังหวัด"]
    assert rows["แม่ทา"] == (2, 1, 7, 6, 60.0, 5, 1, 100.0, 50.0, 0.0)
    assert rows["ลี้"] == (1, 0, 2, 1, 20.0, 0, 1, 50.0, 0.0, 0.0)
    assert rows[S.NO_DISTRICT] == (1, 0, 0, 0, 0.0, 0, 0, 0.0, 0.0, 0.0)
    for name in OTHER_DISTRICTS:
        assert rows[name] == (0, 0, 0, 0, 0.0, 0, 0, 0.0, 0.0, 0.0)
    assert rows["รวมจังหวัด"] == (4, 1, 9, 7, 35.0, 5, 2, 62.5, 25.0, 0.0)
    assert b.chart == S.SummaryChart(title="ความก้าวหน้ารายอำเภอ แยกตามรอบ (ร้อยละของข้อที่ผ่าน)", category_column=0,
                                     series_columns=(8, 9, 10), row_count=9, y_title="ร้อยละ", y_max=100)

    b = bs[S.TITLE_DISTRICT_ROUNDS]
    assert b.header == ("อำเภอ", "รอบ 1 ครบ", "รอบ 1 บางส่วน", "รอบ 1 ยังไม่เริ่ม", "รอบ 2 ครบ", "รอบ 2 บางส่วน",
                        "รอบ 2 ยังไม่เริ่ม", "รอบ 3 ครบ", "รอบ 3 บางส่วน", "รอบ 3 ยังไม่เริ่ม")
    rows = {r[0]: r[1:] for r in b.rows}
    assert rows["แม่ทา"] == (2, 0, 0, 1, 1, 0, 0, 0, 2)
    assert rows["ลี้"] == (0, 1, 0, 0, 0, 1, 0, 0, 1)
    assert rows[S.NO_DISTRICT] == (0, 0, 1, 0, 0, 1, 0, 0, 1)
    for name in OTHER_DISTRICTS:
        assert rows[name] == (0,) * 9
    assert rows["รวมจังหวัด"] == (2, 1, 1, 1, 1, 2, 0, 0, 4)


def test_per_agency_failed_2565_first_with_trend(hist):
    b = blocks(S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS))[S.title_agencies(CATALOG)]
    assert b.header == ("ลำดับ", "รหัส", "หน่วยงาน", "อำเภอ", "กลุ่ม", "รอบ 1 ผ่าน (จาก 2)", "รอบ 2 ผ่าน (จาก 2)",
                        "รอบ 3 ผ่าน (จาก 1, ยังไม่ถึงกำหนด)", "ไม่ผ่าน (ข้อ)", "ยังไม่ส่ง (ข้อ)", "ผ่าน %", "คะแนน 2565",
                        "ระดับ 2565", "เปลี่ยนแปลง (ข้อ)")
    assert b.rows == (
        (1, C.code, C.name, "ลี้", "ไม่ผ่าน 2565", 1, 0, 0, 1, 3, 20.0, 84.0, "B", "0"),
        (2, A.code, A.name, "แม่ทา", "ไม่ผ่าน 2565", 2, 2, 0, 0, 1, 80.0, 80.0, "B", "+2"),
        (3, B.code, B.name, "แม่ทา", "", 2, 0, 0, 1, 2, 40.0, "", "", "0"),
        (4, D.code, D.name, "", "", 0, 0, 0, 0, 5, 0.0, "", "", "0"),
    )


def test_items_that_fail_most(hist):
    b = blocks(S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS))[S.TITLE_ITEMS]
    assert b.rows == (
        (1, "O3", "รายงานผลการดำเนินงานประจำปี", 2, 1, 2, 3),
        (2, "O2", "ข้อมูลผู้บริหาร", 1, 1, 1, 2),
        (3, "O4", "E-service", 2, 0, 3, 3),
        (4, "O1", "โครงสร้าง", 1, 0, 1, 1),
    )


def test_no_followup_before_round_3_then_the_list_after_it(hist):
    assert not any(t.startswith(S.TITLE_FOLLOWUP) for t in blocks(S.summary_at(hist, NOW, CATALOG, AGENCIES, OPTS)))
    later = S.summary_at(hist, bkk(2023, 4, 8, 0, 0), CATALOG, AGENCIES, OPTS)
    b = blocks(later)["หน่วยงานที่ต้องติดตาม (ประชุมติดตาม 24 เม.ย. 2566)"]
    assert b.header == S.FOLLOWUP_HEADER
    assert b.rows == (
        (1, C.code, C.name, "ลี้", "ไม่ผ่าน 2565", 3, 1, "O3, O4, O5", "O2 (URL ไม่ถูกต้อง)"),
        (2, A.code, A.name, "แม่ทา", "ไม่ผ่าน 2565", 1, 0, "O5", ""),
        (3, B.code, B.name, "แม่ทา", "", 2, 1, "O4, O5", "O3 (เปิดไม่ได้)"),
        (4, D.code, D.name, "", "", 5, 0, "O1, O2, O3, O4, O5", ""),
    )
    # 7 April 23:59 is still the deadline day: no follow-up list yet
    assert not any(t.startswith(S.TITLE_FOLLOWUP)
                   for t in blocks(S.summary_at(hist, bkk(2023, 4, 7, 23, 59), CATALOG, AGENCIES, OPTS)))


def test_sheet_statuses_win_over_history_and_fewer_agencies_are_said_plainly(hist):
    now = hist.as_of(NOW)
    statuses = {RowKey(a, i): Status(s) for a, i, s in zip(now["agency"], now["item"], now["status"])}
    statuses[RowKey(D.code, "O1")] = Status.OK
    s = S.build_summary(statuses, AGENCIES, CATALOG, (), NOW, 59, target_agencies=50, history=now)
    province = blocks(s)[S.TITLE_PROVINCE].rows
    assert province[3] == ("ข้อที่ผ่านเบื้องต้น", 8, 20, 40.0)
    assert province[6] == ("หน่วยงานในชีต", 4, 59, 6.8)
    assert "หน่วยงานในชีต 4 แห่ง จากที่ต้องประเมิน 59 แห่ง (ยังขาด 55 แห่ง ให้ผู้ประสานงานเพิ่มในแท็บหน่วยงาน)" in s.heading


def test_a_row_the_sheet_lacks_is_not_sent_whatever_the_history_says(hist):
    """A row deleted from the sheet counted as valid from the history."""
    now = hist.as_of(NOW)
    statuses = {RowKey(a, i): Status(s) for a, i, s in zip(now["agency"], now["item"], now["status"])}
    del statuses[RowKey(A.code, "O1")]  # ok in the history
    s = S.build_summary(statuses, AGENCIES, CATALOG, (), NOW, 5, target_agencies=3, history=now)
    province = {r[0]: r[1:] for r in blocks(s)[S.TITLE_PROVINCE].rows}
    assert province["ข้อที่ผ่านเบื้องต้น"][0] == 6 and province["ข้อที่ส่งแล้ว"][0] == 8
    a = next(r for r in blocks(s)[S.title_agencies(CATALOG)].rows if r[1] == A.code)
    assert (a[5], a[9]) == (1, 2)  # round 1 valid, not submitted


def test_before_the_first_deadline_round_1_is_the_yardstick(hist):
    s = S.summary_at(hist, bkk(2023, 1, 15, 9, 0), CATALOG, AGENCIES, OPTS)
    assert blocks(s)[S.TITLE_PROVINCE].rows[0] == ("หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1 ซึ่งยังไม่ถึงกำหนด", 0, 4, 0.0)
    assert s.heading[2].startswith("กำหนดส่ง: รอบที่ 1 ภายใน 31 ม.ค. 2566 (เหลือ 16 วัน)")
    # no report before, and a week earlier is before the history: no trend
    assert blocks(s)[S.title_agencies(CATALOG)].rows[0][-1] == ""
    assert not any(h.startswith("เปลี่ยนแปลง") for h in s.heading)


def test_without_a_report_before_the_trend_says_it_counts_from_a_week_earlier(hist):
    """No report was made before 5 Feb: the heading claimed "the last report, 27 Jan" all the same."""
    s = S.summary_at(hist, bkk(2023, 2, 3, 10, 0), CATALOG, AGENCIES, OPTS)
    assert s.heading[-1] == ("เปลี่ยนแปลง = จำนวนข้อที่ผ่านเพิ่มขึ้น (+) หรือลดลง (-) นับจาก 7 วันก่อน "
                             "(27 ม.ค. 2566 10:00 น.) เนื่องจากยังไม่มีรายงานครั้งก่อน")
    assert not any("รายงานครั้งก่อน 27" in h for h in s.heading)


def test_thai_digits_setting(hist):
    s = S.summary_at(hist, NOW, CATALOG, AGENCIES, S.Options(5, 3, thai_digits=True))
    assert s.heading[1] == "ข้อมูล ณ ๓ มี.ค. ๒๕๖๖ ๐๙:๓๐ น."
    assert blocks(s)[S.TITLE_ROUNDS].rows[0][:3] == ("รอบที่ 1", "๓๑ ม.ค. ๒๕๖๖", "เลยกำหนดมา ๓๑ วัน")
    assert blocks(s)[S.TITLE_PROVINCE].rows[2][1:] == (9, 20, 45.0)  # numbers stay numbers (charts, sums)
    assert S.snapshot_title(CATALOG.round(2), thai_digits=True) == "สรุปรอบ ๒ (๒๘ กุมภาพันธ์ ๒๕๖๖)"


def test_snapshot_titles_fit_an_xlsx_tab_name():
    assert S.snapshot_title(CATALOG.round(1)) == "สรุปรอบ 1 (31 มกราคม 2566)"
    assert S.snapshot_title(CATALOG.round(3)) == "สรุปรอบ 3 (7 เมษายน 2566)"
    assert len(S.snapshot_title(CATALOG.round(2))) <= 31


def test_snapshot_is_the_summary_at_the_deadline_not_at_the_run(hist):
    snap = S.snapshot_summary(hist, CATALOG.round(1), CATALOG, AGENCIES, OPTS)
    assert snap.heading[1] == "ข้อมูล ณ 31 ม.ค. 2566 23:59 น."
    r1 = blocks(snap)[S.TITLE_ROUNDS].rows[0]
    # at 23:59:59 on 31 Jan: A and B complete, C (00:01 next day) not started, D not started
    assert r1 == ("รอบที่ 1", "31 ม.ค. 2566", "ครบกำหนดแล้ว", 2, 0, 2, 8, 4, 4, 50.0, 4, 0, 4)


def test_a_rounds_snapshot_counts_that_round_as_due(hist):
    """The snapshot is taken at the deadline day's last moment: the round it is of is due then. Round 2's
    snapshot said "2 agencies complete for round 1" and round 1's counted 0 of 0 items due."""
    snap1 = S.snapshot_summary(hist, CATALOG.round(1), CATALOG, AGENCIES, OPTS)
    province = blocks(snap1)[S.TITLE_PROVINCE].rows
    assert province[0] == ("หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1", 2, 4, 50.0)
    assert province[4] == ("ข้อที่ถึงกำหนดแล้ว ที่ผ่าน", 4, 8, 50.0)
    assert "กำหนดส่ง: รอบที่ 1 ภายใน 31 ม.ค. 2566 (ครบกำหนดแล้ว) / รอบที่ 2" in snap1.heading[3]

    snap2 = S.snapshot_summary(hist, CATALOG.round(2), CATALOG, AGENCIES, OPTS)
    assert blocks(snap2)[S.TITLE_PROVINCE].rows[0] == ("หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1–2", 0, 4, 0.0)
    header = blocks(snap2)[S.title_agencies(CATALOG)].header
    assert header[5:8] == ("รอบ 1 ผ่าน (จาก 2)", "รอบ 2 ผ่าน (จาก 2)", "รอบ 3 ผ่าน (จาก 1, ยังไม่ถึงกำหนด)")
    # a moment earlier the deadline day is not over yet
    before = S.summary_at(hist, bkk(2023, 2, 28, 23, 59, 59), CATALOG, AGENCIES, OPTS)
    assert blocks(before)[S.TITLE_PROVINCE].rows[0][0] == "หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1"


# ---------------------------------------------------------------- through the sync: snapshots
class StubChecker:
    """No network at all: the URL's first path segment is its status (ok, warning, broken)."""

    def check_many(self, urls, progress=None):
        from sheets_sync.core.models import CheckResult

        out = {}
        for url in urls:
            word = url.split("/")[3]
            out[url] = CheckResult(url=url, status=Status(word), reasons=() if word == "ok" else ("http_4xx",),
                                   http_status=200 if word != "broken" else 404)
        return out

    def close(self):
        pass


@pytest.fixture(params=["memory", "xlsx", "gsheets"])
def sheet(request, tmp_path):
    from sheets_sync.pipeline import sync as pipeline
    from tests.support.sheets import HARNESSES

    harness = HARNESSES[request.param](tmp_path)
    pipeline.init(sync_config(tmp_path), harness.backend)
    return harness


def sync_config(tmp_path):
    import dataclasses

    from sheets_sync.config.settings import Agency, load_config

    base = load_config("config/settings.yaml").with_settings(state_path=str(tmp_path / "state.sqlite"))
    agencies = (Agency("a-one", "เทศบาลตำบลหนึ่ง", "ลี้", "เทศบาลตำบล"),
                Agency("b-two", "องค์การบริหารส่วนตำบลสอง", "บ้านโฮ่ง", "อบต.", (), 80.5, "B"))
    return dataclasses.replace(base, agencies=agencies)


def run_at(tmp_path, sheet, when, urls):
    from sheets_sync.core.clock import FixedClock
    from sheets_sync.pipeline import sync as pipeline

    if urls:
        sheet.edit_now(lambda e: [e.set_url(a, i, u) for (a, i), u in urls.items()])
    return pipeline.sync(sync_config(tmp_path), sheet.backend, StubChecker(), FixedClock(when))


def tab_rows(sheet, tab):
    from sheets_sync.sheet import grid as g

    return [[g.text(c) for c in r] for r in sheet.grid(tab)]


def round_row(rows, label="รอบที่ 1"):
    start = next(i for i, r in enumerate(rows) if r and r[0] == S.TITLE_ROUNDS)
    return next(r for r in rows[start:] if r and r[0] == label)[:13]


def test_snapshot_written_days_after_the_deadline_shows_the_deadline(sheet, tmp_path, caplog):
    run_at(tmp_path, sheet, bkk(2023, 1, 20, 9, 0), {("a-one", "O1"): "https://a.go.th/ok/1",
                                                     ("a-one", "O2"): "https://a.go.th/broken/2"})
    run_at(tmp_path, sheet, bkk(2023, 1, 31, 23, 59), {("a-one", "O2"): "https://a.go.th/ok/2",
                                                       ("b-two", "O1"): "https://b.go.th/warning/1"})
    title = "สรุปรอบ 1 (31 มกราคม 2566)"
    assert title not in sheet.tabs()  # the deadline day is not over yet
    # three days later an agency fixes a round-1 item: late; the sync writes the round-1 snapshot now
    with caplog.at_level(logging.INFO, logger="sheets_sync"):
        run_at(tmp_path, sheet, bkk(2023, 2, 3, 10, 0), {("b-two", "O2"): "https://b.go.th/ok/2"})
    assert title in sheet.tabs()
    # a snapshot takes seconds on a province: the log says so before, and how long after
    steps = [r.getMessage() for r in caplog.records if "snapshot" in r.getMessage()]
    assert steps[0] == f"round 1 snapshot: building tab {title} from the history at its deadline"
    assert steps[1].startswith(f"round 1 snapshot written to tab {title} (") and steps[1].endswith(" s)")
    snap = tab_rows(sheet, title)
    assert snap[1][0] == "ข้อมูล ณ 31 ม.ค. 2566 23:59 น."
    # complete, partly, not started, items, submitted, valid, %, on time, late, not valid
    assert round_row(snap) == ["รอบที่ 1", "31 ม.ค. 2566", "ครบกำหนดแล้ว",
                               "0", "2", "0", "28", "3", "3", "10.7", "3", "0", "25"]
    live = tab_rows(sheet, "สรุป")
    assert live[1][0] == "ข้อมูล ณ 3 ก.พ. 2566 10:00 น."
    assert round_row(live) == ["รอบที่ 1", "31 ม.ค. 2566", "เลยกำหนดมา 3 วัน",
                               "0", "2", "0", "28", "4", "4", "14.3", "3", "1", "24"]
    # later syncs never change it, whatever happens to the sheet
    run_at(tmp_path, sheet, bkk(2023, 2, 5, 9, 0), {("a-one", "O3"): "https://a.go.th/ok/3",
                                                    ("a-one", "O1"): ""})
    assert tab_rows(sheet, title) == snap
    built = []
    assert sheet.backend.write_snapshot(title, lambda: built.append(1) or S.Summary(heading=("x",))) is False
    assert built == []  # an existing snapshot is not even recomputed
    assert tab_rows(sheet, title) == snap
    assert [t for t in sheet.tabs() if t.startswith("สรุปรอบ")] == [title]


def test_xlsx_summary_and_snapshot_carry_a_native_bar_chart(tmp_path):
    from openpyxl import load_workbook

    from tests.support.sheets import XlsxHarness

    sheet = XlsxHarness(tmp_path)
    from sheets_sync.pipeline import sync as pipeline

    pipeline.init(sync_config(tmp_path), sheet.backend)
    run_at(tmp_path, sheet, bkk(2023, 1, 30, 10, 0), {("a-one", "O1"): "https://a.go.th/ok/1"})
    run_at(tmp_path, sheet, bkk(2023, 2, 3, 10, 0), {})  # after the deadline: the round-1 snapshot
    wb = load_workbook(sheet.path)
    for tab in ("สรุป", "สรุปรอบ 1 (31 มกราคม 2566)"):
        charts = wb[tab]._charts
        assert len(charts) == 1, tab
        chart = charts[0]
        assert chart.tagname == "barChart" and len(chart.series) == 3
        refs = [s.val.numRef.f for s in chart.series]
        rows = tab_rows(sheet, tab)
        header = next(i for i, r in enumerate(rows) if r and r[0] == "อำเภอ") + 1
        assert refs[0].endswith(f"$I${header + 1}:$I${header + 8}")  # รอบ 1 ผ่าน %, the 8 districts
        assert rows[header - 1][8] == "รอบ 1 ผ่าน %"


def test_summary_chart_is_drawn_once_per_sync_on_google_sheets(tmp_path):
    """The native chart sits beside the district block, its series read the block's cells, and
    re-syncing replaces it instead of piling charts up."""
    from sheets_sync.pipeline import sync as pipeline
    from tests.support.sheets import HARNESSES

    sheet = HARNESSES["gsheets"](tmp_path)
    pipeline.init(sync_config(tmp_path), sheet.backend)
    run_at(tmp_path, sheet, bkk(2023, 1, 20, 9, 0), {("a-one", "O1"): "https://a.go.th/ok/1"})
    run_at(tmp_path, sheet, bkk(2023, 1, 21, 9, 0), {("a-one", "O2"): "https://a.go.th/ok/2"})
    summary_tab = sheet.fake.sheet(sheet.sid, "สรุป")
    assert len(summary_tab.charts) == 1
    spec = summary_tab.charts[0]["spec"]["basicChart"]
    assert spec["chartType"] == "COLUMN" and len(spec["series"]) == 3
    rows = tab_rows(sheet, "สรุป")
    header = spec["series"][0]["series"]["sourceRange"]["sources"][0]
    names = [rows[header["startRowIndex"]][s["series"]["sourceRange"]["sources"][0]["startColumnIndex"]]
             for s in spec["series"]]
    assert names == ["รอบ 1 ผ่าน %", "รอบ 2 ผ่าน %", "รอบ 3 ผ่าน %"]
    domain = spec["domains"][0]["domain"]["sourceRange"]["sources"][0]
    districts = [rows[r][domain["startColumnIndex"]] for r in range(domain["startRowIndex"] + 1, domain["endRowIndex"])]
    assert "ลี้" in districts and "บ้านโฮ่ง" in districts


def test_each_unplaced_row_is_explained_in_thai_with_its_value_and_rows():
    from sheets_sync.core.models import ReadProblem

    cases = {
        ReadProblem("duplicate_key", 12, "", value="tt-li/O7", first_row=5, tab="ส่ง URL"): ("tt-li/O7", "แถว 5 และ 12"),
        ReadProblem("unknown_agency", 8, "", value="tt-lee", tab="ส่ง URL"): ("'tt-lee'", "ส่ง URL"),
        ReadProblem("unknown_item", 9, "", value="O99", tab="ส่ง URL"): ("'O99'", "ส่ง URL"),
        ReadProblem("missing_key", 10, "", value="https://a.go.th", tab="ส่ง URL"): ("ไม่มีรหัสหน่วยงานและข้อ",),
    }
    for problem, expected in cases.items():
        text = S.problem_th(problem)
        assert all(part in text for part in expected), text
        assert problem.code not in text  # Thai for coordinators, not the machine code


def test_a_check_that_could_not_decide_is_not_the_agencys_failure(tmp_path):
    """A site that did not answer for a moment (unknown) was counted as a failing link: 0 agencies on
    track instead of 1, "submitted but failing". The row's last decided status for the same URL stands;
    with none (a new URL) the row is counted apart, as the reminders leave it out, never as failing."""
    from tests.support.history_fixture import v

    at = bkk(2023, 2, 5, 9, 30)
    with State(tmp_path / "s.sqlite") as state:
        h = History(state)
        h.record([v(A, "O1", "https://a.go.th/org", Status.OK), v(A, "O2", "https://a.go.th/boss", Status.OK),
                  v(B, "O1", "https://b.go.th/org", Status.BROKEN, "http_4xx"),
                  v(C, "O1", "https://c.go.th/old", Status.OK)], bkk(2023, 2, 5, 9, 0), AGENCIES)
        h.record([v(A, "O1", "https://a.go.th/org", Status.UNKNOWN, "not_answering"),
                  v(A, "O2", "https://a.go.th/boss", Status.UNKNOWN, "not_answering"),
                  v(B, "O1", "https://b.go.th/org", Status.UNKNOWN, "not_answering"),
                  v(C, "O1", "https://c.go.th/new", Status.UNKNOWN, "not_answering")], at, AGENCIES)
        sheet = {RowKey(a, i): Status.UNKNOWN for a, i in ((A.code, "O1"), (A.code, "O2"), (B.code, "O1"),
                                                            (C.code, "O1"))}
        for s in (S.build_summary(sheet, AGENCIES, CATALOG, (), at, 5, target_agencies=3, history=h.as_of(at)),
                  S.summary_at(h, at, CATALOG, AGENCIES, OPTS)):
            province = {r[0]: r[1:] for r in blocks(s)[S.TITLE_PROVINCE].rows}
            assert province["หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ 1"][0] == 1  # A: its ok stands
            assert province["ข้อที่ผ่านเบื้องต้น"][0] == 2
            # B's broken stands (same URL); C's new URL was never decided: its old ok says nothing of it
            assert province["ข้อที่ส่งแล้วแต่ยังไม่ผ่าน"][:2] == (1, 4)
            assert province[S.UNCHECKED_LABEL][:2] == (1, 4)
            agencies = {r[1]: r for r in blocks(s)[S.title_agencies(CATALOG)].rows}
            assert agencies[C.code][8] == 0 and agencies[B.code][8] == 1  # ไม่ผ่าน (ข้อ)
        # the reminders' view (no carry) still sees unknown, and never as a problem
        df = S.frame(None, AGENCIES, CATALOG, h.as_of(at), OPTS.tz).set_index(["agency", "item"])
        assert df.loc[(A.code, "O1"), "status"] == "unknown" and not df["problem"].any()


def test_a_snapshot_from_a_check_days_before_the_deadline_is_not_final(sheet, tmp_path):
    """The worker was down from 5 Jan until after the deadline: the tab showed 5 Jan's state as the sheet
    "at 23:59 on the deadline day, never to change". It is the provisional kind, saying when the last
    check was; a coordinator can confirm it."""
    from sheets_sync.pipeline import sync as pipeline

    run_at(tmp_path, sheet, bkk(2023, 1, 5, 9, 0), {("a-one", "O1"): "https://a.go.th/ok/1"})
    run_at(tmp_path, sheet, bkk(2023, 2, 6, 9, 0), {("b-two", "O1"): "https://b.go.th/ok/1"})
    final, provisional = "สรุปรอบ 1 (31 มกราคม 2566)", "สรุปรอบ 1 (ยังไม่ยืนยัน)"
    assert final not in sheet.tabs() and provisional in sheet.tabs()
    text = "\n".join(" ".join(r) for r in tab_rows(sheet, provisional))
    assert "ระบบตรวจครั้งสุดท้ายก่อนกำหนดส่งเมื่อ 5 ม.ค. 2566 09:00 น." in text and "ยังไม่ใช่ผลสุดท้าย" in text
    assert pipeline.confirm_snapshot(sync_config(tmp_path), sheet.backend, 1, bkk(2023, 2, 7, 10, 0)) == final
    assert "ผู้ประสานงานยืนยันภาพนี้เมื่อ 7 ก.พ. 2566" in "\n".join(" ".join(r) for r in tab_rows(sheet, final))


def test_a_final_snapshot_says_when_the_sheet_was_last_checked(sheet, tmp_path):
    """A check on the day before the deadline is recent enough; the heading says when it was, even when
    nothing changed in it (a sync that changes nothing adds no event)."""
    run_at(tmp_path, sheet, bkk(2023, 1, 20, 9, 0), {("a-one", "O1"): "https://a.go.th/ok/1"})
    run_at(tmp_path, sheet, bkk(2023, 1, 30, 10, 0), {})
    run_at(tmp_path, sheet, bkk(2023, 2, 3, 10, 0), {})
    snap = tab_rows(sheet, "สรุปรอบ 1 (31 มกราคม 2566)")
    assert snap[2][0] == ("ภาพนี้คำนวณจากผลการตรวจครั้งสุดท้ายก่อนสิ้นวันกำหนดส่ง (ตรวจเมื่อ 30 ม.ค. 2566 10:00 น.) "
                          "และจะไม่ถูกแก้ไขอีก")


def test_switching_thai_digits_writes_no_second_snapshot_of_a_round(sheet, tmp_path):
    """A snapshot written before `thai_digits` was switched on is the round's snapshot: the next sync wrote
    another tab under the Thai-digit name, and a provisional one came back beside its confirmed tab."""
    from sheets_sync.core.clock import FixedClock
    from sheets_sync.pipeline import sync as pipeline

    def sync(when, thai_digits):
        config = sync_config(tmp_path).with_settings(thai_digits=thai_digits)
        pipeline.sync(config, sheet.backend, StubChecker(), FixedClock(when))
        return config

    sync(bkk(2023, 1, 30, 9, 0), False)
    sync(bkk(2023, 2, 1, 9, 0), False)  # round 1's snapshot, Arabic digits
    sync(bkk(2023, 3, 5, 9, 0), True)  # round 2: no check close to its deadline, provisional, Thai digits
    assert sorted(t for t in sheet.tabs() if t.startswith("สรุปรอบ")) == [
        "สรุปรอบ 1 (31 มกราคม 2566)", "สรุปรอบ ๒ (ยังไม่ยืนยัน)"]
    sync(bkk(2023, 3, 6, 9, 0), False)  # switched back: nothing new
    assert len([t for t in sheet.tabs() if t.startswith("สรุปรอบ")]) == 2
    # confirming round 2 in Arabic digits removes the Thai-digit provisional tab; round 1 cannot be confirmed again
    config = sync_config(tmp_path)
    assert pipeline.confirm_snapshot(config, sheet.backend, 2, bkk(2023, 3, 7, 9, 0)) == "สรุปรอบ 2 (28 กุมภาพันธ์ 2566)"
    assert sorted(t for t in sheet.tabs() if t.startswith("สรุปรอบ")) == [
        "สรุปรอบ 1 (31 มกราคม 2566)", "สรุปรอบ 2 (28 กุมภาพันธ์ 2566)"]
    with pytest.raises(Exception, match="exists already"):
        pipeline.confirm_snapshot(config.with_settings(thai_digits=True), sheet.backend, 2, bkk(2023, 3, 7, 10, 0))
    sync(bkk(2023, 3, 8, 9, 0), True)
    assert len([t for t in sheet.tabs() if t.startswith("สรุปรอบ")]) == 2
