"""A check's time budget, and how a run of checks is stopped.

Every check runs as one task on the checker's event loop (sheets_sync.check.checker), inside
`asyncio.timeout_at`: the status line, every header, every body byte, every redirect hop,
every retry wait and DNS lookup of the check happen inside that one timer, so a site that
drips its answer a byte a second is cut at total_timeout_s however it drips. Socket timeouts
(connect_timeout_s, read_timeout_s) still bound each single wait inside it.

Time spent waiting for a turn at a busy host (per-host pacing) is our own queue, not the
site's slowness: `Deadline.extend` moves the timer later by that much.

Stopping is cancelling: the dispatcher cancels the tasks of the checks under way (a stop
request, or the check stage's own budget spent), and every await in them ends at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from typing import Protocol


class Slot(Protocol):
    """A check's global and per-host slot (the dispatcher's)."""

    def release(self) -> None: ...  # gives it back, once

    async def acquire(self) -> float: ...  # takes it again if given back; the seconds waited so, in all


# Set by the dispatcher for each check's task (see `idle` and `resume`).
SLOT: contextvars.ContextVar[Slot | None] = contextvars.ContextVar("slot", default=None)


def idle() -> None:
    """This check has no request in flight and waits for another check's answer (the site's
    probe): its global and per-host slots may go to other checks meanwhile. Its next request
    waits for a slot again (`resume`)."""
    slot = SLOT.get()
    if slot is not None:
        slot.release()


async def resume() -> float:
    """Before a request: the check's slots, taken again if `idle` gave them back (waiting for a
    free one, as a new check does). A check that read its page, waited for its site's probe and
    then fetched the files its page links went on without a slot: when the probe came, every
    such check of the site asked for its files at once (eleven requests to a site allowed two).
    Returns the seconds the check has waited so, in all: our own queue, not the site's time,
    which every later deadline of the check gives back."""
    slot = SLOT.get()
    return await slot.acquire() if slot is not None else 0.0


class DeadlineExceeded(TimeoutError):
    """The URL's total_timeout_s ran out (mapped to the `timeout` reason)."""


class Cancelled(Exception):
    """The run of checks this one belongs to was stopped; its results are thrown away."""


class Deadline:
    """One check's end (time.monotonic), with the asyncio timer that enforces it once armed.

    >>> d = Deadline(time.monotonic() + 30)
    >>> 29 < d.left() <= 30
    True
    """

    def __init__(self, at: float) -> None:
        self.at = at
        self._timer: asyncio.Timeout | None = None

    def left(self) -> float:
        return self.at - time.monotonic()

    def arm(self) -> asyncio.Timeout:
        """The `async with` timer for the running loop (whose clock may not be time.monotonic)."""
        loop = asyncio.get_running_loop()
        self._timer = asyncio.timeout_at(loop.time() + self.left())
        return self._timer

    def extend(self, seconds: float) -> None:
        """Moves the end later (time spent in our own queue, not at the site)."""
        self.at += seconds
        if self._timer is not None and self._timer.when() is not None:
            self._timer.reschedule(self._timer.when() + seconds)
