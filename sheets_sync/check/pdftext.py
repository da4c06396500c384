"""A PDF's text, for the fiscal-year check: PDFium's text layer of the first pages.

PDFium (pypdfium2) is the PDF engine of Chromium: it reads what assessors' browsers read, Thai
text included, and repairs damaged cross-reference tables. This module is all the PDF helper
process (sheets_sync.check.pdfpool) imports: the standard library and PDFium, and the year
reading (sheets_sync.check.years) when a run stops at the pages that settle the year rules, so a
helper starts in a fraction of the time the checker's own modules would take to import.

PDFium is called through pypdfium2's raw bindings. Its object layer (document, page and text
page objects with finalizers) cost ~0.07 ms of Python of a ~0.58 ms one-page read; the calls
and the text are the same as its `get_text_range`, including that method's guard against
PDFium bug 2079 (leading or trailing characters with no text index make FPDFText_GetText read
past the range). tests/check/test_pdftext.py checks the text against pypdfium2's own methods
on a set of varied PDFs. Thai typed in an old non-Unicode font is read as Thai (`legacy_thai`).
"""

from __future__ import annotations

import ctypes
import re
import signal
import threading
from codecs import decode
from collections.abc import Sequence
from multiprocessing.connection import Connection

# PDFium is not thread-safe: one document at a time per process (the helpers read one PDF at a
# time anyway; this guards callers that share a process, e.g. the in-process fallback).
_LOCK = threading.Lock()


MORE_PAGES = 15  # pages read of a PDF whose first pages show text but no year at all


def squeeze(text: str) -> str:
    """Runs of whitespace as one space, none at the ends: `re.sub(r"\\s+", " ", text).strip()`
    (str.split's whitespace is the regex's \\s), at a quarter of its CPU on Thai text.

    >>> squeeze("  ปี\\u00a0 2566\\r\\n ")
    'ปี 2566'
    """
    return " ".join(text.split())


def read(body: bytes, pages: int, enough: Sequence[Sequence[int]] = ()) -> tuple[str, bool]:
    """The squeezed text of the first `pages` pages, and whether PDFium could read the file
    (False: not a PDF, damaged, cut short, or wanting a password; the text is then '').

    `enough`: year sets (sheets_sync.check.years.year_sets of the catalogue's rules). Reading
    stops after the first page by which the text shows a year of each: later pages cannot
    change any verdict on those rules (years.settled), and a report's first page usually
    names its year, where reading five pages of a real one costs four times as much. A later
    page is not opened at all, so one PDFium cannot load no longer makes the file unreadable.
    A file whose first `pages` pages show text but no year at all (an image for a cover, then the
    contents) is read on, page by page, until one shows or MORE_PAGES are read: "no 2566" judged
    on a report's contents page was false."""
    with _LOCK:
        return _read(body, pages, enough)


def _read(body: bytes, pages: int, enough: Sequence[Sequence[int]] = ()) -> tuple[str, bool]:
    import pypdfium2  # noqa: F401 - initialises the library (FPDF_InitLibrary) on first import
    import pypdfium2.raw as pdfium

    doc = pdfium.FPDF_LoadMemDocument64(body, len(body), None)  # `body` outlives `doc`
    if not doc:
        return "", False
    try:
        count = pdfium.FPDF_GetPageCount(doc)
        if count < 1:  # what pypdfium2's PdfDocument refuses to open
            return "", False
        parts = []
        last, i = min(pages, count) - 1, 0
        while i <= last:
            page = pdfium.FPDF_LoadPage(doc, i)
            if not page:
                return "", False
            try:
                textpage = pdfium.FPDFText_LoadPage(page)
                if not textpage:
                    return "", False
                try:
                    text = _page_text(pdfium, textpage)
                finally:
                    pdfium.FPDFText_ClosePage(textpage)
                if text and stamp_only(text) and _pictured(pdfium, page):
                    text = ""  # a scan: its words are in the picture, the text layer is the scanner's stamp
            finally:
                pdfium.FPDF_ClosePage(page)
            if text is None:
                return "", False
            parts.append(spaced_years(legacy_thai(presentation_thai(text))))
            if enough and i < last and _settled(" ".join(parts), enough):
                break
            if i == last and last + 1 < min(count, MORE_PAGES) and _yearless_text(parts):
                last += 1  # text, but no year at all yet: the contents and foreword of a long report
            i += 1
        return squeeze(" ".join(parts)), True
    finally:
        pdfium.FPDF_CloseDocument(doc)


