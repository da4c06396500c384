"""One sync, guarded: the run lock, the status file and the run history around `sync.sync`.

Both `sheets-sync sync` and every run of the worker go through `run_sync`, so a manual sync and
a scheduled one can never overlap (`LockBusy`), and either leaves the same record behind. A
Stopper, when given, is checked before each step of the sync and after each checked URL.
"""

from __future__ import annotations

import logging
import threading
import time as _time
from datetime import datetime
from typing import Callable

from sheets_sync.config.settings import Config
from sheets_sync.core.clock import Clock
from sheets_sync.core.errors import SheetsSyncError, StorageError, translate
from sheets_sync.core.files import leftover_temps
from sheets_sync.core.redact import redact
from sheets_sync.worker import status
from sheets_sync.worker.lock import RUN_LOCK, PidLock, lock_path
from sheets_sync.worker.stopper import Stopper, StopRequested

# The worker's own logger name, as before run_sync left worker.py: log filters and the JSON
# "logger" field keep matching.
log = logging.getLogger("sheets_sync.worker.loop")

STALE_TEMP_S = 600  # a workbook temp file this old belongs to a dead process


class _GuardedBackend:
    """The backend with a stop checkpoint before each step. Writes themselves are never
    interrupted."""

    def __init__(self, backend, stopper: Stopper | None) -> None:
        self._backend = backend
        self._stopper = stopper

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
        return self._backend.write_summary(summary)

    def __getattr__(self, name):
        return getattr(self._backend, name)


def summary_line(started: datetime, next_run: datetime | None = None) -> str:
    """The summary tab's line about the worker (Thai, like the rest of the tab)."""
    from sheets_sync.core.thai import thai_datetime

    line = f"ระบบตรวจอัตโนมัติ (sheets-sync) ทำงานสำเร็จล่าสุดเมื่อ {thai_datetime(started)} น."
    if next_run is not None:
        line += f" ตรวจรอบถัดไปประมาณ {thai_datetime(next_run)} น."
    return line


def run_sync(config: Config, clock: Clock, stopper: Stopper | None = None, *, mode: str = "sync",
             agency: str | None = None, dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
             next_hint: datetime | None = None, backend=None, checker=None, sync_fn=None, fresh: bool = False):
    """One sync under the run lock, recorded in the status file and the history.

    Returns (RunRecord, SyncReport | None): the report is None when the run was stopped by a
    signal. Raises LockBusy when another run is active, and re-raises the cause of a failed
    run after recording it. A dry run takes no lock and records nothing.

    Unless a checker is given, the run checks through the result cache (`fresh`: ignore it),
    on the same state-file connection as the history."""
    from sheets_sync.check.cache import CachedChecker
    from sheets_sync.pipeline.sync import sync as real_sync
    from sheets_sync.sheet.kinds import open_backend
    from sheets_sync.state.store import State, open_state
    from sheets_sync.worker.preflight import check_local_files

    sync_fn = sync_fn or real_sync
    settings = config.settings

    def guarded_progress(done: int, total: int) -> None:
        if stopper is not None:
            stopper.checkpoint("checking URLs")
        if progress is not None:
            progress(done, total)

    own_checker = checker is None
    started = clock.now()
    # One agency's rows: `status` says so (its counts read as the whole sheet's, they misled)
    record = status.RunRecord(started=started.isoformat(timespec="seconds"),
                              mode=mode if agency is None else f"{mode} --agency {agency}")
    if not dry_run:
        # Every local file this run will write, before it reads the sheet or checks a URL:
        # a run that cannot save stops here with one line (exit 3), having written nothing.
        try:
            check_local_files(config)
        except StorageError as e:
            _record_failed_start(config, record, clock, e)
            raise
    # Then the lock: a run refused with exit 4 opens nothing.
    run_lock = None if dry_run else PidLock(lock_path(settings.state_path, RUN_LOCK), mode).acquire(started)
    # One connection for the cache and the history of this run (each open checks the file).
    if dry_run:
        state = open_state(settings.state_path)
    else:
        try:
            state = State(settings.state_path)
        except BaseException as e:
            run_lock.release()
            raise (translate(e, settings.state_path) or e) from None
    if own_checker:
        checker = stoppable_checker(config, stopper)
        if state is not None:
            checker = CachedChecker(checker, state, fresh=fresh)
    if dry_run:
        try:
            report = sync_fn(config, _GuardedBackend(backend or open_backend(config), stopper), checker, clock,
                             agency=agency, dry_run=True, progress=guarded_progress, state=state)
        except StopRequested as e:
            record.outcome, record.error = "stopped", f"dry run stopped while {e}"
            return record, None
        finally:
            if own_checker:
                checker.close()
            if state is not None:
                state.close()
        record.outcome = "ok"
        return record, report

    status_file = status.status_path(settings.state_path)
    finished = threading.Lock()  # the outcome is recorded once: by this thread, or by the watchdog

    def finish(outcome: str | None = None, error: str | None = None) -> None:
        if not finished.acquire(blocking=False):
            return
        if outcome is not None:
            record.outcome, record.error = outcome, error
        record.ended = clock.now().isoformat(timespec="seconds")
        write_status_safely(status.record, status_file, record, failures=_failures(previous, record.outcome))
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
        write_status_safely(status.record, status_file, record)
        _remove_stale_temp_files(config)
        report = None
        try:
            backend = backend or open_backend(config)
            report = sync_fn(config, _GuardedBackend(backend, stopper), checker, clock, agency=agency,
                             dry_run=False, progress=guarded_progress, state=state,
                             summary_note=(summary_line(started, next_hint),))
            record.outcome = "ok"
            record.rows, record.urls_checked = report.rows, report.urls_checked
            record.written, record.counts = report.write.written, dict(report.counts)
        except StopRequested as e:
            record.outcome = "stopped"
            record.error = f"stopped by {stopper.stop_signal if stopper else 'request'} while {e}"
            log.warning("run stopped while %s; nothing half-written, the next run starts over", e)
        except BaseException as e:
            record.outcome = "failed"
            ours = translate(e, settings.state_path)
            record.error = describe_error(ours or e)
            if ours is not None and ours is not e:
                raise ours from e
            raise
        finally:
            if own_checker:
                checker.close()
            if state is not None:
                state.close()
            finish()
        return record, report
    finally:
        if stopper is not None and forced in stopper.on_force_exit:
            stopper.on_force_exit.remove(forced)
        run_lock.release()


