"""The network checker: GETs each submitted URL and says whether an assessor could open it.

Every check is one task on the checker's event loop (aiohttp, see `transport`), which runs in
a thread of its own; `check`, `fetch` and `check_many` are the synchronous doors to it, so
the pipeline, the cache and the CLI call the checker as before. The GET itself, through its
redirects, is the `fetcher`'s (guard, pacing, retries, bodies, lenient heads); here a Fetch
becomes a verdict (`classify`, content rules included), with what a verdict may need beyond
the page: the site's soft-404 probe (or, where it shows no template, the page's `sibling` or the site's home page), the
documents a page shows, a PDF's text (`pdfpool`), the second look at a site whose certificate
failed (`chains`), a firewall's refusal (403, 406, 415) asked again as a browser, an http://
link's https:// twin (`upgrade`). Around it: `budget` (the per-URL deadline) and
`dispatch` (many checks at once within the limits). A bad URL or a dead site is a result,
never an exception.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import ssl
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Callable, Iterable, Mapping, NamedTuple
from urllib.parse import urlsplit

from sheets_sync.check import (
    bodies,
    budget,
    content,
    documents,
    linked,
    offline,
    sibling,
    template,
    transport,
    upgrade,
)
from sheets_sync.check.classify import REFUSALS, Fetch, classify, sign_in_host, template_years
from sheets_sync.check.dispatch import Dispatch
from sheets_sync.check.failures import describe
from sheets_sync.check.fetcher import Fetcher, request_target
from sheets_sync.check.pdfpool import PdfReaderPool
from sheets_sync.check.pdftext import squeeze, wants_password
from sheets_sync.check.retry import RETRY_STATUSES
from sheets_sync.check.shared import UNANSWERED, Cut, SharedRequests, noting_unanswered
from sheets_sync.check.transport import LoopThread, identify
from sheets_sync.check.years import settled
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core import reasons
from sheets_sync.core.clock import Clock, SystemClock
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import folder_index, host_of, is_homepage

log = logging.getLogger(__name__)


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
        self.fetcher = Fetcher(settings, identify(settings.user_agent, settings.contact_url), sleep,
                               vet=self._before_request)
        self.policy, self.tls = self.fetcher.policy, self.fetcher.tls
        self._chains = None  # a chains.ChainCompleter, made when a certificate first fails
        self.should_stop: Callable[[], bool] = stop or (lambda: False)
        self._new_run()
        self._runner: LoopThread | None = None
        self._runner_lock = threading.Lock()
        # PDF text off this process's event loop (see sheets_sync.check.pdfpool); its helper starts
        # with a run whose URLs name a document, else on the first PDF.
        self._pdf = PdfReaderPool(enough=pdf_years)

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
        self.fetcher.close()
        with self._runner_lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.run(self.fetcher.close_session())
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
        self._new_run()
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

    def _new_run(self) -> None:
        """The requests a run's checks share (sheets_sync.check.shared), none asked yet: a run
        never reuses another's answers."""
        self._probes = SharedRequests(self.fetch_async)  # one soft-404 probe per host per run
        # and one look at its root (_home: an item sent to a folder's index, a template untold)
        self._homes = SharedRequests(self.fetch_async)
        # and one sibling per script (_template_probe), by a content id new each run
        self._siblings, self._sibling_number = SharedRequests(self.fetch_async), _sibling_number()
        # and each intermediate certificate fetched once per run (_chains_complete)
        self._issuers = SharedRequests(self.fetch_async)

    # ------------------------------------------------------------ on the event loop
    async def check_async(self, url: str, validators: tuple[str | None, str | None] | None = None) -> CheckResult:
        """`check`, on the checker's loop. Never raises but for cancellation."""
        with bodies.holding(self.fetcher.room):
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
                if second.error == "timeout":
                    # Out of time (the check's, or the site's own read timeout) before the page
                    # came unverified: the certificate was never told bad from only incomplete.
                    # The first fetch's tls_error called "broken" a slow site browsers open.
                    return replace(classify(second), elapsed_ms=int((time.monotonic() - start) * 1000))
                if second.error is None and second.status_code is not None:
                    result = await self._classify(second, deadline, probe=False)
                    completes = await self._chains_complete(second, deadline)
                    if completes is None:
                        # Out of time before the chain was told: the verdict of a check whose time
                        # runs out, asked again next run. tls_invalid called a certificate bad that
                        # every browser accepts.
                        late = Fetch(url, error="timeout", detail=f"over {self.settings.total_timeout_s:g} s in all "
                                                                  "(the intermediate certificate still arriving)")
                        return replace(classify(late), elapsed_ms=int((time.monotonic() - start) * 1000))
                    if completes:
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
            fetch = await self._as_browser_if_refused(url, fetch, deadline, validators)
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

    async def _as_browser_if_refused(self, url: str, fetch: Fetch, deadline: float,
                                     validators: tuple[str | None, str | None] | None = None) -> Fetch:
        """`fetch`, or the answer to the same request as a browser when `fetch` was refused: some
        WAFs refuse anything that does not look like a browser, with 403, or with 406
        (ModSecurity as shared hosting's control panels set it up)."""
        if fetch.status_code not in REFUSALS or fetch.error is not None or sign_in_host(fetch.final_url or url):
            return fetch
        second = await self.fetch_async(url, validators=validators, deadline=deadline, as_browser=True)
        return second if second.error is None or second.status_code is not None else fetch

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
        the helper process), the files and frames a page shows, and the site's soft-404 probe
        (only when classify asks for it)."""
        with noting_unanswered() as noted:
            result, page = await self._classified(fetch, deadline, probe)
            if probe and fetch.redirects and result.status in (Status.OK, Status.WARNING) and \
                    "redirected_home" not in result.reasons and await self._sent_to_folder_home(fetch, deadline):
                codes = result.reasons + ("redirected_home",)
                result = replace(result, status=reasons.status_of(codes), reasons=codes)
            unanswered = bool(noted)
        if unanswered:
            # Judged without what a rule asked the site for (its home page, soft-404 probe or a
            # page's sibling), which gave no answer this time: a verdict of this run only. Reused
            # from the cache for its TTL, or kept by a 304 to its validators, it stood for hours or
            # for good (a footer's false ok, a deleted item's ok by its template).
            result = replace(result, etag=None, last_modified=None, unfinished=True)
        if page is not None and page.document is not None and (result.etag or result.last_modified):
            # Read with the files or frames it shows: its own page unchanged (a 304 to the cache's
            # conditional GET) says nothing of them. A PDF replaced at the same address under an
            # unchanged item page kept last year's reading, and its "no 2566", for good.
            result = replace(result, etag=None, last_modified=None)
        return result

    async def _sent_to_folder_home(self, fetch: Fetch, deadline: float) -> bool:
        """An item's address sent on to the index of a folder just below the site's root ("/web/"),
        where the site's own root leads too: the home page of a site installed in a subfolder. Its
        news of 2566 passed a deleted article's address as "ok" (the root's home page was known
        as such, a subfolder's was not). The root is asked once per site and run, only then."""
        final = fetch.final_url or fetch.url
        folder, origin = folder_index(final), _origin(final)
        if folder is None or origin is None or folder_index(fetch.url) is not None or is_homepage(fetch.url):
            return False

        home = await self._home(origin, deadline)
        return home is not None and _origin(home.leads) == origin and folder_index(home.leads) == folder

    async def _home(self, origin: str, deadline: float) -> "_Home | None":
        """Where the site's root leads, with the dated lines of its template's parts
        (`template.part_lines`) and whether it is a consent wall alone (`content.wall_text`); None
        when it does not open. Asked once per site and run (`SharedRequests.ask`: again by a later
        check with more time than a request cut by its asker's deadline had; one that did not
        answer this time is noted for the check)."""
        def root(f: Fetch) -> _Home | None:
            if f.error is not None or f.status_code is None or not 200 <= f.status_code < 300:
                return None
            if not content.is_html(f.body, f.headers) or f.truncated:
                return _Home(f.final_url or f.url, ())
            home = content.read_html(f.body, f.headers)
            return _Home(f.final_url or f.url, template.part_lines(home.raw_html, self._wanted_years()),
                         content.wall_text(home))

        return await self._homes.ask(origin, origin + "/", deadline, root)

    async def _walled_site(self, url: str, page: content.Page, deadline: float) -> bool:
        """Whether `page` (at `url`) is a consent banner alone (`content.wall_text`) and its site's
        home page is the same wall: a wall in front of every page, the item's page behind it
        (content.examine's `walled_site`). An item page left empty on a site with a banner on every
        page reads the same, but its site's home page shows its home page (and the page its own
        title). The home page (`_home`, once per site and run) is asked only for such a page."""
        wall = content.wall_text(page)
        origin = _origin(url) if wall is not None else None
        if origin is None:
            return False
        home = await self._home(origin, deadline)
        return home is not None and home.wall == wall and _site_host(home.leads) == _site_host(url)

    async def _classified(self, fetch: Fetch, deadline: float, probe: bool) -> tuple[CheckResult, content.Page | None]:
        page = None
        if fetch.error is None and fetch.status_code is not None and 200 <= fetch.status_code < 300:
            if content.is_document(fetch.body, fetch.headers):
                # A cut-off PDF or office file cannot be opened: not worth the helper's time.
                page = (content.document_page(fetch.body, readable=False) if fetch.truncated
                        else await self._pdf.read_async(fetch.body, self.settings.pdf_pages, deadline,
                                                        host_of(fetch.final_url or fetch.url)))
            else:
                # Read once: classify runs a second time when it has to wait for the probe.
                page = content.read(fetch.body, fetch.headers, self.settings.pdf_pages)
                if page.kind == "html":
                    page = await self._with_documents(page, fetch.final_url or fetch.url, deadline, fetch.body,
                                                      always=content.promises_document(fetch.url))
        final = fetch.final_url or fetch.url
        key = _origin(final) if probe else None
        if key is None:
            return classify(fetch, pdf_pages=self.settings.pdf_pages, page=page, enough=self.pdf_years), page
        walled = page is not None and await self._walled_site(final, page, deadline)
        shown_by = None  # what tells the page's template when its site's probe does not
        if page is not None and page.kind == "html" and content.needs_probe(fetch.url, final, page) and \
                (sibling.id_sibling(final, 0) or self._home_may_tell(page)):
            shown_by = await self._template_probe(final, page, deadline)

        def known_probe():
            got = self._probes.so_far(key)
            if got is UNANSWERED:
                # `_probe` asks again for a cut one when this check has more time, and notes the
                # check as judged without it when there is none
                raise _ProbeNeeded
            return got

        try:
            return classify(fetch, probe=known_probe, pdf_pages=self.settings.pdf_pages, page=page,
                            enough=self.pdf_years, template_probe=shown_by, walled_site=walled), page
        except _ProbeNeeded:
            value = await self._probe(key, deadline)
            return classify(fetch, probe=value, pdf_pages=self.settings.pdf_pages, page=page,
                            enough=self.pdf_years, template_probe=shown_by, walled_site=walled), page

    def _before_request(self, url: str) -> str | None:
        """Asked before every hop's request: None to go ahead, or a reason code to stop the
        check with it (the fetcher's `before_request`: addresses known without DNS and not
        allowed). A subclass may refuse more."""
        return self.fetcher.before_request(url)

    async def fetch_async(self, url: str, validators: tuple[str | None, str | None] | None = None,
                          deadline: float | None = None, verify: bool | None = None,
                          as_browser: bool = False) -> Fetch:
        """`fetch`, on the checker's loop (sheets_sync.check.fetcher), once the check holds its
        slots again if it gave them back while it waited (budget.resume)."""
        queued = await budget.resume()
        if queued and deadline is not None:
            deadline += queued  # our own queue, not the site's time
        return await self.fetcher.fetch(url, validators, deadline, verify, as_browser)

    async def _with_documents(self, page: content.Page, final_url: str, deadline: float, body: bytes,
                              always: bool = False, frames: bool = True) -> content.Page:
        """`page` (of `body`, the page as sent) with the text of the file(s) it shows
        (`content.Page.document`): a Drive or Docs viewer's file, the file a viewer's address is
        given, the documents it embeds or a script viewer draws into it (a flipbook host's frame:
        shown, not read), and (with `frames`) the pages of its own site in its frames or, when it
        shows nothing, what it gives of its own (`_with_own`), read only
        when its own text does not already settle the year rules the results are judged by
        (`pdf_years`; always without them), or `always` (a link that promised a document and answered a page:
        whether the page shows one decides `wrong_type`)."""
        export = documents.viewer_export(final_url)
        if export:
            return replace(page, document=await self._document_text(export, deadline) or "")
        if content.is_viewer(final_url):
            return page
        given = documents.given_document(final_url)
        shown = list(dict.fromkeys(([given] if given else []) + documents.embedded_documents(page, final_url)
                                   + documents.viewer_documents(body, final_url)))
        framed = documents.framed_pages(page, final_url) if frames else []
        hosted = documents.viewer_frames(page, final_url)
        links_only = not (shown or framed or hosted)
        if links_only and (always or not frames or not linked.may_have_own(page.raw_html)):
            return page  # nothing shown, no file named, no picture
        years = content.html_years(page, self.pdf_years)
        if not always and settled(years, self.pdf_years) and \
                not (links_only and content.years_beside_file_links(page, self.pdf_years) is not None) and \
                not await self._template_dated(page, final_url, years, deadline):
            # its own text settles them (not only its template's, check/template.py, nor only its
            # files' links: the file a link "แผน ปี 2566" opens may be missing)
            return page
        if links_only:
            return await self._with_own(page, final_url, deadline)
        troubles: list[str] = []
        files = shown[:documents.MAX_EMBEDDED]
        texts = await self._documents_texts(files, deadline, troubles)
        pages = [t for t in [await self._framed_text(u, deadline) for u in framed] if t]
        if not shown and not pages:
            # Frames that gave nothing to read: judged by its own text, as before; but a flipbook or
            # a Drive folder shown there is a document whose years are unknown (a look by hand
            # when the page shows none of its own, never "no 2566").
            return replace(page, document="") if hosted else page
        return replace(page, document="\n".join(t for t in texts + pages if t),  # "": shown, none readable
                       shows_file=any(t is not None for t in texts),
                       files_trouble="" if pages else _trouble(troubles, len(files)))

    async def _template_dated(self, page: content.Page, final_url: str, years: tuple[int, ...],
                              deadline: float) -> bool:
        """Whether `years`, which settle the year rules, settle them only by what the site's
        template shows (classify.template_years; its soft-404 probe tells the template)."""
        if not content.needs_probe(final_url, final_url, page):
            return False
        only = template_years(final_url, final_url, page, await self._template_probe(final_url, page, deadline), years)
        return bool(only) and not settled(set(years) - only, self.pdf_years)

    async def _with_own(self, page: content.Page, final_url: str, deadline: float) -> content.Page:
        """`page`, whose own text settles no year rule, with what it gives of its own beside its
        template (sheets_sync.check.linked; the site's soft-404 probe tells the template): the
        text of the files it links from its content, or, for a page of pictures with next to no
        text, a document shown unread (a look by hand, never "no 2566"). Unchanged when it gives
        neither, or none of its files opens as a file."""
        found = linked.parts(page.raw_html, final_url, page.encoding)
        own = linked.own_content(found, final_url, enough=self.pdf_years)
        if not own.documents and not own.scanned:
            return page  # most pages: no probe needed to know
        probe = await self._site_probe(final_url, deadline)
        if probe is not None:
            own = linked.own_content(found, final_url, probe.links, probe.shown, enough=self.pdf_years)
        troubles: list[str] = []
        texts = [t for t in await self._documents_texts(own.documents, deadline, troubles) if t is not None]
        if texts:
            # The files left unread (past the few read) speak by their links' text: part of a
            # list of yearly files says nothing of the year the rest shows.
            return replace(page, document="\n".join(t for t in (*texts, *own.unread) if t))
        if own.scanned:
            return replace(page, document="")
        if trouble := _trouble(troubles, len(own.documents)):
            # Its files are its content, and none opens for the assessor who clicks (the site's
            # not-found page, or a PDF shown as gibberish): not "no 2566" by its heading.
            return replace(page, document="", files_trouble=trouble)
        return page

    async def _framed_text(self, url: str, deadline: float) -> str | None:
        """The text a page of the site shown in a frame gives the assessor, with the documents it
        embeds (`documents.framed_pages`; its own frames are not read); None when it gives no
        page of its own: an error, the home page, or anything the content rules do not pass as a
        page (a not-found, sign-in or firewall page, the site's answer for a missing path ...)."""
        got = await self.fetch_async(url, deadline=deadline)
        if (got.error is not None or got.status_code is None or not 200 <= got.status_code < 300
                or not content.is_html(got.body, got.headers)):
            return None
        final = got.final_url or url
        framed = content.read_html(got.body, got.headers)
        probe = await self._site_probe(final, deadline)
        found, _ = content.examine(url, final, got.status_code, got.body, got.headers, truncated=got.truncated,
                                   probe=probe, page=framed)
        if is_homepage(final) or reasons.status_of(found) is not Status.OK:
            return None  # a frame whose address is wrong: the site's answer must not pass for the item's
        framed = await self._with_documents(framed, final, deadline, got.body, frames=False)
        return "\n".join(t for t in (framed.text, framed.document) if t)

    async def _documents_texts(self, urls, deadline: float, troubles: list[str] | None = None) -> list[str | None]:
        """`_document_text` of each document a page shows or links, in turn: a viewer's file
        from its download or export address (`documents.viewer_export`)."""
        return [await self._document_text(documents.viewer_export(u) or u, deadline, troubles) for u in urls]

    async def _document_text(self, url: str, deadline: float, troubles: list[str] | None = None) -> str | None:
        """The text of the document at `url` (an embedded PDF, or the download or export address
        of a viewer's file, `documents.viewer_export`): "" for a file without text (a scan, a kind
        of file whose text is not read); None when that gives no file: an error, a notice instead
        of the file (Drive's for files too large to scan for viruses, a quota page), a PDF PDFium
        cannot open; the text of a Google Sheet or Doc published to the web, a page. One more
        request to the same host, through the same guard, pacing and deadline. A file that gives
        no text gets a reason code added to `troubles`: its site says there is no such file
        (`content.file_not_found`), it is sent as a web page (`content.sent_as_page`: None), it
        wants a password to open (`pdf_password`), or it did not come this time (an error, a
        timeout, a 5xx, a refusal: `document_unread`)."""
        # (a file refused to the checker's own User-Agent is asked for as a browser, as a page is)
        got = await self._as_browser_if_refused(url, await self.fetch_async(url, deadline=deadline), deadline)
        if troubles is not None:
            if content.file_not_found(got.error, got.status_code, got.body, got.headers):
                troubles.append("linked_file_missing")
            elif got.error is not None or got.status_code in _UNREAD_STATUSES:
                troubles.append("document_unread")  # no answer of the file's own this time: not read, not "no 2566"
        if got.error is not None or got.status_code is None or not 200 <= got.status_code < 300 or not got.body:
            return None
        if content.failed_pdf(got.body, got.headers):
            return None  # an error sent as the PDF: no file opens for the assessor (file_not_found: "not found")
        if content.is_document(got.body, got.headers):
            if content.sent_as_page(got.headers):
                if troubles is not None:
                    troubles.append("file_sent_as_page")
                return None  # gibberish in the browser: no file for the assessor
            read = await self._pdf.read_async(got.body, self.settings.pdf_pages, deadline,
                                              host_of(got.final_url or url))
            if read.kind == "office":
                return read.text  # "" unread (an old format, a protected file): shown, a look by hand
            if not read.pdf_readable and troubles is not None and not got.truncated and wants_password(got.body):
                troubles.append("pdf_password")  # the assessor who clicks is asked for a password
            return read.text if read.pdf_readable else None
        if content.is_html(got.body, got.headers):
            # A Google Sheet or Doc published to the web is a page Google renders with the content
            # itself (it was a look by hand); any other page where a file was shown is no file.
            published = documents.published(got.final_url or url)
            return content.read_html(got.body, got.headers).text if published else None
        if not (got.headers.get("Content-Type") or "").startswith("text/"):
            # An old Word file or an image, say: shown, its text not read. A few bytes are no file.
            return "" if len(got.body) >= content.TINY_BODY else None
        return squeeze(content.decode(got.body, got.headers))

    async def _chains_complete(self, fetch: Fetch, deadline: float) -> bool | None:
        """Whether the certificate of every HTTPS server the unverified `fetch` went through
        verifies once the intermediates it names are fetched (sheets_sync.check.chains); None when
        this check's time ran out before that was told (an intermediate's request cut by its
        deadline is no answer of the CA's)."""
        # Imported here: cryptography's X.509 modules cost ~60 ms and ~9 MB, for a case most runs never meet.
        from sheets_sync.check.chains import ChainCompleter, parse_certificates, presented_certificate

        if self._chains is None:
            # A certificate is judged at the real time, as the TLS handshake (and a browser) judges it.
            self._chains = ChainCompleter(lambda: transport.CA_BUNDLE, lambda: datetime.now(UTC))

        def certificates(got: Fetch) -> tuple:
            ok = got.error is None and got.status_code == 200 and not got.truncated
            found = parse_certificates(got.body) if ok and got.body else ()
            if not found:
                log.info("no intermediate certificate at %s", got.url)
            return found

        async def issuer(url: str) -> tuple:
            # Once per run for every site its CA signed (`SharedRequests.ask`); one this check's
            # time cut (its request, or the timeout below) is asked again by a later check with
            # more time: kept as "none there", every one of those sites was a false tls_invalid
            # for the run.
            return await self._issuers.ask(url, url, deadline, certificates) or ()

        timer = asyncio.timeout(max(0.0, deadline - time.monotonic()))
        with noting_unanswered() as noted:
            try:
                servers = {(t.raw_host or "", t.port or 443)
                           for t in map(request_target, (fetch.url, *fetch.redirects)) if t.scheme == "https"}
                if not servers:
                    return False
                async with timer:
                    for host, port in sorted(servers):
                        # The handshake is made again to read the certificate: aiohttp gives a
                        # response's connection back to its pool, and so out of reach, once a
                        # short body has arrived. Same guard and pinned addresses as any request,
                        # tried in turn as the request's were.
                        der = None
                        for address in await self.policy.pin(host, port):
                            try:
                                der = await presented_certificate(str(address), port, host, self.tls.get(False))
                                break
                            except OSError:
                                continue
                        if der is None or not await self._chains.completes(host, der, issuer):
                            return None if any(isinstance(n, Cut) for n in noted) else False
            except (OSError, TimeoutError, ssl.SSLError, ValueError):  # the guard's refusal is an OSError;
                return None if timer.expired() else False  # ValueError: InvalidTarget, a name TLS cannot encode
        return True

    async def _site_probe(self, url: str, deadline: float) -> content.Probe | None:
        """The soft-404 probe of `url`'s site (`_probe`); None when probes are off or `url` has no site."""
        key = _origin(url) if self.settings.soft404_probe else None
        return await self._probe(key, deadline) if key else None

    async def _probe(self, key: str, deadline: float) -> content.Probe | None:
        """The site's answer to a random missing path, fetched once per host per run; every
        other check of the host waits for the first one's answer. Asked again by a later check
        with more time than a request its asker's deadline cut had (`SharedRequests.ask`): kept,
        that cut request judged every later page of the site without the probe (a soft 404 ok)."""
        def read(f: Fetch) -> content.Probe | None:
            return content.probe_from(f.status_code, f.final_url, f.body, f.headers) if f.error is None else None

        return await self._probes.ask(key, f"{key}/sheets-sync-probe-{secrets.token_hex(6)}", deadline, read)

    async def _template_probe(self, url: str, page: content.Page, deadline: float) -> content.Probe | None:
        """What tells the template of `page` (at `url`) from its own content (classify.template_years):
        its site's soft-404 probe, or, when that shows no dated line of a template (the web
        server's bare 404, a redirect home), `url`'s sibling (check/sibling.py: the same address asked
        for a content id that does not exist), fetched once per script per run. The sibling is used only when
        `page` shows a dated line it does not: a site that ignores that number answers the sibling
        with the page itself, whose every year would then pass for the template's. Failing both, on
        a site whose probe shows no template at all, the site's home page's header, menus and
        footer (`_home_template`)."""
        probe = await self._site_probe(url, deadline)
        if not self.settings.soft404_probe or (probe is not None and probe.lines):
            return probe
        asked = sibling.sibling_of(url, self._sibling_number)
        if asked is not None:
            def read(f: Fetch) -> tuple[str, ...]:
                answer = content.probe_from(f.status_code, f.final_url, f.body, f.headers) \
                    if f.error is None and not f.truncated else None
                return answer.lines if answer is not None else ()

            lines = await self._siblings.ask(asked.script, asked.address, deadline, read)
            if lines and template.shows_own_line(page.raw_html, lines):
                return content.Probe(final_url=asked.address, shingles=frozenset(), lines=lines)
        return await self._home_template(url, page, probe, deadline) or probe

    def _home_may_tell(self, page: content.Page) -> bool:
        """Whether the site's home page may tell `page`'s template (`_home_template`): it writes
        out a year the catalogue's rules accept (any, without rules), the only years whose being
        the template's can change a verdict. A substring search or two."""
        wanted = self._wanted_years()
        return not wanted or template.shows_any_year(page.text, wanted)

    def _wanted_years(self) -> tuple[int, ...]:
        """Every year the catalogue's rules accept (`pdf_years`); () without rules."""
        return tuple(sorted({y for years in self.pdf_years for y in years}))

    async def _home_template(self, url: str, page: content.Page, probe: content.Probe | None,
                             deadline: float) -> content.Probe | None:
        """What tells `page`'s template (at `url`) on a site whose answer for a missing path shows
        none (the web server's bare 404, a redirect home, no answer): its home page, whose header,
        menus and footer are the same on every page. Their dated lines that `page`'s own header,
        menus and footer show too (`template.shared_lines`, as many of each as both show) are the
        template's; never a line of either page's main content or sidebar (the home page's news
        may be an item's own heading). None when the probe shows a template of its own (one
        without a year), the home page is another site's, `page` itself, or shows no such line."""
        if not _shows_no_template(probe) or not self._home_may_tell(page):
            return None
        mine = template.part_lines(page.raw_html, self._wanted_years())
        origin = _origin(url)
        if not mine or origin is None:
            return None
        home = await self._home(origin, deadline)  # one request a site and run, shared with _sent_to_folder_home
        if home is None or _site_host(home.leads) != _site_host(url) or _same_page(home.leads, url):
            return None
        lines = template.shared_lines(mine, home.lines)
        return content.Probe(final_url=home.leads, shingles=frozenset(), lines=lines) if lines else None


