"""Running many checks at once within a global and a per-host limit."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import Counter, deque
from typing import Protocol

from sheets_sync.check import budget
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import host_of

HEARTBEAT_S = 0.5  # the calling thread looks at the stage budget and the stop request at least this often
STOP_GRACE_S = 3.0  # after a stop, checks under way get this long to end before the call returns


class Checks(Protocol):
    """What a dispatch needs of a checker (the `Checker` fits); keeps dispatch below the checker."""

    settings: CheckerSettings
    runner: "LoopRunner"

    async def check_async(self, url: str, validators=None) -> CheckResult: ...

    def should_stop(self) -> bool: ...  # optional: polled while checks run


class LoopRunner(Protocol):
    def submit(self, coro): ...  # -> concurrent.futures.Future


class Dispatch:
    """One check_many run: `concurrency` worker tasks on the checker's loop, at most `per_host`
    on one host.

    Per-host queues, and a round-robin of hosts that have queued URLs and a free slot, so no
    worker ever holds a global slot waiting for a busy host. The workers are tasks on the
    checker's event loop (one thread); the calling thread only takes their results from a
    queue and reports progress, so a progress callback that raises (a stop request) still
    raises there. Then the checks under way are cancelled (every await of theirs ends at
    once) and the call returns within a few seconds. A stop must not wait for the next result
    (every site may be dripping): the checker's `should_stop()` is polled every HEARTBEAT_S,
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
        self.ended = threading.Event()  # the workers are all gone (finished or cancelled)
        self.wake: asyncio.Condition | None = None  # a host got a free slot (made on the loop)

    def run(self, progress) -> dict[str, CheckResult]:
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
                try:
                    url, result = self.out.get(timeout=min(HEARTBEAT_S, left))
                    results[url] = result
                except queue.Empty:
                    if future.done():
                        future.result()  # a bug in a worker: raised here
                        if self.out.empty():
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
            future.cancel()  # cancels the task on the loop, which cancels its workers
        self.ended.wait(STOP_GRACE_S)

    def _out_of_time(self, stage_s: float, have: dict[str, CheckResult]) -> dict[str, CheckResult]:
        detail = f"not checked within the check stage's {stage_s:g} s; checked first next run"
        return {url: CheckResult(url=url, status=Status.UNKNOWN, reasons=("stage_timeout",), detail=detail)
                for url in self.urls if url not in have}

    async def _all(self, concurrency: int) -> None:
        self.wake = asyncio.Condition()
        workers = [asyncio.create_task(self._worker()) for _ in range(min(concurrency, self.total))]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self.ended.set()

    async def _take(self) -> tuple[str, str] | None:
        """The next (host, url) to check, waiting for a free host; None when none is left."""
        async with self.wake:
            while not self.ready:
                if self.left == 0:
                    return None
                await self.wake.wait()
            host = self.ready.popleft()
            self.in_ready.discard(host)
            url = self.queues[host].popleft()
            self.busy[host] += 1
            self.left -= 1
            if self.queues[host] and self.busy[host] < self.checker.settings.per_host:
                self.ready.append(host)
                self.in_ready.add(host)
            if self.left == 0:
                self.wake.notify_all()  # idle workers: nothing more to wait for
            return host, url

    async def _worker(self) -> None:
        while True:
            job = await self._take()
            if job is None:
                return
            host, url = job
            result = await self.checker.check_async(url, self.validators.get(url))  # never raises a failure
            self.out.put((url, result))
            async with self.wake:
                self.busy[host] -= 1
                if self.queues[host] and host not in self.in_ready:
                    self.ready.append(host)
                    self.in_ready.add(host)
                    self.wake.notify()
