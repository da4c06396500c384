"""`sheets-sync run`: the long-running worker, and the guarded run that `sync` shares with it.

Schedule (times in the settings' time zone, Asia/Bangkok):

* every `schedule.every_minutes` (30), counted from the end of the previous run;
* every `schedule.near_deadline_every_minutes` (10) during the last `near_deadline_days` (3)
  calendar days up to and including a round's deadline day;
* never inside `schedule.quiet_hours` ("22:00-06:00"): a run that would fall there waits for
  the end of the quiet hours;
* after a failed run, the next one comes sooner and backs off: 1, 2, 4, 8 ... minutes, never
  later than the normal interval. A failure is logged with its cause and never ends the loop.

The loop is a `schedule.Scheduler` with one job whose interval is re-planned after every run.
Its time source is the injected Clock, and the wait between runs is an injected `sleep`
(a blocking `select` on a self-pipe in production, woken by signals), so tests run ticks
without waiting and the idle worker uses no CPU.

Signals: SIGTERM and SIGINT ask for a stop. Nothing is interrupted mid-write: the stop is
taken at the next step boundary (before reading, after each checked URL, before each write),
the current run is recorded as "stopped" and the process exits 0. In-flight URL checks end
by their own timeouts; if the process is still busy `STOP_GRACE_S` after the signal it exits
0 anyway, which is safe because every write is atomic (xlsx replaced by rename, Sheets batch
updates, SQLite transactions). SIGHUP reloads the config (at once when idle, after the run
when busy); a config with a mistake is logged and the old one kept.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import select
import signal
import sys
import threading
import time as _time
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Callable

import schedule

from sheets_sync import status
from sheets_sync.clock import Clock, SystemClock
from sheets_sync.config import Catalog, Config, Round, ScheduleSettings
from sheets_sync.errors import ConfigError, LockBusy, SheetsSyncError
from sheets_sync.lock import RUN_LOCK, WORKER_LOCK, PidLock, lock_path, read_holder

log = logging.getLogger(__name__)

STOP_GRACE_S = 20.0  # after SIGTERM, exit 0 by then at the latest (systemd waits 30 s)
RETRY_FIRST_S = 60  # first retry after a failed run; doubles up to the normal interval
STALE_TEMP_S = 600  # a workbook temp file this old belongs to a dead process


# ---------------------------------------------------------------- the schedule, pure functions
@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


_QUIET_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_quiet_hours(text: str, where: str = "settings") -> QuietHours | None:
    """"22:00-06:00" (may cross midnight) -> QuietHours; "" -> None; anything else ConfigError."""
    if not text or not text.strip():
        return None
    m = _QUIET_RE.match(text)
    if m:
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) != (h2, m2):
            return QuietHours(time(h1, m1), time(h2, m2))
    raise ConfigError(f"{where}: schedule.quiet_hours: expected HH:MM-HH:MM such as \"22:00-06:00\", got {text!r}")


def check_schedule(s: ScheduleSettings, where: str = "settings") -> None:
    """Raises ConfigError for a schedule the loop cannot follow."""
    for name in ("every_minutes", "near_deadline_every_minutes"):
        if getattr(s, name) < 1:
            raise ConfigError(f"{where}: schedule.{name}: must be at least 1")
    if s.near_deadline_days < 0:
        raise ConfigError(f"{where}: schedule.near_deadline_days: must be 0 or more")
    parse_quiet_hours(s.quiet_hours, where)


def in_quiet_hours(now: datetime, quiet: QuietHours | None) -> bool:
    if quiet is None:
        return False
    t = now.timetz().replace(tzinfo=None)
    if quiet.start < quiet.end:
        return quiet.start <= t < quiet.end
    return t >= quiet.start or t < quiet.end  # crosses midnight


def quiet_hours_end(now: datetime, quiet: QuietHours) -> datetime:
    """The first moment after `now` when the quiet hours are over (now must be inside them)."""
    end = datetime.combine(now.date(), quiet.end, tzinfo=now.tzinfo)
    return end if end > now else end + timedelta(days=1)


def near_deadline(now: datetime, catalog: Catalog, days: int) -> Round | None:
    """The round whose deadline is within the last `days` calendar days (deadline day included)."""
    if days <= 0:
        return None
    today = now.date()
    for rnd in catalog.rounds:
        if rnd.deadline - timedelta(days=days - 1) <= today <= rnd.deadline:
            return rnd
    return None


def next_interval(now: datetime, catalog: Catalog, s: ScheduleSettings) -> int:
    """Seconds from `now` (aware, in the settings' zone) to the next run."""
    minutes = s.near_deadline_every_minutes if near_deadline(now, catalog, s.near_deadline_days) else s.every_minutes
    return _outside_quiet(now, minutes * 60, parse_quiet_hours(s.quiet_hours))


def retry_interval(now: datetime, failures: int, catalog: Catalog, s: ScheduleSettings) -> int:
    """Seconds to the retry after `failures` failed runs in a row: 1, 2, 4 ... minutes, at most
    the normal interval, never inside quiet hours."""
    normal_minutes = (s.near_deadline_every_minutes if near_deadline(now, catalog, s.near_deadline_days)
                      else s.every_minutes)
    seconds = min(RETRY_FIRST_S * 2 ** max(0, min(failures, 20) - 1), normal_minutes * 60)
    return _outside_quiet(now, seconds, parse_quiet_hours(s.quiet_hours))


def _outside_quiet(now: datetime, seconds: int, quiet: QuietHours | None) -> int:
    at = now + timedelta(seconds=seconds)
    if in_quiet_hours(at, quiet):
        at = quiet_hours_end(at, quiet)
    return max(0, int((at - now).total_seconds()))


# ---------------------------------------------------------------- signals
class StopRequested(BaseException):
    """Raised at a step boundary once a stop was asked for (a BaseException, like
    KeyboardInterrupt, so no `except Exception` on the way swallows it)."""


class Stopper:
    """Turns SIGTERM/SIGINT into a stop flag and SIGHUP into a reload flag.

    The handlers only set flags and write a byte to a self-pipe (async-signal-safe work); the
    main thread acts on the flags at step boundaries. `wait` sleeps on the pipe, so a signal
    ends the idle wait at once, with no polling."""

    def __init__(self, grace_s: float = STOP_GRACE_S, force_exit: Callable[[int], None] = os._exit) -> None:
        self.stop = False
        self.reload = False
        self.stop_signal = ""
        self.grace_s = grace_s
        self._force_exit = force_exit
        self._wake_r, self._wake_w = _pipe()
        self._dog_r, self._dog_w = _pipe(blocking_read=True)
        self._previous: dict[int, object] = {}
        self._watchdog: threading.Thread | None = None
        # Run (in the watchdog thread) just before a forced exit: record the outcome, drop locks.
        self.on_force_exit: list[Callable[[], None]] = []

    # -- installing
    def install(self) -> "Stopper":
        """Installs the handlers (main thread only) and starts the stop watchdog."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._previous[sig] = signal.signal(sig, self._handle)
        self._watchdog = threading.Thread(target=self._watch, name="stop-watchdog", daemon=True)
        self._watchdog.start()
        return self

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
        if self._watchdog is not None:
            _write(self._dog_w, b"q")
            self._watchdog = None

    def __enter__(self) -> "Stopper":
        return self.install()

    def __exit__(self, *exc) -> None:
        self.restore()

    def _handle(self, signum: int, frame) -> None:
        if signum == signal.SIGHUP:
            self.reload = True
        else:
            if not self.stop:
                self.stop_signal = signal.Signals(signum).name
                _write(self._dog_w, b"s")
            self.stop = True
        _write(self._wake_w, b"x")

    def _watch(self) -> None:
        while True:
            try:
                byte = os.read(self._dog_r, 1)
            except InterruptedError:
                continue
            if byte != b"s":
                return  # restored: the stop went through in time
            if select.select([self._dog_r], [], [], self.grace_s)[0]:
                return  # "q": finished cleanly
            log.error("still busy %.0f s after %s; exiting now. Nothing is half-written: every write is "
                      "atomic, and the next run starts over", self.grace_s, self.stop_signal or "the stop request")
            for fn in reversed(list(self.on_force_exit)):
                try:
                    fn()
                except Exception:
                    log.exception("while exiting")
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            self._force_exit(0)
            return

    # -- using
    def request_stop(self, reason: str = "request") -> None:
        """Asks for a stop from code (tests, `--once`)."""
        self.stop = True
        self.stop_signal = self.stop_signal or reason
        _write(self._wake_w, b"x")

    def checkpoint(self, step: str) -> None:
        """Raises StopRequested if a stop was asked for; called between steps."""
        if self.stop:
            raise StopRequested(step)

    def take_reload(self) -> bool:
        if self.reload:
            self.reload = False
            return True
        return False

    def wait(self, seconds: float) -> None:
        """Blocks up to `seconds`, or until a signal arrives. No CPU while waiting."""
        if self.stop:
            return
        try:
            ready = select.select([self._wake_r], [], [], max(0.0, seconds))[0]
        except InterruptedError:  # pragma: no cover (PEP 475 retries select)
            ready = [self._wake_r]
        if ready:
            try:
                while os.read(self._wake_r, 512):
                    pass
            except BlockingIOError:
                pass


def _pipe(blocking_read: bool = False) -> tuple[int, int]:
    r, w = os.pipe()
    os.set_blocking(w, False)
    if not blocking_read:
        os.set_blocking(r, False)
    return r, w


def _write(fd: int, byte: bytes) -> None:
    try:
        os.write(fd, byte)
    except OSError as e:  # a full pipe already says "wake up"
        if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBADF):
            raise


# ---------------------------------------------------------------- one run, guarded
class _GuardedBackend:
    """The backend with a stop checkpoint before each step, and the worker's line added to the
    summary heading. Writes themselves are never interrupted."""

    def __init__(self, backend, stopper: Stopper | None, summary_line: str) -> None:
        self._backend = backend
        self._stopper = stopper
        self._line = summary_line

    def _check(self, step: str) -> None:
        if self._stopper is not None:
            self._stopper.checkpoint(step)

    def ensure_layout(self, catalog, agencies):
        self._check("completing the layout")
        return self._backend.ensure_layout(catalog, agencies)

    def read(self, catalog):
        self._check("reading the sheet")
        return self._backend.read(catalog)

    def write_results(self, verdicts):
        self._check("writing the results")
        return self._backend.write_results(verdicts)

    def write_summary(self, summary):
        self._check("writing the summary")
        if self._line:
            from dataclasses import replace

            heading = tuple(summary.heading)
            summary = replace(summary, heading=heading[:2] + (self._line,) + heading[2:])
        return self._backend.write_summary(summary)

    def __getattr__(self, name):
        return getattr(self._backend, name)


def summary_line(started: datetime, next_run: datetime | None = None) -> str:
    """The summary tab's line about the worker (Thai, like the rest of the tab)."""
    from sheets_sync.thai import thai_datetime

    line = f"ระบบตรวจอัตโนมัติ (sheets-sync) ทำงานสำเร็จล่าสุดเมื่อ {thai_datetime(started)} น."
    if next_run is not None:
        line += f" ตรวจรอบถัดไปประมาณ {thai_datetime(next_run)} น."
    return line


def run_sync(config: Config, clock: Clock, stopper: Stopper | None = None, *, mode: str = "sync",
             agency: str | None = None, dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
             next_hint: datetime | None = None, backend=None, checker=None, sync_fn=None):
    """One sync under the run lock, recorded in the status file and the history.

    Returns (RunRecord, SyncReport | None): the report is None when the run was stopped by a
    signal. Raises LockBusy when another run is active, and re-raises the cause of a failed
    run after recording it. A dry run takes no lock and records nothing."""
    from sheets_sync.backends import open_backend
    from sheets_sync.cache import open_cached
    from sheets_sync.checker import Checker
    from sheets_sync.sync import sync as real_sync
    from sheets_sync.thai import digits

    sync_fn = sync_fn or real_sync
    settings = config.settings

    def guarded_progress(done: int, total: int) -> None:
        if stopper is not None:
            stopper.checkpoint("checking URLs")
        if progress is not None:
            progress(done, total)

    own_checker = checker is None
    started = clock.now()
    record = status.RunRecord(started=started.isoformat(timespec="seconds"), mode=mode)
    if dry_run:
        checker = checker or Checker(settings.checker)
        try:
            report = sync_fn(config, _GuardedBackend(backend or open_backend(config), stopper, ""), checker, clock,
                             agency=agency, dry_run=True, progress=guarded_progress)
        except StopRequested as e:
            record.outcome, record.error = "stopped", f"dry run stopped while {e}"
            return record, None
        finally:
            if own_checker:
                checker.close()
        record.outcome = "ok"
        return record, report

    run_lock = PidLock(lock_path(settings.state_path, RUN_LOCK), mode).acquire(started)
    status_file = status.status_path(settings.state_path)
    finished = threading.Lock()  # the outcome is recorded once: by this thread, or by the watchdog

    def finish(outcome: str | None = None, error: str | None = None) -> None:
        if not finished.acquire(blocking=False):
            return
        if outcome is not None:
            record.outcome, record.error = outcome, error
        record.ended = clock.now().isoformat(timespec="seconds")
        failures = 0 if record.outcome == "ok" else int(previous.get("consecutive_failures") or 0) + (
            record.outcome == "failed")
        _safely(status.record, status_file, record, failures=failures)
        status.record_history(settings.state_path, record)

    def forced() -> None:  # the stop grace ran out while URL checks were still in flight
        finish("stopped", f"stopped by {stopper.stop_signal} while checking URLs (exited after "
                          f"{stopper.grace_s:.0f} s with checks still in flight)")
        run_lock.release()

    previous: dict = {}
    try:
        previous = status.load(status_file) or {}
        if stopper is not None:
            stopper.on_force_exit.append(forced)
        _safely(status.record, status_file, record)
        _remove_stale_temp_files(config)
        report = None
        try:
            backend = backend or open_backend(config)
            # Scheduled runs use the cache between runs: fresh `ok` URLs are not fetched again.
            checker = checker or open_cached(Checker(settings.checker), settings.state_path)
            line = digits(summary_line(started, next_hint), getattr(settings, "thai_digits", False))
            report = sync_fn(config, _GuardedBackend(backend, stopper, line), checker, clock, agency=agency,
                             dry_run=False, progress=guarded_progress)
            record.outcome = "ok"
            record.rows, record.urls_checked = report.rows, report.urls_checked
            record.written, record.counts = report.write.written, dict(report.counts)
        except StopRequested as e:
            record.outcome = "stopped"
            record.error = f"stopped by {stopper.stop_signal if stopper else 'request'} while {e}"
            log.warning("run stopped while %s; nothing half-written, the next run starts over", e)
        except BaseException as e:
            record.outcome = "failed"
            record.error = _describe(e)
            raise
        finally:
            if own_checker and checker is not None:
                checker.close()
            finish()
        return record, report
    finally:
        if stopper is not None and forced in stopper.on_force_exit:
            stopper.on_force_exit.remove(forced)
        run_lock.release()


def _safely(fn, *args, **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except OSError as e:
        log.warning("could not write the status file: %s", e)


def _describe(e: BaseException) -> str:
    if isinstance(e, SheetsSyncError):
        return str(e)
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _remove_stale_temp_files(config: Config) -> None:
    """Temp files left by a process killed in the middle of saving the workbook (the workbook
    itself is intact: the temp file never replaced it)."""
    b = config.settings.backend
    if b.kind != "xlsx":
        return
    path = Path(b.xlsx_path)
    try:
        candidates = list(path.parent.glob(f".{path.name}.*.tmp"))
    except OSError:
        return
    for tmp in candidates:
        try:
            if _time.time() - tmp.stat().st_mtime > STALE_TEMP_S:
                tmp.unlink()
                log.info("removed %s, left by a save that was killed half-way", tmp)
        except OSError:
            pass


# ---------------------------------------------------------------- the loop
class _ClockJob(schedule.Job):
    """A `schedule` job whose time comes from the scheduler's injected clock; interval in seconds."""

    @property
    def should_run(self) -> bool:
        return self.scheduler.now() >= self.next_run

    def _schedule_next_run(self) -> None:
        self.period = timedelta(seconds=self.interval)
        self.next_run = self.scheduler.now() + self.period


class ClockScheduler(schedule.Scheduler):
    """`schedule.Scheduler` on an injected Clock (aware datetimes)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    def every(self, interval: int = 1) -> schedule.Job:
        return _ClockJob(interval, self)

    @property
    def idle_seconds(self) -> float | None:
        nxt = self.next_run
        return None if nxt is None else (nxt - self.now()).total_seconds()


class Worker:
    """The `run` loop. `load` (re)reads the config; `runner` is `run_sync` with its injected
    parts (tests pass a fake sync); `sleep` waits between runs (Stopper.wait in production)."""

    def __init__(self, load: Callable[[], Config], clock: Clock | None = None, stopper: Stopper | None = None,
                 sleep: Callable[[float], None] | None = None, progress: Callable[[], Callable] | None = None,
                 **run_kwargs) -> None:
        self.load = load
        self.config = load()
        check_schedule(self.config.settings.schedule, str(self.config.settings_path))
        self.clock = clock or SystemClock(self.config.settings.tz)
        self.stopper = stopper or Stopper()
        self.sleep = sleep or self.stopper.wait
        self.progress = progress
        self.run_kwargs = run_kwargs
        self.failures = 0
        self.runs = 0
        self.last_end: datetime | None = None
        self.scheduler = ClockScheduler(self.clock)
        self.job: schedule.Job | None = None

    def loop(self) -> int:
        """Runs until a stop is asked for; returns the exit code (0)."""
        settings = self.config.settings
        with PidLock(lock_path(settings.state_path, WORKER_LOCK), "run").acquire(self.clock.now()) as worker_lock:
            status_file = status.status_path(settings.state_path)
            self.stopper.on_force_exit.append(worker_lock.release)
            self.stopper.on_force_exit.append(lambda: _safely(status.set_next_run, status_file, None))
            self.job = self.scheduler.every(0).seconds.do(self._tick)  # the first run at once
            log.info("worker started (pid %d): every %d min, every %d min in the last %d days before a deadline%s",
                     os.getpid(), settings.schedule.every_minutes, settings.schedule.near_deadline_every_minutes,
                     settings.schedule.near_deadline_days,
                     f", quiet hours {settings.schedule.quiet_hours}" if settings.schedule.quiet_hours else "")
            while not self.stopper.stop:
                if self.stopper.take_reload():
                    self._reload()
                self.scheduler.run_pending()
                if self.stopper.stop:
                    break
                idle = self.scheduler.idle_seconds
                if idle is not None and idle > 0:
                    self.sleep(idle)
            _safely(status.set_next_run, status.status_path(self.config.settings.state_path), None)
            log.info("worker stopped (%s)", self.stopper.stop_signal or "stop requested")
        return 0

    def _tick(self) -> None:
        config = self.config
        s = config.settings.schedule
        now = self.clock.now()
        quiet = parse_quiet_hours(s.quiet_hours)
        if in_quiet_hours(now, quiet):
            wait = int((quiet_hours_end(now, quiet) - now).total_seconds())
            log.info("quiet hours (%s): no run until %s", quiet, _hhmm(now + timedelta(seconds=wait)))
            self._plan(now, wait)
            return
        self.runs += 1
        log.info("run %d started", self.runs, extra={"event": "run_started"})
        hint = now + timedelta(seconds=next_interval(now, config.catalog, s))
        try:
            record, _ = run_sync(config, self.clock, self.stopper, mode="run", next_hint=hint,
                                 progress=self.progress() if self.progress else None, **self.run_kwargs)
        except LockBusy as e:
            self.failures += 1
            self._after(f"skipped: {e}", failed=True)
            return
        except SheetsSyncError as e:
            self.failures += 1
            self._after(f"failed: {e}", failed=True)
            return
        except Exception as e:
            self.failures += 1
            log.error("run failed with an unexpected error", exc_info=True)
            self._after(f"failed: {_describe(e)}", failed=True)
            return
        if record.outcome == "stopped":
            return
        self.failures = 0
        counts = ", ".join(f"{k} {v}" for k, v in sorted(record.counts.items()))
        self._after(f"ok: {record.rows} rows, {record.urls_checked} URLs checked, {record.written} rows updated"
                    f" ({counts or 'no rows'})", failed=False, record=record)

    def _after(self, what: str, failed: bool, record: status.RunRecord | None = None) -> None:
        now = self.clock.now()
        self.last_end = now
        config = self.config
        if failed:
            seconds = retry_interval(now, self.failures, config.catalog, config.settings.schedule)
        else:
            seconds = next_interval(now, config.catalog, config.settings.schedule)
        at = now + timedelta(seconds=seconds)
        extra = {"event": "run_finished", "outcome": "failed" if failed else "ok", "next_run": at.isoformat(),
                 "failures_in_a_row": self.failures}
        if record is not None:
            extra["counts"] = dict(record.counts)
        if failed:
            log.error("run %d %s; retrying at %s (in %s, failure %d in a row)", self.runs, what, _hhmm(at),
                      _span(seconds), self.failures, extra=extra)
        else:
            log.info("run %d %s; next run at %s (in %s)", self.runs, what, _hhmm(at), _span(seconds), extra=extra)
        self._plan(now, seconds)

    def _plan(self, now: datetime, seconds: int) -> None:
        assert self.job is not None
        self.job.interval = seconds  # `schedule` re-plans the job with it right after this tick
        _safely(status.set_next_run, status.status_path(self.config.settings.state_path),
                now + timedelta(seconds=seconds))

    def _reload(self) -> None:
        try:
            config = self.load()
            check_schedule(config.settings.schedule, str(config.settings_path))
        except SheetsSyncError as e:
            log.error("SIGHUP: the config has a mistake, keeping the running one: %s", e)
            return
        self.config = config
        log.info("SIGHUP: config reloaded from %s", config.settings_path)
        if self.job is not None and self.last_end is not None and self.failures == 0 and self.job.next_run:
            # Re-plan from the end of the last run with the new schedule.
            seconds = next_interval(self.last_end, config.catalog, config.settings.schedule)
            self.job.interval = seconds
            self.job.next_run = self.last_end + timedelta(seconds=seconds)
            _safely(status.set_next_run, status.status_path(config.settings.state_path), self.job.next_run)
            log.info("next run at %s", _hhmm(self.job.next_run))


def _hhmm(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M %Z")


def _span(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# ---------------------------------------------------------------- the commands
def command(config: Config, args, load: Callable[[], Config],
            progress: Callable[[], Callable[[int, int], None]] | None = None) -> int:
    """`run [--once]` and `status`, called by the CLI."""
    if args.command == "status":
        return show_status(config)
    if getattr(args, "once", False):
        return run_once(config, progress=progress() if progress else None)
    stopper = Stopper()
    with stopper:
        worker = Worker(load, stopper=stopper, progress=progress)
        return worker.loop()


def run_once(config: Config, progress=None, mode: str = "run --once") -> int:
    """One guarded run (for cron): exit 0 when it ran or was stopped, else the error's code."""
    check_schedule(config.settings.schedule, str(config.settings_path))
    clock = SystemClock(config.settings.tz)
    with Stopper() as stopper:
        with PidLock(lock_path(config.settings.state_path, WORKER_LOCK), mode).acquire(clock.now()):
            record, _ = run_sync(config, clock, stopper, mode=mode, progress=progress)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(record.counts.items()))
    if record.outcome == "ok":
        log.info("run ok: %d rows, %d URLs checked, %d rows updated (%s)", record.rows, record.urls_checked,
                 record.written, counts or "no rows", extra={"event": "run_finished", "outcome": "ok",
                                                             "counts": record.counts})
    return 0


def show_status(config: Config, now: datetime | None = None, out=None) -> int:
    """`sheets-sync status`: the status file in plain words."""
    settings = config.settings
    path = status.status_path(settings.state_path)
    text = status.render(status.load(path), now or datetime.now(settings.tz), settings.tz,
                         worker=read_holder(lock_path(settings.state_path, WORKER_LOCK)),
                         running=read_holder(lock_path(settings.state_path, RUN_LOCK)), path=path)
    print(text, file=out or sys.stdout)
    return 0
