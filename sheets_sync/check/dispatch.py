"""Running many checks at once within a global and a per-host limit."""

from __future__ import annotations

import asyncio
import gc
import queue
import threading
import time
from collections import Counter, deque
from contextlib import contextmanager
from typing import Protocol

from sheets_sync.check import budget
from sheets_sync.check.retry import LIMIT_STATUSES
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import host_of

TICK_S = 0.1  # the calling thread takes results, reports progress and looks at the stop request this often
STOP_GRACE_S = 3.0  # after a stop, checks under way get this long to end before the call returns
GC_YOUNG = 10_000  # the young generation's collection threshold while checks run (Python's: 700)
# A site that answered none of a run's requests after SILENT_LIMIT of them (each timed out, also
# after its headers, or waited out connect_timeout_s for a connection) is not asked again in that run: its other URLs are `unknown`/
# `site_not_answering` at once, and checked next run. A dead site's 43 URLs, four at a time, each
# waiting out the 30 s deadline, held the sync, and every agency's feedback behind it, for
# minutes; now two rounds of its deadline. Never "broken" for a URL not asked: a site slow on
# its first pages may answer others.
SILENT_LIMIT = 4
# Likewise a site that stays over its limit (429 or 508 after the retries, read one at a time):
# after LIMITED_LIMIT such answers in a row its other URLs are `rate_limited` at once, not read
# one by one at a retry's second each while every agency's feedback waits.
LIMITED_LIMIT = 4
SILENT = frozenset({"timeout", "connect_error"})


class Checks(Protocol):
    """What a dispatch needs of a checker (the `Checker` fits); keeps dispatch below the checker."""

    settings: CheckerSettings
    runner: "LoopRunner"

    async def check_async(self, url: str, validators=None) -> CheckResult: ...

    def should_stop(self) -> bool: ...  # optional: polled while checks run


class LoopRunner(Protocol):
    def submit(self, coro): ...  # -> concurrent.futures.Future


