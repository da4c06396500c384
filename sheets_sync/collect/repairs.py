"""The repaired readings of a URL's text: what a paste or an input method did to it, undone. Pure.

Each function takes the pieces a URL may be (`collect/readings.py`) and adds, after or before each, the
reading with one fault undone: a scheme or link typed in full width, a dash, dots or Thai glued after
the link, an office's abbreviation before a Thai host, "&amp;" in the query, a split sara am.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

from sheets_sync.collect import marks
from sheets_sync.collect.readings import BEFORE_LINK, LINE_BREAK, glued_start, joins
from sheets_sync.collect.urls import BARE_HOST, BARE_RE, EXT, FILE_END_RE, OPENER, THAI, WEB_SCHEME, Candidate, trim

# Thai glued to a URL with no space: after a file name it is a label ("…/o19.pdfข้อมูลปี 2566");
# after a letter or digit of a path it may be one too ("…/ita/o1ข้อมูลโครงสร้าง"), or a Thai slug.
# ... or a bracketed label ("…/o19.pdf(ข้อมูลปี 2566)"): no file name goes on past its extension,
# and a path word rarely runs into a bracket with Thai in it.
_GLUED_AFTER_FILE_RE = re.compile(EXT + f"(?=[{THAI}]|[(\\[（])", re.I)
_GLUED_RE = re.compile(f"(?<=[A-Za-z0-9])(?=[{THAI}]|[(\\[（][^)\\]）]*[{THAI}])")
# A closing bracket or quote glued to Thai ("(https://…/o1)ข้อมูลปี 2566", "“https://…/o1”ค่ะ", as Thai is
# written, without spaces): it closes what opened before the link, and what follows is a label. Went
# into the path: the link alone was never checked. A bracket the path opened itself ("…/ลำพูน_(จังหวัด)") is the path's.
_CLOSER_BEFORE_THAI = re.compile(f"[)\\]}}）］｝】」』〕〉》”’»\"](?=[{THAI}])")
# A label in guillemets or angle brackets glued after a link ("…/o1«ข้อมูล»", "…/o1＜หมายเหตุ＞", as "«https://…»"
# quotes a link, `readings._SEP_RE`): it went into the path, "…/o1%C2%AB…", a working link a 404. No
# path holds one as typed (a browser escapes it), so the link alone comes first and the text as typed second.
_OPENED_LABEL = re.compile("[«‹<＜]")
# ... in a query too ("…?id=12«ข้อมูล»", as after a path: it went into the query, another page), but not a "<",
# which may be the query's own ("?price<100"), nor a quote that opens a value ("?q=«ข้อมูล»", a quoted search)
_QUERY_LABEL = re.compile("(?<![?=&])[«‹＜]")
# "&amp;" in a query (or WordPress's "&#038;"): the page's HTML source of a link (or an e-mail's)
# copied instead of the address bar. A browser sends "&amp;" as typed, so the site reads
# "amp;id=12", and takes "&#038;..." for the start of a fragment: another page either way.
_ESCAPED_AMP = re.compile(r"&(?:amp|#0*38);", re.I)
_FRAGMENT = re.compile(r"(?<!&)#")  # where the fragment starts: a "#" that is not "&#038;"'s
# A web scheme typed with a Thai or CJK input method in full-width letters ("ｈｔｔｐｓ://", "ＨＴＴＰＳ：／／"):
# it was taken for a label before a host without a scheme, checked as http://. `_GLUED_SCHEME` is one where
# a link glued to another starts (`readings.glued_start`), after a letter or digit.
_GLUED_SCHEME = re.compile(r"[hHｈＨ][tTｔＴ]{2}[pPｐＰ][sSｓＳ]?[:：][/\\／＼]*")
# After a label's letter or digit ("O1ｈｔｔｐｓ：／／…", an item's number typed before the link) with its two
# slashes, as an ASCII one starts a link there (`urls.START_RE`): the label's digit hid the scheme, and the
# host after it was read as a link without one, http:// and missing_scheme for an https link.
# A web scheme typed before such a one: the link pasted after it (`_typed_scheme_end`)
_TYPED_SCHEME = re.compile(rf"{WEB_SCHEME}:?(?={_GLUED_SCHEME.pattern})", re.I)
_FULL_WIDTH_SCHEME = re.compile(r"(?<![A-Za-z0-9+.\-ａ-ｚＡ-Ｚ０-９])" + _GLUED_SCHEME.pattern
                                + r"|(?<=[A-Za-z0-9ａ-ｚＡ-Ｚ０-９])[hHｈＨ][tTｔＴ]{2}[pPｐＰ][sSｓＳ]?[:：][/\\／＼]{2,}")
# The link after such a scheme, up to a space or a full-width comma or semicolon (they part links): typed in
# full width too ("ｈｔｔｐｓ：／／ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１") it is read in ASCII. Not up to the next scheme: a
# viewer's "？ｕ＝ｈｔｔｐｓ：／／…" is its query's, in ASCII as the viewer is given it (its scheme's letters were
# percent-encoded); a link glued to it is parted as two ASCII links are (`full_width_schemes`).
_FULL_WIDTH_LINK = re.compile(r"[^\s，；]*")
# ... but a "；" that ends an escaped "&" ("？ａ＝１＆ａｍｐ；ｂ＝２", HTML source copied in full-width mode) is the
# query's, as ";" is in "&amp;": the link was cut there, "?a=1&amp", and `unescaped` never saw its "&amp;".
_ESCAPED_AMP_END = re.compile(_ESCAPED_AMP.pattern.removesuffix(";") + r"\Z", re.I)
# The full-width forms of ASCII (U+FF01..U+FF5E) as NFKC reads them, and only those: NFKC would change
# Thai ("ำ" to "ํา") and any other compatibility character of a path. Not brackets: "（…）" around a link
# or a label is read as typed (`urls.trim`, `_GLUED_RE`).
_FULL_WIDTH_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c) not in "（）［］｛｝"}
# A link after an ASCII scheme that goes full width before its host has ended: at its start
# ("https://ｗｗｗ．ｘ．…") or at a full-width "/", "?", "#" or "\" ("https://www.x.go.th／ｏ１"; a browser
# maps them into the host, where they are forbidden: no browser opens it). After an ASCII "/" a
# full-width path is one a browser sends as typed. A "？" that ends the link is a sentence's (`urls.trim`).
_WIDE_BEFORE_HOST_END = re.compile(r"[\uff01-\uff5e](?<![（）［］｛｝])|[^/?#\\\s，；]*(?:[／＃＼]|？(?=[^\s，；]))")
# Where `full_width_schemes` looks: a scheme, or a host typed without one (a port after it too), read in ASCII
# from its end when that is typed in full width (`_WIDE_HOST_END`: "www.x.go.th／ｏ１", the input method
# switched after the host, was malformed, no URL start at all) and left as typed, as an ASCII link is, when
# not. Not "＼": "x.go.th\o1" is no link in ASCII either; nor a "？" that ends the link (a sentence's).
# Or a host typed wholly in full width without a scheme ("ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", the input method in
# full-width mode from the start), a host when it is one in ASCII (`_HOST`: "ｒｅｐｏｒｔ．ｐｄｆ" is none).
_WIDE_HOST_END = re.compile(r"[／＃]|？(?=[^\s，；])")
_WIDE_START = re.compile(f"{_FULL_WIDTH_SCHEME.pattern}|(?P<host>{BARE_HOST}(?::[0-9]+)?)(?=[:/?#／＃？]|\\W*$)"
                         r"|(?P<wide_host>(?<![A-Za-z0-9.@/_\-ａ-ｚＡ-Ｚ０-９．＠／＿－])(?://|／／)?(?:[ａ-ｚＡ-Ｚ０-９＿－]+．)+"
                         r"[ａ-ｚＡ-Ｚ]+)", re.I)
_HOST = re.compile(BARE_HOST, re.I)
# Where a link read so ends before another parted from it ("…／ｏ１＜ｈｔｔｐｓ：／／…＞", "…/o1<ｈｔｔｐｓ：／／…>"):
# read in ASCII with the link before, the second's scheme lost its warning, and one after an ASCII link was
# never read at all, "…/o1%3C%EF%BD%88…".
_BEFORE_LINK = re.compile(BEFORE_LINK, re.I)
# One line break, with the spaces around it (`_full_width_parts`: a link typed in full width wrapped over two lines)
_WRAP = re.compile(rf"[^\S{LINE_BREAK}]*(?:\r\n|[{LINE_BREAK}])[^\S{LINE_BREAK}]*")


def full_width_schemes(text: str) -> str:
    """`text` with each web scheme typed in full width, wholly or in part, written in full-width letters
    and an ASCII ":" and slashes: the rest of the reading looks for "//", and `urls.check_piece` reads the
    letters and warns (a browser takes them for no scheme: as a link on ITAS it leads to a path there).

    The link after a full-width scheme is read in ASCII where it is typed in full width too (a CJK or
    Thai input method left in full-width mode: "ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１" was `malformed`); its Thai is
    left as typed. So is the link after an ASCII scheme that goes full width before its host has ended
    (`_WIDE_BEFORE_HOST_END`: "https://www.x.go.th／ｏ１" was `malformed` too), and a link typed without a
    scheme whose host, or its end, is typed so ("ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", "www.x.go.th／ｏ１"), written
    after a full-width "／／" (`urls.BARE_HOST`).

    A link glued to any link (where `readings._apart` parts two) is read as one of its own: typed in full
    width after a full-width link, its scheme was read in ASCII with that link, which lost the second one's
    warning; after an ASCII link it was that link's path ("…/o1%EF%BD%88…", a 404). So is one parted from a
    link by a bracket, a bar or a comma (`readings.BEFORE_LINK`: "…／ｏ１＜ｈｔｔｐｓ：／／…＞", "…/o1<ｈｔｔｐｓ：／／…>").

    >>> full_width_schemes("ลิงก์ ＨＴＴＰＳ：／／x.go.th/a httpｓ://y.go.th https://z.go.th")
    'ลิงก์ ＨＴＴＰＳ://x.go.th/a ｈｔｔｐｓ://y.go.th https://z.go.th'
    >>> full_width_schemes("ｈｔｔｐｓ：／／ｗｗｗ．ｘ．ｇｏ．ｔｈ／ลำพูน／ｏ１（ปี 2566）")
    'ｈｔｔｐｓ://www.x.go.th/ลำพูน/o1（ปี 2566）'
    >>> full_width_schemes("https://ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１ https://x.go.th/ｏ１ https://x.go.th／ลำพูน／ｏ１")
    'ｈｔｔｐｓ://www.x.go.th/o1 https://x.go.th/ｏ１ ｈｔｔｐｓ://x.go.th/ลำพูน/o1'
    >>> full_width_schemes("ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／ｏ１ｈｔｔｐｓ：／／ｂ https://c.go.th/o1ｈｔｔｐ：／／ｄ．ｇｏ．ｔｈ")
    'ｈｔｔｐ://a.go.th/o1ｈｔｔｐｓ://b https://c.go.th/o1ｈｔｔｐ://d.go.th'
    >>> full_width_schemes("ลิงก์ www.x.go.th／ｏ１ x.go.th/ｏ１ ｗｗｗ．ｙ．ｇｏ．ｔｈ／ｏ１ ｒｅｐｏｒｔ．ｐｄｆ")
    'ลิงก์ ／／www.x.go.th/o1 x.go.th/ｏ１ ／／www.y.go.th/o1 ｒｅｐｏｒｔ．ｐｄｆ'
    """
    return "".join(read for read, _typed in _full_width_parts(text))


def _full_width_parts(text: str) -> list[tuple[str, str]]:
    """`text` in parts, each as `full_width_schemes` reads it and as it is typed, in order."""
    out: list[tuple[str, str]] = []
    end, at, glued = 0, 0, False
    ascii_text = text.translate(_FULL_WIDTH_ASCII)  # (once: a character for a character, the same places)
    # (a loop, not a call per glued link: a pasted list of links glued one to another has no depth limit)
    while m := (_GLUED_SCHEME.match(text, _typed_scheme_end(text, at)) if glued else _WIDE_START.search(text, at)):
        stop, glued = _stop(ascii_text, m.end(), _link_end(text, ascii_text, m.end()))
        host = m.groupdict().get("host")
        wide_host = (m.groupdict().get("wide_host") or "").translate(_FULL_WIDTH_ASCII)
        if host and _WIDE_HOST_END.match(text, m.end()) or _HOST.fullmatch(wide_host):
            start = "／／" + (host or wide_host).lstrip("/／")
        # an ASCII scheme is read so only when the link after it starts in full width ("https://ｗｗｗ．…":
        # the input method switched after the scheme, or the scheme came from an autocomplete): malformed.
        # Otherwise the link is left as typed (a full-width host in its query too), and a link glued to it
        # read from where it starts.
        elif wide_host or host or (m[0].isascii() and not _WIDE_BEFORE_HOST_END.match(text, m.end())):
            at, glued = (m.end(), False) if wide_host else (stop, glued)
            continue
        else:
            letters, _, slashes = unicodedata.normalize("NFKC", m[0]).partition(":")
            start = "".join(chr(ord(c) + 0xFEE0) for c in letters) + ":" + slashes
        # A line break inside it ("ｈｔｔｐｓ：／／ａ．…／ｕｐｌｏａｄｓ／" then "ｏ１．ｐｄｆ", a wrap copied, as
        # `readings._rewrapped` joins an ASCII link's): the next line is read so too where the link's wrap is joined,
        # as the link typed on one line is. Left as typed it was dropped, the folder judged for the file, or
        # joined as typed, "…/uploads/%EF%BD%8F…", a 404.
        if (line_end := _wrapped_end(text, ascii_text, m.start(), stop)) > stop:
            stop, glued = _stop(ascii_text, m.end(), line_end)
        out += [(text[end:m.start()],) * 2, (start, m[0]), (ascii_text[m.end():stop], text[m.end():stop])]
        at = end = stop
    return [*out, (text[end:],) * 2]


def _typed_scheme_end(text: str, at: int) -> int:
    """After a scheme typed at `at` before a full-width link glued to a link ("…/o1httpsｈｔｔｐｓ：／／…"), else `at`:
    the typed scheme is left as typed (`urls.check_piece` warns of it); read with it, the link was never read and
    was the first one's path, "…/o1https%EF%BD%88…", a 404."""
    typed = _TYPED_SCHEME.match(text, at)
    return typed.end() if typed else at


