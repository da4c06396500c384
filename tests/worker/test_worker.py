"""The worker loop with an injected clock and sleep: no real waiting anywhere.

The schedule (normal / near a deadline / quiet hours / backoff) is tested as pure functions;
the loop runs real syncs on the memory backend (3 agencies, no URLs, so no network), and its
"sleep" only advances the FixedClock and records how long the worker would have slept."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import resource
import signal
import sqlite3
import threading
import time
from datetime import datetime, timedelta

import pytest

from sheets_sync.config.settings import ScheduleSettings, load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.errors import BackendError, ConfigError
from sheets_sync.pipeline.sync import sync as real_sync
from sheets_sync.sheet.layout import TAB_SUMMARY
from sheets_sync.sheet.memory import MemoryBackend
from sheets_sync.worker import status
from sheets_sync.worker.loop import Worker
from sheets_sync.worker.runner import run_sync
from sheets_sync.worker.schedule_policy import (
    near_deadline,
    next_interval,
    parse_quiet_hours,
    retry_interval,
)
from sheets_sync.worker.stopper import Stopper
from tests.support import ROOT

# every 30 min, every 10 min in the last 3 days, no quiet hours; the watch between syncs is tested
# in test_watch.py, so these sleeps are the full syncs' only
S = ScheduleSettings(watch_seconds=0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


@pytest.fixture(scope="module")
def base_config():
    return load_config(ROOT / "config" / "settings.yaml")


@pytest.fixture
def config(base_config, tmp_path):
    c = dataclasses.replace(base_config, agencies=base_config.agencies[:3])
    return c.with_settings(state_path=str(tmp_path / "data" / "state.sqlite"), schedule=S)


# ---------------------------------------------------------------- the schedule
def test_interval_is_shorter_in_the_last_three_days_up_to_the_deadline_day(base_config):
    catalog = base_config.catalog  # round 1 due 2023-01-31, round 2 2023-02-28
    assert next_interval(at("2023-01-28T23:59"), catalog, S) == 30 * 60
    assert next_interval(at("2023-01-29T00:00"), catalog, S) == 10 * 60
    assert next_interval(at("2023-01-31T23:59"), catalog, S) == 10 * 60
    assert next_interval(at("2023-02-01T00:00"), catalog, S) == 30 * 60
    assert near_deadline(at("2023-02-27T12:00"), catalog, 3).number == 2
    assert near_deadline(at("2023-02-27T12:00"), catalog, 0) is None


def test_quiet_hours_push_the_next_run_to_their_end(base_config):
    quiet = dataclasses.replace(S, quiet_hours="22:00-06:00")
    catalog = base_config.catalog
    assert next_interval(at("2023-01-10T21:00"), catalog, quiet) == 30 * 60  # 21:30, before the quiet hours
    assert next_interval(at("2023-01-10T21:45"), catalog, quiet) == 8 * 3600 + 15 * 60  # 22:15 -> 06:00
    assert next_interval(at("2023-01-11T05:50"), catalog, quiet) == 30 * 60  # 06:20 is after them
    daytime = dataclasses.replace(S, quiet_hours="12:00-13:00")
    assert next_interval(at("2023-01-10T11:45"), catalog, daytime) == 75 * 60
    # a clock with microseconds: the run lands at 06:00, not at 05:59:59 inside the quiet hours
    now = at("2023-01-10T21:45").replace(microsecond=300_000)
    assert now + timedelta(seconds=next_interval(now, catalog, quiet)) >= at("2023-01-11T06:00")


@pytest.mark.parametrize("text", ["22-06", "25:00-06:00", "22:00-22:00", "ten to six"])
def test_bad_quiet_hours_are_a_config_error(text):
    with pytest.raises(ConfigError, match="schedule.quiet_hours"):
        parse_quiet_hours(text)


def test_failed_runs_back_off_up_to_the_normal_interval(base_config):
    now = at("2023-01-10T10:00")
    assert [retry_interval(now, n, base_config.catalog, S) // 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    near = at("2023-01-30T10:00")
    assert [retry_interval(near, n, base_config.catalog, S) // 60 for n in range(1, 6)] == [1, 2, 4, 8, 10]


# ---------------------------------------------------------------- the loop
class NoChecker:
    def check_many(self, urls, progress=None):
        return {}

    def close(self) -> None:
        pass


class Harness:
    """A Worker on a FixedClock whose sleep advances the clock; stops after `ticks` runs."""

    def __init__(self, config, start: str, ticks: int = 2, sync_fn=None, loads=None):
        self.clock = FixedClock(at(start))
        self.stopper = Stopper()
        self.slept: list[int] = []
        self.runs: list[datetime] = []
        self.ticks = ticks
        self.backend = MemoryBackend()
        self.backend.ensure_layout(config.catalog, config.agencies)
        inner = sync_fn or real_sync
        loads = list(loads or [config])

        def counting_sync(*args, **kwargs):
            self.runs.append(self.clock.now())
            return inner(*args, **kwargs)

        self.worker = Worker(lambda: loads.pop(0) if len(loads) > 1 else loads[0], clock=self.clock,
                             stopper=self.stopper, sleep=self.sleep, backend=self.backend, checker=NoChecker(),
                             sync_fn=counting_sync)

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds))
        self.clock.advance(seconds)
        if len(self.runs) >= self.ticks:
            self.stopper.request_stop("test")

    def status(self):
        return status.load(status.status_path(self.worker.config.settings.state_path))


def test_loop_runs_two_ticks_and_shortens_the_interval_near_the_deadline(config):
    h = Harness(config, "2023-01-28T23:50")  # 3 days before round 1's deadline starts at midnight
    assert h.worker.loop() == 0
    assert h.runs == [at("2023-01-28T23:50"), at("2023-01-29T00:20")]
    assert h.slept == [30 * 60, 10 * 60]
    st = h.status()
    assert st["last_run"]["outcome"] == "ok" and st["last_run"]["mode"] == "run"
    assert st["last_run"]["counts"] == {"empty": 3 * 43}
    assert st["next_run"] is None  # cleared when the worker stopped
    heading = [str(row[0]) for row in h.backend.book.sheets[TAB_SUMMARY][:4] if row]
    assert "ระบบตรวจอัตโนมัติ (sheets-sync) ทำงานสำเร็จล่าสุดเมื่อ 29 ม.ค. 2566 00:20 น." in heading[2]


def test_a_failed_run_is_logged_with_its_cause_and_followed_by_a_good_one(config, caplog):
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise BackendError("the sheet could not be read: HTTP 503 from the API")
        return real_sync(*args, **kwargs)

    h = Harness(config, "2023-01-10T10:00", sync_fn=flaky)
    with caplog.at_level(logging.INFO, logger="sheets_sync"):
        assert h.worker.loop() == 0
    assert h.runs == [at("2023-01-10T10:00"), at("2023-01-10T10:01")]
    assert h.slept == [60, 30 * 60]  # retried after a minute, then back to every 30 minutes
    assert "run 1 failed: the sheet could not be read: HTTP 503 from the API; retrying at" in caplog.text
    assert "run 2 ok" in caplog.text
    st = h.status()
    assert st["last_run"]["outcome"] == "ok" and st["consecutive_failures"] == 0
    with sqlite3.connect(config.settings.state_path) as db:
        outcomes = [r[0] for r in db.execute("SELECT outcome FROM worker_runs ORDER BY id")]
        errors = [r[0] for r in db.execute("SELECT error FROM worker_runs ORDER BY id")]
    assert outcomes == ["failed", "ok"] and "HTTP 503" in errors[0]


def test_an_unexpected_error_does_not_end_the_loop(config, caplog):
    def broken(*args, **kwargs):
        if len(h.runs) == 1:
            raise ZeroDivisionError("division by zero")
        return real_sync(*args, **kwargs)

    h = Harness(config, "2023-01-10T10:00", sync_fn=broken)
    with caplog.at_level(logging.INFO, logger="sheets_sync"):
        assert h.worker.loop() == 0
    assert len(h.runs) == 2 and "ZeroDivisionError" in caplog.text


def test_no_run_inside_quiet_hours(config):
    quiet = config.with_settings(schedule=dataclasses.replace(S, quiet_hours="22:00-06:00"))
    h = Harness(quiet, "2023-01-10T23:00", ticks=1)
    assert h.worker.loop() == 0
    assert h.runs == [at("2023-01-11T06:00")]
    assert h.slept[0] == 7 * 3600


def test_sighup_reload_applies_the_new_interval(config):
    faster = config.with_settings(schedule=dataclasses.replace(S, every_minutes=5))
    h = Harness(config, "2023-01-10T10:00", ticks=3, loads=[config, faster])

    def sleep(seconds):
        if len(h.slept) == 0:  # SIGHUP while idle after the first run: wake, reload, re-plan
            h.slept.append(0)
            h.stopper.reload = True
            return
        Harness.sleep(h, seconds)

    h.worker.sleep = sleep
    assert h.worker.loop() == 0
    assert h.runs == [at("2023-01-10T10:00"), at("2023-01-10T10:05"), at("2023-01-10T10:10")]


def test_a_stop_during_the_checks_abandons_the_run_before_any_write(config):
    def slow_checks(config_, backend, checker, clock, **kwargs):
        h.stopper.request_stop("SIGTERM")
        kwargs["progress"](1, 10)  # the next URL finished: the stop is taken here
        raise AssertionError("not reached")

    h = Harness(config, "2023-01-10T10:00", sync_fn=slow_checks)
    before = json.dumps(h.backend.book.sheets, default=str)
    assert h.worker.loop() == 0
    assert len(h.runs) == 1 and h.slept == []
    st = h.status()
    assert st["last_run"]["outcome"] == "stopped" and "checking URLs" in st["last_run"]["error"]
    assert json.dumps(h.backend.book.sheets, default=str) == before


def test_run_sync_records_start_and_end_and_keeps_the_last_success(config):
    clock = FixedClock(at("2023-01-10T10:00"))
    backend = MemoryBackend()
    backend.ensure_layout(config.catalog, config.agencies)
    record, report = run_sync(config, clock, backend=backend, checker=NoChecker())
    assert record.outcome == "ok" and report.rows == 3 * 43

    def failing(*a, **k):
        raise BackendError("workbook data/oit-2566.xlsx cannot be read")

    with pytest.raises(BackendError):
        run_sync(config, clock, backend=backend, checker=NoChecker(), sync_fn=failing)
    st = status.load(status.status_path(config.settings.state_path))
    assert st["last_run"]["outcome"] == "failed" and "cannot be read" in st["last_run"]["error"]
    assert st["last_success"]["started"] == "2023-01-10T10:00:00+07:00"
    assert st["consecutive_failures"] == 1
    assert not list((status.status_path(config.settings.state_path).parent).glob("*.tmp"))


def test_a_run_of_one_agencys_rows_says_so_in_the_status(config):
    """`sync --agency X` then `status`: "Last run succeeded ... 43 rows" read as the whole sheet's."""
    clock = FixedClock(at("2023-01-10T10:00"))
    backend = MemoryBackend()
    backend.ensure_layout(config.catalog, config.agencies)
    code = config.agencies[0].code
    record, report = run_sync(config, clock, backend=backend, checker=NoChecker(), agency=code)
    assert record.mode == f"sync --agency {code}" and report.rows == 43
    text = status.render(status.load(status.status_path(config.settings.state_path)), at("2023-01-10T10:05"))
    assert f"Last run succeeded: `sync --agency {code}`" in text


