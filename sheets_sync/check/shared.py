"""The requests a run's checks share: each site's soft-404 probe and home page, a script's
sibling, an intermediate certificate (sheets_sync.check.checker asks for them).

Each is asked once per run and key: the first check that needs it makes the request, and every
other check that needs it waits for that answer instead of asking the site again. A request is
cut by its asker's deadline: that check's lack of time, not the site's answer. The first check
of a site may ask with a second left (its own page was slow), and its cut request, kept for the
run, judged every later page of the site without it (a soft 404 `ok`, last year's plan `ok` by
its banner's 2566). So a cut is no answer for the key: a later check with more time left than
that request had asks again; one with no more is judged without it at once (a site that drips
its answer would cost each of its checks its whole deadline).

A request that gave no answer this time (cut, or the site did not answer) is noted for the check
that asked (`noting_unanswered`): the checker keeps no validators for a verdict made without it,
and tells an intermediate certificate cut by time from "no certificate there".
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from contextlib import contextmanager
from typing import Awaitable, Callable, Iterator, NamedTuple, TypeVar

from sheets_sync.check import budget, offline
from sheets_sync.check.classify import Fetch
from sheets_sync.check.retry import RETRY_STATUSES

T = TypeVar("T")


class Cut(NamedTuple):
    """What `_once` makes that its caller's deadline cut: that check's time ran out, not the site's."""

    had: float  # the seconds the request had


UNANSWERED = object()  # a run's answer for a shared request the site did not answer (`SharedRequests._request`)


class SharedRequests:
    """One kind of request a run's checks share (each site's probe, each site's home page, each
    script's sibling, each intermediate certificate), by key: `ask`. Made anew for every run
    (`Checker.check_many`), so a run never reuses another's answers. Read and written on the
    checker's event loop only."""

    def __init__(self, fetch: Callable[..., Awaitable[Fetch]]) -> None:
        self._fetch = fetch  # the checker's GET (`Checker.fetch_async`), called with a deadline
        self._slots: dict[str, asyncio.Future] = {}

    async def ask(self, key: str, url: str, deadline: float, read: Callable[[Fetch], T]) -> T | None:
        """`read` of the answer to a request for `url` that a run's checks share, once per `key`
        (`_once`); None when there is none this time: cut by this check's deadline (the first
        check of a site may ask with a second left; a later check with more time than that
        request had asks again), or the site did not answer (no connection, a timeout of its own,
        a 5xx or 429). Such a request is noted for the check (`noting_unanswered`):
        `Checker._classify` keeps no validators for a verdict made without it,
        `Checker._chains_complete` tells a cut from "no certificate there"."""
        got = await _once(self._slots, key, lambda: self._request(url, deadline, read), deadline)
        if isinstance(got, Cut) or got is UNANSWERED:
            if (noted := _UNANSWERED_ASKS.get()) is not None:
                noted.append(got)
            return None
        return got

    def so_far(self, key: str) -> object:
        """What the run has for `key` without waiting: `read`'s value, or `UNANSWERED` when it has
        none yet (not asked, still on its way, cut by its asker's deadline, or the site did not
        answer). Classify reads the probe only when a rule needs it; a check that finds it
        UNANSWERED then `ask`s for it (`Checker._classified`)."""
        slot = self._slots.get(key)
        got = slot.result() if slot is not None and slot.done() else UNANSWERED
        return UNANSWERED if isinstance(got, Cut) else got

    async def _request(self, url: str, deadline: float, read: Callable[[Fetch], T]) -> T | Cut | object:
        """`read` of the answer to a request a site's checks share (`ask`), a `Cut` when its
        asker's own `deadline` cut it: that check's lack of time, not the site's answer (a
        timeout well before then, the socket's read timeout, is the site's, and stands), or
        `UNANSWERED` when `read` found nothing in it and the site did not answer."""
        start = time.monotonic()
        f = await self._fetch(url, deadline=deadline)
        if f.error == "timeout" and time.monotonic() >= deadline - _CUT_SLACK_S:
            return Cut(deadline - start)
        value = read(f)
        # (a 500 the site sends for every missing path is its probe, not a failure: `read` keeps it)
        silent = f.error in offline.NETWORK_ERRORS or f.status_code in RETRY_STATUSES
        return UNANSWERED if silent and not value else value


@contextmanager
def noting_unanswered() -> Iterator[list]:
    """The shared requests (`SharedRequests.ask`) asked inside the block that gave no answer
    this time, each a `Cut` or `UNANSWERED`, in the list it yields: what a verdict or a
    certificate's chain was told without. A check is one task: its awaits see the list it set."""
    token = _UNANSWERED_ASKS.set([])
    try:
        yield _UNANSWERED_ASKS.get()
    finally:
        _UNANSWERED_ASKS.reset(token)


async def _once(table: dict, key: str, make: Callable, deadline: float):
    """`await make()` once per `key` of `table` (a run's); every other caller of that key waits
    for the first one's answer, or gets a `Cut` when `deadline` (monotonic) passes first. An answer
    `make` gives as a `Cut`, or a `make` cancelled with its caller, is no answer for the key: a
    caller with more time left than that request had asks again; one with no more gets the `Cut`
    at once (its own would be cut too, and a site that drips its answer would cost each of its
    checks its whole deadline)."""
    while True:
        slot = table.get(key)
        got = slot.result() if slot is not None and slot.done() else None
        cut = got if isinstance(got, Cut) else None
        if slot is None or (cut is not None and deadline - time.monotonic() > cut.had):
            slot = table[key] = asyncio.get_running_loop().create_future()
            value, start = None, time.monotonic()
            try:
                value = await make()
            except asyncio.CancelledError:
                # With its check, at its deadline (`Checker._chains_complete`'s timeout): that
                # check's time, no answer: a Cut, which a waiter with more time asks again
                # (None would read as "none there" to every waiter).
                value = Cut(deadline - start)
                raise
            finally:
                slot.set_result(value)
            return value
        if cut is not None:
            return cut
        budget.idle()  # no request of ours in flight while the first check fetches it
        waited = time.monotonic()
        try:
            value = await asyncio.wait_for(asyncio.shield(slot), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return Cut(deadline - waited)  # this check's time, as its own request would have been cut
        if not isinstance(value, Cut):
            return value


# The timers that end a request at its check's deadline run on the event loop's clock, whole
# milliseconds that may be behind time.monotonic(): a request the deadline cut may come back up to
# a millisecond or two "before" it (8 of 40 did on loopback), its cut read as the site's own
# timeout and kept for the run (a run's full tests failed so). A timeout of the site's own this
# close to the deadline, read as a cut, costs a later check one more request.
_CUT_SLACK_S = 0.05

# The shared requests (`SharedRequests.ask`) a check asked for that gave no answer this time,
# each a `Cut` or `UNANSWERED`, per `noting_unanswered` block (`Checker._classify`,
# `Checker._chains_complete`).
_UNANSWERED_ASKS: contextvars.ContextVar[list | None] = contextvars.ContextVar("unanswered_asks", default=None)
