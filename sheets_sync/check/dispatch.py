"""Running many checks at once within a global and a per-host limit."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Protocol

from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import CheckResult
from sheets_sync.core.normalize import host_of


class Checks(Protocol):
    """What a dispatch needs of a checker (the `Checker` fits); keeps dispatch below the checker."""

    settings: CheckerSettings

    def check(self, url: str, validator=None) -> CheckResult: ...


class Dispatch:
    """One check_many run: `concurrency` worker threads, at most `per_host` on one host.

    Per-host queues, and a round-robin of hosts that have queued URLs and a free slot, so no
    thread ever sits on a global slot waiting for a busy host. A worker that finishes a URL
    takes the next one itself, under the lock: with a hundred threads sharing one GIL, a
    hand-off through the calling thread (result to it, next URL back) cost two more thread
    wake-ups per URL, and on the province bench those were a tenth of all CPU. The calling
    thread only reports progress, so a progress callback that raises (a stop request) still
    raises there; workers then take nothing new, and the call returns once the checks under
    way are done, as before.
    """

    def __init__(self, checker: Checks, urls: list[str], validators) -> None:
        self.checker, self.validators, self.total = checker, validators, len(urls)
        self.queues: dict[str, deque[str]] = {}
        for url in urls:
            self.queues.setdefault(host_of(url), deque()).append(url)
        self.busy: Counter[str] = Counter()
        self.ready: deque[str] = deque(self.queues)
        self.in_ready = set(self.ready)
        self.left = self.total  # URLs not yet taken by a worker
        self.results: dict[str, CheckResult] = {}
        self.failure: BaseException | None = None
        self.stopped = False
        self.lock = threading.Lock()
        self.work = threading.Condition(self.lock)  # a host got a free slot, or the run stops
        self.done = threading.Condition(self.lock)  # a result arrived (for the calling thread)

    def run(self, progress) -> dict[str, CheckResult]:
        workers = [threading.Thread(target=self._worker, name=f"checker_{i}", daemon=True)
                   for i in range(min(self.checker.settings.concurrency, self.total))]
        for t in workers:
            t.start()
        reported = 0
        try:
            while reported < self.total:
                with self.lock:
                    while len(self.results) == reported and self.failure is None:
                        self.done.wait()
                    if self.failure is not None:
                        raise self.failure
                    now = len(self.results)
                if progress:
                    for done in range(reported + 1, now + 1):
                        progress(done, self.total)
                reported = now
        finally:
            with self.lock:
                self.stopped = True
                self.work.notify_all()
            for t in workers:
                t.join()
        return self.results

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
                result = self.checker.check(url, self.validators.get(url))  # never raises a failure...
            except BaseException as e:  # ...so this is a bug or an interpreter exit: stop the run with it
                with self.lock:
                    self.failure = self.failure or e
                    self.stopped = True
                    self.work.notify_all()
                    self.done.notify()
                return
            with self.lock:
                self.results[url] = result
                self.busy[host] -= 1
                if self.queues[host] and host not in self.in_ready:
                    self.ready.append(host)
                    self.in_ready.add(host)
                    self.work.notify()
                self.done.notify()
