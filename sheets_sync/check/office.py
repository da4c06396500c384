"""The text of office files (Word, Excel, PowerPoint, OpenDocument), for the years they show. Pure.

Agencies upload a monthly procurement summary as an Excel sheet, a plan as a Word file. Their
years went unread, so last year's file passed as `ok` with no word of it. The XML formats
(.docx, .xlsx, .pptx, .odt, .ods, .odp) are zip files whose text is read here; an Excel sheet
through openpyxl, so that a date cell (a serial number with a date style) shows its year as
Excel does. The old binary formats (.doc, .xls, .ppt) and password-protected files are not
read: `text` gives None, a look by hand, never "no 2566".

Every read is bounded, whatever the file claims: at most MAX_PART_BYTES of each part unpacked,
MAX_TEXT characters, and MAX_CELLS cells with a value, MAX_ROWS rows and MAX_COLUMNS columns
of a sheet (a zip bomb unpacks to gigabytes).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

from sheets_sync.check.years import settled, years_in

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, Excel 97-2003, PowerPoint, encrypted OOXML
# What an office file's zip holds first: OOXML's content types, relations, properties or a part
# of the document (openpyxl writes docProps/app.xml first, Word [Content_Types].xml), ODF's mimetype.
_FIRST_PARTS = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"word/", b"xl/", b"ppt/", b"customXml/",
                b"mimetype")
MAX_PART_BYTES = 4 << 20
MAX_TEXT = 2_000_000
MAX_CELLS = 100_000
MAX_COLUMNS = 200  # of a sheet: a table, not a grid
MAX_ROWS = 100_000  # empty ones too (openpyxl gives every row between two that hold values)
# The parts that hold what a reader sees: a Word file's body, headers, footers and notes; a
# presentation's slides; an OpenDocument's content (and styles.xml: its headers and footers).
_TEXT_PARTS = re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes)\.xml|"
                         r"ppt/slides/slide\d+\.xml|content\.xml|styles\.xml")
# Where a reader sees a space: the end of a paragraph or a table cell, a tab, a line break. Any
# other tag joins what is on either side: Word splits "2566" into runs ("25" and "66") after
# an edit or a spelling check, and a space there made it two numbers.
_BREAKS = re.compile(rb"</w:p>|</w:tc>|<w:tab/>|<w:br/>|<w:cr/>|</a:p>|<a:br/>|</text:p>|</text:h>|"
                     rb"<text:tab/>|<text:line-break/>|<text:s(?: [^>]*)?/>|</table:table-cell>")
# A tag, or one left open at the end (to the end: see template._ANY_TAG; "<[^>]*>" scanned the
# rest of a part from each "<" without a ">" after it, time squared in the part's length).
_TAG = re.compile(rb"<[^>]*+(?:>|\Z)")


def looks_like(head: bytes) -> bool:
    """An office file of the XML formats by its first bytes: a zip whose first parts are an
    office file's. The checker reads such a file whole, as a PDF, before `kind` can open its
    directory (at the end of the file).

    >>> def zipped(name):
    ...     buf = io.BytesIO()
    ...     with zipfile.ZipFile(buf, "w") as z:
    ...         z.writestr(name, "...")
    ...     return buf.getvalue()
    >>> looks_like(zipped("[Content_Types].xml")), looks_like(zipped("docProps/app.xml")), looks_like(zipped("o19.pdf"))
    (True, True, False)
    """
    if not head.startswith(_ZIP) or len(head) < 30:
        return False
    name = head[30:30 + int.from_bytes(head[26:28], "little")]  # the first part's name, in its local header
    return name.startswith(_FIRST_PARTS)


def legacy(head: bytes) -> bool:
    """An office file of the old binary formats (or a password-protected one), whose text is not read."""
    return head.startswith(_OLE)


def kind(body: bytes) -> str | None:
    """'office' for an office file whose text `text` reads, 'legacy' for one it cannot (the
    binary formats, a password-protected file), None for anything else (a plain zip of files).

    >>> kind(b"%PDF-1.7"), kind(_OLE + bytes(8))
    (None, 'legacy')
    """
    if body.startswith(_OLE):
        return "legacy"
    return "office" if _office_zip(body) else None


def _office_zip(body: bytes) -> zipfile.ZipFile | None:
    """The zip of an office file whose text `text` reads; None for anything else."""
    if not body.startswith(_ZIP):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # cut off (its directory is at the end) or not a zip after all
    names = archive.namelist()
    return archive if "xl/workbook.xml" in names or any(map(_TEXT_PARTS.fullmatch, names)) else None


def text(body: bytes, enough: Sequence[Sequence[int]] = ()) -> str | None:
    """What an office file shows as text (an Excel date as its date, "2023-01-31"), or None
    when it cannot be read (cut off, damaged, a binary or protected format). `enough`, the year
    sets of the rules a run judges by (years.year_sets): reading stops once the text read so far
    settles them, as for a PDF's pages, and a file too large to read whole (past MAX_TEXT or
    MAX_CELLS, a part past MAX_PART_BYTES) whose start does not settle them gives None, a look
    by hand: the years of its unread rest are unknown.

    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("word/document.xml", '<w:p><w:r><w:t>แผน ปี 25</w:t></w:r><w:r><w:t>66</w:t></w:r></w:p>'
    ...                '<w:p><w:r><w:t>A &amp; B</w:t></w:r></w:p>')
    >>> text(buf.getvalue())
    'แผน ปี 2566 A & B'
    """
    archive = _office_zip(body)
    if archive is None:
        return None
    reading = _Reading(enough)
    try:
        if "xl/workbook.xml" in archive.namelist():
            _read_sheets(body, reading)
        else:
            for name in filter(_TEXT_PARTS.fullmatch, archive.namelist()):
                with archive.open(name) as part:
                    xml = part.read(MAX_PART_BYTES + 1)
                reading.cut |= len(xml) > MAX_PART_BYTES
                xml = _BREAKS.sub(b" ", _with_tab_names(xml[:MAX_PART_BYTES]))
                if reading.add(html.unescape(_TAG.sub(b"", xml).decode("utf-8", "replace"))):
                    break
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError, OSError,
            EOFError, _Unreadable):
        return None  # damaged, encrypted or packed in a way zipfile or openpyxl does not read
    return reading.text()


# An OpenDocument spreadsheet's sheets, their names in an attribute, and the table styles that
# hide a sheet (a style with table:display="false").
_ODS_TABLE = re.compile(rb'<table:table\s[^<>]*?table:name="([^"<>]*)"[^<>]*>')
_ODS_HIDING = re.compile(rb'<style:style\s[^<>]*?style:name="([^"<>]+)"[^<>]*>\s*'
                         rb'<style:table-properties\s[^<>]*?table:display="false"')
_ODS_STYLE = re.compile(rb'table:style-name="([^"<>]+)"')


def _with_tab_names(xml: bytes) -> bytes:
    """An .ods's content with each visible, non-empty sheet's name that shows a year put before
    its cells, as `_read_sheets` does for Excel: a name is an attribute, which the tags' removal
    dropped, so a Calc summary whose months are only in its tabs ("ต.ค.65" ... "มี.ค.66") was a
    false "no 2566". Any other part is given back as it is.

    >>> ods = (b'<office:spreadsheet><table:table table:name="Mar 2023"><table:table-row><table:table-cell>'
    ...        b'<text:p>1</text:p></table:table-cell></table:table-row></table:table>'
    ...        b'<table:table table:name="2567"><table:table-row/></table:table></office:spreadsheet>')
    >>> _TAG.sub(b"", _with_tab_names(ods)).split()
    [b'Mar', b'2023', b'1']
    """
    if b"<office:spreadsheet" not in xml:
        return xml
    hidden = set(_ODS_HIDING.findall(xml))
    pieces, at = [], 0
    for m in _ODS_TABLE.finditer(xml):
        end = xml.find(b"</table:table>", m.end())
        inner = xml[m.end():end if end >= 0 else len(xml)]
        style = _ODS_STYLE.search(m.group(0))
        name = m.group(1)
        if (style is None or style.group(1) not in hidden) and _TAG.sub(b"", inner).strip() \
                and years_in(html.unescape(name.decode("utf-8", "replace"))):
            pieces += [xml[at:m.end()], b" ", name, b" "]
            at = m.end()
    return b"".join(pieces) + xml[at:] if pieces else xml


class _Unreadable(Exception):
    """openpyxl could not read the workbook."""


class _Reading:
    """The text read so far, and whether it settles `enough` or was cut short."""

    def __init__(self, enough: Sequence[Sequence[int]]) -> None:
        self.enough = [tuple(s) for s in enough]
        self.parts: list[str] = []
        self.size = 0
        self.years: set[int] = set()
        self.cut = False  # something was left unread

    def add(self, piece: str) -> bool:
        """Adds `piece`; True when reading should stop (settled, or at MAX_TEXT)."""
        self.parts.append(piece)
        self.size += len(piece)
        if self.enough:
            self.years.update(years_in(piece))
            if settled(self.years, self.enough):
                return True
        if self.size >= MAX_TEXT:
            self.cut = True
            return True
        return False

    def text(self) -> str | None:
        if self.cut and self.enough and not settled(self.years, self.enough):
            return None
        return " ".join(" ".join(self.parts).split())[:MAX_TEXT]


def _read_sheets(body: bytes, reading: _Reading) -> None:
    """An Excel workbook's cells as text, into `reading`: strings, dates as dates, whole numbers
    (a year typed as 2566); other numbers (amounts, decimals) are left out. Each visible sheet's
    name that shows a year comes before its cells, when it has any: a monthly summary's workbook
    names its months in its tabs ("ต.ค.65" ... "มี.ค.66"), often nowhere else, and read by its
    cells alone it was a false "no 2566"; an empty tab's name is no year of the file's data."""
    # Imported only when a run meets an Excel file: ~0.1 s.
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - a foreign file's parser: whatever it raises, the file is unread
        raise _Unreadable(str(e)) from e
    try:
        cells, rows, batch = 0, 0, []
        for sheet in book.worksheets:
            # A visible tab's name that shows a year, put before the sheet's first value: an empty
            # tab shows a year of nothing (a workbook with a blank "2566" tab beside its "2565" data
            # was a false ok; a hidden sheet's tab is not shown).
            title = sheet.title if sheet.sheet_state == "visible" and years_in(sheet.title) else None
            # At most MAX_COLUMNS, and only cells with a value count: openpyxl pads each row to the
            # sheet's stated size, which some exporters write as the whole grid (A1:XFD1048576).
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                values = len(row) - row.count(None)
                if title and values:
                    batch.append(title)
                    title = None
                cells += values
                rows += 1
                batch.extend(filter(None, map(_cell_text, row)))
                if len(batch) >= 1000 or cells >= MAX_CELLS or rows >= MAX_ROWS:
                    done = reading.add(" ".join(batch))
                    batch = []
                    if done:
                        return
                    if cells >= MAX_CELLS or rows >= MAX_ROWS:
                        reading.cut = True
                        return
        reading.add(" ".join(batch))
    except Exception as e:  # noqa: BLE001 - as above: the rows are parsed as they are walked
        raise _Unreadable(str(e)) from e
    finally:
        book.close()


def _cell_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return None
