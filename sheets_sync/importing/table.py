"""`sheets-sync import`, stages 2 and 4: the table of item codes and links in a file, and its rows.

* `locate_table(sheet, catalog)`: finds the item-code column and the URL column by their headers
  (ข้อ / รหัส / item ..., URL / ลิงก์ / ที่อยู่เว็บไซต์ ...) or, failing that, by content (a column of
  O-codes, a column of links), below any title rows.
* `read_entries(...)`: the table's rows -> one entry per item (its links, as typed without labels,
  or hyperlink targets) and the rows that could not be read.

Both are pure: they work on a `Source` already read by `import_read`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from sheets_sync.collect.cells import parse_cell
from sheets_sync.config.settings import Catalog
from sheets_sync.core import normalize
from sheets_sync.importing.read import HYPERLINK_RE, SheetCells, Source, column_letter
from sheets_sync.sheet import grid as g

HEADER_SCAN = 60  # the header row is looked for among the first rows


# ====================================================================== finding the table
_NOISE_RE = re.compile(r"[\s:：.()\[\]*\-_/#\"'“”]+")

ITEM_HEADERS = {"ข้อ", "ข้อที่", "รหัส", "รหัสข้อ", "รหัสรายการ", "รหัสข้อมูล", "ข้อรหัส", "ลำดับข้อ", "ข้อoit",
                "รหัสoit", "oit", "item", "items", "itemcode", "itemno", "code", "no", "number"}
WEAK_ITEM_HEADERS = {"no", "number"}  # often a running number beside the real item column
URL_HEADERS = {"url", "urls", "link", "links", "hyperlink", "website", "ลิงก์", "ลิ้งก์", "ลิงค์", "ลิ้งค์",
               "ที่อยู่เว็บไซต์", "ที่อยู่url", "เว็บไซต์", "urlลิงก์", "ลิงก์url"}
_URL_WORDS = ("url", "link", "ลิงก์", "ลิ้งก์", "ลิงค์", "ลิ้งค์", "ที่อยู่เว็บ")
_NOT_URL = ("ปลายทาง", "final", "redirect")  # the worker's "URL ปลายทาง" column of the shared sheet
AGENCY_HEADERS = {"รหัสหน่วยงาน", "agency", "agencycode"}
# ITAS's "คำอธิบายเพิ่มเติม" beside each URL (the template's column). A bare "หมายเหตุ" is not taken:
# in agencies' own files it holds remarks for the province, which must not reach ITAS.
EXPLANATION_HEADERS = {"คำอธิบายเพิ่มเติม", "คำอธิบาย", "explanation", "description", "คำอธิบายurl"}


def _header_key(value: object) -> str:
    return _NOISE_RE.sub("", g.text(value).lower())


def _url_header_score(value: object) -> int:
    """3 for a URL header word, 2 when one starts the header, 1 when one is inside it, 0 otherwise."""
    key = _header_key(value)
    if not key or len(key) > 40 or any(w in key for w in _NOT_URL):
        return 0
    if key in URL_HEADERS:
        return 3
    if key.startswith(_URL_WORDS):
        return 2
    return 1 if any(w in key for w in _URL_WORDS) else 0


@dataclass(frozen=True)
class Table:
    sheet: str
    header_row: int | None  # 0-based; None when found by content only
    item_col: int
    url_col: int
    agency_col: int | None = None
    how: str = ""  # "headers", "header and content", "content"
    explanation_col: int | None = None  # only found by its header

    def describe(self) -> str:
        where = f"header row {self.header_row + 1}" if self.header_row is not None else "no header row"
        return (f"sheet {self.sheet!r}, {where}, item codes in column {column_letter(self.item_col)}, "
                f"links in column {column_letter(self.url_col)} (found by {self.how})")


_LEAD_CODE_RE = re.compile(r"^\s*([oOอ๐0]?\s*[-.]?\s*[0-9๐-๙]{1,3})(?:\s*[.)]?\s+|\s*[:)]\s*)(?=\S)")


def item_of(value: object) -> str | None:
    """The item code a cell holds (O1, o01, ๐๑, 1, 1.0, "O1 โครงสร้าง", "1. โครงสร้าง"), or None.

    >>> [item_of(v) for v in ["๐๑", "o02", "O1 โครงสร้าง", "12. ข้อมูล", "9.1 ข้อมูลพื้นฐาน", "หมายเหตุ"]]
    ['O1', 'O2', 'O1', 'O12', None, None]
    """
    code = normalize.item_code(value)
    if code is None and isinstance(value, str):
        m = _LEAD_CODE_RE.match(unicodedata.normalize("NFC", value))
        code = normalize.item_code(m[1]) if m else None
    return code


# Another code after the leading one, joined to it ('O1 และ O2', '1 และ 2', 'O5 ถึง O7', 'O1 , O2'), or an
# O-code written with its letter further on ('O4 (ลิงก์เดียวกับ O5)'); a year or a title's number is neither.
_JOINED_CODE_RE = re.compile(r"\s*(?:และ|กับ|หรือ|ถึง|and|or|to|[,/&+~\-–])\s*([oOอ๐0]?\s*[0-9๐-๙]{1,3})(?![0-9๐-๙])",
                             re.I)
_LETTERED_CODE_RE = re.compile(r"(?<![A-Za-z0-9])[oO]\s?[0-9๐-๙]{1,3}(?![0-9๐-๙])")


def also_named(value: object, code: str) -> list[str]:
    """The items a cell names besides its leading `code` (item_of's): one link given for several items.

    >>> also_named("O1 และ O2", "O1"), also_named("1 และ 2", "O1"), also_named("O4 (ลิงก์เดียวกับ O5)", "O4")
    (['O2'], ['O2'], ['O5'])
    >>> also_named("O10 - 2566", "O10"), also_named("O12 รายงาน รอบ 6 เดือน", "O12"), also_named("O1", "O1")
    ([], [], [])
    """
    if not isinstance(value, str):
        return []
    text = unicodedata.normalize("NFC", value)
    lead = _LEAD_CODE_RE.match(text)
    if lead is None:
        return []
    rest = text[lead.end():]
    joined = _JOINED_CODE_RE.match(rest)
    named = ([joined[1]] if joined else []) + _LETTERED_CODE_RE.findall(rest)
    return [c for c in dict.fromkeys(map(normalize.item_code, named)) if c and c != code]


def _lettered(value: object) -> bool:
    """An O-code written with its letter (O1, o01, อ1) or the seed's Thai zero (๐๑): not a bare number."""
    text = g.text(value)
    return bool(text) and text[0] in "oOอ๐0" and not isinstance(value, (int, float))


def _has_link(value: object, link: str | None) -> bool:
    if link and any(c.valid for c in parse_cell(link)):
        return True
    text = g.text(value)
    return bool(text) and any(c.valid for c in parse_cell(text))


def _item_column(rows: Sequence[Sequence[object]], catalog: Catalog, exclude: set[int]) -> int | None:
    """A column of O-codes (written with the letter): at least two different items of the catalogue."""
    found: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        for c, value in enumerate(row):
            if c in exclude or not _lettered(value):
                continue
            code = item_of(value)
            if code and catalog.item(code):
                found[c].add(code)
    best = max(found, key=lambda c: (len(found[c]), -c), default=None)
    return best if best is not None and len(found[best]) >= 2 else None


def _url_column(rows: Sequence[Sequence[object]], links: Mapping[tuple[int, int], str], offset: int,
                exclude: set[int]) -> int | None:
    counts: dict[int, int] = defaultdict(int)
    for r, row in enumerate(rows, start=offset):
        for c, value in enumerate(row):
            if c not in exclude and _has_link(value, links.get((r, c))):
                counts[c] += 1
    return max(counts, key=lambda c: (counts[c], -c), default=None)


def _best_item_column(rows: Sequence[Sequence[object]], r: int, cols: Sequence[int], catalog: Catalog) -> int:
    """Of several item-like headers ("No." and "Item"), the column holding O-codes, else the stronger header."""
    if len(cols) == 1:
        return cols[0]

    def rank(c: int) -> tuple[int, bool, int]:
        lettered = sum(1 for row in rows[r + 1:] if _lettered(g.cell(row, c)) and item_of(g.cell(row, c)))
        return lettered, _header_key(rows[r][c]) not in WEAK_ITEM_HEADERS, -c

    return max(cols, key=rank)


def _numbered_by_codes(below: Sequence[Sequence[object]], item_col: int, url_col: int | None,
                       catalog: Catalog) -> int:
    """The item column a header named, unless it holds only bare numbers and another column holds
    O-codes written with their letter: a running number headed ข้อ or No. beside titles such as
    "O12 รายงานการกำกับติดตาม ..." (a form listing only some items) put O12's link on O1."""
    if any(_lettered(g.cell(row, item_col)) and item_of(g.cell(row, item_col)) for row in below):
        return item_col
    coded = _item_column(below, catalog, exclude={item_col} | ({url_col} if url_col is not None else set()))
    return item_col if coded is None else coded


def locate_table(sheet: SheetCells, catalog: Catalog) -> Table | None:
    """The header row and the item and URL columns of one sheet, or None when it holds no such table."""
    rows = sheet.rows
    scan = min(len(rows), HEADER_SCAN)
    partial = None
    for r in range(scan):
        item_cols = [c for c, v in enumerate(rows[r]) if _header_key(v) in ITEM_HEADERS]
        scores = {c: _url_header_score(v) for c, v in enumerate(rows[r]) if c not in item_cols}
        url_col = max((c for c in scores if scores[c]), key=lambda c: (scores[c], -c), default=None)
        agency_col = next((c for c, v in enumerate(rows[r]) if _header_key(v) in AGENCY_HEADERS), None)
        explanation_col = next((c for c, v in enumerate(rows[r])
                                if _header_key(v) in EXPLANATION_HEADERS and c != url_col), None)
        item_col = _best_item_column(rows, r, item_cols, catalog) if item_cols else None
        if item_col is not None:
            item_col = _numbered_by_codes(rows[r + 1:], item_col, url_col, catalog)
        if item_col is not None and url_col is not None:
            return Table(sheet.name, r, item_col, url_col, agency_col, "headers", explanation_col)
        if partial is None and (item_cols or (url_col is not None and scores[url_col] >= 2)):
            partial = (r, item_col, url_col, agency_col, explanation_col)
    if partial is not None:
        r, item_col, url_col, agency_col, explanation_col = partial
        below = rows[r + 1:]
        if item_col is None:
            item_col = _item_column(below, catalog, exclude={url_col})
        else:
            url_col = _url_column(below, sheet.links, r + 1, exclude={item_col})
        if item_col is not None and url_col is not None:
            return Table(sheet.name, r, item_col, url_col, agency_col, "header and content",
                         explanation_col if explanation_col not in (item_col, url_col) else None)
    item_col = _item_column(rows, catalog, exclude=set())
    if item_col is None:
        return None
    url_col = _url_column(rows, sheet.links, 0, exclude={item_col})
    if url_col is None:
        return None
    return Table(sheet.name, None, item_col, url_col, None, "content")


# ====================================================================== the rows
@dataclass(frozen=True)
class Entry:
    item: str
    url_text: str  # the links, one a line: as typed without labels, or hyperlink targets
    where: str  # "sheet 'x' row 7"
    explanation: str = ""  # the file's "คำอธิบายเพิ่มเติม" for the item, when it has that column


@dataclass(frozen=True)
class Unreadable:
    where: str
    why: str


@dataclass(frozen=True)
class Parsed:
    entries: tuple[Entry, ...]
    unreadable: tuple[Unreadable, ...]
    empty_items: tuple[str, ...]  # items listed in the file without a link
    other_agency_rows: int = 0


_WHY = {"malformed": "not a web address", "bad_scheme": "not an http(s) link", "too_long": "too long"}


def links_in(value: object, link: str | None) -> tuple[list[str], list[str], str]:
    """(links to import, pieces that are not usable links, each with why, and a clash) for one URL cell.

    A hyperlink over a label ("คลิกที่นี่") gives its target; =HYPERLINK("url", "label") gives its url.
    A hyperlink over a cell that shows addresses of its own is read with them: the target when the
    cell shows it (with the other links the cell shows: Excel links a cell of two links to its first
    alone), and nothing when the cell shows other addresses: Excel keeps a typed-over cell's old link
    and "Edit Hyperlink" changes the link, not the text, so which one the agency meant cannot be told
    (the target of a row copied from O4 and typed over with O5's link was imported as O5's). The
    clash then says both, and the item is not imported."""
    text = g.url_cell_text(value)
    m = HYPERLINK_RE.match(text)
    shown, bad = _split_links(m[1] if m else text)
    if link:
        linked, link_bad = _split_links(link)
        if linked and not shown:
            return linked, [], ""
        if linked:
            targets = {_address(u) for u in linked}
            if not targets <= {_address(u) for u in shown}:
                return [], [], (f"the cell shows {_short(' '.join(shown))} but its hyperlink goes to "
                                f"{_short(' '.join(linked))}")
            return linked + [u for u in shown if _address(u) not in targets], [], ""
        if not shown:
            return [], bad + [f"hyperlink to {b}" for b in link_bad], ""
    return shown, bad, ""


def _address(raw: str) -> str:
    """A link as compared with another: the URL it opens, without a trailing '/' or a fragment that
    points into the page (a cell showing '…/o5.pdf' linked to '…/o5.pdf#page=3' means one document).
    A route after '#/' or '#!/' is kept: on a site that routes by it ('…/#/ita/o5') it is the page."""
    found = parse_cell(raw)
    url, _, fragment = (found[0].url if found and found[0].url else raw).partition("#")
    return (url.rstrip("/") + (f"#{fragment}" if fragment.startswith(("/", "!")) else "")).rstrip("/")


def _split_links(text: str) -> tuple[list[str], list[str]]:
    good, bad = [], []
    for c in parse_cell(text):
        if c.valid:
            good.append(c.raw)
        else:
            why = ", ".join(_WHY.get(r, r) for r in c.reasons if r in _WHY) or "not a link"
            bad.append(f"{_short(c.raw)} ({why})")
    return good, bad


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


def read_entries(source: Source, tables: Sequence[Table], catalog: Catalog, agency: str | None) -> Parsed:
    """The located tables' rows as one entry per item, and the rows that could not be read. With an
    agency column, rows of other agencies are counted and skipped."""
    by_name = {s.name: s for s in source.sheets}
    links_by_item: dict[str, list[str]] = {}
    explanations: dict[str, list[str]] = {}
    where_by_item: dict[str, str] = {}
    by_sheet: dict[str, dict[str, list[str]]] = {}  # item -> sheet -> its links there
    unreadable: list[Unreadable] = []
    empty: list[str] = []
    other = 0
    for t in tables:
        sheet = by_name[t.sheet]
        start = t.header_row + 1 if t.header_row is not None else None
        for r, row in enumerate(sheet.rows):
            if start is not None and r < start:
                continue
            where = f"sheet {t.sheet!r} row {r + 1}" if len(tables) > 1 else f"row {r + 1}"
            item_value = g.cell(row, t.item_col)
            url_value = g.cell(row, t.url_col)
            code = item_of(item_value)
            if start is None:  # found by content: rows above the first item are titles
                if code is None and not where_by_item and not links_by_item and not empty:
                    continue
            item_text = g.text(item_value)
            url_text = g.url_cell_text(url_value)
            link = sheet.links.get((r, t.url_col))
            if t.agency_col is not None and agency is not None:
                owner = g.text(g.cell(row, t.agency_col))
                if owner and owner != agency:
                    other += bool(url_text or link)
                    continue
            if not url_text and not link:
                if code and catalog.item(code) and code not in links_by_item and code not in empty:
                    empty.append(code)
                continue
            if code is None:
                why = (f"cannot read the item code {_short(item_text)}" if item_text
                       else "a link without an item code")
                unreadable.append(Unreadable(where, f"{why}: {_short(url_text or link or '')}"))
                continue
            if catalog.item(code) is None:
                unreadable.append(Unreadable(where, f"{code} is not an item of the {catalog.year} list "
                                                    f"(O1..O{len(catalog.items)})"))
                continue
            others = also_named(item_value, code)
            if others:
                # Whether the link serves each item, or only one of them, the row cannot tell; read as its first
                # code alone, the others were left empty without a word.
                unreadable.append(Unreadable(where, f"{code}: not imported: the item cell {_short(item_text)} names "
                                                    f"{' '.join([code, *others])} with one link; give each item its "
                                                    f"own row (the same link on each if it serves them all)"))
                continue
            good, bad, clash = links_in(url_value, link)
            if clash:
                unreadable.append(Unreadable(where, f"{code}: not imported: {clash}; which one is meant cannot be "
                                                    f"told (a typed-over cell keeps its old hyperlink): make them "
                                                    f"agree in the file, or type the link into the sheet"))
                continue
            if not good:
                unreadable.append(Unreadable(where, f"{code}: no usable link in {', '.join(bad) or _short(url_text)}"))
                continue
            if bad:
                unreadable.append(Unreadable(where, f"{code}: left out {', '.join(bad)}; imported the other link(s)"))
            if code in empty:
                empty.remove(code)
            have = links_by_item.setdefault(code, [])
            for u in good:  # the same link typed twice (host case, a trailing '/') is one link
                if _address(u) not in map(_address, have):
                    have.append(u)
            by_sheet.setdefault(code, {}).setdefault(t.sheet, []).extend(good)
            where_by_item.setdefault(code, where)
            said = g.url_cell_text(g.cell(row, t.explanation_col)) if t.explanation_col is not None else ""
            if said and said not in explanations.setdefault(code, []):
                explanations[code].append(said)
    for code, sheets in by_sheet.items():
        # One item in two sheets with other links: a copy of the form kept beside the one the agency
        # corrected ("ส่ง URL (2)"), not a round of its own; both sheets' links were imported as one.
        if len({frozenset(map(_address, urls)) for urls in sheets.values()}) > 1:
            del links_by_item[code]
            unreadable.append(Unreadable(where_by_item[code], f"{code}: not imported: " + ", ".join(
                f"sheet {name!r} gives {_short(' '.join(urls))}" for name, urls in sheets.items())
                + "; the sheets disagree (an older copy of the form?): keep the right sheet only"))
    entries = tuple(Entry(code, "\n".join(urls), where_by_item[code], "\n".join(explanations.get(code, ())))
                    for code, urls in links_by_item.items())
    return Parsed(entries, tuple(unreadable), tuple(sorted(empty, key=lambda c: int(c[1:]))), other)