def _stop(ascii_text: str, at: int, end: int) -> tuple[int, bool]:
    """Where the link read from `at` to `end` stops, and whether a link glued to it starts there: where
    `readings.glued_start` parts two ASCII links, or at a bracket, a bar or a comma (`_BEFORE_LINK`)."""
    ascii_link = ascii_text[at:end]
    stop = glued_start(ascii_link, after_scheme=True)
    glued = stop >= 0
    if (sep := _BEFORE_LINK.search(ascii_link)) and not 0 <= stop <= sep.start():
        stop, glued = sep.start(), False  # (the next link is found from the separator, typed as it is)
    return (end if stop < 0 else at + stop), glued


def _wrapped_end(text: str, ascii_text: str, start: int, stop: int) -> int:
    """Where the next line's first word ends when the link read from `start` to `stop` is wrapped there and
    `readings.joins` joins the next line to it, as it joins an ASCII link's; else `stop`."""
    wrap = _WRAP.match(text, stop)
    if not wrap:
        return stop
    line_end = _link_end(text, ascii_text, wrap.end())
    line = ascii_text[wrap.end():line_end] + "".join(text[line_end:].splitlines()[:1])
    return line_end if line_end > wrap.end() and joins(ascii_text[start:stop], line) else stop


def _link_end(text: str, ascii_text: str, at: int) -> int:
    """Where the link read from `at` ends (`_FULL_WIDTH_LINK`), on over each "；" of an escaped "&"."""
    end = _FULL_WIDTH_LINK.match(text, at).end()
    while text.startswith("；", end) and _ESCAPED_AMP_END.search(ascii_text, at, end):
        end = _FULL_WIDTH_LINK.match(text, end + 1).end()
    return end


