"""What an item page gives of its own, beside its template: read when the page shows no year.

Many item pages are a heading, a line and "ดาวน์โหลดเอกสาร" (or "คลิกที่นี่") linking the PDF
or Drive file that holds the item: the year is in the file, and the assessor clicks it. Others
are a heading and the document's scanned pages pasted in as pictures. Read by the heading alone,
either was a false "no 2566". But every page of a site also links files and shows pictures from
its template (a menu's citizen's manual, a sidebar's development plan, the logo), and their 2566
must never pass for the item's. So a link or a picture counts only when it is the page's own:

* outside the template: not inside a <nav>, <header>, <footer> or <aside> (or an element whose
  role, class or id says menu, navigation, sidebar, header, footer, breadcrumb ...), and inside
  the page's main content (<main>, <article>, a CMS's "entry-content" ...) when it marks one;
  there, as in HTML, a header or a footer is the content's own (a post's title, its date);
* not written on the site's answer to a missing path too (the soft-404 probe's page is the same
  template around no content: `content.Probe.links` and `content.Probe.shown`);
* for a file, the agency's: on its own site, or its file on Drive, Docs or Dropbox (another
  site's file, say the NACC's guide for the year, is a reference, not the item); and one of few:
  a page linking more than MAX_LINKED files from its content is a list (the ITA page, a download
  centre) where which file is the item's is not known, and none is read. Of a few, those whose
  link's text names a year the rules accept are read first, then the newest: a page linking
  "ปี 2564 / ปี 2565 / ปี 2566" to their files, oldest first, had its first two read and was a
  false "no 2566". The text of a link left unread speaks for its file (`Own.unread`);
* for a picture, not an icon (a logo, an arrow, an emoji, a small or vector image), and only on
  a page with next to no text of its own (`Own.scanned`): a news post's photos say nothing of
  the year its text shows.

A doubt leaves the page judged by its own text, as before. Pure; the checker fetches the files.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from sheets_sync.check.content import (LAZY_SOURCES, download_script, is_drive, may_link_files, names_file,
                                       promises_document)
from sheets_sync.check.documents import MAX_EMBEDDED, base_url, resolve, same_site, viewer_export
from sheets_sync.check.template import CONTENT_NAMES, PART_ROLES, TEMPLATE_ROLES, names_template_part
from sheets_sync.check.years import years_in
from sheets_sync.core.normalize import host_of

MAX_LINKED = 3  # files a page's content may link and still be read as the item's own
SCAN_TEXT = 300  # characters (spaces aside) of its own below which a page of pictures shows them as its content
MAX_LINK_TEXT = 300  # characters kept of a link's text: its words, not a page left inside a link never closed
MAX_PARSED = 300_000  # characters of a page parsed for what it gives of its own (~0.3 s at most)
MIN_PICTURE = 150  # pixels: a picture given a smaller width or height is an icon

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_TEMPLATE_TAGS = frozenset({"nav", "header", "footer", "aside"})
_PART_TAGS = frozenset({"header", "footer"})  # the template's outside marked content, the content's own inside it
_CONTENT_TAGS = frozenset({"main", "article"})
_CONTENT_NAMES = frozenset(CONTENT_NAMES)
# A picture's address or class naming an icon, a vector or an animated image: never a scanned page.
_ICON_WORDS = re.compile(r"logo|icon|banner|emoji|smil|bullet|arrow|button|spacer|loading|blank|pixel|\.svg|\.gif",
                         re.I)


@dataclass(frozen=True)
class Own:
    """What an item page gives of its own (`own_content`)."""

    documents: tuple[str, ...] = ()  # the files it links, to read: at most MAX_EMBEDDED, none of a list
    # The text of its links to the files it links and does not read (past MAX_EMBEDDED): what the
    # assessor is told of them ("แผน ปี 2566"), their word for their years, as a scan's link's is.
    unread: tuple[str, ...] = ()
    pictures: int = 0  # pictures it shows, icons aside
    text: int = 0  # characters of its own text, spaces aside

    @property
    def scanned(self) -> bool:
        """Pictures with next to no text: a document shown as its scanned pages, its year unread."""
        return self.pictures > 0 and self.text < SCAN_TEXT


def may_have_own(raw_html: str) -> bool:
    """A quick test before `parts`: the page shows a picture or names a file at all."""
    return "<img" in raw_html or "<IMG" in raw_html or may_link_files(raw_html)


@dataclass(frozen=True)
class Parts:
    """A page's links and pictures as written (entities undone), each with whether it is its own
    (outside the template, inside marked content if any), its own text's length and its base."""

    links: tuple[str, ...]
    pictures: tuple[str, ...]
    text: int
    base: str
    encoding: str | None = None  # the page's, which its links' queries are written in (documents.resolve)
    link_texts: tuple[str, ...] = ()  # each of `links`' text, as the page shows it


