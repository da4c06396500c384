"""What a page leads to beyond its own text. Pure; the checker fetches what these name.

* the file a Google Drive, Docs or Dropbox viewer shows (`viewer_export`): the viewer page
  carries the file's name, its years are in the file;
* the documents an item page shows in an <iframe>, <embed> or <object> (`embedded_documents`):
  many item pages are a heading and the PDF below it; and the one a viewer's own address is
  given (`given_document`: PDF.js's viewer.html?file=...), and those a script viewer draws into
  the page from its own markup (`viewer_documents`: PDF Embedder, flipbooks);
* the pages of its own site it shows in an <iframe> or <frame> (`framed_pages`): a CMS module's
  list, an old template's frameset;
* where a <meta http-equiv="refresh"> sends the browser within seconds (`meta_refresh`), or a
  page with next to no text of its own sends it with a script (`script_redirect`): the checker
  follows either like a redirect, so the verdict is the page the assessor lands on.
"""

from __future__ import annotations

import codecs
import html
import json
import re
from collections.abc import Iterator, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import ada_url

from sheets_sync.check.content import (
    EMBEDDING,
    TAG_REST,
    Page,
    is_html,
    is_viewer,
    promises_document,
    read_html,
    shown_source,
    tag_attributes,
    without_hidden,
)
from sheets_sync.core.normalize import host_of, host_under

_DRIVE_FILE = re.compile(r"^(?:/u/\d+)?/file/d/([\w-]{10,})")
_DOCS_DOCUMENT = re.compile(r"^/document(?:/u/\d+)?/d/([\w-]{10,})")
_FILE_ID = re.compile(r"[\w-]{10,}")