def as_typed(text: str) -> tuple[str, Callable[[str], str]]:
    r"""`full_width_schemes(text)`, and what gives a piece of it (a reading's `raw`) as typed in `text`.

    The raw text is what the assessor is shown and what an import writes into the agency's cell
    (`importing/table.py`): it must be the agency's, never the ASCII read here ("／／www.x.go.th/o1" for
    "www.x.go.th／ｏ１"). Each character read stands for the one typed in its place ("／／" before a host for
    none); a piece that is no run of the text ("&amp;" read as "&", a line wrap joined) is given run by run,
    each found after the one before, and what is found nowhere (a breadcrumb's "/") as read.

    >>> read, typed = as_typed("ลิงก์ www.x.go.th／ｏ１ ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１&amp;ｂ＝２")
    >>> read
    'ลิงก์ ／／www.x.go.th/o1 ｈｔｔｐ://a.go.th/?a=1&amp;b=2'
    >>> typed("／／www.x.go.th/o1"), typed("ｈｔｔｐ://a.go.th/?a=1&b=2")
    ('www.x.go.th／ｏ１', 'ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１&ｂ＝２')
    """
    parts = _full_width_parts(text)
    read = "".join(r for r, _ in parts)
    if read == text:
        return text, str
    typed: list[str] = []  # per character read, the text typed in its place
    for r, t in parts:
        extra = len(r) - len(t)  # ("／／" written before a host typed without it; never fewer)
        typed += [""] * extra + list(t) if extra >= 0 else [t, *[""] * (len(r) - 1)]

    def given(piece: str) -> str:
        out, at, i = [], 0, 0
        while i < len(piece):
            lo, hi = 0, len(piece) - i  # the longest run of the piece found from `at`: a shorter one is found too
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if read.find(piece[i:i + mid], at) >= 0 else (lo, mid - 1)
            if not lo:
                out.append(piece[i])
                i += 1
                continue
            at = read.find(piece[i:i + lo], at)
            out += typed[at:at + lo]
            i, at = i + lo, at + lo
        return "".join(out)
    return read, given