class Dispatch:
    """One check_many run: at most `concurrency` checks at once on the checker's loop, at most
    `per_host` on one host.

    Per-host queues, and a round-robin of hosts that have queued URLs and a free slot, so no
    check ever holds a global slot waiting for a busy host. Each check is a task on the
    checker's event loop (one thread); the calling thread only takes their results from a
    queue and reports progress, so a progress callback that raises (a stop request) still
    raises there. Then the checks under way are cancelled (every await of theirs ends at
    once) and the call returns within a few seconds. A stop must not wait for the next result
    (every site may be dripping): the checker's `should_stop()` is polled every TICK_S,
    and once it says yes the checks are cancelled the same way and progress is called once
    more with the same numbers, for the caller's stop to raise there (else `budget.Cancelled`
    is raised).

    The stage has its own budget (settings.stage_timeout_s): when it is spent, checks under
    way are cancelled the same way and every URL without a result gets `unknown` with reason
    `stage_timeout` (the cache checks those first next run), so one slow site never holds up
    everyone's feedback.
    """

    def __init__(self, checker: Checks, urls: list[str], validators) -> None:
        self.checker, self.validators, self.total = checker, validators, len(urls)
        self.queues: dict[str, deque[str]] = {}
        for url in urls:
            self.queues.setdefault(host_of(url), deque()).append(url)
        self.urls = urls
        self.busy: Counter[str] = Counter()
        self.ready: deque[str] = deque(self.queues)
        self.in_ready = set(self.ready)
        self.left = self.total  # URLs not yet taken by a worker
        self.out: queue.SimpleQueue[tuple[str, CheckResult]] = queue.SimpleQueue()  # loop -> calling thread
        self.in_flight = 0  # checks holding a global slot
        self.failure: Exception | None = None
        self.ended = threading.Event()  # the checks are all gone (finished or cancelled)
        self.wake: asyncio.Event | None = None  # a slot came free, or a check failed (made on the loop)
        self.silent: Counter[str] = Counter()  # per host: requests that got no answer (see SILENT_LIMIT)
        self.limited: set[str] = set()  # hosts that answered 429 or 508: one check at a time (`_limit`)
        self.refused: Counter[str] = Counter()  # per host: rate_limited results in a row (LIMITED_LIMIT)
        self.answered: set[str] = set()  # hosts that gave this run any other result
        self.concurrency = checker.settings.concurrency
        # Checks that gave their slots back to wait for another's answer and now want to make a
        # request again (budget.resume): served before any new check starts.
        self.waiting: deque[tuple[str, asyncio.Future]] = deque()

    def run(self, progress) -> dict[str, CheckResult]:
        with fewer_collections():
            return self._run(progress)

    def _run(self, progress) -> dict[str, CheckResult]:
        settings = self.checker.settings
        should_stop = getattr(self.checker, "should_stop", None) or (lambda: False)
        stage_end = time.monotonic() + settings.stage_timeout_s
        future = self.checker.runner.submit(self._all(settings.concurrency))
        results: dict[str, CheckResult] = {}
        reported = 0
        try:
            while len(results) < self.total:
                left = stage_end - time.monotonic()
                if left <= 0:
                    break  # the stage's budget is spent: the rest are stage_timeout
                # Results are taken a tick at a time, not one wake-up of this thread per result:
                # every wake-up takes the GIL from the loop's thread.
                self.ended.wait(min(TICK_S, left))
                while True:
                    try:
                        url, result = self.out.get_nowait()
                    except queue.Empty:
                        break
                    results[url] = result
                if self.ended.is_set() and len(results) < self.total:
                    future.result()  # a bug in a check: raised here
                    break
                if progress:
                    for done in range(reported + 1, len(results) + 1):
                        progress(done, self.total)
                reported = len(results)
                if reported < self.total and should_stop():
                    self._stop(future)
                    if progress:
                        progress(reported, self.total)  # where the caller's stop is raised (StopRequested)
                    raise budget.Cancelled("the run of checks was stopped")
        finally:
            self._stop(future)
        if len(results) < self.total:
            results.update(self._out_of_time(settings.stage_timeout_s, results))
        if progress and reported < self.total:
            progress(self.total, self.total)
        return results

    def _stop(self, future) -> None:
        """No new checks, and the ones under way are cancelled; waits a moment for them to end."""
        if not future.done():
            future.cancel()  # cancels the task on the loop, which cancels the checks
        self.ended.wait(STOP_GRACE_S)

    def _out_of_time(self, stage_s: float, have: dict[str, CheckResult]) -> dict[str, CheckResult]:
        detail = f"not checked within the check stage's {stage_s:g} s; checked first next run"
        return {url: CheckResult(url=url, status=Status.UNKNOWN, reasons=("stage_timeout",), detail=detail)
                for url in self.urls if url not in have}

    async def _all(self, concurrency: int) -> None:
        """Starts a task per URL whenever a host has a free slot and fewer than `concurrency`
        checks have a request in flight; waits for the last one."""
        self.wake = asyncio.Event()
        self.concurrency = concurrency
        tasks: set[asyncio.Task] = set()
        try:
            while self.left:
                while not (self.ready and self.in_flight < concurrency) and self.failure is None:
                    self.wake.clear()
                    await self.wake.wait()
                if self.failure is not None:
                    raise self.failure
                taken = self._take()
                if taken is None:
                    continue  # its hosts' slots went to checks taking theirs back
                host, url = taken
                task = asyncio.create_task(self._one(host, url))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            while tasks:
                await asyncio.wait(set(tasks))
            if self.failure is not None:
                raise self.failure
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.ended.set()

    def _take(self) -> tuple[str, str] | None:
        """The next (host, url) to check, from the round-robin of hosts with a free slot; None
        when none has one left (a check took its slot back since: see `_Slot`)."""
        while self.ready:
            host = self.ready.popleft()
            self.in_ready.discard(host)
            if self.busy[host] < self._limit(host):
                break  # (a full host comes back to the round-robin when a slot of its frees)
        else:
            return None
        url = self.queues[host].popleft()
        self.busy[host] += 1
        self.in_flight += 1
        self.left -= 1
        if self.queues[host] and self.busy[host] < self._limit(host):
            self.ready.append(host)
            self.in_ready.add(host)
        return host, url

    def _limit(self, host: str) -> int:
        """Checks at once on `host`: `per_host`, or one once it said it is over its limit."""
        return 1 if host in self.limited else self.checker.settings.per_host

    def _release(self, host: str) -> None:
        """Gives a global and a `host` slot back: to a check waiting to take its own back
        first, else to the round-robin of new checks."""
        self.in_flight -= 1
        self.busy[host] -= 1
        while self.waiting and self.in_flight < self.concurrency:
            at = next((i for i, (h, _) in enumerate(self.waiting) if self.busy[h] < self._limit(h)), None)
            if at is None:
                break
            wanted, future = self.waiting[at]
            del self.waiting[at]
            if not future.done():  # (a check cancelled while it waited wants nothing)
                self.in_flight += 1
                self.busy[wanted] += 1
                future.set_result(None)
        if self.queues[host] and host not in self.in_ready and self.busy[host] < self._limit(host):
            self.ready.append(host)
            self.in_ready.add(host)
        self.wake.set()

    async def _one(self, host: str, url: str) -> None:
        slot = _Slot(self, host)
        # A check that waits for another one's answer (the site's soft-404 probe) has no request
        # in flight: it gives its slots back meanwhile (budget.idle) and takes them again
        # before its next request (budget.resume), so they are neither held idle nor overrun.
        budget.SLOT.set(slot)
        try:
            if self.silent[host] >= SILENT_LIMIT and host not in self.answered:
                result = not_asked(url, "site_not_answering",
                                   f"{self.silent[host]} requests to its site got no answer in this run")
            elif self.refused[host] >= LIMITED_LIMIT:
                result = not_asked(url, "rate_limited",
                                   f"its site answered {self.refused[host]} requests in a row over its limit (429/508)")
            else:
                result = await self.checker.check_async(url, self.validators.get(url))  # never raises a failure
                if result.http_status in LIMIT_STATUSES:
                    # A shared host over its limit (508) or a site asking for less (429): the
                    # rest of its URLs one at a time, as a visitor reads it, not `per_host` at once.
                    self.limited.add(host)
                self.refused[host] = self.refused[host] + 1 if "rate_limited" in result.reasons else 0
                if _silent(result, self.checker.settings):
                    self.silent[host] += 1
                else:
                    self.answered.add(host)
        except Exception as e:  # a bug: the run stops with it
            self.failure = self.failure or e
            self.wake.set()
            return
        slot.release()
        self.out.put((url, result))


