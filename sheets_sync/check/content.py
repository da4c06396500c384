"""Content heuristics: what a page that answered 200 actually shows. Pure functions, no I/O.

Each rule yields a stable reason code (see sheets_sync.core.reasons) and is kept narrow, because a
false alarm on an agency's good page costs more trust than a missed one:

* ``login_required``  the answer is a sign-in wall (Google accounts, a Drive/Docs file not
  shared publicly, Facebook login, a page whose only form asks for a password);
* ``wrong_type``      a link that promises a document (.pdf, a Drive file) gives HTML or a tiny body;
* ``soft_404``        a not-found page sent with 200: a not-found phrase in the title or a
  top heading, or text nearly identical to what the site answers for a random missing path;
* ``empty_page``      no body at all, or almost no visible text (and no embedded frame, object or image);
* ``script_page``     no text but a title, and scripts to draw the rest (a single-page application):
  a look by hand, never "empty", "no 2566" or "not found";
* ``consent_wall``    sent on to a cookie-consent (PDPA) wall (check/consent.py): a look by hand;
* the years the HTML text or the first PDF pages show (sheets_sync.check.years): each row judges
  them against its item's year rule (``no_fiscal_year``), so this module knows no year;
* ``unverifiable_content`` a PDF without a text layer (a scan) or one that cannot be read, the
  latter also ``pdf_unreadable`` (a warning: the file may be damaged or cut short), unless it
  wants a password to open (``pdf_password``, broken: the assessor's viewer asks for it); a Drive or
  Docs page that shows no year and whose file could not be read (sheets_sync.check.documents);
* ``unverifiable_platform`` facebook.com, youtube ...: a bot cannot judge them;
* ``bot_blocked``     a web firewall's refusal page sent with 200 (F5 ASM, FortiWeb ...), not
  the agency's page (the checker asks again as a browser first); a script challenge a
  browser passes (Cloudflare's, `challenge_page`), whatever its status;
* ``placeholder_page`` the page's content is a notice that its data is not there yet
  ("อยู่ระหว่างจัดทำข้อมูล", sheets_sync.check.placeholder): not "no 2566", nor "ok" by its year;
  a notice that the record is gone is ``soft_404``, one that it is not for this visitor
  ``login_required``;
* ``linked_file_missing`` every file the page shows, or links from its own content, is "not
  found": not "no 2566" by its heading, nor a look by hand;
* ``garbled_text`` a page whose Thai a browser shows as gibberish: the character set its server
  or <meta> names is not its bytes' (sheets_sync.check.charsets), beside its other verdicts;
* ``server_error_page`` / ``error_on_page`` / ``hosting_page`` / ``defaced_page`` /
  ``gambling_page`` the site's program failing (a PHP fatal error, its database down), a host's
  page, an intruder's or a gambling site's standing where the site should be
  (sheets_sync.check.errorpages), before the probe's "not found": such a page answers every path.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from sheets_sync.check import charsets, consent, errorpages, office, pdftext, placeholder, scripted, template
from sheets_sync.check.pdftext import squeeze as _squeeze
from sheets_sync.check.template import text_of
from sheets_sync.check.years import settled, years_in
from sheets_sync.core.models import Status
from sheets_sync.core.normalize import host_of, host_under, is_homepage
from sheets_sync.core.reasons import status_of

# Hosts (and their subdomains) whose pages a bot cannot verify: they answer bots with login
# walls or script-only shells. An agency's own channel there (O9) is fine.
PLATFORM_HOSTS = ("facebook.com", "fb.com", "fb.watch", "youtube.com", "youtu.be", "instagram.com",
                  "tiktok.com", "twitter.com", "x.com", "line.me")
_PLATFORMS = frozenset(PLATFORM_HOSTS)
# drive.usercontent.google.com serves a shared file's download (and, for a file too large to scan
# for viruses, a notice page instead of it): a link pasted as a download ends there.
DRIVE_HOSTS = ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")
# Other file-sharing services whose pages a script draws (a viewer with the file's name): like
# Drive, never `empty_page` or `wrong_type` for that, and their years come from the file. The
# flipbook and document hosts agencies publish annual reports on (and show in an item page's
# frame) are such viewers too: their pages are drawn from images and scripts, never read here,
# so without a year of its own such a page is a look by hand, not "no 2566".
VIEWER_DOMAINS = ("onedrive.live.com", "sharepoint.com", "dropbox.com",
                  "anyflip.com", "fliphtml5.com", "pubhtml5.com", "heyzine.com", "issuu.com", "calameo.com",
                  "yumpu.com", "flipsnack.com", "publuu.com", "scribd.com", "slideshare.net", "canva.com")
SIGN_IN_HOSTS = ("accounts.google.com", "login.microsoftonline.com", "login.live.com")
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx")
TINY_BODY = 300  # bytes: less than any real document
MIN_TEXT = 20  # characters of visible text (title included) below which a page is "empty"
SIMILAR = 0.85  # shingle similarity at which a page "is" the site's not-found answer
OWN_NGRAMS = 25  # n-grams of its own (not in that answer, nor echoing its URL) that make a page its own
# A page sent with one of these statuses is read when the site's missing paths get the same
# status and it is far from that answer (`shown_despite_status`): a page's own text, not a
# template's, of at least MIN_OWN_TEXT characters and OWN_TEXT_NGRAMS n-grams of its own.
SHOWN_DESPITE = (404, 410)
# A page sent with 500 is read likewise where the site answers a missing path at all (a 404 or a
# 200 page it is far from): PHP sends 500 for a fatal error after the page was written (a footer
# widget's removed mysql_ function, display_errors off), and the browser shows the page whole.
SHOWN_DESPITE_FAILURE = 500
MIN_OWN_TEXT = 100
OWN_TEXT_NGRAMS = 100
# Anywhere in the text of a page sent with 404 or 410: broad on purpose, since a match keeps the
# verdict "not found", as before this rule. A CMS shows "article not found" (บทความที่ท่านเรียก
# ไม่มีอยู่, ไม่พบข้อมูล) inside its full template, menus and news, sent with 404.
_ERROR_WORDING = re.compile(r"ไม่พบ|ไม่มีอยู่|ถูกลบ|ผิดพลาด|ขออภัย|ไม่สามารถ|not\s+found|n[o']t\s+exist|no\s+longer|"
                            r"error|sorry|(?<![\d๐-๙])4[01]\d(?![\d๐-๙])", re.I)

# Not-found phrases, matched only in the title and top headings, never in body text. A 404 counts
# alone ("Error 404") or before "error", a dash, colon or bar, but not as part of a number:
# "053-404-111" in a heading's phone number, "404/2566" of an order, "404-2566" of a decree.
# "ไม่พบข้อมูล" (no data found) is a site's not-found message only as the whole heading or title
# part, with at most a "sorry" or "404" before it and the usual ending after it ("ที่ท่านต้องการ").
# An item page may well be headed "ไม่พบข้อมูลการร้องเรียนการทุจริต ประจำปี 2566" or "สถิติเรื่อง
# ร้องเรียน (ไม่พบข้อมูล)": an agency publishing that it had no complaints, not a missing page.
_NO_DATA = (r"(?:^|[-|–—:»·•/])\W*(?:(?:ขออภัย|ขอโทษ|sorry|oops)\S*\s*|(?:error\s*)?404\W*)?ไม่พบข้อมูล"
            r"(?:ที่(?:ค้นหา|ต้องการ|ท่าน|คุณ|ร้องขอ|เรียก|ระบุ)\S*|ในระบบ|ใด\s?ๆ)?\s*(?:$|[-|–—:»·•/!.]|\(|ค่ะ|ครับ|กรุณา|โปรด)")
_PAGE_NOT_FOUND = (
    r"ไม่พบหน้า|ไม่พบเพจ|page\s+not\s+found|not\s+found|(?:หน้า(?:เว็บ)?|เพจ|บทความ)(?:นี้|ที่(?:ท่าน|คุณ)\S{0,15}?)ไม่มีอยู่|"
    r"(?:can(?:'|’|no)?t|could\s*n(?:'|’|o)t|cannot)\s+be\s+found|"
    r"^\W*(?:error\s*)?404\W*$|(?<![\w/.,\-–])404\s*(?:error\b|[-–:|](?!\s*\d))")
_NOT_FOUND = re.compile(f"{_NO_DATA}|{_PAGE_NOT_FOUND}", re.I)
_PAGE_NOT_FOUND_RE = re.compile(_PAGE_NOT_FOUND, re.I)  # not-found wording but "ไม่พบข้อมูล"
# ... and, for a page that answered a file's address (`file_not_found`), a file's.
_FILE_NOT_FOUND = re.compile(r"ไม่พบ\s*(?:ไฟล์|เอกสาร)|(?:ไฟล์|เอกสาร)\S{0,12}ถูกลบ|file\s+(?:was\s+)?(?:not\s+found|"
                             r"does\s*n[o']t\s+exist|(?:has\s+been\s+)?(?:deleted|removed))", re.I)
_LOGIN_TITLE = re.compile(r"เข้าสู่ระบบ|ลงชื่อเข้าใช้|log\s*in|sign\s*in", re.I)
# A script, style, noscript, template or comment left open runs to the end, as in a browser;
# scanned for its end from every such start, each one left open cost a scan of the rest of the
# page (a page of unclosed comments or scripts held the checker's loop for seconds: time squared
# in its length). An SVG left open does not hide what follows in a browser: its end is looked
# for only up to the next <svg. Each is written as a run of characters that cannot start its end
# ([^<]*), looked past one "<" at a time, not a lazy .*? tried at every character: the same
# matches in a seventh of the time (0.3 ms for a page of 100 KB of scripts, styles and icons).
_DROP = re.compile(rb"<(script|style|noscript|template)\b[^<]*(?:<(?!/\1\s*>)[^<]*)*(?:</\1\s*>|\Z)"
                   rb"|<svg\b[^<]*(?:<(?!/?svg\b)[^<]*)*</svg\s*>"
                   rb"|<!--[^-]*(?:-(?!->)[^-]*)*(?:-->|\Z)", re.I)
# A page's first <title> start tag (to the end when left open) and its end tag: read with two
# scans, where one pattern tried from every "<title" of a page with none closed scanned the rest
# of it from each (time squared in its length).
_TITLE_TAG = re.compile(r"<title[^>]*+(?:>|\Z)", re.I)
_TITLE_END = re.compile(r"</title", re.I)
# An h1 or h2, left open: to the end (as _DROP, and written as it is). No "<" inside its start
# tag, here and in the tag patterns below (as template.py's): a "<" with no ">" after it ended
# each attempt only at the page's end, and a page of thousands of "<h1 " was time squared.
_HEADING = re.compile(r"<h[12][^<>]*>([^<]*(?:<(?!/h[12])[^<]*)*)(?:</h[12]|\Z)", re.I)
_FORM = re.compile(r"<form\b.*?(?:</form\s*>|$)", re.S | re.I)
EMBEDDING = re.compile(r"<(?:iframe|embed|object)\b", re.I)  # a tag that shows a file (or a page) of its own
SIGN_IN_TEXT = 400  # characters: more text than a sign-in form and its page's frame have
_PASSWORD = re.compile(r"<input\b[^<>]*type\s*=\s*[\"']?password", re.I)
_SHOWING = r"<(?:iframe|embed|object|frame|img|video)\b"  # elements that show something of their own
_EMBED = re.compile(_SHOWING, re.I)
# A whole tag and its attributes. A quoted value runs to its closing quote: a file name uploaded
# with Thai words and spaces is written so ("/uploads/รายงาน ประจำปี 2566.pdf"), and cut at the
# first space it named no document.
# (No "<" outside its quotes, as above; each part possessive: a tag left open is given up at the
# next "<", not scanned to the page's end from every tag before it.)
TAG_REST = r"\b(?:[^<>\"']++|\"[^\"]*+\"|'[^']*+')*+>"
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
# Where lazy-loading scripts (LiteSpeed Cache, WP Rocket, lazysizes ...) keep a frame's or an
# image's address while its src is a placeholder: the browser's script moves it to src as the page
# opens. Read by the placeholder, every image of a page was the same one.
LAZY_SOURCES = ("data-src", "data-lazy-src", "data-litespeed-src", "data-rocket-src", "data-original")
_PLACEHOLDERS = ("about:", "data:", "javascript:")
_SHOWN_TAG = re.compile(_SHOWING + TAG_REST, re.I)  # ... and what they show (`shown_addresses`)
_META_REFRESH = re.compile(r"<meta[^<>]+http-equiv\s*=\s*[\"']?refresh", re.I)
# A script that draws the page (loaded from a file, as single-page applications are) or moves on.
_DRAWING_SCRIPT = re.compile(rb"<script\b[^<>]*?\bsrc\s*=|\blocation\b", re.I)
_SPACE = re.compile(r"\s+")
# Inline elements break no word in a browser: a year a Word paste split into runs of style,
# "25<span style=...>66</span>", shows as 2566, where reading every tag as a space made it two
# numbers (a false "no 2566"). Block elements (p, div, td, li, br ...) do part their text.
_INLINE = ("a|abbr|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strike|"
           "strong|sub|sup|time|tt|u|var|wbr")
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})\b[^<>]*>", re.I)
# A digit, inline tags, a digit; written to start at "<" (the digit before it looked behind for),
# so the regex engine skips to each tag: a twelfth of the CPU of starting at every digit.
_SPLIT_DIGITS = re.compile(rf"<(?<=[0-9๐-๙]<)/?(?:{_INLINE})\b[^<>]*>(?:</?(?:{_INLINE})\b[^<>]*>)*[0-9๐-๙]", re.I)
# A year typed with a space between its digits ("พ.ศ. 2 5 6 6", "ปี ๒ ๕ ๖ ๖": a title spaced out to
# look wide), as PDFs' text is read (pdftext.spaced_years), and in full-width digits ("２５６６": an
# input method left in full-width mode): each was a false "no 2566". Only a Buddhist-era year's
# four lone digits within one text of the markup (single spaces or &nbsp;, no tag between): cells
# of a table ("<td>2</td><td>5</td>...": counts) and longer runs ("1 2 5 6 6 7") are no year, nor
# a Christian-era quad ("2 0 2 3" is as likely four numbers), as in PDFs.
_GAP1 = r"(?: |&nbsp;|&#160;|\xa0)"
# (Its first digit is matched before the looks behind, which then take it in: the engine skips to
# each 2 or ๒, where looking behind at every character first cost ~5 ms a 100 KB page, now ~0.7.)
_SPACED_YEAR = re.compile(rf"([2๒])(?<![0-9๐-๙][2๒])(?<![0-9๐-๙] [2๒])(?<![0-9๐-๙]\xa0[2๒])(?<![0-9๐-๙]&nbsp;[2๒])"
                          rf"(?<![0-9๐-๙]&#160;[2๒]){_GAP1}([4-7๔-๗]){_GAP1}([0-9๐-๙]){_GAP1}([0-9๐-๙])(?!{_GAP1}?[0-9๐-๙])")
_WIDE_DIGIT = re.compile("[\uff10-\uff19]")
_WIDE_DIGITS = str.maketrans("\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19", "0123456789")
# Web application firewalls that answer a request they refuse with a page of their own and
# status 200, in the text they always use (F5 BIG-IP ASM, Fortinet FortiWeb, Imperva Incapsula,
# Cloudflare): read as the agency's page, it was "no 2566" or an empty page.
# Plain substrings: `in` costs ~2 us a page where one pattern of them all cost ~12.
_FIREWALL = (("The requested URL was rejected. Please consult with your administrator",),
             ("Incapsula incident ID",), ("_Incapsula_Resource",),
             ("The page cannot be displayed. Please contact the administrator", "Attack ID"),
             ("<title>Attention Required! | Cloudflare</title>",),
             # a script's check (Cloudflare's older one, DDoS-Guard's, a host's own) some sites send with 200
             ("Checking your browser before accessing",), ("DDoS protection by DDoS-Guard",))
FIREWALL_PAGE = 4000  # characters of visible text: a firewall's page is short, an agency's page about firewalls is not



@dataclass(frozen=True)
class Page:
    """What the heuristics read from a response: decoded text, title, headings, forms."""

    kind: str  # html | pdf | office | other
    text: str = ""
    title: str = ""
    headings: tuple[str, ...] = ()
    raw_html: str = ""
    pdf_readable: bool = True
    # The text of the file(s) the page shows: a viewer's file or the documents an HTML page
    # embeds (sheets_sync.check.documents); "" when it shows some but none could be read (a
    # scan, an error); None when none was looked at.
    document: str | None = None
    # A file it shows came as a file (a PDF, readable or a scan, a Word file ...), not an error
    # or another page: a link that promised a document and gave this page is not `wrong_type`.
    shows_file: bool = False
    # The reason code when no file it shows, or links from its own content (sheets_sync.check.linked),
    # opens in a browser: "not found" (`file_not_found`), or a PDF sent as a page (`sent_as_page`).
    files_trouble: str = ""
    # A browser shows its Thai as gibberish: the set named for it is not its bytes' (check/charsets.py).
    garbled: bool = False
    # A web server's listing of a folder (`read_html`): its files are the content.
    listing: bool = False
    # The codec its text was decoded with (None: a byte-order mark's, or bytes replaced): a
    # browser writes the query of the addresses it links in it (`documents.resolve`).
    encoding: str | None = None


@dataclass(frozen=True)
class Probe:
    """The site's answer to a random missing path, when that answer was a 200 page."""

    final_url: str
    shingles: frozenset
    shown: frozenset = frozenset()  # what its <img>, <iframe>, <embed> and <object> show
    status: int = 200  # a 200 page (a soft-404 site), or the 404, 410 or 500 the site really sends
    # The text of a 404, 410 or 500 answer: its n-grams are made only for a page sent with that
    # status (rare), where keeping them for every site's probe cost ~27 KB a host at scale.
    text: str = ""
    # The files its template links (`document_hrefs`): never an item page's own (check/linked.py).
    links: frozenset = frozenset()
    # Its template's lines that show a year (`template.year_lines`): never an item page's own years.
    lines: tuple[str, ...] = ()


