"""Deadlines that hold on every byte, and cancelling checks under way.

Socket timeouts alone bound one `recv`, not a check: a site that sends its status line and
headers one byte a second never trips a 15 s read timeout, and http.client reads up to 100
header lines of 64 KiB each. So every byte of a response the checker reads goes through
`DeadlineReader`, which gives each `recv` only what is left of the check's budget (and of
the read timeout since the last byte), in slices of at most `SLICE_S` so that a cancelled
run is noticed within that time. The connection classes below put it under every response
of the checker's session (status line, headers and body; every redirect hop and retry).

The budget is per thread, because one worker thread runs one check at a time and urllib3's
retry and connection code cannot be handed a parameter: `deadline()` sets it around a
fetch (time.monotonic), `cancel_with()` around a whole run of checks (an Event that the
dispatcher sets on a stop request or when the check stage's own budget is spent), and
`sleep` is the interruptible wait for retries and per-host pacing.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

SLICE_S = 0.25  # longest single wait on a socket, so a cancel is seen this quickly

_local = threading.local()


class DeadlineExceeded(TimeoutError):
    """The URL's total_timeout_s ran out (mapped to the `timeout` reason). A TimeoutError, so
    urllib3 treats it as the read timeout it is (no retry when no budget is left)."""


class Cancelled(Exception):
    """The run of checks this one belongs to was stopped; its result is thrown away."""


@contextmanager
def _thread_setting(name: str, value) -> Iterator[None]:
    before = getattr(_local, name, None)
    setattr(_local, name, value)
    try:
        yield
    finally:
        setattr(_local, name, before)


def deadline(at: float):
    """Within the block, reads and retry waits on this thread end by `at` (time.monotonic)."""
    return _thread_setting("deadline", at)


def cancel_with(event: threading.Event):
    """Within the block, a set `event` cuts this thread's reads and waits short (`Cancelled`)."""
    return _thread_setting("cancel", event)


def extend_deadline(seconds: float) -> None:
    """Moves this thread's deadline later (time spent waiting in our own queue)."""
    if getattr(_local, "deadline", None) is not None:
        _local.deadline += seconds


def current_deadline() -> float | None:
    return getattr(_local, "deadline", None)


def remaining() -> float | None:
    """Seconds left before this thread's deadline, or None outside `deadline()`."""
    at = getattr(_local, "deadline", None)
    return None if at is None else at - time.monotonic()


def cancelled() -> bool:
    event = getattr(_local, "cancel", None)
    return event is not None and event.is_set()


def check_cancelled() -> None:
    if cancelled():
        raise Cancelled("the run of checks was stopped")


def sleep(seconds: float) -> None:
    """time.sleep that a cancelled run cuts short (then raises Cancelled)."""
    event = getattr(_local, "cancel", None)
    if event is None:
        time.sleep(seconds)
    elif event.wait(seconds):
        raise Cancelled("the run of checks was stopped")


class DeadlineReader(io.RawIOBase):
    """A socket's read side that gives up at the deadline, or after `idle_s` without a byte.

    Wraps the `SocketIO` http.client made (closing it keeps the socket's reference count
    right) but reads from the socket itself: SocketIO refuses every read after one timeout,
    and the slices below time out on purpose."""

    def __init__(self, inner: io.RawIOBase, sock: socket.socket, at: float | None,
                 event: threading.Event | None, idle_s: float | None) -> None:
        super().__init__()
        self._inner, self._sock, self._at, self._event, self._idle_s = inner, sock, at, event, idle_s

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._sock.fileno()

    def readinto(self, buffer) -> int:
        idle_until = None if self._idle_s is None else time.monotonic() + self._idle_s
        while True:
            if self._event is not None and self._event.is_set():
                raise Cancelled("the run of checks was stopped")
            now = time.monotonic()
            if self._at is not None and now >= self._at:
                raise DeadlineExceeded("over the URL's total time budget (status line, headers or body "
                                       "still arriving)")
            if idle_until is not None and now >= idle_until:
                raise socket.timeout("timed out")  # the ordinary read timeout
            wait = min(x - now for x in (self._at, idle_until) if x is not None) if (
                self._at is not None or idle_until is not None) else None
            if self._event is not None:
                wait = SLICE_S if wait is None else min(wait, SLICE_S)
            self._sock.settimeout(wait)
            try:
                return self._sock.recv_into(buffer)
            except TimeoutError:
                continue  # a slice ended: look at the deadline and the cancel flag again

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's response, reading through `DeadlineReader` under this thread's budget."""

    def __init__(self, sock, *args, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        at, event = current_deadline(), getattr(_local, "cancel", None)
        if at is None and event is None:
            return  # not a check (nothing else uses these connections, but stay plain then)
        # urllib3 set the socket's timeout to the read timeout just before this.
        idle = sock.gettimeout()
        self.fp = io.BufferedReader(DeadlineReader(self.fp.detach(), sock, at, event, idle))


class DeadlineHTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class DeadlineHTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


POOL_CLASSES = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}
