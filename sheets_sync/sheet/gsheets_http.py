"""The edge between the gsheets backend and Google: credentials, gspread's HTTP client with the
endpoint rewrite, our own bounded retry, and the translation of foreign errors.

gspread and google-auth are imported only here and in gsheets.py.

* Credentials: a service-account JSON (path from settings). Its `token_uri` is used verbatim,
  so a fake token endpoint on loopback works. The key is never logged; a warning is logged if
  the file can be read by group or others.
* Endpoint: gspread reads its base URLs as constants, so the supported hook is `http_client=`:
  `routed_client_class()` makes a gspread.HTTPClient subclass whose request() rewrites the
  https://sheets.googleapis.com and https://www.googleapis.com prefixes to `api_endpoint`.
* Retry: gspread's BackOffHTTPClient retries forever, so it is not used. `RetryPolicy` retries
  429, 408, 5xx, timeouts, connection errors and token-refresh failures with exponential backoff
  and jitter, bounded by a number of attempts and a total time; sleep and clock are injectable.
  A 429 (quota) is retried until at least one full quota window (Google counts per minute) has
  passed since the first attempt, still within the total time. Every request is retried on its
  own; spreadsheets.batchUpdate is atomic on Google's side, so a request that finally fails has
  changed nothing. A request that timed out or lost its connection after it was sent may have been
  applied all the same: one that must not be applied twice (the layout's appended rows) is sent
  under `Retrier.once()`, and such a failure raises `Unconfirmed` for the caller to look again.
  A `Retry-After` that Google sends is waited for (within the total time).
* Secrets: the loaded key's id and key, and every access token as it is issued, are handed to
  the redaction function (core/redact.py), so an error body that echoes them, even bare, is
  redacted wherever its text goes.
"""

from __future__ import annotations

import json
import logging
import os
import random
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import gspread
import requests
from google.auth import exceptions as gauth_errors
from google.oauth2 import service_account

from sheets_sync.core.errors import BackendError
from sheets_sync.core.redact import redact, remember

log = logging.getLogger(__name__)

GOOGLE_PREFIXES = ("https://sheets.googleapis.com", "https://www.googleapis.com")
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: wait min(cap, base * 2**(n-1)) * (1 ± jitter) after
    the n-th failed attempt; give up after `max_attempts` attempts, or when the next wait would
    end past `max_total_s` since the first attempt.

    A 429 is different: Google's quota is counted per minute, so retrying for less than a
    minute may end inside the very window that is full. While a 429 keeps coming, attempts go
    on past `max_attempts` until `quota_window_s` has passed since the first attempt (a minute
    and a margin), and `max_total_s` (which must be longer) still bounds the whole wait. With
    the defaults a request gives up after at most 150 s of waiting and 7 to 11 attempts (by the jitter drawn)."""

    max_attempts: int = 6
    base: float = 1.0
    cap: float = 20.0
    max_total_s: float = 150.0
    jitter: float = 0.5
    quota_window_s: float = 65.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        raw = min(self.cap, self.base * (2 ** (attempt - 1)))
        return max(0.0, raw * (1 + self.jitter * (2 * rng.random() - 1)))

    def gives_up(self, attempt: int, elapsed: float, wait: float, quota: bool) -> bool:
        """After the `attempt`-th failure, `elapsed` s since the first attempt, with `wait` s to go."""
        if elapsed + wait > self.max_total_s:
            return True
        if attempt < self.max_attempts:
            return False
        return not (quota and elapsed < self.quota_window_s)


class Unconfirmed(Exception):
    """A request sent under `Retrier.once()` got no answer: it may or may not have been applied."""


class GaveUp(Exception):
    """The retry budget was spent; `last` is the last error."""

    def __init__(self, attempts: int, elapsed: float, last: BaseException) -> None:
        super().__init__(f"gave up after {attempts} attempt(s) in {elapsed:.1f} s: {describe(last)}")
        self.attempts, self.elapsed, self.last = attempts, elapsed, last


@dataclass
class Retrier:
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    retries: int = 0  # how many retries were made, for reports and tests
    replayable: bool = True  # False under once(): a request with no answer is not sent again

    @contextmanager
    def once(self) -> Iterator[None]:
        """Requests made inside are not sent again after a timeout or a lost connection (Google
        may have applied them): `Unconfirmed` is raised instead. A refusal (429, 5xx) is retried."""
        self.replayable = False
        try:
            yield
        finally:
            self.replayable = True

    def call(self, fn: Callable[[], Any]) -> Any:
        start = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except Exception as e:  # noqa: BLE001 - classified right below
                if not retryable(e):
                    raise
                if not self.replayable and maybe_applied(e):
                    raise Unconfirmed(describe(e)) from e
                elapsed = self.clock() - start
                wait = max(self.policy.delay(attempt, self.rng), retry_after(e))
                if self.policy.gives_up(attempt, elapsed, wait, quota=status_of(e) == 429):
                    raise GaveUp(attempt, elapsed, e) from e
                log.info("Google Sheets: %s; retry %d in %.1f s", describe(e), attempt, wait)
                self.retries += 1
                self.sleep(wait)


def status_of(e: BaseException) -> int | None:
    if isinstance(e, gspread.exceptions.APIError):
        return e.response.status_code
    return None


def maybe_applied(e: BaseException) -> bool:
    """The request may have reached Google and been applied: no answer came (a connection that
    never opened was not sent)."""
    return isinstance(e, (requests.Timeout, requests.ConnectionError)) and not isinstance(e, requests.ConnectTimeout)


def retry_after(e: BaseException) -> float:
    """The seconds a refusal's Retry-After header asks for (0 without one, or a date we do not read)."""
    if not isinstance(e, gspread.exceptions.APIError):
        return 0.0
    try:
        return max(0.0, float(e.response.headers.get("Retry-After", "") or 0))
    except (TypeError, ValueError):
        return 0.0


