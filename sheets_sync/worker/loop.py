"""`sheets-sync run`: the long-running worker loop, `run --once` and `status`.

The loop is a `schedule.Scheduler` with one job whose interval is re-planned after every run
(see `schedule_policy` for when that is). Its time source is the injected Clock, and the wait
between runs is an injected `sleep` (`Stopper.wait` in production, woken by signals), so tests
run ticks without waiting and the idle worker uses no CPU.

Each run is `runner.run_sync`. A failure is logged with its cause and never ends the loop; a
stop signal ends it after the current step (see `stopper`). SIGHUP reloads the config (at once
when idle, after the run when busy); a config with a mistake is logged and the old one kept.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from datetime import datetime, timedelta
from typing import Callable

import schedule

from sheets_sync.config.settings import DEFAULT_SETTINGS, Config
from sheets_sync.core.clock import Clock, SystemClock
from sheets_sync.core.errors import LockBusy, SheetsSyncError, StorageError, storage_error
from sheets_sync.core.redact import redact
from sheets_sync.worker import status
from sheets_sync.worker.lock import (
    RUN_LOCK,
    WORKER_LOCK,
    PidLock,
    lock_path,
    read_holder,
)
from sheets_sync.pipeline.watch import Watch
from sheets_sync.worker.runner import describe_error, run_sync, run_watch, stoppable_checker, write_status_safely
from sheets_sync.worker.schedule_policy import (
    check_schedule,
    in_quiet_hours,
    next_interval,
    parse_quiet_hours,
    quiet_hours_end,
    retry_interval,
)
from sheets_sync.worker.stopper import Stopper

log = logging.getLogger(__name__)

WATCH_SKIP_S = 10  # a watch pass this close to a full sync is left to the sync
CLOCK_STEP = timedelta(seconds=2)  # a wall clock that went back more than this was stepped (NTP), not read twice


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
    """`schedule.Scheduler` on an injected Clock (aware datetimes).

    The clock is the wall clock (deadlines, quiet hours and the times people read are wall-clock
    times), and NTP may step it back: the jobs' next runs then stayed where they were, and no sync
    nor watch ran until the clock caught up (an hour's step, an hour without feedback). A step back
    moves every planned run back by as much."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self._last: datetime | None = None

    def now(self) -> datetime:
        t = self.clock.now()
        if self._last is not None and t < self._last - CLOCK_STEP:
            step = self._last - t
            for job in self.jobs:
                if job.next_run is not None:
                    job.next_run -= step
            log.warning("the system clock went back by %s; the planned runs move back with it", step)
        self._last = t
        return t

    def every(self, interval: int = 1) -> schedule.Job:
        return _ClockJob(interval, self)

    @property
    def idle_seconds(self) -> float | None:
        now = self.now()  # first: a step back moves the next run
        nxt = self.next_run
        return None if nxt is None else (nxt - now).total_seconds()


class Worker:
    """The `run` loop. `load` (re)reads the config; `runner` is `run_sync` with its injected
    parts (tests pass a fake sync); `sleep` waits between runs (Stopper.wait in production).

    Beside the full syncs, a light watch (pipeline.watch) runs every `schedule.watch_seconds` and
    checks only the rows agencies changed since the worker last looked; `watch_fn` is `run_watch`."""

    def __init__(self, load: Callable[[], Config], clock: Clock | None = None, stopper: Stopper | None = None,
                 sleep: Callable[[float], None] | None = None, progress: Callable[[], Callable] | None = None,
                 watch_fn: Callable | None = None, **run_kwargs) -> None:
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
        self.watch = Watch()
        self.watch_job: schedule.Job | None = None
        self.watch_fn = watch_fn or run_watch
        self.watches = 0
        self._network = None  # the watch's Checker, kept between passes (closed on reload and stop)
        self._backend = None  # the watch's backend, likewise (dropped on reload)

    def loop(self) -> int:
        """Runs until a stop is asked for; returns the exit code (0)."""
        settings = self.config.settings
        with PidLock(lock_path(settings.state_path, WORKER_LOCK), "run").acquire(self.clock.now()) as worker_lock:
            status_file = status.status_path(settings.state_path)
            self.stopper.on_force_exit.append(worker_lock.release)
            self.stopper.on_force_exit.append(lambda: write_status_safely(status.set_next_run, status_file, None))
            self.job = self.scheduler.every(0).seconds.do(self._tick)  # the first run at once
            self._plan_watch()
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
            self._close_network()
            write_status_safely(status.set_next_run, status.status_path(self.config.settings.state_path), None)
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
            record, report = run_sync(config, self.clock, self.stopper, mode="run", next_hint=hint,
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
            log.error("run failed with an unexpected error: %s", describe_error(e))
            log.debug("the traceback of that error", exc_info=True)
            self._after(f"failed: {describe_error(e)}", failed=True)
            return
        if record.outcome == "stopped":
            return
        if report is not None and not report.dry_run:
            self.watch.prime(report.verdicts, (*report.write.stale, *report.write.missing))
        self.failures = 0
        if config.settings.notify.enabled and not self.stopper.stop:
            remind_after_run(config, self.clock, report)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(record.counts.items()))
        self._after(f"ok: {record.rows} rows, {record.urls_checked} URLs checked, {record.written} rows updated"
                    f" ({counts or 'no rows'})", failed=False, record=record)

    def _plan_watch(self) -> None:
        """(Re)creates the watch job for the current config's watch_seconds (0: none)."""
        if self.watch_job is not None:
            self.scheduler.cancel_job(self.watch_job)
            self.watch_job = None
        seconds = self.config.settings.schedule.watch_seconds
        if seconds > 0:
            self.watch_job = self.scheduler.every(seconds).seconds.do(self._watch_tick)

    def _watch_tick(self) -> None:
        """A light pass between full syncs: only rows whose URL changed. Never before the first full
        sync (which primes it; a failed one does not hold it back), never in quiet hours, skipped when the full sync starts anyway within
        WATCH_SKIP_S. Passes start every watch_seconds (the pass's own time is taken off the wait)."""
        s = self.config.settings.schedule
        started = self.clock.now()
        # Unprimed, a pass judges only the rows with a URL and no verdict, and primes itself: after a
        # full sync that failed (its verdicts may well be on the sheet, a summary Google refuses on
        # every run), waiting for one that succeeds left pasted URLs to the failed syncs' retries,
        # half an hour apart.
        if not self.watch.primed and not self.failures or in_quiet_hours(started, parse_quiet_hours(s.quiet_hours)):
            return
        if self.job is not None and self.job.next_run is not None and \
                (self.job.next_run - started).total_seconds() < WATCH_SKIP_S:
            return  # the full sync is about to run and judges every row anyway
        self.watches += 1
        kwargs = {k: v for k, v in self.run_kwargs.items() if k in ("backend", "checker")}
        if "checker" not in kwargs:
            kwargs["network"] = self._watch_network()
        if kwargs.get("backend") is None:
            kwargs["backend"] = self._watch_backend()
        try:
            self.watch_fn(self.config, self.clock, self.watch, self.stopper, **kwargs)
        except LockBusy as e:
            log.info("watch skipped: %s", e)
        except SheetsSyncError as e:
            log.warning("watch failed: %s; the next pass or the full sync tries again", e)
        except Exception:
            log.error("watch failed with an unexpected error", exc_info=True)
        finally:
            if self.watch_job is not None:
                took = (self.clock.now() - started).total_seconds()
                self.watch_job.interval = max(1, round(s.watch_seconds - took))

    def _watch_network(self):
        if self._network is None:
            self._network = stoppable_checker(self.config, self.stopper)
        return self._network

    def _watch_backend(self):
        """Kept between passes (a Google backend would otherwise sign in again every minute)."""
        if self._backend is None:
            from sheets_sync.sheet.kinds import open_backend

            self._backend = open_backend(self.config)
        return self._backend

    def _close_network(self) -> None:
        self._backend = None
        network, self._network = self._network, None
        if network is not None:
            network.close()

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
        write_status_safely(status.set_next_run, status.status_path(self.config.settings.state_path),
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
        self._close_network()  # the checker settings may have changed
        if self.job is not None:
            self._plan_watch()
        if self.job is not None and self.last_end is not None and self.failures == 0 and self.job.next_run:
            # Re-plan from the end of the last run with the new schedule.
            seconds = next_interval(self.last_end, config.catalog, config.settings.schedule)
            self.job.interval = seconds
            self.job.next_run = self.last_end + timedelta(seconds=seconds)
            write_status_safely(status.set_next_run, status.status_path(config.settings.state_path),
                                self.job.next_run)
            log.info("next run at %s", _hhmm(self.job.next_run))


def remind_after_run(config: Config, clock: Clock, report) -> None:
    """The reminders due now, after a successful sync, with the agencies it just read. A
    reminder problem is logged and recorded in the status file; it never fails the run."""
    from sheets_sync.worker.reminders import run_reminders

    try:
        result = run_reminders(config, clock, getattr(report, "agencies", None) or None)
        if result.slots or result.sent or not result.ok:
            (log.info if result.ok else log.error)("%s", result.line())
    except SheetsSyncError as e:
        log.error("reminders: %s", e)
    except Exception:
        log.error("reminders failed with an unexpected error", exc_info=True)


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
            record, report = run_sync(config, clock, stopper, mode=mode, progress=progress)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(record.counts.items()))
    if record.outcome == "ok" and config.settings.notify.enabled:  # cron's worker reminds like the loop
        remind_after_run(config, clock, report)
    if record.outcome == "ok":
        log.info("run ok: %d rows, %d URLs checked, %d rows updated (%s)", record.rows, record.urls_checked,
                 record.written, counts or "no rows", extra={"event": "run_finished", "outcome": "ok",
                                                             "counts": record.counts})
    return 0


def _command_for(config: Config) -> str:
    """`sheets-sync`, with `--config FILE` when the settings are not the default file: on the VM
    `status --config config/local.yaml` must not advise a plain `sheets-sync run`, which reads the
    shipped settings (another sheet)."""
    if config.settings_path.resolve() == DEFAULT_SETTINGS.resolve():
        return "sheets-sync"
    return f"sheets-sync --config {shlex.quote(str(config.settings_path))}"


def show_status(config: Config, now: datetime | None = None, out=None) -> int:
    """`sheets-sync status`: the status file in plain words, secrets redacted (a file written by
    an older version may still quote them), with a warning when others can read the file."""
    settings = config.settings
    path = status.status_path(settings.state_path)
    try:
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        pass
    except PermissionError:
        raise StorageError(f"cannot read {path}: it is private to the user the worker runs as (mode 0600); "
                           f"run `status` as that user, e.g. `sudo -u sheets-sync .venv/bin/{_command_for(config)} "
                           f"status`") from None
    except OSError as e:
        raise storage_error(e, path, "read the status file") from None
    text = status.render(status.load(path), now or datetime.now(settings.tz), settings.tz,
                         worker=read_holder(lock_path(settings.state_path, WORKER_LOCK)),
                         running=read_holder(lock_path(settings.state_path, RUN_LOCK)), path=path,
                         command=_command_for(config))
    if status.readable_by_others(path):
        text += (f"\nWarning: {path} can be read by other users (mode {path.stat().st_mode & 0o777:04o}); "
                 f"it quotes error messages. Run: chmod 600 {path}")
    print(redact(text), file=out or sys.stdout)
    return 0