class _Slot:
    """One check's global and per-host slot (budget.Slot): held from its start to its end but
    while it waits for another check's answer."""

    def __init__(self, dispatch: Dispatch, host: str) -> None:
        self.dispatch, self.host, self.held = dispatch, host, True
        self.queued = 0.0  # seconds it waited to take its slots again

    def release(self) -> None:
        if self.held:
            self.held = False
            self.dispatch._release(self.host)

    async def acquire(self) -> float:
        if self.held:
            return self.queued
        d, start = self.dispatch, time.monotonic()
        if d.in_flight < d.concurrency and d.busy[self.host] < d._limit(self.host):
            d.in_flight += 1
            d.busy[self.host] += 1
        else:
            future = asyncio.get_running_loop().create_future()
            d.waiting.append((self.host, future))
            await future  # given by `Dispatch._release`, counted there
        self.held = True
        self.queued += time.monotonic() - start
        return self.queued


def _silent(result: CheckResult, settings: CheckerSettings) -> bool:
    """No answer, and only after a wait: a refused connection fails at once and costs nothing
    to ask again, while a timeout or an unanswered connection holds its slot to the deadline. A
    timeout after the headers is no answer either (a site that sends its status line, then a
    byte a second, held every other agency's feedback for minutes)."""
    first = result.reasons[0] if result.reasons else ""
    return (first in SILENT and (result.http_status is None or first == "timeout")
            and result.elapsed_ms >= 1000 * settings.connect_timeout_s)


def not_asked(url: str, reason: str, why: str) -> CheckResult:
    """The result of a URL not requested in this run, for `reason` (an unknown one), `why` in its detail."""
    return CheckResult(url=url, status=Status.UNKNOWN, reasons=(reason,), detail=f"not requested: {why}")


_gc_lock = threading.Lock()
_gc_runs = 0  # runs of checks under way in this process (the watch loop and a sync may overlap)
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections():
    """The cyclic garbage collector's young generation collected every GC_YOUNG allocations, not
    every 700, while checks run; Python's thresholds again when the last run ends.

    A run of checks allocates a great many short-lived objects (requests, responses, pages),
    nearly all freed by reference counting; at Python's default the collector ran every few
    checks and walked every young object each time: about 4 % of the checker's CPU in a
    15,000-URL run, against under 1 % at this threshold (measured with gc.callbacks). The few
    cycles a check leaves are still collected, a little later."""
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(GC_YOUNG, *_gc_saved[1:])
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
