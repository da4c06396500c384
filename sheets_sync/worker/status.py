"""`data/worker-status.json`: what the last run did and when the next one is due.

Written atomically (temporary file, fsync, rename) at the start and at the end of every run,
by the `run` loop and by the `sync` command alike, so `sheets-sync status` has something to
say after `make run`. `render` turns it into plain English for the person who keeps the VM,
with times in Asia/Bangkok. The file is private (mode 0600, like the credentials), and every
text in it and in the `worker_runs` table passes the one redaction function (core/redact.py):
an error message that echoes a token or a key never reaches a file. Each finished run is also
appended to the `worker_runs` table of the state file, in one transaction.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.files import atomic_write
from sheets_sync.core.redact import redact, redact_value
from sheets_sync.state.store import State, register_schema
from sheets_sync.worker.lock import Holder

log = logging.getLogger(__name__)

STATUS_FILE = "worker-status.json"
STATUS_MODE = 0o600  # it quotes error messages: only the service user reads it, like the credentials
STATUS_ORDER = ("ok", "warning", "unknown", "blocked", "broken", "invalid", "empty")
_WORDS = {"ok": "working", "warning": "opens but needs a look", "unknown": "could not be checked now",
          "blocked": "refused the checker", "broken": "does not open", "invalid": "not a usable URL",
          "empty": "not submitted yet"}


def status_path(state_path: str | os.PathLike) -> Path:
    """The status file sits beside the state file (data/ by default)."""
    return Path(state_path).parent / STATUS_FILE


@dataclass
class RunRecord:
    """One run, as the status file and the history table keep it."""

    started: str  # ISO time with offset
    mode: str  # "sync", "run", "run --once"
    outcome: str = "running"  # running | ok | failed | stopped
    ended: str | None = None
    error: str | None = None
    rows: int = 0
    urls_checked: int = 0
    written: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    pid: int = field(default_factory=os.getpid)


def load(path: str | os.PathLike) -> dict[str, Any] | None:
    """The status file's content; None when there is none (or it cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        log.warning("status file %s cannot be read (%s); it is rewritten after the next run", path, e)
        return None
    return data if isinstance(data, dict) else None


def write_atomic(path: str | os.PathLike, data: dict[str, Any]) -> None:
    """Writes JSON so that `sheets-sync status` never reads half a file; private (0600), redacted."""
    text = json.dumps(redact_value(data), ensure_ascii=False, indent=2) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), mode=STATUS_MODE)


def readable_by_others(path: str | os.PathLike) -> bool:
    """Whether the status file can be read by its group or by other users."""
    try:
        return bool(Path(path).stat().st_mode & 0o044)
    except OSError:
        return False


def record(path: str | os.PathLike, run: RunRecord, next_run: datetime | None | str = "keep",
           failures: int | None = None) -> dict[str, Any]:
    """Stores `run` as the last run (and as the last success when it succeeded).

    `next_run` is the worker's next planned run; "keep" leaves what the file says (a manual
    `sync` does not know the worker's plan), None clears it."""
    data = load(path) or {}
    data["version"] = 1
    data["last_run"] = asdict(run)
    if run.outcome == "ok":
        data["last_success"] = asdict(run)
    data.setdefault("last_success", None)
    if next_run != "keep":
        data["next_run"] = next_run.isoformat(timespec="seconds") if isinstance(next_run, datetime) else None
    data.setdefault("next_run", None)
    if failures is not None:
        data["consecutive_failures"] = failures
    data.setdefault("consecutive_failures", 0)
    write_atomic(path, data)
    return data


def set_next_run(path: str | os.PathLike, next_run: datetime | None) -> None:
    """Updates only the next planned run (after a tick skipped for quiet hours, a reload ...)."""
    data = load(path) or {"version": 1, "last_run": None, "last_success": None, "consecutive_failures": 0}
    data["next_run"] = next_run.isoformat(timespec="seconds") if next_run else None
    write_atomic(path, data)


