"""Writing a file so that readers see the old version or the new one, never half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

_TEMP_PREFIX, _TEMP_SUFFIX = ".{name}.", ".tmp"


def atomic_write(path: str | os.PathLike, write: Callable[[str], None],
                 before_replace: Callable[[], None] | None = None, mode: int | None = None) -> Path:
    """Calls `write(tmp)` to fill a temporary file beside `path`, fsyncs it and renames it over
    `path` in one step. A crash or a kill leaves the old file (and at worst a stray temporary).

    The new file keeps the old one's permissions (mkstemp would make it 0600), or gets the
    umask's default when new; `mode` sets them instead (0o600 for a file only its owner may read). `before_replace` runs just before the rename and may raise to
    abandon it (the xlsx backend checks there that nobody saved the file meanwhile).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = atomic_write(p, lambda tmp: pathlib.Path(tmp).write_text("new"))
    >>> p.read_text()
    'new'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX.format(name=path.name), suffix=_TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def leftover_temps(path: str | os.PathLike) -> list[Path]:
    """Temporary files of `atomic_write(path, ...)` calls that were killed before the rename
    (the file itself is intact: a temporary never replaced it)."""
    path = Path(path)
    try:
        return list(path.parent.glob(f"{_TEMP_PREFIX.format(name=path.name)}*{_TEMP_SUFFIX}"))
    except OSError:
        return []