def parts(raw_html: str, url: str, encoding: str | None = None) -> Parts:
    """What `own_content` sorts, read once from the page at `url` (`content.Page.raw_html`: the
    page without its scripts): ~1 ms for 50 kB, made only for a page without a year of its own.
    A page longer than MAX_PARSED gives nothing: it would hold the checker's loop (~1 s a
    megabyte), and a part of it cannot tell a list of files from a few.

    >>> parts("<main>" + "<p>x</p>" * MAX_PARSED + "<img src='/up/1.jpg'></main>", "https://a.go.th/o1").pictures
    ()
    """
    nothing = Parts(links=(), pictures=(), text=0, base=url)
    if len(raw_html) > MAX_PARSED:
        return nothing
    found = _Found()
    try:
        found.feed(_closed_part(raw_html))
        found.close()
    except AssertionError:  # html.parser's answer to a marked section it does not know ("<![foo")
        return nothing
    text = found.text["content"] if found.marked else found.text["content"] + found.text["loose"]
    links = found.own(found.links)
    return Parts(links=tuple(href for href, _ in links), pictures=tuple(a for a, _ in found.own(found.pictures)),
                 text=text, base=base_url(raw_html, url), encoding=encoding,
                 link_texts=tuple(" ".join(" ".join(words).split()) for _, words in links))


# What opens a tag, an end tag, a comment or a declaration, for a browser's tokenizer and html.parser.
_OPENING = re.compile(r"<[A-Za-z/!?]")


def _closed_part(raw_html: str) -> str:
    """`raw_html` without what it leaves open at its end: from the first tag (end tag, comment,
    declaration) opened after its last ">", which a browser drops, and everything after it,
    which it reads as part of that tag. html.parser, given such a tail, looks for its end from
    every "<" in it, each time to the end: 80 KB of "<img src='/a.jpg' " took 5 s, 300 KB a
    minute (time squared), on the checker's loop.

    >>> _closed_part("<p>O10</p><img src='/a.jpg' <img src='/b.jpg' x < y")
    '<p>O10</p>'
    >>> _closed_part("<p>x < y</p> 2 < 3")
    '<p>x < y</p> 2 < 3'
    """
    m = _OPENING.search(raw_html, raw_html.rfind(">") + 1)
    return raw_html if m is None else raw_html[:m.start()]


