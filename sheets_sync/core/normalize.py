"""Normalising what people type: Thai digits, item codes, district spellings. Pure functions."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Mapping
from urllib.parse import urlsplit

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# An item code typed with an input method left in full-width mode ("Ｏ５", "Ｏ０５"): the full-width
# forms of ASCII (U+FF01..U+FF5E) read as ASCII, and only those (NFKC would also change Thai and
# other letters a code never holds, "ข้อ" included)
_FULL_WIDTH_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
# Copy-paste from Word, LINE and browsers brings invisible characters along: these are drawn as
# nothing (zero-width space, joiners, word joiner, BOM, soft hyphen; check/template.text_of drops
# them from a page's text too); NBSP is a space in disguise. NUL goes too (the collector uses it
# as a private marker).
DRAWN_AS_NOTHING = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = {**dict.fromkeys(map(ord, DRAWN_AS_NOTHING + "\0")), 0xA0: " ", 0x202F: " ",
              # blank-looking letters and marks that str.strip() keeps (braille blank, Hangul fillers,
              # Mongolian vowel separator, invisible operators): a cell of them is an empty cell
              **dict.fromkeys(map(ord, "\u2800\u3164\u115f\u1160\uffa0\u180e\u2061\u2062\u2063\u2064"), " "),
              # bidi marks, embeddings and isolates (LRM, RLM, LRE..RLO, LRI..PDI) and emoji variation
              # selectors: a URL copied from LINE, a PDF or a right-to-left-aware editor carries them at its
              # ends, and kept they went into the path ("…/o1%E2%80%8E"): a working link read as broken
              **dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                       "\ufe0e\ufe0f"))}
# ("ข้อ 9", "ข้อที่ 9" of an agency's form; "5.0", a number typed in a cell formatted as text)
_ITEM_RE = re.compile(r"^\s*(?:ข้อ(?:ที่)?\s*)?[oOอ0๐]?\s*[-.]?\s*0*(\d{1,3})(?:\.0+)?\s*$")

# Lamphun's districts, in the province's own order (the summary's district table keeps it): the
# default province (LAMPHUN in sheets_sync/config/settings.py; another province is settings.yaml's `province:`).
LAMPHUN_DISTRICTS = ("เมืองลำพูน", "แม่ทา", "บ้านโฮ่ง", "ลี้", "ทุ่งหัวช้าง", "ป่าซาง", "บ้านธิ", "เวียงหนองล่อง")
# Official spelling on the right. Lamphun's seed writes บ้านโฮ้ง (mai tho for mai ek).
LAMPHUN_DISTRICT_ALIASES = {
    "บ้านโฮ้ง": "บ้านโฮ่ง",
}


def thai_digits_to_arabic(text: str) -> str:
    """Thai digits to ASCII digits.

    >>> thai_digits_to_arabic("๒๕๖๖")
    '2566'
    """
    return text.translate(_THAI_DIGITS)


def visible(text: str) -> str:
    """NFC text without the invisible characters copy-paste brings (NBSP becomes a space).

    >>> visible("https://x.go.th/\u200ba\u00a0b")
    'https://x.go.th/a b'
    """
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


def item_code(text: object) -> str | None:
    """The canonical item code (O1..O99) for what a person typed, or None.

    O1, O01, o1, ๐๑, ๐1, 1, "O 1", 1.0 and "Ｏ１" (full width) all mean O1. The seed writes codes
    in Thai digits with a leading zero that is really the letter O (๐๑๑ is O11).

    >>> [item_code(t) for t in ["O1", "O01", "o1", "๐๑", "1", "๐๑๑", "O43", "x"]]
    ['O1', 'O1', 'O1', 'O1', 'O1', 'O11', 'O43', None]
    >>> [item_code(t) for t in ["ข้อ 9", "ข้อที่ ๑๐", "5.0", "5.5", "ข้อมูล 9"]]
    ['O9', 'O10', 'O5', None, None]
    >>> [item_code(t) for t in ["Ｏ５", "Ｏ０５", "ｏ　５", "Ｘ５"]]
    ['O5', 'O5', 'O5', None]
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, float):
        if not text.is_integer():
            return None
        text = int(text)
    raw = unicodedata.normalize("NFC", thai_digits_to_arabic(str(text).translate(_FULL_WIDTH_ASCII))).strip()
    if not raw:
        return None
    # "011" in the seed means O11: a leading zero stands for the letter O
    if raw.isdigit() and len(raw) >= 2 and raw.startswith("0"):
        raw = raw[1:]
    m = _ITEM_RE.match(raw)
    if not m:
        return None
    number = int(m.group(1))
    return f"O{number}" if number > 0 else None


def district(text: str, aliases: Mapping[str, str] = LAMPHUN_DISTRICT_ALIASES) -> str:
    """The official spelling of a district name (trims and strips the อ./อำเภอ prefix), by a
    province's `aliases` (Province.district passes its own; Lamphun's when none are given).

    >>> district(" บ้านโฮ้ง "), district("อ.บ้านโฮ้ง", {})
    ('บ้านโฮ่ง', 'บ้านโฮ้ง')
    """
    name = unicodedata.normalize("NFC", (text or "").strip())
    for prefix in ("อำเภอ", "อ."):
        if name.startswith(prefix):
            name = name[len(prefix):].strip()
    return aliases.get(name, name)


