"""The network checker: GETs each submitted URL and says whether an assessor could open it.

One shared `requests.Session` (one connection pool) serves every worker thread. Retries are
declared on its adapter (see `sheets_sync.retry`); redirects are followed here, by hand, so
that every hop is recorded and can be vetted by `_before_request` before it is requested.
Only the first `max_body_bytes` of a body are read, and they are kept in `Fetch.body` for
the content rules that `classify` will grow. A bad URL or a dead site is a result, never an
exception.
"""

from __future__ import annotations

import logging
import re
import secrets
import socket
import ssl
import threading
import time
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from http.cookiejar import DefaultCookiePolicy
from typing import Callable, Iterable, Mapping
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3.exceptions as u3
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar, merge_cookies
from requests.hooks import default_hooks
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict

from sheets_sync import content, offline, reasons, retry
from sheets_sync.guard import AddressBlocked, AddressPolicy, GuardedAdapter
from sheets_sync.clock import Clock, SystemClock
from sheets_sync.config import CheckerSettings
from sheets_sync.models import CheckResult, Status
from sheets_sync.pdfpool import PdfReaderPool

log = logging.getLogger(__name__)

# The only unverified requests are the deliberate second look at a site whose certificate
# failed (tls_invalid); urllib3 would warn about each.
warnings.filterwarnings("ignore", category=u3.InsecureRequestWarning)

_CHUNK = 64 * 1024
# Some CMSs behind Thai government WAFs refuse requests that do not look like a browser's.
_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
           "Accept-Language": "th,en;q=0.8"}


@dataclass(frozen=True)
class Fetch:
    """What one URL's GET gave: the last response after redirects with the first bytes of its
    body, or the reason code (`error`) why there was none. `classify` reads it."""

    url: str
    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""  # decoded (gzip undone), at most max_body_bytes
    truncated: bool = False  # the body went on past max_body_bytes
    final_url: str | None = None
    redirects: tuple[str, ...] = ()  # each URL redirected to, in order
    elapsed_ms: int = 0
    error: str | None = None  # a reason code: dns_error, timeout, redirect_loop ...
    detail: str = ""
    cert_invalid: bool = False  # error is tls_error because the certificate failed verification
    conditional: bool = False  # sent with If-None-Match / If-Modified-Since
    as_browser: bool = False  # sent with the browser-like User-Agent (after a 403)


@dataclass
class _Progress:
    """How far one fetch got, kept for the result when it stops on an exception."""

    current: str  # the URL being requested
    redirects: list[str] = field(default_factory=list)
    status_code: int | None = None  # of the final response, once its body is being read
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)


class DeadlineExceeded(Exception):
    """The URL's total_timeout_s ran out (mapped to the `timeout` reason)."""


class _NoSessionCookies(DefaultCookiePolicy):
    # The shared session must not carry one site's cookies into another check; each check
    # keeps its own jar (see Checker._follow) so cookie-setting redirects still work.
    def set_ok(self, cookie, request) -> bool:
        return False


class CheckerSession(requests.Session):
    """The checker's session. `request` takes a shorter path for the checker's own calls
    (one GET, redirects not followed, no auth/params/proxies/hooks, trust_env off): the same
    prepared request through the same adapter, without what `requests.Session` does per call
    for general use and the checker never needs: merging seven settings (slow `Mapping`
    checks), a no-op cookie extraction into the session jar (its policy refuses them all),
    the look-ahead `Response.next` request prepared for every redirect, and the hooks.
    Measured: ~0.38 instead of ~0.45 ms of CPU per loopback GET. Any other call goes through
    `requests.Session.request` unchanged."""

    def request(self, method, url, *, headers=None, cookies=None, timeout=None, allow_redirects=True,
                stream=None, verify=None, **other):
        if (allow_redirects or any(v is not None for v in other.values()) or self.trust_env or self.auth
                or self.params or self.proxies or any(self.hooks.values())):
            return super().request(method, url, headers=headers, cookies=cookies, timeout=timeout,
                                   allow_redirects=allow_redirects, stream=stream, verify=verify, **other)
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method.upper(), url=url,
                         headers=merge_setting(headers, self.headers, dict_class=CaseInsensitiveDict),
                         cookies=merge_cookies(merge_cookies(RequestsCookieJar(), self.cookies), cookies or {}),
                         hooks=default_hooks())
        stream = self.stream if stream is None else stream
        response = self.get_adapter(prepared.url).send(
            prepared, stream=stream, timeout=timeout, verify=self.verify if verify is None else verify,
            cert=self.cert, proxies={})
        if not stream:
            response.content  # noqa: B018 - read the body now, as requests does
        return response