def viewer_export(url: str) -> str | None:
    """Where a Google Drive file, a Docs document or a Dropbox file that `url` shows in a viewer
    gives its content: a viewer page carries the file's name, not its text (the browser draws
    that with scripts), so its years are read from here. None for any other URL (folders,
    sheets, slides, OneDrive too).

    >>> viewer_export("https://drive.google.com/file/d/1AbCdEfGh_IJ-kL/view?usp=sharing")
    'https://drive.google.com/uc?export=download&id=1AbCdEfGh_IJ-kL'
    >>> viewer_export("https://docs.google.com/document/d/1AbCdEfGh_IJ-kL/edit#heading=h.1")
    'https://docs.google.com/document/d/1AbCdEfGh_IJ-kL/export?format=txt'
    >>> viewer_export("https://www.dropbox.com/scl/fi/abc123/o12.pdf?rlkey=k9&dl=0")
    'https://www.dropbox.com/scl/fi/abc123/o12.pdf?rlkey=k9&dl=1'
    >>> viewer_export("https://drive.google.com/file/d/0BAbCdEfGh_IJ/view?usp=sharing&resourcekey=0-XyZ")
    'https://drive.google.com/uc?export=download&id=0BAbCdEfGh_IJ&resourcekey=0-XyZ'
    >>> viewer_export("https://drive.google.com/drive/folders/1AbCdEfGh_IJ-kL") is None
    True
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    if host == "drive.google.com":
        m = _DRIVE_FILE.match(parts.path)
        file_id = m.group(1) if m else None
        if file_id is None and parts.path.rstrip("/") in ("/open", "/uc"):
            file_id = next((v for k, v in parse_qsl(parts.query) if k == "id" and _FILE_ID.fullmatch(v)), None)
        return f"{origin}/uc?export=download&id={file_id}{_resource_key(parts.query)}" if file_id else None
    if host == "docs.google.com":
        m = _DOCS_DOCUMENT.match(parts.path)
        return f"{origin}/document/d/{m.group(1)}/export?format=txt{_resource_key(parts.query)}" if m else None
    if host_under(host, ("dropbox.com",)) and parts.path.startswith(("/s/", "/scl/fi/")):
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("dl", "raw")]
        return f"{origin}{parts.path}?{urlencode([*query, ('dl', '1')])}"  # the file itself, not its preview
    return None


def _resource_key(query: str) -> str:
    """"&resourcekey=…" when the viewer's address carries one: a file shared by link before
    Google's 2021 security update opens only with it, for anyone who has not opened it before
    (the checker never has), and without it the download is a sign-in page."""
    key = next((v for k, v in parse_qsl(query) if k == "resourcekey" and v), None)
    return f"&{urlencode({'resourcekey': key})}" if key else ""


def resolve(base: str, written: str, encoding: str | None = None) -> str:
    r"""Where an address written relative to `base` leads (a Location header, a refresh, a
    script, a frame's src, a <base href>), by the WHATWG URL rules browsers follow (`ada_url`):
    "\" is "/", tabs and new lines are dropped, spaces and Thai are percent-encoded. An address
    those rules refuse is joined as the standard library does, and its request fails as before.
    `encoding`: the page's, for a link written in it. A browser writes a link's query in the
    page's encoding (the path always in UTF-8): an old Thai site's download.php?file=แผน.pdf in
    Windows-874 finds the file only so, and read as UTF-8 it answered "ไม่พบไฟล์".

    >>> resolve("http://a.go.th/ita/o1.asp", r"\files\o1 ปี 66.pdf")
    'http://a.go.th/files/o1%20%E0%B8%9B%E0%B8%B5%2066.pdf'
    >>> resolve("http://a.go.th/ita/", "/dl.php?file=แผน.pdf", "cp874")
    'http://a.go.th/dl.php?file=%E1%BC%B9.pdf'
    """
    written = written.strip()
    if encoding and not written.isascii() and "?" in written:
        written = _query_in(written, encoding)
    native = _native(written)
    try:
        return ada_url.join_url(base, native)
    except ValueError:
        return urljoin(base, native)


def _query_in(written: str, encoding: str) -> str:
    """`written` with its query's characters percent-encoded in `encoding` (a legacy one: a
    Unicode page's query is UTF-8, as `_native` writes it), as a browser encodes a link's query
    in its page's encoding; as it was where that cannot be."""
    head, _, rest = written.partition("?")
    query, hash_, fragment = rest.partition("#")
    try:
        if codecs.lookup(encoding).name.startswith("utf-"):
            return written
        raw = query.encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return written
    return f"{head}?{quote(raw, safe=_QUERY_SAFE)}{hash_}{fragment}"


_QUERY_SAFE = "!$%&'()*+,/:;=?@[]~"


def _native(location: str) -> str:
    """An address as written (a Location header, a frame's src ...) as a URL string: raw
    non-ASCII bytes (UTF-8 Thai paths are common, sometimes TIS-620) percent-encoded as they
    came, the way browsers send them on."""
    if location.isascii():
        return location
    raw = location.encode("utf-8", "surrogateescape")
    return quote(raw, safe="!#$%&'()*+,/:;=?@[]~\\")


# (No "<" inside a tag here and below, as in content.py: a "<" with no ">" after it made each
# attempt scan on to the page's end, time squared in its length.)
_BASE = re.compile(r"<base\b[^<>]*?\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)


def base_url(html_text: str | bytes, url: str) -> str:
    """What relative addresses in a page are resolved against, as a browser does: its
    <base href> (Joomla and other CMSs write one, often the site's root), else the page's URL.

    >>> base_url('<head><base href="https://a.go.th/"></head>', "https://a.go.th/index.php/ita/o12")
    'https://a.go.th/'
    """
    head = html_text[:16_384]  # asked only of pages that show a document or move the browser on
    m = _BASE.search(head.decode("utf-8", "surrogateescape") if isinstance(head, bytes) else head)
    if m is None:
        return url
    try:
        base = resolve(url, html.unescape(m.group(1).strip("\"'")))
    except ValueError:
        return url
    return base if base.startswith(("http://", "https://")) else url


_EMBED_TAG = re.compile(r"<(?:iframe|embed|object)" + TAG_REST, re.I)
_FRAME_TAG = re.compile(r"<i?frame" + TAG_REST, re.I)
MAX_EMBEDDED = 2  # documents read from one page


def embedded_documents(page: Page, base: str) -> list[str]:
    """The documents an HTML page shows in an <iframe>, <embed> or <object> (a PDF, a Drive
    file, or the file a PDF viewer is given with ?file= or ?url=), as absolute URLs, at most
    MAX_EMBEDDED. Many agencies' item pages are a heading and the PDF shown below it: the year
    is in the PDF.

    >>> page = Page(kind="html", raw_html='<h1>O12</h1><IFRAME src="/files/o12.pdf" width=100%></IFRAME>'
    ...     '<iframe src="/pdfjs/web/viewer.html?file=%2Ffiles%2Fo13.pdf"></iframe>')
    >>> embedded_documents(page, "https://a.go.th/ita/o12")
    ['https://a.go.th/files/o12.pdf', 'https://a.go.th/files/o13.pdf']
    """
    found: list[str] = []
    for url in _embedded(page, base):
        shown = next((u for u in (*_given(url), url) if promises_document(u) or viewer_export(u)), None)
        if shown and shown.startswith(("http://", "https://")) and shown not in found:
            found.append(shown)
            if len(found) == MAX_EMBEDDED:
                break
    return found


# Systems whose lists an agency's page shows in a frame, not read here: the Comptroller General's
# e-GP (its announcements of the agency's procurement, an O20 page's usual content).
SHOWN_LISTS = ("gprocurement.go.th",)


def viewer_frames(page: Page, base: str) -> list[str]:
    """What an HTML page shows in an <iframe>, <embed> or <object> from a viewer's host
    (`content.is_viewer`: a flipbook on AnyFlip or Issuu, a Drive folder, a OneDrive file) whose
    file is not read, or from a system whose lists agencies show so (SHOWN_LISTS: e-GP's
    announcements): the assessor sees a document or a list there, its years unknown.

    >>> viewer_frames(Page(kind="html", raw_html='<iframe src="https://online.anyflip.com/abcd/efgh/index.html">'
    ...     '</iframe><iframe src="https://www.youtube.com/embed/x1"></iframe>'), "https://a.go.th/o13")
    ['https://online.anyflip.com/abcd/efgh/index.html']
    """
    return [url for url in _embedded(page, base) if url.startswith(("http://", "https://"))
            and (is_viewer(url) or host_under(host_of(url), SHOWN_LISTS))]


def _embedded(page: Page, base: str) -> Iterator[str]:
    """The absolute address each <iframe>, <embed> and <object> of an HTML page shows."""
    if not EMBEDDING.search(page.raw_html):  # most pages: ~3 us here, where the full pattern cost ~6
        return
    base = base_url(page.raw_html, base)
    for m in _EMBED_TAG.finditer(page.raw_html):
        src = shown_source(m.group(0))
        if src is None:
            continue  # an empty src shows nothing (the browser would load the page itself)
        try:
            yield resolve(base, html.unescape(src))
        except ValueError:  # e.g. "http://[bad": a browser shows nothing there either
            continue


# Scripts that draw a PDF into the page, from markup with no frame of its own: WordPress's PDF
# Embedder replaces an <a class="pdfemb-viewer" href="..."> with the file's pages; a DearFlip
# (dFlip) flipbook is a <div class="_df_book"> given its file in a `source` attribute or in its
# options, a script's `option_df_123 = {"source": "..."}`; a Real3D Flipbook, in a "pdfUrl" of its
# options (a script's, or its div's data-flipbook-options); a 3D FlipBook, in its div's data-pdf.
# The assessor sees the file in the page.
# Only a viewer's own markup counts: a plain link to a PDF may be any menu's.
_VIEWER_MARKS = (b"pdfemb-viewer", b"_df_", b"real3dflipbook", b"_3d-flip-book", b"PDFObject.embed")
# PDFObject (a small library many hand-made sites embed their PDFs with): PDFObject.embed("/files/o10.pdf", "#pdf1")
_PDFOBJECT = re.compile(r"""PDFObject\.embed\(\s*(?:"((?:[^"\\\r\n]|\\.){1,2000})"|'((?:[^'\\\r\n]|\\.){1,2000})')""")
_VIEWER_CLASS = re.compile(r"(?:^|\s)(?:pdfemb-viewer|_df_(?:book|thumb|button|custom)|real3dflipbook|_3d-flip-book)"
                           r"(?:\s|$)", re.I)
_VIEWER_MARK = re.compile("|".join(m.decode() for m in _VIEWER_MARKS))
_VIEWER_TAG = re.compile(r"<[a-z][\w-]*" + TAG_REST, re.I)
_VIEWER_SOURCES = ("href", "source", "data-source", "pdf", "data-pdf")
_VIEWER_OPTION = re.compile(r"""["'](?:source|pdfUrl|pdf_url)["']\s*:\s*("(?:[^"\\\r\n]|\\.){1,2000}")""")


def viewer_documents(body: bytes, base: str) -> list[str]:
    r"""The documents a script viewer draws into an HTML page (`_VIEWER_MARKS`: PDF Embedder,
    DearFlip, Real3D Flipbook, 3D FlipBook, PDFObject), as absolute URLs, at most MAX_EMBEDDED; `body` is
    the page as sent, scripts included (a flipbook's file is named in its options). Like an <iframe>'s PDF,
    the year is in the file the assessor sees below the heading.

    >>> viewer_documents(b'<h1>O10</h1><a href="/files/o10.pdf" class="pdfemb-viewer" data-width="max">O10</a>'
    ...     b'<div class="_df_book df-container" id="df_7"></div>'
    ...     b'<script>var option_df_7 = {"source":"https:\\/\\/a.go.th\\/files\\/o11.pdf"};</script>', "https://a.go.th/o10")
    ['https://a.go.th/files/o10.pdf', 'https://a.go.th/files/o11.pdf']
    >>> viewer_documents(b'<a class="menu" href="/files/plan.pdf">plan</a><div class="_df_x"></div>', "https://a.go.th/o10")
    []
    """
    if not any(mark in body for mark in _VIEWER_MARKS):  # most pages: three scans for a word
        return []
    written: list[str] = []
    shown, seen = without_hidden(body).decode("utf-8", "surrogateescape"), set()
    start, looked = -1, 0
    for mark in _VIEWER_MARK.finditer(shown):  # the tags around a mark, not every tag of the page
        # the last "<" before the mark, looked for only since the last mark's (a page of marks
        # and no "<" made each look back scan to its start: time squared)
        start = max(start, shown.rfind("<", looked, mark.start()))
        looked = mark.start()
        if start < 0 or start in seen:
            continue  # each tag looked at once: its answer is the same for every mark after it
        seen.add(start)
        m = _VIEWER_TAG.match(shown, start)
        if m is None or m.end() <= mark.start():
            continue
        attributes = tag_attributes(m.group(0))
        if _VIEWER_CLASS.search(attributes.get("class", "")):
            written += [html.unescape(attributes[k]) for k in _VIEWER_SOURCES if attributes.get(k)]
            options = html.unescape(attributes.get("data-flipbook-options", ""))
            written += [_json_string(o.group(1)) for o in _VIEWER_OPTION.finditer(options)]
    for script in _SCRIPT_OR_COMMENT.finditer(body):
        if script.group(1) and any(mark in script.group(1) for mark in (b"option_df_", b"real3dflipbook")):
            options = script.group(1).decode("utf-8", "surrogateescape")
            written += [_json_string(o.group(1)) for o in _VIEWER_OPTION.finditer(options)]
        if script.group(1) and b"PDFObject.embed" in script.group(1):
            code = script.group(1).decode("utf-8", "surrogateescape")
            written += [(m.group(1) or m.group(2)).replace("\\/", "/") for m in _PDFOBJECT.finditer(code)]
    base = base_url(body, base)  # its head only: the body is not decoded twice
    found: list[str] = []
    for src in filter(None, written):
        try:
            url = resolve(base, src)
        except ValueError:
            continue
        if url.startswith(("http://", "https://")) and promises_document(url) and url not in found:
            found.append(url)
            if len(found) == MAX_EMBEDDED:
                break
    return found


def _json_string(literal: str) -> str:
    r"""A JavaScript string literal's value ("https:\/\/a.go.th\/o1.pdf" is https://a.go.th/o1.pdf)."""
    try:
        value = json.loads(literal)
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""


_FRAMING = re.compile(r"<i?frame\b", re.I)
# A Google Sheet, Doc or Slides "published to the web" (File > Share > Publish): a page Google
# renders with the content itself (a sheet's cells, a document's text), the agency's own.
_PUBLISHED = re.compile(r"/(?:spreadsheets|document|presentation)/d/(?:e/)?[\w-]{10,}/(?:pub|pubhtml|htmlview)(?:$|[/?#])")
MAX_FRAMES = 3  # pages read from one page's frames: a frameset's banner, menu and main page


def framed_pages(page: Page, url: str) -> list[str]:
    """The pages of its own site an HTML page at `url` shows in an <iframe> or <frame>, as
    absolute URLs, at most MAX_FRAMES; the documents it embeds (a Google Sheet published to the
    web among them) are `embedded_documents`. An item page whose list is another page of the
    site in a frame (a CMS module's iframe, an old template's frameset) shows its years there,
    and only there. Other sites' frames (maps, video, social feeds, a calendar or clock showing
    today's date) are not the agency's information, and their years would pass for the item's.

    >>> framed_pages(Page(kind="html", raw_html='<h1>O7</h1><iframe src="/module/list.php?cat=7"></iframe>'
    ...     '<iframe src="https://calendar.example.com/today"></iframe><frame src=main.php>'), "https://www.a.go.th/ita/o7")
    ['https://www.a.go.th/module/list.php?cat=7', 'https://www.a.go.th/ita/main.php']
    """
    found: list[str] = []
    if not _FRAMING.search(page.raw_html):
        return found
    own, base = host_of(url).removeprefix("www."), base_url(page.raw_html, url)
    for m in _FRAME_TAG.finditer(page.raw_html):
        src = shown_source(m.group(0))
        try:
            framed = resolve(base, html.unescape(src)) if src else url
        except ValueError:
            continue
        if (framed.partition("#")[0] == url.partition("#")[0] or not framed.startswith(("http://", "https://"))
                or any(promises_document(u) or viewer_export(u) for u in (*_given(framed), framed))):
            continue  # itself (an empty src), not the web, or a document: embedded_documents reads those
        if same_site(host_of(framed).removeprefix("www."), own) and framed not in found:
            found.append(framed)
            if len(found) == MAX_FRAMES:
                break
    return found


def published(url: str) -> bool:
    """A Google Sheet, Doc or Slides published to the web (its page holds the content itself).

    >>> published("https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghij/pubhtml?widget=true&headers=false")
    True
    >>> published("https://docs.google.com/spreadsheets/d/1AbCdEfGhIjK/edit#gid=0")
    False
    """
    if host_of(url) != "docs.google.com":
        return False
    try:
        return bool(_PUBLISHED.match(urlsplit(url).path))
    except ValueError:
        return False


def same_site(host: str, own: str) -> bool:
    """`host` is the page's site `own`, a part of it (ita.a.go.th for a.go.th) or the site it is
    a part of; never a sibling (ita.a.go.th and mail.a.go.th), never another site. Both come
    without "www.": www.a.go.th and a.go.th are one site.

    >>> [same_site(h, "a.go.th") for h in ("a.go.th", "ita.a.go.th", "b.go.th", "go.th")]
    [True, True, False, False]
    >>> same_site("a.go.th", "ita.a.go.th"), same_site("mail.a.go.th", "ita.a.go.th")
    (True, False)
    """
    if not host or not own:
        return False
    return host_under(host, (own,)) or (host.count(".") >= 2 and host_under(own, (host,)))


def given_document(url: str) -> str | None:
    """The document a viewer's own address is given (PDF.js's viewer.html?file=..., a
    viewer.php?url=...): what that page shows, as an absolute URL; None for any other address.

    >>> given_document("https://a.go.th/pdfjs/web/viewer.html?file=%2Fupload%2Fo10.pdf")
    'https://a.go.th/upload/o10.pdf'
    >>> given_document("https://a.go.th/ita/o10?file=list") is None
    True
    """
    return next((u for u in _given(url) if promises_document(u) and u.startswith(("http://", "https://"))), None)


def _given(url: str) -> list[str]:
    """The addresses a viewer's URL is given in its query (file=, url=, src=), resolved against it."""
    if not url.startswith(("http://", "https://")):
        return []
    try:
        return [resolve(url, v) for k, v in parse_qsl(urlsplit(url).query) if k in ("file", "url", "src") and v]
    except ValueError:
        return []


_REFRESH_TAG = re.compile(rb"<meta\b[^<>]*?http-equiv\s*=\s*[\"']?refresh\b[^<>]*>", re.I)
_CONTENT_ATTR = re.compile(rb"\bcontent\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_REFRESH_VALUE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*[;,]?\s*(?:url\s*=\s*)?(.*)", re.I | re.S)
FOLLOWED_REFRESH_S = 10  # a refresh within this many seconds is a redirect; a later one, a reload timer


def meta_refresh(body: bytes, headers: Mapping[str, str]) -> str | None:
    r"""Where an HTML page's <meta http-equiv="refresh">, or a `Refresh` header (PHP's
    `header("Refresh: 0; url=...")`), sends the browser within FOLLOWED_REFRESH_S seconds, as
    written (relative or absolute); None without one, for a later one, or for a tag inside
    <noscript> (a browser running scripts ignores it).

    >>> meta_refresh(b'<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=\'/web/index.php\'">', {})
    '/web/index.php'
    >>> meta_refresh(b'<html><head><meta content="600" http-equiv="refresh">', {}) is None
    True
    >>> meta_refresh(b'', {"Refresh": "0;url=main.php"})
    'main.php'
    """
    header = headers.get("Refresh")
    if header:
        return _refresh_value(header)
    if not is_html(body, headers) or not _REFRESH_TAG.search(body, 0, 16_384):
        return None  # most pages: ~3 us; removing scripts and <noscript> first costs ~9 more
    head = without_hidden(body[:16_384])
    tag = _REFRESH_TAG.search(head)
    attr = _CONTENT_ATTR.search(tag.group()) if tag else None
    if attr is None:
        return None
    return _refresh_value(html.unescape(attr.group(1).strip(b"\"'").decode("utf-8", "surrogateescape")))


def _refresh_value(value: str) -> str | None:
    """The address a refresh's value ("0; url=/x") sends the browser to within FOLLOWED_REFRESH_S."""
    m = _REFRESH_VALUE.fullmatch(value)
    if m is None or float(m.group(1)) > FOLLOWED_REFRESH_S:
        return None
    target = m.group(2).strip().strip("\"'").strip()
    return target or None


# A script that sends the browser on: `location = "..."`, `window.location.href = '...'`,
# `location.replace("...")`, `location.assign(...)`, with the address written out in full.
# `==` and `!=` are comparisons, not moves; an address built from parts is not followed. A string
# may hold spaces: a file uploaded under a Thai name ("files/รายงาน ปี 66.pdf").
# (A comment or a script left open runs to the end: see content._DROP.)
_SCRIPT_OR_COMMENT = re.compile(rb"<!--[^-]*(?:-(?!->)[^-]*)*(?:-->|\Z)"
                                rb"|<script\b[^<>]*>([^<]*(?:<(?!/script\s*>)[^<]*)*)(?:</script\s*>|\Z)", re.I)
_ONLOAD = re.compile(rb"<body\b[^<>]*?\bonload\s*=\s*(\"[^\"]*\"|'[^']*')", re.S | re.I)
_LOCATION_SET = re.compile(
    r"""\blocation(?:\.href)?\s*=(?!=)\s*(["'])([^"'\r\n<>]{1,2000})\1"""
    r"""|\blocation\.(?:replace|assign)\(\s*(["'])([^"'\r\n<>]{1,2000})\3\s*\)""")
REDIRECT_PAGE_TEXT = 100  # characters of text besides the title: "please wait", "click here if not moved"
REDIRECT_PAGE_BYTES = 65_536  # a page sent only to move the browser on is small; a larger one is not read for it


def script_redirect(body: bytes, headers: Mapping[str, str]) -> str | None:
    r"""Where a script sends the browser from a page that has next to nothing to show
    (under REDIRECT_PAGE_TEXT characters besides its title), as written; None when its scripts
    name no address, or name more than one (a choice made at run time: mobile or desktop, say).
    Old agency sites make a folder's index such a page, sending on to the item's file or page.
    A page with text of its own is read as it is: a script there may run only on a click.

    >>> script_redirect(b"<html><head><script>window.location.href = 'files/o10.pdf';</script></head>"
    ...                 b"<body>Loading...</body></html>", {})
    'files/o10.pdf'
    >>> script_redirect(b'<html><body onload="location.replace(&quot;/ita/&quot;)"></body></html>', {})
    '/ita/'
    >>> script_redirect("<html><script>location = 'files/รายงาน ปี 66.pdf';</script></html>".encode(), {})
    'files/รายงาน ปี 66.pdf'
    """
    if len(body) > REDIRECT_PAGE_BYTES or b"location" not in body or not is_html(body, headers):
        return None  # most pages: a length, or one scan for a word
    targets = set()
    for m in _SCRIPT_OR_COMMENT.finditer(body):
        if m.group(1):
            targets.update(_locations(m.group(1).decode("utf-8", "surrogateescape")))
    onload = _ONLOAD.search(body)
    if onload:
        targets.update(_locations(html.unescape(onload.group(1)[1:-1].decode("utf-8", "surrogateescape"))))
    if len(targets) != 1:
        return None
    page = read_html(body, headers)
    if len(page.text) - len(page.title) >= REDIRECT_PAGE_TEXT:
        return None
    return targets.pop()


def _locations(script: str) -> set[str]:
    r"""The addresses a script assigns to the page's location, JavaScript's `\/` read as `/`."""
    return {(m.group(2) or m.group(4)).replace("\\/", "/") for m in _LOCATION_SET.finditer(script)}
