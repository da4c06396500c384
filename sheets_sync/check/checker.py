"""The network checker: GETs each submitted URL and says whether an assessor could open it.

Every check is one task on the checker's event loop (aiohttp, see `transport`), which runs in
a thread of its own; `check`, `fetch` and `check_many` are the synchronous doors to it, so
the pipeline, the cache and the CLI call the checker as before. Redirects are followed here,
by hand, so that every hop is recorded, vetted by `_before_request`, and pinned to an address
the guard checked before it is requested; a page's first `max_body_bytes` are read, a PDF whole
up to `max_document_bytes`. Around it: `transport` (the session), `guard` (addresses), `retry`
(the declared policy), `bodies` (how much of a body), `upgrade` (an http:// link's https:// twin),
`budget` (the per-URL deadline), `dispatch` (many checks at once within the limits),
`classify` (Fetch -> verdict, content rules included) and `failures` (exception -> reason
code). A bad URL or a dead site is a result, never an exception.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Callable, Iterable, Mapping
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from sheets_sync.check import bodies, budget, content, documents, lenient, offline, transport, upgrade
from sheets_sync.check.budget import Deadline, DeadlineExceeded
from sheets_sync.check.classify import Fetch, classify, sign_in_host
from sheets_sync.check.dispatch import Dispatch
from sheets_sync.check.failures import InvalidTarget, cert_failure, describe, error_reason
from sheets_sync.check.guard import PINNED, AddressPolicy
from sheets_sync.check.pdfpool import PdfReaderPool
from sheets_sync.check.pdftext import squeeze
from sheets_sync.check.retry import build_retry
from sheets_sync.check.years import settled, years_in
from sheets_sync.check.transport import LoopThread, TlsContexts, identify, open_session
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core import reasons
from sheets_sync.core.clock import Clock, SystemClock
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import host_of

log = logging.getLogger(__name__)

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


class _ProbeNeeded(Exception):
    """classify asked for the site's soft-404 probe before it was fetched."""


