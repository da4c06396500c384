"""The validation stage: cell text -> URL candidates, then the rules that need the agency's other rows.

Pure: no network, no I/O. `parse_cell` looks at one cell; `assess` adds homepage_only, off_site and
duplicate_in_agency, which need the agency's domains and its other items.

>>> [(c.url, c.reasons) for c in parse_cell("ลิงก์: www.Tapladuk.go.th/ita, https://x.go.th/a?b=1,2")]
[('http://www.tapladuk.go.th/ita', ('missing_scheme',)), ('https://x.go.th/a?b=1,2', ())]
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import SplitResult, quote, urlsplit

from sheets_sync.config.settings import Agency, ValidationSettings, normalize_domain
from sheets_sync.core import normalize
from sheets_sync.core.models import RowKey, SubmissionRow
from sheets_sync.core.normalize import host_under


@dataclass(frozen=True)
class Candidate:
    raw: str  # the URL as typed (label text and trailing punctuation removed), or the whole cell
    url: str | None  # absolute http(s) URL to fetch, host lower-case punycode; None when invalid
    reasons: tuple[str, ...]  # codes from sheets_sync.core.reasons.REASONS, in the order found

    @property
    def valid(self) -> bool:
        return self.url is not None


@dataclass(frozen=True)
class Submission:
    key: RowKey
    text: str  # the cell text as read
    candidates: tuple[Candidate, ...]  # () means the cell is empty


# A comma or semicolon ends a URL only before a space or a new URL: `?a=1,2` (vendor templates) and
# `;jsessionid=` live inside URLs. Full-width and ideographic commas never do.
_SEP_RE = re.compile(r"[,;](?=\s|$|https?://|www\.)|[，、；]", re.I)
# "http://exa mple.go.th": a space inside an unfinished host (empty, no dot, or ending in . or -). Kept as
# one piece so the clerk hears "space in the URL" instead of getting two half-URLs checked.
_BROKEN_HOST_RE = re.compile(r"(https?://(?:[^\s/?#.]*|[^\s/?#]*[.-]))[ \t]+(?=[^\W_])(?!https?:|www\.)", re.I)
# TLDs that make a scheme-less "x.go.th/..." a host, while "report.pdf" or "ข้อ 1.2" stay plain text.
_TLDS = "th|com|net|org|info|biz|io|me|be|ly|gl|co|app|site|online|gov|edu|asia|cc|xyz|page|dev|link|tv|xn--o3cw4h"
_BARE = rf"(?<![A-Za-z0-9.@/_-])(?://)?(?:[A-Za-z0-9_-]+\.)+(?:{_TLDS})\.?(?=[:/?#]|\W*$)"
_BARE_RE = re.compile(_BARE, re.I)
# Where a URL starts inside a whitespace-free token; text before it is a label ("ลิงก์:"). A named scheme
# without // needs text after the colon, so a label such as "Data:" or "File:" stays a label.
_START_RE = re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://"  # any scheme with // (ftp://, file://, https://)
    r"|(?<![A-Za-z0-9+.-])(?:javascript|vbscript|data|mailto|file|tel|ftp|https?):(?!https?:|www\.)(?=.)"
    rf"|{_BARE}", re.I)
_HYPERLINK_RE = re.compile(r'=\s*HYPERLINK\s*\(\s*"([^"]*)"\s*(?:[,;]\s*(?:"(?:[^"]|"")*"|[^)"]*))?\)\s*', re.I)
_TRAIL = ".,;:!?'\"“”‘’«»>)]}、，。"
_OPENER = {")": "(", "]": "[", "}": "{"}
# What a browser leaves alone in path, query and fragment; "%" stays so %E0%B8%81 is not encoded twice.
_SAFE = "!#$%&'()*+,-./:;=?@[]~"
_INDEX_PAGES = {"", "/index", "/index.php", "/index.html", "/index.htm", "/index.asp", "/index.aspx", "/index.jsp",
                "/default.asp", "/default.aspx", "/default.html", "/default.htm", "/home", "/home.php",
                "/home.html", "/main", "/main.php", "/main.html"}


def parse_cell(text: str | None, max_length: int = 2000) -> tuple[Candidate, ...]:
    """One cell's text -> its URL candidates, in order, de-duplicated by URL. Pure.

    - Empty or blank -> (). The text is trimmed, NFC-normalised and cleaned of zero-width characters,
      BOM and soft hyphens (NBSP counts as a space); over `max_length` characters -> one `too_long`.
    - `=HYPERLINK("url", "label")` (also `;` and any case) -> the inner URL plus `formula`. Any other
      text starting with "=" is a formula we cannot evaluate -> one `malformed`. Text starting with
      + - @ gets no special treatment: "+66 53 511 192" has no URL, so it is malformed; "- https://..."
      bullet lists yield their links.
    - Splitting: whitespace (space, tab, newline) always ends a URL; a comma or semicolon ends it only
      when followed by whitespace, the end, or a new URL (http(s):// or www.), so `?a=1,2` survives;
      full-width/ideographic commas always split. Each piece yields the URL that starts inside it
      (a scheme, `//`, or a host with a known TLD such as x.go.th), so "ลิงก์:https://..." gives the
      link; pieces with no URL start ("(ข้อมูลปี", "2566)", e-mail addresses) are labels and ignored.
      A cell with no URL start at all -> one `malformed` candidate holding the whole text.
      Exception: a space inside an unfinished host ("http://exa mple.go.th") keeps both halves
      together -> `malformed`.
    - Trailing punctuation (. , ; : ! ? quotes “ ” ‘ ’ « » > and unmatched ) ] }) is dropped.
    - Scheme: http/https in any case; none (www.x.go.th, x.go.th/a, //x.go.th/a) -> http:// plus
      `missing_scheme`; any other scheme (javascript:, mailto:, ftp://, file:, data:, tel:) -> `bad_scheme`.
    - Host: lower case, Thai names to punycode, one trailing dot dropped. `malformed` when empty, with a
      space or symbol, a label empty, over 63 or starting/ending with "-", a single label, or a bad IP;
      underscores are tolerated as browsers do. IP literals are valid here (the SSRF guard decides).
      Port must be 1..65535. User info (user@host) is kept as typed and is valid; off_site judges the
      real host after the "@".
    - Path, query and fragment are percent-encoded as a browser sends them (Thai as UTF-8, existing %XX
      kept); an empty path becomes "/". The fragment is kept: it is never sent, and it matters for
      hash-routed pages (`#/oit/o1`).
    """
    text = normalize.visible("" if text is None else str(text)).strip()  # "\0" is _pieces' private marker
    if not text:
        return ()
    if len(text) > max_length:
        return (Candidate(text, None, ("too_long",)),)
    if text.startswith("="):
        m = _HYPERLINK_RE.fullmatch(text)
        if not m:
            return (Candidate(text, None, ("malformed",)),)
        url, reasons = _check(_trim(m[1].strip()))
        return (Candidate(text, url, ("formula", *reasons)),)
    found: list[Candidate] = []
    for piece in _pieces(text):
        url, reasons = _check(piece)
        if all((c.url or c.raw) != (url or piece) for c in found):
            found.append(Candidate(piece, url, reasons))
    return tuple(found) or (Candidate(text, None, ("malformed",)),)


def _pieces(text: str):
    """The URL-looking pieces of a cell, in order (see parse_cell for the rule)."""
    text = _SEP_RE.sub(" ", text)
    text = _BROKEN_HOST_RE.sub(lambda m: m[1] + "\0", text)  # "\0": a space that must not split
    for token in text.split():
        m = _START_RE.search(token)
        if m and (piece := _trim(token[m.start():]).replace("\0", " ")):
            yield piece


def _trim(piece: str) -> str:
    """Drops punctuation people put after a URL; keeps a closing bracket that has its opener."""
    while piece and piece[-1] in _TRAIL:
        opener = _OPENER.get(piece[-1])
        if opener and piece.count(opener) >= piece.count(piece[-1]):
            break
        piece = piece[:-1]
    return piece


def _check(piece: str) -> tuple[str | None, tuple[str, ...]]:
    """One URL as typed -> (URL to fetch or None, validation reasons)."""
    if m := re.match(r"(https?)://", piece, re.I):
        scheme, rest, reasons = m[1].lower(), piece[m.end():], ()
    elif piece.startswith("//") or _BARE_RE.match(piece):
        scheme, rest, reasons = "http", piece.removeprefix("//"), ("missing_scheme",)
    elif re.match(r"https?:", piece, re.I):  # http:x or https:/x: right scheme, broken slashes
        return None, ("malformed",)
    elif re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", piece):
        return None, ("bad_scheme",)
    else:
        return None, ("malformed",)
    authority, tail = re.match(r"([^/?#]*)(.*)", rest, re.S).groups()
    authority = _authority(authority)
    if authority is None:
        return None, (*reasons, "malformed")
    tail = quote(tail, safe=_SAFE)
    return f"{scheme}://{authority}{tail if tail.startswith('/') else '/' + tail}", reasons


def _authority(text: str) -> str | None:
    """[userinfo@]host[:port] checked and normalised, or None when malformed."""
    userinfo, at, hostport = text.rpartition("@")
    m = re.fullmatch(r"(\[[^\]]*\]|[^:]*)(?::(.*))?", hostport, re.S)
    host, port = _host(m[1]), m[2]
    if host is None:
        return None
    if port is not None:
        if not (port.isascii() and port.isdigit() and 0 < int(port) <= 65535):
            return None
        host += f":{int(port)}"
    return quote(userinfo, safe="%!$&'()*+,;=:~") + at + host


def _host(host: str) -> str | None:
    """Lower-case ASCII (punycode) host, or None when it is not a plausible host name or IP."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    host = host.lower().removesuffix(".")  # "x.go.th." is the same site as "x.go.th"
    labels = host.split(".")
    if all(label.isascii() and label.isdigit() for label in labels):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            return None
    if len(labels) < 2 or not all(map(_label_ok, labels)):
        return None  # no public agency site has a one-label name ("http://exa")
    try:
        ascii_host = host.encode("idna").decode("ascii")  # the stdlib codec, as config.normalize_domain
    except UnicodeError:  # a label empty or over 63 characters once encoded
        return None
    return ascii_host if len(ascii_host) <= 253 else None


def _label_ok(label: str) -> bool:
    if not label or label[0] == "-" or label[-1] == "-":
        return False
    return all((c.isalnum() or c in "-_") if c.isascii() else unicodedata.category(c)[0] in "LMN"
               for c in label)


# ---------------------------------------------------------------- rules across rows
def assess(rows: Sequence[SubmissionRow], agencies: Mapping[str, Agency],
           settings: ValidationSettings) -> tuple[Submission, ...]:
    """parse_cell for every row, then the per-agency rules, on valid candidates only. Same order as rows.

    - homepage_only: path empty, "/" or a bare index page (/index.php, /home, /default.aspx ...), with
      no query and no hash route; `index.php?_mod=...` (vendor templates) is a real page.
    - off_site: host is neither one of the agency's domains nor under one (www. and other subdomains
      are its own); skipped when the agency is unknown or has no domains. For the items in
      settings.social_items (O9), hosts under settings.platform_hosts (facebook.com ...) are fine.
    - duplicate_in_agency: the same URL, ignoring scheme, "www." and a trailing slash, given for two or
      more items of one agency; every candidate involved gets it. Twice in one cell is not a duplicate.
    Reasons are appended in that order after the validation reasons; candidates are replaced, never mutated.
    """
    parsed = [(row, parse_cell(row.url_text, settings.max_length)) for row in rows]
    social = {normalize.item_code(i) or i for i in settings.social_items}
    platforms = tuple(normalize_domain(h) for h in settings.platform_hosts)
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
        checked = []
        for c in candidates:
            if not c.valid:
                checked.append(c)
                continue
            parts = urlsplit(c.url)
            host = parts.hostname or ""
            extra = []
            if _is_homepage(parts):
                extra.append("homepage_only")
            if domains and not host_under(host, domains) and not (is_social and host_under(host, platforms)):
                extra.append("off_site")
            if len(items_by_url[row.key.agency, _loose(c.url)]) > 1:
                extra.append("duplicate_in_agency")
            new = tuple(r for r in extra if r not in c.reasons)
            checked.append(replace(c, reasons=c.reasons + new) if new else c)
        out.append(Submission(key=row.key, text=row.url_text, candidates=tuple(checked)))
    return tuple(out)


def _is_homepage(parts: SplitResult) -> bool:
    # "#/oit" and "#!/oit" are pages of a hash-routed site; "#top" is still the homepage
    route = parts.fragment.startswith(("/", "!"))
    return not parts.query and not route and parts.path.lower().rstrip("/") in _INDEX_PAGES


def _loose(url: str) -> str:
    """The comparison key for duplicates: no scheme, no www., no trailing slash."""
    p = urlsplit(url)
    netloc = p.netloc.rpartition("@")[2].removeprefix("www.")
    return f"{netloc}{p.path.rstrip('/')}?{p.query}#{p.fragment}"
