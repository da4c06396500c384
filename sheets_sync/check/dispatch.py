"""Running many checks at once within a global and a per-host limit."""

from __future__ import annotations

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

    def check(self, url: str, validator=None) -> CheckResult: ...

    def should_stop(self) -> bool: ...  # optional: polled while checks run


class Dispatch:
    """One check_many run: `concurrency` worker threads, at most `per_host` on one host.

    Per-host queues, and a round-robin of hosts that have queued URLs and a free slot, so no
    thread ever sits on a global slot waiting for a busy host. A worker that finishes a URL
    takes the next one itself, under the lock: with a hundred threads sharing one GIL, a
    hand-off through the calling thread (result to it, next URL back) cost two more thread
    wake-ups per URL, and on the province bench those were a tenth of all CPU. The calling
    thread only reports progress, so a progress callback that raises (a stop request) still
    raises there; workers then take nothing new, the checks under way are cut short (every
    read and wait of theirs watches `cancel`, see sheets_sync.check.budget) and the call
    returns within a few seconds. A stop must not wait for the next result (every site may
    be dripping): the checker's `should_stop()` is polled every HEARTBEAT_S, and once it says
    yes the checks are cut short the same way and progress is called once more with the
    same numbers, for the caller's stop to raise there (else `budget.Cancelled` is raised).

    The stage has its own budget (settings.stage_timeout_s): when it is spent, checks under
    way are cut short the same way and every URL without a result gets `unknown` with reason
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
        self.results: dict[str, CheckResult] = {}
        self.failure: BaseException | None = None
        self.stopped = False
        self.cancel = threading.Event()  # cuts the checks under way short (budget.cancel_with)
        self.lock = threading.Lock()
        self.work = threading.Condition(self.lock)  # a host got a free slot, or the run stops
        self.done = threading.Condition(self.lock)  # a result arrived (for the calling thread)

    def run(self, progress) -> dict[str, CheckResult]:
        settings = self.checker.settings
        should_stop = getattr(self.checker, "should_stop", None) or (lambda: False)
        stage_end = time.monotonic() + settings.stage_timeout_s
        workers = [threading.Thread(target=self._worker, name=f"checker_{i}", daemon=True)
                   for i in range(min(settings.concurrency, self.total))]
        for t in workers:
            t.start()
        reported = 0
        try:
            while reported < self.total:
                with self.lock:
                    while len(self.results) == reported and self.failure is None:
                        left = stage_end - time.monotonic()
                        if left <= 0 or not self.done.wait(min(HEARTBEAT_S, left)):
                            break
                    if self.failure is not None:
                        raise self.failure
                    now = len(self.results)
                    if now < self.total and time.monotonic() >= stage_end:
                        self._stop()
                        break
                if progress:
                    for done in range(reported + 1, now + 1):
                        progress(done, self.total)
                reported = now
                if now < self.total and should_stop():
                    with self.lock:
                        self._stop()
                    if progress:
                        progress(now, self.total)  # where the caller's stop is raised (StopRequested)
                    raise budget.Cancelled("the run of checks was stopped")
        finally:
            with self.lock:
                self._stop()
            until = time.monotonic() + STOP_GRACE_S
            for t in workers:
                t.join(max(0.0, until - time.monotonic()))
        with self.lock:
            results = dict(self.results)
        if len(results) < self.total:
            results.update(self._out_of_time(settings.stage_timeout_s, results))
        if progress and reported < self.total:
            progress(self.total, self.total)
        return results

    def _stop(self) -> None:
        """Under the lock: no new checks, and the ones under way are cut short."""
        self.stopped = True
        self.cancel.set()
        self.work.notify_all()

    def _out_of_time(self, stage_s: float, have: dict[str, CheckResult]) -> dict[str, CheckResult]:
        detail = f"not checked within the check stage's {stage_s:g} s; checked first next run"
        return {url: CheckResult(url=url, status=Status.UNKNOWN, reasons=("stage_timeout",), detail=detail)
                for url in self.urls if url not in have}

    def _take(self) -> tuple[str, str] | None:
        """The next (host, url) to check, waiting for a free host; None when none is left."""
        while not self.ready:
            if self.stopped or self.left == 0:
                return None
            self.work.wait()
        if self.stopped:
            return None
        host = self.ready.popleft()
        self.in_ready.discard(host)
        url = self.queues[host].popleft()
        self.busy[host] += 1
        self.left -= 1
        if self.queues[host] and self.busy[host] < self.checker.settings.per_host:
            self.ready.append(host)
            self.in_ready.add(host)
        if self.left == 0:
            self.work.notify_all()  # idle workers: nothing more to wait for
        return host, url

    def _worker(self) -> None:
        while True:
            with self.lock:
                job = self._take()
            if job is None:
                return
            host, url = job
            try:
                with budget.cancel_with(self.cancel):
                    result = self.checker.check(url, self.validators.get(url))  # never raises a failure...
            except BaseException as e:  # ...so this is a bug or an interpreter exit: stop the run with it
                with self.lock:
                    self.failure = self.failure or e
                    self.stopped = True
                    self.work.notify_all()
                    self.done.notify()
                return
            with self.lock:
                if self.stopped:
                    return  # cut short (stop or stage budget): this result is not the site's answer
                self.results[url] = result
                self.busy[host] -= 1
                if self.queues[host] and host not in self.in_ready:
                    self.ready.append(host)
                    self.in_ready.add(host)
                    self.work.notify()
                self.done.notify()
