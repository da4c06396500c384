"""The documents an item page links from its own content: read when the page shows no year.

Many item pages are a heading, a line and "ดาวน์โหลดเอกสาร" (or "คลิกที่นี่") linking the PDF
or Drive file that holds the item: the year is in the file, and the assessor clicks it. Read by
its heading alone, such a page was a false "no 2566". But every page of a site also links files
from its template (a menu's citizen's manual, a sidebar's development plan), and their 2566 must
never pass for the item's. So a link is read only when it is the page's own:

* outside the template: not inside a <nav>, <header>, <footer> or <aside> (or an element whose
  role, class or id says menu, navigation, sidebar, header, footer, breadcrumb ...), and inside
  the page's main content (<main>, <article>, a CMS's "entry-content" ...) when it marks one;
* not written on the site's answer to a missing path too (the soft-404 probe's page is the same
  template around no content: `content.Probe.links`);
* the agency's: on its own site, or its file on Drive, Docs or Dropbox (another site's file, say
  the NACC's guide for the year, is a reference, not the item);
* one of few: a page linking more than MAX_LINKED files from its content is a list (the ITA
  page, a download centre) where which file is the item's is not known: none is read.

A doubt leaves the page judged by its own text, as before. Pure; the checker fetches what
`linked_documents` names.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sheets_sync.check.content import document_hrefs, is_drive, promises_document
from sheets_sync.check.documents import MAX_EMBEDDED, base_url, resolve, same_site, viewer_export
from sheets_sync.core.normalize import host_of

MAX_LINKED = 3  # files a page's content may link and still be read as the item's own

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_TEMPLATE_TAGS = frozenset({"nav", "header", "footer", "aside"})
_CONTENT_TAGS = frozenset({"main", "article"})
_TEMPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "menu", "menubar"})
# Words that name a part of the template, as the first or last word of a class or id ("menu-item",
# "main-menu", "site-footer", "sidebar-left"). Not "widget": Elementor wraps every block of an
# article in "elementor-widget-..." elements.
_TEMPLATE_WORDS = frozenset({"menu", "menus", "submenu", "megamenu", "nav", "navbar", "navigation", "sidebar",
                             "header", "footer", "breadcrumb", "breadcrumbs", "topbar", "banner", "widgetarea"})
# A layout's flags on a wrapper of both content and sidebar ("has-sidebar", "no-sidebar").
_LAYOUT_FLAG = re.compile(r"^(?:has|no|with|without|hide|show|is)[-_]")
_CONTENT_NAMES = frozenset({"entry-content", "post-content", "article-content", "page-content", "single-content",
                            "item-page", "post-body", "entry-body", "td-post-content", "main-content", "maincontent",
                            "content-area", "article-body", "news-detail", "content-detail"})
_WORD_SPLIT = re.compile(r"[-_]+")


def linked_documents(raw_html: str, url: str, template: frozenset = frozenset()) -> list[str]:
    """The documents (a PDF, an office file, a Drive or Docs file) the page at `url` links from
    its own content, as absolute URLs, at most MAX_EMBEDDED; [] when it links none, or more than
    MAX_LINKED (a list). `raw_html` is the page without its scripts (`content.Page.raw_html`);
    `template`: the links the site's template writes (`content.Probe.links`), never the page's own.

    >>> page = ('<nav><a href="/files/manual.pdf">คู่มือประชาชน</a></nav><main><h1>O10 แผนดำเนินงาน</h1>'
    ...         '<p><a href="/files/o10.pdf">ดาวน์โหลดเอกสาร</a></p></main>')
    >>> linked_documents(page, "https://a.go.th/ita/o10")
    ['https://a.go.th/files/o10.pdf']
    >>> linked_documents(page, "https://a.go.th/ita/o10", template=frozenset({"/files/o10.pdf"}))
    []
    """
    if not document_hrefs(raw_html):  # most pages: one scan for a file's address
        return []
    links = _Links()
    links.feed(raw_html)
    links.close()
    base, own, found = base_url(raw_html, url), host_of(url).removeprefix("www."), []
    for href, in_template, in_content in links.found:
        if in_template or (links.marked and not in_content) or href in template:
            continue
        try:
            target = resolve(base, href).partition("#")[0]
        except ValueError:
            continue
        if _agencys_file(target, own) and target not in found:
            found.append(target)
    return [] if len(found) > MAX_LINKED else found[:MAX_EMBEDDED]


def _agencys_file(target: str, own: str) -> bool:
    """A file on the agency's own site `own` (its host without "www."), or its Drive, Docs or Dropbox file."""
    if not target.startswith(("http://", "https://")):
        return False
    shared = viewer_export(target) is not None  # a Drive, Docs or Dropbox file
    return shared or (promises_document(target) and (is_drive(target)
                                                      or same_site(host_of(target).removeprefix("www."), own)))


def _kind(tag: str, attrs: dict[str, str]) -> str | None:
    """"template", "content" or None: what part of a page an element is, by its tag, role, class and id."""
    if tag in _TEMPLATE_TAGS:
        return "template"
    role = attrs.get("role", "").strip().lower()
    if role in _TEMPLATE_ROLES:
        return "template"
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}".lower().split()
    for name in names:
        words = [w for w in _WORD_SPLIT.split(name) if w]
        if words and not _LAYOUT_FLAG.match(name) and (words[0] in _TEMPLATE_WORDS or words[-1] in _TEMPLATE_WORDS
                                                       or name.replace("-", "") == "widgetarea"):
            return "template"
    if tag in _CONTENT_TAGS or role == "main" or any(name in _CONTENT_NAMES for name in names):
        return "content"
    return None


class _Links(HTMLParser):
    """Each <a href>'s address as written (entities undone), whether it sits inside the template,
    and whether inside marked content. The open elements are a stack that an end tag closes down
    to its own start, as a browser forgives unclosed <p> and <li>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.found: list[tuple[str, bool, bool]] = []
        self.marked = False  # the page marks its main content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and values.get("href", "").strip():
            kinds = {kind for _, kind in self.open}
            self.found.append((values["href"].strip(), "template" in kinds, "content" in kinds))
        if tag not in _VOID and tag not in ("html", "body"):
            kind = _kind(tag, values)
            self.marked = self.marked or kind == "content"
            self.open.append((tag, kind))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.handle_starttag(tag, attrs)  # <a href=... /> opens a link all the same

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return