def shown_source(tag: str) -> str | None:
    """The address a tag that shows something (<iframe>, <frame>, <embed>, <object>, <img>,
    <video>) shows, as written: its src (an object's data), or where a lazy-loading script keeps
    it while src is empty or a placeholder (about:blank, a data: image); None when it shows nothing.

    >>> shown_source('<iframe data-lazyloaded="1" src="about:blank" data-src="/files/o1.pdf">')
    '/files/o1.pdf'
    >>> shown_source('<embed type="application/pdf" src="/uploads/รายงาน ประจำปี 2566.pdf">')
    '/uploads/รายงาน ประจำปี 2566.pdf'
    >>> shown_source('<iframe src="">') is None
    True
    """
    attributes = tag_attributes(tag)
    for name in ("src", "data", *LAZY_SOURCES):
        value = attributes.get(name, "").strip()
        if value and not value.lower().startswith(_PLACEHOLDERS):
            return value
    return None


# An <a>'s href naming a file (a document's suffix, a Drive or Docs file), as written.
_DOCUMENT_HREF = re.compile(r"""<a\s[^<>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
# A site's own script that sends a file it keeps (a Thai CMS's "download.php?id=12", Joomla
# DOCman's "task=doc_download", WordPress Download Manager's "?wpdmdl=7", "GetFile.aspx?id=",
# "/files/download/abc"): its address names no file type; what it sends is known once asked.
# (Each mark is a scan of the page: ~50 µs for 70,000 characters of Thai; few are kept.)
# ... and the names Thai agencies' own PHP and ASP sites give theirs: viewfile.php?id=12,
# showpdf.php?doc=4, openfile.aspx?fid=7, readfile.php?name=o10, file.php?id=12.
_DOWNLOAD = (r"(?:^|[/?&=._-])(?:(?:file)?download|doc_download|dl(?=\.php|/)|get_?file|attachment|wpdmdl|"
             r"(?:view|show|open|read)_?(?:file|pdf|doc)|file(?=\.(?:php|aspx?)\b))(?:$|[/?&=._-])")
_DOWNLOAD_SCRIPT = re.compile(_DOWNLOAD, re.I)
# (Shorter marks cover longer ones: "file" is getfile's and viewfile's, "pdf" showpdf's and .pdf's.)
_FILE_MARKS = ("pdf", ".PDF", "Pdf", "doc", "Doc", ".xls", "google.com", "ownload", "OWNLOAD", "dl.php", "/dl/", "file",
               "File", "ttachment", "wpdmdl")
_NAMES_FILE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?)(?:$|[?#])|(?:drive|docs)\.google\.com[:/]|" + _DOWNLOAD, re.I)


def document_hrefs(raw_html: str) -> frozenset:
    """The addresses, as written (entities undone), that a page's links give to files.

    >>> sorted(document_hrefs('<a class="x" href="/files/o1.PDF">O1</a><a href=/news/1>news</a>'
    ...     '<a href="https://drive.google.com/file/d/1AbCdEfGh_IJ/view?usp=sharing&amp;a=1">O2</a>'))
    ['/files/o1.PDF', 'https://drive.google.com/file/d/1AbCdEfGh_IJ/view?usp=sharing&a=1']
    """
    if not may_link_files(raw_html):
        return frozenset()
    found = (html.unescape(m.group(m.lastindex or 1) or "").strip() for m in _DOCUMENT_HREF.finditer(raw_html))
    return frozenset(h for h in found if names_file(h))


def names_file(href: str) -> bool:
    """An address, as written, that names a file: a .pdf/.docx ... path, a Drive or Docs file,
    a site's download script (`_DOWNLOAD`)."""
    return _NAMES_FILE.search(unquote(href)) is not None


# A link with its text: `years_beside_file_links` reads a page without its files' links (each "<"
# looked past once, not a lazy scan from every character). One left open runs to the end, as in a
# browser: a page of links never closed scanned the rest of it from each and failed (time squared).
# Its text's third group is set when the text holds a digit.
_LINK = re.compile(r"<a\b([^<>]*)>([^<]*+(?:<(?!/a\s*>)[^<]*+)*+)(?:</a\s*>|\Z)", re.I)
_LINK_WITH_DIGIT = re.compile(r"<a\b([^<>]*)>([^<0-9๐-๙]*+(?:<(?!/a\s*>)[^<0-9๐-๙]*+)*+"
                              r"([0-9๐-๙][^<]*+(?:<(?!/a\s*>)[^<]*+)*+)?)(?:</a\s*>|\Z)", re.I)


def years_beside_file_links(page: Page, enough: Sequence[Sequence[int]]) -> tuple[int, ...] | None:
    """The years the page shows outside its links to files, when its text settles `enough`
    (years.year_sets) only by the text of those links ("ดาวน์โหลด แผนการดำเนินงาน ปี 2566" under a
    heading without a year); None otherwise. The assessor clicks that link, and the file behind
    it, missing or last year's, is the item: read without them, the page's own words give the
    verdict their files do not contradict.

    >>> page = read_html('<h1>O10</h1><a href="/files/o10.pdf">แผน ปี 2566</a>'.encode(), {})
    >>> years_beside_file_links(page, [(2566,)])
    ()
    >>> page = read_html('<h1>O10 แผน ปี 2566</h1><a href="/files/o10.pdf">ดาวน์โหลด</a>'.encode(), {})
    >>> years_beside_file_links(page, [(2566,)]) is None
    True
    """
    raw = page.raw_html
    if page.kind != "html" or not enough or settled(years_in(" ".join((page.title, *page.headings))), enough) \
            or not may_link_files(raw):
        return None  # (a heading that names the year: the page's own words, as most item pages')
    # (most pages' file links say "ดาวน์โหลด": no year, and the page is not read again)
    if not any(m[3] and _file_link(m) and years_in(text_of(m[2])) for m in _LINK_WITH_DIGIT.finditer(raw)):
        return None
    beside = years_in(text_of(_LINK.sub(lambda m: " " if _file_link(m) else m[0], raw)))
    return None if settled(beside, enough) else beside


def _file_link(link: re.Match) -> bool:
    href = _DOCUMENT_HREF.search(f"<a {link[1]}")
    return bool(href) and names_file(html.unescape(href.group(href.lastindex or 1) or ""))


_POSTBACK_LINK = re.compile(r"""<a\b[^<>]*?\bhref\s*=\s*["']javascript:\s*__doPostBack\(([^)]{0,300})\)[^<>]*>([^<]{0,120})""",
                            re.I)
_FILE_WORDS = re.compile(r"download|file|doc|pdf|ดาวน์โหลด|ไฟล์|เอกสาร", re.I)


def postback_files(raw_html: str) -> bool:
    """The page's files are behind ASP.NET postback links (`javascript:__doPostBack(...)` named
    as downloads): the browser posts the page's form to get each one.

    >>> postback_files('<a href="javascript:__doPostBack(&#39;gv&#39;,&#39;Download$0&#39;)">ดาวน์โหลด</a>')
    True
    >>> postback_files('<a href="javascript:__doPostBack(&#39;ctl00$menu&#39;,&#39;Page$2&#39;)">2</a>')
    False
    """
    if "__doPostBack" not in raw_html:
        return False  # nearly every page: one find
    # (the event's argument and the link's text: the control's own name, "gvFiles", is a
    # table of files also when its pager posts back)
    return any(_FILE_WORDS.search(m.group(1).rpartition(",")[2]) or _FILE_WORDS.search(m.group(2))
               for m in _POSTBACK_LINK.finditer(raw_html))


def shows_or_links_file(raw_html: str) -> bool:
    """Markup that shows a file in a frame, an <embed> or an <object>, or links one."""
    return EMBEDDING.search(raw_html) is not None or bool(document_hrefs(raw_html))


def _shows_own(markup: str) -> bool:
    """Markup that shows something of its own: a file, a frame, a picture, a video."""
    return _EMBED.search(markup) is not None or shows_or_links_file(markup)


def wall_text(page: Page) -> str | None:
    """What an HTML page shows beside a consent banner and its template when it is that banner
    alone, its title included (consent.wall_text); None for any other page."""
    if page.kind != "html":
        return None
    return consent.wall_text(page.raw_html, page.text, _shows_own)


def may_link_files(raw_html: str) -> bool:
    """A quick test before `document_hrefs`: the page names a file at all (~5 us for a page
    whose Thai text makes a regular expression's scan cost 35). A miss leaves a page as it was."""
    return any(mark in raw_html for mark in _FILE_MARKS)


def tag_attributes(tag: str) -> dict[str, str]:
    """A tag's attributes as written (names lower-cased, values not unescaped; the first of a
    name counts, as in a browser).

    >>> tag_attributes('<a CLASS="pdfemb-viewer" href=/files/o1.pdf data-width="max" download>')
    {'class': 'pdfemb-viewer', 'href': '/files/o1.pdf', 'data-width': 'max'}
    """
    attributes: dict[str, str] = {}
    for m in _ATTRIBUTE.finditer(tag):
        attributes.setdefault(m.group(1).lower(), m.group(m.lastindex) if m.lastindex > 1 else "")
    return attributes


def shown_addresses(raw_html: str) -> frozenset:
    """What a page's <img>, <iframe>, <embed>, <object> and <video> show (`shown_source` of each)."""
    return frozenset(filter(None, map(shown_source, _SHOWN_TAG.findall(raw_html))))


def platform_of(url: str) -> str | None:
    """The platform host a URL is on (facebook.com ...), or None."""
    # The host's own suffixes, looked up in a set (ten host_under calls each were a few per
    # cent of the checker's CPU).
    return _platform_of_host(host_of(url))


@lru_cache(maxsize=4096)  # asked twice per check, for a few hundred hosts a run
def _platform_of_host(host: str) -> str | None:
    labels = host.rstrip(".").split(".")
    return next((d for d in (".".join(labels[i:]) for i in range(len(labels))) if d in _PLATFORMS), None)


def sign_in_url(url: str) -> bool:
    """A sign-in page by its address (Google accounts, Facebook/Microsoft login)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host, path = (parts.hostname or "").lower(), parts.path.lower()
    if host_under(host, SIGN_IN_HOSTS):
        return True
    if host_under(host, ("facebook.com",)) and (path.startswith(("/login", "/checkpoint")) or "login.php" in path):
        return True
    return False


# A sign-in page by its address on the agency's own site (or its single sign-on server): a path
# that names signing in and a query that says where to go back to afterwards (ASP.NET's
# "/Account/Login?ReturnUrl=%2fo10", CAS's "/cas/login?service=", "login.php?returnUrl=/o10").
# A page sent there that offers "เข้าสู่ระบบด้วย ThaID" or an organisation's SSO button, and no
# password field, read as a page of its own: a false ok by its footer's 2566.
_SIGN_IN_PATH = re.compile(r"(?:^|/)(?:log[-_]?[io]n|sign[-_]?in|logon|sso|auth(?:enticate|orize)?)"
                           r"(?:\.(?:php|aspx?|jsp|html?|do))?/?$", re.I)
_RETURN_TO = re.compile(r"(?:^|&)(?:return_?url|returnto|return|redirect(?:_to|_uri|url)?|next|continue|service|"
                        r"goto|back(?:url)?|destination|ref(?:errer)?)=[^&]", re.I)


def sign_in_redirect(url: str, final_url: str, page: Page) -> bool:
    """The agency's address was sent on to a sign-in page that says where to come back to, and
    the page names itself a sign-in (its title or a top heading): the assessor sees a sign-in,
    not the item, though no password field shows (an SSO or ThaID button).

    >>> signin = read_html("<title>Single Sign-On | ลงชื่อเข้าใช้</title><a href=/sso>ThaID</a>".encode(), {})
    >>> sign_in_redirect("http://a.go.th/o10", "http://a.go.th/login.php?returnUrl=/o10", signin)
    True
    >>> sign_in_redirect("http://a.go.th/o10", "http://a.go.th/news.php?next=2", signin)
    False
    """
    if url == final_url:
        return False  # a page typed as the sign-in is the agency's choice: judged as a page
    try:
        parts = urlsplit(final_url)
    except ValueError:
        return False
    return bool(_SIGN_IN_PATH.search(parts.path) and _RETURN_TO.search(parts.query)
                and _in_headings(page, _LOGIN_TITLE))


# A CMS's back office by a segment of its path (WordPress, Joomla, the admin folder of many a
# Thai agency's own PHP site), or an edit action in its query. Only told apart on an address that
# answered a sign-in wall: files under /admin/uploads/ are public on many of those sites.
_BACK_OFFICE = frozenset({"wp-admin", "wp-login.php", "administrator", "admin", "backend", "backoffice",
                          "back-office", "webadmin", "siteadmin", "admin.php"})
_EDIT_QUERY = re.compile(r"(?:^|&)(?:action=edit|task=[\w.]*edit)\b", re.I)


def back_office(url: str) -> bool:
    """An address of a site's back office, copied from the editor's browser: the agency's staff
    see the page, an assessor gets the sign-in wall.

    >>> back_office("https://a.go.th/wp-admin/post.php?post=12&action=edit"), back_office("https://a.go.th/ita/o10")
    (True, False)
    >>> back_office("https://a.go.th/index.php?option=com_content&task=article.edit&id=5")
    True
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    segments = {s.lower() for s in unquote(parts.path).split("/") if s}
    return bool(segments & _BACK_OFFICE) or _EDIT_QUERY.search(parts.query) is not None


def download_script(url: str) -> bool:
    """A link to a site's own script that sends a file (`_DOWNLOAD`): a file or not, known once asked.

    >>> download_script("https://a.go.th/download.php?id=12"), download_script("https://a.go.th/news.php?id=12")
    (True, False)
    >>> download_script("https://a.go.th/index.php?option=com_docman&task=doc_download&gid=4")
    True
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return _DOWNLOAD_SCRIPT.search(unquote(f"{parts.path}?{parts.query}")) is not None


def promises_document(url: str) -> bool:
    """A link whose address says it is a document: a .pdf/.docx ... path, or a Drive/Docs file."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host, path = (parts.hostname or "").lower(), unquote(parts.path).lower().rstrip("/")
    if path.endswith(DOCUMENT_SUFFIXES):
        return True
    if host == "drive.google.com" and (path.startswith("/file/d/") or path in ("/uc", "/open")):
        return True
    return host == "docs.google.com" and path.startswith(("/document/d/", "/spreadsheets/d/", "/presentation/d/"))


# An archive's first bytes (zip, RAR, 7-Zip), and the words of an archive's Content-Type: a .zip or
# .rar that stores a PDF uncompressed holds "%PDF-" within its first KB, after its own header.
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_ARCHIVE_TYPES = ("zip", "rar", "7z", "x-tar", "gzip")


def is_pdf(body: bytes, headers: Mapping[str, str]) -> bool:
    """A PDF file, as PDF readers find one: its header within the first 1,024 bytes. After
    something else (a download script's PHP notice, a byte-order mark) only when the server does
    not call it a web page, text or an archive, and it is no archive by its first bytes: a browser
    then hands it to its PDF viewer, which opens it. An archive is saved, not shown: a zip storing
    the PDF uncompressed was read as a PDF and called damaged (`pdf_unreadable`).

    >>> is_pdf(b"<b>Notice</b>: Undefined index: id<br />%PDF-1.4 ...", {"Content-Type": "application/pdf"})
    True
    >>> is_pdf(b"<p>Upload a file (%PDF-1.4 or later)</p>", {"Content-Type": "text/html"})
    False
    >>> is_pdf(b"PK\\x03\\x04 ... o19.pdf %PDF-1.4 ...", {"Content-Type": "application/octet-stream"})
    False
    """
    head = body[:1024]
    if head.lstrip().startswith(b"%PDF-"):
        return True
    if b"%PDF-" not in head or head.startswith(_ARCHIVE_MAGIC):
        return False
    ctype = (headers.get("Content-Type") or "").lower()
    return "html" not in ctype and not ctype.startswith("text/") and not any(t in ctype for t in _ARCHIVE_TYPES)


def failed_pdf(body: bytes, headers: Mapping[str, str]) -> bool:
    """An answer the server calls a PDF that is no PDF but text: a download script's "file not
    found" page or message, or PHP's readfile() warning, sent under the file's application/pdf.
    The browser hands it to its PDF viewer, which shows "Failed to load PDF document"; read as an
    unknown file it was "ok, a look by hand".

    >>> failed_pdf("<h3>ไม่พบไฟล์ที่ต้องการ</h3>".encode(), {"Content-Type": "application/pdf"})
    True
    >>> failed_pdf(b"%PDF-1.4 ...", {"Content-Type": "application/pdf"}), failed_pdf(b"<h3>x</h3>", {})
    (False, False)
    """
    ctype = (headers.get("Content-Type") or "").lower().lstrip()
    if not body or not ctype.startswith(("application/pdf", "application/x-pdf")) or is_pdf(body, headers):
        return False
    head = body[:1024]
    return len(head) - len(head.translate(None, _CONTROL_BYTES)) < BINARY_BYTES  # text, not some other file


def sent_as_page(headers: Mapping[str, str]) -> bool:
    """A file's answer whose Content-Type calls it a web page, with no download asked for: a
    browser never sniffs text/html (Chromium's mime_sniffer, the WHATWG MIME Sniffing standard),
    so it shows a PDF or a Word file as lines of gibberish. A download script that forgets its
    header sends PHP's default, text/html. The checker reads the file all the same (`is_pdf`).

    >>> sent_as_page({"Content-Type": "text/html; charset=UTF-8"}), sent_as_page({"Content-Type": "application/pdf"})
    (True, False)
    >>> sent_as_page({"Content-Type": "text/html", "Content-Disposition": 'attachment; filename="o10.pdf"'})
    False
    """
    ctype = (headers.get("Content-Type") or "").lower().lstrip()
    return ctype.startswith(("text/html", "application/xhtml")) and \
        "attachment" not in (headers.get("Content-Disposition") or "").lower()


BINARY_BYTES = 8  # binary bytes in a page's first KB for a browser to show it as gibberish


def binary_page(body: bytes, headers: Mapping[str, str]) -> bool:
    """A body sent as a web page that a browser shows as gibberish: still compressed (gzip's
    magic first: compressed twice under one Content-Encoding, which a browser undoes once), or
    binary (control bytes an image, an archive or a program's output holds, and no text does).
    Never a page in UTF-16, whose every other byte is 0: its byte-order mark or charset says so.

    >>> import gzip
    >>> binary_page(gzip.compress(b"<p>2566</p>"), {"Content-Type": "text/html"})
    True
    >>> binary_page("<p>ปี 2566</p>".encode("utf-16"), {"Content-Type": "text/html"})
    False
    """
    head = body[:1024]
    if head[:2] == b"\x1f\x8b":
        return True
    if len(head) - len(head.translate(None, _CONTROL_BYTES)) < BINARY_BYTES:  # (a regex's findall: 7 µs)
        return False
    return not head.startswith(charsets.BOM_MARKS) and "utf-16" not in (headers.get("Content-Type") or "").lower()


def is_html(body: bytes, headers: Mapping[str, str]) -> bool:
    ctype = (headers.get("Content-Type") or "").lower()
    if "html" in ctype or "xml" in ctype and b"<html" in body[:2048].lower():
        return True
    if ctype and not ctype.startswith("text/plain"):
        return False
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title"))


def decode(body: bytes, headers: Mapping[str, str]) -> str:
    r"""The body as text: the charset a byte-order mark shows (it wins in browsers, over the
    server's header too: a page saved with one by Notepad and served as ISO-8859-1 reads as
    UTF-8), else the one the server or a <meta> names, else UTF-8, else Thai Windows-874.

    >>> decode(b"\xef\xbb\xbf<p>\xe0\xb8\x9b\xe0\xb8\xb5 2566</p>", {"Content-Type": "text/html; charset=ISO-8859-1"})
    '<p>ปี 2566</p>'
    """
    return decoded(body, headers)[0]


def decoded(body: bytes, headers: Mapping[str, str]) -> tuple[str, str | None]:
    """`decode`, and the codec whose strict decoding gave the text (None when it took a
    byte-order mark's word or replaced what did not decode)."""
    for bom, codec in charsets.BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), None
    names = charsets.HEADER_CHARSET.findall(headers.get("Content-Type") or "")
    m = charsets.META_CHARSET.search(body[:charsets.META_BYTES])
    if m:
        names.append(m.group(1).decode("ascii", "ignore"))
    for name in names:
        name = charsets.python_codec(name)
        try:
            return body.decode(name), name
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp874", errors="replace"), None


