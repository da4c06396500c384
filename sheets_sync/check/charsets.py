"""Which character set a browser reads a page in, and whether its Thai then shows as gibberish
("ภาษาต่างดาว"). Pure.

A browser takes a page's character set from, in order (WHATWG Encoding, "determine the
character encoding"): a byte-order mark, the server's Content-Type header, the page's own
<meta charset>; only with none of them does it guess from the bytes. The checker reads a
page in whichever set its bytes decode in (content.decode, from the names and marks read
here), so that its rules see the words; a browser does not. Two set-ups show an agency's page
as gibberish to the assessor while the page itself is fine:
- a server that names UTF-8 for every page (Apache's `AddDefaultCharset UTF-8`, the default
  on CentOS and RHEL) serving the old TIS-620 pages of a site moved onto it: every Thai letter
  becomes "�";
- a server or page that names TIS-620 (windows-874), or ISO-8859-1, for a page saved in UTF-8:
  "เธ�เธฒเธฃ" for "การ".
Read in the bytes' own set, such a page was "ok" by its year.
"""

from __future__ import annotations

import codecs
import re
from itertools import islice
from typing import Mapping

# Thai letters a page must show, read in its bytes' own set, for its gibberish to matter: a
# "©" or an accented name in a UTF-8 page served as ISO-8859-1 is one wrong character, no more.
MIN_THAI = 20

# WHATWG labels of the three sets that matter here, as the encoding each stands for.
_LABELS = {
    **dict.fromkeys(("utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"),
                    "utf-8"),
    **dict.fromkeys(("windows-874", "tis-620", "tis620", "iso-8859-11", "iso8859-11", "iso885911", "dos-874",
                     "iso-ir-166", "cp874", "x-cp874"), "windows-874"),
    **dict.fromkeys(("windows-1252", "iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1", "latin1", "l1", "us-ascii",
                     "ascii", "cp1252", "cp819", "ibm819", "x-cp1252", "iso-ir-100", "csisolatin1"), "windows-1252"),
}
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
# A browser's prescan reads the first 1024 bytes for a <meta> that names the set, and its parser
# still changes to one met later while the set was a guess: the first META_BYTES.
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
META_BYTES = 4096
# Byte-order marks and the codecs they name: a mark wins over any name, in browsers.
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
BOM_MARKS = tuple(mark for mark, _ in BOMS)
_THAI = re.compile("[\u0e01-\u0e5b]")


def label(name: str) -> str | None:
    """The encoding a charset label stands for, as a browser reads it; None for a label it does
    not know (ignored: the next source is asked).

    >>> label("TIS-620"), label("ISO-8859-1"), label(" utf8 "), label("x-made-up"), label("base64")
    ('windows-874', 'windows-1252', 'utf-8', None, None)
    """
    name = name.strip().lower()
    if name in _LABELS:
        return _LABELS[name]
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # Python's base64, rot13, zip ... are codecs, not character sets: no browser knows them.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def python_codec(name: str) -> str:
    """The Python codec to decode a charset label with: cp874 for every label of Thai
    Windows-874 (Python knows it by no other name: "windows-874" is a LookupError), else the
    label as written.

    >>> python_codec("TIS-620"), python_codec("windows-874"), python_codec("UTF-8")
    ('cp874', 'cp874', 'UTF-8')
    """
    return "cp874" if label(name) == "windows-874" else name


def declared(body: bytes, headers: Mapping[str, str]) -> str | None:
    """The set a browser reads `body` in when something names it: the Content-Type header's
    charset, else the page's <meta>; None when nothing does (a byte-order mark, checked by the
    caller, or a guess from the bytes)."""
    # (the first charset parameter is the header's, as WHATWG's MIME type parsing keeps it)
    found = HEADER_CHARSET.search(headers.get("Content-Type") or "")
    if found and (name := label(found.group(1))):
        return name
    meta = META_CHARSET.search(body[:META_BYTES])
    return label(meta.group(1).decode("ascii", "ignore")) if meta else None


def actual(body: bytes) -> str | None:
    """The set `body`'s bytes are in: "utf-8" when they decode as UTF-8 (a multi-byte letter cut
    off at the end, as a body read in part may be, does not count against it), else
    "windows-874" when they decode as Thai Windows-874, else None (a mix of both, or neither)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        body.decode("cp874")
        return "windows-874"
    except UnicodeDecodeError:
        return None


def garbled(body: bytes, headers: Mapping[str, str], read_as: str | None = None) -> bool:
    """Whether a browser shows the page's Thai as gibberish: the set named for it is not the
    one its bytes are in, and it has Thai to show. `read_as`: a codec the whole body decoded in
    strictly already (content.decoded), which spares decoding it again where that settles it.

    >>> page = ("<p>" + "แผนการดำเนินงาน ประจำปีงบประมาณ 2566 " * 3 + "</p>").encode("tis-620")
    >>> garbled(page, {"Content-Type": "text/html; charset=UTF-8"})
    True
    >>> garbled(page, {"Content-Type": "text/html; charset=TIS-620"}), garbled(page, {})
    (False, False)
    """
    if body.isascii() or body.startswith(BOM_MARKS):
        return False
    named = declared(body, headers)
    if named is None:
        return False  # nothing names it: the browser guesses from the bytes as the checker does
    # A strict UTF-8 or Windows-874 reading is the bytes' own set (Thai in UTF-8 always has bytes
    # Windows-874 lacks); a single-byte set such as ISO-8859-1 takes any bytes, so it says nothing.
    real = label(read_as) if read_as else None
    if real not in ("utf-8", "windows-874"):
        real = actual(body)
    if real is None or real == named:
        return False
    text = body.decode("utf-8", "ignore") if real == "utf-8" else body.decode("cp874")
    return sum(1 for _ in islice(_THAI.finditer(text), MIN_THAI)) >= MIN_THAI
