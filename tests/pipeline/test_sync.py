"""The whole pipeline end to end: real collector, real checker against loopback servers,
real backends; the sheet is read back to check what agencies would see."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import Agency
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.errors import UsageError
from sheets_sync.core.models import RowKey, Status
from sheets_sync.pipeline import sync as pipeline
from sheets_sync.report import governor
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS, TAB_SUMMARY
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.http_servers import LoopbackServer, closed_port, respond

PAGE = "<html><head><title>โครงสร้างองค์กร</title></head><body>ประกาศ ปี 2566</body></html>".encode()


@pytest.fixture
def site():
    with LoopbackServer({"/": respond(200, PAGE), "/org": respond(200, PAGE), "/boss": respond(200, PAGE),
                         "/law": respond(200, PAGE), "/gone": respond(404, b"not found")}) as srv:
        yield srv




def run(config, sheet, clock=None, **kw):
    checker = Checker(config.settings.checker)
    try:
        return pipeline.sync(config, sheet.backend, checker, clock or FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)), **kw)
    finally:
        checker.close()


def cells(sheet) -> dict[RowKey, dict[str, str]]:
    grid = sheet.grid(TAB_SUBMISSIONS)
    idx = {k: [g.text(c) for c in grid[0]].index(h) for k, h in SUBMISSION_HEADERS.items()}
    out = {}
    for n, row in enumerate(grid[1:], start=1):
        key = RowKey(g.text(row[idx["agency"]]), g.text(row[idx["item"]]))
        out[key] = {k: g.text(g.cell(row, i)) for k, i in idx.items()}
        out[key]["_note"] = sheet.note(TAB_SUBMISSIONS, n, idx["url"])
    return out


def test_sync_writes_status_reasons_and_thai_notes(sheet, config, site):
    dead = f"http://127.0.0.1:{closed_port()}/x"
    typed = {
        ("a-one", "O1"): site.url("/org"),
        ("a-one", "O2"): site.url("/gone"),
        ("a-one", "O3"): "javascript:alert(1)",
        ("a-one", "O4"): site.url("/"),
        ("a-one", "O5"): f"{site.url('/boss')}\n{site.url('/nope')}",
        ("a-one", "O6"): dead,
        ("b-two", "O1"): site.url("/law"),
        ("b-two", "O2"): site.url("/law"),
        ("b-two", "O3"): site.url("/org").replace("http://", ""),
    }
    sheet.edit_now(lambda e: [e.set_url(a, i, u) for (a, i), u in typed.items()])
    report = run(config, sheet)
    assert report.rows == 2 * 43
    c = cells(sheet)
    expect = {
        ("a-one", "O1"): (Status.OK, ""),
        ("a-one", "O2"): (Status.BROKEN, "http_4xx"),
        ("a-one", "O3"): (Status.INVALID, "bad_scheme"),
        ("a-one", "O4"): (Status.WARNING, "homepage_only"),
        ("a-one", "O5"): (Status.BROKEN, "http_4xx"),
        ("a-one", "O6"): (Status.BROKEN, "connect_error"),
        ("b-two", "O1"): (Status.WARNING, "duplicate_in_agency"),
        ("b-two", "O2"): (Status.WARNING, "duplicate_in_agency"),
        ("b-two", "O3"): (Status.INVALID, "malformed"),  # a bare IP without scheme is not taken for a URL
    }
    for (a, i), (status, reason) in expect.items():
        row = c[RowKey(a, i)]
        assert row["status"] == status.label_th, (a, i, row)
        assert row["reasons"] == reason
        assert (row["_note"] != "") == (reason != "")
        assert row["first_submitted_at"] == "20 ม.ค. 2566 09:00"
    assert c[RowKey("a-one", "O2")]["http_status"] == "404"
    assert "ไม่พบหน้า" in c[RowKey("a-one", "O2")]["_note"]
    assert c[RowKey("a-one", "O7")]["status"] == Status.EMPTY.label_th
    assert c[RowKey("a-one", "O7")]["checked_at"] == ""
    # the row with two URLs names each in its note
    assert site.url("/boss") in c[RowKey("a-one", "O5")]["_note"]
    assert report.counts == {"empty": 77, "ok": 1, "broken": 3, "invalid": 2, "warning": 3}


def test_second_sync_keeps_first_submitted_and_only_moves_times(sheet, config, site):
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    run(config, sheet, FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    first = cells(sheet)
    run(config, sheet, FixedClock(datetime(2023, 1, 21, 9, 0, tzinfo=BANGKOK)))
    second = cells(sheet)
    row = second[RowKey("a-one", "O1")]
    assert row["first_submitted_at"] == "20 ม.ค. 2566 09:00" and row["checked_at"] == "21 ม.ค. 2566 09:00"
    changed = {k for k in first if first[k] != second[k]}
    assert changed == {RowKey("a-one", "O1")}
    assert {f for f in row if row[f] != first[RowKey("a-one", "O1")][f]} == {"checked_at"}


def test_summary_counts_by_agency_and_round(sheet, config, site):
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O13", site.url("/gone")),
                              e.set_url("b-two", "O10", "mailto:x@y.go.th")))
    run(config, sheet)
    rows = [[g.text(c) for c in r] for r in sheet.grid(TAB_SUMMARY)]
    text = "\n".join(" | ".join(c for c in r if c) for r in rows)
    assert "ข้อมูล ณ 20 ม.ค. 2566 09:00 น." in text
    assert "หน่วยงานในชีต 2 แห่ง จากที่ต้องประเมิน 59 แห่ง" in text
    assert "รอบที่ 1 ภายใน 31 ม.ค. 2566 (เหลือ 11 วัน)" in text
    by_first = {r[1]: r for r in rows if len(r) > 13 and r[1] in ("a-one", "b-two")}
    # columns: no., code, name, district, group, round 1/2/3 valid, not valid, not submitted, valid %,
    # 2565 score, 2565 grade, trend (none: the history starts now); the agency that failed in 2565 first
    assert by_first["a-one"][:14] == ["1", "a-one", "เทศบาลตำบลหนึ่ง", "ลี้", "ไม่ผ่าน 2565", "1", "0", "0", "1", "41",
                                      "2.3", "80.5", "B", ""]
    assert by_first["b-two"][:14] == ["2", "b-two", "องค์การบริหารส่วนตำบลสอง", "บ้านโฮ่ง", "", "0", "0", "0", "1", "42",
                                      "0", "", "", ""]
    province = {r[0]: r[1:4] for r in rows if r and r[0].startswith("ข้อที่")}
    assert province["ข้อที่ส่งแล้ว"] == ["3", "86", "3.5"]
    assert province["ข้อที่ผ่านเบื้องต้น"] == ["1", "86", "1.2"]
    assert province["ข้อที่ส่งแล้วแต่ยังไม่ผ่าน"] == ["2", "3", "66.7"]
    rounds = {r[0]: r[3:13] for r in rows if r and r[0].startswith("รอบที่ ") and len(r) > 12}
    # complete, partly, not started, items, submitted, valid, %, on time, late, not valid
    assert rounds["รอบที่ 1"] == ["0", "1", "1", "28", "1", "1", "3.6", "1", "0", "27"]
    assert rounds["รอบที่ 2"] == ["0", "1", "1", "28", "1", "0", "0", "0", "0", "28"]
    assert rounds["รอบที่ 3"] == ["0", "1", "1", "30", "1", "0", "0", "0", "0", "30"]


def test_dry_run_writes_nothing(sheet, config, site):
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    before = sheet.grid(TAB_SUBMISSIONS), sheet.grid(TAB_SUMMARY)
    report = run(config, sheet, dry_run=True)
    assert report.dry_run and report.counts["broken"] == 1
    assert (sheet.grid(TAB_SUBMISSIONS), sheet.grid(TAB_SUMMARY)) == before


def test_agency_filter_writes_only_that_agency(sheet, config, site):
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("b-two", "O1", site.url("/org"))))
    run(config, sheet, agency="b-two")
    c = cells(sheet)
    assert c[RowKey("b-two", "O1")]["status"] == Status.OK.label_th
    assert c[RowKey("a-one", "O1")]["status"] == ""
    with pytest.raises(UsageError):
        run(config, sheet, agency="nobody")


def test_url_edited_during_the_check_gets_no_stale_verdict(sheet, config, site):
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/gone")), e.set_url("a-one", "O2", site.url("/org"))))

    def agency_fixes_link(e):
        e.reorder(lambda row: g.text(row[e.cols["item"]]))
        e.set_url("a-one", "O1", site.url("/boss"))

    sheet.edit_before_write(agency_fixes_link)
    report = run(config, sheet)
    assert report.write.stale == (RowKey("a-one", "O1"),)
    c = cells(sheet)
    assert c[RowKey("a-one", "O1")]["status"] == "" and c[RowKey("a-one", "O1")]["_note"] == ""
    assert c[RowKey("a-one", "O2")]["status"] == Status.OK.label_th
    run(config, sheet)  # the next run catches up
    assert cells(sheet)[RowKey("a-one", "O1")]["status"] == Status.OK.label_th



def test_a_url_edited_during_the_check_counts_in_the_summary_as_the_sheet_shows_it(sheet, config, site):
    """O1's link worked; the agency replaces it by one that does not while the run checks. The row
    keeps its old verdict greyed as pending (no verdict on the wrong URL): the summary counted it by
    that old verdict, valid, until the next run; it counts as not yet checked, as the sheet shows."""
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    assert run(config, sheet).counts[Status.OK.value] == 1
    sheet.edit_before_write(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    report = run(config, sheet, clock=FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)))
    assert report.write.stale == (RowKey("a-one", "O1"),)
    assert report.counts.get(Status.OK.value, 0) == 0 and report.counts[Status.UNKNOWN.value] == 1
    assert summary_of_a_one(sheet) == {"valid": "0", "unchecked": "1", "a-one round 1 valid": "0"}
    # the governor's report, made from the history, counted O1 valid by its old URL's verdict
    assert report_of_a_one(config, datetime(2023, 1, 20, 10, 5, tzinfo=BANGKOK)) == summary_of_a_one(sheet)


def test_a_url_edited_during_the_check_is_not_told_by_its_old_verdict_in_reminders_report_or_export(
        sheet, config, site):
    """Seven days before round 1: a-one's O1 was broken at 08:30, and while the 09:00 sync checks it
    the agency pastes a working link there and its first link into O2, empty until then. The sheet
    greys O1's old verdict and O2's "not sent" as pending, but the history kept them: the reminder
    e-mailed at 09:05 told the agency O1 "เปิดไม่ได้" at the link it had just replaced and O2 not
    sent, and the governor's report and follow-up list counted O1 broken and O2 missing. They are
    not yet checked everywhere, as on the sheet; the ITAS export still says O1 is รอตรวจ."""
    from sheets_sync.config.settings import NotifySettings, SmtpSettings
    from sheets_sync.export import itas
    from sheets_sync.worker.reminders import run_reminders
    from tests.support.smtp import SmtpServer

    def bkk(*args):
        return datetime(*args, tzinfo=BANGKOK)

    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    assert run(config, sheet, clock=FixedClock(bkk(2023, 1, 24, 8, 30))).counts[Status.BROKEN.value] == 1
    sheet.edit_before_write(lambda e: (e.set_url("a-one", "O1", site.url("/org")),
                                       e.set_url("a-one", "O2", site.url("/law"))))
    report = run(config, sheet, clock=FixedClock(bkk(2023, 1, 24, 9, 0)))
    assert set(report.write.stale) == {RowKey("a-one", "O1"), RowKey("a-one", "O2")}
    assert report.counts[Status.UNKNOWN.value] == 2 and summary_of_a_one(sheet)["unchecked"] == "2"

    with SmtpServer() as smtp:
        notify = NotifySettings(enabled=True, smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, security="none",
                                                                from_address="ita@lamphun.go.th", timeout_s=5.0))
        agencies = (dataclasses.replace(config.agencies[0], reminder_emails=("saraban@a-one.go.th",)),
                    config.agencies[1])
        reminded = run_reminders(config.with_settings(notify=notify), FixedClock(bkk(2023, 1, 24, 9, 5)), agencies)
        assert reminded.ok and reminded.slots == ("r1-7d",) and reminded.sent == 1, reminded
        (mail,) = smtp.inbox.to("saraban@a-one.go.th")
    text, page = mail.part("plain"), mail.part("html")
    assert "O3 อำนาจหน้าที่" in text and "<b>O3</b>" in page  # still empty: told
    assert "O1 โครงสร้าง" not in text and "<b>O1</b>" not in page
    assert "O2 ข้อมูลผู้บริหาร" not in text and "<b>O2</b>" not in page
    assert site.url("/gone") not in text + page

    assert report_of_a_one(config, bkk(2023, 1, 24, 9, 5)) == summary_of_a_one(sheet)
    with State(config.settings.state_path) as state:
        followup = governor.followup_rows(config, History(state, config.settings.tz), bkk(2023, 2, 1, 9, 0))
    assert not [r for r in followup if r[0] == "a-one" and r[4] in ("O1", "O2")]

    judged = itas._judged_urls(config)
    lst = itas.build_list(sheet.backend.read(config.catalog), config.catalog, config.agencies[0],
                          bkk(2023, 1, 24, 9, 5), judged)
    by_item = {line.item: line for line in lst.lines}
    assert by_item["O1"].verdict == itas.PENDING_TH and by_item["O2"].verdict == itas.PENDING_TH


def test_a_first_link_pasted_during_the_first_sync_is_not_reminded_as_not_sent(sheet, config, site):
    """The worker's very first sync, seven days before round 1: a-one pastes its first link into O2
    while the sync checks the empty row. The history had never seen the row, and recorded nothing of
    it: the reminder e-mailed right after told the agency O2 was not sent, its link on the sheet."""
    from sheets_sync.config.settings import NotifySettings, SmtpSettings
    from sheets_sync.worker.reminders import run_reminders
    from tests.support.smtp import SmtpServer

    sheet.edit_before_write(lambda e: e.set_url("a-one", "O2", site.url("/org")))
    report = run(config, sheet, clock=FixedClock(datetime(2023, 1, 24, 9, 0, tzinfo=BANGKOK)))
    assert report.write.stale == (RowKey("a-one", "O2"),)
    with SmtpServer() as smtp:
        notify = NotifySettings(enabled=True, smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, security="none",
                                                                from_address="ita@lamphun.go.th", timeout_s=5.0))
        agencies = (dataclasses.replace(config.agencies[0], reminder_emails=("saraban@a-one.go.th",)),
                    config.agencies[1])
        at = FixedClock(datetime(2023, 1, 24, 9, 5, tzinfo=BANGKOK))
        assert run_reminders(config.with_settings(notify=notify), at, agencies).sent == 1
        (mail,) = smtp.inbox.to("saraban@a-one.go.th")
    assert "O1 โครงสร้าง" in mail.part("plain")  # empty: told
    assert "O2 ข้อมูลผู้บริหาร" not in mail.part("plain") and "<b>O2</b>" not in mail.part("html")
    assert report_of_a_one(config, at.now()) == summary_of_a_one(sheet)


def test_a_link_pasted_back_during_the_check_is_not_counted_by_what_it_was_once_judged(sheet, config, site):
    """O1's link worked at 08:00 and was replaced by a broken one checked at 08:30; while the 09:00 sync
    checks that one, the agency pastes the first link back. The sheet greys the broken verdict as
    pending; the governor's report counted O1 valid by the link's 08:00 verdict (the history's last
    decided status of that URL text), which is not what the sheet shows."""
    def at(hour, minute):
        return FixedClock(datetime(2023, 1, 20, hour, minute, tzinfo=BANGKOK))

    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    assert run(config, sheet, clock=at(8, 0)).counts[Status.OK.value] == 1
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    assert run(config, sheet, clock=at(8, 30)).counts[Status.BROKEN.value] == 1
    sheet.edit_before_write(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    assert run(config, sheet, clock=at(9, 0)).write.stale == (RowKey("a-one", "O1"),)
    assert summary_of_a_one(sheet) == {"valid": "0", "unchecked": "1", "a-one round 1 valid": "0"}
    assert report_of_a_one(config, datetime(2023, 1, 20, 9, 5, tzinfo=BANGKOK)) == summary_of_a_one(sheet)


def test_a_link_put_back_during_the_check_counts_by_the_verdict_the_sheet_shows_current(sheet, config, site):
    """O1's link worked at 08:00. The agency pastes another over it, then, while the 09:00 sync checks
    that one, puts the first link back (an undo). Its cell holds the URL its 08:00 verdict judged, so
    the sheet shows that verdict as current, not pending: the summary counted O1 as not yet checked,
    and the history, had it recorded O1 so, would have made the report say it too."""
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    assert run(config, sheet).counts[Status.OK.value] == 1
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    sheet.edit_before_write(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    report = run(config, sheet, clock=FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)))
    assert report.write.stale == (RowKey("a-one", "O1"),) and report.counts[Status.OK.value] == 1
    assert cells(sheet)[RowKey("a-one", "O1")]["checked_url"] == site.url("/org")
    assert summary_of_a_one(sheet) == {"valid": "1", "unchecked": "0", "a-one round 1 valid": "1"}
    assert report_of_a_one(config, datetime(2023, 1, 20, 10, 5, tzinfo=BANGKOK)) == summary_of_a_one(sheet)


def summary_of_a_one(sheet) -> dict[str, str]:
    """The summary tab's valid and not-yet-checked items of the province, and a-one's valid items of round 1."""
    return _counts_of_a_one([[g.text(c) for c in r] for r in sheet.grid(TAB_SUMMARY)])


def report_of_a_one(config, at) -> dict[str, str]:
    """The same counts in the governor's report as of `at` (made from the history alone)."""
    with State(config.settings.state_path) as state:
        summary = governor.report_summary(config, History(state, config.settings.tz), at)
    return _counts_of_a_one([[g.text(c) for c in r] for r in summary.grid()[0]])