def without_hidden(body: bytes) -> bytes:
    """The HTML without what a browser does not show as text: scripts, styles, <noscript>,
    templates, SVG, comments, and a drop-down list's options but the one it shows.

    >>> without_hidden(b'<p>Year <select name="y"><option>2567<option selected>2565</option><option>2566</select></p>')
    b'<p>Year  2565 </p>'
    """
    shown = _DROP.sub(b" ", body)
    if b"<select" in shown or b"<SELECT" in shown:
        # A CMS list's year filter ("ปีงบประมาณ [2565 ▼]") lists every year; the page shows the
        # chosen one, and the records of that year. Read whole, its 2566 option passed a list of
        # last year's records as "ok".
        shown = _SELECT.sub(_chosen_option, shown)
    return shown


_SELECT = re.compile(rb"<select\b.*?(?:</select\s*>|$)", re.S | re.I)
_OPTION = re.compile(rb"<option\b([^<>]*)>(.*?)(?=</option|<option|</select|$)", re.S | re.I)
_SELECTED = re.compile(rb"(?<![\w-])selected\b", re.I)
_LIST_BOX = re.compile(rb"^<select\b[^>]*?(?<![\w-])(?:multiple|size\s*=\s*[\"']?0*[2-9])", re.I)


def _chosen_option(select: re.Match) -> bytes:
    """The text a closed <select> shows: its selected option's, else its first option's; a list
    box (`multiple`, or a `size` over 1) shows them all."""
    options = _OPTION.findall(select.group(0))
    if _LIST_BOX.match(select.group(0)):
        return b" " + b" ".join(text for _, text in options) + b" "
    chosen = next((text for attributes, text in options if _SELECTED.search(attributes)), None)
    if chosen is None:
        chosen = options[0][1] if options else b""
    return b" " + chosen + b" "