# What a scan's text layer holds when its words are only in the picture: the stamp a scanner app
# writes at the foot of each page ("Scanned with CamScanner", "Scanned by TapScanner", "Created
# with Adobe Scan"), the bare app names, and page numbers ("- 1 -", "Page 1 of 1", "หน้า ๑/๓", "1/3").
# Read as the page's text, it was a scan's "no 2566": a look by hand (unverifiable_content), as a scan
# without text is, when such text is all the page has besides pictures covering it (`_pictured`).
# Page numbers have at most three digits: "2566" alone is a year, never taken for a page number.
_STAMP = re.compile(
    r"(?:scanned|digiti[sz]ed|created|made|generated|captured|converted)\s+(?:with|by|using|on)\s+"
    r"[A-Za-z][\w.+&-]*(?:\s+[A-Za-z0-9][\w.+&-]*){0,3}"
    r"|cam\s?scanner|tap\s?scanner|genius\s+scan|adobe\s+scan|(?:microsoft|office)\s+lens|\bCS\b"
    r"|(?:page|p\.|หน้า(?:ที่)?)\s*[0-9๐-๙]{1,3}(?:\s*(?:of|/|จาก(?:ทั้งหมด)?)\s*[0-9๐-๙]{1,3})?(?:\s*หน้า)?"
    r"|(?<![0-9๐-๙])[0-9๐-๙]{1,3}(?:\s*(?:/|of|จาก)\s*[0-9๐-๙]{1,3})?(?![0-9๐-๙])",
    re.I)
_WORD = re.compile(r"\w")
STAMP_CHARS = 200  # a longer text is the page's own


def stamp_only(text: str) -> bool:
    """Whether a page's text is only a scanner app's stamp and page numbers (with their dashes
    and brackets), nothing a reader would read for its year.

    >>> stamp_only("Scanned with CamScanner"), stamp_only("- 1 -"), stamp_only("Page 1 of 1"), stamp_only("หน้า ๒/๓")
    (True, True, True, True)
    >>> stamp_only("ปี 2566"), stamp_only("- 2566 -"), stamp_only("Scanned with CamScanner 12/01/2023"), stamp_only("O31")
    (False, False, False, False)
    """
    if len(text) > STAMP_CHARS:
        return False
    return not _WORD.search(_STAMP.sub(" ", text))


_PICTURED = 0.5  # of the page's area: a scan's picture covers the page, a logo does not
_MAX_OBJECTS = 2000  # objects looked at on a page: a scan has one picture, or a few strips of one


def _pictured(pdfium, page) -> bool:
    """Pictures (image objects, or forms holding them) cover at least half of the page: a scan."""
    area = pdfium.FPDF_GetPageWidthF(page) * pdfium.FPDF_GetPageHeightF(page)
    if area <= 0:
        return False
    covered = 0.0
    for i in range(min(pdfium.FPDFPage_CountObjects(page), _MAX_OBJECTS)):
        obj = pdfium.FPDFPage_GetObject(page, i)
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_IMAGE or (kind == pdfium.FPDF_PAGEOBJ_FORM and _holds_image(pdfium, obj, 0)):
            covered += _area(pdfium, obj)
            if covered >= _PICTURED * area:
                return True
    return False


def _holds_image(pdfium, form, depth: int) -> bool:
    """A form XObject with an image in it (a scanner's page wrapped in a form), a few levels deep."""
    for i in range(min(pdfium.FPDFFormObj_CountObjects(form), _MAX_OBJECTS)):
        obj = pdfium.FPDFFormObj_GetObject(form, i)
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_IMAGE or (kind == pdfium.FPDF_PAGEOBJ_FORM and depth < 3
                                                  and _holds_image(pdfium, obj, depth + 1)):
            return True
    return False


