"""One run at a time: the pid lock, its contention (exit code 4) and the takeover of a stale lock."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from sheets_sync.core.errors import LockBusy
from sheets_sync.worker.lock import RUN_LOCK, WORKER_LOCK, PidLock, read_holder
from tests.support import ROOT
from tests.support.cli import cli


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    p = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(p.stdout)


def test_lock_writes_the_pid_and_removes_the_file_on_release(tmp_path):
    path = tmp_path / "data" / RUN_LOCK
    with PidLock(path, "sync") as lock:
        assert lock.held
        pid, what = path.read_text().splitlines()[:2]
        assert (int(pid), what) == (os.getpid(), "sync")
        holder = read_holder(path)
        assert holder.alive and holder.pid == os.getpid()
    assert not path.exists()
    assert read_holder(path) is None


def test_second_holder_gets_lock_busy_with_the_holders_pid_and_exit_code_4(tmp_path):
    path = tmp_path / RUN_LOCK
    with PidLock(path, "run"):
        with pytest.raises(LockBusy) as busy:
            PidLock(path, "sync").acquire()
    assert busy.value.exit_code == 4
    assert f"pid {os.getpid()}" in str(busy.value) and "`run`" in str(busy.value)
    PidLock(path).acquire().release()  # free again once released


def test_stale_lock_of_a_dead_pid_is_taken_over(tmp_path, caplog):
    path = tmp_path / RUN_LOCK
    gone = dead_pid()
    path.write_text(f"{gone}\nsync\n2023-01-15T09:00:00+07:00\n")
    assert read_holder(path).alive is False
    with caplog.at_level(logging.WARNING, logger="sheets_sync.worker.lock"):
        with PidLock(path, "run"):
            assert int(path.read_text().split()[0]) == os.getpid()
    assert f"stale lock {path} left by pid {gone}" in caplog.text


def test_lock_of_a_sigkilled_holder_is_taken_over(tmp_path):
    path = tmp_path / RUN_LOCK
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from sheets_sync.worker.lock import PidLock; "
                               f"PidLock({str(path)!r}, 'run').acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy):
            PidLock(path).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        holder.kill()
        holder.stdout.close()
    assert path.exists()  # the file stays behind; the kernel dropped the flock
    with PidLock(path, "sync"):
        assert read_holder(path).pid == os.getpid()


def test_cli_sync_and_a_second_worker_exit_4_while_the_lock_is_held(workdir):  # noqa: F811
    data = workdir / "data"
    with PidLock(data / RUN_LOCK, "run"):
        started = time.monotonic()
        out = cli(workdir, "sync")
        assert out.returncode == 4, out.stderr
        assert "another sheets-sync run is active" in out.stderr and f"pid {os.getpid()}" in out.stderr
        assert time.monotonic() - started < 15  # at once, not after waiting
    with PidLock(data / WORKER_LOCK, "run"):
        out = cli(workdir, "run")
        assert out.returncode == 4, out.stderr
        assert "another sheets-sync worker is active" in out.stderr
        assert cli(workdir, "run", "--once").returncode == 4
