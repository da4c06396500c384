"""A cookie-consent (PDPA) interstitial an item's address is sent on to: not the item's page. Pure.

Some agencies' sites send a visitor without their consent cookie from any page to a consent page
("/consent?next=%2Fo10", "/pdpa.php?returnUrl=..."), or to a page of the site that shows the
consent banner and nothing else; the item's page comes after the accept button, which sets the
cookie (a script, or a form posted). Read as the item's page, its template's 2566 (a footer's
copyright) passed it as "ok", or as "only the template shows 2566" where the template was told:
either way a verdict on a page the assessor does not stop at. It is a look by hand instead
(`content.examine` gives `consent_wall`: open it in a browser, accept, look). A page of the agency's that shows
a banner beside content of its own, and a page on cookies linked as itself (an O10 privacy
policy), are pages as before.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

from sheets_sync.check.template import closed_end, text_of, without_named_parts, without_parts

_NAMES = r"cookie|consent|pdpa|gdpr"
# A consent page by its address: a path segment naming consent ("/consent", "/cookie-consent",
# "pdpa.php"); with a query that says where to come back to (content.sign_in_redirect's RETURN_TO).
_CONSENT_PATH = re.compile(rf"(?:^|/)[\w.-]*(?:{_NAMES})[\w.-]*/?$", re.I)
# What a consent wall says, and its accept control: a button, a link or a submit input whose
# text starts with accepting ("ยอมรับทั้งหมด", "ยินยอม", "Accept all", "I agree").
_WORDS = re.compile(r"คุกกี้|cookie|ความยินยอม|consent|pdpa|ข้อมูลส่วนบุคคล", re.I)
_ACCEPT_WORDS = r"ยอมรับ|ยินยอม|ตกลง|อนุญาต|accept|agree|i\s+agree|allow"
_ACCEPT = re.compile(rf"<(?:button|a)\b[^<>]*>(?:\s|<[^<>]*>)*(?:{_ACCEPT_WORDS})"
                     rf"|<input\b[^<>]*\bvalue\s*=\s*[\"']?\s*(?:{_ACCEPT_WORDS})", re.I)
# The banner's element: a start tag whose class or id names consent ("cookie-banner", "pdpa-consent").
_BANNER = re.compile(rf"<([a-z][a-z0-9]*)\b[^<>]*?\b(?:class|id)\s*=\s*[\"']?[^\"'<>]*?(?:{_NAMES})[^<>]*>", re.I)
MAX_BANNERS = 4  # consent elements taken out (a banner, its settings dialog): each a scan to its end
BANNER_TEXT = 2000  # characters: a banner and its settings say less; an element of more is a wrapper
_NEVER = frozenset({"html", "body", "main", "article"})
# Characters of text beside the banner and the template (menus, header, footer, the title) below
# which the banner is all the page shows: content.MIN_OWN_TEXT, the least text of a page of its own.
OWN_TEXT = 100
WALL_TEXT = 4000  # characters of a page's visible text: a wall's menus and banner say less (content.FIREWALL_PAGE)


def interstitial(url: str, final_url: str, raw_html: str, return_to: re.Pattern,
                 shows=lambda markup: False, text_length: int = 0) -> bool:
    """Whether the agency's address `url` was sent on (a redirect or refresh) to a consent wall at
    `final_url`: an accept control and consent wording, at an address that names consent and says
    where to come back to (`return_to` reads its query), or at another path with a banner (an
    element named for consent) that holds the accept control, next to no text beside it and the
    template, and nothing that `shows` holds shown there (a file in a frame, a picture: an item page
    may be a heading and its PDF). A search box's "ตกลง" beside the footer's link to the agency's
    "นโยบายคุ้มครองข้อมูลส่วนบุคคล" is no wall.
    `text_length`: of the page's visible text; a page of more than WALL_TEXT is no wall (and is
    not taken apart to know: ~15 ms for a 70 KB page).

    >>> wall = ("<title>Cookies</title><div class='cookie-consent'><p>เว็บไซต์นี้ใช้คุกกี้</p>"
    ...         "<button>ยอมรับทั้งหมด</button></div><footer>© 2566</footer>")
    >>> back = re.compile(r"(?:^|&)next=")
    >>> interstitial("http://a.go.th/o10", "http://a.go.th/consent?next=%2Fo10", wall, back)
    True
    >>> interstitial("http://a.go.th/o10", "http://a.go.th/welcome", wall, back)
    True
    >>> interstitial("http://a.go.th/o10", "http://a.go.th/welcome", wall.replace("cookie-consent", "x"), back)
    False
    >>> interstitial("http://a.go.th/o10", "http://a.go.th/o10", wall, back)  # typed as itself
    False
    >>> interstitial("http://a.go.th/o10", "https://a.go.th/o10/", wall, back)  # itself, over https
    False
    >>> page = wall.replace("</div>", "</div><main><p>" + "แผนการดำเนินงาน ประจำปี 2566 " * 5 + "</p></main>")
    >>> interstitial("http://a.go.th/o10", "http://a.go.th/content/o10", page, back)
    False
    """
    if urldefrag(url)[0] == urldefrag(final_url)[0]:
        return False  # a page typed as itself is the agency's choice: judged as a page
    if not _ACCEPT.search(raw_html) or not _WORDS.search(raw_html):
        return False
    try:
        parts = urlsplit(final_url)
    except ValueError:
        return False
    if _CONSENT_PATH.search(parts.path) and return_to.search(parts.query):
        return True
    if _same_path(url, parts.path):
        return False  # (the page itself at its trailing slash or over https: a short page with a banner)
    own = _beside_banner(raw_html, text_length)
    return own is not None and len(text_of(own)) < OWN_TEXT and not shows(own)


def wall_text(raw_html: str, text: str, shows=lambda markup: False) -> str | None:
    """What a page (of visible `text`) shows beside its consent banner (an element named for
    consent holding the accept control, consent wording in its text) and its template, when that
    is next to nothing (under OWN_TEXT characters, its title's included, nothing `shows` holds
    shown, no link of its own: a splash page's "เข้าสู่เว็บไซต์" is content); None for any other
    page. At the item's own address such a page is a wall in front of every page, or an item page
    left empty on a site with a banner on every page: the site's home page tells them (a wall shows
    there too, the same; an emptied page's site shows its home page, and the page its own title:
    Checker._walled_site).

    >>> wall = ("<title>Cookies</title><div class='cookie-consent'><p>เว็บไซต์นี้ใช้คุกกี้</p>"
    ...         "<button>ยอมรับทั้งหมด</button></div><footer>© 2566</footer>")
    >>> wall_text(wall, text_of(wall)), wall_text(wall, "© 2566")  # no consent wording shown
    ('Cookies', None)
    >>> splash = wall.replace("</div>", "</div><p><a href='/main'>เข้าสู่เว็บไซต์</a></p>")
    >>> wall_text(splash, text_of(splash))
    >>> heading = wall.replace("</div>", "</div><main><h2>แผนการดำเนินงาน</h2></main>")
    >>> wall_text(heading, text_of(heading))
    'Cookies แผนการดำเนินงาน'
    """
    if len(text) > WALL_TEXT or not any(word in text for word in _SHOWN_WORDS):
        return None  # (asked of every page: a few finds in its text, of under 4,000 characters)
    own = _beside_banner(raw_html, len(text))
    if own is None or shows(own) or _LINK.search(own):
        return None
    text = text_of(own)
    return text if len(text) < OWN_TEXT else None


_LINK = re.compile(r"<a\b[^<>]*\bhref\s*=", re.I)
# Consent wording a wall shows (`_WORDS`), found in a page's visible text by str.find: a case-blind
# pattern's scan cost ~27 ns a character of Thai, ~0.35 ms a 12 KB page without any of them.
_SHOWN_WORDS = ("คุกกี้", "ookie", "OOKIE", "ความยินยอม", "onsent", "ONSENT", "pdpa", "PDPA")


def _beside_banner(raw_html: str, text_length: int) -> str | None:
    """What a page with a consent banner holding its accept control shows beside that banner and
    its template (menus, header, footer); None when it has no such banner, or more text than a
    wall (WALL_TEXT: not taken apart to know)."""
    if text_length > WALL_TEXT:
        return None
    rest, banners = _without_banners(raw_html)
    if not any(_ACCEPT.search(b) for b in banners):
        return None
    return without_named_parts(without_parts(rest))


def _same_path(url: str, path: str) -> bool:
    """Whether `url`'s path is `path`, but for a trailing slash."""
    try:
        return urlsplit(url).path.rstrip("/") == path.rstrip("/")
    except ValueError:
        return False


def _without_banners(markup: str) -> tuple[str, list[str]]:
    """`markup` without its consent elements (their contents too), and those elements. Not <html>,
    <body>, <main> or <article> (a consent plugin marks the body "cookie-consent-active"), one left
    unclosed, nor a wrapper of more text than a banner has: the page's own content stays."""
    at, out, banners = 0, [], []
    for _ in range(MAX_BANNERS):
        m = _BANNER.search(markup, at)
        if m is None:
            break
        tag = m.group(1).lower()
        end = None if tag in _NEVER else closed_end(markup, m.start(), tag)
        if end is None or len(text_of(markup[m.start():end])) > BANNER_TEXT:
            out.append(markup[at:m.end()])
            at = m.end()
            continue
        out.append(markup[at:m.start()])
        banners.append(markup[m.start():end])
        at = end
    return "".join(out) + markup[at:], banners