def _counts_of_a_one(rows) -> dict[str, str]:
    from sheets_sync.report.summary import UNCHECKED_LABEL

    province = {r[0]: r[1:4] for r in rows if r and r[0].startswith("ข้อที่")}
    a_one = next(r for r in rows if len(r) > 13 and r[1] == "a-one")
    return {"valid": province["ข้อที่ผ่านเบื้องต้น"][0], "unchecked": province.get(UNCHECKED_LABEL, ["0"])[0],
            "a-one round 1 valid": a_one[5]}


def test_a_url_edited_since_its_check_counts_as_pending_in_a_sync_of_another_agency(sheet, config, site):
    """a-one's O1 worked; its agency then pastes a broken link, and the coordinator syncs b-two alone.
    a-one's rows get no verdict this run, and the sheet greys O1's old one as pending (its URL cell
    differs from "URL ที่ตรวจ"): the summary counted it valid by that verdict until a full sync; it
    counts as not yet checked, as the sheet shows it. O2, a =HYPERLINK formula, is judged and named
    by its formula's text: its verdict is current and stays valid (a warning)."""
    hyperlink = f'=HYPERLINK("{site.url("/law")}","ประกาศ")'
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", hyperlink)))
    counts = run(config, sheet).counts
    assert counts[Status.OK.value] == 1 and counts[Status.WARNING.value] == 1  # O2: warned of the formula
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    run(config, sheet, clock=FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)), agency="b-two")
    assert cells(sheet)[RowKey("a-one", "O1")]["status"] == Status.OK.label_th  # greyed by the sheet's rule
    assert summary_of_a_one(sheet) == {"valid": "1", "unchecked": "1", "a-one round 1 valid": "1"}
    assert report_of_a_one(config, datetime(2023, 1, 20, 10, 5, tzinfo=BANGKOK)) == summary_of_a_one(sheet)