# A web server's listing of a folder (Apache's, nginx's, LiteSpeed's "Index of /ita/", IIS's
# "[To Parent Directory]"): the times its files were uploaded, one a row, are no year the item
# shows. Read as its years, a folder of last year's plan uploaded in January 2023 was "ok".
_LISTING_TITLE = re.compile(r"\s*index\s+of\s+/", re.I)
_LISTING_TIME = re.compile(r"(?<![\w/.-])(?:\d{4}-\d{2}-\d{2}|\d{1,2}-[A-Za-z]{3}-\d{4}|\d{1,2}/\d{1,2}/\d{4}|"
                           r"[A-Za-z]+day, [A-Za-z]+ \d{1,2}, \d{4})\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?(?![\w.])")


def read_html(body: bytes, headers: Mapping[str, str]) -> Page:
    stripped = without_hidden(body)
    text_html, codec = decoded(stripped, headers)
    title = _title(text_html)
    listing = bool(title and _LISTING_TITLE.match(title)) or "[To Parent Directory]" in text_html[:4096]
    if listing:
        text_html = _LISTING_TIME.sub(" ", text_html)
    return Page(kind="html", text=text_of(text_html), title=text_of(title) if title else "",
                headings=tuple(text_of(h) for h in _HEADING.findall(text_html)[:5]), raw_html=text_html,
                garbled=charsets.garbled(stripped, headers, codec), listing=listing, encoding=codec)


