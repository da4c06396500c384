"""From what one GET gave (`Fetch`) to the verdict for its URL (`CheckResult`): the HTTP
outcome first, then, for a 2xx answer, what its content shows. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping

from multidict import CIMultiDict

from sheets_sync.check import content, scripted, template
from sheets_sync.check.retry import LIMIT_STATUSES
from sheets_sync.check.years import fiscal_marks, settled, years_in
from sheets_sync.core import reasons
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import host_of, is_homepage


# Statuses a web firewall refuses a bot with, where a browser may get the page: asked again as a
# browser, and `bot_blocked` (a look by hand) when that is refused too. A 406 is ModSecurity's
# default refusal in shared hosting's control panels; a real one (no variant acceptable) cannot
# happen to a request that accepts */*, as ours and browsers' do. A 415 (the body's media type
# refused) cannot be meant for a GET, which sends none: Imunify360's WebShield, on a great many
# cPanel hosts, answers a greylisted visitor so (it was `http_4xx`, broken).
REFUSALS = (403, 406, 415)


@dataclass(frozen=True)
class Fetch:
    """What one URL's GET gave: the last response after redirects with the first bytes of its
    body, or the reason code (`error`) why there was none. `classify` reads it."""

    url: str
    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=CIMultiDict)
    body: bytes = b""  # decoded (gzip undone): the start of a page, a whole PDF (sheets_sync.check.bodies)
    truncated: bool = False  # the body went on past `body`
    cut_early: bool = False  # truncated before the size limit of its kind (time, memory ...): not too_large
    final_url: str | None = None
    redirects: tuple[str, ...] = ()  # each URL redirected to, in order
    elapsed_ms: int = 0
    error: str | None = None  # a reason code: dns_error, timeout, redirect_loop ...
    detail: str = ""
    cert_invalid: bool = False  # error is tls_error because the certificate failed verification
    conditional: bool = False  # sent with If-None-Match / If-Modified-Since
    as_browser: bool = False  # sent with the browser-like User-Agent (after a 403 or 406)


def classify(fetch: Fetch, probe: "content.Probe | Callable[[], content.Probe | None] | None" = None,
             pdf_pages: int = 5, page: "content.Page | None" = None,
             enough: tuple[tuple[int, ...], ...] = (), template_probe: "content.Probe | None" = None,
             walled_site: bool = False) -> CheckResult:
    """Turns a Fetch into the verdict for its URL: the HTTP outcome first, then, for a 2xx
    answer, what its content shows (sheets_sync.check.content). `probe` is the site's answer to a
    random missing path (or a callable giving it, called only if needed) for soft-404s;
    `page` is what `content.read` gives for the body, when the caller has read it already;
    `enough`: the year sets of the rules the result will be judged by (years.year_sets);
    `template_probe`: what tells the page's template instead of `probe` (`template_years`);
    `walled_site`: the page is a consent wall, as its site's home page is (`content.examine`)."""
    code = fetch.status_code
    detail = fetch.detail or (f"HTTP {code}" if code is not None else "")
    final = fetch.final_url or fetch.url
    years = None
    if fetch.error:
        codes: tuple[str, ...] = (fetch.error,)
    elif code is None:
        codes = ("check_failed",)
    elif code == 304 and fetch.conditional:
        codes = ()  # unchanged since the cached verdict: the cache keeps that verdict
        detail = "HTTP 304 not modified"
    elif 200 <= code < 300:
        codes = ()
        if page is None:
            page = content.read(fetch.body, fetch.headers, pdf_pages)
        if fetch.truncated and not fetch.cut_early:
            codes = ("too_large",)
            detail = f"HTTP {code}; body over {len(fetch.body)} bytes"
        elif fetch.truncated and content.is_document(fetch.body, fetch.headers):
            # Not the file's fault (sheets_sync.check.bodies), and its years are unknown; the
            # cache has it checked again next run, unconditionally.
            codes = ("document_unread",)
            detail = f"HTTP {code}; a large file read in part ({len(fetch.body)} bytes): out of time or memory"
        # The years are judged per row against its item's year rule (sheets_sync.check.years).
        found, years = content.examine(fetch.url, final, code, fetch.body, fetch.headers, truncated=fetch.truncated,
                                       probe=probe, pdf_pages=pdf_pages, page=page, enough=enough,
                                       walled_site=walled_site)
        if codes == ("too_large",) and not found and enough:
            shown = content.html_years(page, enough) if page.kind == "html" else ()
            if settled(shown, enough):
                # A web page of megabytes (images pasted into it) whose start already shows what
                # every year rule looks for: the rest cannot change a verdict, and the browser
                # opens it. Only one whose content went unchecked is worth a warning.
                codes, years, detail = (), shown, f"HTTP {code}; a page over {len(fetch.body)} bytes, its start read"
        codes = codes + found
        if (is_homepage(final) and not is_homepage(fetch.url) and not content.is_viewer(final)
                and reasons.status_of(codes) in (Status.OK, Status.WARNING)):
            # Asked for a page, sent on to the home page: the assessor does not see the item there,
            # and the home page's own text (its news of 2566) must not pass for the item's.
            codes = codes + ("redirected_home",)
    elif code in (401, 403) and sign_in_host(final):
        codes = ("login_required",)  # a Drive/Docs file not shared publicly
    elif code == 401:  # the server asks for a user name and password (HTTP authentication)
        codes = ("admin_page",) if content.back_office(fetch.url) else ("login_required",)
    elif code in REFUSALS and fetch.as_browser:
        codes = ("bot_blocked",)  # refused to our own User-Agent and to a browser's
    elif code in LIMIT_STATUSES:  # still 429 or 508 after the retries: the site limits how fast it is read
        codes = ("rate_limited",)
    elif 300 <= code < 400:
        # A redirect without Location (or a 300/304): the browser shows nothing usable.
        codes = ("http_4xx",)
        detail = f"HTTP {code} without a redirect to follow"
    elif (code in content.SHOWN_DESPITE or code == content.SHOWN_DESPITE_FAILURE) and \
            (shown := _shown_despite(fetch, final, probe, pdf_pages, page, enough)):
        codes, years, page = shown  # the page read, for its template's years below
        detail = f"HTTP {code}; the page shows content of its own all the same"
    elif 400 <= code < 500:
        codes = ("http_4xx",)
    elif 500 <= code < 600 and content.challenge_page(fetch.headers, fetch.body):
        codes = ("bot_blocked",)  # a browser runs the challenge's script and goes on to the page
    elif 500 <= code < 600 and (refusal := content.security_refusal(fetch.body)):
        codes = (refusal,)  # a security plugin's refusal: the site is up
    elif 500 <= code < 600:  # still failing after the retries
        codes = ("http_5xx",)
    else:
        codes = ("check_failed",)
    only = template_years(fetch.url, final, page, template_probe or probe, years)
    if only and not set(years or ()) - only and scripted.filled_by_script(page.raw_html, fetch.body):
        # Its only years are its template's, and its list comes to the browser (check/scripted.py)
        codes, years, only = codes + ("script_page",), None, frozenset()
    elif only and not set(years or ()) - only and (unread := content.unread_content(page, final)):
        # Its only years are its template's, and its content was not read (a scan, a viewer's
        # file): a look by hand (or its files' trouble), as on a site whose template shows no year
        codes, years, only = codes + (unread,), None, frozenset()
    if only:
        years = tuple(y for y in years or () if y not in only)
    if years and page is not None:
        years = content.without_post_date(years, page)  # the day last year's post was put up again
        # a year named as a fiscal year ("ปีงบประมาณ 2565"): what a first-half rule must know (years.first_half)
        years = fiscal_marks(years, page.text, page.document or "")
    return CheckResult(
        url=fetch.url, status=reasons.status_of(codes), reasons=codes, http_status=code,
        final_url=fetch.final_url, elapsed_ms=fetch.elapsed_ms, redirects=fetch.redirects, detail=detail,
        etag=fetch.headers.get("ETag"), last_modified=fetch.headers.get("Last-Modified"),
        years=years, template_years=tuple(sorted(only)),
    )