def test_a_link_taken_out_since_its_check_is_not_sent_in_the_report_after_a_sync_of_another_agency(
        sheet, config, site):
    """a-one's O1 was broken; its agency empties the cell, and the coordinator syncs b-two alone. The
    summary counts O1 as not sent, as the row says; the history kept the verdict of the link taken
    out, so the governor's follow-up list named O1 broken at that link."""
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    assert run(config, sheet).counts[Status.BROKEN.value] == 1
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", ""))
    run(config, sheet, clock=FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)), agency="b-two")
    with State(config.settings.state_path) as state:
        followup = governor.followup_rows(config, History(state, config.settings.tz),
                                          datetime(2023, 2, 1, 9, 0, tzinfo=BANGKOK))
    (o1,) = [r for r in followup if r[0] == "a-one" and r[4] == "O1"]
    assert (o1[8], o1[9]) == (Status.EMPTY.label_th, "")


@pytest.mark.parametrize("kind", ["xlsx", "gsheets"])
def test_a_label_over_its_link_checked_before_counts_by_its_verdict_in_a_sync_of_another_agency(
        kind, tmp_path, config, site):
    """A URL cell showing a label over its link is judged by the link, and both it and "URL ที่ตรวจ"
    read as that link: its verdict is current, never counted as pending by a sync of another agency."""
    from tests.support.sheets import HARNESSES

    sheet = HARNESSES[kind](tmp_path)
    pipeline.init(config, sheet.backend)
    sheet.link_now("a-one", "O1", "ดาวน์โหลดเอกสาร", [site.url("/org")])
    assert run(config, sheet).counts[Status.OK.value] == 1
    run(config, sheet, clock=FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)), agency="b-two")
    assert summary_of_a_one(sheet) == {"valid": "1", "unchecked": "0", "a-one round 1 valid": "1"}


