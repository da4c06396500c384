"""The embedded SQLite state file (data/state.sqlite): the checker's cache and the history.

WAL mode, one transaction per unit of work. A missing file is created; a corrupt one (not a
database, or failing `quick_check`) is moved aside and rebuilt. A file that cannot be opened,
read or written (owner, mode, a read-only or full disk) is an OperationalError for the caller:
a run checks for that before it starts (worker/preflight.py) and stops with exit 3.
Each module that keeps state registers its schema with `register_schema`; tables are
created on open with CREATE TABLE IF NOT EXISTS, so adding a table needs no migration.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

log = logging.getLogger(__name__)

_SCHEMAS: dict[str, str] = {}


def register_schema(name: str, ddl: str) -> None:
    """Adds DDL (CREATE TABLE/INDEX IF NOT EXISTS ...) run on every open."""
    _SCHEMAS[name] = ddl


class State:
    """A connection to the state file, safe to share between threads (serialised)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.db = _connect(self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Commits on success, rolls back on error: a kill mid-way leaves the last commit."""
        with self.db:
            yield self.db

    def rows_by_url(self, select: str, urls: Iterable[str]) -> Iterator[tuple]:
        """The rows of `select` (a query ending in "WHERE url IN") for `urls`, asked in chunks
        of 500: SQLite caps the parameters of one statement.

        >>> with State(":memory:") as s:
        ...     _ = s.db.execute("CREATE TABLE t (url TEXT)")
        ...     _ = s.db.executemany("INSERT INTO t VALUES (?)", [(str(i),) for i in range(1200)])
        ...     len(list(s.rows_by_url("SELECT url FROM t WHERE url IN", map(str, range(0, 2400, 2)))))
        600
        """
        urls = list(urls)
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            yield from self.db.execute(f"{select} ({', '.join('?' * len(chunk))})", chunk)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "State":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_state(path: str | os.PathLike) -> State | None:
    """The state file, or None (logged) when it cannot be opened even afresh (a read-only
    disk, say): a cache and a log are never a reason for a run to fail."""
    try:
        return State(path)
    except (sqlite3.Error, OSError) as e:
        log.warning("state file %s cannot be opened (%s); running without it", path, e)
        return None


# Before one state file per assessment year, every version kept its one (2566) assessment here.
LEGACY_NAME, LEGACY_SUCCESSOR = "state.sqlite", "state-2566.sqlite"


def adopt_legacy(path: Path) -> bool:
    """A VM upgraded from the single-file layout keeps its history: `data/state.sqlite` (with its
    WAL) becomes `data/state-2566.sqlite` when that does not exist yet. True when it moved."""
    legacy = path.with_name(LEGACY_NAME)
    if path.name != LEGACY_SUCCESSOR or path.exists() or not legacy.exists():
        return False
    for suffix in ("-wal", "-shm", ""):  # the database last, so a crash leaves it where it was found
        src = Path(f"{legacy}{suffix}")
        if src.exists():
            src.rename(f"{path}{suffix}")
    log.warning("state file %s is now %s (one state file per assessment year)", legacy, path)
    return True


def _connect(path: Path) -> sqlite3.Connection:
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
        adopt_legacy(path)
    try:
        return _open_checked(path)
    except sqlite3.OperationalError:
        # Not corruption: no permission, a read-only or full disk, an I/O error. Moving the file
        # aside would lose the history for a fault the owner can fix; the caller reports it.
        raise
    except sqlite3.DatabaseError as e:
        if str(path) == ":memory:":
            raise
        aside = path.with_name(path.name + ".corrupt")
        for n in range(2, 1000):  # a second corruption keeps the first one's copy (it may hold the history)
            if not aside.exists():
                break
            aside = path.with_name(f"{path.name}.corrupt{n}")
        log.warning("state file %s is unreadable (%s); moving it to %s and starting afresh", path, e, aside.name)
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(path) + suffix)
            if p.exists():
                os.replace(p, Path(str(aside) + suffix))
        return _open_checked(path)


def _open_checked(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        ok = db.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {ok}")
        db.isolation_level = ""  # back to implicit transactions, committed by `with db:`
        with db:
            for ddl in _SCHEMAS.values():
                db.executescript(ddl)
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db
