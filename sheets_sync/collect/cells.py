"""The validation stage: cell text -> URL candidates, then the rules that need the agency's other rows.

Pure: no network, no I/O. `parse_cell` looks at one cell (URLs, and the other reading of a cell that
can be read two ways); `read_cell` adds the rules that need no agency (homepage_only), the ones
`sheets-sync check` applies too; `assess` adds off_site and duplicate_in_agency, which need the
agency's domains and its other items.

>>> [(c.url, c.reasons) for c in parse_cell("ลิงก์: www.Tapladuk.go.th/ita, https://x.go.th/a?b=1,2")]
[('http://www.tapladuk.go.th/ita', ('missing_scheme',)), ('https://x.go.th/a?b=1,2', ())]
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from sheets_sync.collect.readings import CRUMB, breadcrumbs, uncrumbed, url_readings, wrap_readings
from sheets_sync.collect.repairs import (as_typed, escaped_query, sara_am_composed, unescaped, unglued, unmarked,
                                         unprefixed)
from sheets_sync.collect.urls import START_RE, Candidate, read_piece, trim
from sheets_sync.config.settings import Agency, ValidationSettings, normalize_domain
from sheets_sync.core import normalize
from sheets_sync.core.models import RowKey, SubmissionRow
from sheets_sync.core.normalize import host_under

__all__ = ["Candidate", "Submission", "assess", "parse_cell", "read_cell"]


@dataclass(frozen=True)
class Submission:
    """One row's URL cell as read: its candidates, each with its other readings."""

    key: RowKey
    text: str  # the cell text as read
    candidates: tuple[Candidate, ...]  # () means the cell is empty


# =HYPERLINK("url", "label"), with ";" or "," and in any case: the formula's URL is checked.
_HYPERLINK_RE = re.compile(r'=\s*HYPERLINK\s*\(\s*"([^"]*)"\s*(?:[,;]\s*(?:"(?:[^"]|"")*"|[^)"]*))?\)\s*', re.I)
# A web scheme typed without its colon (or with a key beside it): no browser opens it as a link.
_SCHEME_TYPO = re.compile(r"(?<![\w.])https?[;.,]?//?(?=\w)", re.I)
# A cell longer than ten of the longest URLs is a pasted document, not a list of links: read as one,
# each of its words could cost a request.
_MOST_URLS = 10


def parse_cell(text: str | None, max_length: int = 2000) -> tuple[Candidate, ...]:
    """One cell's text -> its URL candidates, in order, de-duplicated by URL. Pure.

    - Empty or blank -> (). The text is trimmed, NFC-normalised and cleaned of zero-width characters,
      BOM and soft hyphens (NBSP counts as a space). A URL (a reading) over `max_length` characters is
      `too_long`, judged beside the cell's other URLs; a cell over ten times that is one `too_long`.
    - `=HYPERLINK("url", "label")` (also `;` and any case) -> the inner URL plus `formula`. Any other
      text starting with "=" is a formula we cannot evaluate -> one `malformed`. Text starting with
      + - @ gets no special treatment: "+66 53 511 192" has no URL, so it is malformed; "- https://..."
      bullet lists yield their links.
    - Splitting: a new line always ends a URL, and so does a comma or semicolon followed by whitespace,
      the end, or a new URL (http(s):// or www.), so `?a=1,2` survives; so does a "|" before a new
      URL, and a "<" before one ("…/o1<https://…/o1>", Outlook's plain text; "‹", "«", "＜" too: a label after
      one glued to a path, "…/o1«ข้อมูล»", is read cut there first and as typed second, after a query's value too, "?id=12«ข้อมูล»", but never at a query's "<"); full-width/ideographic commas always split. On one line, a URL starts wherever a word holds a URL start (a scheme, `//`, or a
      host with a known TLD such as x.go.th; a web scheme after a letter or digit too, "O1https://…", in full width too), so
      "ลิงก์:https://..." gives the link and
      "https://a.go.th/1 https://a.go.th/2" two links. Words before the first URL of a line ("ลิงก์:",
      e-mail addresses) are labels. A cell with no URL start at all -> one `malformed` candidate.
    - Spaces inside a URL (see `url_readings`): the words after a URL up to the next URL either belong to
      it (a Thai file name copied from the address bar, "…/รายงาน ประจำปี 2565.pdf") or are a label
      ("…/o19.pdf (ข้อมูลปี 2566)"). The likelier reading is the candidate; the other one is its
      `alternatives`, which the check stage tries when the first is broken.
      Exception: a space inside an unfinished host ("http://exa mple.go.th") keeps both halves
      together -> `malformed`. A space right after a "/" of the path before a file name or a path piece
      ("…/uploads/ O1.pdf", a line break copied as a space) is read joined first (`readings._space_wrapped`).
    - Thai glued to a URL's path with no space: after a file name it is a label, so "…/o19.pdfข้อมูล"
      (or "…/o19.pdf(ข้อมูล)", any bracket after a file name) is read as "…/o19.pdf" first and as
      typed second; after a letter or digit ("…/ita/o1ข้อมูล") it may be a label or part of a Thai
      name (a bracket holding Thai too: "…/o1(ข้อมูล)"), so as typed first and cut second. Never
      inside the host (a Thai domain) or after a "/" or "-" (a Thai slug, "…/ข่าว-ประชาสัมพันธ์").
    - A closing bracket or quote glued to Thai that closes what opened before the URL ("(…/o1)ข้อมูล",
      "“…/o1”ค่ะ"): cut there first, as typed second. An emoji or pictograph ("…/o1🙏") parts words as
      a space does.
    - A dash or dots right before a Thai label ("…/o1–ข้อมูล", "…/o1...ดูเพิ่มเติม"): cut there first and
      as typed second; as typed first after a Thai letter or before "…" (`marks.readings`).
    - A URL broken over two lines (`readings._rewrapped`): a next line that ends a file name (of one word or
      several) is joined, for good after a URL ending in "/", "-", "_", "=" or "&"; after a word it is
      joined, joined with a space (first when the line holds spaces) and cut off. After words that
      follow the URL on its line ("…/รายงาน ประจำปี" then "2566.pdf") it is joined with a space, joined,
      then the line read alone (the URL alone and with its words). A label may follow the file name on
      the next line ("ประจำปี 2566.pdf (ข้อมูลปี 2566)"). A one-word path piece after such an end is
      joined first and cut off second, and so is a piece with a "/", "=" or escape before a label.
    - "&amp;" in a query (copied from HTML source): as typed first, with "&" second; both readings
      carry `escaped_ampersand`.
    - An HTML link pasted as its source ('<a href="…/o1">…/o1-old</a>', `_anchored`) -> its href
      (HTML-unescaped), the address it shows as its last other reading when another.
    - Links pasted one right after another ("…/o1.pdfhttp://…/o2.pdf") are two links: a scheme
      glued to a path, of a link typed without a scheme too (after a letter, digit, "_", "~" or ")", before any "?", "=", "%" or "#";
      never a viewer's "?url=http://…" or an archive's "/web/2023/https://…", typed in full width too); one
      typed in full width glued to another, ASCII or full-width, is read so with its `scheme_slashes`
      (`repairs.full_width_schemes`).
    - Trailing punctuation (. , ; : ! ? quotes “ ” ‘ ’ « » > and unmatched ) ] }, full-width and CJK
      brackets ） 】 」 among them, and the full-width ． ！ ？ ： ＂ ＇ ＞) is dropped.
    - "…" in a URL (a display's shortening copied: Facebook, LINE) -> checked as typed, plus
      `truncated_link`.
    - Google's breadcrumb of an address ("https://www.x.go.th › ita › o1", `breadcrumbs`) -> joined by
      "/" first, the site alone second, both with `breadcrumb_link`.
    - A cell whose only link-like text is a web scheme without its colon ("https//x.go.th/a",
      "http.//...") -> one `bad_scheme` (its note says a link starts with http:// or https://).
    - Scheme: http/https in any case; none (www.x.go.th, x.go.th/a, //x.go.th/a) -> http:// plus
      `missing_scheme`; http(s) with other than two slashes after it ("https:/x.go.th",
      "https:www.x.go.th", backslashes) -> the URL a browser opens plus `scheme_slashes`; a scheme typed
      before a pasted link ("https://https://x.go.th", "http://https://…", glued "httpshttps://…") -> the
      inner link plus `scheme_slashes`, its `raw` the scheme as typed too; http/https in full-width letters ("ｈｔｔｐｓ://", `full_width_schemes`) -> that scheme
      plus `scheme_slashes`, the link after it read in ASCII where it is typed in full width too (after
      an ASCII scheme too, when the link starts so, "https://ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", or its host ends
      so, "https://www.x.go.th／ｏ１"; after a host without a scheme that ends so or is typed so,
      "www.x.go.th／ｏ１", "ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", with `missing_scheme` before `scheme_slashes`); any other scheme (javascript:, mailto:, ftp://, file:, data:, tel:) -> `bad_scheme`.
    - Host: lower case, Thai names to punycode, one trailing dot dropped. `malformed` when empty, with a
      space or symbol, a label empty, over 63 or starting/ending with "-", a single label (except
      `localhost`, which the address guard blocks), or a bad IP; underscores are tolerated as browsers
      do. IP literals are valid here (the SSRF guard decides). Port must be 1..65535. User info
      (user@host) is kept as typed and is valid; off_site judges the real host after the "@".
    - The URL itself is what a browser makes of the text (WHATWG URL standard, `ada_url`): spaces to
      %20, Thai to UTF-8 percent-encoding, existing %XX left alone, "\\" as "/"; an empty path becomes
      "/". The fragment is kept: it is never sent, and it matters for hash-routed pages (`#/oit/o1`).
    - `raw` is the text the agency typed, a label and trailing punctuation left out, a link read in ASCII
      from full width too (`repairs.as_typed`): the assessor is shown it and an import writes it back.
    """
    text, typed = as_typed(normalize.visible("" if text is None else str(text)).strip())  # "\0": url_readings'
    found = _parsed(text, max_length)
    return found if typed is str else tuple(_typed(c, typed) for c in found)


def _typed(c: Candidate, typed: Callable[[str], str]) -> Candidate:
    """`c` and its other readings with their `raw` as the agency typed it (`repairs.as_typed`)."""
    return replace(c, raw=typed(c.raw), alternatives=tuple(_typed(a, typed) for a in c.alternatives))


def _parsed(text: str, max_length: int) -> tuple[Candidate, ...]:
    """parse_cell of a cell's text read so far (`repairs.as_typed`), its raw text as read."""
    if not text:
        return ()
    if len(text) > max_length * _MOST_URLS:
        return (Candidate(text, None, ("too_long",)),)
    if text.startswith("="):
        m = _HYPERLINK_RE.fullmatch(text)
        if not m:
            return (Candidate(text, None, ("malformed",)),)
        inner = read_piece(trim(m[1].strip()), max_length)
        return (Candidate(text, inner.url, ("formula", *inner.reasons)),)
    if _ANCHOR.search(text):
        return _anchored(text, max_length)
    found: list[Candidate] = []
    for group in map(wrap_readings, url_readings(breadcrumbs(text))):
        pieces = unprefixed(unglued(unmarked(uncrumbed(group))))
        readings = [read_piece(piece, max_length) for piece in unescaped(pieces)]
        if any(map(escaped_query, pieces)):
            readings = [replace(r, reasons=(*r.reasons, "escaped_ampersand")) if r.valid else r for r in readings]
        if any(CRUMB in piece for piece in group):  # Google's display of an address, not the address
            readings = [replace(r, reasons=(*r.reasons, "breadcrumb_link")) if r.valid else r for r in readings]
        readings = [x for r in readings for x in (r, *sara_am_composed(r))]
        valid = [r for i, r in enumerate(readings) if r.valid and r.url not in {o.url for o in readings[:i]}]
        first, others = (valid[0], valid[1:]) if valid else (readings[0], [])
        _add_once(found, replace(first, alternatives=tuple(others)))
    # "https//x.go.th": a web scheme without its colon holds no URL start; its note says how a link starts
    return tuple(found) or (Candidate(text, None, ("bad_scheme" if _SCHEME_TYPO.search(text) else "malformed",)),)


def _add_once(found: list[Candidate], c: Candidate) -> None:
    """Appends `c` to `found` unless its URL is there. Of the two, the one with fewer faults stays (at
    the first one's place): "x.go.th/o1<http://x.go.th/o1>" (Outlook's text, then its link) holds the link
    with its scheme, and the text's missing_scheme was a warning that did not apply."""
    same = next((i for i, o in enumerate(found) if (o.url or o.raw) == (c.url or c.raw)), None)
    if same is None:
        found.append(c)
    elif set(c.reasons) < set(found[same].reasons):
        found[same] = c


# An HTML link pasted as its source ('<a href="https://x.go.th/o1">https://x.go.th/o1</a>', from a CMS's
# code view or an e-mail's): its quote and tags went into the path ("…/o1%22%3Ehttps://…%3C/a", a 404).
_ANCHOR = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))[^>]*>(?:(.*?)</a\s*>)?""",
                     re.I | re.S)
_TAG = re.compile(r"<[^>]*>")  # a tag around or inside such a link: read as a space


def _anchored(text: str, max_length: int) -> tuple[Candidate, ...]:
    """The candidates of a cell that holds HTML links (`_ANCHOR`), in order: each link's href, read as
    any cell's text, with its shown text (its likelier reading) as its last other reading when that is
    another address (as a sheet's link and the address it shows are, `_with_link`: the href is what the
    page's link opens, the text may be an old address left when the link was changed). Text around the
    links counts only where it holds a URL of its own ("<p>", a label, do not).

    >>> [(c.url, [a.url for a in c.alternatives]) for c in _anchored(
    ...     "<p><a href='https://x.go.th/o1?a=1&amp;b=2' target=_blank>https://x.go.th/o1-old</a></p>", 2000)]
    [('https://x.go.th/o1?a=1&b=2', ['https://x.go.th/o1-old'])]
    """
    found: list[Candidate] = []

    def around(part: str) -> list[Candidate]:
        part = _TAG.sub(" ", part)
        return list(parse_cell(part, max_length)) if START_RE.search(part) or _SCHEME_TYPO.search(part) else []

    end = 0
    for m in _ANCHOR.finditer(text):
        found += around(text[end:m.start()])
        end = m.end()
        href = parse_cell(html.unescape(next(g for g in m.groups()[:3] if g is not None)).strip(), max_length)
        shown = [c for c in parse_cell(html.unescape(_TAG.sub(" ", m[4] or "")).strip(), max_length)
                 if c.valid]
        if not any(c.valid for c in href):
            found += map(_as_html, shown or href)  # "#" or "javascript:…" behind an address shown: the address
        elif len(href) == 1 and len(shown) == 1 and shown[0].url not in {r.url for r in href[0].readings}:
            # (the text's likelier reading only: its label's readings would cost requests for nothing)
            found.append(_as_html(replace(href[0], alternatives=(*href[0].alternatives,
                                                                 replace(shown[0], alternatives=())))))
        else:
            found += map(_as_html, href)
    found += around(text[end:])
    out = [c for i, c in enumerate(found) if all((o.url or o.raw) != (c.url or c.raw) for o in found[:i])]
    return tuple(out) or (Candidate(text, None, ("malformed",)),)


def _as_html(c: Candidate) -> Candidate:
    """`c` and its other readings with `html_link`: the cell holds a link's HTML source, which the
    assessor would be given as is (a warning, as `formula` is for =HYPERLINK)."""
    def mark(r: Candidate) -> Candidate:
        return replace(r, reasons=tuple(dict.fromkeys((*r.reasons, "html_link")))) if r.valid else r

    return replace(mark(c), alternatives=tuple(map(mark, c.alternatives))) if c.valid else c


# ---------------------------------------------------------------- rules across rows
def read_cell(text: str | None, settings: ValidationSettings) -> tuple[Candidate, ...]:
    """parse_cell plus every rule that needs no agency context (today: homepage_only), on each
    reading. What `sheets-sync check` judges a URL by, and where `assess` starts: one set of rules.

    - homepage_only: path empty, "/" or a bare index page (/index.php, /home, /default.aspx ...), with
      no query and no hash route; `index.php?_mod=...` (vendor templates) is a real page.
    """
    return tuple(_with_rule(c, lambda url: ("homepage_only",) if normalize.is_homepage(url) else ())
                 for c in parse_cell(text, settings.max_length))


def assess(rows: Sequence[SubmissionRow], agencies: Mapping[str, Agency],
           settings: ValidationSettings) -> tuple[Submission, ...]:
    """read_cell for every row, then the per-agency rules, on valid candidates (and each of their
    alternative readings) only. Same order as rows.

    - homepage_only (read_cell).
    - off_site: host is neither one of the agency's domains nor under one (www. and other subdomains
      are its own); skipped when the agency is unknown or has no domains. For the items in
      settings.social_items (O9), hosts under settings.platform_hosts (facebook.com ...) are fine.
    - short_link instead, for a host under settings.shortener_hosts (bit.ly ...): where it leads is
      known only by following it, and its advice is the same for any agency; for a social item a
      platform's own short address (lin.ee, a LINE official account's link) is its channel.
    - duplicate_in_agency: the same URL, ignoring scheme, "www." and a trailing slash, given for two or
      more items of one agency; every candidate involved gets it. Twice in one cell is not a duplicate.
    Reasons are appended in that order after the validation reasons; candidates are replaced, never mutated.
    """
    parsed = [(row, _with_link(read_cell(row.url_text, settings), row.link, settings)) for row in rows]
    social = {normalize.item_code(i) or i for i in settings.social_items}
    platforms = tuple(normalize_domain(h) for h in settings.platform_hosts)
    shorteners = tuple(normalize_domain(h) for h in settings.shortener_hosts)
    items_by_url: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row, candidates in parsed:
        for c in candidates:
            if c.valid:
                items_by_url[row.key.agency, _loose(c.url)].add(row.key.item)

    out = []
    for row, candidates in parsed:
        agency = agencies.get(row.key.agency)
        domains = agency.domains if agency else ()
        is_social = (normalize.item_code(row.key.item) or row.key.item) in social

        def agency_rules(url: str) -> tuple[str, ...]:
            host = urlsplit(url).hostname or ""
            extra = []
            if host_under(host, shorteners) and not (is_social and host_under(host, platforms)):
                extra.append("short_link")
            elif domains and not host_under(host, domains) and not (is_social and host_under(host, platforms)):
                extra.append("off_site")
            if len(items_by_url[row.key.agency, _loose(url)]) > 1:
                extra.append("duplicate_in_agency")
            return tuple(extra)

        checked = tuple(_with_rule(c, agency_rules) for c in candidates)
        out.append(Submission(key=row.key, text=row.url_text, candidates=checked))
    return tuple(out)


def _with_link(candidates: tuple[Candidate, ...], link: str, settings: ValidationSettings) -> tuple[Candidate, ...]:
    """A cell showing one address and linking to another (SubmissionRow.link) can be read both ways:
    the link becomes the last other reading of the address shown, tried when that one is broken
    (check/readings.py), and says so when it is the one that opens (`shown_address_broken`)."""
    if not link or len(candidates) != 1 or not candidates[0].valid:
        return candidates
    (shown,) = candidates
    linked = [c for c in read_cell(link, settings) if c.valid]
    if len(linked) != 1 or linked[0].url in {shown.url, *(a.url for a in shown.alternatives)}:
        return candidates
    other = replace(linked[0], reasons=(*linked[0].reasons, "shown_address_broken"))
    return (replace(shown, alternatives=(*shown.alternatives, other)),)


def _with_rule(c: Candidate, rule: Callable[[str], tuple[str, ...]]) -> Candidate:
    """`c` and its alternative readings with the codes `rule` finds for their URL appended (once)."""
    if not c.valid:
        return c
    alternatives = tuple(_with_rule(a, rule) for a in c.alternatives)
    new = tuple(r for r in rule(c.url) if r not in c.reasons)
    return replace(c, reasons=c.reasons + new, alternatives=alternatives) if new or alternatives else c


def _loose(url: str) -> str:
    """The comparison key for duplicates: no scheme, no www., no trailing slash."""
    p = urlsplit(url)
    netloc = p.netloc.rpartition("@")[2].removeprefix("www.")
    return f"{netloc}{p.path.rstrip('/')}?{p.query}#{p.fragment}"