def test_a_url_edited_since_its_check_counts_as_pending_while_the_checker_is_offline(sheet, config, site):
    """The checker is offline, so every row keeps the verdict the sheet shows: O1's, whose link the
    agency replaced since its check, is greyed as pending there, and was counted valid by it in the
    run's counts and the summary. O2, unchanged, still counts by its verdict."""
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", site.url("/law"))))
    assert run(config, sheet).counts[Status.OK.value] == 2
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/gone")))
    offline = config.with_settings(checker=dataclasses.replace(
        config.settings.checker, canary_urls=(f"http://127.0.0.1:{closed_port()}/generate_204",)))
    report = run(offline, sheet, clock=FixedClock(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK)))
    assert report.kept_offline == 1  # O2: O1 shows as pending, not its earlier verdict
    assert report.counts[Status.OK.value] == 1 and report.counts[Status.UNKNOWN.value] == 1
    assert cells(sheet)[RowKey("a-one", "O1")]["checked_url"] == site.url("/org")  # the sheet greys it
    assert summary_of_a_one(sheet) == {"valid": "1", "unchecked": "1", "a-one round 1 valid": "1"}
    assert report_of_a_one(config, datetime(2023, 1, 20, 10, 5, tzinfo=BANGKOK)) == summary_of_a_one(sheet)