def template_years(url: str, final: str, page: "content.Page | None", probe, years) -> frozenset:
    """Of `years` (what `page`, asked as `url` and answered at `final`, showed), those it shows
    only in its site's template (sheets_sync.check.template): the lines of the site's answer to a
    missing path (`probe`: a Probe, None, or a callable giving one) that show a year, and the
    links of its breadcrumb trail (the sections above the page: "หน้าแรก » ITA 2566 » ..."). Never
    one shown in the main content the page marks, nor one the files it shows show (`Page.document`).

    >>> probe = content.probe_from(404, "https://a.go.th/x", "<p>วันพุธที่ 1 กุมภาพันธ์ 2566</p><h1>ไม่พบหน้า</h1>"
    ...     "<footer>&copy; 2566 เทศบาลตำบลเวียงยอง</footer>".encode(), {"Content-Type": "text/html"})
    >>> page = content.read_html("<p>วันพุธที่ 1 กุมภาพันธ์ 2566</p><h1>แผนการดำเนินงาน ประจำปี 2565</h1>"
    ...     "<footer>&copy; 2566 เทศบาลตำบลเวียงยอง</footer>".encode(), {})
    >>> sorted(template_years("https://a.go.th/o10", "https://a.go.th/o10", page, probe, (2565, 2566)))
    [2566]
    """
    if not years or page is None or page.kind != "html" or not content.needs_probe(url, final, page):
        return frozenset()
    if callable(probe):
        probe = probe()
    lines, crumbs = probe.lines if probe is not None else (), template.crumb_lines(page.raw_html)
    own = template.page_template_lines(page.raw_html)  # its archive widgets and copyright notice
    if not lines and not crumbs and not own:
        return frozenset()
    # A year written out more often than the template's lines write it has a copy of its own
    # (~0.1 ms): the usual item page, whose heading shows its year, is settled so.
    both = lines + crumbs + own
    candidates = frozenset(y for y in set(years) & template.lines_years(both)
                           if template.year_count(page.text, y) <= template.lines_year_count(both, y))
    if not candidates:
        return frozenset()
    only = set(_template_only(page.raw_html, page.text, lines, crumbs, candidates, bool(own)))
    if only:
        only -= set(years_in(page.document or ""))
    if only and (marked := template.marked_content(page.raw_html)) is not None:
        # an article's own heading, though a widget of the probe's shows it too (its trail,
        # archive widgets and copyright notice aside)
        only -= set(years_in(content.text_of(template.without_page_template(template.without_crumbs(marked)))))
    return frozenset(only)


