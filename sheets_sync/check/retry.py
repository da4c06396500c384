"""The checker's retry policy, declared once as a small frozen object.

What is retried: a connection that could not be made or broke before the answer's head came
(refused, reset, timed out), and an answer of 429, 500, 502, 503, 504 or 508 (not a bot check's
503, `cf-mitigated: challenge`, which answers the same a second later). What is not: TLS
errors (a bad certificate will not heal in a second), DNS errors, refused addresses, an
answer whose body broke half-way (its status is already known). Between attempts the
policy waits the site's Retry-After when it gives one it can read (cut to
retry_after_cap_s: a Thai municipal site answering `Retry-After: 3600` must not park a check
for an hour), else an exponential backoff. A retry whose wait would end past the URL's
deadline is not made: the last answer (the 429 or 5xx) or the last error stands.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Callable

from sheets_sync.config.settings import CheckerSettings

# 508 is cPanel's and CloudLinux's "Resource Limit Is Reached": shared hosting (where most
# agencies' sites are) refuses a request over the account's CPU or process limit for a moment.
LIMIT_STATUSES = frozenset({429, 508})
RETRY_STATUSES = frozenset({500, 502, 503, 504}) | LIMIT_STATUSES


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` retries at most; `wait(n, retry_after)` is the pause before retry n (1-based).

    >>> p = RetryPolicy(attempts=2, backoff_s=0.5, backoff_max_s=30, retry_after_cap_s=30)
    >>> [p.wait(1), p.wait(2), p.wait(1, "3600"), p.wait(1, "soon")]
    [0.0, 1.0, 30.0, 0.0]
    """

    attempts: int = 2
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    retry_after_cap_s: float = 30.0
    statuses: frozenset[int] = RETRY_STATUSES

    def retries_status(self, status: int) -> bool:
        return status in self.statuses

    def backoff(self, n: int) -> float:
        # urllib3's curve, which the checker used before: the first retry at once, then doubling.
        return 0.0 if n <= 1 else min(self.backoff_max_s, self.backoff_s * 2 ** (n - 1))

    def retry_after(self, value: str | None, now: Callable[[], float] = time.time) -> float | None:
        """Retry-After in seconds (delta or HTTP date), cut to the cap; None when absent or unreadable."""
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None  # garbage from the server: the ordinary backoff instead
            if when is None or when.tzinfo is None:
                return None
            seconds = max(0.0, when.timestamp() - now())
        return float(min(seconds, self.retry_after_cap_s))

    def wait(self, n: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry `n`: the site's Retry-After if readable, else the backoff."""
        after = self.retry_after(retry_after)
        return after if after else self.backoff(n)


def build_retry(settings: CheckerSettings) -> RetryPolicy:
    """The checker's retry policy, from settings."""
    return RetryPolicy(attempts=settings.retries, backoff_s=settings.backoff_s,
                       backoff_max_s=max(settings.backoff_s, settings.retry_after_cap_s),
                       retry_after_cap_s=settings.retry_after_cap_s)