# Sara am (ำ) as a PDF's text layer or an old Thai font stores it: nikhahit then sara aa (ํา), two
# characters that look the same. Copied into a link it is another address, a 404 where the file's
# name has ำ: the link as typed stays the first reading (it is what the assessor will be given),
# the composed one is tried next and says what to fix (`sara_am_split`) when it is the one that opens.
# (A host needs no such reading: IDNA maps both to one name.)
_SPLIT_AM = re.compile("%E0%B9%8D%E0%B8%B2", re.I)


def sara_am_composed(candidate: Candidate) -> tuple[Candidate, ...]:
    """`candidate`'s URL with each split sara am composed, as another reading, or nothing.

    >>> from sheets_sync.collect.urls import read_piece
    >>> c = read_piece("http://x.go.th/ผลการดําเนินงาน.pdf", 2000)
    >>> [(a.url, a.reasons) for a in sara_am_composed(c)]
    [('http://x.go.th/%E0%B8%9C%E0%B8%A5%E0%B8%81%E0%B8%B2%E0%B8%A3%E0%B8%94%E0%B8%B3%E0%B9%80%E0%B8%99%E0%B8%B4%E0%B8%99%E0%B8%87%E0%B8%B2%E0%B8%99.pdf', ('sara_am_split',))]
    """
    if not candidate.valid or not _SPLIT_AM.search(candidate.url):
        return ()
    url = _SPLIT_AM.sub("%E0%B8%B3", candidate.url)
    return (replace(candidate, url=url, reasons=(*candidate.reasons, "sara_am_split")),)