class _Home(NamedTuple):
    leads: str  # where the site's root leads
    lines: tuple[str, ...]  # the dated lines of its header, menus and footer (template.part_lines)
    wall: str | None = None  # what it shows beside a consent banner when it is that alone (content.wall_text)


# A not-found answer's text shorter than this is a message alone, no site's template (whose menus
# alone are longer); one without a Thai letter is a web server's own page (Apache's, nginx's,
# IIS's, LiteSpeed's "Not Found"), whatever its length, not a Thai agency's template.
BARE_TEXT = 100
_THAI = re.compile("[\u0e01-\u0e4f]")


def _shows_no_template(probe: content.Probe | None) -> bool:
    """Whether the site's answer for a missing path (`probe`) shows no template at all: none
    (no answer, not a page), a redirect to the home page, or a not-found answer that is a
    message alone or the web server's own page. A not-found page in the site's template that
    shows no year says its template shows none; so does a page sent with 200."""
    if probe is None or is_homepage(probe.final_url):
        return True
    if 200 <= probe.status < 300:
        return False
    return len(probe.text) < BARE_TEXT or _THAI.search(probe.text) is None


def _site_host(url: str) -> str:
    return host_of(url).removeprefix("www.")


def _same_page(a: str, b: str) -> bool:
    """Whether two addresses name one page (scheme, a trailing slash and a fragment aside)."""
    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        return _site_host(url), parts.path.rstrip("/"), parts.query
    try:
        return key(a) == key(b)
    except ValueError:
        return False


def _sibling_number() -> int:
    """A content id no site has yet (nine digits: a 32-bit integer column takes it), new each run."""
    return 900_000_000 + secrets.randbelow(99_999_999)

def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else None


# A file's answer that says nothing of the file: a refusal (a hotlink rule may refuse a checker
# and not a browser sent from the page), or what the fetch retries (a limit, a server error).
_UNREAD_STATUSES = frozenset(REFUSALS) | RETRY_STATUSES


def _trouble(troubles: list[str], files: int) -> str:
    """The reason code for a page whose `files` (its content) each had one of `troubles`
    (`Checker._document_text`); "" when one of them opened, or there were none. A file not read
    this time may be the good one (`document_unread`: read again next run); else a file not
    found is the first thing to fix.

    >>> _trouble(["file_sent_as_page", "linked_file_missing"], 2), _trouble(["linked_file_missing"], 2)
    ('linked_file_missing', '')
    >>> _trouble(["linked_file_missing", "document_unread"], 2)
    'document_unread'
    """
    if not files or len(troubles) < files:
        return ""
    for code in ("document_unread", "linked_file_missing"):
        if code in troubles:
            return code
    return troubles[0]
