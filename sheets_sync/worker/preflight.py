"""Before a run checks any URL: can it read and write every local file it will need?

A run that finds out at the end that it cannot save wastes the whole check (~2,500 URLs) and
ends in a traceback. So, before the lock is taken: the state file's folder (the state file,
its lock and the status file live there) and the workbook's folder are written to for real
(a small probe file, fsynced and removed: `os.access` says yes to root and no to nothing on a
read-only mount), the existing state file and lock files are opened for reading and writing,
the workbook for reading, and the free space is compared with what a save needs. Any
failure is a StorageError (exit 3): one line naming the path and what to do.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sheets_sync.config.settings import Config
from sheets_sync.core.errors import StorageError, storage_error
from sheets_sync.worker.lock import RUN_LOCK, WORKER_LOCK, lock_path

PROBE_BYTES = 4096  # one page: a full disk or a file-size limit refuses it like any real write
MIN_FREE_BYTES = 1024 * 1024  # the state file's WAL and the status file, with room to spare


def check_local_files(config: Config) -> None:
    """Raises StorageError when a local file or folder of this run is not usable."""
    settings = config.settings
    state = Path(settings.state_path)
    _writable_folder(state.parent, MIN_FREE_BYTES)
    for path in (state, Path(f"{state}-wal"), Path(f"{state}-shm"), lock_path(state, RUN_LOCK),
                 lock_path(state, WORKER_LOCK)):
        _read_write(path)
    backend = settings.backend
    if backend.kind == "xlsx":
        book = Path(backend.xlsx_path)
        size = _size(book)
        # A save writes a whole new copy beside the old one before the rename.
        _writable_folder(book.parent, MIN_FREE_BYTES + 2 * size)
        if size:
            try:
                with open(book, "rb") as f:
                    f.read(1)
            except OSError as e:
                raise storage_error(e, book, "read the workbook") from None


def _writable_folder(folder: Path, need: int) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise storage_error(e, folder, "create the folder") from None
    if not folder.is_dir():
        raise StorageError(f"cannot use {folder}: it is not a folder; fix the path in config/settings.yaml")
    try:
        fd, probe = tempfile.mkstemp(prefix=".sheets-sync-probe.", dir=folder)
    except OSError as e:
        raise storage_error(e, folder, "write in the folder") from None
    try:
        try:
            left = PROBE_BYTES
            while left:  # a write that meets a size limit is cut short first, refused after
                left -= os.write(fd, b"\0" * left)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise storage_error(e, folder, "write in the folder") from None
    finally:
        try:
            os.unlink(probe)
        except OSError:
            pass
    try:
        st = os.statvfs(folder)
    except OSError:
        return
    free = st.f_bavail * st.f_frsize
    if free < need:
        raise StorageError(f"cannot write in {folder}: only {free // 1024} KiB free on its disk, a run needs "
                           f"{need // 1024} KiB; free space (`df -h {folder}`), then run again")


def _read_write(path: Path) -> None:
    """An existing file opened for reading and writing, not changed (no file: nothing to check)."""
    try:
        with open(path, "r+b"):
            pass
    except FileNotFoundError:
        return
    except OSError as e:
        raise storage_error(e, path, "read and write") from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