def test_the_offline_heading_counts_only_the_rows_showing_their_earlier_verdict(sheet, config, site):
    """O2's link changed while the 09:00 sync checked it, so the sheet greys its 08:00 verdict as
    pending; then the checker is offline at 10:00. The summary's heading said "2 แถวยังแสดงผลการตรวจ
    ครั้งก่อน (ตรวจระหว่าง 08:00 ถึง 09:00 น.)": O2 shows no earlier verdict, only O1 does, made at 09:00."""
    def at(hour):
        return FixedClock(datetime(2023, 1, 20, hour, 0, tzinfo=BANGKOK))

    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", site.url("/law"))))
    assert run(config, sheet, clock=at(8)).counts[Status.OK.value] == 2
    sheet.edit_before_write(lambda e: e.set_url("a-one", "O2", site.url("/gone")))
    assert run(config, sheet, clock=at(9)).write.stale == (RowKey("a-one", "O2"),)
    offline = config.with_settings(checker=dataclasses.replace(
        config.settings.checker, canary_urls=(f"http://127.0.0.1:{closed_port()}/generate_204",)))
    report = run(offline, sheet, clock=at(10))
    assert report.kept_offline == 1 and report.kept_checked[0] == report.kept_checked[1] == at(9).now()
    heading = [g.text(r[0]) for r in sheet.grid(TAB_SUMMARY)[:4] if r]
    assert any("1 แถวยังแสดงผลการตรวจครั้งก่อน (ตรวจเมื่อ 20 ม.ค. 2566 09:00 น.)" in line for line in heading), heading


def test_agency_added_in_the_tab_gets_its_rows_on_next_sync(sheet, config):
    from sheets_sync.sheet.layout import TAB_AGENCIES

    new = Agency("c-three", "เทศบาลตำบลสาม", "ป่าซาง")
    sheet.backend.ensure_layout(config.catalog, [new])  # same effect as a coordinator typing the row
    assert sum(1 for k in cells(sheet) if k.agency == "c-three") == 43
    assert "c-three" in [g.text(r[0]) for r in sheet.grid(TAB_AGENCIES)]