def retryable(e: BaseException) -> bool:
    if isinstance(e, gspread.exceptions.APIError):
        return e.response.status_code in RETRY_STATUSES
    if isinstance(e, (requests.Timeout, requests.ConnectionError)):
        return True
    if isinstance(e, (gauth_errors.RefreshError, gauth_errors.TransportError)):
        return True
    return False


def describe(e: BaseException) -> str:
    """A short text for logs and messages, redacted: Google's message may quote the request."""
    if isinstance(e, gspread.exceptions.APIError):
        try:
            err = e.response.json().get("error", {})
            return redact(f"HTTP {e.response.status_code} {err.get('status', '')}: {err.get('message', '')}".strip())
        except (ValueError, AttributeError):
            return f"HTTP {e.response.status_code}"
    if isinstance(e, requests.Timeout):
        return "timed out"
    if isinstance(e, requests.ConnectionError):
        return "connection failed"
    if isinstance(e, gauth_errors.RefreshError):
        return "could not get an access token (token refresh failed)"
    return type(e).__name__


def routed_client_class(endpoint: str, retrier: Retrier, timeout: float | None) -> type[gspread.HTTPClient]:
    """A gspread.HTTPClient subclass for gspread's `http_client=` hook: rewrites Google's URL
    prefixes to `endpoint` and retries each request with `retrier`."""
    base = endpoint.rstrip("/")

    class RoutedHTTPClient(gspread.HTTPClient):
        def __init__(self, auth, session=None) -> None:
            super().__init__(auth, session)
            self.set_timeout(timeout)

        def request(self, method, endpoint, *args, **kwargs):  # noqa: ANN001 - gspread's signature
            url = endpoint
            for prefix in GOOGLE_PREFIXES:
                if url.startswith(prefix):
                    url = base + url[len(prefix):]
                    break
            return retrier.call(lambda: self._attempt(method, url, *args, **kwargs))

        def _attempt(self, method, url, *args, **kwargs):  # noqa: ANN001
            try:
                return gspread.HTTPClient.request(self, method, url, *args, **kwargs)
            finally:
                # The token the request carried (refreshed on the way when it had expired).
                remember(getattr(self.auth, "token", None))

    return RoutedHTTPClient


@dataclass(frozen=True)
class ServiceAccount:
    path: Path
    email: str
    credentials: Any  # google.oauth2.service_account.Credentials


# What a service-account key needs for the JWT sign-in google-auth does (as Google's JSON keys have them).
SERVICE_ACCOUNT_FIELDS = ("client_email", "private_key", "private_key_id", "token_uri")


def load_service_account(path: str | os.PathLike) -> ServiceAccount:
    p = Path(path)
    try:
        mode = p.stat().st_mode
        info = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackendError(f"Google credentials file {p} not found; download the service-account key "
                           "(see the README, Google Sheets set-up) and set backend.credentials") from None
    except (OSError, ValueError) as e:
        raise BackendError(f"Google credentials file {p} is not readable JSON ({type(e).__name__})") from None
    if isinstance(info, dict):
        remember(info.get("private_key_id"), info.get("private_key"), info.get("client_secret"))
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("credentials file %s can be read by group or others; run: chmod 600 %s", p, p)
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise BackendError(f"Google credentials file {p} is not a service-account key "
                           "(its \"type\" must be \"service_account\"; download a key of the service account)")
    missing = [f for f in SERVICE_ACCOUNT_FIELDS if not info.get(f)]
    if missing:
        raise BackendError(f"Google credentials file {p} is missing {', '.join(missing)}; download a new JSON key "
                           "of the service account (Google Cloud console, IAM, Service accounts, Keys)")
    try:
        creds = service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except (ValueError, KeyError) as e:
        raise BackendError(f"Google credentials file {p} is incomplete or its key is unreadable "
                           f"({type(e).__name__})") from None
    return ServiceAccount(p, info["client_email"], creds)