# ---------------------------------------------------------------- history in the state file
_HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS worker_runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    ended TEXT,
    mode TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    urls_checked INTEGER NOT NULL DEFAULT 0,
    written INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}'
);
"""
register_schema("worker_runs", _HISTORY_DDL)


def record_history(state_path: str | os.PathLike, run: RunRecord) -> None:
    """Appends the run to `worker_runs` in one transaction. A state file problem is logged, not
    raised: the history is a log, never a reason for a run to fail.

    Its own connection, not the run's: the stop watchdog records a run from another thread
    while the run's connection may be inside a transaction."""
    try:
        with State(state_path) as state, state.transaction() as db:
            db.execute("INSERT INTO worker_runs (started, ended, mode, outcome, error, rows, urls_checked, written, "
                       "counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (run.started, run.ended, run.mode, run.outcome, redact(run.error) if run.error else None,
                        run.rows, run.urls_checked, run.written, json.dumps(run.counts, sort_keys=True)))
    except Exception as e:  # sqlite3.Error, OSError
        log.warning("could not add the run to the history in %s: %s", state_path, redact(str(e)))


# ---------------------------------------------------------------- plain words
def render(data: dict[str, Any] | None, now: datetime, tz: ZoneInfo = BANGKOK, worker: Holder | None = None,
           running: Holder | None = None, path: str | os.PathLike = "", command: str = "sheets-sync") -> str:
    """The status in plain English, times in `tz` (Asia/Bangkok).

    `command` is what the reader types to run the tool with the same settings (with `--config`
    when status read another file): the advice to start the worker must start it on the sheet
    this status is about, not the shipped settings' local workbook."""
    lines: list[str] = []
    if worker is not None and worker.alive:
        lines.append(f"Worker: running (pid {worker.pid}, since {_when(worker.since, now, tz)}).")
    else:
        lines.append(f"Worker: not running (start it with `systemctl start sheets-sync` or `{command} run`).")
    if not data or not data.get("last_run"):
        where = path or STATUS_FILE
        why = "records no run" if os.path.exists(where) else "does not exist"  # an empty or damaged file exists
        lines.append(f"No run has been recorded yet ({where} {why}). Run `{command} sync` or start the worker.")
        lines += reminder_lines(data, now, tz)
        return "\n".join(lines)

    last = data["last_run"]
    outcome = last.get("outcome")
    if outcome == "running":
        if running is not None and running.alive:
            lines.append(f"A run is in progress: started {_when(last.get('started'), now, tz)} "
                         f"by `{last.get('mode')}` (pid {running.pid}).")
        else:
            lines.append(f"The last run, started {_when(last.get('started'), now, tz)} by `{last.get('mode')}`, "
                         f"did not finish: its process ended before it could record an outcome.")
    else:
        took = _duration(last.get("started"), last.get("ended"))
        verdict = {"ok": "succeeded", "failed": "FAILED", "stopped": "was stopped before it finished"}.get(
            outcome, outcome)
        lines.append(f"Last run {verdict}: `{last.get('mode')}` started {_when(last.get('started'), now, tz)}"
                     f"{f' and took {took}' if took else ''}.")
        if outcome == "failed" and last.get("error"):
            lines.append(f"  Cause: {last['error']}")
        if outcome == "stopped":
            lines.append("  Nothing was half-written; the next run starts over.")
        if outcome == "ok":
            lines.append("  " + _counts_line(last))
    success = data.get("last_success")
    if outcome != "ok":
        if success:
            lines.append(f"Last successful run: started {_when(success.get('started'), now, tz)}.")
            lines.append("  " + _counts_line(success))
        else:
            lines.append("No run has succeeded yet.")
    failures = int(data.get("consecutive_failures") or 0)
    if failures > 1:
        lines.append(f"Failed runs in a row: {failures}.")
    lines += reminder_lines(data, now, tz)
    nxt = data.get("next_run")
    if worker is not None and worker.alive and nxt:
        lines.append(f"Next run: {_when(nxt, now, tz)}.")
    elif nxt and (worker is None or not worker.alive):
        lines.append(f"Next run: none planned (the worker had planned {_when(nxt, now, tz)}, but it is not running).")
    else:
        lines.append("Next run: none planned.")
    return "\n".join(lines)