def build_session(settings: CheckerSettings, sleep: Callable[[float], None] = time.sleep,
                  policy: AddressPolicy | None = None) -> requests.Session:
    """The checker's shared session: no proxies from the environment, retry policy mounted."""
    session = CheckerSession()
    # Never route through HTTP(S)_PROXY/ALL_PROXY (nor read .netrc): the address guard must
    # see, and the checker must connect to, the real target.
    session.trust_env = False
    session.verify = settings.verify_tls
    session.cookies.set_policy(_NoSessionCookies())
    adapter = GuardedAdapter(
        policy or AddressPolicy(settings.allow_private, settings.resolve),
        # At most `concurrency` hosts are in flight at once, so this many pools keeps every
        # active host's pool alive; more would only hold idle sockets to finished hosts.
        pool_connections=max(10, settings.concurrency),
        # >= per_host; cross-host redirects (many URLs -> one portal) can exceed per_host on
        # one target, and a pool smaller than that would discard connections.
        pool_maxsize=max(settings.per_host, settings.concurrency),
        max_retries=retry.build_retry(settings, sleep),
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Checker:
    """Checks URLs over HTTP(S). Thread-safe; `check_many` runs checks concurrently."""

    def __init__(self, settings: CheckerSettings, session: requests.Session | None = None,
                 clock: Clock | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        """`session` is used as given (the caller configures and closes it); otherwise one is
        built by `build_session`. `clock` is wall time for later stages (durations use
        time.monotonic); `sleep` is what retries and the per-host pacing wait with."""
        self.settings = settings
        self.clock = clock or SystemClock()
        self._own_session = session is None
        self.policy = AddressPolicy(settings.allow_private, settings.resolve)
        self.session = session if session is not None else build_session(settings, sleep, self.policy)
        self._sleep = sleep
        self.user_agent = identify(settings.user_agent, settings.contact_url)
        self._pace_lock = threading.Lock()
        self._next_at: dict[str, float] = {}
        self._probe_lock = threading.Lock()
        self._probes: dict[str, _ProbeSlot] = {}
        # PDF text off this process's GIL (see sheets_sync.pdfpool); started on the first PDF.
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
                    result = classify(second, pdf_pages=self.settings.pdf_pages, pdf_reader=self._pdf.read)
                    codes = ("tls_invalid",) + tuple(c for c in result.reasons if c != "tls_invalid")
                    return replace(result, status=reasons.status_of(codes), reasons=codes,
                                   detail=f"certificate not valid ({fetch.detail[:120]}); {result.detail}"[:300],
                                   elapsed_ms=int((time.monotonic() - start) * 1000))
            if fetch.status_code == 403 and fetch.error is None and not _sign_in_host(fetch.final_url or url):
                # Some WAFs refuse anything that does not look like a browser.
                second = self.fetch(url, validators=validators, deadline=deadline, as_browser=True)
                if second.error is None or second.status_code is not None:
                    fetch = second
            probe = (lambda: self._probe(fetch.final_url or url, deadline)) if self.settings.soft404_probe else None
            result = classify(fetch, probe=probe, pdf_pages=self.settings.pdf_pages, pdf_reader=self._pdf.read)
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
        return _Dispatch(self, unique, validators).run(progress)

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
                          cert_invalid=code == "tls_error" and _cert_failure(e))
        return replace(fetch, redirects=tuple(at.redirects), final_url=fetch.final_url or at.current,
                       elapsed_ms=int((time.monotonic() - start) * 1000), **flags)

    def _before_request(self, url: str) -> str | None:
        """Called before every hop's request, before it waits for its turn at the host. Return
        None to go ahead, or a reason code to stop the check with it.

        A hop whose addresses are known without DNS (an IP literal, a --resolve name) and not
        allowed is refused here, so it neither queues behind the host's pacing nor times out
        there. Names are checked where the connection is made (sheets_sync.guard), which
        stays the rule that counts."""
        host = urlsplit(url).hostname
        return "private_address" if host and self.policy.refuses_without_lookup(host) else None

    def _pace(self, url: str) -> float:
        """Keeps min_host_interval_s between the starts of two requests to one host; returns
        the seconds waited for this request's turn."""
        interval = self.settings.min_host_interval_s
        if interval <= 0:
            return 0.0
        host = host_key(url)
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
                code = "check_failed" if redirects else "bad_scheme"
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


def classify(fetch: Fetch, probe: "content.Probe | Callable[[], content.Probe | None] | None" = None,
             pdf_pages: int = 5, pdf_reader: "Callable[[bytes, int], content.Page] | None" = None) -> CheckResult:
    """Turns a Fetch into the verdict for its URL: the HTTP outcome first, then, for a 2xx
    answer, what its content shows (sheets_sync.content). `probe` is the site's answer to a
    random missing path (or a callable giving it, called only if needed) for soft-404s;
    `pdf_reader` replaces `content.read_pdf` (same answer, computed elsewhere)."""
    code = fetch.status_code
    detail = fetch.detail or (f"HTTP {code}" if code is not None else "")
    final = fetch.final_url or fetch.url
    if fetch.error:
        codes: tuple[str, ...] = (fetch.error,)
    elif code is None:
        codes = ("check_failed",)
    elif code == 304 and fetch.conditional:
        codes = ()  # unchanged since the cached verdict: the cache keeps that verdict
        detail = "HTTP 304 not modified"
    elif 200 <= code < 300:
        codes = ()
        if fetch.truncated:
            codes = ("too_large",)
            detail = f"HTTP {code}; body over {len(fetch.body)} bytes"
        found = content.inspect(fetch.url, final, code, fetch.body, fetch.headers, truncated=fetch.truncated,
                                probe=probe, pdf_pages=pdf_pages, pdf_reader=pdf_reader)
        codes = codes + found
    elif code in (401, 403) and (content.sign_in_url(final) or _sign_in_host(final)):
        codes = ("login_required",)  # a Drive/Docs file not shared publicly
    elif code == 403 and fetch.as_browser:
        codes = ("bot_blocked",)  # 403 to our own User-Agent and to a browser's
    elif code == 429:  # still 429 after the retries
        codes = ("rate_limited",)
    elif 300 <= code < 400:
        # A redirect without Location (or a 300/304): the browser shows nothing usable.
        codes = ("http_4xx",)
        detail = f"HTTP {code} without a redirect to follow"
    elif 400 <= code < 500:
        codes = ("http_4xx",)
    elif 500 <= code < 600:  # still failing after the retries
        codes = ("http_5xx",)
    else:
        codes = ("check_failed",)
    return CheckResult(
        url=fetch.url, status=reasons.status_of(codes), reasons=codes, http_status=code,
        final_url=fetch.final_url, elapsed_ms=fetch.elapsed_ms, redirects=fetch.redirects, detail=detail,
        etag=fetch.headers.get("ETag"), last_modified=fetch.headers.get("Last-Modified"),
    )


class _ProbeSlot:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: content.Probe | None = None


class _Dispatch:
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

    def __init__(self, checker: "Checker", urls: list[str], validators) -> None:
        self.checker, self.validators, self.total = checker, validators, len(urls)
        self.queues: dict[str, deque[str]] = {}
        for url in urls:
            self.queues.setdefault(host_key(url), deque()).append(url)
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


def identify(user_agent: str, contact_url: str) -> str:
    """The User-Agent with the contact URL in it, the way crawlers write it: '(...; +URL)'."""
    if not contact_url or contact_url in user_agent:
        return user_agent
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; +{contact_url})"
    return f"{user_agent} (+{contact_url})"


