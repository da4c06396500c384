"""One URL's GET, through its redirects, as a browser makes it: the fetch half of the checker.

Redirects are followed here, by hand, so that every hop is recorded, vetted (`before_request`,
or what the checker gives instead), paced per host, and pinned to addresses the guard checked
before it is requested (sheets_sync.check.guard); a meta refresh, or a script that sends the browser on
from a page with nothing else to show, is followed like a redirect (sheets_sync.check.documents).
Each hop is one GET with the declared retries (sheets_sync.check.retry) within the check's
deadline (sheets_sync.check.budget); its body is read as sheets_sync.check.bodies says; a head
aiohttp refuses and browsers read is read again as they do (sheets_sync.check.lenient). The
result is a `Fetch`, never an exception: a failure becomes its reason code
(sheets_sync.check.failures).
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping
from urllib.parse import urldefrag, urlsplit

import aiohttp
from aiohttp.http_exceptions import ContentEncodingError
from multidict import CIMultiDict
from yarl import URL

from sheets_sync.check import bodies, content, documents, lenient
from sheets_sync.check.budget import Deadline, DeadlineExceeded
from sheets_sync.check.classify import Fetch
from sheets_sync.check.failures import (
    InvalidTarget,
    causes,
    cert_failure,
    describe,
    error_reason,
)
from sheets_sync.check.guard import PINNED, AddressPolicy
from sheets_sync.check.pdftext import squeeze
from sheets_sync.check.retry import build_retry
from sheets_sync.check.transport import TlsContexts, open_session
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.normalize import host_of

# Some CMSs behind Thai government WAFs refuse requests that do not look like a browser's.
_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
           "Accept-Language": "th,en;q=0.8"}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Errors worth a second attempt: no answer came (refused, reset, hung up, timed out). Not TLS
# or DNS errors, nor refused addresses: those will not heal in a second.
_NOT_RETRIED = (aiohttp.ClientSSLError, aiohttp.ClientConnectorDNSError)


@dataclass
class _Progress:
    """How far one fetch got, kept for the result when it stops on an exception."""

    current: str  # the URL being requested
    redirects: list[str] = field(default_factory=list)
    status_code: int | None = None  # of the final response, once its body is being read
    headers: Mapping[str, str] = field(default_factory=CIMultiDict)


class Fetcher:
    """The checker's HTTP side: the guard's address policy, the TLS contexts, the retry policy,
    the per-host pacing, the session (made on the loop on first use) and the memory room of
    large PDFs. Used from the checker's one event loop."""

    def __init__(self, settings: CheckerSettings, user_agent: str, sleep: Callable[[float], object] | None = None,
                 vet: Callable[[str], str | None] | None = None) -> None:
        """`vet(url)` is asked before every hop, as `before_request` (its default) says."""
        self.settings = settings
        self._vet = vet or self.before_request
        self.user_agent = user_agent
        # A lookup thread for each check that may run at once, twice over (a check waiting for its
        # site's probe gives its slot to another): no lookup waits for a thread.
        self.policy = AddressPolicy(settings.allow_private, settings.resolve, lookups=2 * settings.concurrency)
        self.retry = build_retry(settings)
        self.tls = TlsContexts()
        # Each wait on a socket is bounded by these; the whole check by its Deadline.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=settings.connect_timeout_s,
                                              sock_read=settings.read_timeout_s)
        self._sleep = sleep or asyncio.sleep
        self._next_at: dict[str, float] = {}
        self._session: aiohttp.ClientSession | None = None
        self.room = bodies.Room(settings.max_document_bytes)  # large PDFs' bytes held at once
        self._lenient = lenient.Readers()  # heads our parser refuses, read as browsers do

    async def close_session(self) -> None:
        """On the loop: closes the session's connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def close(self) -> None:
        """Lets go of the lookup and lenient-read threads."""
        self._lenient.close()
        self.policy.close()

    async def fetch(self, url: str, validators: tuple[str | None, str | None] | None = None,
                    deadline: float | None = None, verify: bool | None = None, as_browser: bool = False) -> Fetch:
        """GETs `url`, following redirects by hand, on the checker's loop. Never raises for a bad
        URL or site: the failure is the Fetch's `error`. `validators` (ETag, Last-Modified) make
        the request conditional; `verify` overrides verify_tls (the second look at a site whose
        certificate failed); `as_browser` sends the browser-like User-Agent."""
        start = time.monotonic()
        due = Deadline(deadline if deadline is not None else start + self.settings.total_timeout_s)
        at = _Progress(url)
        headers = {"User-Agent": self.settings.browser_user_agent if as_browser else self.user_agent, **_ACCEPT}
        etag, modified = validators or (None, None)
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        flags = {"conditional": bool(etag or modified), "as_browser": as_browser}
        timer = due.arm()
        try:
            try:
                async with timer:
                    fetch = await self._follow(url, at, due, headers, verify)
            except TimeoutError as e:
                if timer.expired():
                    raise DeadlineExceeded(f"over {self.settings.total_timeout_s:g} s in all (status line, "
                                           "headers or body still arriving)") from e
                raise
        except Exception as e:
            code, detail = error_reason(e)
            if code == "malformed" and at.redirects:
                code, detail = "check_failed", f"unusable redirect target: {detail}"
            # A body that fails half-way still had a status line: keep it.
            fetch = Fetch(url, status_code=at.status_code, headers=at.headers, error=code, detail=detail,
                          cert_invalid=code == "tls_error" and cert_failure(e))
        return replace(fetch, redirects=tuple(at.redirects), final_url=fetch.final_url or at.current,
                       elapsed_ms=int((time.monotonic() - start) * 1000), **flags)

    def before_request(self, url: str) -> str | None:
        """Called before every hop's request, before it waits for its turn at the host. Return
        None to go ahead, or a reason code to stop the check with it.

        A hop whose addresses are known without DNS (an IP literal, a --resolve name) and not
        allowed is refused here, so it neither queues behind the host's pacing nor times out
        there. Names are checked when the hop is pinned to its address (see `_follow`),
        which stays the rule that counts."""
        host = host_of(url)  # remembered: the dispatcher asked it of the same URL
        return "private_address" if host and self.policy.refuses_without_lookup(host) else None

    async def _wait(self, seconds: float) -> None:
        waited = self._sleep(seconds)
        if inspect.isawaitable(waited):
            await waited

    async def _pace(self, url: str) -> float:
        """Keeps min_host_interval_s between the starts of two requests to one host; returns
        the seconds waited for this request's turn."""
        interval = self.settings.min_host_interval_s
        if interval <= 0:
            return 0.0
        host = host_of(url)
        now = time.monotonic()
        at = max(now, self._next_at.get(host, 0.0))
        self._next_at[host] = at + interval
        if at - now <= 0:
            return 0.0
        await self._wait(at - now)
        return at - now

    async def _follow(self, url: str, at: _Progress, due: Deadline, headers: dict[str, str],
                      verify: bool | None) -> Fetch:
        s = self.settings
        jar: aiohttp.CookieJar | None = None  # this check's cookies, made on the first Set-Cookie
        seen: set[tuple] = set()
        redirects = at.redirects
        while True:
            current = at.current
            # A loop is the same request again: same URL *and* same cookies. A site that
            # redirects to itself after setting a cookie (a "cookie check") is not a loop.
            key = (urldefrag(current)[0], tuple(sorted((m["domain"], m["path"], m.key, m.value)
                                                       for m in jar)) if jar is not None else ())
            if key in seen:
                return Fetch(url, error="redirect_loop", detail=f"redirect loop back to {current}")
            seen.add(key)
            if len(redirects) > s.max_redirects:
                return Fetch(url, error="too_many_redirects", detail=f"more than {s.max_redirects} redirects")
            target = request_target(current)
            if target.scheme not in ("http", "https"):
                code = "redirect_not_http" if redirects else "bad_scheme"
                return Fetch(url, error=code, detail=f"not an http(s) URL: {current[:200]}")
            blocked = self._vet(current)
            if blocked == "private_address" and redirects and self.policy.refuses_as_written(target.raw_host or ""):
                # The site itself sends every visitor to an address inside a network (a CMS
                # set up by its office IP, or "localhost"): the assessor's browser fails there
                # too, whatever network the checker runs in. Not "the checker may not look".
                blocked = "redirect_private"
            if blocked:
                return Fetch(url, error=blocked, detail=f"not requested: {current[:200]}")
            waited = await self._pace(current)
            if waited:
                # Our own queue is not the site's slowness: waiting for a turn at a host that
                # many links lead to (a shared portal, Google Drive) must not make them "time out".
                due.extend(waited)
            # Every hop is pinned to addresses the guard checked; retries of the hop reuse them.
            host = target.raw_host or ""
            PINNED.set((host, await self._pin(host, target.port or 80, due)))
            hop_headers = headers
            if jar is not None:
                cookies = jar.filter_cookies(target)
                if cookies:
                    hop_headers = {**headers, "Cookie": "; ".join(f"{k}={m.coded_value}" for k, m in cookies.items())}
            try:
                response = await self._send(target, hop_headers, verify, due)
            except aiohttp.ServerDisconnectedError as e:
                head = _head_before_hang_up(e)
                if head is None:
                    raise
                # The site hung up inside its head: what came of it is the answer, with no
                # body (http.client read it so, and so do browsers: a blank page).
                at.status_code, at.headers = head.code, head.headers
                return Fetch(url, status_code=head.code, headers=head.headers, final_url=current)
            except aiohttp.ClientResponseError as e:
                if not lenient.refused_head(e):
                    raise
                # A head our strict parser refuses and browsers read (sheets_sync.check.lenient).
                answer = await self._read_leniently(target, hop_headers, verify, due, e)
                moved = _moved_to(current, answer.status, answer.headers)
                if moved:
                    redirects.append(moved)
                    at.current = moved
                    continue
                at.status_code, at.headers = answer.status, answer.headers
                return Fetch(url, status_code=answer.status, headers=answer.headers, body=answer.body,
                             truncated=answer.truncated, cut_early=answer.truncated and not content.is_html(
                                 answer.body, answer.headers), final_url=current,
                             detail=(f"HTTP {answer.status}; a head read as browsers read it"
                                     f"{', the connection ended early' if answer.ended_early else ''} "
                                     f"({squeeze(describe(e))[:120]})"))
            try:
                if response.cookies:
                    jar = jar or aiohttp.CookieJar(unsafe=True, quote_cookie=False)
                    jar.update_cookies(response.cookies, response.url)
                moved = _moved_to(current, response.status, response.headers)
                if moved:
                    redirects.append(moved)
                    at.current = moved
                    continue  # the finally closes this hop's response without reading it
                at.status_code, at.headers = response.status, response.headers
                try:
                    got = await self._read(response, due)
                    body = bodies.undo_codings(got.data, response.headers.get("Content-Encoding"),
                                               s.max_document_bytes)
                except aiohttp.ClientPayloadError as e:
                    if not any(isinstance(c, ContentEncodingError) for c in causes(e)):
                        raise
                    got, body = await self._decoded_as_browsers(target, hop_headers, verify, due, e)
                refresh = _refresh_target(current, body, response) if 200 <= response.status < 300 else None
                if refresh:
                    # A <meta http-equiv="refresh"> within seconds, or a script sending on from a
                    # page with nothing else to show: the browser goes on there, so the assessor
                    # sees that page; followed like a redirect (same limits).
                    redirects.append(refresh)
                    at.current, at.status_code = refresh, None
                    continue
                return Fetch(url, status_code=response.status, headers=response.headers, body=body,
                             truncated=got.truncated, cut_early=got.cut_early, final_url=current,
                             detail=(f"HTTP {response.status}; the connection ended after {len(body)} bytes, before "
                                     "the length the head declared" if got.ended_early else ""))
            finally:
                _let_go(response)

    async def _pin(self, host: str, port: int, due: Deadline) -> tuple:
        """The guard's addresses for `host` (AddressPolicy.pin). A lookup that failed for the
        moment (EAI_AGAIN: the site's name server timed out or answered SERVFAIL, as small
        agencies' often do) is asked again as the declared retries allow, within the deadline;
        it was "the name does not exist, check its spelling" on the first such hiccup. A name
        that does not exist (EAI_NONAME) is not asked again, nor one whose next lookup, as long
        as the last, would not end within the deadline (a name server that never answers keeps
        its `dns_error`, not a `timeout`, and holds a lookup thread no longer)."""
        attempt = 0
        while True:
            before = due.left()
            try:
                return await self.policy.pin(host, port)
            except socket.gaierror as e:
                if e.errno != socket.EAI_AGAIN or attempt >= self.retry.attempts:
                    raise
                attempt += 1
                wait = self.retry.wait(attempt)
                if wait + (before - due.left()) >= due.left():
                    raise
                await self._wait(wait)

    async def _read(self, response: aiohttp.ClientResponse, due: Deadline) -> bodies.Body:
        """The start of `response`'s body, within the settings' limits (sheets_sync.check.bodies)."""
        s = self.settings
        return await bodies.read(response.content, response.headers, s.max_body_bytes, s.max_document_bytes,
                                 self.room, due, s.total_timeout_s * bodies.TEXT_RESERVE)

    async def _decoded_as_browsers(self, target: URL, headers: dict[str, str], verify: bool | None, due: Deadline,
                                   refused: BaseException) -> tuple[bodies.Body, bytes]:
        """The hop's body that aiohttp refused to decode, asked again as sent and decoded as
        Chromium does (`bodies.decoded_whole`); `refused` again when a browser refuses it too."""
        response = await self._send(target, headers, verify, due, decompress=False)
        try:
            got = await self._read(response, due)
        finally:
            _let_go(response)
        body = bodies.decoded_whole(got.data, response.headers.get("Content-Encoding"),
                                    self.settings.max_document_bytes)
        if body is None:
            raise refused
        return got, body

    async def _send(self, target: URL, headers: dict[str, str], verify: bool | None,
                    due: Deadline, decompress: bool = True) -> aiohttp.ClientResponse:
        """One GET with the declared retries (sheets_sync.check.retry), within the budget."""
        s, policy = self.settings, self.retry
        ssl_context = self._tls_for(target, verify)
        session = self._session or self._open()
        attempt = 0
        while True:
            left = due.left()
            if left <= 0:
                raise DeadlineExceeded(f"over {s.total_timeout_s:g} s in all")
            timeout = self._timeout
            if left < max(s.connect_timeout_s, s.read_timeout_s):
                timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=min(s.connect_timeout_s, left),
                                                sock_read=min(s.read_timeout_s, left))
            try:
                response = await session.get(target, allow_redirects=False, headers=headers, timeout=timeout,
                                             ssl=ssl_context if ssl_context is not None else True,
                                             auto_decompress=decompress)
            except (aiohttp.ClientConnectionError, aiohttp.ServerTimeoutError) as e:
                if isinstance(e, _NOT_RETRIED) or attempt >= policy.attempts or _head_before_hang_up(e):
                    raise
                attempt += 1
                wait = policy.wait(attempt)
                if wait >= due.left():
                    raise
                await self._wait(wait)
                continue
            if attempt < policy.attempts and policy.retries_status(response.status) and \
                    (response.headers.get("cf-mitigated") or "").lower() != "challenge":
                # (a bot check's 503 answers the same a second later: content.challenge_page)
                wait = policy.wait(attempt + 1, response.headers.get("Retry-After"))
                if wait < due.left():
                    response.release()
                    attempt += 1
                    await self._wait(wait)
                    continue
            return response

    async def _read_leniently(self, target: URL, headers: dict[str, str], verify: bool | None, due: Deadline,
                              refused: BaseException) -> lenient.Answer:
        """The hop again, through http.client in a worker thread, from the addresses it was pinned
        to; the check's deadline timer (armed in `fetch`) bounds the wait."""
        s = self.settings
        pinned = PINNED.get()
        assert pinned is not None  # set by _follow before every hop
        return await self._lenient.get(target, tuple(map(str, pinned[1])), headers, self._tls_for(target, verify),
                                       s.connect_timeout_s, s.read_timeout_s, s.max_body_bytes, due, refused)

    def _tls_for(self, target: URL, verify: bool | None):
        """The TLS context for `target` (None for http://); `verify` overrides verify_tls."""
        if target.scheme != "https":
            return None
        return self.tls.get(self.settings.verify_tls if verify is None else verify)

    def _open(self) -> aiohttp.ClientSession:
        self._session = open_session(self.policy)
        return self._session