def own_content(page: Parts, url: str, links: frozenset = frozenset(), shown: frozenset = frozenset(),
                enough: Sequence[Sequence[int]] = ()) -> Own:
    """What the page at `url` gives of its own: the documents (a PDF, an office file, a Drive or
    Docs file) it links from its content, as absolute URLs, the pictures it shows there and how
    much text. `links` and `shown`: what the site's template links and shows (`content.Probe`),
    never the page's own. `enough`: the year sets of the rules a run judges by (years.year_sets):
    the files whose link's text names one of their years are read first (`_reading_order`).

    >>> page = ('<nav><a href="/files/manual.pdf">คู่มือประชาชน</a></nav><main><h1>O10 แผนดำเนินงาน</h1>'
    ...         '<p><a href="/files/o10.pdf">ดาวน์โหลดเอกสาร</a></p></main>')
    >>> own_content(parts(page, "https://a.go.th/ita/o10"), "https://a.go.th/ita/o10").documents
    ('https://a.go.th/files/o10.pdf',)
    >>> own_content(parts(page, "https://a.go.th/ita/o10"), "https://a.go.th/ita/o10",
    ...             links=frozenset({"/files/o10.pdf"})).documents
    ()
    >>> scans = ('<header><img src="/logo.png"></header><article><h1>ประกาศ</h1><img src="/up/p1.jpg">'
    ...          '<img src="/up/p2.jpg" width="800"></article>')
    >>> own_content(parts(scans, "https://a.go.th/o10"), "https://a.go.th/o10").scanned
    True
    """
    own, documents = host_of(url).removeprefix("www."), {}
    for href, words in zip(page.links, page.link_texts or ("",) * len(page.links)):
        if href in links:
            continue
        try:
            target = resolve(page.base, href, page.encoding).partition("#")[0]
        except ValueError:
            continue
        if _agencys_file(target, own):
            documents.setdefault(target, []).append(words)  # (two links to one file: both texts)
    template = {html.unescape(s).strip() for s in shown}
    pictures = sum(1 for src in page.pictures if src not in template)
    if len(documents) > MAX_LINKED:
        return Own(pictures=pictures, text=page.text)  # a list: which file is the item's is not known
    order = _reading_order({t: " ".join(w for w in words if w) for t, words in documents.items()}, enough)
    return Own(documents=tuple(t for t, _ in order[:MAX_EMBEDDED]),
               unread=tuple(words for _, words in order[MAX_EMBEDDED:] if words), pictures=pictures, text=page.text)


def _reading_order(files: dict[str, str], enough: Sequence[Sequence[int]]) -> list[tuple[str, str]]:
    """The files (address: its links' text) in the order they are read: those whose text names
    a year of one of `enough` first, then by the newest year their text names, then the rest,
    each group in the page's order. Only MAX_EMBEDDED are read: a list of yearly files, oldest
    first ("ปี 2564", "ปี 2565", "ปี 2566"), had its two oldest read, and the page was "no 2566".

    >>> _reading_order({"a.pdf": "ปี 2564", "b.pdf": "ดาวน์โหลด", "c.pdf": "ปี 2566", "d.pdf": "ปี 2565"}, [(2566,)])
    [('c.pdf', 'ปี 2566'), ('d.pdf', 'ปี 2565'), ('a.pdf', 'ปี 2564'), ('b.pdf', 'ดาวน์โหลด')]
    """
    wanted = {year for years in enough for year in years}

    def key(item: tuple[int, tuple[str, str]]) -> tuple[bool, int, int]:
        at, (_, words) = item
        named = years_in(words) if words else ()
        return not wanted.intersection(named), -max(named, default=0), at

    return [file for _, file in sorted(enumerate(files.items()), key=key)]


def _agencys_file(target: str, own: str) -> bool:
    """A file on the agency's own site `own` (its host without "www."), or its Drive, Docs or Dropbox
    file; on its own site, a link to its download script too (one that sends a page instead
    gives no text and leaves the page as it was: Checker._document_text)."""
    if not target.startswith(("http://", "https://")):
        return False
    shared = viewer_export(target) is not None  # a Drive, Docs or Dropbox file
    if shared or (promises_document(target) and is_drive(target)):
        return True
    return (promises_document(target) or download_script(target)) and \
        same_site(host_of(target).removeprefix("www."), own)


def _kind(tag: str, attrs: dict[str, str], in_content: bool = False) -> str | None:
    """"template", "content" or None: what part of a page an element is, by its tag, role, class
    and id. Inside marked content (`in_content`) a header or a footer is the content's own, as
    in HTML: a post's <header class="entry-header"> holds its title, its footer its date."""
    role = attrs.get("role", "").strip().lower()
    own_parts = in_content and (tag in _PART_TAGS or role in PART_ROLES)
    if tag in _TEMPLATE_TAGS and not own_parts:
        return "template"
    if role in TEMPLATE_ROLES and not own_parts:
        return "template"
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower().split()
    if any(names_template_part(name, in_content) for name in names):
        return "template"
    if tag in _CONTENT_TAGS or role == "main" or any(name in _CONTENT_NAMES for name in names):
        return "content"
    return None


