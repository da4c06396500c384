"""Reminders against a real SMTP server on loopback (aiosmtpd), for the fixed history of
tests/support/history_fixture.py and a fixed clock: who receives what, the Thai subject as a
reader's mail client decodes it, each agency's own problems and no other's, the link, the days
left; nothing twice; a server that refuses or does not answer."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from sheets_sync.config.settings import Config, NotifySettings, Settings, SmtpSettings
from sheets_sync.core.clock import FixedClock
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.notify import remind
from sheets_sync.notify.ledger import Ledger
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from sheets_sync.worker import status
from sheets_sync.worker.reminders import run_reminders
from tests.support.history_fixture import AGENCIES, CATALOG, bkk, fill
from tests.support.smtp import SilentServer, SmtpServer, free_port

A, B, C, D = AGENCIES
ADDR = {"abt-a": ("saraban@a.go.th",), "tt-b": ("it@b.go.th", "boss@b.go.th"), "tt-c": ("c@c.go.th",)}
WITH_MAIL = tuple(dataclasses.replace(a, reminder_emails=ADDR.get(a.code, ())) for a in AGENCIES)  # D: none
COORD = "coord@lamphun.go.th"
SEVEN_DAYS_BEFORE_R2 = bkk(2023, 2, 21, 9, 0)  # round 2 is due 28 Feb 2023


def make_config(tmp_path: Path, port: int, **smtp) -> Config:
    notify = NotifySettings(
        enabled=True, coordinators=(COORD,), sheet_url="https://docs.google.com/spreadsheets/d/SHEET/edit#a={agency}",
        smtp=SmtpSettings(**{"host": "127.0.0.1", "port": port, "security": "none", "from_address": "ita@lamphun.go.th",
                             "from_name": "ITA ลำพูน", "timeout_s": 5.0, **smtp}))
    settings = Settings(notify=notify, state_path=str(tmp_path / "data" / "state.sqlite"))
    return Config(settings=settings, catalog=CATALOG, agencies=WITH_MAIL, settings_path=tmp_path / "settings.yaml")


def sync_at(config: Config, at, changes=(), skipped=()) -> None:
    """What a sync at `at` records: every row as the history has it (checked again, unchanged),
    with `changes` (verdicts) applied; `skipped` (agency, item) rows are not recorded, as a sync
    leaves a row that changed while it was being checked."""
    with State(config.settings.state_path) as state:
        history = History(state)
        rows = {(r.agency, r.item): Verdict(RowKey(r.agency, r.item), r.url_text, Status(r.status),
                                            tuple(c for c in r.reasons.split(",") if c))
                for r in history.as_of(at).itertuples()}
        rows.update({(v.key.agency, v.key.item): v for v in changes})
        history.record([v for k, v in rows.items() if k not in skipped], at, AGENCIES)


@pytest.fixture
def history_until(tmp_path):
    """The fixture's history up to `until`, then a sync at `until` that finds the sheet so (every
    row checked at `until`, as a real sync leaves it)."""
    def make(until):
        with State(tmp_path / "data" / "state.sqlite") as state:
            fill(History(state), until)
        sync_at(Config(settings=Settings(state_path=str(tmp_path / "data" / "state.sqlite")), catalog=CATALOG,
                       agencies=AGENCIES, settings_path=tmp_path / "settings.yaml"), until)
    return make


@pytest.fixture
def server():
    with SmtpServer() as s:
        yield s


def remind_at(config: Config, at, **kw) -> remind.Result:
    return run_reminders(config, FixedClock(at), WITH_MAIL, **kw)


def test_agency_digests_reach_their_own_agency_with_their_own_problems(tmp_path, server, history_until):
    history_until(SEVEN_DAYS_BEFORE_R2)
    config = make_config(tmp_path, server.port)
    result = remind_at(config, SEVEN_DAYS_BEFORE_R2)

    assert result.ok and result.slots == ("r2-7d",) and result.sent == 4  # A, B, C and the coordinators
    assert result.no_address == ("tt-d",)
    inbox = server.inbox
    assert sorted(tuple(sorted(m.rcpt_tos)) for m in inbox.messages) == sorted(
        [("saraban@a.go.th",), ("boss@b.go.th", "it@b.go.th"), ("c@c.go.th",), (COORD,)])

    (a,) = inbox.to("saraban@a.go.th")
    assert a.subject == "[ITA 2566 ลำพูน] องค์การบริหารส่วนตำบลเอ: เหลือ 7 วัน ถึงกำหนดส่งรอบที่ 2 (28 ก.พ. 2566) มี 1 ข้อต้องแก้ไข"
    raw_subject = a.raw.split(b"\r\nSubject: ", 1)[1].split(b"\r\n", 1)[0]
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower()  # RFC 2047, as mail clients expect
    assert str(a.message["From"]) == "ITA ลำพูน <ita@lamphun.go.th>"
    assert a.message.get_content_type() == "multipart/alternative"
    text, page = a.part("plain"), a.part("html")
    for body in (text, page):
        assert "O4" in body and "E-service" in body  # round 2, still empty
        assert "O5" not in body  # round 3 is not due by this reminder's deadline
        assert "O1" not in body and "O2" not in body and "O3" not in body  # A's valid items
        assert "https://docs.google.com/spreadsheets/d/SHEET/edit#a=abt-a" in body
        assert "เหลือ 7 วัน" in body

    (b,) = inbox.to("it@b.go.th")
    text = b.part("plain")
    assert b.subject.endswith("มี 2 ข้อต้องแก้ไข และ 1 ข้อควรตรวจ")  # O2's warning passed: not counted
    assert "O2" in text and "https://b.go.th/boss" in text and "O3" in text and "O4" in text
    # the sheet's Thai note for no_fiscal_year, with the item's year as the sheet names it
    assert "ไม่พบปี 2566 ในหน้าหรือเอกสาร" in text and "ที่ข้อนี้กำหนด" not in text
    assert "#a=tt-b" in text

    (c,) = inbox.to("c@c.go.th")
    text = c.part("plain")
    assert "javascript:x" in text and "URL ไม่ถูกต้อง" in text  # bad_scheme: C's own invalid URL
    for other in ("https://b.go.th/boss", "เทศบาลตำบลบี", "องค์การบริหารส่วนตำบลเอ", "#a=abt-a"):
        assert other not in text and other not in c.part("html")

    (coord,) = inbox.to(COORD)
    text = coord.part("plain")
    assert coord.subject.startswith("[ITA 2566 ลำพูน] สรุปประจำวัน 21 ก.พ. 2566: ผ่านครบ")
    assert "จากเป้าหมาย 50 แห่ง" in coord.subject
    assert "เทศบาลตำบลดี (tt-d)" in text.split("ไม่มีอีเมลที่ใช้ได้")[1]  # D has problems and no address
    emailed = text.split("ส่งอีเมลแจ้งเตือนหน่วยงานวันนี้")[1].split("หน่วยงานที่มีข้อต้องแก้ไข")[0]
    assert "saraban@a.go.th" in emailed and "it@b.go.th, boss@b.go.th" in emailed and "c@c.go.th" in emailed
    assert "องค์การบริหารส่วนตำบลเอ (abt-a)" in text.split("ไม่ผ่านการประเมินปี 2565")[1]  # failed 2565, behind


def test_a_second_run_sends_nothing_new_and_the_next_reminder_goes_out(tmp_path, server, history_until):
    history_until(SEVEN_DAYS_BEFORE_R2)
    config = make_config(tmp_path, server.port)
    assert remind_at(config, SEVEN_DAYS_BEFORE_R2).sent == 4
    again = remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(hours=5))
    assert (again.sent, again.already_sent, again.digests) == (0, 4, [])
    assert len(server.inbox.messages) == 4

    before_8 = remind_at(config, bkk(2023, 2, 22, 7, 59))  # a day without an agency reminder, before send_at
    assert before_8.sent == 0 and len(server.inbox.messages) == 4
    sync_at(config, bkk(2023, 2, 25, 8, 0))
    three_days = remind_at(config, bkk(2023, 2, 25, 8, 0))
    assert three_days.slots == ("r2-3d",) and three_days.sent == 4
    assert "เหลือ 3 วัน" in server.inbox.to("saraban@a.go.th")[-1].subject
    state = status.load(status.status_path(config.settings.state_path))
    assert state["last_reminders"]["sent"] == 4 and state["last_reminders"]["slots"] == ["r2-3d"]


def test_the_morning_after_a_deadline_only_agencies_that_missed_it_hear(tmp_path, server, history_until):
    at = bkk(2023, 3, 1, 9, 0)
    history_until(at)  # by then A has O3 and O4 valid; B's O3 is broken; C never sent round 2
    config = make_config(tmp_path, server.port)
    config = config.with_settings(notify=dataclasses.replace(config.settings.notify, coordinators=()))
    result = remind_at(config, at)
    assert result.slots == ("r2-after",)
    assert not server.inbox.to("saraban@a.go.th")
    (b,) = server.inbox.to("it@b.go.th")
    assert "เลยกำหนดส่งรอบที่ 2 (28 ก.พ. 2566) แล้ว" in b.subject
    assert "https://b.go.th/report" in b.part("plain") and "เปิดไม่ได้" in b.part("plain")
    assert len(server.inbox.to("c@c.go.th")) == 1


def test_the_morning_after_counts_only_what_was_missed_and_lists_warnings_apart(tmp_path, server, history_until):
    """B's O2 is a warning ("เปิดได้ แต่ควรตรวจ"): it passed the preliminary check, yet the e-mail
    counted it among "ข้อที่ยังไม่ส่งหรือยังไม่ผ่านการตรวจเบื้องต้น" and in the subject."""
    at = bkk(2023, 3, 1, 9, 0)
    history_until(at)  # B: O2 (round 1) warning, O3 (round 2) broken, O4 (round 2) still empty
    config = make_config(tmp_path, server.port)
    config = config.with_settings(notify=dataclasses.replace(config.settings.notify, coordinators=()))
    remind_at(config, at)
    (b,) = server.inbox.to("it@b.go.th")
    assert b.subject.endswith("เลยกำหนดส่งรอบที่ 2 (28 ก.พ. 2566) แล้ว มี 2 ข้อต้องแก้ไข และ 1 ข้อควรตรวจ")
    for body in (b.part("plain"), b.part("html")):
        assert "ยังมีข้อที่ยังไม่ส่งหรือยังไม่ผ่านการตรวจเบื้องต้น 2 ข้อ" in body
        failing, review = body.split("ควรตรวจ (1 ข้อ)")
        assert "O3" in failing and "O4" in failing and "O2" not in failing
        assert "O2" in review and "เปิดได้ แต่ควรตรวจ" in review and "ผ่านการตรวจเบื้องต้นแล้ว" in review


def test_a_reminder_is_not_made_from_a_sync_older_than_it_and_states_when_its_rows_were_checked(
        tmp_path, server, history_until):
    """The last sync was at 18:00 (C's O2 invalid); C fixed O2 at 20:00; `remind` at 08:05 the
    next morning e-mailed the old advice labelled "ข้อมูล ณ 21 ก.พ. 2566 08:05 น." and marked the
    reminder sent, so no corrected one followed that day."""
    history_until(bkk(2023, 2, 20, 18, 0))
    config = make_config(tmp_path, server.port)
    early = remind_at(config, bkk(2023, 2, 21, 8, 5))
    assert early.slots == ("r2-7d",) and early.sent == 0 and server.inbox.messages == []
    assert sorted(h.split(" ")[0] for h in early.held) == ["abt-a", "coordinators", "tt-b", "tt-c"]
    assert "tt-c (rows last checked 2023-02-20 18:00)" in early.held
    assert "4 held until a sync checks their rows after 2023-02-21 08:00" in early.line()
    with State(config.settings.state_path) as state:
        assert Ledger(state).counts() == {}  # nothing marked: the reminder goes out after the next sync
    assert status.load(status.status_path(config.settings.state_path))["last_reminders"]["held"] == 4

    sync_at(config, bkk(2023, 2, 21, 8, 30), [Verdict(RowKey("tt-c", "O2"), "https://c.go.th/boss", Status.OK)])
    later = remind_at(config, bkk(2023, 2, 21, 8, 35))
    assert later.held == [] and later.sent == 4
    (c,) = server.inbox.to("c@c.go.th")
    for body in (c.part("plain"), c.part("html")):
        assert "javascript:x" not in body and "O3" in body  # the fixed O2 is gone; O3 is still to send
        assert "ข้อมูลจากผลการตรวจของระบบเมื่อ 21 ก.พ. 2566 08:30 น." in body and "08:35" not in body
    (coord,) = server.inbox.to(COORD)
    assert coord.part("plain").startswith("สรุปประจำวันสำหรับผู้ประสานงาน จากผลการตรวจของระบบเมื่อ 21 ก.พ. 2566 08:30 น.")
    assert "08:35" not in coord.part("plain")


def test_rows_checked_by_a_watch_pass_alone_are_not_a_sync_and_a_mixed_check_is_said(tmp_path, server, history_until):
    """A watch pass judges only the rows whose URL changed: the agency's other rows are as old as
    the last sync, so its reminder waits for a sync, and then says when each part was checked."""
    history_until(bkk(2023, 2, 21, 7, 0))
    config = make_config(tmp_path, server.port)
    with State(config.settings.state_path) as state:  # the watch at 08:10: C's changed O3 only
        History(state).record([Verdict(RowKey("tt-c", "O3"), "https://c.go.th/x", Status.BROKEN, ("http_4xx",))],
                              bkk(2023, 2, 21, 8, 10), AGENCIES)
    watched = remind_at(config, bkk(2023, 2, 21, 8, 15))
    assert watched.sent == 0 and server.inbox.messages == []
    assert "tt-c (rows last checked 2023-02-21 07:00)" in watched.held
    assert "coordinators (sheet last checked 2023-02-21 07:00)" in watched.held

    sync_at(config, bkk(2023, 2, 21, 8, 30))
    with State(config.settings.state_path) as state:  # and a watch at 08:40: C's O4
        History(state).record([Verdict(RowKey("tt-c", "O4"), "https://c.go.th/e", Status.BROKEN, ("http_4xx",))],
                              bkk(2023, 2, 21, 8, 40), AGENCIES)
    after = remind_at(config, bkk(2023, 2, 21, 8, 45))
    assert after.held == [] and after.sent == 4
    (c,) = server.inbox.to("c@c.go.th")
    assert "ข้อมูลจากผลการตรวจของระบบระหว่าง 21 ก.พ. 2566 08:30 น. ถึง 21 ก.พ. 2566 08:40 น." in c.part("plain")
    (a,) = server.inbox.to("saraban@a.go.th")
    assert "ข้อมูลจากผลการตรวจของระบบเมื่อ 21 ก.พ. 2566 08:30 น." in a.part("plain")


def test_an_agency_held_by_a_row_the_sync_skipped_is_named_to_the_coordinators(tmp_path, server, history_until):
    """C edited O3 while the 08:30 sync was checking it: that row keeps its 07:00 verdict, so C's
    reminder waits for the next sync; the others go out, and the coordinators read why C's did not."""
    history_until(bkk(2023, 2, 21, 7, 0))
    config = make_config(tmp_path, server.port)
    sync_at(config, bkk(2023, 2, 21, 8, 30), skipped={("tt-c", "O3")})
    result = remind_at(config, bkk(2023, 2, 21, 8, 35))
    assert result.held == ["tt-c (rows last checked 2023-02-21 07:00)"] and result.sent == 3
    assert not server.inbox.to("c@c.go.th") and len(server.inbox.to("saraban@a.go.th")) == 1
    (coord,) = server.inbox.to(COORD)
    assert ("เทศบาลตำบลซี (tt-c): ยังไม่ได้ส่ง เพราะบางข้อยังไม่ได้ตรวจใหม่หลังเวลาแจ้งเตือน "
            "(ตรวจล่าสุด 21 ก.พ. 2566 07:00 น.) จะส่งเมื่อระบบตรวจครบ") in coord.part("plain")
    sync_at(config, bkk(2023, 2, 21, 9, 0))
    assert remind_at(config, bkk(2023, 2, 21, 9, 5)).sent == 1 and len(server.inbox.to("c@c.go.th")) == 1


def test_dry_run_and_to_send_nothing_to_agencies_and_record_nothing(tmp_path, server, history_until):
    history_until(SEVEN_DAYS_BEFORE_R2)
    config = make_config(tmp_path, server.port)
    dry = remind_at(config, SEVEN_DAYS_BEFORE_R2, dry_run=True)
    assert len(dry.digests) == 4 and server.inbox.messages == []
    assert {d.agency for d in dry.digests} == {"abt-a", "tt-b", "tt-c", ""}
    test = remind_at(config, SEVEN_DAYS_BEFORE_R2, to="me@lamphun.go.th")
    assert test.sent == 4 and {tuple(m.rcpt_tos) for m in server.inbox.messages} == {("me@lamphun.go.th",)}
    assert all(m.subject.startswith("[ทดสอบ] ") for m in server.inbox.messages)
    real = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert real.sent == 4  # neither the dry run nor the test marked anything as sent

    quiet_day = remind_at(config, bkk(2023, 2, 22, 9, 0), dry_run=True)
    assert quiet_day.preview and quiet_day.slots == ("preview-2023-02-22",)
    assert "เหลือ 6 วัน" in next(d for d in quiet_day.digests if d.agency == "abt-a").subject


def test_a_refused_connection_is_one_error_and_nothing_is_marked(tmp_path, history_until):
    history_until(SEVEN_DAYS_BEFORE_R2)
    config = make_config(tmp_path, free_port())  # nothing listens there
    result = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert result.sent == 0 and "connection refused" in result.error and "127.0.0.1:" in result.error
    with State(config.settings.state_path) as state:
        assert Ledger(state).counts() == {}
    state = status.load(status.status_path(config.settings.state_path))
    assert "connection refused" in state["last_reminders"]["error"]


def test_a_server_that_does_not_answer_times_out(tmp_path, history_until):
    history_until(SEVEN_DAYS_BEFORE_R2)
    with SilentServer() as silent:
        config = make_config(tmp_path, silent.port, timeout_s=0.5)
        result = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert result.sent == 0 and "timed out" in result.error
    with State(config.settings.state_path) as state:
        assert Ledger(state).counts() == {}


def test_a_refused_recipient_fails_that_message_only_and_it_is_retried(tmp_path, server, history_until):
    history_until(SEVEN_DAYS_BEFORE_R2)
    server.inbox.refuse_rcpt = {"c@c.go.th"}
    config = make_config(tmp_path, server.port)
    result = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert (result.sent, result.failed) == (3, 1) and not result.ok
    assert "tt-c" in result.refused[0] and "550" in result.refused[0]
    with State(config.settings.state_path) as state:
        assert Ledger(state).get("agency:r2-7d:2023-02-28:tt-c").state == "failed"
    server.inbox.refuse_rcpt = set()
    retry = remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30))
    assert (retry.sent, retry.already_sent) == (1, 3)
    assert len(server.inbox.to("c@c.go.th")) == 1


