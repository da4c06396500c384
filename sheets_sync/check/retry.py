"""The checker's retry policy, declared as a urllib3 `Retry` mounted on the session's adapter.

urllib3 then retries connection errors, read errors, 5xx and 429 by itself, inside one
request. This subclass adds what the plain `Retry` lacks for a link checker:

* a cap on Retry-After (a Thai municipal site answering ``Retry-After: 3600`` must not park a
  worker for an hour), and a bad Retry-After value falls back to the backoff instead of
  failing the whole check;
* an injectable sleep, so tests and callers decide how waiting happens;
* the per-URL total budget: a retry whose wait would end past the URL's deadline is not
  made, and urllib3 hands back the last answer (the 429 or 5xx) or the last error instead.
  The deadline is thread-local (sheets_sync.check.budget) because one `Retry` template serves
  every worker thread and each worker checks one URL at a time.
"""

from __future__ import annotations

import time
from typing import Callable

from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from sheets_sync.check import budget
from sheets_sync.config.settings import CheckerSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# The per-URL deadline lives with the rest of the check's budget; these names stay here
# because the retry policy is where they are used.
deadline, extend_deadline, remaining = budget.deadline, budget.extend_deadline, budget.remaining


class CheckerRetry(Retry):
    """urllib3 Retry with a Retry-After cap, an injected sleep and a per-thread deadline."""

    def __init__(self, *args, retry_after_cap: float = 30.0,
                 sleep_fn: Callable[[float], None] = time.sleep, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap
        self.sleep_fn = sleep_fn

    def new(self, **kw) -> "CheckerRetry":
        # urllib3 makes a fresh Retry after every attempt; carry our own fields along.
        kw.setdefault("retry_after_cap", self.retry_after_cap)
        kw.setdefault("sleep_fn", self.sleep_fn)
        return super().new(**kw)

    def get_retry_after(self, response) -> float | None:
        """Retry-After in seconds, cut to the cap; None when absent or unreadable."""
        try:
            seconds = super().get_retry_after(response)
        except InvalidHeader:
            return None  # garbage from the server: use the ordinary backoff instead
        return None if seconds is None else min(seconds, self.retry_after_cap)

    def planned_wait(self, response=None) -> float:
        """How long `sleep(response)` would wait."""
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                return after
        return self.get_backoff_time()

    def sleep_for_retry(self, response) -> bool:
        after = self.get_retry_after(response)
        if after:
            self.sleep_fn(after)
            return True
        return False

    def sleep(self, response=None) -> None:
        """Waits before the next attempt (Retry-After when given, else backoff), via sleep_fn."""
        wait = self.planned_wait(response)
        if wait > 0:
            self.sleep_fn(wait)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        new = super().increment(method, url, response=response, error=error, _pool=_pool, _stacktrace=_stacktrace)
        left = remaining()
        if left is not None and new.planned_wait(response) >= left:
            # Out of budget: behave exactly like an exhausted Retry, so urllib3 returns the
            # last response (raise_on_status=False) or raises with the real error as reason.
            reason = error or ResponseError(f"retry budget spent (HTTP {getattr(response, 'status', '?')})")
            raise MaxRetryError(_pool, url, reason) from reason
        return new


def build_retry(settings: CheckerSettings, sleep: Callable[[float], None] = time.sleep) -> CheckerRetry:
    """The retry policy of the checker's adapter, from settings.

    TLS and other non-connection errors are not retried (``other=0``): a bad certificate
    will not heal in a second. Redirects are followed by the checker itself, not here.
    """
    return CheckerRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        redirect=0,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_s,
        backoff_max=max(settings.backoff_s, settings.retry_after_cap_s),
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        retry_after_cap=settings.retry_after_cap_s,
        sleep_fn=sleep,
    )
