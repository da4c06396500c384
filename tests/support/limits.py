"""Faults of the machine a test cannot create by itself without root tricks, made real for one
child process:

* `modes_bind()`: a preexec_fn under which file modes bind the child even when the tests run as
  root (CI does): as root it drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the
  child's capability bounding set (prctl PR_CAPBSET_DROP) before exec, so uid 0 is refused a
  0444 file or a 0555 folder like any owner without the write bit. As another user nothing is
  needed. `modes_bind_here()` says whether that works on this machine (a container without
  CAP_SETPCAP cannot drop them), with the reason when not.
* `file_size_limit(n)`: a preexec_fn setting RLIMIT_FSIZE to n bytes: a write past n bytes fails
  with EFBIG, as a full disk fails it with ENOSPC (Python ignores SIGXFSZ, so the write returns
  the error instead of killing the process). A tmpfs of a few KiB would need a mount.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3


def _drop_dac() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def modes_bind() -> Callable[[], None] | None:
    """A preexec_fn (or None when not needed) under which the child obeys file modes."""
    return _drop_dac if os.geteuid() == 0 else None


@lru_cache(maxsize=1)
def modes_bind_here() -> tuple[bool, str]:
    """(True, "") when a child started with `modes_bind()` is refused a read-only file."""
    with tempfile.TemporaryDirectory() as d:
        probe = Path(d) / "read-only"
        probe.write_text("x")
        probe.chmod(0o444)
        try:
            done = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}, 'r+b')"], preexec_fn=modes_bind(),
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as e:
            return False, f"cannot start a child that obeys file modes: {e}"
        finally:
            probe.chmod(0o644)
    if done.returncode == 0:
        return False, (f"a 0444 file stays writable for this user (uid {os.geteuid()}) even without "
                       "CAP_DAC_OVERRIDE, so a read-only file cannot be simulated here")
    if "PermissionError" not in done.stderr:
        return False, f"the child did not start as expected: {done.stderr.strip()[-200:]}"
    return True, ""


def file_size_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn: the child cannot write a file past `limit` bytes (EFBIG)."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply
