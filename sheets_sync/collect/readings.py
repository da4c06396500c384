"""The readings of a cell: its text split into URLs, each with the pieces of text it may be. Pure.

A URL's words may carry on its path or be a label, a line break may fall inside it, links may be glued
one to another, and Google may show it as a breadcrumb: each gives a URL more than one piece of text,
likeliest first (see `collect/cells.parse_cell`); `collect/repairs.py` adds the repaired readings of each.
"""

from __future__ import annotations

import re

from sheets_sync.collect.urls import BARE_RE, EXT, FILE_END_RE, SPACE_JOINED, START_RE, WEB_SCHEME, trim

# A comma or semicolon ends a URL only before a space or a new URL: `?a=1,2` (vendor templates) and
# `;jsessionid=` live inside URLs. Full-width and ideographic commas never do.
# A bar glued to a new URL ("…/o1|https://…/o2") separates two links too: it is never inside one. So does
# a "<" before one: Outlook's and Word's plain text writes a link as its text and "<address>" glued to it
# ("https://x.go.th/o1<https://x.go.th/o1>"); read as one, a working link was checked as "…/o1%3Chttps://…".
# A single angle quote or a guillemet in its place ("…/o1‹https://…/o1›", "…/old«https://…/new»", a
# typographic "<" or "<<") too, and a full-width "＜" ("…/o1＜https://…＞", the input method in full-width
# mode); the closing one is trailing punctuation (`urls.trim`).
# A link typed in full width after one is parted there too (`repairs.full_width_schemes`, which reads the
# link before in ASCII up to `BEFORE_LINK` and writes the scheme after it so).
_SCHEME_AHEAD = rf"{WEB_SCHEME}://|(?:／／)?www\."  # ("／／": `urls.BARE_HOST`)
BEFORE_LINK = rf"[,;](?=\s|$|{_SCHEME_AHEAD})|[|<‹«＜](?=\s*(?:{_SCHEME_AHEAD}))"
_SEP_RE = re.compile(rf"{BEFORE_LINK}|[，、；]", re.I)
# A link pasted right after another, with no space ("…/o1.pdfhttp://…/o2.pdf"): a new scheme after a
# letter, digit or file name's end of a path with no query yet. Never after "=" or "/" (a viewer's
# "?url=http://…", an archive's "/web/2023/https://…") nor inside a query or an escape. After Thai
# too: "…/o1และhttps://…/o2" ("and") is two items' links, and read as one the second was never checked.
# A scheme typed in full width is written so here (`repairs.full_width_schemes`): one glued to a link parts it too.
# A scheme typed before the pasted link is the link's ("…/o1httpshttps://…", `urls.START_RE`).
_GLUED_LINK = re.compile(rf"(?<=[A-Za-z0-9_~)\u0e00-\u0e7f])(?=(?:{WEB_SCHEME}:?)?{WEB_SCHEME}://)", re.I)
# "http://exa mple.go.th": a space inside an unfinished host (empty, no dot, or ending in . or -). Kept as
# one piece so the clerk hears "space in the URL" instead of getting two half-URLs checked.
# Any space of a line counts (an ideographic or em space: read apart, the second half was checked as a site).
# (a line break: where `str.splitlines` parts lines, as the wraps below are read)
LINE_BREAK = "\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029"
_BROKEN_HOST_RE = re.compile(rf"(https?://(?:[^\s/?#.]*|[^\s/?#]*[.-]))[^\S{LINE_BREAK}]+"
                             r"(?=[^\W_])(?!https?:|www\.)", re.I)
# An emoji or pictograph typed after a link in LINE or Facebook ("…/o1🙏", "…/o19.pdf✅ ส่งแล้วค่ะ"): no
# address holds one, and glued to the link it went into the path, a working link checked as broken. It
# parts words as a space does ("👉https://…" was read so already).
_PICTOGRAPH = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")
# A first word that already ends a file name ("…/o19.pdf", no query): what follows is likelier a label.
_FILE_NAME_RE = re.compile(EXT + "$", re.I)
# A word after a space that carries on a path, with a file name (`urls.FILE_END_RE`): a path or query piece
# ("2566/O1", "type=1"), or an escape ("%20"). In a query a "/" is likelier a label's date.
_PATH_PIECE_RE = re.compile(r"[/=&\\]|%[0-9A-Fa-f]{2}")
_QUERY_PIECE_RE = re.compile(r"[=&]|%[0-9A-Fa-f]{2}")


# Google's search results show an address as a breadcrumb: its site, then its path's words after " › "
# ("https://www.x.go.th › ita › o1"), and only some of them. Copied so, it was the home page and a label
# (homepage_only). A marker after each "/" it stands for keeps the reading apart (`uncrumbed`).
CRUMB = "\x06"
_CRUMBS = re.compile(r"(?<!\S)(\S+)((?:[^\S\r\n]+\u203a[^\S\r\n]+[^\s\u203a]+)+)")
_CRUMB_GAP = re.compile(r"[^\S\r\n]+\u203a[^\S\r\n]+")