def test_an_agency_code_changed_in_the_agencies_tab_gets_no_empty_twin_rows(sheet, config, site, caplog):
    """A coordinator changes an agency's code in the agencies tab (here: the rows carry "a-old", the
    tab "a-one"). The sync added 43 empty rows for the new code, the agency's typed URLs stayed on
    rows of the old, now unknown, code, and the summary showed it as not started, saying only "run
    init and paste the URLs again". No rows are added while rows carry an unknown code; the log and
    the summary say the agency has no row, which codes the rows carry, and what to do."""
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))

    def renamed(e):
        for row in e.grid[1:]:
            if g.text(g.cell(row, e.cols["agency"])) == "a-one":
                row[e.cols["agency"]] = "a-old"
    sheet.edit_now(renamed)
    report = run(config, sheet)
    agencies = [k.agency for k in cells(sheet)]
    assert agencies.count("a-one") == 0 and agencies.count("a-old") == 43
    told = [p for p in report.problems if p.value == "a-one"]
    assert [p.code for p in told] == ["agency_rows_elsewhere"]
    assert "'a-old' (43 rows)" in told[0].detail
    assert "'a-old' (43 rows)" in caplog.text
    text = "\n".join(" | ".join(g.text(c) for c in r if g.text(c)) for r in sheet.grid(TAB_SUMMARY))
    assert "ไม่มีแถวของหน่วยงาน a-one" in text and "ให้แก้รหัสหน่วยงานในแถวเหล่านั้นเป็น a-one" in text
    assert "วาง URL อีกครั้ง" not in text  # the advice for deleted rows, wrong here


