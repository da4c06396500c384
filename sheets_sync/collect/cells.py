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
import ipaddress
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

import ada_url

from sheets_sync.collect import marks
from sheets_sync.config.settings import Agency, ValidationSettings, normalize_domain
from sheets_sync.core import normalize
from sheets_sync.core.models import RowKey, SubmissionRow
from sheets_sync.core.normalize import host_under


@dataclass(frozen=True)
class Candidate:
    raw: str  # the URL as typed (label text and trailing punctuation removed), or the whole cell
    url: str | None  # absolute http(s) URL to fetch, host lower-case punycode; None when invalid
    reasons: tuple[str, ...]  # codes from sheets_sync.core.reasons.REASONS, in the order found
    # Other readings of the same text, best first, to try when this one is broken: a cell such as
    # "…/o19.pdf (ข้อมูลปี 2566)" may be a URL and a label, or one URL with spaces in its file name.
    alternatives: tuple["Candidate", ...] = ()

    @property
    def valid(self) -> bool:
        return self.url is not None

    @property
    def readings(self) -> tuple["Candidate", ...]:
        """This reading, then its alternatives."""
        return (self, *self.alternatives)


@dataclass(frozen=True)
class Submission:
    key: RowKey
    text: str  # the cell text as read
    candidates: tuple[Candidate, ...]  # () means the cell is empty


# A comma or semicolon ends a URL only before a space or a new URL: `?a=1,2` (vendor templates) and
# `;jsessionid=` live inside URLs. Full-width and ideographic commas never do.
# A bar glued to a new URL ("…/o1|https://…/o2") separates two links too: it is never inside one. So does
# a "<" before one: Outlook's and Word's plain text writes a link as its text and "<address>" glued to it
# ("https://x.go.th/o1<https://x.go.th/o1>"); read as one, a working link was checked as "…/o1%3Chttps://…".
# A single angle quote in its place ("…/o1‹https://…/o1›", a typographic "<") too.
_SEP_RE = re.compile(r"[,;](?=\s|$|https?://|www\.)|[|<‹](?=\s*(?:https?://|www\.))|[，、；]", re.I)
# A link pasted right after another, with no space ("…/o1.pdfhttp://…/o2.pdf"): a new scheme after a
# letter, digit or file name's end of a path with no query yet. Never after "=" or "/" (a viewer's
# "?url=http://…", an archive's "/web/2023/https://…") nor inside a query or an escape. After Thai
# too: "…/o1และhttps://…/o2" ("and") is two items' links, and read as one the second was never checked.
# A scheme typed in full width is written so here (`_full_width_schemes`): one glued to a link parts it too.
_GLUED_LINK = re.compile(r"(?<=[A-Za-z0-9_~)\u0e00-\u0e7f])(?=(?:https?|[ｈＨ][ｔＴ]{2}[ｐＰ][ｓＳ]?)://)", re.I)
# "http://exa mple.go.th": a space inside an unfinished host (empty, no dot, or ending in . or -). Kept as
# one piece so the clerk hears "space in the URL" instead of getting two half-URLs checked.
# Any space of a line counts (an ideographic or em space: read apart, the second half was checked as a site).
_BROKEN_HOST_RE = re.compile(r"(https?://(?:[^\s/?#.]*|[^\s/?#]*[.-]))[^\S\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+"
                             r"(?=[^\W_])(?!https?:|www\.)", re.I)
# An emoji or pictograph typed after a link in LINE or Facebook ("…/o1🙏", "…/o19.pdf✅ ส่งแล้วค่ะ"): no
# address holds one, and glued to the link it went into the path, a working link checked as broken. It
# parts words as a space does ("👉https://…" was read so already).
_PICTOGRAPH = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")
# TLDs that make a scheme-less "x.go.th/..." a host, while "report.pdf" or "ข้อ 1.2" stay plain text.
# A Thai name is a host too ("ลำพูน.go.th/ita", "ลำพูน.ไทย"): typed without a scheme it was `malformed`,
# a working link called invalid. A label is all Thai or all ASCII, so "ข้อมูลwww.x.go.th" keeps its label.
_TLDS = "th|com|net|org|info|biz|io|me|be|ly|gl|co|app|site|online|gov|edu|asia|cc|xyz|page|dev|link|tv|xn--o3cw4h|ไทย"
_BARE = (r"(?<![A-Za-z0-9.@/_-])(?://)?(?:(?:[A-Za-z0-9_-]+|[\u0e00-\u0e7f0-9-]+)\.)+"
         rf"(?:{_TLDS})\.?(?=[:/?#]|\W*$)")
_BARE_RE = re.compile(_BARE, re.I)
# Where a URL starts inside a whitespace-free token; text before it is a label ("ลิงก์:"). A named scheme
# without // needs text after the colon, so a label such as "Data:" or "File:" stays a label.
_START_RE = re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://"  # any scheme with // (ftp://, file://, https://)
    r"|(?<![A-Za-z0-9+.-])(?:javascript|vbscript|data|mailto|file|tel|ftp):(?!https?:|www\.)(?=.)"
    r"|(?<![A-Za-z0-9+.-])https?:(?!https?:)(?=.)"  # "https:www.x.go.th" is an https link: as a browser reads it
    r"|(?<![A-Za-z0-9+.-])[ｈＨ][ｔＴ]{2}[ｐＰ][ｓＳ]?:(?=.)"  # typed in full width (`_full_width_schemes`)
    rf"|{_BARE}", re.I)
_HYPERLINK_RE = re.compile(r'=\s*HYPERLINK\s*\(\s*"([^"]*)"\s*(?:[,;]\s*(?:"(?:[^"]|"")*"|[^)"]*))?\)\s*', re.I)
# Full-width and CJK brackets too ("（https://…）", "【…】" from a Thai IME or a LINE note): kept, they
# went into the path ("…/o1%EF%BC%89") and a working link was checked as a broken one.
_TRAIL = ".,;:!?'\"“”‘’«»>›)]}、，。）］｝】」』〕〉》"
_OPENER = {")": "(", "]": "[", "}": "{", "）": "（", "］": "［", "｝": "｛", "】": "【", "」": "「", "』": "『",
           "〕": "〔", "〉": "〈", "》": "《"}