def breadcrumbs(text: str) -> str:
    """`text` with each breadcrumb of a site's address (Google's display) written as a path, with a
    `CRUMB` after each "/" it stands for; an address that has a path already is left alone.

    >>> breadcrumbs("ลิงก์ https://www.x.go.th › ita › o1 ข้อมูล").replace(CRUMB, "^")
    'ลิงก์ https://www.x.go.th/^ita/^o1 ข้อมูล'
    >>> breadcrumbs("https://x.go.th/a › b")
    'https://x.go.th/a › b'
    """
    def written(m: re.Match) -> str:
        start = START_RE.search(m[1])
        if not start:
            return m[0]
        scheme, crumbs = m[1].find("//", start.start()), _CRUMB_GAP.split(m[2])[1:]
        # (an address with a path is no breadcrumb; "a.go.th › https://b.go.th/o1" is two links, an arrow between)
        if "/" in m[1][scheme + 2 if scheme >= 0 else start.start():] or any(map(START_RE.search, crumbs)):
            return m[0]
        return m[1] + "".join("/" + CRUMB + crumb for crumb in crumbs)
    text = text.replace(CRUMB, "").replace(SPACE_JOINED, "")
    return _CRUMBS.sub(written, text) if "\u203a" in text else text


def uncrumbed(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, a breadcrumb (`breadcrumbs`) read joined by "/" first and as the site alone second.

    The joined reading comes first: the site alone opens (a home page, homepage_only, is no broken link),
    so a reading after it would never be tried. When the joined one does not open (Google shows only
    part of a path), the site alone is judged, as it was.

    >>> uncrumbed(("https://x.go.th/\x06ita/\x06o1", "https://x.go.th/\x06ita/\x06o1 ข้อมูล"))
    ('https://x.go.th/ita/o1', 'https://x.go.th', 'https://x.go.th/ita/o1 ข้อมูล')
    """
    out: list[str] = []
    for piece in pieces:
        if "/" + CRUMB in piece:
            out += [piece.replace(CRUMB, ""), piece[:piece.index("/" + CRUMB)]]
        else:
            out.append(piece)
    return tuple(dict.fromkeys(out))


def url_readings(text: str):
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
            m = START_RE.search(word[0])
            if m:
                groups.append([(word.start() + m.start(), word.end())])
            elif groups:
                groups[-1].append(word.span())
        for (start, first_end), *rest in groups:
            first = line[start:first_end]
            short = trim(first).replace("\0", " ")
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
                if FILE_END_RE.search(word) or (not inside and depth == 0 and not word.endswith((")", "]"))
                                                  and piece.search(word)):
                    last_path = i
                in_query = in_query or "?" in word
            end = rest[last_path][1] if last_path >= 0 else rest[-1][1]
            # The spaces as typed (a file name may hold two); a tab is a space to a person.
            long = trim(line[start:end].replace("\t", " ")).replace("\0", " ")
            if last_path >= 0 and not _FILE_NAME_RE.search(trim(first)):
                a, b = rest[last_path]
                # A label does not end in a file name: "…/รายงาน ประจำปี 2565.pdf" is one URL, and its
                # cut-off prefix (a folder, a landing page) must not stand in for a missing file.
                named = bool(FILE_END_RE.search(trim(line[a:b])))
                yield (*_space_wrapped(first, line[rest[0][0]:end], named), long, *(() if named else (short,)))
            else:
                yield (short, long)


def _space_wrapped(first: str, after: str, named: bool) -> tuple[str, ...]:
    """The URL joined over a space right after a "/" of its path ("…/uploads/2023/01/ O1.pdf",
    "…/uploads/ 2566/o1.pdf": a PDF's line break copied as a space), or nothing. Joined first, as a
    line wrap after an open end is (`_rewrapped`): a name or folder that starts with a space is rare.
    Only when what follows carries on the path: it ends a file name, or its first word is a path piece
    ("…/oit/ ข้อ 4/2566" keeps its label, "…/oit/ o1" its folder).

    The join is marked (`SPACE_JOINED`, read by `urls.read_piece`: the reading says so).

    >>> _space_wrapped("http://x.go.th/uploads/", "O1.pdf", True), _space_wrapped("http://x.go.th/oit/", "ข้อ 4/2566", False)
    (('http://x.go.th/uploads/\\x07O1.pdf',), ())
    """
    if not first.endswith("/") or first.endswith("//"):
        return ()
    if not (named or (_PATH_PIECE_RE.search(after.split()[0]) and re.match(r"[A-Za-z0-9%]", after))):
        return ()
    return (trim(first + SPACE_JOINED + after.replace("\t", " ")).replace("\0", " "),)


# A URL broken over two lines (a PDF's or Word's line wrap copied, Alt+Enter typed where Excel wrapped):
# the next line starts no URL and carries on the path. A marker joins it, read by `wrap_readings`:
# "\x01" for good (a file name after an open end, which a label does not make: "…/2566/\nO1.pdf");
# "\x02" joined first, cut off second (a path piece after an open end, "/", "-", "_", "=", "&":
# "…/ita-\n2566/o1"); after a word, a file name's end may be a name broken in two ("…/รายงาน\nผล.pdf"),
# one wrapped at its space ("รายงาน ผล.pdf"), or a note naming the file: "\x04" joined, with a space,
# cut off; "\x03" the space first, for a next line of several words ("…/รายงาน\nประจำปี 2566.pdf":
# a name that holds spaces was likelier wrapped at one).
# After words that follow a URL on its line (a spaced file name or a label: "…/รายงาน ประจำปี\n2566.pdf",
# "…/o1 ข้อมูล\nไฟล์.pdf") "\x05": with a space, joined, then the line's own readings (the URL alone and
# with its words, `url_readings`): the name holds a space already, and the URL may be a page with a label.
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
        last = trim(words[-1]) if words else ""
        # the line's last URL: its last word, or one before words that may carry on its path or label it
        at = max((i for i, w in enumerate(words) if START_RE.search(w)), default=-1)
        url = trim(words[at]) if at >= 0 else ""
        start = START_RE.search(url)
        scheme = url.find("//", start.start()) if start else -1
        has_path = start is not None and "/" in url[(scheme + 2 if scheme >= 0 else start.start()):]
        tail = words[at + 1:]
        # The next line's file name, a label may follow it ("ประจำปี 2566.pdf (ข้อมูลปี 2566)").
        named = [i for i, w in enumerate(next_words) if FILE_END_RE.search(trim(w))]
        # (a URL that ended in punctuation, "…/o1," or "…/o1.", ended there; so did a line that ends a file)
        if (next_words and not any(map(START_RE.search, next_words)) and has_path
                and last == words[-1] and "#" not in url and not any(map(_JOIN_RE.search, words[at:]))
                and not _FILE_NAME_RE.search(url) and not any(FILE_END_RE.search(trim(w)) for w in tail)):
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


def joins(url: str, line: str) -> bool:
    """Whether `line`, after a line break, carries on `url` (the last word of its line): it is joined (`_rewrapped`).

    >>> joins("https://x.go.th/uploads/", "O1.pdf"), joins("https://x.go.th/oit/", "O1 ข้อมูลโครงสร้าง")
    (True, False)
    """
    return "\n" not in _rewrapped(f"{url}\n{line}")


def wrap_readings(pieces: tuple[str, ...]) -> tuple[str, ...]:
    r"""`pieces` with a line break joined (`_rewrapped`): each marker's first join, then the other
    joins of the first marker that has some (None: cut there).

    >>> wrap_readings(("http://x.go.th/ita-\x022566/o1", "http://x.go.th/a/\x01b.pdf"))
    ('http://x.go.th/ita-2566/o1', 'http://x.go.th/ita-', 'http://x.go.th/a/b.pdf')
    >>> wrap_readings(("http://x.go.th/ก\x03ข 1.pdf",))
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
                else:  # cut there: the URL's own line, read as `url_readings` reads one ("…/o1 ข้อมูล")
                    out += next(url_readings(before), ()) if m[0] == "\x05" else [trim(before)]
    return tuple(dict.fromkeys(p for p in out if p))


def _apart(word: re.Match) -> str:
    """A word holding links glued one after another, with a space between them (`_GLUED_LINK`).

    >>> _apart(re.match(r"\\S+", "http://a.go.th/o1.pdfhttps://a.go.th/o2.pdf"))
    'http://a.go.th/o1.pdf https://a.go.th/o2.pdf'
    """
    parts, text = [], word[0]
    # (a loop, not a call per link: a list of links pasted one after another has no depth limit; a call
    # per link raised RecursionError past about a thousand)
    while (at := glued_start(text)) >= 0:
        parts, text = [*parts, text[:at]], text[at:]
    return " ".join([*parts, text])


def glued_start(text: str, after_scheme: bool = False) -> int:
    """Where a link glued to the one in `text` starts (`_GLUED_LINK`), or -1. Only in a link's path
    (`after_scheme`: `text` follows one; a link typed without a scheme has one after its host too:
    "x.go.th/o1https://…" was one URL, a 404) before any "?", "=", "%" or "#": a viewer's "?url=http://…"
    and an escape or a fragment holding one stay one link.

    >>> glued_start("x.go.th/o1https://y.go.th/o2"), glued_start("ลิงก์https://y.go.th"), glued_start("x.go.thhttps://y")
    (10, -1, -1)
    """
    for m in _GLUED_LINK.finditer(text):
        before = text[:m.start()]
        if (after_scheme or "://" in before or ((host := BARE_RE.search(before)) and "/" in before[host.end():])) \
                and not any(c in before for c in "?=%#"):
            return m.start()
    return -1
