"""Stopping and waking the worker: SIGTERM/SIGINT/SIGHUP, the idle wait, and the stop watchdog.

SIGTERM and SIGINT ask for a stop. Nothing is interrupted mid-write: the stop is taken at the
next step boundary (before reading, after each checked URL, before each write), the current run
is recorded as "stopped" and the process exits 0. URL checks under way are cut short within a
second or so (sheets_sync.check.dispatch cancels their tasks: every read and retry wait ends), even
while sites drip bytes; if the process is still busy `STOP_GRACE_S` after the signal (a DNS lookup
that hangs, say) it exits 0 anyway, which is safe because every write is atomic (xlsx replaced
by rename, Sheets batch updates, SQLite transactions). SIGHUP asks for a config reload, which the worker loop takes when it can.

The wait between runs is a blocking `select` on a self-pipe that the handlers write to, so a
signal ends it at once and the idle worker uses no CPU.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import signal
import sys
import threading
from typing import Callable

# The worker's own logger name, as before these classes left worker.py: log filters and the
# JSON "logger" field keep matching.
log = logging.getLogger("sheets_sync.worker.loop")

STOP_GRACE_S = 20.0  # after SIGTERM, exit 0 by then at the latest (systemd waits 30 s)


class StopRequested(BaseException):
    """Raised at a step boundary once a stop was asked for (a BaseException, like
    KeyboardInterrupt, so no `except Exception` on the way swallows it)."""


class Stopper:
    """Turns SIGTERM/SIGINT into a stop flag and SIGHUP into a reload flag.

    The handlers only set flags and write a byte to a self-pipe (async-signal-safe work); the
    main thread acts on the flags at step boundaries. `wait` sleeps on the pipe, so a signal
    ends the idle wait at once, with no polling."""

    def __init__(self, grace_s: float = STOP_GRACE_S, force_exit: Callable[[int], None] = os._exit) -> None:
        self.stop = False
        self.reload = False
        self.stop_signal = ""
        self.grace_s = grace_s
        self._force_exit = force_exit
        self._wake_r, self._wake_w = _pipe()
        self._dog_r, self._dog_w = _pipe(blocking_read=True)
        self._previous: dict[int, object] = {}
        self._watchdog: threading.Thread | None = None
        # Run (in the watchdog thread) just before a forced exit: record the outcome, drop locks.
        self.on_force_exit: list[Callable[[], None]] = []

    # -- installing
    def install(self) -> "Stopper":
        """Installs the handlers (main thread only) and starts the stop watchdog."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._previous[sig] = signal.signal(sig, self._handle)
        self._watchdog = threading.Thread(target=self._watch, name="stop-watchdog", daemon=True)
        self._watchdog.start()
        return self

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
        if self._watchdog is not None:
            _write(self._dog_w, b"q")
            self._watchdog = None

    def __enter__(self) -> "Stopper":
        return self.install()

    def __exit__(self, *exc) -> None:
        self.restore()

    def _handle(self, signum: int, frame) -> None:
        if signum == signal.SIGHUP:
            self.reload = True
        else:
            if not self.stop:
                self.stop_signal = signal.Signals(signum).name
                _write(self._dog_w, b"s")
            self.stop = True
        _write(self._wake_w, b"x")

    def _watch(self) -> None:
        while True:
            try:
                byte = os.read(self._dog_r, 1)
            except InterruptedError:
                continue
            if byte != b"s":
                return  # restored: the stop went through in time
            if select.select([self._dog_r], [], [], self.grace_s)[0]:
                return  # "q": finished cleanly
            log.error("still busy %.0f s after %s; exiting now. Nothing is half-written: every write is "
                      "atomic, and the next run starts over", self.grace_s, self.stop_signal or "the stop request")
            for fn in reversed(list(self.on_force_exit)):
                try:
                    fn()
                except Exception:
                    log.exception("while exiting")
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            self._force_exit(0)
            return

    # -- using
    def request_stop(self, reason: str = "request") -> None:
        """Asks for a stop from code (tests, `--once`)."""
        self.stop = True
        self.stop_signal = self.stop_signal or reason
        _write(self._wake_w, b"x")

    def checkpoint(self, step: str) -> None:
        """Raises StopRequested if a stop was asked for; called between steps."""
        if self.stop:
            raise StopRequested(step)

    def take_reload(self) -> bool:
        if self.reload:
            self.reload = False
            return True
        return False

    def wait(self, seconds: float) -> None:
        """Blocks up to `seconds`, or until a signal arrives. No CPU while waiting."""
        if self.stop:
            return
        try:
            ready = select.select([self._wake_r], [], [], max(0.0, seconds))[0]
        except InterruptedError:  # pragma: no cover (PEP 475 retries select)
            ready = [self._wake_r]
        if ready:
            try:
                while os.read(self._wake_r, 512):
                    pass
            except BlockingIOError:
                pass


def _pipe(blocking_read: bool = False) -> tuple[int, int]:
    r, w = os.pipe()
    os.set_blocking(w, False)
    if not blocking_read:
        os.set_blocking(r, False)
    return r, w


def _write(fd: int, byte: bytes) -> None:
    try:
        os.write(fd, byte)
    except OSError as e:  # a full pipe already says "wake up"
        if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBADF):
            raise