# ---------------------------------------------------------------- idle and signals
def test_idle_wait_uses_no_cpu_and_a_signal_ends_it_at_once():
    with Stopper() as stopper:
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        stopper.wait(0.4)
        used = resource.getrusage(resource.RUSAGE_SELF)
        assert time.monotonic() - started >= 0.39
        assert (used.ru_utime + used.ru_stime) - (cpu.ru_utime + cpu.ru_stime) < 0.05
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
        started = time.monotonic()
        stopper.wait(30)
        assert time.monotonic() - started < 5
        assert stopper.stop and stopper.stop_signal == "SIGTERM"
        stopper.wait(30)  # once stopping, waits return at once
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_watchdog_exits_0_when_a_stop_takes_too_long():
    exits = []
    stopper = Stopper(grace_s=0.2, force_exit=exits.append)
    with stopper:
        os.kill(os.getpid(), signal.SIGINT)
        deadline = time.monotonic() + 5
        while not exits and time.monotonic() < deadline:
            time.sleep(0.05)
    assert exits == [0]
    quick = []
    with Stopper(grace_s=0.3, force_exit=quick.append):
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.5)
    assert quick == []  # restored in time: no forced exit


# ---------------------------------------------------------------- resource bounds (opt-in: ~1 min)
@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("SHEETS_SYNC_MEASURE"),
                    reason="measures a province-sized sync (~1 min); set SHEETS_SYNC_MEASURE=1 to run it")