def _title(text_html: str) -> str | None:
    """The markup inside a page's first <title> element; None when it has none, or never closes it.

    >>> _title("<html><TITLE lang=th>O10 <b>ปี 2566</b></title>"), _title("<title>x < y") is None
    ('O10 <b>ปี 2566</b>', True)
    """
    start = _TITLE_TAG.search(text_html)
    if start is None or not start.group().endswith(">"):
        return None
    end = _TITLE_END.search(text_html, start.end())
    return None if end is None else text_html[start.end():end.start()]


def html_years(page: Page, enough: Sequence[Sequence[int]] = ()) -> tuple[int, ...]:
    """The years an HTML page's text shows, as a browser shows its text: digits that only
    inline tags part ("25<b>66</b>") read as one number, a year spaced out in one text ("พ.ศ. 2 5 6 6",
    `_SPACED_YEAR`) and full-width digits ("２５６６") as theirs. That second reading (~1 ms for a
    large page) is made only when the first does not settle `enough` (years.year_sets; always
    when none is given); its years are added, never taken away.

    >>> html_years(read_html("<p>ปีงบประมาณ 25<span style='color:red'>66</span></p>".encode(), {}))
    (2566,)
    >>> html_years(read_html(b"<table><tr><td>25</td><td>66</td></tr></table>", {}))
    ()
    >>> html_years(read_html("<p>ประจำป\uf702งบประมาณ 66</p>".encode(), {}))  # a vowel in the Private Use Area
    (2566,)
    >>> html_years(read_html("<p>พ.ศ. ๒ ๕ ๖ ๖</p><p>ปี 2&nbsp;5&nbsp;6&nbsp;5 ２５６４</p>".encode(), {}))
    (2564, 2565, 2566)
    >>> html_years(read_html("<td>2</td><td>5</td><td>6</td><td>6</td><p>1 2 5 6 6 7, 2 5 6 3 บาท</p>".encode(), {}))
    ()
    """
    years = years_in(page.text)
    if not settled(years, enough):
        # text pasted from such a PDF into the CMS brings its Private Use Area vowels along
        shown = pdftext.presentation_thai(page.text)
        if _WIDE_DIGIT.search(shown):
            shown = shown.translate(_WIDE_DIGITS)
        if shown is not page.text:
            years = tuple(sorted(set(years) | set(years_in(shown))))
    if page.kind != "html" or settled(years, enough):
        return years
    if _SPLIT_DIGITS.search(page.raw_html):
        years = tuple(sorted(set(years) | set(years_in(text_of(_INLINE_TAG.sub("", page.raw_html))))))
    if not settled(years, enough) and _SPACED_YEAR.search(page.raw_html):
        years = tuple(sorted(set(years) | set(years_in(text_of(_SPACED_YEAR.sub(r"\1\2\3\4", page.raw_html))))))
    return years


def read_pdf(body: bytes, pages: int, enough: Sequence[Sequence[int]] = ()) -> Page:
    """The text of the first `pages` pages (sheets_sync.check.pdftext; `enough` as there);
    pdf_readable False when PDFium cannot open the file."""
    text, readable = pdftext.read(body, pages, enough)
    return Page(kind="pdf", text=text, pdf_readable=readable)


# The bytes that make a body without a Content-Type binary for a browser (WHATWG MIME Sniffing,
# "binary data byte"): an image's or an archive's header has some in its first bytes, text none.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# _BINARY's, but a vertical tab: Word's line break pasted into a CMS's editor, text all the same
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x1b), *range(0x1c, 0x20)])


def read(body: bytes, headers: Mapping[str, str], pdf_pages: int = 5) -> Page:
    """What the rules read of a body: a PDF's or an office file's text, an HTML page's text,
    title and headings."""
    if is_pdf(body, headers):
        return read_pdf(body, pdf_pages)
    if is_html(body, headers):
        return read_html(body, headers)
    if office.looks_like(body) or office.legacy(body):
        return read_office(body)
    ctype = (headers.get("Content-Type") or "").lower()
    if ctype.startswith(("text/", "application/csv")) or (not ctype and not _BINARY.search(body[:512])):
        return Page(kind="text", text=_squeeze(decode(body, headers)))  # a CSV of open data, a plain text file
    return Page(kind="other")  # an image, an archive, a video: nothing the rules read


def read_office(body: bytes, enough: Sequence[Sequence[int]] = ()) -> Page:
    """An office file's text (sheets_sync.check.office; `enough` as there); "" when it cannot be
    read (an old binary format, a file cut off or protected): a look by hand."""
    return Page(kind="office", text=office.text(body, enough) or "")


def is_document(body: bytes, headers: Mapping[str, str]) -> bool:
    """A file whose text the rules read from the whole file (a PDF, an office file): read whole,
    up to max_document_bytes (sheets_sync.check.bodies), in the PDF helper."""
    return is_pdf(body, headers) or office.looks_like(body)


def read_document(body: bytes, pages: int, enough: Sequence[Sequence[int]] = ()) -> Page:
    """What `read_pdf` or `read_office` gives, by what the file is (`is_document`), as the PDF
    helper reads it (pdftext.read_document)."""
    return document_page(body, *pdftext.read_document(body, pages, enough))


def document_page(body: bytes, text: str = "", readable: bool = True) -> Page:
    """The Page of a file `is_document` names, from its text and whether it could be read; with
    no text given, a file whose text was not read (out of time, cut off: a look by hand)."""
    if office.looks_like(body):
        return Page(kind="office", text=text)  # unreadable: no text, a look by hand
    return Page(kind="pdf", text=text, pdf_readable=readable)


def _normalised(text: str, limit: int = 20_000) -> str:
    return re.sub(r"[\d๐-๙]+", "0", _SPACE.sub(" ", text[:limit].lower()))


def shingles(text: str, size: int = 5, limit: int = 20_000) -> frozenset:
    """Character n-grams of the normalised text (Thai has no spaces between words)."""
    t = _normalised(text, limit)
    return frozenset(t[i:i + size] for i in range(max(0, len(t) - size + 1)))


def similar(text: str, other: frozenset, threshold: float = SIMILAR, size: int = 5, chunk: int = 512) -> bool:
    """similarity(shingles(text), other) >= threshold, exactly, but giving up as soon as the
    answer cannot be yes: building every n-gram of a long page was most of the CPU of the
    content rules, and almost every page is nothing like the site's not-found page.

    With A the page's n-grams, B the other's and m those of A not in B, the similarity
    |A & B| / (|B| + m) is at most |B| / (|B| + m), and with n positions in the text also at
    most (n - m) / (|B| + m): it is under `threshold` once m passes either line, and m only
    grows as the text is read, so crossing a line early settles it. The start of the text is
    normalised first (its n-grams are some of the whole text's), since that usually settles it."""
    if not other:
        return False
    by_overlap = len(other) * (1 - threshold) / threshold
    if len(text) > 4 * chunk and _misses(_normalised(text, 4 * chunk), other, size, chunk, by_overlap) is None:
        return False
    t = _normalised(text)
    n = max(0, len(t) - size + 1)
    seen = _misses(t, other, size, chunk, min(by_overlap, (n - threshold * len(other)) / (1 + threshold)))
    return seen is not None and bool(n) and similarity(frozenset(seen), other) >= threshold


def _misses(t: str, other: frozenset, size: int, chunk: int, most: float) -> set[str] | None:
    """The n-grams of `t`, or None as soon as more than `most` of them are not in `other`."""
    n = max(0, len(t) - size + 1)
    seen: set[str] = set()
    misses = 0
    for start in range(0, n, chunk):
        new = {t[i:i + size] for i in range(start, min(n, start + chunk))} - seen
        misses += len(new - other)
        if misses > most:
            return None
        seen |= new
    return seen


