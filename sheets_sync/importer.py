"""`sheets-sync import`: merging the URLs agencies send back in Excel or CSV files (issue 7).

Stages, each testable alone:

1. `read_source(path)`: the only file I/O. An .xlsx (openpyxl) or .csv file becomes a `Source`: sheets of
   cell values (merged ranges filled with their top-left value), hyperlink targets and the workbook's
   custom properties.
2. `locate_table(sheet, catalog)`: pure. Finds the item-code column and the URL column by their headers
   (ข้อ / รหัส / item ..., URL / ลิงก์ / ที่อยู่เว็บไซต์ ...) or, failing that, by content (a column of
   O-codes, a column of links), below any title rows.
3. `identify_agency(source, agencies, explicit)`: pure. `--agency`, a cell naming the agency (its code,
   or its Thai name compared without the อบต./ทต./เทศบาลตำบล ... prefix), or the file name. Zero or
   several candidates: it refuses, it never guesses.
4. `read_entries(...)`: pure. The table's rows -> one entry per item (its links, as typed without
   labels, or hyperlink targets) and the rows that could not be read.
5. `plan_merge(current, ...)`: pure. Fill an empty cell, leave the same URL, report a different URL as a
   conflict (replaced only with overwrite), report items the sheet has no row for.
6. `import_file(...)`: applies the plan through `Backend.write_urls`, which finds rows by key at write
   time and refuses a cell that changed since the plan.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from sheets_sync import normalize
from sheets_sync.backends import grid as g
from sheets_sync.collector import parse_cell
from sheets_sync.config import Agency, Catalog
from sheets_sync.models import RowKey, WriteReport

# Written into every template (see sheets_sync.template) and read back here.
AGENCY_PROPERTY = "sheets_sync_agency"

MAX_ROWS = 5000  # a form has 43 rows; an export of the whole sheet about 2,600
MAX_COLS = 60
HEADER_SCAN = 60  # the header row is looked for among the first rows


class ImportFileError(Exception):
    """The file cannot be read at all (missing, not a spreadsheet, damaged)."""


# ====================================================================== 1. reading files (I/O edge)
@dataclass(frozen=True)
class SheetCells:
    name: str
    rows: tuple[tuple[object, ...], ...]
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based -> target


@dataclass(frozen=True)
class Source:
    name: str  # the file name, also a clue to the agency
    sheets: tuple[SheetCells, ...]
    properties: Mapping[str, str] = field(default_factory=dict)


def read_source(path: str | Path) -> Source:
    path = Path(path)
    if not path.is_file():
        raise ImportFileError("file not found")
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods", ".numbers"):
        raise ImportFileError(f"{suffix} files are not read; open it in Excel or Google Sheets and save it as "
                              f".xlsx or .csv")
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as e:
        raise ImportFileError(f"cannot open: {e.strerror or e}") from None
    if is_zip or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return _read_csv(path)


def _read_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception as e:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(f"not a readable .xlsx file ({type(e).__name__}: {e})") from None
    cached = None
    sheets = []
    for ws in wb.worksheets:
        n_rows, n_cols = min(ws.max_row, MAX_ROWS), min(ws.max_column, MAX_COLS)
        rows: list[list[object]] = []
        links: dict[tuple[int, int], str] = {}
        for r, cells in enumerate(ws.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols)):
            values = []
            for c, cell in enumerate(cells):
                value = cell.value
                if isinstance(value, str) and value.startswith("=") and not _HYPERLINK_RE.match(value):
                    # another formula: use the value Excel or Google Sheets saved with it, if any
                    if cached is None:
                        cached = _load_cached(path)
                    saved = _cached_value(cached, ws.title, r, c)
                    value = saved if saved is not None else value
                elif value is not None and not isinstance(value, (str, int, float)):
                    value = str(value)  # dates, array formulas
                link = getattr(cell, "hyperlink", None)
                if link is not None and link.target:
                    links[(r, c)] = str(link.target)
                values.append(value)
            rows.append(values)
        for rng in ws.merged_cells.ranges:
            top = (rng.min_row - 1, rng.min_col - 1)
            if top[0] >= len(rows) or top[1] >= n_cols:
                continue
            value, link = rows[top[0]][top[1]], links.get(top)
            for r in range(rng.min_row - 1, min(rng.max_row, n_rows)):
                for c in range(rng.min_col - 1, min(rng.max_col, n_cols)):
                    rows[r][c] = value
                    if link:
                        links[(r, c)] = link
        sheets.append(SheetCells(ws.title, tuple(tuple(r) for r in rows), links))
    props = {}
    try:
        props = {p.name: str(p.value) for p in wb.custom_doc_props.props if p.value is not None}
    except AttributeError:
        pass
    return Source(name=path.name, sheets=tuple(sheets), properties=props)


def _load_cached(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=True)
    except Exception:
        return False


def _cached_value(wb, title: str, r: int, c: int) -> object:
    if not wb:
        return None
    value = wb[title].cell(row=r + 1, column=c + 1).value
    return value if value is None or isinstance(value, (str, int, float)) else str(value)


def _read_csv(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ImportFileError(f"cannot open: {e.strerror or e}") from None
    text = decode_csv(data)
    if text is None or "\0" in text:
        raise ImportFileError("neither a spreadsheet (.xlsx) nor a text (.csv) file")
    rows = parse_csv_text(text)
    return Source(name=path.name, sheets=(SheetCells(path.stem, tuple(tuple(r) for r in rows[:MAX_ROWS])),))


def decode_csv(data: bytes) -> str | None:
    """UTF-8 with or without BOM (Google Sheets, Excel "CSV UTF-8"), UTF-16 with BOM (Excel "Unicode
    text"), else Thai Windows (cp874, Excel's plain "CSV" on a Thai Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874")
    except UnicodeDecodeError:
        return None