def test_a_lost_and_rebuilt_sheet_gets_its_first_submission_times_back(sheet, config, site, tmp_path):
    """The clarification window is judged against the URL first submitted: the history keeps
    that time, so a sheet rebuilt from scratch shows the original one, not the rebuild's."""
    sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))
    run(config, sheet, FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert cells(sheet)[RowKey("a-one", "O1")]["first_submitted_at"] == "20 ม.ค. 2566 09:00"

    (tmp_path / "rebuilt").mkdir()
    rebuilt = type(sheet)(tmp_path / "rebuilt")  # the old sheet is gone; a coordinator starts a new one
    pipeline.init(config, rebuilt.backend)
    rebuilt.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", site.url("/boss"))))
    run(config, rebuilt, FixedClock(datetime(2023, 2, 3, 14, 0, tzinfo=BANGKOK)))
    again = cells(rebuilt)
    assert again[RowKey("a-one", "O1")]["first_submitted_at"] == "20 ม.ค. 2566 09:00"
    assert again[RowKey("a-one", "O2")]["first_submitted_at"] == "3 ก.พ. 2566 14:00"


# ---------------------------------------------------------------- each item's year rule
def page(text: str) -> bytes:
    return f"<html><head><title>เอกสาร</title></head><body><p>{text}</p></body></html>".encode()


YEAR_PAGES = {
    "/report-2565": page("รายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2565 ของเทศบาล"),
    "/report-2564": page("รายงานผลการดำเนินงานประจำปีงบประมาณ พ.ศ. 2564 ของเทศบาล"),
    "/structure": page("แผนผังโครงสร้างส่วนราชการ ฝ่ายการเมือง และฝ่ายข้าราชการประจำ ของเทศบาล"),
    "/hr-half": page("รายงานการดำเนินการตามแผนการบริหารทรัพยากรบุคคล ตุลาคม 2565 – มีนาคม 2566"),
    "/hr-old": page("รายงานการดำเนินการตามแผนการบริหารทรัพยากรบุคคล ตุลาคม 2563 – มีนาคม 2564"),
}


def test_each_item_is_judged_by_its_own_year_rule(sheet, config, site):
    for path, body in YEAR_PAGES.items():
        site.routes[path] = respond(200, body)
    typed = {
        ("a-one", "O13"): site.url("/report-2565"),  # annual report of the previous year: ok
        ("b-two", "O13"): site.url("/report-2564"),  # two years old: warned, naming both years it accepts
        ("a-one", "O1"): site.url("/structure"),  # structure has no year clause: ok without a year
        ("a-one", "O24"): site.url("/hr-half"),  # first half of the fiscal year across two years: ok
        ("b-two", "O24"): site.url("/hr-old"),
        # the same URL for an item with another rule (O19 asks for 2566): that row alone is warned
        ("b-two", "O19"): site.url("/report-2565"),
    }
    sheet.edit_now(lambda e: [e.set_url(a, i, u) for (a, i), u in typed.items()])
    run(config, sheet)
    got = cells(sheet)
    status = {k: got[RowKey(*k)]["status"] for k in typed}
    assert status[("a-one", "O13")] == status[("a-one", "O1")] == status[("a-one", "O24")] == Status.OK.label_th
    assert status[("b-two", "O13")] == status[("b-two", "O19")] == status[("b-two", "O24")] == Status.WARNING.label_th
    old = got[RowKey("b-two", "O13")]
    assert old["reasons"] == "no_fiscal_year"
    assert "ไม่พบปี 2565 หรือ 2566" in old["_note"] and "ตรวจว่าเป็นข้อมูลของปี พ.ศ. 2565 หรือ 2566" in old["_note"]
    assert "ไม่พบปี 2566 ในหน้า" in got[RowKey("b-two", "O19")]["_note"]
    half = got[RowKey("b-two", "O24")]["_note"]
    assert "6 เดือนแรกของปีงบประมาณ พ.ศ. 2566 (ต.ค. 2565 – มี.ค. 2566)" in half
    assert len(site.requests_to("/report-2565")) == 1  # the shared URL was fetched once


def test_explanations_are_kept_by_every_sync_and_filled_by_import(sheet, config, site, tmp_path):
    """Issue 14: the agency's "คำอธิบายเพิ่มเติม" beside the URL survives syncs, and `import` fills
    it from a form without overwriting what the agency typed in the sheet."""
    from openpyxl import load_workbook

    from sheets_sync.importing import importer, template

    typed = {
        "O1": "อยู่หัวข้อ \"โครงสร้างองค์กร\" กลางหน้า",
        "O3": "=ยังไม่มีลิงก์ แต่พิมพ์คำอธิบายไว้ก่อน",  # typed like a formula: stays text
        "O4": "บรรทัดแรก\nบรรทัดที่สอง",
    }

    def type_them(e):
        e.set_url("a-one", "O1", site.url("/org"))
        e.set_url("a-one", "O4", site.url("/gone"))
        for item, text in typed.items():
            e.set("a-one", item, "explanation", text)
        e.set("b-two", "O1", "explanation", "ของหน่วยงานอื่น")

    sheet.edit_now(type_them)
    run(config, sheet)
    run(config, sheet)
    after_syncs = cells(sheet)
    for item, text in typed.items():
        assert after_syncs[RowKey("a-one", item)]["explanation"] == g.text(text), item
    assert after_syncs[RowKey("a-one", "O1")]["status"] == Status.OK.label_th
    assert after_syncs[RowKey("a-one", "O4")]["status"] == Status.BROKEN.label_th

    form = template.write_template(tmp_path / "form.xlsx", config.agencies[0], config.catalog)
    wb = load_workbook(form)
    ws = wb[template.FORM_SHEET]
    url_col, said_col = template.HEADERS.index("URL") + 1, template.HEADERS.index("คำอธิบายเพิ่มเติม") + 1
    row = {f"O{n}": template.HEADER_ROW + n for n in range(1, 44)}
    ws.cell(row["O1"], url_col).value = site.url("/org")
    ws.cell(row["O1"], said_col).value = "คำอธิบายอื่นจากไฟล์"  # differs from the sheet's: not replaced
    ws.cell(row["O2"], url_col).value = site.url("/boss")
    ws.cell(row["O2"], said_col).value = "เลื่อนลงไปที่ \"คณะผู้บริหาร\""
    ws.cell(row["O4"], url_col).value = site.url("/gone")  # no explanation in the file: the sheet's stays
    wb.save(form)
    rep = importer.import_file(form, sheet.backend, config.catalog)
    assert rep.error is None and rep.explanation_write.written == 1
    assert [(s.key.item, s.outcome) for s in rep.explanation_steps] == [
        ("O1", importer.Outcome.CONFLICT), ("O2", importer.Outcome.FILL)]

    run(config, sheet)
    final = cells(sheet)
    expected = dict(typed, O2="เลื่อนลงไปที่ \"คณะผู้บริหาร\"")
    got = {k.item: v["explanation"] for k, v in final.items() if k.agency == "a-one" and v["explanation"]}
    assert got == {item: g.text(text) for item, text in expected.items()}
    assert final[RowKey("b-two", "O1")]["explanation"] == "ของหน่วยงานอื่น"
    assert final[RowKey("a-one", "O2")]["status"] == Status.OK.label_th
    # and the history keeps them for the follow-up list
    from sheets_sync.state.history import History
    from sheets_sync.state.store import State

    with State(config.settings.state_path) as state:
        kept = History(state).explanations()
    assert {k.item: t for k, t in kept.items() if k.agency == "a-one"} == {i: g.text(t) for i, t in expected.items()}


def test_a_deleted_row_is_not_sent_and_the_coordinator_is_told_to_run_init(sheet, config, site):
    """A user deleted a-one's O1 row after it was checked fine: the summary still counted it valid
    from the history, and nobody was told the row was gone."""
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", site.url("/boss"))))
    run(config, sheet)
    sheet.edit_now(lambda e: e.delete(e.row_of("a-one", "O1")))
    report = run(config, sheet, clock=FixedClock(datetime(2023, 1, 21, 9, 0, tzinfo=BANGKOK)))
    assert [p.code for p in report.problems] == ["missing_row"]  # the command's lines name it too
    rows = [[g.text(c) for c in r] for r in sheet.grid(TAB_SUMMARY)]
    province = {r[0]: r[1:4] for r in rows if r and r[0].startswith("ข้อที่")}
    assert province["ข้อที่ผ่านเบื้องต้น"][0] == "1" and province["ข้อที่ส่งแล้ว"][0] == "1"
    a_one = next(r for r in rows if len(r) > 13 and r[1] == "a-one")
    assert a_one[5] == "1" and a_one[9] == "42"  # round 1 valid, not submitted
    told = [r for r in rows if any("ไม่มีแถวของหน่วยงาน a-one ข้อ O1" in c for c in r)]
    assert len(told) == 1 and "sheets-sync init" in " ".join(told[0])
    # the governor's report, made from the history alone, says the same
    with State(config.settings.state_path) as state:
        history = History(state, config.settings.tz)
        summary = governor.report_summary(config, history, datetime(2023, 1, 21, 10, 0, tzinfo=BANGKOK))
    a_one_report = next(r for b in summary.blocks for r in b.rows if len(r) > 13 and r[1] == "a-one")
    assert (a_one_report[5], a_one_report[9]) == (1, 42)
    pipeline.init(config, sheet.backend)  # what the coordinator is told to do: the row is back
    assert RowKey("a-one", "O1") in cells(sheet)
    run(config, sheet, clock=FixedClock(datetime(2023, 1, 22, 9, 0, tzinfo=BANGKOK)))
    assert not any("ไม่มีแถว" in c for r in sheet.grid(TAB_SUMMARY) for c in map(g.text, r))


def test_on_google_sheets_a_refused_summary_does_not_keep_a_fixed_rows_old_advice(tmp_path, config, site):
    """The notes travel with the summary's batch: a coordinator who made the summary tab theirs alone
    (its protection's editors) had Google refuse that batch on every run, and a row the agency fixed
    showed its new "ok" beside the old link's advice, while the run said only the summary was not written."""
    from sheets_sync.core.errors import BackendError
    from tests.support.sheets import GSheetsHarness, submissions_sheet

    sheet = GSheetsHarness(tmp_path)
    pipeline.init(config, sheet.backend)
    sheet.edit_now(lambda e: e.set_url("a-one", "O2", site.url("/gone")))
    run(config, sheet)
    summary = sheet.fake.sheet(sheet.sid, TAB_SUMMARY)
    summary.protected[0]["editors"]["users"] = ["coordinator@example.org"]
    sheet.edit_now(lambda e: e.set_url("a-one", "O2", site.url("/org")))  # the agency fixes its link

    with pytest.raises(BackendError, match="summary"):
        run(config, sheet)

    tab = submissions_sheet(sheet.fake, sheet.sid)  # as agencies see it: nobody flushes for them
    grid = tab.grid()
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    r = next(n for n, row in enumerate(grid) if g.text(g.cell(row, cols["item"])) == "O2"
             and g.text(g.cell(row, cols["agency"])) == "a-one")
    assert g.text(grid[r][cols["status"]]) == Status.OK.label_th
    assert not (tab.cell(r, cols["url"]) or {}).get("note")


def test_on_google_sheets_rows_protected_against_the_worker_do_not_cost_the_others_their_verdicts(
        tmp_path, config, site, caplog):
    """A coordinator protects one agency's rows "only me" (say, round 1 closed): Google refuses a batch
    with one of their cells in it, and no agency got a verdict or a note, on every run. Those rows are
    left as they are, the others written, and the log says which account to add to the range."""
    from tests.support.fake_sheets import as_user
    from tests.support.sheets import GSheetsHarness, submissions_sheet

    sheet = GSheetsHarness(tmp_path)
    pipeline.init(config, sheet.backend)
    tab = submissions_sheet(sheet.fake, sheet.sid)
    rows = [n for n, row in enumerate(tab.grid()) if g.text(g.cell(row, 0)) == "b-two"]
    coordinator = as_user(sheet.fake, tmp_path, sheet.sid, "coordinator@example.org")
    coordinator.batch_update(sheet.sid, {"requests": [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": tab.sheet_id, "startRowIndex": rows[0], "endRowIndex": rows[-1] + 1},
        "description": "รอบ 1 ปิดแล้ว", "editors": {"users": ["coordinator@example.org"]}}}}]})
    sheet.edit_now(lambda e: (e.set_url("a-one", "O2", site.url("/gone")), e.set_url("b-two", "O2", site.url("/gone"))))

    report = run(config, sheet)

    tab = submissions_sheet(sheet.fake, sheet.sid)  # as agencies see it (each write makes a new copy)
    grid = tab.grid()
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    shown = {(g.text(row[cols["agency"]]), g.text(row[cols["item"]])): (g.text(g.cell(row, cols["status"])),
             (tab.cell(n, cols["url"]) or {}).get("note", "")) for n, row in enumerate(grid) if n}
    assert shown["a-one", "O2"][0] == Status.BROKEN.label_th and shown["a-one", "O2"][1]  # verdict and advice
    assert shown["b-two", "O2"] == ("", "")  # its range is the coordinator's alone: left as it was
    assert report.write.written == 43  # a-one's rows; none of b-two's
    assert sheet.creds.email in caplog.text