def unescaped(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, each followed by its reading with "&amp;" (or "&#038;") in its query read as "&" (see
    parse_cell: both readings carry `escaped_ampersand`, so whichever is judged says to fix it).

    >>> unescaped(("http://x.go.th/index.php?option=com_content&amp;view=article&amp;id=12",))
    ('http://x.go.th/index.php?option=com_content&amp;view=article&amp;id=12', \
'http://x.go.th/index.php?option=com_content&view=article&id=12')
    """
    out: list[str] = []
    for piece in pieces:
        out.append(piece)
        query = escaped_query(piece)
        if query:
            start, end = query  # the fragment after it is never sent: left as typed
            out.append(piece[:start] + _ESCAPED_AMP.sub("&", piece[start:end]) + piece[end:])
    return tuple(dict.fromkeys(out))


def escaped_query(piece: str) -> tuple[int, int] | None:
    """(start, end) of a URL's query when it holds an escaped "&" (`_ESCAPED_AMP`), else None.

    >>> escaped_query("http://x.go.th/?p=12&#038;lang=th#top"), escaped_query("http://x.go.th/a#b&amp;c")
    ((15, 33), None)
    """
    fragment = _FRAGMENT.search(piece)
    end = fragment.start() if fragment else len(piece)
    start = piece.find("?", 0, end)
    if start < 0 or not _ESCAPED_AMP.search(piece, start, end):
        return None
    return start, end


def unmarked(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces` with the readings of a dash or dots typed before a Thai label (`marks.readings`), each once.
    A label does not end in a file name: "…/O1–โครงสร้าง.pdf" is one file, and a missing one is not
    judged by the page before its dash.

    >>> unmarked(("http://x.go.th/o1...ดูเพิ่มเติม", "http://x.go.th/O1–โครงสร้าง.pdf"))
    ('http://x.go.th/o1', 'http://x.go.th/o1...ดูเพิ่มเติม', 'http://x.go.th/O1–โครงสร้าง.pdf')
    """
    out: list[str] = []
    for piece in pieces:
        readings = (piece,) if FILE_END_RE.search(piece) else marks.readings(piece)
        out += [r for r in map(trim, readings) if r]
    return tuple(dict.fromkeys(out))


def unglued(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces` with the readings of Thai glued to a URL's path (see parse_cell), in order, each once.

    >>> unglued(("http://x.go.th/o19.pdfข้อมูลปี2566",))
    ('http://x.go.th/o19.pdf', 'http://x.go.th/o19.pdfข้อมูลปี2566')
    >>> unglued(("http://x.go.th/ita/o1ข้อมูล", "http://x.go.th/ข่าว-ประกาศ"))
    ('http://x.go.th/ita/o1ข้อมูล', 'http://x.go.th/ita/o1', 'http://x.go.th/ข่าว-ประกาศ')
    >>> unglued(("http://x.go.th/o1«ข้อมูล", "http://x.go.th/o19.pdf＜ปี 2566"))
    ('http://x.go.th/o1', 'http://x.go.th/o1«ข้อมูล', 'http://x.go.th/o19.pdf', 'http://x.go.th/o19.pdf＜ปี 2566')
    >>> unglued(("http://x.go.th/o1)ข้อมูล", "http://x.go.th/o1”ค่ะ", "http://x.go.th/ก_(ข)ค"))
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
                           if area[:m.end()].count(m[0]) > area.count(OPENER.get(m[0], m[0]), 0, m.start())), None)
            query = area.find("?", path)
            opened = _OPENED_LABEL.search(area, path, query if query >= 0 else len(area))
            if not opened and query >= 0:
                opened = _QUERY_LABEL.search(area, query)
            # (a web link's: "data:text/html,<b>" is no link either way, and shown as typed)
            if opened and (scheme >= 0 or BARE_RE.match(piece)) and not (closer and closer.start() < opened.start()):
                readings = [trim(piece[:opened.start()]), piece]
            elif closer and not (label and label.end() <= closer.start()):
                readings = [trim(piece[:closer.start()]), piece]
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


def unprefixed(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, each followed by its reading without a leading Thai word when the rest is a host.

    >>> unprefixed(("อบต.ลำพูน.ไทย/ita",))
    ('อบต.ลำพูน.ไทย/ita', 'ลำพูน.ไทย/ita')
    >>> unprefixed(("ลำพูน.ไทย/ita", "ลำพูน.go.th/ita", "https://อบต.ลำพูน.ไทย/ita"))
    ('ลำพูน.ไทย/ita', 'ลำพูน.go.th/ita', 'https://อบต.ลำพูน.ไทย/ita')
    """
    out: list[str] = []
    for piece in pieces:
        out.append(piece)
        m = _THAI_PREFIX.match(piece)
        rest = piece[m.end():] if m else ""
        host = re.match(r"[^:/?#]*", rest)[0].lower().removesuffix(".")
        # (the rest matched alone: its look-behind would see the "."); never a bare "go.th"
        if m and BARE_RE.match(piece) and BARE_RE.match(rest) and host not in _THAI_SUFFIXES:
            out.append(rest)
    return tuple(dict.fromkeys(out))