def test_a_message_refused_as_often_as_allowed_is_said_to_be_given_up_not_dropped(tmp_path, server, history_until):
    """After max_attempts refusals an agency disappeared from the dry run and the run's line
    without a word: it heard nothing, and nobody was told why."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    server.inbox.refuse_rcpt = {"c@c.go.th"}
    config = make_config(tmp_path, server.port)
    attempts = config.settings.notify.max_attempts
    for minutes in range(attempts):
        tried = remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30 * minutes))
        assert tried.failed == 1 and tried.gave_up == []
    after = remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30 * attempts))
    assert after.failed == 0 and len(after.gave_up) == 1
    assert after.gave_up[0].startswith(f"tt-c: refused {attempts} times") and "550" in after.gave_up[0]
    assert "not tried again after repeated refusals (tt-c" in after.line()
    dry = remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30 * attempts + 1), dry_run=True)
    assert dry.gave_up == after.gave_up


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback, on purpose
def test_login_with_a_password_from_the_environment_never_logged(tmp_path, history_until, monkeypatch, caplog):
    history_until(SEVEN_DAYS_BEFORE_R2)
    secret = "s3cr3t-Pass-2566"
    with SmtpServer(logins={"ita": secret}) as s:
        config = make_config(tmp_path, s.port, user="ita", password_env="ITA_SMTP_PASSWORD")
        monkeypatch.setenv("ITA_SMTP_PASSWORD", "wrong")
        with caplog.at_level(logging.DEBUG):
            bad = remind_at(config, SEVEN_DAYS_BEFORE_R2)
        assert "refused the login of 'ita'" in bad.error and bad.sent == 0
        monkeypatch.setenv("ITA_SMTP_PASSWORD", secret)
        with caplog.at_level(logging.DEBUG):
            good = remind_at(config, SEVEN_DAYS_BEFORE_R2)
        assert good.sent == 4 and len(s.inbox.messages) == 4
    assert secret not in caplog.text and "wrong" not in caplog.text
    assert secret not in status.status_path(config.settings.state_path).read_text(encoding="utf-8")


def test_a_password_file_must_be_readable_by_its_owner_only(tmp_path, server, history_until):
    from sheets_sync.core.errors import ConfigError

    history_until(SEVEN_DAYS_BEFORE_R2)
    secret = tmp_path / "smtp-password"
    secret.write_text("pw\n", encoding="utf-8")
    secret.chmod(0o644)
    config = make_config(tmp_path, server.port, user="ita", password_file=str(secret))
    with pytest.raises(ConfigError, match=r"password_file: .* can be read by others \(mode 0644\); run `chmod 600"):
        remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert server.inbox.messages == []


def test_a_password_file_saved_with_a_byte_order_mark_reads_as_the_password(tmp_path):
    # Notepad's "UTF-8 with BOM": the mark was read as part of the password ("non-ASCII characters")
    from sheets_sync.config.settings import SmtpSettings
    from sheets_sync.notify.mailer import read_password

    secret = tmp_path / "smtp-password"
    secret.write_bytes("\ufeffsecret\r\n".encode("utf-8"))
    secret.chmod(0o600)
    assert read_password(SmtpSettings(user="ita", password_file=str(secret))) == "secret"


def test_starttls_with_the_servers_own_ca_and_a_refusal_without_it(tmp_path, history_until):
    from tests.support.smtp import self_signed

    history_until(SEVEN_DAYS_BEFORE_R2)
    ca, tls = self_signed(tmp_path)
    with SmtpServer(tls=tls) as s:  # the server refuses mail before STARTTLS
        untrusted = remind_at(make_config(tmp_path, s.port, security="starttls"), SEVEN_DAYS_BEFORE_R2)
        assert "TLS failed" in untrusted.error and "CERTIFICATE_VERIFY_FAILED" in untrusted.error
        trusted = remind_at(make_config(tmp_path, s.port, security="starttls", ca_file=ca), SEVEN_DAYS_BEFORE_R2)
        assert trusted.ok and trusted.sent == 4 and len(s.inbox.messages) == 4


def test_sites_not_answering_for_a_moment_do_not_drop_agencies_off_track_in_the_coordinators_digest(
        tmp_path, server, history_until):
    """Every site was slow at the 08:30 sync: the summary tab counted each row by its last decided
    status, the coordinators' mail counted the same agencies as no longer complete."""
    import re

    history_until(bkk(2023, 2, 21, 8, 0))
    config = make_config(tmp_path, server.port)

    def on_track(at) -> int:
        digest = next(d for d in remind_at(config, at, dry_run=True).digests if d.kind != "agency")
        return int(re.search(r"ผ่านครบ (\d+) แห่ง", digest.subject).group(1))

    before = on_track(bkk(2023, 2, 21, 8, 5))
    assert before > 0
    with State(config.settings.state_path) as state:
        now = History(state).as_of(bkk(2023, 2, 21, 8, 0))
    silent = [Verdict(RowKey(r.agency, r.item), r.url_text, Status.UNKNOWN, ("site_not_answering",))
              for r in now.itertuples() if r.status == Status.OK.value]
    sync_at(config, bkk(2023, 2, 21, 8, 30), changes=silent)
    assert on_track(bkk(2023, 2, 21, 8, 35)) == before