def similarity(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def firewall_page(page: Page) -> bool:
    """The page is a web application firewall's refusal, not the site's content.

    >>> firewall_page(Page(kind="html", title="Request Rejected", raw_html="<html>The requested URL was rejected. "
    ...     "Please consult with your administrator.<br>Your support ID is: 1234</html>"))
    True
    """
    if page.kind != "html" or len(page.text) > FIREWALL_PAGE:
        return False
    raw = page.raw_html[:20_000]
    return any(all(sign in raw for sign in signs) for signs in _FIREWALL)


def challenge_page(headers: Mapping[str, str], body: bytes) -> bool:
    """A bot check that a browser passes by running its script (Cloudflare's "Just a moment...",
    sent with 503 in its "Under Attack" mode, 403 otherwise): the answer to a bot, not the site's.

    >>> challenge_page({"cf-mitigated": "challenge"}, b""), challenge_page({}, b"<h1>503 Service Unavailable</h1>")
    (True, False)
    """
    return (headers.get("cf-mitigated") or "").lower() == "challenge" or b"/cdn-cgi/challenge-platform/" in body[:65_536]


def security_refusal(body: bytes) -> str | None:
    """The reason code for a WordPress security plugin's refusal, which Wordfence (on a great
    many agencies' WordPress sites) sends with 503: "Your access to this site has been limited by
    the site owner" (`bot_blocked`: a block rule, or a crawler's rule our checker matched) or
    "... to this service has been temporarily limited" (`rate_limited`); None for any other
    answer. Read as a 503, it was "เว็บไซต์ขัดข้อง" (broken) on a site that opens in a browser.

    >>> security_refusal(b"<title>Your access to this site has been limited by the site owner</title>"
    ...                  b"<p>Generated by Wordfence at Wed, 1 Feb 2023</p>")
    'bot_blocked'
    >>> security_refusal(b"<h1>503 Service Unavailable</h1>") is None
    True
    """
    head = body[:65_536]
    if b"Wordfence" not in head and b"wordfence" not in head:
        return None
    if b"temporarily limited" in head:
        return "rate_limited"
    return "bot_blocked" if b"has been limited" in head or b"been blocked" in head else None


# A site closed for maintenance: WordPress's maintenance plugins (sent with 200 where set so), a
# hosting panel's notice, a new site's "Coming soon". Only words that name the site or system
# closed: "ปรับปรุงถนน" of a road works notice is an item page's own.
_MAINTENANCE = re.compile(r"ปิด(?:ปรับปรุง|ให้บริการ)|ระหว่าง(?:การ)?(?:ปรับปรุง|พัฒนา)(?:ระบบ|เว็บ)|ปรับปรุง(?:ระบบ|เว็บ)|"
                          r"maintenance|briefly\s+unavailable|coming\s+soon|under\s+construction", re.I)


def maintenance_page(page: Page) -> bool:
    """A maintenance notice in the title or an h1/h2 (body text never counts).

    >>> maintenance_page(Page(kind="html", title="เว็บไซต์อยู่ระหว่างปิดปรับปรุงชั่วคราว"))
    True
    >>> maintenance_page(Page(kind="html", title="ประกาศ เรื่อง ปรับปรุงถนนสายบ้านหนองหลุม ประจำปี 2566"))
    False
    """
    return _in_headings(page, _MAINTENANCE)


# Where a site sends a missing page: its not-found page by name ("/404.html", "/errors/404.aspx",
# "/page-not-found/", "error.php?code=404"). A page reached so says "not found" in words of its
# own ("ระบบหาหน้าที่ต้องการไม่เจอ") under the site's menu, whose "ITA 2566" passed it as "ok".
# Only folders of error pages may come before a bare "404": "/news/404" is the post numbered 404.
_NOT_FOUND_ADDRESS = re.compile(
    r"^/(?:(?:errors?|error-?pages?|errdocs?|th|en)/)?(?:404|error-?404|404-?error)(?:\.\w{2,5})?/?(?:\?|$)"
    r"|[/_.-](?:page-?)?not-?found(?:\.\w{2,5})?/?(?:\?|$)|[?&](?:code|error|err|status|e)=404(?:&|$)", re.I)


def redirected_to_not_found(url: str, final_url: str) -> bool:
    """The address was sent on to the site's not-found page, by that page's name.

    >>> redirected_to_not_found("https://a.go.th/ita/o10", "https://a.go.th/404.html")
    True
    >>> redirected_to_not_found("https://a.go.th/o10", "https://a.go.th/errors/404.aspx?aspxerrorpath=/o10")
    True
    >>> redirected_to_not_found("https://a.go.th/o10", "https://a.go.th/news/404")
    False
    """
    if final_url == url:
        return False
    try:
        parts = urlsplit(final_url)
    except ValueError:
        return False
    return _NOT_FOUND_ADDRESS.search(unquote(parts.path) + (f"?{parts.query}" if parts.query else "")) is not None


def not_found_heading(page: Page) -> bool:
    """A not-found phrase in the title or an h1/h2: narrow on purpose (body text never counts).
    "ไม่พบข้อมูล" under a heading that names a year is the item's page saying it has no records
    ("สถิติเรื่องร้องเรียน ประจำปี 2566" over "ไม่พบข้อมูล": no complaints; an empty list's
    answer), not the site's not-found page: that was `soft_404`, broken.

    >>> page = read_html("<h1>สถิติเรื่องร้องเรียน ประจำปี 2566</h1><h2>ไม่พบข้อมูล</h2>".encode(), {})
    >>> not_found_heading(page), not_found_heading(read_html("<h1>ข่าว</h1><h2>ไม่พบข้อมูล</h2>".encode(), {}))
    (False, True)
    """
    if _says(page.title, _NOT_FOUND, _may_say_not_found):
        return True
    # (the earlier headings' years are read only for a heading that says "not found": rare)
    return any(_says(heading, _NOT_FOUND, _may_say_not_found) and
               (_PAGE_NOT_FOUND_RE.search(heading) or not any(years_in(h) for h in page.headings[:i]))
               for i, heading in enumerate(page.headings))


# What a download script answers for a file it does not have, as its whole answer: "ไม่พบไฟล์",
# "File not found.", "Error: file does not exist" (as text or a page without a title or heading),
# or a browser alert() before it sends the visitor back ("alert('ไม่พบไฟล์ที่ต้องการ');
# history.back()"). Read as a page, each was "empty" or "no 2566", where the link is broken.
_BARE_NOT_FOUND = re.compile(f"{_FILE_NOT_FOUND.pattern}|{_PAGE_NOT_FOUND}", re.I)
_ALERT = re.compile(rb"""\balert\s*\(\s*(["'])((?:(?!\1)[^\\\r\n]|\\.){1,300})\1""")
ALERT_PAGE_BYTES = 65_536  # a page sent only to show an alert is small


def bare_not_found(url: str, page: Page, body: bytes) -> bool:
    """The whole answer says there is no such file or page: a short text without a title or
    heading of its own that says so, a page of a download script's address (or a document's)
    titled or headed so ("ไม่พบไฟล์"), or an alert() saying so on a page with next to no text.
    A short item page with a title, a heading or a file of its own is never one.

    >>> bare_not_found("https://a.go.th/download.php?id=9", read_html("ไม่พบไฟล์".encode(), {}), b"")
    True
    >>> body = "<script>alert('ไม่พบไฟล์ที่ต้องการ'); history.back();</script>".encode()
    >>> bare_not_found("https://a.go.th/dl.php", read_html(body, {}), body)
    True
    >>> bare_not_found("https://a.go.th/o19", read_html("<title>O19</title><p>ไม่พบไฟล์แนบ</p>".encode(), {}), b"")
    False
    """
    if page.kind == "text" or not (page.title or page.headings or shows_or_links_file(page.raw_html)):
        if _says(page.text, _BARE_NOT_FOUND):
            return True
    elif (download_script(url) or promises_document(url)) and _in_headings(page, _FILE_NOT_FOUND):
        return True
    if page.kind != "html" or len(page.text) - len(page.title) >= MIN_TEXT or len(body) > ALERT_PAGE_BYTES \
            or b"alert" not in body:
        return False
    return any(_says(m.group(2).decode("utf-8", "replace"), _BARE_NOT_FOUND) for m in _ALERT.finditer(body))


def _may_say_not_found(text: str) -> bool:
    # Every match of _NOT_FOUND holds one of these: three substring searches where the pattern
    # itself (case-insensitive, a dozen alternatives) was ~1 % of the checker's CPU.
    return "ไม่พบ" in text or "404" in text or "ไม่มีอยู่" in text or "found" in text.lower()


def _in_headings(page: Page, pattern: re.Pattern, may=None) -> bool:
    """`pattern` in the page's title or one of its first h1/h2s (`_says`)."""
    return any(_says(t, pattern, may) for t in (page.title, *page.headings))


def _says(heading: str, pattern: re.Pattern, may=None) -> bool:
    """`pattern` in a title or heading of heading length; `may`: a quick test it must pass before
    the pattern is searched."""
    return bool(heading) and len(heading) <= 120 and (may is None or may(heading)) and \
        pattern.search(heading) is not None


def script_shell(page: Page, body: bytes) -> bool:
    """The page is a shell that scripts fill in (a single-page application): no text besides its
    title, a script loaded from a file, or a script moving the browser on (to where, chosen at
    run time). A blank page without such scripts shows the assessor nothing (`empty_page`).

    >>> script_shell(read_html(b'<title>Wiang Yong</title><div id="app"></div><script src="/app.js"></script>',
    ...     {}), b'<title>Wiang Yong</title><div id="app"></div><script src="/app.js"></script>')
    True
    """
    return page.kind == "html" and len(page.text) - len(page.title) < MIN_TEXT and bool(_DRAWING_SCRIPT.search(body))


def password_wall(page: Page) -> bool:
    """Every form on the page asks for a password, and the page is little more than that form
    (or is titled as a sign-in page): a CMS sidebar login beside real content is not a wall.
    A form with more text than a sign-in has is the page's own: ASP.NET WebForms wraps every
    page, menus and content, in one form, and a staff login box in its sidebar made the whole
    item "sign in first" (broken). Nor is a short page a wall when it links or shows its file
    outside the form (a heading and "ดาวน์โหลด" beside Joomla's login module).

    >>> login = "<form>ชื่อผู้ใช้ <input type=password> เข้าสู่ระบบ</form>"
    >>> password_wall(read_html(f"<title>ระบบ</title>{login}".encode(), {}))
    True
    >>> page = f"<form><h1>O10 แผนการดำเนินงาน ปี 2566</h1>{'<p>รายละเอียดโครงการของเทศบาล</p>' * 20}{login[6:-7]}</form>"
    >>> password_wall(read_html(page.encode(), {}))
    False
    """
    forms = _FORM.findall(page.raw_html)
    if not forms or not all(_PASSWORD.search(f) for f in forms):
        return False
    if _LOGIN_TITLE.search(page.title):
        return True
    outside_html = _FORM.sub(" ", page.raw_html)
    own = len(text_of(outside_html)) + sum(n for n in (len(text_of(f)) for f in forms) if n >= SIGN_IN_TEXT)
    return own < SIGN_IN_TEXT and not shows_or_links_file(outside_html)


def needs_probe(url: str, final_url: str, page: Page) -> bool:
    """Whether to compare this page with the site's answer to a missing path."""
    try:
        path = urlsplit(final_url).path
        original = urlsplit(url)
    except ValueError:
        return False
    if page.kind != "html" or len(page.text) < MIN_TEXT or is_viewer(final_url):
        return False
    # The homepage itself is not a not-found page, even if the site answers every path with it.
    return path not in ("", "/") or bool(original.path.strip("/") or original.query)


def soft_404_by_probe(url: str, final_url: str, page: Page, probe) -> bool:
    """`probe` is a Probe, None, or a callable giving one (called only when needed)."""
    if probe is None or not needs_probe(url, final_url, page):
        return False
    if callable(probe):
        probe = probe()
    if probe is None or not 200 <= probe.status < 300:
        return False  # a site that says "not found" with its status has no soft-404s to compare
    if probe.final_url == final_url and urlsplit(url).path != urlsplit(final_url).path:
        return True  # redirected to the very page the site sends for missing paths
    if not similar(page.text, probe.shingles):
        return False
    # Nearly the same text can still be a page of its own: a short item page (a heading and
    # the chart below it) inside a template of long menus and news shown on every page,
    # against a catch-all home page. The site's answer for a missing path shows nothing of its
    # own beyond an echo of the address asked for: no text, no picture or frame, no file linked
    # (a heading and "ดาวน์โหลด" to its PDF is an item page however short, where a deleted
    # item's page is the template around nothing).
    return len(_own_ngrams(page, probe.shingles, url, final_url)) <= OWN_NGRAMS and \
        shown_addresses(page.raw_html) <= probe.shown and document_hrefs(page.raw_html) <= probe.links


def _own_ngrams(page: Page, theirs: frozenset, url: str, final_url: str) -> frozenset:
    """The page's n-grams that the site's answer for a missing path (`theirs`) lacks, an echo of
    the address asked for not counted."""
    return shingles(page.text) - theirs - shingles(unquote(f"{url} {final_url}"))


def probe_from(status_code: int | None, final_url: str | None, body: bytes, headers: Mapping[str, str]) -> Probe | None:
    """What a random missing path gave: a Probe when the site answered it with a 200 page, or
    with a 404 or 410 (whatever its body: a bare "Not Found" has no text to compare), or with a
    500 (a site whose every page dies in a footer widget: its not-found page dies there too)."""
    if status_code is None or not final_url:
        return None
    if status_code in SHOWN_DESPITE or status_code == SHOWN_DESPITE_FAILURE:
        page = read_html(body, headers) if is_html(body, headers) else Page(kind="other")
        return Probe(final_url=final_url, shingles=frozenset(), status=status_code, text=page.text[:20_000],
                     shown=shown_addresses(page.raw_html), links=document_hrefs(page.raw_html),
                     lines=template.year_lines(page.raw_html))
    if not 200 <= status_code < 300 or not is_html(body, headers):
        return None
    page = read_html(body, headers)
    # A site that sends a missing path on to its home page shows its news there, an item's own
    # heading among them: not its template alone. (One serving its home page at any path is
    # told by `template.without_lines`: item pages do not show most of its dated lines.)
    home = is_homepage(final_url)
    return Probe(final_url=final_url, shingles=shingles(page.text), shown=shown_addresses(page.raw_html),
                 links=document_hrefs(page.raw_html), lines=() if home else template.year_lines(page.raw_html))


def shown_despite_status(url: str, final_url: str, page: Page, probe, status: int = 404) -> bool:
    """An HTML page of its own that came with a 404 or 410: a site whose friendly addresses its
    not-found handler serves (Apache's ErrorDocument, IIS's custom errors, a front controller
    that never sets the status) sends every page so. A browser shows the page, and the assessor
    reads it; "broken" would be false. Told from the site's own not-found answer by the probe
    (`probe`, or a callable giving it): the site must say 404 or 410 for a random missing path
    too, and this page must be far from that answer, with text of its own and no not-found or
    error wording anywhere. Without the probe, or with any doubt, it stays not found.

    >>> probe = probe_from(404, "http://a.go.th/x", b"<title>404 Not Found</title>", {})
    >>> page = read_html(("<title>O1 structure</title><h1>Structure of the municipality, fiscal year 2566</h1>"
    ...     "<p>The mayor and two deputy mayors lead the council; the municipal clerk heads the office, "
    ...     "its treasury, public works, education and public health divisions.</p>").encode(), {})
    >>> shown_despite_status("http://a.go.th/o1", "http://a.go.th/o1", page, probe)
    True
    >>> shown_despite_status("http://a.go.th/o1", "http://a.go.th/o1", page, None)
    False
    """
    if page.kind != "html" or len(page.text) - len(page.title) < MIN_OWN_TEXT or _ERROR_WORDING.search(page.text):
        return False
    if callable(probe):
        probe = probe()
    if probe is None:
        return False  # not asked, or the site answers a missing path with an error too
    if probe.status in SHOWN_DESPITE or probe.status == status == SHOWN_DESPITE_FAILURE:
        # (a 500 for a missing path too: the site's not-found page, died where this page died;
        # a site down for every path answers them all alike, and `similar` keeps it broken)
        theirs = shingles(probe.text)
    elif status == SHOWN_DESPITE_FAILURE and 200 <= probe.status < 300:
        theirs = probe.shingles  # a 200 page for any path: a 500 here is no "not found" of its
    else:
        return False  # missing paths answer 200: this address's "not found" is meant
    if similar(page.text, theirs):
        return False
    return len(_own_ngrams(page, theirs, url, final_url)) >= OWN_TEXT_NGRAMS


def inspect(url: str, final_url: str, status_code: int, body: bytes, headers: Mapping[str, str],
            truncated: bool = False, probe=None, pdf_pages: int = 5, page: Page | None = None) -> tuple[str, ...]:
    """Reason codes for a 2xx answer's content (empty when nothing is wrong); see `examine`."""
    return examine(url, final_url, status_code, body, headers, truncated, probe, pdf_pages, page)[0]


def examine(url: str, final_url: str, status_code: int, body: bytes, headers: Mapping[str, str],
            truncated: bool = False, probe=None, pdf_pages: int = 5, page: Page | None = None,
            enough: Sequence[Sequence[int]] = (), walled_site: bool = False
            ) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """(reason codes, years the content shows). Order matters: the first rule that explains the
    page wins, and only a page with nothing else wrong has its years read (None otherwise), so a
    sign-in page is never also judged for its year. `page` is `read(body, headers, pdf_pages)`
    when the caller has it already (the checker reads PDFs in a helper process); `enough` as in
    `html_years`; `walled_site`: the page is a consent wall alone (`wall_text`) and its site's
    home page is the same wall (Checker._walled_site): a wall in front of every page, at the
    item's own address."""
    if sign_in_url(final_url):
        return ("login_required",), None
    if platform_of(final_url):
        return ("unverifiable_platform",), None
    if page is None:
        page = read(body, headers, pdf_pages)
    if page.kind in ("pdf", "office") and sent_as_page(headers):
        return ("file_sent_as_page",), None
    if page.kind == "other" and failed_pdf(body, headers):
        return ("wrong_type",), None  # "Failed to load PDF document" in the assessor's browser
    if page.kind == "html" and binary_page(body, headers):
        return ("binary_page",), None  # gibberish in the browser: not "no 2566"
    if page.kind == "html" and (password_wall(page) or sign_in_redirect(url, final_url, page)):
        return ("admin_page" if back_office(url) else "login_required",), None  # the address the agency gave
    if page.kind == "html" and (walled_site or consent.interstitial(url, final_url, page.raw_html, _RETURN_TO,
                                                                    _shows_own, len(page.text))):
        return ("consent_wall",), None  # the item's page is behind the accept button: a look in a browser
    if firewall_page(page):
        return ("bot_blocked",), None  # the checker has asked again as a browser by now (Checker.check_async)
    shown_error = None
    if page.kind == "html":
        if errorpages.hosting_page(page.text, page.title, page.headings):
            return ("hosting_page",), None  # before the probe's "not found": the host shows it for every path
        if errorpages.defaced(page.text, page.title, page.headings):
            return ("defaced_page",), None  # not "no 2566": the site's own pages are gone
        if errorpages.gambling(page.text, page.title, page.headings):
            return ("gambling_page",), None  # not "ok" by the year its spam names
        if (status := errorpages.status_page(page.text, page.title, page.headings, words=not promises_document(url))) \
                and not not_found_heading(page):
            return (status,), None  # a server's 403 or 5xx page sent with 200: not "no 2566"
        shown_error = errorpages.error_shown(page.text, page.title)
        if shown_error == "server_error_page":
            if not shows_or_links_file(page.raw_html):
                return (shown_error,), None
            # A short item page, its heading and its file, whose footer's widget died after it:
            # the browser shows the file's link or frame above the error (was broken).
            shown_error = "error_on_page"
    codes, years = _examined(url, final_url, body, truncated, probe, page, enough)
    if shown_error and codes[:1] == ("soft_404",) and not not_found_heading(page):
        # What every path shows is the template and the program's error (its header failing):
        # the site is down, not the link wrong.
        return ("server_error_page",), None
    if shown_error and codes[:1] != ("soft_404",):
        codes = (shown_error,) + codes  # a widget's failure in a page that shows more
    if page.garbled and status_of(codes) in (Status.OK, Status.WARNING):
        codes = ("garbled_text",) + codes  # it opens, and its Thai is gibberish in the assessor's browser
    return codes, years


def _examined(url: str, final_url: str, body: bytes, truncated: bool, probe, page: Page,
              enough: Sequence[Sequence[int]]) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """`examine` for a page read, past the rules that take the whole answer for another's."""
    if promises_document(url) and not truncated:
        # A page that shows the file (a CMS's file page embedding it, PDF.js given it) opens it
        # for the assessor too; an error page, or one embedding a frame of something else, does not.
        if len(body) < TINY_BODY or (page.kind == "html" and not _shows_a_file(page, final_url)):
            return ("wrong_type",), None
    if not body and not truncated:
        # Nothing at all came back (a site that hangs up mid-answer, a 204) where no document was
        # promised: whatever the headers said, the assessor sees a blank page. Not `ok`, and not
        # proof of a broken link.
        return ("empty_page",), None
    if page.kind in ("html", "text") and bare_not_found(url, page, body):
        return ("soft_404",), None  # a download script's "no such file": not an empty page, nor "no 2566"
    if page.kind == "html":
        if not_found_heading(page) or redirected_to_not_found(url, final_url):
            return ("soft_404",), None
        # Drive and the like draw their pages with scripts too (PDF.js as well); their files are read instead.
        shell = script_shell(page, body) and not _shows_a_file(page, final_url)
        if not shell and soft_404_by_probe(url, final_url, page, probe):
            # The site's answer for any path (a shell's site answers every path with the same
            # shell); a maintenance notice there says the site is closed, not the link wrong.
            return ("site_maintenance" if maintenance_page(page) else "soft_404",), None
        if len(page.text) < MIN_TEXT and not _shows_a_file(page, final_url):
            if _EMBED.search(page.raw_html) or _META_REFRESH.search(page.raw_html):
                # An embedded document or image, or a refresh to elsewhere: nothing to read here
                # but the embedded documents' text, where the checker read it.
                if page.files_trouble:
                    return (page.files_trouble,), None
                if page.document == "":
                    # shown, none read: a picture alone, a scanned file (a look by hand where the
                    # item asks for a year, as for a longer page of pictures)
                    return ("unverifiable_content",), None
                return (), years_in(page.document) if page.document else None
            if not shell:
                return ("empty_page",), None
        if shell and not truncated:
            years = years_in(page.text)
            return ((), years) if years else (("script_page",), None)
    if page.kind == "pdf":
        if not page.pdf_readable:
            # Cut off by max_body_bytes proves nothing; a whole file PDFium cannot open may not
            # open for the assessor either: a warning, where a scan (no text) is fine.
            if truncated:
                return (), None
            if pdftext.wants_password(body):
                return ("pdf_password",), None  # the assessor's viewer asks for a password they do not have
            return ("unverifiable_content", "pdf_unreadable"), None
        if not page.text:
            return ("unverifiable_content",), None
    if page.kind == "office" and not page.text:
        return ("unverifiable_content",), None  # an old binary format, a protected file: a look by hand
    if page.kind == "html" and page.document is None and \
            (shown := placeholder.notice(page.text, page.raw_html, page.title, page.headings)):
        # a notice that the data is not there yet, is gone, or is not for this visitor: not "no 2566" or "ok"
        return (shown,), None
    if page.kind in ("html", "pdf", "office", "text") and not truncated:
        if page.kind == "html" and (page.document is not None or is_viewer(final_url)):
            return _shown_years(page, enough)
        if page.kind != "html":
            return (), years_in(page.text)
        years = html_years(page, enough)
        if not years and scripted.filled_by_script(page.raw_html, body):
            return ("script_page",), None  # its list comes to the browser, not here: a look by hand
        if not years and page.document is None and postback_files(page.raw_html):
            # Its files come through ASP.NET's postbacks (a GridView's "ดาวน์โหลด" buttons), which
            # the checker does not press: which year they show is not known. A look by hand.
            return ("unverifiable_content",), None
        if not years and page.listing and page.document is None and document_hrefs(page.raw_html):
            # A folder of more files than are read for a page (check/linked.py), their names
            # without a year: which holds the item is not known here. A look by hand, not "no 2566".
            return ("unverifiable_content",), None
        return (), years
    if page.kind == "other" and not truncated:
        # An infographic's image, a .zip or .rar of files: it opens, but what year it shows is
        # not read. "ok" alone said it was checked; last year's chart passed silently.
        return ("unverifiable_content",), None
    return (), None


def file_not_found(error: str | None, status_code: int | None, body: bytes, headers: Mapping[str, str]) -> bool:
    """A file's address answered that there is no such file: 404 or 410, a page of the site
    headed "not found" (a CMS's download script for a deleted file), or text sent as the PDF
    (`failed_pdf`: the script's error, which the browser's viewer fails to load). Never a timeout,
    a refusal (403: a hotlink rule may refuse us and not a browser) or a 5xx, which say nothing of
    the file.

    >>> file_not_found(None, 404, b"", {}), file_not_found(None, 403, b"", {}), file_not_found("timeout", None, b"", {})
    (True, False, False)
    >>> file_not_found(None, 200, "<title>ไม่พบหน้าที่ต้องการ</title>".encode(), {"Content-Type": "text/html"})
    True
    """
    if error is not None or status_code is None:
        return False
    if status_code in SHOWN_DESPITE:
        return True
    if 200 <= status_code < 300 and failed_pdf(body, headers):
        return True
    if not (200 <= status_code < 300 and is_html(body, headers)):
        return False
    page = read_html(body, headers)
    return not_found_heading(page) or _in_headings(page, _FILE_NOT_FOUND)


def _shows_a_file(page: Page, final_url: str) -> bool:
    """A page that is there to show a file: a Drive-like viewer, or one whose file came (PDF.js given it, a CMS's file page)."""
    return page.shows_file or is_viewer(final_url)


def _shown_years(page: Page, enough: Sequence[Sequence[int]] = ()) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """The years of a page that shows files: a Drive-like viewer (a file's viewer, a folder, a
    sheet), whose page scripts draw and carries little more than a name, or a page embedding
    documents (sheets_sync.check.documents). Its own years and those of the files' text where it
    was read. When neither shows a year and no file could be read (a scan, a viewer's file not
    fetched), they may well show it: a look by hand (`unverifiable_content`), never "no 2566"."""
    years = set(html_years(page, enough))
    if (page.document or page.files_trouble) and (beside := years_beside_file_links(page, enough)) is not None:
        # read for its files because its links' text alone named the year: the files speak, when
        # they were read or are missing (scans that open keep the links' word for their year)
        years = set(beside)
    years |= set(years_in(page.document or ""))
    if not years and not page.document:
        return (page.files_trouble or "unverifiable_content",), None
    return (), tuple(sorted(years))


# A post's date as a CMS prints it beside the post ("โพสต์เมื่อ 12 มกราคม 2566", "Posted on 12/01/2023",
# WordPress's <time class="entry-date">): when the post was put up, not the year of what it holds.
_POSTED = re.compile(r"(?:โพสต์|โพสท์|เผยแพร่)\s*(?:เมื่อ|วันที่)\s*(?:วันที่)?\s*:?|(?:posted|published)\s+(?:on\s+)?",
                     re.I)
_POSTED_SIGNS = ("โพสต์", "โพสท์", "เผยแพร่เมื่อ", "เผยแพร่วันที่", "osted", "ublished", "<time")
_POSTED_DATE = 40  # characters after the words where the date's year is
_TIME_ELEMENT = re.compile(r"<time\b[^<>]*>([^<]{0,80})</time", re.I)
# An item's title naming its year: "ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2565", "แผน ... ประจำปีงบประมาณ พ.ศ. 2565"
_TITLE_YEAR = re.compile(r"ประจำปี\s*(?:งบประมาณ)?\s*(?:พ\.\s?ศ\.)?\s*[0-9๐-๙]{4}")


def without_post_date(years: tuple[int, ...], page: Page) -> tuple[int, ...]:
    """`years` without those only the post's date shows, on a page of one post whose heading names
    its year ("ประกาศเจตนารมณ์ No Gift Policy ประจำปี 2565", posted "12 มกราคม 2566"): last year's
    announcement put up again this year was `ok` by the day it was posted. Any doubt keeps them:
    a page of several dates (a list of posts), a heading without "ประจำปี" and its year, a year the
    page's other text or its files show.

    >>> page = read_html("<h1>No Gift Policy ประจำปี 2565</h1><span>โพสต์เมื่อ 12 มกราคม 2566</span>"
    ...                  "<p>ประกาศเจตนารมณ์ ประจำปี 2565</p>".encode(), {})
    >>> without_post_date((2565, 2566), page), without_post_date((2566,), read_html(b"<h1>News</h1><time>2023</time>", {}))
    ((2565,), (2566,))
    """
    if page.kind != "html" or len(years) < 2 or not any(sign in page.raw_html for sign in _POSTED_SIGNS):
        return years
    dated = [h for h in page.headings if years_in(h)]
    if not dated or not _TITLE_YEAR.search(dated[0]):
        return years
    found = [_up_to_year(page.text[m.start():m.end() + _POSTED_DATE]) for m in _POSTED.finditer(page.text)]
    found += [_up_to_year(text_of(m.group(1))) for m in _TIME_ELEMENT.finditer(page.raw_html)]
    spans = {span for span in found if span}
    spans = {span for span in spans if not any(span != other and span in other for other in spans)}
    if len(spans) != 1:
        return years  # no date, or several: a list of posts, whose dates are its own
    span = spans.pop()
    rest = page.text.replace(span, " ", 1) if span in page.text else page.text
    kept = set(years_in(rest)) | set(years_in(page.document or ""))
    if not set(years_in(dated[0])) & kept:
        return years
    return tuple(y for y in years if y in kept or y not in years_in(span))


def _up_to_year(text: str) -> str:
    """`text` up to the end of the first year it shows ("โพสต์เมื่อ 12 มกราคม 2566"), "" without one."""
    for m in re.finditer("[0-9๐-๙]+", text):
        if years_in(text[:m.end()]):
            return text[:m.end()]
    return ""


def unread_content(page: Page, final_url: str) -> str | None:
    """What a page says for want of a year of its own when its content was not read: the
    reason `examine` gives such a page that shows no year (`unverifiable_content`: a scan shown
    or linked, pictures of its pages, a Drive-like viewer, files behind ASP.NET postbacks, a
    folder of more files than are read; or its files' trouble, `linked_file_missing` ...), or
    None for a page whose content is its text. Asked of a page whose only years are its site's
    template's (classify): "© 2566" in the footer says nothing of a scan's year, so the page is
    a look by hand as it is on a site whose footer shows none, never `year_only_in_template`."""
    if page.kind != "html":
        return None
    if page.document is not None or is_viewer(final_url):
        return None if page.document else (page.files_trouble or "unverifiable_content")
    if postback_files(page.raw_html) or (page.listing and document_hrefs(page.raw_html)):
        return "unverifiable_content"
    return None


def is_drive(url: str) -> bool:
    """A Google Drive or Docs address (its pages are viewers, and private files a sign-in)."""
    return host_of(url) in DRIVE_HOSTS


def is_viewer(url: str) -> bool:
    """A file-sharing page drawn by scripts: Drive and Docs, OneDrive, SharePoint, Dropbox."""
    return _viewer_host(host_of(url))


@lru_cache(maxsize=4096)  # asked several times per check (~1 % of the checker's CPU), for a few hundred hosts
def _viewer_host(host: str) -> bool:
    return host in DRIVE_HOSTS or host_under(host, VIEWER_DOMAINS)