def _sign_in_host(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host in ("drive.google.com", "docs.google.com", "sites.google.com") or content.sign_in_url(url)


def _cert_failure(exc: BaseException) -> bool:
    """The TLS error is the certificate failing verification (expired, self-signed, missing
    intermediate, wrong name), not a handshake a browser would fail too."""
    for e in _causes(exc):
        if isinstance(e, (ssl.SSLCertVerificationError, ssl.CertificateError)):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(e) or "doesn't match" in str(e) or "hostname mismatch" in str(e):
            return True
    return False


def host_key(url: str) -> str:
    """The name the per-host limit counts by: the lower-case host name, port ignored."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# Most specific first: a DNS failure is also a "new connection" error, which urllib3 in
# turn derives from its connect-timeout error.
_ERROR_REASONS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("private_address", (AddressBlocked,)),
    ("timeout", (DeadlineExceeded,)),
    ("dns_error", (u3.NameResolutionError, socket.gaierror)),
    ("tls_error", (requests.exceptions.SSLError, u3.SSLError, ssl.SSLError, ssl.CertificateError)),
    ("malformed", (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                   requests.exceptions.InvalidSchema, u3.LocationValueError)),
    ("connect_error", (u3.NewConnectionError, ConnectionRefusedError)),
    ("timeout", (requests.exceptions.Timeout, u3.TimeoutError, TimeoutError)),
    ("connect_error", (requests.exceptions.ConnectionError, u3.ProtocolError, ConnectionError)),
)


def error_reason(exc: BaseException) -> tuple[str, str]:
    """The reason code for an exception raised while fetching, and a short detail."""
    chain = _causes(exc)
    for code, types in _ERROR_REASONS:
        matches = [e for e in chain if isinstance(e, types)]
        if matches:
            # urllib3's own error names host and cause without requests' retry wrapping.
            ours = [e for e in matches if type(e).__module__.startswith("urllib3")]
            return code, describe((ours or matches)[-1])
    return "check_failed", describe(exc)


def _causes(exc: BaseException) -> list[BaseException]:
    # requests wraps urllib3's MaxRetryError, which holds the real error in .reason.
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is o for o in out):
            continue
        out.append(e)
        # ssl.SSLError.reason is a string, MaxRetryError.reason an exception: keep exceptions.
        todo += [c for c in (getattr(e, "reason", None), e.__cause__, e.__context__, *e.args)
                 if isinstance(c, BaseException)]
    return out


def describe(exc: BaseException) -> str:
    """'ClassName: message', without urllib3's object reprs, cut to 300 characters."""
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*", "", str(exc)).strip()
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
