"""One run at a time: a lock file holding its holder's pid, next to the state file.

The lock itself is an exclusive `flock` on the file, which the kernel drops when the holder
dies however it dies (SIGKILL, OOM, power cut on a local disk). The pid and the start time
written inside are only for people and for the message a second run prints. So:

* file present and locked   -> another run is active: LockBusy (exit code 4), naming its pid;
* file present, not locked  -> stale, left by a dead process: taken over, with a log line;
* file absent               -> created.

The holder removes the file when it lets go. Paths: `data/sheets-sync.lock` for a run (the
`sync` command, each run of the worker) and `data/sheets-sync-worker.lock` for the `run`
loop itself, so a second worker is refused even while the first one is idle.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sheets_sync.core.errors import LockBusy, storage_error

log = logging.getLogger(__name__)

RUN_LOCK = "sheets-sync.lock"
WORKER_LOCK = "sheets-sync-worker.lock"


def lock_path(state_path: str | os.PathLike, name: str = RUN_LOCK) -> Path:
    """The lock file that sits in the state file's directory (data/ by default)."""
    return Path(state_path).parent / name


@dataclass(frozen=True)
class Holder:
    """What a lock file says about who holds (or held) it."""

    pid: int | None
    what: str  # e.g. "sync", "run"
    since: str  # ISO time the holder took the lock
    alive: bool  # the lock is held right now


class PidLock:
    """An exclusive, non-blocking lock: `acquire` either gets it at once or raises LockBusy."""

    def __init__(self, path: str | os.PathLike, what: str = "sync") -> None:
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, now: datetime | None = None) -> "PidLock":
        """Takes the lock; LockBusy (exit 4) when it is held, StorageError (exit 3) when the lock
        file cannot be created or written."""
        try:
            return self._acquire(now)
        except OSError as e:
            raise storage_error(e, self.path, "take the lock") from None

    def _acquire(self, now: datetime | None) -> "PidLock":
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                holder = read_holder(self.path)
                raise LockBusy(_busy_message(self.path, holder)) from None
            except BaseException:
                os.close(fd)
                raise
            # The previous holder may have unlinked the file between our open and our flock:
            # then we locked an orphan inode. Go round again on the file now at the path.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            previous = _parse(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
            if previous.pid is not None and previous.pid != os.getpid():
                log.warning("taking over a stale lock %s left by pid %s (%s since %s), which is no longer running",
                            self.path, previous.pid, previous.what or "?", previous.since or "?")
            stamp = (now or datetime.now().astimezone()).isoformat(timespec="seconds")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n{self.what}\n{stamp}\n".encode(), 0)
            self._fd = fd
            return self
        raise LockBusy(f"could not take the lock {self.path}: it keeps being replaced")

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Unlink while still holding the flock, so nobody locks a file about to vanish.
            if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __enter__(self) -> "PidLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def read_holder(path: str | os.PathLike) -> Holder | None:
    """Who holds the lock at `path`, without taking it; None when there is no lock file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        info = _parse(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
        try:
            # A shared lock fails while someone holds the exclusive one; release it at once.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            alive = False
        except BlockingIOError:
            alive = True
        return Holder(info.pid, info.what, info.since, alive)
    finally:
        os.close(fd)


def _parse(text: str) -> Holder:
    lines = text.splitlines()
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
    return Holder(pid, lines[1].strip() if len(lines) > 1 else "", lines[2].strip() if len(lines) > 2 else "",
                  alive=False)


def _busy_message(path: Path, holder: Holder | None) -> str:
    who = f"pid {holder.pid}" if holder and holder.pid else "another process"
    what = f", `{holder.what}` since {holder.since}" if holder and holder.what else ""
    kind = "worker" if path.name == WORKER_LOCK else "run"
    return (f"another sheets-sync {kind} is active ({who}{what}; lock file {path}); "
            f"wait for it to finish, or stop it (systemctl stop sheets-sync), then try again")