def _counts_line(run: dict[str, Any]) -> str:
    counts = run.get("counts") or {}
    parts = [f"{counts[s]} {_WORDS.get(s, s)}" for s in STATUS_ORDER if counts.get(s)]
    parts += [f"{n} {s}" for s, n in counts.items() if s not in STATUS_ORDER and n]
    return (f"{run.get('rows', 0)} rows, {run.get('urls_checked', 0)} URLs checked, "
            f"{run.get('written', 0)} rows updated in the sheet. Rows by status: {', '.join(parts) or 'none'}.")


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _when(text: str | None, now: datetime, tz: ZoneInfo) -> str:
    at = _parse(text)
    if at is None:
        return "at an unknown time"
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    local = at.astimezone(tz)
    shown = f"{local:%a %d %b %Y %H:%M} Bangkok time" if str(tz) == "Asia/Bangkok" else \
        f"{local:%a %d %b %Y %H:%M} {tz}"
    return f"{shown} ({_relative(local, now)})"


def _relative(at: datetime, now: datetime) -> str:
    seconds = int((at - now).total_seconds())
    future = seconds > 0
    span = _span(abs(seconds))
    if span == "0 minutes":
        return "just now"
    return f"in {span}" if future else f"{span} ago"


def _span(seconds: int) -> str:
    if seconds < 60:
        return "less than a minute" if seconds else "0 minutes"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} days"


def _duration(start: str | None, end: str | None) -> str:
    a, b = _parse(start), _parse(end)
    if a is None or b is None:
        return ""
    seconds = max(0, int((b - a).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"


# ---------------------------------------------------------------- reminders (issue 15)
def record_reminders(path: str | os.PathLike, run: dict[str, Any]) -> None:
    """Stores the last reminder run (time, reminders due, sent, failed, error) in the status file.

    Runs with nothing due are recorded too, so `status` shows that reminders are being looked at;
    the last run that sent something and the last that failed are each kept apart, so neither is
    hidden by the runs after it (a run that sent 4 was read "0 sent, 1 failed" after a retry failed)."""
    data = load(path) or {"version": 1, "last_run": None, "last_success": None, "consecutive_failures": 0,
                          "next_run": None}
    data["last_reminders"] = run
    if run.get("sent") or run.get("held"):
        data["last_reminders_sent"] = run
    if run.get("failed") or run.get("error"):
        data["last_reminders_failed"] = run
    write_atomic(path, data)


def reminder_lines(data: dict[str, Any] | None, now: datetime, tz: ZoneInfo = BANGKOK) -> list[str]:
    """The status's lines about reminders (none when no reminder run was recorded)."""
    if not data or not data.get("last_reminders"):
        return []
    out, shown = [], []
    for key, label in (("last_reminders_sent", "Last reminders sent"), ("last_reminders_failed", "Last reminder failure"),
                       ("last_reminders", "Last reminder check")):
        r = data.get(key)
        if not r or r in shown:
            continue
        shown.append(r)
        due = ", ".join(r.get("slots") or []) or "none due"
        line = (f"{label}: {_when(r.get('at'), now, tz)}: {due}; {r.get('sent', 0)} sent, {r.get('failed', 0)} failed, "
                f"{r.get('no_address', 0)} agencies without an address.")
        if r.get("held"):
            line += (f" {r['held']} held: no sync has checked their rows since the send time; they go after"
                     " the next sync.")
        if r.get("error"):
            line += f" Error: {r['error']}"
        out.append(line)
    return out