def test_addresses_pasted_with_invisible_or_thai_characters_do_not_stop_the_run(tmp_path, server, history_until):
    """A zero-width space (Thai web pages put them between words, and a copied address brings one
    along) or a Thai mailbox name passed as an address; smtplib then failed with a TypeError on
    the first such message, left it `sending`, and no agency after it was reminded, run after run."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    pasted = {"abt-a": ("\u200bsaraban@a.go.th.",), "tt-b": ("สารบรรณ@b.go.th", "it@b.go.th"),
              "tt-c": ("(c@c.go.th)",)}
    agencies = tuple(dataclasses.replace(a, reminder_emails=pasted.get(a.code, ())) for a in AGENCIES)
    config = make_config(tmp_path, server.port)
    result = run_reminders(config, FixedClock(SEVEN_DAYS_BEFORE_R2), agencies)
    assert result.ok and result.sent == 4 and result.no_address == ("tt-d",)
    assert sorted(tuple(sorted(m.rcpt_tos)) for m in server.inbox.messages) == sorted(
        [("saraban@a.go.th",), ("it@b.go.th",), ("c@c.go.th",), (COORD,)])
    (b,) = server.inbox.to("it@b.go.th")
    assert b.message["To"] == "it@b.go.th"
    # B's Thai address, left out beside its usable one, is named: it was dropped without a word
    (coord,) = server.inbox.to(COORD)
    emailed = coord.part("plain").split("ส่งอีเมลแจ้งเตือนหน่วยงานวันนี้")[1].split("หน่วยงานที่มีข้อต้องแก้ไข")[0]
    assert "เทศบาลตำบลบี (tt-b) ถึง it@b.go.th (ไม่ได้ส่งถึงอีเมลที่ไม่ถูกต้อง: สารบรรณ@b.go.th)" in emailed
    assert "ไม่ถูกต้อง" not in emailed.replace("(tt-b) ถึง it@b.go.th (ไม่ได้ส่งถึงอีเมลที่ไม่ถูกต้อง", "")

    with State(config.settings.state_path) as state:
        assert Ledger(state).counts() == {"sent": 4}
    test = run_reminders(config, FixedClock(SEVEN_DAYS_BEFORE_R2), agencies, to="ผู้ทดสอบ@lamphun.go.th")
    assert test.sent == 0 and test.failed == 4 and not test.error
    assert "non-ASCII" in test.refused[0] and len(server.inbox.messages) == 4


def test_an_address_typed_with_spaces_around_its_at_sign_or_a_dot_is_read_as_one(tmp_path, server, history_until):
    """'saraban @a.go.th' was split at the space into 'saraban' and '@a.go.th', neither an address:
    the agency was reminded nowhere and listed as having no usable address."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    typed = {"abt-a": ("saraban @a.go.th",), "tt-b": ("it@ b. go.th, boss@b.go.th",),
             "tt-c": ("c@c.go.th @c.go.th",)}  # two readings: c@c.go.th and an address without a mailbox
    agencies = tuple(dataclasses.replace(a, reminder_emails=typed.get(a.code, ())) for a in AGENCIES)
    config = make_config(tmp_path, server.port)
    result = run_reminders(config, FixedClock(SEVEN_DAYS_BEFORE_R2), agencies)
    assert result.ok and result.sent == 4 and result.no_address == ("tt-d",)
    assert sorted(tuple(sorted(m.rcpt_tos)) for m in server.inbox.messages) == sorted(
        [("saraban@a.go.th",), ("boss@b.go.th", "it@b.go.th"), ("c@c.go.th",), (COORD,)])
    (coord,) = server.inbox.to(COORD)
    emailed = coord.part("plain").split("ส่งอีเมลแจ้งเตือนหน่วยงานวันนี้")[1].split("หน่วยงานที่มีข้อต้องแก้ไข")[0]
    assert "เทศบาลตำบลซี (tt-c) ถึง c@c.go.th (ไม่ได้ส่งถึงอีเมลที่ไม่ถูกต้อง: @c.go.th)" in emailed