def parse_csv_text(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    sample = "\n".join(lines)
    if "\t" in sample:
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    else:
        delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


# ====================================================================== 2. finding the table (pure)
_NOISE_RE = re.compile(r"[\s:：.()\[\]*\-_/#\"'“”]+")

ITEM_HEADERS = {"ข้อ", "ข้อที่", "รหัส", "รหัสข้อ", "รหัสรายการ", "รหัสข้อมูล", "ข้อรหัส", "ลำดับข้อ", "ข้อoit",
                "รหัสoit", "oit", "item", "items", "itemcode", "itemno", "code", "no", "number"}
WEAK_ITEM_HEADERS = {"no", "number"}  # often a running number beside the real item column
URL_HEADERS = {"url", "urls", "link", "links", "hyperlink", "website", "ลิงก์", "ลิ้งก์", "ลิงค์", "ลิ้งค์",
               "ที่อยู่เว็บไซต์", "ที่อยู่url", "เว็บไซต์", "urlลิงก์", "ลิงก์url"}
_URL_WORDS = ("url", "link", "ลิงก์", "ลิ้งก์", "ลิงค์", "ลิ้งค์", "ที่อยู่เว็บ")
_NOT_URL = ("ปลายทาง", "final", "redirect")  # the worker's "URL ปลายทาง" column of the shared sheet
AGENCY_HEADERS = {"รหัสหน่วยงาน", "agency", "agencycode"}


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

    def describe(self) -> str:
        where = f"header row {self.header_row + 1}" if self.header_row is not None else "no header row"
        return (f"sheet {self.sheet!r}, {where}, item codes in column {_letter(self.item_col)}, "
                f"links in column {_letter(self.url_col)} (found by {self.how})")


def _letter(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


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
        item_col = _best_item_column(rows, r, item_cols, catalog) if item_cols else None
        if item_col is not None and url_col is not None:
            return Table(sheet.name, r, item_col, url_col, agency_col, "headers")
        if partial is None and (item_cols or (url_col is not None and scores[url_col] >= 2)):
            partial = (r, item_col, url_col, agency_col)
    if partial is not None:
        r, item_col, url_col, agency_col = partial
        below = rows[r + 1:]
        if item_col is None:
            item_col = _item_column(below, catalog, exclude={url_col})
        else:
            url_col = _url_column(below, sheet.links, r + 1, exclude={item_col})
        if item_col is not None and url_col is not None:
            return Table(sheet.name, r, item_col, url_col, agency_col, "header and content")
    item_col = _item_column(rows, catalog, exclude=set())
    if item_col is None:
        return None
    url_col = _url_column(rows, sheet.links, 0, exclude={item_col})
    if url_col is None:
        return None
    return Table(sheet.name, None, item_col, url_col, None, "content")


# ====================================================================== 3. which agency (pure)
# Type prefixes of Thai local government names, longest first in the pattern. Agencies change type
# (an อบต. becomes a เทศบาลตำบล), so names are compared without them; the type only breaks ties.
_PREFIXES = {
    "องค์การบริหารส่วนตำบล": "อบต", "อบต.": "อบต", "อบต": "อบต",
    "องค์การบริหารส่วนจังหวัด": "อบจ", "อบจ.": "อบจ", "อบจ": "อบจ",
    "เทศบาลตำบล": "ทต", "ทต.": "ทต",
    "เทศบาลเมือง": "ทม", "ทม.": "ทม",
    "เทศบาลนคร": "ทน", "ทน.": "ทน",
    "จังหวัด": "จ", "จ.": "จ",
}
# "จังหวัดลำพูน" ends every address in the province, so the province office counts only when a cell
# names it alone ("หน่วยงาน: จังหวัดลำพูน").
_WEAK = {"จ"}
_PREFIX_RE = re.compile("|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True)))
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_LABEL_RE = re.compile(r"^[^:：]{1,40}[:：]\s*")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return re.sub(r"\s+", " ", text).strip()


def _split_name(name: str) -> tuple[str | None, str]:
    """(type, core): "องค์การบริหารส่วนตำบลเหล่ายาว" -> ("อบต", "เหล่ายาว")."""
    name = _clean(name)
    m = _PREFIX_RE.match(name)
    if m and name[m.end():].strip():
        return _PREFIXES[m[0]], name[m.end():].strip().replace(" ", "")
    return None, name.replace(" ", "")


@dataclass(frozen=True)
class Clue:
    code: str
    how: str  # where it was found, for the report


class AgencyMatcher:
    def __init__(self, agencies: Sequence[Agency]) -> None:
        self.agencies = {a.code: a for a in agencies}
        self.codes = {a.code.lower(): a.code for a in agencies}
        self.cores: dict[str, list[tuple[str | None, str]]] = defaultdict(list)  # core -> [(type, code)]
        self.plain: list[tuple[str, str]] = []  # names without a known prefix: (name, code)
        for a in agencies:
            kind, core = _split_name(a.name)
            if kind is None:
                self.plain.append((core, a.code))
            elif core:
                self.cores[core].append((kind, a.code))

    def code_in_cell(self, text: str) -> str | None:
        """A cell that is an agency code, alone or after a label ("รหัสหน่วยงาน: abt-laoyao")."""
        text = _clean(text)
        for candidate in (text, _LABEL_RE.sub("", text)):
            if candidate.lower() in self.codes:
                return self.codes[candidate.lower()]
        return None

    def names_in(self, text: str) -> set[str]:
        """Codes of the agencies a text names with a type prefix (อบต.เหล่ายาว, เทศบาลตำบลลี้ ...)."""
        text = _clean(text)
        bare = _LABEL_RE.sub("", text).replace(" ", "")
        squeezed = text.replace(" ", "")
        found: set[str] = set()
        for m in _PREFIX_RE.finditer(squeezed):
            kind = _PREFIXES[m[0]]
            rest = squeezed[m.end():]
            cores = [c for c in self.cores if rest.startswith(c)]
            if not cores:
                continue
            core = max(cores, key=len)
            if kind in _WEAK and bare not in (m[0] + core, "สำนักงาน" + m[0] + core):
                continue
            owners = self.cores[core]
            same_type = [code for k, code in owners if k == kind]
            found.update(same_type or [code for _, code in owners])
        for name, code in self.plain:
            if name and name in squeezed:
                found.add(code)
        return found

    def in_file_name(self, name: str) -> set[str]:
        stem = _clean(Path(name).stem)
        found = {code for low, code in self.codes.items()
                 if re.search(rf"(?<![a-z0-9]){re.escape(low)}(?![a-z0-9])", stem.lower())}
        found |= self.names_in(stem)
        if found:
            return found
        # "ITA66_เหล่ายาว.xlsx": a core name without its prefix, if only one agency has it
        squeezed = stem.replace(" ", "")
        hits = [core for core, owners in self.cores.items()
                if len(owners) == 1 and owners[0][0] not in _WEAK and len(core) >= 2 and core in squeezed]
        hits = [c for c in hits if not any(c != o and c in o for o in hits)]
        return {self.cores[c][0][1] for c in hits}


@dataclass(frozen=True)
class Identification:
    code: str | None
    clues: tuple[Clue, ...] = ()
    error: str | None = None
    how: str = ""


def find_clues(source: Source, agencies: Sequence[Agency]) -> tuple[Clue, ...]:
    matcher = AgencyMatcher(agencies)
    clues: dict[str, Clue] = {}

    def add(code: str, how: str) -> None:
        clues.setdefault(code, Clue(code, how))

    prop = source.properties.get(AGENCY_PROPERTY)
    if prop:
        code = matcher.code_in_cell(prop)
        add(code or prop.strip(), f"the form's built-in agency code {prop.strip()!r}")
    for sheet in source.sheets:
        seen: set[str] = set()
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                text = g.text(value)
                if not text or text in seen or len(text) > 500:
                    continue
                seen.add(text)
                where = f"cell {sheet.name}!{_letter(c)}{r + 1} {text[:60]!r}"
                code = matcher.code_in_cell(text)
                if code:
                    add(code, where)
                for code in sorted(matcher.names_in(text)):
                    add(code, where)
    for code in sorted(matcher.in_file_name(source.name)):
        add(code, f"the file name {source.name!r}")
    return tuple(clues.values())


def identify_agency(source: Source, agencies: Sequence[Agency], explicit: str | None = None) -> Identification:
    """The agency a file belongs to, or an error saying why it cannot be told. Never a guess."""
    known = {a.code for a in agencies}
    clues = find_clues(source, agencies)
    named = [c for c in clues if c.code in known]
    unknown = [c for c in clues if c.code not in known]
    if explicit is not None:
        if explicit not in known:
            return Identification(None, clues, f"unknown agency code {explicit!r} (see the agencies tab)")
        codes = {c.code for c in named}
        if codes and explicit not in codes:
            listed = "; ".join(f"{c.code} ({c.how})" for c in named)
            return Identification(None, clues, f"--agency {explicit} but the file names another agency: {listed}. "
                                               f"Check that this is the right file")
        return Identification(explicit, clues, how="--agency")
    if unknown:
        return Identification(None, clues, f"the form was made for agency code {unknown[0].code!r}, which is not in "
                                           f"the agencies tab; add the agency or give --agency CODE")
    if len(named) == 1:
        return Identification(named[0].code, clues, how=named[0].how)
    if not named:
        return Identification(None, clues, "cannot tell which agency this file belongs to: no agency code or name "
                                           "in its cells or its file name; give --agency CODE")
    listed = "; ".join(f"{c.code} ({c.how})" for c in named[:5])
    more = f" and {len(named) - 5} more" if len(named) > 5 else ""
    return Identification(None, clues, f"the file names several agencies: {listed}{more}; give --agency CODE")


# ====================================================================== 4. the rows (pure)
@dataclass(frozen=True)
class Entry:
    item: str
    url_text: str  # the links, one a line: as typed without labels, or hyperlink targets
    where: str  # "sheet 'x' row 7"


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


_HYPERLINK_RE = re.compile(r'=\s*HYPERLINK\s*\(\s*"([^"]*)"', re.I)
_WHY = {"malformed": "not a web address", "bad_scheme": "not an http(s) link", "too_long": "too long"}


def links_in(value: object, link: str | None) -> tuple[list[str], list[str]]:
    """(links to import, pieces that are not usable links, each with why) for one URL cell. A hyperlink's
    target wins over its display text; =HYPERLINK("url", "label") gives its url."""
    link_bad: list[str] = []
    if link:
        good, link_bad = _split_links(link)
        if good:
            return good, []
        link_bad = [f"hyperlink to {b}" for b in link_bad]
    text = g.url_cell_text(value)
    m = _HYPERLINK_RE.match(text)
    good, bad = _split_links(m[1] if m else text)
    return good, (bad + link_bad if not good else bad)


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
    by_name = {s.name: s for s in source.sheets}
    links_by_item: dict[str, list[str]] = {}
    where_by_item: dict[str, str] = {}
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
            good, bad = links_in(url_value, link)
            if not good:
                unreadable.append(Unreadable(where, f"{code}: no usable link in {', '.join(bad) or _short(url_text)}"))
                continue
            if bad:
                unreadable.append(Unreadable(where, f"{code}: left out {', '.join(bad)}; imported the other link(s)"))
            if code in empty:
                empty.remove(code)
            have = links_by_item.setdefault(code, [])
            have.extend(u for u in good if u not in have)
            where_by_item.setdefault(code, where)
    entries = tuple(Entry(code, "\n".join(urls), where_by_item[code]) for code, urls in links_by_item.items())
    return Parsed(entries, tuple(unreadable), tuple(sorted(empty, key=lambda c: int(c[1:]))), other)


# ====================================================================== 5. the merge plan (pure)
class Outcome(str, Enum):
    FILL = "fill"  # the sheet's cell is empty
    SAME = "same"  # the sheet already has these links
    CONFLICT = "conflict"  # the sheet has other links: left alone
    OVERWRITE = "overwrite"  # the sheet has other links: replaced (--overwrite)
    NO_ROW = "no_row"  # the sheet has no row for the key


@dataclass(frozen=True)
class Step:
    key: RowKey
    outcome: Outcome
    current: str
    new: str
    where: str


def same_links(a: str, b: str) -> bool:
    """Equal as typed, or the same URLs once normalised (host case, missing trailing /)."""
    if a.strip() == b.strip():
        return True
    ca, cb = parse_cell(a), parse_cell(b)
    return bool(ca) and all(c.valid for c in ca + cb) and [c.url for c in ca] == [c.url for c in cb]


def plan_merge(current: Mapping[RowKey, str], agency: str, entries: Iterable[Entry],
               overwrite: bool = False) -> tuple[Step, ...]:
    steps = []
    for e in entries:
        key = RowKey(agency, e.item)
        if key not in current:
            steps.append(Step(key, Outcome.NO_ROW, "", e.url_text, e.where))
            continue
        now = current[key]
        if not now.strip():
            outcome = Outcome.FILL
        elif same_links(now, e.url_text):
            outcome = Outcome.SAME
        else:
            outcome = Outcome.OVERWRITE if overwrite else Outcome.CONFLICT
        steps.append(Step(key, outcome, now, e.url_text, e.where))
    return tuple(steps)


def writes_of(steps: Iterable[Step]) -> dict[RowKey, tuple[str, str]]:
    """What Backend.write_urls receives: key -> (URL text the plan saw, new URL text)."""
    return {s.key: (s.current, s.new) for s in steps if s.outcome in (Outcome.FILL, Outcome.OVERWRITE)}


# ====================================================================== 6. one file, end to end
@dataclass(frozen=True)
class FileReport:
    path: str
    error: str | None = None  # the file or its agency could not be identified: nothing done
    agency: str | None = None
    agency_name: str = ""
    how: str = ""
    tables: tuple[Table, ...] = ()
    steps: tuple[Step, ...] = ()
    parsed: Parsed | None = None
    write: WriteReport | None = None
    dry_run: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for s in self.steps if s.outcome is outcome)


NO_TABLE = ("no table of item codes and links found: looked for a header row with ข้อ/รหัส/item and "
            "URL/ลิงก์/ที่อยู่เว็บไซต์, and for a column of O-codes (O1..O43) beside a column of links; "
            "this does not look like an OIT URL form")


def parse_source(source: Source, catalog: Catalog, agencies: Sequence[Agency],
                 explicit: str | None = None) -> tuple[Identification | None, tuple[Table, ...], Parsed | None,
                                                        str | None]:
    """Tables, agency and entries of a file read into memory. The last value is the reason the file
    cannot be imported, if any."""
    tables = tuple(t for t in (locate_table(s, catalog) for s in source.sheets) if t is not None)
    if not tables:
        return None, (), None, NO_TABLE
    ident = identify_agency(source, agencies, explicit)
    if ident.error:
        return ident, tables, None, ident.error
    parsed = read_entries(source, tables, catalog, ident.code)
    if not parsed.entries and not parsed.empty_items and not parsed.unreadable:
        return ident, tables, parsed, NO_TABLE
    return ident, tables, parsed, None


def import_file(path: str | Path, backend, catalog: Catalog, agency: str | None = None,
                dry_run: bool = False, overwrite: bool = False) -> FileReport:
    """Reads one file and merges it into the sheet through `backend` (the sheet is read fresh)."""
    shown = str(path)
    try:
        source = read_source(path)
    except ImportFileError as e:
        return FileReport(shown, error=str(e), dry_run=dry_run)
    snapshot = backend.read(catalog)
    ident, tables, parsed, error = parse_source(source, catalog, snapshot.agencies, agency)
    if error:
        return FileReport(shown, error=error, tables=tables, dry_run=dry_run)
    assert ident is not None and ident.code is not None and parsed is not None
    name = next((a.name for a in snapshot.agencies if a.code == ident.code), "")
    current = {r.key: r.url_text for r in snapshot.rows if r.key.agency == ident.code}
    steps = plan_merge(current, ident.code, parsed.entries, overwrite)
    write = None
    if not dry_run:
        todo = writes_of(steps)
        write = backend.write_urls(todo) if todo else WriteReport()
    return FileReport(shown, agency=ident.code, agency_name=name, how=ident.how, tables=tables, steps=steps,
                      parsed=parsed, write=write, dry_run=dry_run)


def report_lines(rep: FileReport) -> list[str]:
    """The per-file report in plain English, for a coordinator."""
    if rep.error:
        return [f"{rep.path}: NOT IMPORTED: {rep.error}"]
    lines = [f"{rep.path}: agency {rep.agency} {rep.agency_name} (from {rep.how})"]
    lines += [f"  read {t.describe()}" for t in rep.tables]
    would = "would be " if rep.dry_run else ""
    stale = set(rep.write.stale) | set(rep.write.missing) if rep.write else set()

    def items(steps) -> str:
        return " ".join(s.key.item for s in steps)

    filled = [s for s in rep.steps if s.outcome is Outcome.FILL and s.key not in stale]
    replaced = [s for s in rep.steps if s.outcome is Outcome.OVERWRITE and s.key not in stale]
    lines.append(f"  {would}filled {len(filled)}" + (f": {items(filled)}" if filled else ""))
    if replaced:
        lines.append(f"  {would}replaced {len(replaced)} (--overwrite):")
        lines += [f"    {s.key.item}: was {_one_line(s.current)} now {_one_line(s.new)}" for s in replaced]
    lines.append(f"  already the same {rep.count(Outcome.SAME)}")
    conflicts = [s for s in rep.steps if s.outcome is Outcome.CONFLICT]
    if conflicts:
        lines.append(f"  conflicts {len(conflicts)}, left as they are in the sheet (use --overwrite to replace):")
        lines += [f"    {s.key.item} ({s.where}): sheet {_one_line(s.current)} / file {_one_line(s.new)}"
                  for s in conflicts]
    else:
        lines.append("  conflicts 0")
    no_row = [s for s in rep.steps if s.outcome is Outcome.NO_ROW]
    if no_row:
        lines.append(f"  no row in the sheet for {items(no_row)} (run `sheets-sync init`, then import again)")
    if stale:
        lines.append(f"  changed in the sheet meanwhile, not written: "
                     f"{' '.join(k.item for k in sorted(stale, key=lambda k: int(k.item[1:])))} (import again)")
    parsed = rep.parsed
    if parsed is not None:
        if parsed.unreadable:
            lines.append(f"  could not read {len(parsed.unreadable)}:")
            lines += [f"    {u.where}: {u.why}" for u in parsed.unreadable]
        else:
            lines.append("  could not read 0")
        if parsed.empty_items:
            lines.append(f"  no link in the file for {len(parsed.empty_items)} item(s): {' '.join(parsed.empty_items)}")
        if parsed.other_agency_rows:
            lines.append(f"  skipped {parsed.other_agency_rows} row(s) of other agencies")
    return lines


def _one_line(text: str) -> str:
    return " | ".join(text.split("\n")) or "(empty)"


def run_cli(config, backend, args) -> int:
    """`sheets-sync import FILE... [--agency CODE] [--dry-run] [--overwrite]`."""
    from sheets_sync.errors import UsageError

    if args.agency is not None:
        codes = {a.code for a in backend.read(config.catalog).agencies}
        if args.agency not in codes:
            raise UsageError(f"unknown agency code {args.agency!r} (see the agencies tab)")
    refused = 0
    if args.dry_run:
        print("dry run: nothing is written to the sheet")
    for path in args.files:
        rep = import_file(path, backend, config.catalog, agency=args.agency, dry_run=args.dry_run,
                          overwrite=args.overwrite)
        refused += rep.error is not None
        for line in report_lines(rep):
            print(line)
    return 2 if refused else 0