_INDEX_PAGES = {"", "/index", "/index.php", "/index.html", "/index.htm", "/index.asp", "/index.aspx", "/index.jsp",
                "/index.shtml", "/default.asp", "/default.aspx", "/default.html", "/default.htm", "/default.php",
                "/home", "/home.php", "/home.html", "/home.htm", "/home.asp", "/home.aspx", "/home/index", "/main",
                "/main.php", "/main.html", "/main.htm", "/main.asp", "/main.aspx"}
# A multilingual site's home page in one language: WordPress's Polylang and WPML, Joomla's and
# Drupal's language prefixes ("/th/", "/en/index.php", "/th-th/").
_LANGUAGE_PREFIX = re.compile(r"^/(?:th|en|th-th|en-us|en-gb|zh|cn|ja|jp)(?=/|$)")


def is_homepage(url: str) -> bool:
    """A site's home page: no path beyond an index page, no query but a language or a tracking
    tag (`?lang=th`, `?fbclid=…` of a link shared on Facebook), no hash route.

    >>> is_homepage("https://a.go.th/index.php"), is_homepage("https://a.go.th/#/oit"), is_homepage("https://a.go.th/?p=1")
    (True, False, False)
    >>> is_homepage("https://a.go.th/?lang=th"), is_homepage("https://a.go.th/?fbclid=IwAR0x&utm_source=line")
    (True, True)
    >>> is_homepage("https://a.go.th/th/"), is_homepage("https://a.go.th/en/index.php"), is_homepage("https://a.go.th/th/o10")
    (True, True, False)
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if _asks_content(parts):
        return False
    path = parts.path.lower().rstrip("/")
    return path in _INDEX_PAGES or _LANGUAGE_PREFIX.sub("", path) in _INDEX_PAGES


def folder_index(url: str) -> str | None:
    """The folder ("/web/") when `url` is the index page of a folder just below the site's root
    (a site installed in a subfolder: "/web/", "/abt/index.php") and asks for no content; else None.

    >>> folder_index("https://a.go.th/web/"), folder_index("https://a.go.th/abt/index.php?lang=th")
    ('/web/', '/abt/')
    >>> folder_index("https://a.go.th/web/o10"), folder_index("https://a.go.th/"), folder_index("https://a.go.th/a/b/")
    (None, None, None)
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    segments = parts.path.split("/")  # "", the folder, its index page ("" for "/web/")
    if len(segments) != 3 or not segments[1] or _asks_content(parts):
        return None
    return f"/{segments[1]}/" if ("/" + segments[2].lower()).rstrip("/") in _INDEX_PAGES else None


def _asks_content(parts) -> bool:
    """A URL's query asks for content, or its fragment is a hash-routed site's page ("#/oit",
    "#!/oit"; "#top" is not)."""
    return _content_query(parts.query) or parts.fragment.startswith(("/", "!"))


_NOT_CONTENT = frozenset({"lang", "language", "hl", "fbclid", "gclid"})


def _content_query(query: str) -> bool:
    """Whether a query asks for content: any key besides a language or a tracking tag."""
    keys = (pair.partition("=")[0].lower() for pair in query.split("&") if pair)
    return any(k not in _NOT_CONTENT and not k.startswith("utm_") for k in keys)


@lru_cache(maxsize=8192)  # asked several times per URL by the checker's stages
def host_of(url: str) -> str:
    """The lower-case host name of a URL; '' when it has none or cannot be parsed.

    >>> host_of("https://WWW.Tapladuk.go.th:8080/x"), host_of("http://[::1")
    ('www.tapladuk.go.th', '')
    """
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def host_under(host: str, domains) -> bool:
    """`host` is one of `domains` or a subdomain of one (domains already lower case).

    >>> host_under("www.tapladuk.go.th", ("tapladuk.go.th",)), host_under("eviltapladuk.go.th", ("tapladuk.go.th",))
    (True, False)
    """
    host = (host or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains if d)

def parse_resolve(entries: Iterable[str]) -> dict[str, tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]]:
    """curl-style ``HOST:ADDR`` entries (ADDR may be IPv6, bracketed or not; HOST:PORT:ADDR is
    accepted and the port ignored) as host -> addresses. Repeating a host adds addresses. Hosts
    are keyed in the form the checker requests (`ascii_host`): a Thai name matches its punycode."""
    out: dict[str, list] = {}
    for entry in entries:
        entry = entry.strip()
        host, _, rest = entry.partition(":")
        parts = rest.split(":", 1)
        if len(parts) == 2 and parts[0].isdigit() and not rest.startswith("["):
            try:  # HOST:PORT:ADDR (curl's own form)
                ipaddress.ip_address(parts[1].strip("[]"))
                rest = parts[1]
            except ValueError:
                pass
        if not host or not rest:
            raise ValueError(f"not HOST:ADDRESS: {entry!r}")
        out.setdefault(ascii_host(host), []).append(ipaddress.ip_address(rest.strip("[]")))
    return {h: tuple(a) for h, a in out.items()}


def ascii_host(name: str) -> str:
    """A host name as the checker requests it: lower case, no trailing dot, Thai labels in IDNA
    (punycode), so `ลำพูน.go.th` and `xn--q3cju6cub7h.go.th` are one host. A name the IDNA codec
    refuses is returned lower-cased as is.

    >>> ascii_host("ลำพูน.GO.TH."), ascii_host("xn--q3cju6cub7h.go.th")
    ('xn--q3cju6cub7h.go.th', 'xn--q3cju6cub7h.go.th')
    """
    name = name.strip().lower().rstrip(".")
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")  # the codec the collector and config use
    except UnicodeError:
        return name