def test_an_address_refused_beside_an_accepted_one_is_not_said_to_have_been_reached(tmp_path, server, history_until):
    """B's reminder goes to two addresses and the server refuses one: the message was taken for the
    other, and the coordinators' digest said it went to both, so nobody looked at the dead address."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    server.inbox.refuse_rcpt = {"boss@b.go.th"}
    config = make_config(tmp_path, server.port)
    result = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert result.sent == 4 and result.failed == 0
    assert result.refused == ["tt-b: boss@b.go.th 550 5.1.1 mailbox unavailable"]
    assert "refused: tt-b: boss@b.go.th 550" in result.line()
    (b,) = server.inbox.to("it@b.go.th")
    assert b.rcpt_tos == ["it@b.go.th"]
    (coord,) = server.inbox.to(COORD)
    emailed = coord.part("plain").split("ส่งอีเมลแจ้งเตือนหน่วยงานวันนี้")[1].split("หน่วยงานที่มีข้อต้องแก้ไข")[0]
    assert "เทศบาลตำบลบี (tt-b) ถึง it@b.go.th (ส่งไม่ถึง boss@b.go.th 550 5.1.1 mailbox unavailable)" in emailed
    with State(config.settings.state_path) as state:
        entry = Ledger(state).get("agency:r2-7d:2023-02-28:tt-b")
    assert entry.state == "sent" and entry.recipients == ("it@b.go.th",)
    assert remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(hours=1)).sent == 0  # not sent twice to it@b


def test_a_deadline_moved_in_the_catalogue_gets_its_own_reminders(tmp_path, server, history_until):
    """Round 2 was extended from 28 Feb to 10 Mar after its 7-day reminder: the reminders of the new
    deadline were taken for those already sent (the same 'r2-7d'), so no agency heard of the new
    date 7 days before it."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    config = make_config(tmp_path, server.port)
    assert remind_at(config, SEVEN_DAYS_BEFORE_R2).sent == 4
    rounds = tuple(dataclasses.replace(r, deadline=r.deadline.replace(month=3, day=10)) if r.number == 2 else r
                   for r in CATALOG.rounds)
    moved = dataclasses.replace(config, catalog=dataclasses.replace(CATALOG, rounds=rounds))
    at = bkk(2023, 3, 3, 9, 0)
    sync_at(moved, bkk(2023, 3, 3, 8, 30))
    result = remind_at(moved, at)
    assert result.slots == ("r2-7d",) and result.already_sent == 0 and result.sent >= 2
    (a_old, a_new) = server.inbox.to("saraban@a.go.th")
    assert "(28 ก.พ. 2566)" in a_old.subject
    assert a_new.subject.endswith("เหลือ 7 วัน ถึงกำหนดส่งรอบที่ 2 (10 มี.ค. 2566) มี 1 ข้อต้องแก้ไข")
    assert remind_at(moved, at + timedelta(hours=1)).sent == 0  # and still once