def stoppable_checker(config: Config, stopper: Stopper | None):
    """The sync's Checker: one whose URL checks under way a stop signal cuts short, instead of
    waiting for them (it polls `stopper.stop`), and that reads a PDF's pages only until they
    settle the year rules of the catalogue's items (and of an item code the catalogue lacks)."""
    # The checker's stack loads only where URLs are checked.
    from sheets_sync.check import years
    from sheets_sync.check.checker import Checker

    catalog = config.catalog
    rules = [item.year_rule for item in catalog.items] + [catalog.year_rule("")]
    return Checker(config.settings.checker, stop=(lambda: stopper.stop) if stopper is not None else None,
                   pdf_years=years.year_sets(rules))


def run_watch(config: Config, clock: Clock, watch, stopper: Stopper | None = None, *, backend=None, checker=None,
              network=None):
    """One watch pass (pipeline.watch) under the run lock, so it never overlaps a sync: checks only the
    rows agencies changed. Raises LockBusy when a sync is running (the pass is simply skipped) and
    BackendError when the sheet cannot be read or written. Not recorded in the status file: the full
    syncs are the runs people look at; the pass logs one line when it checked anything.

    `checker`: used as given. Otherwise the pass checks through the result cache, with `network` (a
    Checker the worker keeps between passes, so its connections and PDF helper are not rebuilt every
    minute) or a Checker of its own."""
    from sheets_sync.check import budget
    from sheets_sync.check.cache import CachedChecker
    from sheets_sync.pipeline.watch import watch_pass
    from sheets_sync.sheet.kinds import open_backend
    from sheets_sync.state.store import open_state

    settings = config.settings
    with PidLock(lock_path(settings.state_path, RUN_LOCK), "watch").acquire(clock.now()):
        state = open_state(settings.state_path)  # the result cache and the history
        inner = None
        if checker is None:
            inner = network if network is not None else stoppable_checker(config, stopper)
            checker = CachedChecker(inner, state) if state is not None else inner
        try:
            return watch_pass(config, _GuardedBackend(backend or open_backend(config), stopper), checker, clock, watch,
                              state=state)
        except budget.Cancelled:
            # The checks were cut short by a stop signal (the pass has no progress callback to
            # raise it from): the stop it was.
            if stopper is not None:
                stopper.checkpoint("checking URLs")
            raise
        finally:
            if inner is not None and network is None:
                inner.close()
            if state is not None:
                state.close()


def _failures(previous: dict, outcome: str) -> int:
    """Failures in a row after a run of `outcome`, the status file having said `previous`."""
    return 0 if outcome == "ok" else int(previous.get("consecutive_failures") or 0) + (outcome == "failed")


def _record_failed_start(config: Config, record: status.RunRecord, clock: Clock, e: BaseException) -> None:
    """A run the file check stopped is a failed run in the status file, if the file can be written:
    `status` said "Last run succeeded ... 4 minutes ago" while every run failed on a full disk.
    Quietly: the run's one line already says what is wrong."""
    path = status.status_path(config.settings.state_path)
    record.outcome, record.error = "failed", describe_error(e)
    record.ended = clock.now().isoformat(timespec="seconds")
    try:
        if not path.parent.is_dir():
            return
        status.record(path, record, failures=_failures(status.load(path) or {}, record.outcome))
    except OSError:
        pass


def write_status_safely(fn, *args, **kwargs) -> None:
    """Calls a status-file writer; a failed write is logged and never fails the run."""
    try:
        fn(*args, **kwargs)
    except OSError as e:
        log.warning("could not write the status file: %s", e)


def describe_error(e: BaseException) -> str:
    """A failure in one line for the status file, the history and the log, secrets redacted:
    our own errors speak for themselves."""
    if isinstance(e, SheetsSyncError):
        text = str(e)
    else:
        text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    return redact(" ".join(text.split()))


def _remove_stale_temp_files(config: Config) -> None:
    """Temp files left by a process killed in the middle of saving the workbook (the workbook
    itself is intact: the temp file never replaced it)."""
    b = config.settings.backend
    if b.kind != "xlsx":
        return
    for tmp in leftover_temps(b.xlsx_path):
        try:
            if _time.time() - tmp.stat().st_mtime > STALE_TEMP_S:
                tmp.unlink()
                log.info("removed %s, left by a save that was killed half-way", tmp)
        except OSError:
            pass