class Checker:
    """Checks URLs over HTTP(S). Thread-safe; `check_many` runs checks concurrently."""

    def __init__(self, settings: CheckerSettings, clock: Clock | None = None,
                 sleep: Callable[[float], object] | None = None, stop: Callable[[], bool] | None = None,
                 pdf_years: tuple[tuple[int, ...], ...] = ()) -> None:
        """`clock` is wall time for later stages (durations use time.monotonic); `sleep` is
        what retries and the per-host pacing wait with (asyncio.sleep by default; a plain
        function is called as is, e.g. a test's recorder). `stop` says whether the process
        is stopping (the worker's SIGTERM): `check_many` polls it and then cuts the checks
        under way short (see sheets_sync.check.dispatch). `pdf_years`: the year sets of the
        rules the results will be judged by (years.year_sets); a PDF's pages are read only
        until its text settles them (pdftext.read). None given: the first pdf_pages pages,
        always (`sheets-sync check`, which may judge by any rule)."""
        self.settings = settings
        self.pdf_years = pdf_years
        self.clock = clock or SystemClock()
        # A lookup thread for each check that may run at once, twice over (a check waiting for its
        # site's probe gives its slot to another): no lookup waits for a thread.
        self.policy = AddressPolicy(settings.allow_private, settings.resolve, lookups=2 * settings.concurrency)
        self.retry = build_retry(settings)
        self.tls = TlsContexts()
        self._chains = None  # a chains.ChainCompleter, made when a certificate first fails
        # Each wait on a socket is bounded by these; the whole check by its Deadline.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=settings.connect_timeout_s,
                                              sock_read=settings.read_timeout_s)
        self._sleep = sleep or asyncio.sleep
        self.user_agent = identify(settings.user_agent, settings.contact_url)
        self.should_stop: Callable[[], bool] = stop or (lambda: False)
        self._next_at: dict[str, float] = {}
        self._probes: dict[str, asyncio.Future] = {}
        self._session: aiohttp.ClientSession | None = None
        self._runner: LoopThread | None = None
        self._runner_lock = threading.Lock()
        # PDF text off this process's event loop (see sheets_sync.check.pdfpool); its helper starts
        # with a run whose URLs name a document, else on the first PDF.
        self._pdf = PdfReaderPool(enough=pdf_years)
        self._room = bodies.Room(settings.max_document_bytes)  # large PDFs' bytes held at once
        self._lenient = lenient.Readers()  # heads our parser refuses, read as browsers do

    def __enter__(self) -> "Checker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def runner(self) -> LoopThread:
        """The event loop the checks run on, started on first use."""
        with self._runner_lock:
            if self._runner is None:
                self._runner = LoopThread()
            return self._runner

    def close(self) -> None:
        """Stops the PDF reader process, closes the connections and the event loop."""
        self._pdf.close()
        self._lenient.close()
        self.policy.close()
        with self._runner_lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            if self._session is not None:
                runner.run(self._session.close())
                self._session = None
            runner.close()

    def check(self, url: str, validators: tuple[str | None, str | None] | None = None) -> CheckResult:
        """Checks one URL. Never raises: every failure becomes a CheckResult.

        `validators` (ETag, Last-Modified) from an earlier answer make the request conditional;
        an unchanged page then comes back as HTTP 304 with status ok (see `classify`)."""
        return self.runner.run(self.check_async(url, validators))

    def fetch(self, url: str, validators: tuple[str | None, str | None] | None = None,
              deadline: float | None = None, verify: bool | None = None, as_browser: bool = False) -> Fetch:
        """GETs `url`, following redirects by hand. Never raises for a bad URL or site."""
        return self.runner.run(self.fetch_async(url, validators, deadline, verify, as_browser))

    def check_many(self, urls: Iterable[str], progress: Callable[[int, int], None] | None = None,
                   validators: Mapping[str, tuple[str | None, str | None]] | None = None
                   ) -> dict[str, CheckResult]:
        """Each distinct URL once, concurrently; progress(done, total) after each.

        A dispatcher keeps per-host queues and only starts a URL whose host has a free slot.
        When the worker itself is offline (canaries down, or nearly every host failing at the
        network level at once), network failures come back as `checker_offline`, never `broken`.
        """
        unique = list(dict.fromkeys(urls))
        self._probes = {}  # one soft-404 probe per host per run (read and written on the loop only)
        if self._chains is not None:
            self._chains.forget()  # and each intermediate certificate fetched once per run
        if not unique:
            return {}
        if offline.canaries_down(self.settings.canary_urls, self.check):
            if progress:
                progress(len(unique), len(unique))
            return offline.offline_results(unique, "checker offline: no canary URL reachable")
        if any(content.promises_document(u) for u in unique):
            self.runner.submit(self._pdf.start())  # ready before the first PDF comes back
        results = self._run(unique, progress, validators or {})
        if offline.looks_offline(results):
            failed = sum(1 for r in results.values() if offline.network_failure(r))
            log.warning("checker offline: nearly every host failed with DNS/connection errors at once; "
                        "%d URLs marked checker_offline, earlier verdicts stay", failed)
            results = offline.mark_offline(results)
        return results

    def _run(self, unique: list[str], progress, validators) -> dict[str, CheckResult]:
        return Dispatch(self, unique, validators).run(progress)

    # ------------------------------------------------------------ on the event loop
    async def check_async(self, url: str, validators: tuple[str | None, str | None] | None = None) -> CheckResult:
        """`check`, on the checker's loop. Never raises but for cancellation."""
        with bodies.holding(self._room):
            return await self._check(url, validators)

    async def _check(self, url: str, validators: tuple[str | None, str | None] | None) -> CheckResult:
        try:
            if content.platform_of(url):
                # facebook.com, youtube ...: a bot gets a login wall; not requested at all.
                return CheckResult(url=url, status=Status.OK, reasons=("unverifiable_platform",), final_url=url,
                                   detail="platform page: not verifiable by a bot")
            start = time.monotonic()
            deadline = start + self.settings.total_timeout_s
            fetch = await self.fetch_async(url, validators=validators, deadline=deadline)
            if fetch.error == "tls_error" and fetch.cert_invalid and self.settings.verify_tls:
                # Only to tell a bad certificate from a dead site: the same GETs, unverified,
                # nothing else (no probe, no browser retry).
                second = await self.fetch_async(url, deadline=deadline, verify=False)
                if second.error is None and second.status_code is not None:
                    result = await self._classify(second, deadline, probe=False)
                    if await self._chains_complete(second, deadline):
                        # The server left out its intermediate certificate; browsers fetch it and
                        # open the page without a warning (see sheets_sync.check.chains).
                        return replace(result, reasons=result.reasons + ("tls_chain_incomplete",),
                                       detail=(f"certificate chain incomplete, completed as browsers do "
                                               f"({fetch.detail[:120]}); {result.detail}")[:300],
                                       elapsed_ms=int((time.monotonic() - start) * 1000))
                    codes = ("tls_invalid",) + tuple(c for c in result.reasons if c != "tls_invalid")
                    return replace(result, status=reasons.status_of(codes), reasons=codes,
                                   detail=f"certificate not valid ({fetch.detail[:120]}); {result.detail}"[:300],
                                   elapsed_ms=int((time.monotonic() - start) * 1000))
            if fetch.status_code == 403 and fetch.error is None and not sign_in_host(fetch.final_url or url):
                # Some WAFs refuse anything that does not look like a browser.
                second = await self.fetch_async(url, validators=validators, deadline=deadline, as_browser=True)
                if second.error is None or second.status_code is not None:
                    fetch = second
            result = await self._classify(fetch, deadline, probe=self.settings.soft404_probe)
            if result.reasons == ("bot_blocked",) and not fetch.as_browser:
                # A firewall's refusal sent with 200 (content.firewall_page): asked again as a
                # browser, as a 403 is above.
                second = await self.fetch_async(url, validators=validators, deadline=deadline, as_browser=True)
                if second.error is None and second.status_code is not None:
                    result = await self._classify(second, deadline, probe=self.settings.soft404_probe)
            twin = upgrade.twin_to_try(url, result, fetch.redirects)
            if twin and deadline - time.monotonic() > 1:
                result = await self._upgraded(url, twin, result, deadline)
            return replace(result, elapsed_ms=int((time.monotonic() - start) * 1000))
        except Exception as e:  # a bug of ours costs one URL, never the run
            return CheckResult(url=url, status=Status.UNKNOWN, reasons=("check_failed",), detail=describe(e))

    async def _upgraded(self, url: str, twin: str, result: CheckResult, deadline: float) -> CheckResult:
        """`result` for a failed http:// link, or its https:// `twin`'s when that opens, as in a
        browser (sheets_sync.check.upgrade)."""
        second = await self.fetch_async(twin, deadline=deadline)
        if second.error is not None or second.status_code is None:
            return result
        opened = await self._classify(second, deadline, probe=self.settings.soft404_probe)
        if opened.status not in (Status.OK, Status.WARNING):
            return result
        codes = ("https_only",) + opened.reasons
        return replace(opened, url=url, status=reasons.status_of(codes), reasons=codes,
                       detail=f"http:// failed ({result.detail[:100]}); https:// opens: {opened.detail}"[:300])

    async def _classify(self, fetch: Fetch, deadline: float, probe: bool) -> CheckResult:
        """classify, with what it may need that takes waiting fetched first: a PDF's text (from
        the helper process) and the site's soft-404 probe (only when classify asks for it)."""
        page = None
        if fetch.error is None and fetch.status_code is not None and 200 <= fetch.status_code < 300:
            if content.is_pdf(fetch.body, fetch.headers):
                # A cut-off PDF cannot be opened: not worth the helper's time.
                page = (content.Page(kind="pdf", pdf_readable=False) if fetch.truncated
                        else await self._pdf.read_async(fetch.body, self.settings.pdf_pages, deadline))
            else:
                # Read once: classify runs a second time when it has to wait for the probe.
                page = content.read(fetch.body, fetch.headers, self.settings.pdf_pages)
                if page.kind == "html":
                    page = await self._with_documents(page, fetch.final_url or fetch.url, deadline)
        key = _origin(fetch.final_url or fetch.url) if probe else None
        if key is None:
            return classify(fetch, pdf_pages=self.settings.pdf_pages, page=page,
                            enough=self.pdf_years)

        def known_probe():
            slot = self._probes.get(key)
            if slot is None or not slot.done():
                raise _ProbeNeeded
            return slot.result()

        try:
            return classify(fetch, probe=known_probe, pdf_pages=self.settings.pdf_pages, page=page,
                            enough=self.pdf_years)
        except _ProbeNeeded:
            value = await self._probe(key, deadline)
            return classify(fetch, probe=value, pdf_pages=self.settings.pdf_pages, page=page,
                            enough=self.pdf_years)

    async def fetch_async(self, url: str, validators: tuple[str | None, str | None] | None = None,
                          deadline: float | None = None, verify: bool | None = None,
                          as_browser: bool = False) -> Fetch:
        """`fetch`, on the checker's loop."""
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

    def _before_request(self, url: str) -> str | None:
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

    async def _with_documents(self, page: content.Page, final_url: str, deadline: float) -> content.Page:
        """`page` with the text of the file(s) it shows (`content.Page.document`): a Drive or
        Docs viewer's file, or the documents it embeds, read only when its own text does not
        already settle the year rules the results are judged by (`pdf_years`; always without them)."""
        export = documents.viewer_export(final_url)
        if export:
            return replace(page, document=await self._document_text(export, deadline) or "")
        if content.is_viewer(final_url):
            return page
        shown = documents.embedded_documents(page, final_url)
        if not shown or settled(years_in(page.text), self.pdf_years):
            return page
        texts = [await self._document_text(documents.viewer_export(u) or u, deadline) for u in shown]
        return replace(page, document="\n".join(t for t in texts if t))  # "": shown, none readable

    async def _document_text(self, url: str, deadline: float) -> str | None:
        """The text of the document at `url` (an embedded PDF, or the download or export address
        of a viewer's file, `documents.viewer_export`); None when that gives no file with text: an error,
        a notice instead of the file (Drive's for files too large to scan for viruses, a quota
        page), a scan, a kind of file whose text is not read. One more request to the same
        host, through the same guard, pacing and deadline."""
        got = await self.fetch_async(url, deadline=deadline)
        if got.error is not None or got.status_code is None or not 200 <= got.status_code < 300 or not got.body:
            return None
        if content.is_pdf(got.body, got.headers):
            pdf = await self._pdf.read_async(got.body, self.settings.pdf_pages, deadline)
            return pdf.text or None
        if content.is_html(got.body, got.headers) or not (got.headers.get("Content-Type") or "").startswith("text/"):
            return None
        return squeeze(content.decode(got.body, got.headers)) or None

    async def _chains_complete(self, fetch: Fetch, deadline: float) -> bool:
        """Whether the certificate of every HTTPS server the unverified `fetch` went through
        verifies once the intermediates it names are fetched (sheets_sync.check.chains)."""
        # Imported here: cryptography's X.509 modules cost ~60 ms and ~9 MB, for a case most runs never meet.
        from sheets_sync.check.chains import ChainCompleter, presented_certificate

        if self._chains is None:
            # A certificate is judged at the real time, as the TLS handshake (and a browser) judges it.
            self._chains = ChainCompleter(lambda: transport.CA_BUNDLE, lambda: datetime.now(UTC))

        async def issuer(url: str) -> bytes | None:
            got = await self.fetch_async(url, deadline=deadline)
            ok = got.error is None and got.status_code == 200 and not got.truncated
            return got.body if ok else None

        try:
            servers = {(t.raw_host or "", t.port or 443) for t in map(_target, (fetch.url, *fetch.redirects))
                       if t.scheme == "https"}
            if not servers:
                return False
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                for host, port in sorted(servers):
                    # The handshake is made again to read the certificate: aiohttp gives a
                    # response's connection back to its pool, and so out of reach, once a
                    # short body has arrived. Same guard and pinned address as any request.
                    address = (await self.policy.pin(host, port))[0]
                    der = await presented_certificate(str(address), port, host, self.tls.get(False))
                    if der is None or not await self._chains.completes(host, der, issuer):
                        return False
        except (OSError, TimeoutError, ssl.SSLError, ValueError):  # the guard's refusal is an OSError;
            return False  # ValueError: InvalidTarget, a name the TLS library cannot encode
        return True

    async def _probe(self, key: str, deadline: float) -> content.Probe | None:
        """The site's answer to a random missing path, fetched once per host per run; every
        other check of the host waits for the first one's answer."""
        slot = self._probes.get(key)
        if slot is None:
            slot = self._probes[key] = asyncio.get_running_loop().create_future()
            value = None
            try:
                f = await self.fetch_async(f"{key}/sheets-sync-probe-{secrets.token_hex(6)}", deadline=deadline)
                if f.error is None:
                    value = content.probe_from(f.status_code, f.final_url, f.body, f.headers)
            finally:
                slot.set_result(value)
            return value
        budget.idle()  # no request of ours in flight while the first check fetches it
        try:
            return await asyncio.wait_for(asyncio.shield(slot), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return None

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
            target = _target(current)
            if target.scheme not in ("http", "https"):
                code = "redirect_not_http" if redirects else "bad_scheme"
                return Fetch(url, error=code, detail=f"not an http(s) URL: {current[:200]}")
            blocked = self._before_request(current)
            if blocked:
                return Fetch(url, error=blocked, detail=f"not requested: {current[:200]}")
            waited = await self._pace(current)
            if waited:
                # Our own queue is not the site's slowness: waiting for a turn at a host that
                # many links lead to (a shared portal, Google Drive) must not make them "time out".
                due.extend(waited)
            # Every hop is pinned to addresses the guard checked; retries of the hop reuse them.
            host = target.raw_host or ""
            PINNED.set((host, await self.policy.pin(host, target.port or 80)))
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
                location = answer.headers.get("Location") if answer.status in _REDIRECTS else None
                if location:
                    redirects.append(urljoin(current, _native(location.strip())))
                    at.current = redirects[-1]
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
                location = response.headers.get("Location") if response.status in _REDIRECTS else None
                if location:
                    redirects.append(urljoin(current, _native(location.strip())))
                    at.current = redirects[-1]
                    continue  # the finally closes this hop's response without reading it
                at.status_code, at.headers = response.status, response.headers
                got = await bodies.read(response.content, response.headers, s.max_body_bytes, s.max_document_bytes,
                                        self._room, due, s.total_timeout_s * bodies.TEXT_RESERVE)
                body = got.data
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
                # After a full read the connection is already back in the pool; otherwise this
                # drops the socket rather than drain an unknown remainder.
                response.release() if response.content.at_eof() else response.close()

    async def _send(self, target: URL, headers: dict[str, str], verify: bool | None,
                    due: Deadline) -> aiohttp.ClientResponse:
        """One GET with the declared retries (sheets_sync.check.retry), within the budget."""
        s, policy = self.settings, self.retry
        verified = s.verify_tls if verify is None else verify
        ssl_context = self.tls.get(verified) if target.scheme == "https" else None
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
                                             ssl=ssl_context if ssl_context is not None else True)
            except (aiohttp.ClientConnectionError, aiohttp.ServerTimeoutError) as e:
                if isinstance(e, _NOT_RETRIED) or attempt >= policy.attempts or _head_before_hang_up(e):
                    raise
                attempt += 1
                wait = policy.wait(attempt)
                if wait >= due.left():
                    raise
                await self._wait(wait)
                continue
            if attempt < policy.attempts and policy.retries_status(response.status):
                wait = policy.wait(attempt + 1, response.headers.get("Retry-After"))
                if wait < due.left():
                    response.release()
                    attempt += 1
                    await self._wait(wait)
                    continue
            return response

    async def _read_leniently(self, target: URL, headers: dict[str, str], verify: bool | None, due: Deadline,
                              refused: BaseException) -> lenient.Answer:
        """The hop again, through http.client in a worker thread, from the address it was pinned to."""
        s = self.settings
        verified = s.verify_tls if verify is None else verify
        pinned = PINNED.get()
        assert pinned is not None  # set by _follow before every hop
        async with asyncio.timeout(max(0.0, due.left())):
            return await self._lenient.get(target, str(pinned[1][0]), headers,
                                           self.tls.get(verified) if target.scheme == "https" else None,
                                           s.connect_timeout_s, s.read_timeout_s, s.max_body_bytes, due, refused)

    def _open(self) -> aiohttp.ClientSession:
        self._session = open_session(self.policy)
        return self._session


