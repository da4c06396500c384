"""The network checker: GETs each submitted URL and says whether an assessor could open it.

Redirects are followed here, by hand, so that every hop is recorded and can be vetted by
`_before_request` before it is requested; only the first `max_body_bytes` of a body are read.
Around it: `transport` (the one shared session, the guard and the declared retries),
`dispatch` (many checks at once within the limits), `classify` (Fetch -> verdict, content
rules included) and `failures` (exception -> reason code). A bad URL or a dead site is a
result, never an exception.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3.exceptions as u3
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict

from sheets_sync.check import budget, content, offline, retry
from sheets_sync.check.classify import Fetch, classify, sign_in_host
from sheets_sync.check.dispatch import Dispatch
from sheets_sync.check.failures import (
    DeadlineExceeded,
    cert_failure,
    describe,
    error_reason,
)
from sheets_sync.check.guard import AddressPolicy
from sheets_sync.check.pdfpool import PdfReaderPool
from sheets_sync.check.transport import build_session, identify
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core import reasons
from sheets_sync.core.clock import Clock, SystemClock
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import host_of

log = logging.getLogger(__name__)


_CHUNK = 64 * 1024
# Some CMSs behind Thai government WAFs refuse requests that do not look like a browser's.
_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
           "Accept-Language": "th,en;q=0.8"}


@dataclass
class _Progress:
    """How far one fetch got, kept for the result when it stops on an exception."""

    current: str  # the URL being requested
    redirects: list[str] = field(default_factory=list)
    status_code: int | None = None  # of the final response, once its body is being read
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)


class Checker:
    """Checks URLs over HTTP(S). Thread-safe; `check_many` runs checks concurrently."""

    def __init__(self, settings: CheckerSettings, session: requests.Session | None = None,
                 clock: Clock | None = None, sleep: Callable[[float], None] = budget.sleep,
                 stop: Callable[[], bool] | None = None) -> None:
        """`session` is used as given (the caller configures and closes it); otherwise one is
        built by `build_session`. `clock` is wall time for later stages (durations use
        time.monotonic); `sleep` is what retries and the per-host pacing wait with (by default a wait that a
        stopped run cuts short, see sheets_sync.check.budget). `stop` says whether the process
        is stopping (the worker's SIGTERM): `check_many` polls it and then cuts the checks
        under way short (see sheets_sync.check.dispatch)."""
        self.settings = settings
        self.clock = clock or SystemClock()
        self._own_session = session is None
        self.policy = AddressPolicy(settings.allow_private, settings.resolve)
        self.session = session if session is not None else build_session(settings, sleep, self.policy)
        self._sleep = sleep
        self.user_agent = identify(settings.user_agent, settings.contact_url)
        self.should_stop: Callable[[], bool] = stop or (lambda: False)
        self._pace_lock = threading.Lock()
        self._next_at: dict[str, float] = {}
        self._probe_lock = threading.Lock()
        self._probes: dict[str, _ProbeSlot] = {}
        # PDF text off this process's GIL (see sheets_sync.check.pdfpool); started on the first PDF.
        self._pdf = PdfReaderPool()

    def __enter__(self) -> "Checker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stops the PDF reader process; closes the connection pool, if this checker built it."""
        self._pdf.close()
        if self._own_session:
            self.session.close()

    def check(self, url: str, validators: tuple[str | None, str | None] | None = None) -> CheckResult:
        """Checks one URL. Never raises: every failure becomes a CheckResult.

        `validators` (ETag, Last-Modified) from an earlier answer make the request conditional;
        an unchanged page then comes back as HTTP 304 with status ok (see `classify`)."""
        try:
            if content.platform_of(url):
                # facebook.com, youtube ...: a bot gets a login wall; not requested at all.
                return CheckResult(url=url, status=Status.OK, reasons=("unverifiable_platform",), final_url=url,
                                   detail="platform page: not verifiable by a bot")
            start = time.monotonic()
            deadline = start + self.settings.total_timeout_s
            fetch = self.fetch(url, validators=validators, deadline=deadline)
            if fetch.error == "tls_error" and fetch.cert_invalid and self.settings.verify_tls:
                # Only to tell a bad certificate from a dead site: the same GETs, unverified,
                # nothing else (no probe, no browser retry).
                second = self.fetch(url, deadline=deadline, verify=False)
                if second.error is None and second.status_code is not None:
                    result = classify(second, pdf_pages=self.settings.pdf_pages, pdf_reader=self._pdf.until(deadline))
                    codes = ("tls_invalid",) + tuple(c for c in result.reasons if c != "tls_invalid")
                    return replace(result, status=reasons.status_of(codes), reasons=codes,
                                   detail=f"certificate not valid ({fetch.detail[:120]}); {result.detail}"[:300],
                                   elapsed_ms=int((time.monotonic() - start) * 1000))
            if fetch.status_code == 403 and fetch.error is None and not sign_in_host(fetch.final_url or url):
                # Some WAFs refuse anything that does not look like a browser.
                second = self.fetch(url, validators=validators, deadline=deadline, as_browser=True)
                if second.error is None or second.status_code is not None:
                    fetch = second
            probe = (lambda: self._probe(fetch.final_url or url, deadline)) if self.settings.soft404_probe else None
            result = classify(fetch, probe=probe, pdf_pages=self.settings.pdf_pages, pdf_reader=self._pdf.until(deadline))
            return replace(result, elapsed_ms=int((time.monotonic() - start) * 1000))
        except Exception as e:  # a bug of ours costs one URL, never the run
            return CheckResult(url=url, status=Status.UNKNOWN, reasons=("check_failed",), detail=describe(e))

    def check_many(self, urls: Iterable[str], progress: Callable[[int, int], None] | None = None,
                   validators: Mapping[str, tuple[str | None, str | None]] | None = None
                   ) -> dict[str, CheckResult]:
        """Each distinct URL once, concurrently; progress(done, total) after each.

        A dispatcher keeps per-host queues and only hands a worker a URL whose host has a free
        slot, so no thread ever sits on a global slot waiting for a busy host. When the
        worker itself is offline (canaries down, or nearly every host failing at the network
        level at once), network failures come back as `checker_offline`, never `broken`.
        """
        unique = list(dict.fromkeys(urls))
        with self._probe_lock:
            self._probes = {}  # one soft-404 probe per host per run
        if not unique:
            return {}
        if offline.canaries_down(self.settings.canary_urls, self.check):
            if progress:
                progress(len(unique), len(unique))
            return offline.offline_results(unique, "checker offline: no canary URL reachable")
        results = self._run(unique, progress, validators or {})
        if offline.looks_offline(results):
            failed = sum(1 for r in results.values() if offline.network_failure(r))
            log.warning("checker offline: nearly every host failed with DNS/connection errors at once; "
                        "%d URLs marked checker_offline, earlier verdicts stay", failed)
            results = offline.mark_offline(results)
        return results

    def _run(self, unique: list[str], progress, validators) -> dict[str, CheckResult]:
        return Dispatch(self, unique, validators).run(progress)

    def fetch(self, url: str, validators: tuple[str | None, str | None] | None = None,
              deadline: float | None = None, verify: bool | None = None, as_browser: bool = False) -> Fetch:
        """GETs `url`, following redirects by hand. Never raises for a bad URL or site."""
        start = time.monotonic()
        deadline = deadline if deadline is not None else start + self.settings.total_timeout_s
        at = _Progress(url)
        headers = {"User-Agent": self.settings.browser_user_agent if as_browser else self.user_agent, **_ACCEPT}
        etag, modified = validators or (None, None)
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        flags = {"conditional": bool(etag or modified), "as_browser": as_browser}
        try:
            with retry.deadline(deadline):
                fetch = self._follow(url, at, deadline, headers, verify)
        except Exception as e:
            code, detail = error_reason(e)
            if code == "malformed" and at.redirects:
                code, detail = "check_failed", f"unusable redirect target: {detail}"
            # A body that fails half-way still had a status line: keep it.
            fetch = Fetch(url, status_code=at.status_code, headers=at.headers, error=code, detail=detail,
                          cert_invalid=code == "tls_error" and cert_failure(e))
        return replace(fetch, redirects=tuple(at.redirects), final_url=fetch.final_url or at.current,
                       elapsed_ms=int((time.monotonic() - start) * 1000), **flags)

    def _before_request(self, url: str) -> str | None:
        """Called before every hop's request, before it waits for its turn at the host. Return
        None to go ahead, or a reason code to stop the check with it.

        A hop whose addresses are known without DNS (an IP literal, a --resolve name) and not
        allowed is refused here, so it neither queues behind the host's pacing nor times out
        there. Names are checked where the connection is made (sheets_sync.check.guard), which
        stays the rule that counts."""
        host = urlsplit(url).hostname
        return "private_address" if host and self.policy.refuses_without_lookup(host) else None

    def _pace(self, url: str) -> float:
        """Keeps min_host_interval_s between the starts of two requests to one host; returns
        the seconds waited for this request's turn."""
        interval = self.settings.min_host_interval_s
        if interval <= 0:
            return 0.0
        host = host_of(url)
        with self._pace_lock:
            now = time.monotonic()
            at = max(now, self._next_at.get(host, 0.0))
            self._next_at[host] = at + interval
        if at - now <= 0:
            return 0.0
        self._sleep(at - now)
        return at - now

    def _probe(self, page_url: str, deadline: float) -> content.Probe | None:
        """The site's answer to a random missing path, fetched once per host per run; every
        other check of the host waits for the first one's answer."""
        try:
            parts = urlsplit(page_url)
        except ValueError:
            return None
        key = f"{parts.scheme}://{parts.netloc}".lower()
        with self._probe_lock:
            slot = self._probes.get(key)
            mine = slot is None
            if mine:
                slot = self._probes[key] = _ProbeSlot()
        if not mine:
            slot.done.wait(timeout=max(0.0, deadline - time.monotonic()))
            return slot.value
        try:
            probe_url = f"{key}/sheets-sync-probe-{secrets.token_hex(6)}"
            f = self.fetch(probe_url, deadline=deadline)
            if f.error is None:
                slot.value = content.probe_from(f.status_code, f.final_url, f.body, f.headers)
        finally:
            slot.done.set()
        return slot.value

    def _follow(self, url: str, at: _Progress, deadline: float, headers: dict[str, str],
                verify: bool | None) -> Fetch:
        s = self.settings
        jar = RequestsCookieJar()
        seen: set[tuple] = set()
        redirects = at.redirects
        while True:
            current = at.current
            # A loop is the same request again: same URL *and* same cookies. A site that
            # redirects to itself after setting a cookie (a "cookie check") is not a loop.
            key = (urldefrag(current)[0], tuple(sorted((c.domain, c.path, c.name, c.value) for c in jar)))
            if key in seen:
                return Fetch(url, error="redirect_loop", detail=f"redirect loop back to {current}")
            seen.add(key)
            if len(redirects) > s.max_redirects:
                return Fetch(url, error="too_many_redirects", detail=f"more than {s.max_redirects} redirects")
            try:
                scheme = urlsplit(current).scheme.lower()
            except ValueError as e:  # e.g. "http://[::1/"
                raise requests.exceptions.InvalidURL(str(e)) from e
            if scheme not in ("http", "https"):
                code = "redirect_not_http" if redirects else "bad_scheme"
                return Fetch(url, error=code, detail=f"not an http(s) URL: {current[:200]}")
            blocked = self._before_request(current)
            if blocked:
                return Fetch(url, error=blocked, detail=f"not requested: {current[:200]}")
            waited = self._pace(current)
            if waited:
                # Our own queue is not the site's slowness: waiting for a turn at a host that
                # many links lead to (a shared portal, Google Drive) must not make them "time out".
                deadline += waited
                retry.extend_deadline(waited)
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(f"over {s.total_timeout_s:g} s in all")
            extra = {} if verify is None else {"verify": verify}
            response = self.session.get(
                current, allow_redirects=False, stream=True, cookies=jar,
                timeout=(min(s.connect_timeout_s, left), min(s.read_timeout_s, left)),
                headers=headers, **extra,
            )
            try:
                extract_cookies_to_jar(jar, response.request, response.raw)
                # requests' helper undoes http.client's latin-1 reading of a UTF-8 Location
                # (Thai paths are common); None unless a 301/302/303/307/308 with Location.
                location = self.session.get_redirect_target(response)
                if location:
                    redirects.append(urljoin(current, location.strip()))
                    at.current = redirects[-1]
                    continue  # the finally closes this hop's response without reading it
                at.status_code, at.headers = response.status_code, response.headers
                body, truncated = self._read_body(response, deadline)
                return Fetch(url, status_code=response.status_code, headers=response.headers, body=body,
                             truncated=truncated, final_url=current)
            finally:
                # After a full read urllib3 has already put the connection back in the pool;
                # otherwise this drops the socket rather than drain an unknown remainder.
                response.close()

    def _read_body(self, response: requests.Response, deadline: float) -> tuple[bytes, bool]:
        """Reads at most max_body_bytes (+1 to know there is more) before the deadline."""
        cap, raw = self.settings.max_body_bytes, response.raw
        parts: list[bytes] = []
        got = 0
        while got <= cap:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(f"body still arriving after {self.settings.total_timeout_s:g} s")
            # Shrink the socket timeout to what is left, so a slow drip cannot hold the worker
            # a whole read timeout past the deadline.
            sock = getattr(getattr(raw, "connection", None), "sock", None)
            if sock is not None:
                sock.settimeout(min(self.settings.read_timeout_s, left))
            try:
                # read1 returns what has arrived; read(n) would wait for all n bytes.
                chunk = raw.read1(min(_CHUNK, cap + 1 - got), decode_content=True)
            except (u3.ReadTimeoutError, TimeoutError) as e:
                if time.monotonic() >= deadline - 0.05:  # it was the total, not the read timeout
                    raise DeadlineExceeded(f"body still arriving after {self.settings.total_timeout_s:g} s") from e
                raise
            if not chunk:
                return b"".join(parts), False
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)[:cap], True


class _ProbeSlot:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: content.Probe | None = None