def test_a_server_closing_with_421_stops_the_run_without_charging_the_next_message(tmp_path, server, history_until):
    """A 421 (a server's "try again later", sent under load) closes the connection: the message was
    counted as refused, and the next one, never sent, was marked failed too, one of its few attempts
    spent, so an agency could be given up without a single message reaching its server."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    server.inbox.before_data = lambda n: "421 4.7.0 Try again later, closing connection" if n == 0 else None
    config = make_config(tmp_path, server.port)
    result = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert result.sent == 0 and "421 4.7.0 Try again later" in result.error and result.refused == []
    with State(config.settings.state_path) as state:
        assert Ledger(state).counts() == {"failed": 1}  # the one tried; the others were never begun
    server.inbox.before_data = None
    again = remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30))
    assert again.ok and again.sent == 4 and len(server.inbox.messages) == 4


@pytest.mark.parametrize("reply, says, not_said", [
    ("421 4.3.2 Too many connections, try again later", "the server is busy or unavailable for now",
     "check notify.smtp.from_address"),
    ("553 5.7.1 Sender address rejected: not owned by user", "check notify.smtp.from_address", "busy"),
])
def test_a_sender_refused_is_told_apart_from_a_busy_server(tmp_path, server, history_until, reply, says, not_said):
    """A busy server's 421 answered to MAIL FROM was reported as a refused sender, "check
    notify.smtp.from_address": a coordinator sent to change a setting that was right."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    server.inbox.sender_reply = reply
    config = make_config(tmp_path, server.port)
    result = remind_at(config, SEVEN_DAYS_BEFORE_R2)
    assert result.sent == 0 and reply in result.error and says in result.error and not_said not in result.error
    server.inbox.sender_reply = None
    assert remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30)).sent == 4  # tried again, all of them