def request_target(url: str) -> URL:
    """The URL as the HTTP client will request it; InvalidTarget when it cannot be requested."""
    try:
        target = URL(url)
    except (ValueError, TypeError) as e:  # e.g. "http://[::1/"
        raise InvalidTarget(f"{e}: {url[:200]}") from e
    if target.scheme in ("http", "https") and not target.raw_host:
        raise InvalidTarget(f"no host in {url[:200]!r}")
    return target


def _moved_to(current: str, status: int, headers: Mapping[str, str]) -> str | None:
    """Where a redirect answer sends the browser, or None for any other answer."""
    location = headers.get("Location") if status in _REDIRECTS else None
    return documents.resolve(current, location) if location else None


def _refresh_target(current: str, body: bytes, response: aiohttp.ClientResponse) -> str | None:
    """The http(s) URL a page's meta refresh, or the script of a page with next to no text,
    sends the browser to, when it is another page."""
    written = documents.meta_refresh(body, response.headers) or documents.script_redirect(body, response.headers)
    if not written:
        return None
    try:
        target = documents.resolve(documents.base_url(body, current), written)
        scheme = urlsplit(target).scheme
    except ValueError:  # e.g. "http://[bad": the browser stays on the page
        return None
    if scheme not in ("http", "https") or urldefrag(target)[0] == urldefrag(current)[0]:
        return None  # a reload of the same page, or javascript:/mailto:, is not a move
    return target


def _let_go(response: aiohttp.ClientResponse) -> None:
    """After a full read the connection is already back in the pool; otherwise this drops the
    socket rather than drain an unknown remainder."""
    response.release() if response.content.at_eof() else response.close()


def _head_before_hang_up(error: BaseException):
    """The status line and headers aiohttp had parsed when the server hung up, if any."""
    head = getattr(error, "message", None)
    return head if isinstance(error, aiohttp.ServerDisconnectedError) and getattr(head, "code", None) else None
