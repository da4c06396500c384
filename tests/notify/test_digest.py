"""The pure parts: when reminders are due, and what a digest says, with no server at all."""

from __future__ import annotations

import dataclasses
import email
import email.policy

from sheets_sync.config.settings import NotifySettings, Settings, SmtpSettings
from sheets_sync.notify import digest as D
from sheets_sync.notify import schedule as plan
from sheets_sync.notify.mailer import build_message
from sheets_sync.report import summary as S
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.history_fixture import AGENCIES, CATALOG, bkk, fill

N = NotifySettings(coordinators=("coord@lamphun.go.th",))


def test_reminder_days_and_their_stable_names():
    assert [s.id for s in plan.slots(CATALOG, N)][:4] == ["r1-7d", "r1-3d", "r1-1d", "r1-after"]
    assert [s.day.isoformat() for s in plan.slots(CATALOG, N)][:4] == ["2023-01-24", "2023-01-28", "2023-01-30",
                                                                      "2023-02-01"]
    assert plan.due_slots(bkk(2023, 1, 24, 7, 59), CATALOG, N) == []  # before send_at
    assert [s.id for s in plan.due_slots(bkk(2023, 1, 24, 8, 0), CATALOG, N)] == ["r1-7d"]
    assert [s.id for s in plan.due_slots(bkk(2023, 1, 24, 23, 59), CATALOG, N)] == ["r1-7d"]
    assert plan.due_slots(bkk(2023, 1, 25, 9, 0), CATALOG, N) == []  # a missed day is not caught up
    assert plan.next_slot(bkk(2023, 1, 25, 9, 0), CATALOG, N).id == "r1-3d"
    no_after = dataclasses.replace(N, after_deadline=False, days_before=(0,))
    assert [s.id for s in plan.slots(CATALOG, no_after)] == ["r1-0d", "r2-0d", "r3-0d"]


def test_the_coordinators_digest_runs_daily_during_the_rounds_only():
    assert not plan.daily_due(bkk(2022, 12, 30, 9, 0), CATALOG, N)  # 32 days before the first deadline
    assert plan.daily_due(bkk(2022, 12, 31, 9, 0), CATALOG, N)
    assert not plan.daily_due(bkk(2023, 2, 10, 7, 0), CATALOG, N)  # before send_at
    assert plan.daily_due(bkk(2023, 4, 8, 9, 0), CATALOG, N)  # the day after the last deadline
    assert not plan.daily_due(bkk(2023, 4, 9, 9, 0), CATALOG, N)
    assert not plan.daily_due(bkk(2023, 2, 10, 9, 0), CATALOG, dataclasses.replace(N, coordinators=()))


def test_problems_follow_the_reminders_deadline(tmp_path):
    with State(tmp_path / "s.sqlite") as state:
        history = fill(History(state), bkk(2023, 2, 21, 9, 0)).as_of(bkk(2023, 2, 21, 9, 0))
    a, b, c, d = AGENCIES
    by_r1 = D.problems_by_agency(history, AGENCIES, CATALOG, CATALOG.round(1).deadline, Settings().tz)
    by_r2 = D.problems_by_agency(history, AGENCIES, CATALOG, CATALOG.round(2).deadline, Settings().tz)
    assert a.code not in by_r1  # round 1 all valid
    assert [p.item for p in by_r2[a.code]] == ["O4"]
    assert [(p.item, p.status.value) for p in by_r1[b.code]] == [("O2", "warning")]
    assert [(p.item, p.status.value) for p in by_r2[c.code]] == [("O2", "invalid"), ("O3", "empty"), ("O4", "empty")]
    assert D.missed(by_r2[c.code], 1) and not D.missed(by_r1[b.code], 1)  # a warning is not missing the round


def test_a_hostile_agency_name_or_url_stays_text(tmp_path):
    a = dataclasses.replace(AGENCIES[0], name="อบต.เอ\r\nBcc: thief@evil.example", reminder_emails=("a@a.go.th",))
    problem = D.Problem("O1", "โครงสร้าง", 1, CATALOG.round(1).deadline, D.Status.BROKEN, ("http_4xx",),
                        'https://a.go.th/"><script>alert(1)</script>', "note")
    slot = plan.slots(CATALOG, N)[0]
    settings = Settings(notify=dataclasses.replace(N, smtp=SmtpSettings(from_address="ita@lamphun.go.th")))
    d = D.agency_digest(a, [problem], slot, CATALOG, settings, bkk(2023, 1, 24, 8, 0))
    assert "<script>" not in d.html and "&lt;script&gt;" in d.html
    raw = build_message(settings.notify.smtp, d.to, d.subject, d.text, d.html, d.key, bkk(2023, 1, 24, 8, 0)).as_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and msg["To"] == "a@a.go.th"
    assert "thief@evil.example" in str(msg["Subject"])  # inside the encoded subject, not a header of its own