def _area(pdfium, obj) -> float:
    """The area of an object's bounds on the page (0 when PDFium cannot tell them)."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return 0.0
    return max(0.0, right.value - left.value) * max(0.0, top.value - bottom.value)


# Thai typed in an old non-Unicode font (the PSL and DSN families of the Word 97 era) has its
# TIS-620 codes in the Latin-1 places: its text layer reads "¾.È. òõöö" for "พ.ศ. ๒๕๖๖", and
# no year showed. These are the Thai those places stand for (cp874 leaves 0xDB-0xDE unused).
_TIS620 = {code: bytes([code]).decode("cp874") for code in (*range(0xA1, 0xDB), *range(0xDF, 0xFC))}
_LEGACY = re.compile("[\xa1-\xfb]")
_THAI = re.compile("[\u0e01-\u0e5b]")
_LATIN = re.compile("[A-Za-z]")


def legacy_thai(text: str) -> str:
    """A page's text with Thai in Latin-1 places read as Thai, when that is what it is: no Thai
    letter, and more characters in those places than ASCII letters. Other text is returned as it
    is (an English report's "café" or "©" stays).

    >>> legacy_thai("»ÃÐ¡ÒÈ ³ ÇÑ¹·Õè òõ Á¡ÃÒ¤Á ¾.È. òõöö")
    'ประกาศ ณ วันที่ ๒๕ มกราคม พ.ศ. ๒๕๖๖'
    >>> legacy_thai("Café © 2023")
    'Café © 2023'
    """
    if not _LEGACY.search(text) or _THAI.search(text):
        return text  # nearly every page: one scan
    if len(_LEGACY.findall(text)) <= len(_LATIN.findall(text)):
        return text
    return text.translate(_TIS620)


# Fonts without OpenType shaping for Thai (TH SarabunPSK and the other PSK fonts of government
# documents, Tahoma, Angsana) place a vowel or tone mark moved clear of a tall consonant as a glyph
# of their own in the Private Use Area, and a PDF printed from them often maps the glyph to that
# code: "ปี" comes out as "ป" and U+F702, and "ปีงบ 66", "ปี 66" showed no year. Windows' codes
# (U+F700-U+F71A) and Mac's (U+F884-U+F89E) for each Thai character, as the fonts define them.
_PRESENTATION = {win: ch for ch, codes in {
    "ฐ": (0xF700, 0xF89E), "ญ": (0xF70F, 0xF89A),  # tho than, yo ying without their descender
    "ิ": (0xF701, 0xF885), "ี": (0xF702, 0xF886), "ึ": (0xF703, 0xF887), "ื": (0xF704, 0xF888),
    "ั": (0xF710, 0xF884), "็": (0xF712, 0xF889), "ํ": (0xF711, 0xF899),
    "ุ": (0xF718, 0xF89B), "ู": (0xF719, 0xF89C), "ฺ": (0xF71A, 0xF89D),
    # the five tone marks, each moved down, down and left, and left
    "่": (0xF70A, 0xF705, 0xF713, 0xF88B, 0xF88C, 0xF88A),
    "้": (0xF70B, 0xF706, 0xF714, 0xF88E, 0xF88F, 0xF88D),
    "๊": (0xF70C, 0xF707, 0xF715, 0xF891, 0xF892, 0xF890),
    "๋": (0xF70D, 0xF708, 0xF716, 0xF894, 0xF895, 0xF893),
    "์": (0xF70E, 0xF709, 0xF717, 0xF897, 0xF898, 0xF896),
}.items() for win in codes}
_PRESENTATION_FORM = re.compile("[\uf700-\uf71a\uf884-\uf89e]")


def presentation_thai(text: str) -> str:
    """A page's text with the Private Use Area forms of Thai vowels and tone marks read as the
    characters they show.

    >>> presentation_thai("ประจำป\uf702งบประมาณ 66 ท\uf70a")
    'ประจำปีงบประมาณ 66 ท่'
    """
    if not _PRESENTATION_FORM.search(text):
        return text  # nearly every page: one scan
    return text.translate(_PRESENTATION)


# Thai Distributed alignment (Word's "กระจายแบบไทย", common in government documents) spreads even
# a paragraph's short last line across the page, and a justified line's gaps come as offsets in
# the text's TJ arrays: PDFium puts a space in each gap wider than ~0.2 em, so "พ.ศ. 2566" read
# "พ . ศ . 2 5 6 6" and no year showed. Four lone digits that make a Buddhist-era year (2400-2799)
# are joined; Christian-era quads are not ("2 0 2 3" is as likely four cells of a table).
_SPACED_YEAR = re.compile(r"(?<![0-9๐-๙])(?<![0-9๐-๙] )([2๒]) ([4-7๔-๗]) ([0-9๐-๙]) ([0-9๐-๙])(?! ?[0-9๐-๙])")


def spaced_years(text: str) -> str:
    """The text with Buddhist-era years spelt out digit by digit read as years.

    >>> spaced_years("ป ร ะ จ ำ ปี พ . ศ . 2 5 6 6 และ ๒ ๕ ๖ ๕ ตาราง 1 2 5 6 6 7")
    'ป ร ะ จ ำ ปี พ . ศ . 2566 และ ๒๕๖๕ ตาราง 1 2 5 6 6 7'
    """
    if " " not in text:
        return text
    return _SPACED_YEAR.sub(r"\1\2\3\4", text)


def wants_password(body: bytes) -> bool:
    """Whether a PDF that PDFium could not open is encrypted: it wants the password to open it
    that its author set (a PDF printer's or an office suite's "protect" setting), and a browser's
    viewer asks the assessor for it. A file protected only against changes opens without one,
    and never gets here. Told by the /Encrypt entry of its trailer (or cross-reference stream),
    in the checker's process, only for the rare file PDFium refused.

    >>> wants_password(b"%PDF-1.4 ... trailer << /Root 1 0 R /Encrypt 6 0 R >>"), wants_password(b"%PDF-1.4 damaged")
    (True, False)
    """
    return b"/Encrypt" in body


def read_document(body: bytes, pages: int, enough: Sequence[Sequence[int]] = ()) -> tuple[str, bool]:
    """`read` for a PDF; for an office file (a zip, sheets_sync.check.office) its text, and
    whether it could be read. What the helper answers for each file it is sent: an Excel sheet's
    parse, in Python, would hold up the checker's loop as long as a large PDF's."""
    if body.startswith(b"PK\x03\x04"):
        # Imported only when an office file comes: the helper starts light.
        from sheets_sync.check import office

        text = office.text(body, enough)
        return text or "", text is not None
    return read(body, pages, enough)


def _yearless_text(parts: Sequence[str]) -> bool:
    """The pages read show text (not a scan) and no year of any kind."""
    from sheets_sync.check import years

    text = " ".join(parts)
    return bool(text.strip()) and not years.years_in(text)


def _settled(text: str, enough: Sequence[Sequence[int]]) -> bool:
    # Imported here: a helper without year sets never needs it (years imports no config).
    from sheets_sync.check import years

    return years.settled(years.years_in(text), enough)


def _page_text(pdfium, textpage) -> str | None:
    """What pypdfium2's `get_text_range()` gives for the whole page; None when PDFium cannot
    count the characters."""
    chars = pdfium.FPDFText_CountChars(textpage)
    if chars < 0:
        return None
    # Characters without a text index at either end would make FPDFText_GetText read past the
    # range (crbug.com/pdfium/2079): narrow the range to the first and last with one.
    first, last = 0, chars - 1
    while first <= last and pdfium.FPDFText_GetTextIndexFromCharIndex(textpage, first) == -1:
        first += 1
    while last >= first and pdfium.FPDFText_GetTextIndexFromCharIndex(textpage, last) == -1:
        last -= 1
    if first > last:
        return ""
    size = (pdfium.FPDFText_GetTextIndexFromCharIndex(textpage, last) + 2
            - pdfium.FPDFText_GetTextIndexFromCharIndex(textpage, first))  # with the NUL at the end
    buffer = (ctypes.c_ushort * size)()
    written = pdfium.FPDFText_GetText(textpage, first, last - first + 1, buffer)
    return decode(memoryview(buffer)[:max(0, min(written, size) - 1)], "utf-16-le", errors="ignore")


# The helper's answers on its connection: one byte (readable or not), then the text in UTF-8. No
# pickling on either side; the text is valid Unicode (lone surrogates were dropped above).
def pack(text: str, readable: bool) -> bytes:
    """An answer as the helper sends it; `unpack` reverses it.

    >>> unpack(pack("ปี 2566", True))
    ('ปี 2566', True)
    """
    return (b"\x01" if readable else b"\x00") + text.encode("utf-8")


def unpack(message: bytes) -> tuple[str, bool]:
    """(text, readable) from what `pack` gave."""
    return message[1:].decode("utf-8"), message[:1] == b"\x01"


def serve(conn: Connection, enough: Sequence[Sequence[int]] = ()) -> None:
    """A helper's life: read each PDF (or office file) sent (a message of four bytes, the page
    count, then one of the file) with `read_document`, answer with `pack`, until the connection
    closes. `enough`: as for `read`, the same for every file of a run."""
    # Ctrl-C reaches the whole process group: the checker's process decides what a stop
    # means (and stops the helpers); a helper must not die with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            pages = int.from_bytes(conn.recv_bytes(), "big")
            body = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send_bytes(pack(*read_document(body, pages, enough)))