def test_an_address_fixed_after_the_refusals_gets_the_reminder_that_day(tmp_path, server, history_until):
    """Refused as often as allowed, the reminder is not tried again, and the run says to fix the
    address in the agencies tab; once fixed it was still not tried: the ledger gave up on the
    reminder, not on the address."""
    history_until(SEVEN_DAYS_BEFORE_R2)
    server.inbox.refuse_rcpt = {"c@c.go.th"}
    config = make_config(tmp_path, server.port)
    attempts = config.settings.notify.max_attempts
    for minutes in range(attempts + 1):
        remind_at(config, SEVEN_DAYS_BEFORE_R2 + timedelta(minutes=30 * minutes))
    fixed = tuple(dataclasses.replace(a, reminder_emails=("c.saraban@c.go.th",)) if a.code == "tt-c" else a
                  for a in WITH_MAIL)
    later = SEVEN_DAYS_BEFORE_R2 + timedelta(hours=3)
    result = run_reminders(config, FixedClock(later), fixed)
    assert result.sent == 1 and result.gave_up == []
    (c,) = server.inbox.to("c.saraban@c.go.th")
    assert "เหลือ 7 วัน" in c.subject
    with State(config.settings.state_path) as state:
        entry = Ledger(state).get("agency:r2-7d:2023-02-28:tt-c")
    assert entry.state == "sent" and entry.recipients == ("c.saraban@c.go.th",) and entry.attempts == 1
    assert run_reminders(config, FixedClock(later + timedelta(minutes=5)), fixed).sent == 0