def _shown_despite(fetch: Fetch, final: str, probe, pdf_pages: int, page: "content.Page | None",
                   enough: tuple[tuple[int, ...], ...]
                   ) -> tuple[tuple[str, ...], tuple[int, ...] | None, content.Page] | None:
    """(reason codes, years, the page read) of a page of its own sent with 404 or 410, or 500
    (`content.shown_despite_status`), judged by its content as a 200 page is, plus
    `error_status_page` or `page_sent_with_500`; None for a not-found or error answer."""
    if fetch.truncated or not content.is_html(fetch.body, fetch.headers):
        return None
    if page is None:
        page = content.read_html(fetch.body, fetch.headers)
    if not content.shown_despite_status(fetch.url, final, page, probe, fetch.status_code):
        return None
    found, years = content.examine(fetch.url, final, 200, fetch.body, fetch.headers, pdf_pages=pdf_pages,
                                   page=page, enough=enough)
    if reasons.status_of(found) not in (Status.OK, Status.WARNING) or is_homepage(final):
        return None  # a sign-in wall, a firewall's page, the home page: "not found" stands
    failed = fetch.status_code == content.SHOWN_DESPITE_FAILURE
    return ("page_sent_with_500" if failed else "error_status_page",) + found, years, page


@lru_cache(maxsize=8)  # asked twice of a page that shows files: before they are read (the checker), then here
def _template_only(raw_html: str, text: str, lines: tuple[str, ...], crumbs: tuple[str, ...],
                   candidates: frozenset, own: bool = False) -> frozenset:
    """Of `candidates` (years the page and its template's dated `lines`, its breadcrumb trail's
    `crumbs` or, when `own`, the lines it shows that are a template's wherever they stand, show),
    those the page without them (`template.without_lines`, `template.without_page_template`)
    does not show."""
    own_html = template.without_lines(raw_html, text, lines) if lines else None
    if own_html is None:
        if not crumbs and not own:
            return frozenset()
        own_html = raw_html  # another layout than the probe's: its trail and the like alone are taken out
    if crumbs:
        own_html = template.without_lines(own_html, text, crumbs) or own_html
    if own:
        # where they stand (a widget whole, a notice's texts), not the first texts that read the same
        own_html = template.without_page_template(own_html)
    own_text = content.text_of(own_html)
    # The year written out in the rest of the page settles it (~20 us); only a year not so
    # found needs the whole reading (short years, spans, digits parted by tags: ~1-2 ms).
    missing = {y for y in candidates if not template.shows_year(own_text, y)}
    if not missing:
        return frozenset()
    return frozenset(missing - set(content.html_years(content.Page(kind="html", text=own_text, raw_html=own_html))))


def sign_in_host(url: str) -> bool:
    """An address where a 401/403 means "not shared with you": Drive, Docs, Sites, sign-in pages."""
    return content.is_drive(url) or host_of(url) == "sites.google.com" or content.sign_in_url(url)
