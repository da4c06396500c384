"""One URL as typed: where it starts and ends in a cell's text, and what a browser requests for it.

Pure. `read_piece` turns one piece of a cell (a reading, `collect/readings.py`) into a `Candidate`,
with the warnings the text as typed earns (missing_scheme, scheme_slashes, wrapped_link,
truncated_link, ...); the patterns here are the shapes the other stages of a cell's reading look for.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs

import ada_url


@dataclass(frozen=True)
class Candidate:
    """One reading of a URL in a cell: what the check stage requests, or why it cannot."""

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


# TLDs that make a scheme-less "x.go.th/..." a host, while "report.pdf" or "ข้อ 1.2" stay plain text.
# A Thai name is a host too ("ลำพูน.go.th/ita", "ลำพูน.ไทย"): typed without a scheme it was `malformed`,
# a working link called invalid. A label is all Thai or all ASCII, so "ข้อมูลwww.x.go.th" keeps its label.
_TLDS = "th|com|net|org|info|biz|io|me|be|ly|gl|co|app|site|online|gov|edu|asia|cc|xyz|page|dev|link|tv|xn--o3cw4h|ไทย"
# "／／" before one is how `repairs.full_width_schemes` writes a host read in ASCII from a full-width "/" after
# it ("www.x.go.th／ｏ１"): `check_piece` warns, as for a full-width scheme.
BARE_HOST = (r"(?<![A-Za-z0-9.@/_-])(?://|／／)?(?:(?:[A-Za-z0-9_-]+|[\u0e00-\u0e7f0-9-]+)\.)+"
             rf"(?:{_TLDS})\.?")
_BARE = BARE_HOST + r"(?=[:/?#]|\W*$)"
BARE_RE = re.compile(_BARE, re.I)
# A web scheme as typed in full width ("ｈｔｔｐｓ", the input method left in full-width mode), and any web
# scheme: the start patterns of urls, readings and repairs name it so.
WIDE_SCHEME = r"[ｈＨ][ｔＴ]{2}[ｐＰ][ｓＳ]?"
WEB_SCHEME = rf"(?:https?|{WIDE_SCHEME})"
# Where a URL starts inside a whitespace-free token; text before it is a label ("ลิงก์:"). A named scheme
# without // needs text after the colon, so a label such as "Data:" or "File:" stays a label.
# A web scheme glued after a label's letter or digit ("O1https://…", "ข้อ1https://…", an item's number typed
# before the link pasted) starts the link: no other scheme ends in "http" or "https", and read as one, "O1https"
# was a scheme (bad_scheme, a working link called invalid) and after a digit the label took "https:".
START_RE = re.compile(
    r"(?<![A-Za-z0-9+.-])(?![A-Za-z0-9+.-]+https?://)[A-Za-z][A-Za-z0-9+.-]*://"  # any scheme with // (ftp://, file://)
    rf"|{WEB_SCHEME}:?(?={WEB_SCHEME}:(?=.))"  # "httpshttps://…": a scheme typed before the link was
    # pasted, after a label too, either in full-width letters too (`check_piece`); with the slashes a browser
    # forgives ("httpshttps:/…", as "https:/…" is read) and before a full-width link ("httpsｈｔｔｐｓ：／／…")
    r"|(?<=[A-Za-z0-9+.-])https?://"
    r"|(?<![A-Za-z0-9+.-])(?:javascript|vbscript|data|mailto|file|tel|ftp):(?!https?:|www\.)(?=.)"
    r"|(?<![A-Za-z0-9+.-])https?:(?!https?:)(?=.)"  # "https:www.x.go.th" is an https link: as a browser reads it
    rf"|(?<![A-Za-z0-9+.-]){WIDE_SCHEME}:(?=.)"  # typed in full width (`repairs.full_width_schemes`)
    rf"|(?<=[A-Za-z0-9+.-]){WIDE_SCHEME}://"
    rf"|{_BARE}", re.I)
# Full-width and CJK brackets too ("（https://…）", "【…】" from a Thai IME or a LINE note): kept, they
# went into the path ("…/o1%EF%BC%89") and a working link was checked as a broken one. So did a full stop,
# "!", "?", ":", a quote or ">" typed in full width after a pasted link (the input method in full-width mode).
_TRAIL = ".,;:!?'\"“”‘’«»>›)]}、，。）］｝】」』〕〉》．！？：＂＇＞"
OPENER = {")": "(", "]": "[", "}": "{", "）": "（", "］": "［", "｝": "｛", "】": "【", "」": "「", "』": "『",
          "〕": "〔", "〉": "〈", "》": "《"}
# A file name's end ("2565.pdf", "(1).pdf", a query or fragment after it): words after a space that end
# one carry on a path. "พ.ศ." or "ข้อ 1.2" are not file names.
EXT = r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|csv|txt|rtf|jpe?g|png|gif|zip|rar|7z|html?|php|aspx?|jsp|mp4)"
FILE_END_RE = re.compile(EXT + r"(?:[?#]\S*)?$", re.I)
# Thai letters and marks, as the inside of a character class: a Thai word glued to a link, a Thai host.
THAI = "\u0e00-\u0e7f"
# Names that mean this machine (RFC 6761): valid to type, and the address guard blocks them as loopback.
LOCAL_NAMES = ("localhost",)
# Where a space after a "/" was read away (`readings._space_wrapped`): the reading says so (`space_in_path`), as
# typed the link is "…/%20O1.pdf", which the assessor would be given and which does not open.
SPACE_JOINED = "\x07"


def read_piece(piece: str, max_length: int) -> Candidate:
    """One reading of a URL: too_long over `max_length` (a browser's and ITAS's limit is per URL;
    a cell of several links over it was too_long as a whole, each working link called invalid)."""
    joined = SPACE_JOINED in piece
    piece = piece.replace(SPACE_JOINED, "")
    if len(piece) > max_length:
        return Candidate(piece, None, ("too_long",))
    url, reasons = check_piece(piece)
    return Candidate(piece, url, (*reasons, "space_in_path") if joined and url else reasons)


def trim(piece: str) -> str:
    """Drops punctuation people put after a URL; keeps a closing bracket that has its opener."""
    while piece and piece[-1] in _TRAIL:
        opener = OPENER.get(piece[-1])
        if opener and piece.count(opener) >= piece.count(piece[-1]):
            break
        piece = piece[:-1]
    return piece


def check_piece(piece: str) -> tuple[str | None, tuple[str, ...]]:
    """One URL as typed -> (URL to fetch or None, validation reasons)."""
    if m := re.match(rf"(?:{WEB_SCHEME}(?={WEB_SCHEME}:))?({WEB_SCHEME}):([/\\]*)", piece, re.I):
        # "http:/x.go.th", "https:\\x.go.th", "http:x.go.th": a browser's address bar opens them all
        # (WHATWG: slashes after a web scheme are optional), so they are checked; but as a link on
        # an https page such as ITAS, "https:/x" resolves to a path on that page's own site, and so
        # does "ｈｔｔｐｓ://x" (full-width letters are no scheme to a browser).
        scheme, rest = unicodedata.normalize("NFKC", m[1]).lower(), piece[m.end():]
        # ("httpshttps://x.go.th": a scheme typed, then the link pasted after it with no "://" between, a
        # scheme "httpshttps" to a browser, as "https://https://" is a site named "https")
        reasons = () if m[2] == "//" and m[1].isascii() and not m.start(1) else ("scheme_slashes",)
        if re.match(r"https?:", rest, re.I):
            # "https://https://x.go.th/o1": a link pasted after a scheme typed first. The inner link is
            # meant (it was malformed); as typed a browser looks for a site named "https", hence the warning.
            url, inner = check_piece(rest)
            return url, tuple(dict.fromkeys((*inner, "scheme_slashes"))) if url else inner
    elif piece.startswith("//") or BARE_RE.match(piece):
        # "／／www.x.go.th/o1" (`BARE_HOST`): typed "www.x.go.th／ｏ１", which no browser opens, with a scheme added either
        wide = piece.startswith("／／")
        scheme, rest = "http", piece[2:] if wide else piece.removeprefix("//")
        reasons = ("missing_scheme", "scheme_slashes") if wide else ("missing_scheme",)
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
        inner_url, inner_reasons = check_piece(inner)
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
