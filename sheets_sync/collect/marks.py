"""A dash or dots typed right before a Thai label ("…/o1–ข้อมูลปี 2566", "…/o1...ดูเพิ่มเติม"). Pure.

With no space they went into the path and the URL alone was never checked: a working link judged
broken. A path may truly hold them, so the text as typed stays a reading (collect/repairs.unmarked).
"""

from __future__ import annotations

import re

from sheets_sync.collect.urls import THAI as _THAI

# An en or em dash, three dots or more, or "…", before Thai or at a URL's end ("…/o1– ข้อมูล").
_MARK = re.compile(f"(?:[–—]+|\\.{{3,}}|…)(?=[{_THAI}]|$)")


def readings(piece: str) -> tuple[str, ...]:
    """`piece` and `piece` cut before such a mark, likelier first (the cut one untrimmed).

    Before a label the URL alone is likelier. After a Thai letter the mark may be a Thai slug's
    ("…/ข่าว–ประชาสัมพันธ์"), and "…" is mostly a display's shortening ("…/o10-แผน…", its own
    warning): there the text as typed comes first. "…" at the end is only that. Never in the
    fragment, which is not sent.

    >>> readings("http://x.go.th/o1–ข้อมูล"), readings("http://x.go.th/o1…ดู"), readings("http://x.go.th/a…")
    (('http://x.go.th/o1', 'http://x.go.th/o1–ข้อมูล'), ('http://x.go.th/o1…ดู', 'http://x.go.th/o1'), ('http://x.go.th/a…',))
    """
    start = piece.find("//") + 2 if "//" in piece else 0
    end = piece.find("#", start)
    m = _MARK.search(piece, start, end if end >= 0 else len(piece))
    if not m or (m[0] == "…" and m.end() == len(piece)):
        return (piece,)
    cut = piece[:m.start()]
    if m[0] == "…" or re.search(f"[{_THAI}]$", cut):
        return piece, cut
    return cut, piece