# A word after a space that carries on a path: a file name ("2565.pdf", "(1).pdf"), a path or query
# piece ("2566/O1", "type=1"), or an escape ("%20"). "พ.ศ." or "ข้อ 1.2" are not file names.
_EXT = r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|csv|txt|rtf|jpe?g|png|gif|zip|rar|7z|html?|php|aspx?|jsp|mp4)"
_FILE_END_RE = re.compile(_EXT + r"(?:[?#]\S*)?$", re.I)
# A first word that already ends a file name ("…/o19.pdf", no query): what follows is likelier a label.
_FILE_NAME_RE = re.compile(_EXT + "$", re.I)
_PATH_PIECE_RE = re.compile(r"[/=&\\]|%[0-9A-Fa-f]{2}")
# Thai glued to a URL with no space: after a file name it is a label ("…/o19.pdfข้อมูลปี 2566");
# after a letter or digit of a path it may be one too ("…/ita/o1ข้อมูลโครงสร้าง"), or a Thai slug.
_THAI = "\u0e00-\u0e7f"
# ... or a bracketed label ("…/o19.pdf(ข้อมูลปี 2566)"): no file name goes on past its extension,
# and a path word rarely runs into a bracket with Thai in it.
_GLUED_AFTER_FILE_RE = re.compile(_EXT + f"(?=[{_THAI}]|[(\\[（])", re.I)
_GLUED_RE = re.compile(f"(?<=[A-Za-z0-9])(?=[{_THAI}]|[(\\[（][^)\\]）]*[{_THAI}])")
_QUERY_PIECE_RE = re.compile(r"[=&]|%[0-9A-Fa-f]{2}")
# A closing bracket or quote glued to Thai ("(https://…/o1)ข้อมูลปี 2566", "“https://…/o1”ค่ะ", as Thai is
# written, without spaces): it closes what opened before the link, and what follows is a label. Went
# into the path: the link alone was never checked. A bracket the path opened itself ("…/ลำพูน_(จังหวัด)") is the path's.
_CLOSER_BEFORE_THAI = re.compile(f"[)\\]}}）］｝】」』〕〉》”’»\"](?=[{_THAI}])")
# "&amp;" in a query (or WordPress's "&#038;"): the page's HTML source of a link (or an e-mail's)
# copied instead of the address bar. A browser sends "&amp;" as typed, so the site reads
# "amp;id=12", and takes "&#038;..." for the start of a fragment: another page either way.
_ESCAPED_AMP = re.compile(r"&(?:amp|#0*38);", re.I)
_FRAGMENT = re.compile(r"(?<!&)#")  # where the fragment starts: a "#" that is not "&#038;"'s
# A web scheme typed without its colon (or with a key beside it): no browser opens it as a link.
_SCHEME_TYPO = re.compile(r"(?<![\w.])https?[;.,]?//?(?=\w)", re.I)
# A cell longer than ten of the longest URLs is a pasted document, not a list of links: read as one,
# each of its words could cost a request.
_MOST_URLS = 10
# A web scheme typed with a Thai or CJK input method in full-width letters ("ｈｔｔｐｓ://", "ＨＴＴＰＳ：／／"):
# it was taken for a label before a host without a scheme, checked as http://.
_FULL_WIDTH_SCHEME = re.compile(r"(?<![A-Za-z0-9+.\-ａ-ｚＡ-Ｚ０-９])[hHｈＨ][tTｔＴ]{2}[pPｐＰ][sSｓＳ]?[:：][/\\／＼]*")
# The link after such a scheme, up to a space, a full-width comma or semicolon (they part links) or the
# next such scheme: typed in full width too ("ｈｔｔｐｓ：／／ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１") it is read in ASCII.
_FULL_WIDTH_LINK = re.compile(r"(?:(?!" + _FULL_WIDTH_SCHEME.pattern + r")[^\s，；])*")
# The full-width forms of ASCII (U+FF01..U+FF5E) as NFKC reads them, and only those: NFKC would change
# Thai ("ำ" to "ํา") and any other compatibility character of a path. Not brackets: "（…）" around a link
# or a label is read as typed (`_TRAIL`, `_GLUED_RE`).
_FULL_WIDTH_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c) not in "（）［］｛｝"}
# A link after an ASCII scheme that goes full width before its host has ended: at its start
# ("https://ｗｗｗ．ｘ．…") or at a full-width "/", "?", "#" or "\" ("https://www.x.go.th／ｏ１"; a browser
# maps them into the host, where they are forbidden: no browser opens it). After an ASCII "/" a
# full-width path is one a browser sends as typed.
_WIDE_BEFORE_HOST_END = re.compile(r"[\uff01-\uff5e](?<![（）［］｛｝])|[^/?#\\\s，；]*[／？＃＼]")
# Names that mean this machine (RFC 6761): valid to type, and the address guard blocks them as loopback.
LOCAL_NAMES = ("localhost",)


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
      URL, and a "<" before one ("…/o1<https://…/o1>", Outlook's plain text); full-width/ideographic commas always split. On one line, a URL starts wherever a word holds a URL start (a scheme, `//`, or a
      host with a known TLD such as x.go.th), so "ลิงก์:https://..." gives the link and
      "https://a.go.th/1 https://a.go.th/2" two links. Words before the first URL of a line ("ลิงก์:",
      e-mail addresses) are labels. A cell with no URL start at all -> one `malformed` candidate.
    - Spaces inside a URL (see `_readings`): the words after a URL up to the next URL either belong to
      it (a Thai file name copied from the address bar, "…/รายงาน ประจำปี 2565.pdf") or are a label
      ("…/o19.pdf (ข้อมูลปี 2566)"). The likelier reading is the candidate; the other one is its
      `alternatives`, which the check stage tries when the first is broken.
      Exception: a space inside an unfinished host ("http://exa mple.go.th") keeps both halves
      together -> `malformed`. A space right after a "/" of the path before a file name or a path piece
      ("…/uploads/ O1.pdf", a line break copied as a space) is read joined first (`_space_wrapped`).
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
    - A URL broken over two lines (`_rewrapped`): a next line that ends a file name (of one word or
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
      glued to a path (after a letter, digit, "_", "~" or ")", before any "?", "=", "%" or "#";
      never a viewer's "?url=http://…" or an archive's "/web/2023/https://…"); one typed in full width
      glued to another keeps its `scheme_slashes` (`_ascii_link`).
    - Trailing punctuation (. , ; : ! ? quotes “ ” ‘ ’ « » > and unmatched ) ] }, full-width and CJK
      brackets ） 】 」 among them) is dropped.
    - "…" in a URL (a display's shortening copied: Facebook, LINE) -> checked as typed, plus
      `truncated_link`.
    - Google's breadcrumb of an address ("https://www.x.go.th › ita › o1", `_breadcrumbs`) -> joined by
      "/" first, the site alone second, both with `breadcrumb_link`.
    - A cell whose only link-like text is a web scheme without its colon ("https//x.go.th/a",
      "http.//...") -> one `bad_scheme` (its note says a link starts with http:// or https://).
    - Scheme: http/https in any case; none (www.x.go.th, x.go.th/a, //x.go.th/a) -> http:// plus
      `missing_scheme`; http(s) with other than two slashes after it ("https:/x.go.th",
      "https:www.x.go.th", backslashes) -> the URL a browser opens plus `scheme_slashes`; a scheme typed
      before a pasted link ("https://https://x.go.th", "http://https://…") -> the inner link plus
      `scheme_slashes`; http/https in full-width letters ("ｈｔｔｐｓ://", `_full_width_schemes`) -> that scheme
      plus `scheme_slashes`, the link after it read in ASCII where it is typed in full width too (after
      an ASCII scheme too, when the link starts so, "https://ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", or its host ends
      so, "https://www.x.go.th／ｏ１"); any
      other scheme (javascript:, mailto:, ftp://, file:, data:, tel:) -> `bad_scheme`.
    - Host: lower case, Thai names to punycode, one trailing dot dropped. `malformed` when empty, with a
      space or symbol, a label empty, over 63 or starting/ending with "-", a single label (except
      `localhost`, which the address guard blocks), or a bad IP; underscores are tolerated as browsers
      do. IP literals are valid here (the SSRF guard decides). Port must be 1..65535. User info
      (user@host) is kept as typed and is valid; off_site judges the real host after the "@".
    - The URL itself is what a browser makes of the text (WHATWG URL standard, `ada_url`): spaces to
      %20, Thai to UTF-8 percent-encoding, existing %XX left alone, "\\" as "/"; an empty path becomes
      "/". The fragment is kept: it is never sent, and it matters for hash-routed pages (`#/oit/o1`).
    """
    text = _full_width_schemes(normalize.visible("" if text is None else str(text)).strip())  # "\0": _readings'
    if not text:
        return ()
    if len(text) > max_length * _MOST_URLS:
        return (Candidate(text, None, ("too_long",)),)
    if text.startswith("="):
        m = _HYPERLINK_RE.fullmatch(text)
        if not m:
            return (Candidate(text, None, ("malformed",)),)
        inner = _read(_trim(m[1].strip()), max_length)
        return (Candidate(text, inner.url, ("formula", *inner.reasons)),)
    if _ANCHOR.search(text):
        return _anchored(text, max_length)
    found: list[Candidate] = []
    for group in map(_wrap_readings, _readings(_breadcrumbs(text))):
        pieces = _unprefixed(_unglued(_unmarked(_uncrumbed(group))))
        readings = [_read(piece, max_length) for piece in _unescaped(pieces)]
        if any(map(_escaped_query, pieces)):
            readings = [replace(r, reasons=(*r.reasons, "escaped_ampersand")) if r.valid else r for r in readings]
        if any(_CRUMB in piece for piece in group):  # Google's display of an address, not the address
            readings = [replace(r, reasons=(*r.reasons, "breadcrumb_link")) if r.valid else r for r in readings]
        readings = [x for r in readings for x in (r, *_sara_am_composed(r))]
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
        return list(parse_cell(part, max_length)) if _START_RE.search(part) or _SCHEME_TYPO.search(part) else []

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


def _full_width_schemes(text: str) -> str:
    """`text` with each web scheme typed in full width, wholly or in part, written in full-width letters
    and an ASCII ":" and slashes: the rest of the reading looks for "//", and `_check` reads the letters
    and warns (a browser takes them for no scheme: as a link on ITAS it leads to a path there).

    The link after a full-width scheme is read in ASCII where it is typed in full width too (a CJK or
    Thai input method left in full-width mode: "ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１" was `malformed`); its Thai is
    left as typed. So is the link after an ASCII scheme that goes full width before its host has ended
    (`_WIDE_BEFORE_HOST_END`: "https://www.x.go.th／ｏ１" was `malformed` too).

    >>> _full_width_schemes("ลิงก์ ＨＴＴＰＳ：／／x.go.th/a httpｓ://y.go.th https://z.go.th")
    'ลิงก์ ＨＴＴＰＳ://x.go.th/a ｈｔｔｐｓ://y.go.th https://z.go.th'
    >>> _full_width_schemes("ｈｔｔｐｓ：／／ｗｗｗ．ｘ．ｇｏ．ｔｈ／ลำพูน／ｏ１（ปี 2566）")
    'ｈｔｔｐｓ://www.x.go.th/ลำพูน/o1（ปี 2566）'
    >>> _full_width_schemes("https://ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１ https://x.go.th/ｏ１ https://x.go.th／ลำพูน／ｏ１")
    'ｈｔｔｐｓ://www.x.go.th/o1 https://x.go.th/ｏ１ ｈｔｔｐｓ://x.go.th/ลำพูน/o1'
    """
    out, end = [], 0
    for m in _FULL_WIDTH_SCHEME.finditer(text):
        # an ASCII scheme is read so only when the link after it starts in full width ("https://ｗｗｗ．…":
        # the input method switched after the scheme, or the scheme came from an autocomplete): malformed
        if m[0].isascii() and not _WIDE_BEFORE_HOST_END.match(text, m.end()):
            continue
        letters, _, slashes = unicodedata.normalize("NFKC", m[0]).partition(":")
        link = _FULL_WIDTH_LINK.match(text, m.end())
        out += [text[end:m.start()], "".join(chr(ord(c) + 0xFEE0) for c in letters), ":", slashes,
                _ascii_link(link[0])]
        end = link.end()
    return "".join(out) + text[end:]


def _ascii_link(link: str) -> str:
    """`link`, typed after a scheme in full width, in ASCII (`_FULL_WIDTH_ASCII`). A link glued to it
    (where `_apart` parts two) is read as one of its own: its full-width scheme was read as ASCII here,
    and the link lost the warning the first one gets.

    >>> _ascii_link("／／ａ．ｇｏ．ｔｈ／ｏ１ｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２"), _ascii_link("／／ａ．ｇｏ．ｔｈ／？ｕ＝ｈｔｔｐ：／／ｂ")
    ('//a.go.th/o1ｈｔｔｐｓ://b.go.th/o2', '//a.go.th/?u=http://b')
    """
    ascii_link = link.translate(_FULL_WIDTH_ASCII)
    at = _glued_start(ascii_link, after_scheme=True)
    return ascii_link if at < 0 else ascii_link[:at] + _full_width_schemes(link[at:])


# Google's search results show an address as a breadcrumb: its site, then its path's words after " › "
# ("https://www.x.go.th › ita › o1"), and only some of them. Copied so, it was the home page and a label
# (homepage_only). A marker after each "/" it stands for keeps the reading apart (`_uncrumbed`).
_CRUMB = "\x06"
_CRUMBS = re.compile(r"(?<!\S)(\S+)((?:[^\S\r\n]+\u203a[^\S\r\n]+[^\s\u203a]+)+)")
_CRUMB_GAP = re.compile(r"[^\S\r\n]+\u203a[^\S\r\n]+")


def _breadcrumbs(text: str) -> str:
    """`text` with each breadcrumb of a site's address (Google's display) written as a path, with a
    `_CRUMB` after each "/" it stands for; an address that has a path already is left alone.

    >>> _breadcrumbs("ลิงก์ https://www.x.go.th › ita › o1 ข้อมูล").replace(_CRUMB, "^")
    'ลิงก์ https://www.x.go.th/^ita/^o1 ข้อมูล'
    >>> _breadcrumbs("https://x.go.th/a › b")
    'https://x.go.th/a › b'
    """
    def written(m: re.Match) -> str:
        start = _START_RE.search(m[1])
        if not start:
            return m[0]
        scheme, crumbs = m[1].find("//", start.start()), _CRUMB_GAP.split(m[2])[1:]
        # (an address with a path is no breadcrumb; "a.go.th › https://b.go.th/o1" is two links, an arrow between)
        if "/" in m[1][scheme + 2 if scheme >= 0 else start.start():] or any(map(_START_RE.search, crumbs)):
            return m[0]
        return m[1] + "".join("/" + _CRUMB + crumb for crumb in crumbs)
    text = text.replace(_CRUMB, "").replace(_SPACE_JOINED, "")
    return _CRUMBS.sub(written, text) if "\u203a" in text else text


def _uncrumbed(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, a breadcrumb (`_breadcrumbs`) read joined by "/" first and as the site alone second.

    The joined reading comes first: the site alone opens (a home page, homepage_only, is no broken link),
    so a reading after it would never be tried. When the joined one does not open (Google shows only
    part of a path), the site alone is judged, as it was.

    >>> _uncrumbed(("https://x.go.th/\x06ita/\x06o1", "https://x.go.th/\x06ita/\x06o1 ข้อมูล"))
    ('https://x.go.th/ita/o1', 'https://x.go.th', 'https://x.go.th/ita/o1 ข้อมูล')
    """
    out: list[str] = []
    for piece in pieces:
        if "/" + _CRUMB in piece:
            out += [piece.replace(_CRUMB, ""), piece[:piece.index("/" + _CRUMB)]]
        else:
            out.append(piece)
    return tuple(dict.fromkeys(out))


# Where a space after a "/" was read away (`_space_wrapped`): the reading says so (`space_in_path`), as
# typed the link is "…/%20O1.pdf", which the assessor would be given and which does not open.
_SPACE_JOINED = "\x07"


def _read(piece: str, max_length: int) -> Candidate:
    """One reading of a URL: too_long over `max_length` (a browser's and ITAS's limit is per URL;
    a cell of several links over it was too_long as a whole, each working link called invalid)."""
    joined = _SPACE_JOINED in piece
    piece = piece.replace(_SPACE_JOINED, "")
    if len(piece) > max_length:
        return Candidate(piece, None, ("too_long",))
    url, reasons = _check(piece)
    return Candidate(piece, url, (*reasons, "space_in_path") if joined and url else reasons)


def _readings(text: str):
    """Per URL in the cell, in order: the pieces of text it may be, likeliest first (see parse_cell).

    After a URL's first word, the words up to the next URL start may carry on its path. The long
    reading takes them up to the last word that looks like a path piece (a file name, a "/" or "=",
    an escape) or, when none does, all of them. It comes first when such a word is there and the
    first word does not already end a file name ("…/o19.pdf (ข้อมูลปี 2566)" is a file and a label);
    when that word ends a file name it is the only reading ("…/รายงาน ประจำปี 2565.pdf" is one file).
    A word that ends a bracket group holds a label ("(ข้อมูล ณ 1/10/2565)"), so its "/" does not
    count. After a "#" nothing changes the request.
    """
    text = _SEP_RE.sub("\n", _rewrapped(_PICTOGRAPH.sub(" ", text)))
    text = re.sub(r"\S+", _apart, text) if "://" in text else text
    text = _BROKEN_HOST_RE.sub(lambda m: m[1] + "\0", text)  # "\0": a space that must not split
    for line in text.splitlines():
        groups: list[list[tuple[int, int]]] = []  # per URL: (start, end) of its first word and the words after
        for word in re.finditer(r"\S+", line):
            m = _START_RE.search(word[0])
            if m:
                groups.append([(word.start() + m.start(), word.end())])
            elif groups:
                groups[-1].append(word.span())
        for (start, first_end), *rest in groups:
            first = line[start:first_end]
            short = _trim(first).replace("\0", " ")
            if not short:
                continue
            if not rest or "#" in first:
                yield (short,)
                continue
            in_query, depth, last_path = "?" in first, 0, -1
            for i, (a, b) in enumerate(rest):
                word, inside = line[a:b], depth > 0
                depth = max(0, depth + word.count("(") + word.count("[") - word.count(")") - word.count("]"))
                # In a query a "/" is more likely a label's date ("ข้อ 1/2566") than the query going on.
                piece = _QUERY_PIECE_RE if in_query else _PATH_PIECE_RE
                if _FILE_END_RE.search(word) or (not inside and depth == 0 and not word.endswith((")", "]"))
                                                  and piece.search(word)):
                    last_path = i
                in_query = in_query or "?" in word
            end = rest[last_path][1] if last_path >= 0 else rest[-1][1]
            # The spaces as typed (a file name may hold two); a tab is a space to a person.
            long = _trim(line[start:end].replace("\t", " ")).replace("\0", " ")
            if last_path >= 0 and not _FILE_NAME_RE.search(_trim(first)):
                a, b = rest[last_path]
                # A label does not end in a file name: "…/รายงาน ประจำปี 2565.pdf" is one URL, and its
                # cut-off prefix (a folder, a landing page) must not stand in for a missing file.
                named = bool(_FILE_END_RE.search(_trim(line[a:b])))
                yield (*_space_wrapped(first, line[rest[0][0]:end], named), long, *(() if named else (short,)))
            else:
                yield (short, long)


def _space_wrapped(first: str, after: str, named: bool) -> tuple[str, ...]:
    """The URL joined over a space right after a "/" of its path ("…/uploads/2023/01/ O1.pdf",
    "…/uploads/ 2566/o1.pdf": a PDF's line break copied as a space), or nothing. Joined first, as a
    line wrap after an open end is (`_rewrapped`): a name or folder that starts with a space is rare.
    Only when what follows carries on the path: it ends a file name, or its first word is a path piece
    ("…/oit/ ข้อ 4/2566" keeps its label, "…/oit/ o1" its folder).

    The join is marked (`_SPACE_JOINED`, read by `_read`: the reading says so).

    >>> _space_wrapped("http://x.go.th/uploads/", "O1.pdf", True), _space_wrapped("http://x.go.th/oit/", "ข้อ 4/2566", False)
    (('http://x.go.th/uploads/\\x07O1.pdf',), ())
    """
    if not first.endswith("/") or first.endswith("//"):
        return ()
    if not (named or (_PATH_PIECE_RE.search(after.split()[0]) and re.match(r"[A-Za-z0-9%]", after))):
        return ()
    return (_trim(first + _SPACE_JOINED + after.replace("\t", " ")).replace("\0", " "),)


# A URL broken over two lines (a PDF's or Word's line wrap copied, Alt+Enter typed where Excel wrapped):
# the next line starts no URL and carries on the path. A marker joins it, read by `_wrap_readings`:
# "\x01" for good (a file name after an open end, which a label does not make: "…/2566/\nO1.pdf");
# "\x02" joined first, cut off second (a path piece after an open end, "/", "-", "_", "=", "&":
# "…/ita-\n2566/o1"); after a word, a file name's end may be a name broken in two ("…/รายงาน\nผล.pdf"),
# one wrapped at its space ("รายงาน ผล.pdf"), or a note naming the file: "\x04" joined, with a space,
# cut off; "\x03" the space first, for a next line of several words ("…/รายงาน\nประจำปี 2566.pdf":
# a name that holds spaces was likelier wrapped at one).
# After words that follow a URL on its line (a spaced file name or a label: "…/รายงาน ประจำปี\n2566.pdf",
# "…/o1 ข้อมูล\nไฟล์.pdf") "\x05": with a space, joined, then the line's own readings (the URL alone and
# with its words, `_readings`): the name holds a space already, and the URL may be a page with a label.
# Read as two lines, the URL was cut to its folder and the rest dropped: a folder judged for the file.
_WRAP_OPEN = "/-_=&?"
_JOINS = {"\x01": ("",), "\x02": ("", None), "\x03": (" ", "", None), "\x04": ("", " ", None),
          "\x05": (" ", "", None)}
_JOIN_RE = re.compile("[\x01-\x05]")


def _rewrapped(text: str) -> str:
    r"""`text` with a URL's next line that carries on its path joined to it (a marker in between).

    >>> _rewrapped("ลิงก์ http://x.go.th/uploads/\nO1.pdf\n(ข้อมูลปี 2566)")
    'ลิงก์ http://x.go.th/uploads/\x01O1.pdf\n(ข้อมูลปี 2566)'
    >>> _rewrapped("http://x.go.th/uploads/รายงาน\nประจำปี 2566.pdf")
    'http://x.go.th/uploads/รายงาน\x03ประจำปี 2566.pdf'
    >>> _rewrapped("http://x.go.th/uploads/รายงาน ประจำปี\n2566.pdf (ข้อมูลปี 2566)")
    'http://x.go.th/uploads/รายงาน ประจำปี\x052566.pdf (ข้อมูลปี 2566)'
    """
    lines = _JOIN_RE.sub("", text).splitlines()
    out = lines[:1]
    for line in lines[1:]:
        words, next_words = out[-1].split(), line.split()
        last = _trim(words[-1]) if words else ""
        # the line's last URL: its last word, or one before words that may carry on its path or label it
        at = max((i for i, w in enumerate(words) if _START_RE.search(w)), default=-1)
        url = _trim(words[at]) if at >= 0 else ""
        start = _START_RE.search(url)
        scheme = url.find("//", start.start()) if start else -1
        has_path = start is not None and "/" in url[(scheme + 2 if scheme >= 0 else start.start()):]
        tail = words[at + 1:]
        # The next line's file name, a label may follow it ("ประจำปี 2566.pdf (ข้อมูลปี 2566)").
        named = [i for i, w in enumerate(next_words) if _FILE_END_RE.search(_trim(w))]
        # (a URL that ended in punctuation, "…/o1," or "…/o1.", ended there; so did a line that ends a file)
        if (next_words and not any(map(_START_RE.search, next_words)) and has_path
                and last == words[-1] and "#" not in url and not any(map(_JOIN_RE.search, words[at:]))
                and not _FILE_NAME_RE.search(url) and not any(_FILE_END_RE.search(_trim(w)) for w in tail)):
            opened = not tail and last[-1] in _WRAP_OPEN
            if named:
                # after a "/" the file's name for good; after a word ("…/news/123" then "ประกาศ.pdf")
                # a name broken in two, or at its space, or a note naming the file: the page is the last reading
                marker = ("\x05" if tail else "\x01" if opened else "\x04" if named[-1] == 0 else "\x03")
                out[-1] = out[-1].rstrip() + marker + line.strip()
                continue
            # (a label may follow a piece that holds a "/", "=" or an escape: "…/ita-" then "2566/o1 ข้อมูล";
            # only a one-word line was joined, the URL checked as its unfinished folder)
            if opened and re.match(r"[A-Za-z0-9%]", next_words[0]) and (
                    len(next_words) == 1 or _PATH_PIECE_RE.search(next_words[0])):
                out[-1] = out[-1].rstrip() + "\x02" + line.strip()
                continue
        out.append(line)
    return "\n".join(out)


def _wrap_readings(pieces: tuple[str, ...]) -> tuple[str, ...]:
    r"""`pieces` with a line break joined (`_rewrapped`): each marker's first join, then the other
    joins of the first marker that has some (None: cut there).

    >>> _wrap_readings(("http://x.go.th/ita-\x022566/o1", "http://x.go.th/a/\x01b.pdf"))
    ('http://x.go.th/ita-2566/o1', 'http://x.go.th/ita-', 'http://x.go.th/a/b.pdf')
    >>> _wrap_readings(("http://x.go.th/ก\x03ข 1.pdf",))
    ('http://x.go.th/ก ข 1.pdf', 'http://x.go.th/กข 1.pdf', 'http://x.go.th/ก')
    """
    def joined(text: str) -> str:
        return _JOIN_RE.sub(lambda m: _JOINS[m[0]][0], text)

    out: list[str] = []
    for piece in pieces:
        out.append(joined(piece))
        # (once: a label after a wrapped name, "…/รายงาน\nผล.pdf (ข้อมูล)", is a piece of its own, read joined)
        if (m := re.search("[\x02-\x05]", piece)) and not any(map(_JOIN_RE.search, pieces[:pieces.index(piece)])):
            before, after = joined(piece[:m.start()]), joined(piece[m.end():])
            for join in _JOINS[m[0]][1:]:
                if join is not None:
                    out.append(before + join + after)
                else:  # cut there: the URL's own line, read as `_readings` reads one ("…/o1 ข้อมูล")
                    out += next(_readings(before), ()) if m[0] == "\x05" else [_trim(before)]
    return tuple(dict.fromkeys(p for p in out if p))


def _apart(word: re.Match) -> str:
    """A word holding links glued one after another, with a space between them (`_GLUED_LINK`).

    >>> _apart(re.match(r"\\S+", "http://a.go.th/o1.pdfhttps://a.go.th/o2.pdf"))
    'http://a.go.th/o1.pdf https://a.go.th/o2.pdf'
    """
    text = word[0]
    at = _glued_start(text)
    return text if at < 0 else text[:at] + " " + _apart(re.match(r"\S+", text[at:]))


def _glued_start(text: str, after_scheme: bool = False) -> int:
    """Where a link glued to the one in `text` starts (`_GLUED_LINK`), or -1. Only in a link's path
    (`after_scheme`: `text` follows one) before any "?", "=", "%" or "#": a viewer's "?url=http://…"
    and an escape or a fragment holding one stay one link."""
    for m in _GLUED_LINK.finditer(text):
        before = text[:m.start()]
        if (after_scheme or "://" in before) and not any(c in before for c in "?=%#"):
            return m.start()
    return -1


# Sara am (ำ) as a PDF's text layer or an old Thai font stores it: nikhahit then sara aa (ํา), two
# characters that look the same. Copied into a link it is another address, a 404 where the file's
# name has ำ: the link as typed stays the first reading (it is what the assessor will be given),
# the composed one is tried next and says what to fix (`sara_am_split`) when it is the one that opens.
# (A host needs no such reading: IDNA maps both to one name.)
_SPLIT_AM = re.compile("%E0%B9%8D%E0%B8%B2", re.I)


def _sara_am_composed(candidate: Candidate) -> tuple[Candidate, ...]:
    """`candidate`'s URL with each split sara am composed, as another reading, or nothing.

    >>> c = _read("http://x.go.th/ผลการดําเนินงาน.pdf", 2000)
    >>> [(a.url, a.reasons) for a in _sara_am_composed(c)]
    [('http://x.go.th/%E0%B8%9C%E0%B8%A5%E0%B8%81%E0%B8%B2%E0%B8%A3%E0%B8%94%E0%B8%B3%E0%B9%80%E0%B8%99%E0%B8%B4%E0%B8%99%E0%B8%87%E0%B8%B2%E0%B8%99.pdf', ('sara_am_split',))]
    """
    if not candidate.valid or not _SPLIT_AM.search(candidate.url):
        return ()
    url = _SPLIT_AM.sub("%E0%B8%B3", candidate.url)
    return (replace(candidate, url=url, reasons=(*candidate.reasons, "sara_am_split")),)


def _unescaped(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, each followed by its reading with "&amp;" (or "&#038;") in its query read as "&" (see
    parse_cell: both readings carry `escaped_ampersand`, so whichever is judged says to fix it).

    >>> _unescaped(("http://x.go.th/index.php?option=com_content&amp;view=article&amp;id=12",))
    ('http://x.go.th/index.php?option=com_content&amp;view=article&amp;id=12', \
'http://x.go.th/index.php?option=com_content&view=article&id=12')
    """
    out: list[str] = []
    for piece in pieces:
        out.append(piece)
        query = _escaped_query(piece)
        if query:
            start, end = query  # the fragment after it is never sent: left as typed
            out.append(piece[:start] + _ESCAPED_AMP.sub("&", piece[start:end]) + piece[end:])
    return tuple(dict.fromkeys(out))


def _escaped_query(piece: str) -> tuple[int, int] | None:
    """(start, end) of a URL's query when it holds an escaped "&" (`_ESCAPED_AMP`), else None.

    >>> _escaped_query("http://x.go.th/?p=12&#038;lang=th#top"), _escaped_query("http://x.go.th/a#b&amp;c")
    ((15, 33), None)
    """
    fragment = _FRAGMENT.search(piece)
    end = fragment.start() if fragment else len(piece)
    start = piece.find("?", 0, end)
    if start < 0 or not _ESCAPED_AMP.search(piece, start, end):
        return None
    return start, end


def _unmarked(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces` with the readings of a dash or dots typed before a Thai label (`marks.readings`), each once.
    A label does not end in a file name: "…/O1–โครงสร้าง.pdf" is one file, and a missing one is not
    judged by the page before its dash.

    >>> _unmarked(("http://x.go.th/o1...ดูเพิ่มเติม", "http://x.go.th/O1–โครงสร้าง.pdf"))
    ('http://x.go.th/o1', 'http://x.go.th/o1...ดูเพิ่มเติม', 'http://x.go.th/O1–โครงสร้าง.pdf')
    """
    out: list[str] = []
    for piece in pieces:
        readings = (piece,) if _FILE_END_RE.search(piece) else marks.readings(piece)
        out += [r for r in map(_trim, readings) if r]
    return tuple(dict.fromkeys(out))


def _unglued(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces` with the readings of Thai glued to a URL's path (see parse_cell), in order, each once.

    >>> _unglued(("http://x.go.th/o19.pdfข้อมูลปี2566",))
    ('http://x.go.th/o19.pdf', 'http://x.go.th/o19.pdfข้อมูลปี2566')
    >>> _unglued(("http://x.go.th/ita/o1ข้อมูล", "http://x.go.th/ข่าว-ประกาศ"))
    ('http://x.go.th/ita/o1ข้อมูล', 'http://x.go.th/ita/o1', 'http://x.go.th/ข่าว-ประกาศ')
    >>> _unglued(("http://x.go.th/o1)ข้อมูล", "http://x.go.th/o1”ค่ะ", "http://x.go.th/ก_(ข)ค"))
    ('http://x.go.th/o1', 'http://x.go.th/o1)ข้อมูล', 'http://x.go.th/o1”ค่ะ', 'http://x.go.th/ก_(ข)ค')
    """
    out: list[str] = []
    for piece in pieces:
        scheme = piece.find("//")
        path = piece.find("/", scheme + 2 if scheme >= 0 else 0)
        end = piece.find("#", path) if path >= 0 else -1
        readings = [piece]
        if path >= 0:
            area = piece[:end if end >= 0 else len(piece)]
            label = _GLUED_AFTER_FILE_RE.search(area, path)
            closer = next((m for m in _CLOSER_BEFORE_THAI.finditer(area, path)
                           if area[:m.end()].count(m[0]) > area.count(_OPENER.get(m[0], m[0]), 0, m.start())), None)
            if closer and not (label and label.end() <= closer.start()):
                readings = [_trim(piece[:closer.start()]), piece]
            elif label:
                readings = [piece[:label.end()], piece]
            else:
                glued = _GLUED_RE.search(area, path)
                if glued:
                    readings = [piece, piece[:glued.start()]]
        out += [r for r in readings if r not in out]
    return tuple(out)


# A Thai word and a dot before a Thai host typed without a scheme: "อบต.ลำพูน.ไทย/ita" may be the
# name "อบต.ลำพูน.ไทย" (Thai names have three labels: "….รัฐบาล.ไทย") or the abbreviation "อบต."
# (a subdistrict office) before the host "ลำพูน.ไทย". Both are read; the check tries the second on
# another host when the first is broken, DNS included (check/readings.py).
_THAI_SUFFIXES = {"go.th", "ac.th", "co.th", "or.th", "in.th", "mi.th", "net.th",
                  "รัฐบาล.ไทย", "ทหาร.ไทย", "ศึกษา.ไทย", "องค์กร.ไทย", "ธุรกิจ.ไทย", "เน็ต.ไทย"}
_THAI_PREFIX = re.compile(r"(?://)?[0-9-]*[\u0e00-\u0e7f][\u0e00-\u0e7f0-9-]*\.")


def _unprefixed(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, each followed by its reading without a leading Thai word when the rest is a host.

    >>> _unprefixed(("อบต.ลำพูน.ไทย/ita",))
    ('อบต.ลำพูน.ไทย/ita', 'ลำพูน.ไทย/ita')
    >>> _unprefixed(("ลำพูน.ไทย/ita", "ลำพูน.go.th/ita", "https://อบต.ลำพูน.ไทย/ita"))
    ('ลำพูน.ไทย/ita', 'ลำพูน.go.th/ita', 'https://อบต.ลำพูน.ไทย/ita')
    """
    out: list[str] = []
    for piece in pieces:
        out.append(piece)
        m = _THAI_PREFIX.match(piece)
        rest = piece[m.end():] if m else ""
        host = re.match(r"[^:/?#]*", rest)[0].lower().removesuffix(".")
        # (the rest matched alone: its look-behind would see the "."); never a bare "go.th"
        if m and _BARE_RE.match(piece) and _BARE_RE.match(rest) and host not in _THAI_SUFFIXES:
            out.append(rest)
    return tuple(dict.fromkeys(out))


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
    if m := re.match(r"(https?|[ｈＨ][ｔＴ]{2}[ｐＰ][ｓＳ]?):([/\\]*)", piece, re.I):
        # "http:/x.go.th", "https:\\x.go.th", "http:x.go.th": a browser's address bar opens them all
        # (WHATWG: slashes after a web scheme are optional), so they are checked; but as a link on
        # an https page such as ITAS, "https:/x" resolves to a path on that page's own site, and so
        # does "ｈｔｔｐｓ://x" (full-width letters are no scheme to a browser).
        scheme, rest = unicodedata.normalize("NFKC", m[1]).lower(), piece[m.end():]
        reasons = () if m[2] == "//" and m[1].isascii() else ("scheme_slashes",)
        if re.match(r"https?:", rest, re.I):
            # "https://https://x.go.th/o1": a link pasted after a scheme typed first. The inner link is
            # meant (it was malformed); as typed a browser looks for a site named "https", hence the warning.
            url, inner = _check(rest)
            return url, tuple(dict.fromkeys((*inner, "scheme_slashes"))) if url else inner
    elif piece.startswith("//") or _BARE_RE.match(piece):
        scheme, rest, reasons = "http", piece.removeprefix("//"), ("missing_scheme",)
    elif re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", piece):
        return None, ("bad_scheme",)
    else:
        return None, ("malformed",)
    authority = re.match(r"[^/?#\\]*", rest)[0]
    host = _authority(authority)
    if host is None:
        return None, (*reasons, "malformed")
    try:
        # The rest is a browser's business: the WHATWG parser encodes path, query and fragment
        # exactly as the address bar sends them.
        url = ada_url.URL(f"{scheme}://{rest}")
    except ValueError:
        return None, (*reasons, "malformed")
    if url.hostname != host:
        url.hostname = host  # "x.go.th." is the same site as "x.go.th"
    if (inner := _wrapped(url.hostname, url.pathname, url.search)) is not None:
        inner_url, inner_reasons = _check(inner)
        if inner_url is not None:
            return inner_url, (*reasons, *inner_reasons, "wrapped_link")
    if "…" in rest:
        reasons = (*reasons, "truncated_link")  # checked as typed: the check says whether it opens
    return url.href, reasons


# Platforms' redirect pages that carry the real address in their query: (host, path, the query's
# keys); a host starting with "." is any host under it. Facebook's "l.php" of a post's link,
# Google's "/url" of a link in a Doc, a Sheet or Gmail, Outlook's Safe Links, YouTube's.
_WRAPPERS = ((("google.com", "www.google.com", "google.co.th", "www.google.co.th"), "/url", ("q", "url")),
             ((".facebook.com", ".messenger.com"), "/l.php", ("u",)),
             ((".safelinks.protection.outlook.com",), "/", ("url",)),
             (("www.youtube.com", "youtube.com", "m.youtube.com"), "/redirect", ("q",)))


def _wrapped(host: str, path: str, search: str) -> str | None:
    """The address a platform's redirect page at `host` and `path` (query `search`) sends to, or None.

    >>> _wrapped("l.facebook.com", "/l.php", "?u=https%3A%2F%2Fwww.x.go.th%2Fo10%3Fa%3D1&h=AT0x")
    'https://www.x.go.th/o10?a=1'
    >>> _wrapped("www.google.com", "/search", "?q=https://www.x.go.th/o10") is None
    True
    """
    for hosts, wrapper_path, keys in _WRAPPERS:
        if path != wrapper_path or not any(host == h or (h[0] == "." and host.endswith(h)) for h in hosts):
            continue
        query = parse_qs(search.removeprefix("?"))
        target = next((query[k][0] for k in keys if query.get(k)), "").strip()
        return target if re.match(r"https?://", target, re.I) else None
    return None


def _authority(text: str) -> str | None:
    """The host of [userinfo@]host[:port], lower-case punycode, or None when malformed."""
    _userinfo, _at, hostport = text.rpartition("@")
    m = re.fullmatch(r"(\[[^\]]*\]|[^:]*)(?::(.*))?", hostport, re.S)
    host, port = _host(m[1]), m[2]
    if host is None:
        return None
    if port is not None and not (port.isascii() and port.isdigit() and 0 < int(port) <= 65535):
        return None
    return host


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
    if not all(map(_label_ok, labels)):
        return None
    if len(labels) < 2 and host not in LOCAL_NAMES:
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