def test_province_workload_stays_under_250_mb_rss(tmp_path):
    """59 agencies x 43 items, every URL cell filled, 16 loopback 'sites'; 1 in 10 URLs is a
    1.5 MB file, 1 in 10 a 404, the rest 20 KB pages. Peak RSS of the `sync` process."""
    import shutil
    import subprocess
    import sys

    import yaml
    from openpyxl import load_workbook

    from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
    from tests.support.http_servers import LoopbackServer, large, respond

    shutil.copytree(ROOT / "config", tmp_path / "config")
    settings = tmp_path / "config" / "settings.yaml"
    text = settings.read_text(encoding="utf-8").replace("allow_private: []", "allow_private: [127.0.0.0/8]")
    settings.write_text(text.replace("retries: 2 ", "retries: 0 "), encoding="utf-8")
    agencies_file = tmp_path / "config" / "agencies.yaml"
    data = yaml.safe_load(agencies_file.read_text(encoding="utf-8"))
    data["agencies"] += [{"code": f"extra-{n:02d}", "name": f"เทศบาลตำบลทดสอบ {n}", "district": "เมืองลำพูน",
                          "type": "เทศบาลตำบล"} for n in range(59 - len(data["agencies"]))]
    agencies_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(ROOT)
    base = [sys.executable, "-m", "sheets_sync", "--config", "config/settings.yaml"]
    assert subprocess.run([*base, "init"], cwd=tmp_path, env=env, capture_output=True).returncode == 0

    page = ("<html><head><title>ประกาศ 2566</title></head><body>" + "ข้อมูล ITA 2566 " * 1200 + "</body></html>").encode()
    servers = [LoopbackServer(host=f"127.0.0.{n}") for n in range(1, 17)]
    try:
        book = tmp_path / "data" / "oit-2566.xlsx"
        wb = load_workbook(book)
        ws = wb[TAB_SUBMISSIONS]
        col = [c.value for c in ws[1]].index(SUBMISSION_HEADERS["url"]) + 1
        for i, row in enumerate(range(2, ws.max_row + 1)):
            srv = servers[i % len(servers)]
            kind = i % 10
            behaviour = large(1_500_000) if kind == 0 else respond(404, b"not found") if kind == 1 else \
                respond(200, page, {"Content-Type": "text/html; charset=utf-8"})
            ws.cell(row=row, column=col, value=srv.route(f"/ita/{i}.{'pdf' if kind == 0 else 'html'}", behaviour))
        rows = ws.max_row - 1
        wb.save(book)
        started = time.monotonic()
        proc = subprocess.Popen([*base, "-q", "sync"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        _, _, usage = os.wait4(proc.pid, 0)
        took = time.monotonic() - started
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    finally:
        for srv in servers:
            srv.close()
    peak_mb = usage.ru_maxrss / 1024
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted((tmp_path / "data").iterdir()))
    print(f"province workload: {rows} rows, peak RSS {peak_mb:.0f} MB, {took:.0f} s; {out.strip()}; {sizes}")
    assert rows == 59 * 43, err
    assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB"


def test_temp_files_of_killed_saves_are_removed_once_stale(tmp_path):
    """A save killed before its rename leaves a temporary beside the workbook; the next run
    removes it once it is old enough to belong to a dead process, and leaves a fresh one."""
    from sheets_sync.core.files import leftover_temps
    from sheets_sync.sheet.xlsx import XlsxBackend
    from sheets_sync.worker import runner

    book = tmp_path / "oit.xlsx"
    config = load_config("config/settings.yaml")
    config = config.with_settings(backend=dataclasses.replace(config.settings.backend, xlsx_path=str(book)))
    XlsxBackend(book).ensure_layout(config.catalog, config.agencies[:1])
    old, fresh = tmp_path / f".{book.name}.dead1.tmp", tmp_path / f".{book.name}.live2.tmp"
    for p in (old, fresh):
        p.write_bytes(b"half a workbook")
    then = time.time() - runner.STALE_TEMP_S - 60
    os.utime(old, (then, then))
    assert sorted(leftover_temps(book)) == sorted([old, fresh])
    runner._remove_stale_temp_files(config)
    assert leftover_temps(book) == [fresh]
    assert book.exists()


def test_the_loop_sends_the_reminders_due_after_its_runs_once(config):
    from tests.support.smtp import SmtpServer

    agencies = tuple(dataclasses.replace(a, reminder_emails=(f"{a.code}@lamphun.go.th",)) for a in config.agencies)
    with SmtpServer() as server:
        notify = dataclasses.replace(config.settings.notify, enabled=True, smtp=dataclasses.replace(
            config.settings.notify.smtp, host="127.0.0.1", port=server.port, security="none",
            from_address="ita@lamphun.go.th"))
        reminding = dataclasses.replace(config, agencies=agencies).with_settings(notify=notify)
        h = Harness(reminding, "2023-01-24T07:50", ticks=3)  # round 1 is due in 7 days; reminders from 08:00
        assert h.worker.loop() == 0
        assert h.runs == [at("2023-01-24T07:50"), at("2023-01-24T08:20"), at("2023-01-24T08:50")]
        assert sorted(m.rcpt_tos[0] for m in server.inbox.messages) == sorted(a.reminder_emails[0] for a in agencies)
        assert all("เหลือ 7 วัน" in m.subject for m in server.inbox.messages)
        # made from the sync of the run that sent them (08:20), which checked every row after send_at
        assert all("ข้อมูลจากผลการตรวจของระบบเมื่อ 24 ม.ค. 2566 08:20 น." in m.part("plain")
                   for m in server.inbox.messages)
    st = h.status()
    assert st["last_reminders_sent"]["sent"] == 3 and st["last_reminders_sent"]["slots"] == ["r1-7d"]
    assert st["last_reminders"]["sent"] == 0  # the third run found them sent already
    text = status.render(st, at("2023-01-24T09:00"), BANGKOK)
    assert "Last reminders sent: Tue 24 Jan 2023 08:20 Bangkok time (40 minutes ago): r1-7d; 3 sent, 0 failed" in text


def test_the_sync_checker_stops_reading_pdfs_at_the_catalogue_year_rules(base_config):
    """The worker's checker reads a PDF's pages until they settle the year rules of the shipped
    catalogue: its items ask for 2566, or for 2565 or 2566, so a 2566 settles all of them."""
    from sheets_sync.worker.runner import stoppable_checker

    config = base_config
    wider = dataclasses.replace(config, catalog=dataclasses.replace(config.catalog, items=tuple(
        dataclasses.replace(i, year_rule=dataclasses.replace(i.year_rule, years=(2565,))) if i.code == "O13" else i
        for i in config.catalog.items)))
    checkers = [stoppable_checker(config, None), stoppable_checker(wider, None)]
    try:
        assert [c.pdf_years for c in checkers] == [((2566,),), ((2565,), (2566,))]
    finally:
        for c in checkers:
            c.close()


def test_a_clock_stepped_back_moves_the_planned_runs_back_with_it():
    """NTP stepped the VM's clock back an hour while the worker slept: no sync nor watch ran until
    the clock caught up, an hour without feedback for anyone."""
    from sheets_sync.worker.loop import ClockScheduler

    clock = FixedClock(at("2023-01-20T09:00"))
    scheduler = ClockScheduler(clock)
    ran = []
    scheduler.every(60).seconds.do(lambda: ran.append(clock.now()))
    clock.advance(30)
    assert round(scheduler.idle_seconds) == 30
    clock.advance(-3600)  # the step
    assert round(scheduler.idle_seconds) == 30
    clock.advance(30)
    scheduler.run_pending()
    assert ran == [at("2023-01-20T08:01")]
    clock.advance(-1)  # a second's difference is a re-read, not a step: nothing moves
    assert round(scheduler.idle_seconds) == 61
