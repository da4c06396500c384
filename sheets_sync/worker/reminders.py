"""Reminder runs, guarded: one at a time (a lock beside the state file), recorded in the
status file, for both `sheets-sync remind` and the worker's loop (after each successful sync
when `notify.enabled`)."""

from __future__ import annotations

from typing import Callable, Sequence

from sheets_sync.config.settings import Agency, Config
from sheets_sync.core.clock import Clock
from sheets_sync.core.errors import ConfigError
from sheets_sync.notify import remind
from sheets_sync.state.store import State
from sheets_sync.worker import status
from sheets_sync.worker.lock import PidLock, lock_path
from sheets_sync.worker.runner import write_status_safely

REMIND_LOCK = "sheets-sync-remind.lock"


def run_reminders(config: Config, clock: Clock, agencies: Sequence[Agency] | None = None, *,
                  dry_run: bool = False, to: str | None = None, backend=None,
                  mailer_factory: Callable | None = None) -> remind.Result:
    """One reminder run. `agencies`: as the sync just read them; otherwise the agencies tab is
    read now. Raises LockBusy when another reminder run is active, ConfigError for a missing
    server or password; a server that cannot be reached is in the result (`error`), recorded.
    Reminders whose results predate today's send_at are held (`Result.held`): the loop calls this
    right after a sync, so they go out then; `remind` alone before any sync that day holds them.
    The caller says how it went (`Result.line()`): the loop in its log, the CLI on its output."""
    settings = config.settings
    smtp = settings.notify.smtp
    if not dry_run and not (smtp.host and smtp.from_address) and mailer_factory is None:
        # Named with the file read: on a VM whose mail server is in config/local.yaml, a command
        # without --config read the shipped settings.yaml and only said to try a dry run.
        raise ConfigError(f"{config.settings_path}: notify.smtp.host and notify.smtp.from_address are needed to "
                          f"send reminders: set them in this file's notify.smtp (README, \"Reminders by e-mail\"), "
                          f"or give --config the file where they are set (on the VM: --config config/local.yaml); "
                          f"`sheets-sync remind --dry-run` shows what would be sent without a mail server")
    if agencies is None:
        from sheets_sync.sheet.kinds import open_backend

        agencies = (backend or open_backend(config)).read(config.catalog).agencies
    now = clock.now()
    lock = None if dry_run else PidLock(lock_path(settings.state_path, REMIND_LOCK), "remind").acquire(now)
    try:
        with State(settings.state_path) as state:
            result = remind.run(config, state, agencies, now, mailer_factory=mailer_factory, dry_run=dry_run,
                                to=to, clock=clock.now)
    finally:
        if lock is not None:
            lock.release()
    if not dry_run and not to:
        write_status_safely(status.record_reminders, status.status_path(settings.state_path), {
            "at": now.isoformat(timespec="seconds"), "slots": list(result.slots), "sent": result.sent,
            "failed": result.failed, "already_sent": result.already_sent,
            "no_address": len(result.no_address), "error": result.error or (result.refused[0] if result.refused
                                                                              else None),
            "held": len(result.held),  # due, not sent: no sync had checked their rows since send_at
        })
    return result