def test_the_link_is_the_agencys_own_view_when_init_made_one():
    view = "https://docs.google.com/spreadsheets/d/1abcdefghijk/edit#gid=7&fvid=42"
    problem = D.Problem("O1", "โครงสร้าง", 1, CATALOG.round(1).deadline, D.Status.BROKEN, ("http_4xx",),
                        "https://a.go.th/o1", "note")
    slot = plan.slots(CATALOG, N)[0]
    settings = Settings(notify=dataclasses.replace(N, sheet_url="https://sheet.example/{agency}"))
    own = dataclasses.replace(AGENCIES[0], reminder_emails=("a@a.go.th",), view_link=view)
    plain = dataclasses.replace(AGENCIES[0], reminder_emails=("a@a.go.th",))
    assert view in D.agency_digest(own, [problem], slot, CATALOG, settings, bkk(2023, 1, 24, 8, 0)).text
    fallback = D.agency_digest(plain, [problem], slot, CATALOG, settings, bkk(2023, 1, 24, 8, 0)).text
    assert f"https://sheet.example/{plain.code}" in fallback and "fvid" not in fallback


def test_the_coordinators_digest_names_the_year_before_the_catalogues():
    """It said "ปี 2565" and "คะแนน 2565" whatever the catalogue: under a 2567 catalogue the
    agencies that failed ITA 2566 were said to have failed 2565."""
    catalog = dataclasses.replace(CATALOG, year=2567)
    failed = dataclasses.replace(AGENCIES[0], score_2565=80.0)  # last year's score, below 85
    settings = Settings(notify=N)
    empty = S.frame(None, (failed,), catalog, None)
    d = D.coordinators_digest("daily-x", (failed,), catalog, settings, bkk(2024, 1, 20, 9, 0), empty, empty,
                              {failed.code: []}, [])
    assert "หน่วยงานที่ไม่ผ่านการประเมินปี 2566 และยังส่งไม่ครบ" in d.text
    assert f"{failed.name} ({failed.code}) คะแนน 2566: 80.00" in d.text
    assert "2565" not in d.text and "2565" not in d.html


def test_a_reminder_counts_the_rounds_it_is_about_and_lists_the_rest_apart():
    """The day after round 1: its empty item is counted; its warning passed (ผ่านเบื้องต้น) and a
    later round's warning or early broken item are listed in their own sections, not counted."""
    def problem(item, status, rnd):
        return D.Problem(item, f"หัวข้อ {item}", rnd, CATALOG.round(rnd).deadline, status, (), "", "หมายเหตุ")

    problems = [problem("O1", D.Status.WARNING, 1), problem("O2", D.Status.EMPTY, 1),
                problem("O4", D.Status.BROKEN, 2), problem("O5", D.Status.WARNING, 3)]
    after = next(s for s in plan.slots(CATALOG, N) if s.id == "r1-after")
    a = dataclasses.replace(AGENCIES[0], reminder_emails=("a@a.go.th",))
    d = D.agency_digest(a, problems, after, CATALOG, Settings(notify=N), bkk(2023, 2, 1, 8, 0))
    assert d.subject.endswith("เลยกำหนดส่งรอบที่ 1 (31 ม.ค. 2566) แล้ว มี 1 ข้อต้องแก้ไข "
                              "1 ข้อที่ส่งล่วงหน้ายังไม่ผ่าน และ 2 ข้อควรตรวจ")
    assert "ยังมีข้อที่ยังไม่ส่งหรือยังไม่ผ่านการตรวจเบื้องต้น 1 ข้อ" in d.text
    assert (d.problems, d.advisory) == (1, 3)
    for body in (d.text, d.html):
        fix, rest = body.split("ข้อที่ต้องแก้ไขหรือยังไม่ได้ส่ง (1 ข้อ)")[1].split("ข้อของรอบถัดไปที่ส่งล่วงหน้า")
        early, review = rest.split("ควรตรวจ (2 ข้อ)")
        assert "O2" in fix and not any(i in fix for i in ("O1", "O4", "O5"))
        assert "O4" in early and not any(i in early for i in ("O1", "O2", "O5"))
        assert "O1" in review and "O5" in review and "O2" not in review and "O4" not in review

    only_warnings = D.agency_digest(a, problems[:1], plan.slots(CATALOG, N)[0], CATALOG, Settings(notify=N),
                                    bkk(2023, 1, 24, 8, 0))
    assert only_warnings.subject.endswith("มี 1 ข้อควรตรวจ") and "ต้องแก้ไข" not in only_warnings.subject
    assert "ส่งครบและผ่านการตรวจเบื้องต้นแล้ว" in only_warnings.text