def _target(url: str) -> URL:
    """The URL as the HTTP client will request it; InvalidTarget when it cannot be requested."""
    try:
        target = URL(url)
    except (ValueError, TypeError) as e:  # e.g. "http://[::1/"
        raise InvalidTarget(f"{e}: {url[:200]}") from e
    if target.scheme in ("http", "https") and not target.raw_host:
        raise InvalidTarget(f"no host in {url[:200]!r}")
    return target


def _refresh_target(current: str, body: bytes, response: aiohttp.ClientResponse) -> str | None:
    """The http(s) URL a page's meta refresh, or the script of a page with next to no text,
    sends the browser to, when it is another page."""
    written = documents.meta_refresh(body, response.headers) or documents.script_redirect(body, response.headers)
    if not written:
        return None
    try:
        target = urljoin(current, _native(written))
        scheme = urlsplit(target).scheme
    except ValueError:  # e.g. "http://[bad": the browser stays on the page
        return None
    if scheme not in ("http", "https") or urldefrag(target)[0] == urldefrag(current)[0]:
        return None  # a reload of the same page, or javascript:/mailto:, is not a move
    return target


def _head_before_hang_up(error: BaseException):
    """The status line and headers aiohttp had parsed when the server hung up, if any."""
    head = getattr(error, "message", None)
    return head if isinstance(error, aiohttp.ServerDisconnectedError) and getattr(head, "code", None) else None


def _native(location: str) -> str:
    """A Location header as a URL string: raw non-ASCII bytes (UTF-8 Thai paths are common,
    sometimes TIS-620) percent-encoded as they came, the way browsers send them on."""
    if location.isascii():
        return location
    raw = location.encode("utf-8", "surrogateescape")
    return quote(raw, safe="!#$%&'()*+,/:;=?@[]~")


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else None