class _Found(HTMLParser):
    """Each <a href>'s address and each picture's as written (entities undone), each with where
    it sits (inside the template, inside marked content), and the characters of text in and out
    of marked content. The open elements are a stack that an end tag closes down to its own
    start, as a browser forgives unclosed <p> and <li>; how many of each kind and name are open is
    counted as they come and go, since a page of a thousand unclosed <p> (valid HTML) made a stack
    that deep, and looking through it for each piece of text cost time squared in its length."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.kinds: Counter = Counter()  # open elements by kind: "template", "content"
        self.names: Counter = Counter()  # ... and by tag name
        self.links: list[tuple[str, bool, bool, list[str]]] = []  # each link's text's pieces last
        self.pictures: list[tuple[str, bool, bool]] = []
        self.link_words: list[str] | None = None  # the open <a>'s text, as it comes
        self.link_room = 0  # characters more of it kept
        self.text = {"content": 0, "loose": 0}
        self.marked = False  # the page marks its main content

    def own(self, found: list[tuple]) -> list[tuple[str, list[str] | None]]:
        """The addresses of `found` outside the template, and inside marked content if any, each
        with its link's text (pieces; None for a picture)."""
        return [(a, rest[0] if rest else None) for a, in_template, in_content, *rest in found
                if not in_template and (in_content or not self.marked)]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        href = values.get("href", "").strip() if tag in ("a", "area") else ""
        if href[:11].lower() == "javascript:" or href[:1] in ("#", ""):
            href = _scripted_file(href) or (_scripted_file(values["onclick"]) if values.get("onclick") else None) or ""
        if tag == "a":
            self.link_words = None  # a link opened in another closes it, as in a browser
        if href:
            words: list[str] = []
            self.links.append((href, *self._where(), words))
            if tag == "a":
                self.link_words, self.link_room = words, MAX_LINK_TEXT
        elif tag == "img" and (src := _picture(values)):
            self.pictures.append((src, *self._where()))
        if tag not in _VOID and tag not in ("html", "body"):
            kind = _kind(tag, values, self._where()[1])
            self.marked = self.marked or kind == "content"
            self.open.append((tag, kind))
            self.kinds[kind] += 1
            self.names[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "area", "img", "input", "button"):
            self.handle_starttag(tag, attrs)  # <a href=... /> opens a link all the same

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.link_words = None
        if not self.names[tag]:
            return  # nothing of that name is open: a stray end tag
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                for name, kind in self.open[i:]:
                    self.names[name] -= 1
                    self.kinds[kind] -= 1
                del self.open[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.link_words is not None and self.link_room > 0:
            self.link_words.append(data[:self.link_room])
            self.link_room -= len(data)
        in_template, in_content = self._where()
        if not in_template and not self.names["title"] and not self.names["head"]:
            self.text["content" if in_content else "loose"] += len("".join(data.split()))

    def _where(self) -> tuple[bool, bool]:
        return self.kinds["template"] > 0, self.kinds["content"] > 0


# A quoted address in a link's script: old sites open their files in a window of their own
# (`href="javascript:window.open('/files/o10.pdf')"`, `onclick="MM_openBrWindow('o10.pdf',...)"`,
# a button's `onclick="location.href='...'"`); the assessor's click opens the file all the same.
_QUOTED = re.compile(r"""["']([^"'<>\s]{1,500})["']""")


def _scripted_file(script: str) -> str | None:
    """The first quoted address in a link's script that names a file, or None.

    >>> _scripted_file("window.open('/files/o10.pdf','_blank')"), _scripted_file("history.back()")
    ('/files/o10.pdf', None)
    """
    return next((m[1] for m in _QUOTED.finditer(script, 0, 2000) if names_file(m[1])), None)


def _picture(attrs: dict[str, str]) -> str | None:
    """The address a picture shows as written (its src, or where a lazy-loading script keeps it),
    None for an icon: a logo, an arrow, an emoji, a vector or animated image, one drawn small."""
    src = next((v.strip() for k in ("src", *LAZY_SOURCES) if (v := attrs.get(k, "").strip())
                and not v.lower().startswith(("data:", "about:"))), None)
    if src is None or _ICON_WORDS.search(src) or _ICON_WORDS.search(attrs.get("class", "")):
        return None
    for side in ("width", "height"):
        size = attrs.get(side, "").strip().removesuffix("px")
        if size.isdigit() and int(size) < MIN_PICTURE:
            return None
    return src
