"""`sheets-sync import`, stage 1: reading a file into grids, the importer's only file I/O.

`read_source(path)` turns an .xlsx (openpyxl) or .csv file into a `Source`: sheets of cell values
(merged ranges filled with their top-left value), hyperlink targets and the workbook's custom
properties. Everything after this stage is pure and works on a `Source`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from openpyxl.utils import get_column_letter

from sheets_sync.core.cellsafe import looks_like_formula
from sheets_sync.sheet.xlsx import _other_format  # noqa: PLC2701 - one sniffing of foreign formats

MAX_ROWS = 5000  # a form has 43 rows; an export of the whole sheet about 2,600
MAX_COLS = 60

# A formula that is a link: read as typed, not replaced by its cached value (it is the link).
HYPERLINK_RE = re.compile(r'=\s*HYPERLINK\s*\(\s*"([^"]*)"', re.I)


class ImportFileError(Exception):
    """The file cannot be read at all (missing, not a spreadsheet, damaged)."""


@dataclass(frozen=True)
class SheetCells:
    name: str
    rows: tuple[tuple[object, ...], ...]
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based -> target


TITLE_PROPERTY = "title"  # the workbook's own title (File > Properties), beside its custom properties


@dataclass(frozen=True)
class Source:
    name: str  # the file name, also a clue to the agency
    sheets: tuple[SheetCells, ...]
    properties: Mapping[str, str] = field(default_factory=dict)


def read_source(path: str | Path) -> Source:
    """The file as a `Source`; ImportFileError when it cannot be read (missing, .xls, damaged)."""
    path = Path(path)
    if path.is_dir():
        raise ImportFileError(f"a folder, not a file: give its files (e.g. {path}/*.xlsx {path}/*.csv)")
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
        # Said as the sheet's own workbook says it: "KeyError: There is no item named
        # '[Content_Types].xml'" told a coordinator nothing of an .ods saved under the .xlsx name.
        other = _other_format(path)
        if other:
            raise ImportFileError(f"{other} saved under the {path.suffix} name; open it and save it as an Excel "
                                  f"Workbook (.xlsx), or as .csv") from None
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
                if isinstance(value, str) and value.startswith("=") and not HYPERLINK_RE.match(value):
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
    if wb.properties.title:
        props.setdefault(TITLE_PROPERTY, str(wb.properties.title))
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
    return Source(name=path.name, sheets=(SheetCells(path.stem, tuple(tuple(map(unescaped, r))
                                                                        for r in rows[:MAX_ROWS])),))


def unescaped(field: str) -> str:
    """A CSV field without the apostrophe that keeps a spreadsheet from reading it as a formula
    (core.cellsafe, as `export` writes it): an agency's ITAS list sent back after its edits put
    "'- อยู่ท้ายหน้า" in the sheet as its explanation, and on to ITAS.

    >>> unescaped("'- อยู่ท้ายหน้า"), unescaped("'=1"), unescaped("'ข้อความ"), unescaped("-")
    ('- อยู่ท้ายหน้า', '=1', "'ข้อความ", '-')
    """
    return field[1:] if field.startswith("'") and looks_like_formula(field[1:]) else field


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
    r"""Rows of a CSV text, its delimiter guessed from the first lines (tab, ";" or ","): the one
    that splits the most of them into the same number of columns (more than one). Counting the
    characters alone took a form of Joomla links ("...&amp;view=article&amp;id=5", three ";" a
    line) for a ";" file, and refused it as no form at all.

    >>> parse_csv_text('ข้อ,URL\nO1,https://a.go.th/index.php?option=com_content&amp;view=article&amp;id=5\n')
    [['ข้อ', 'URL'], ['O1', 'https://a.go.th/index.php?option=com_content&amp;view=article&amp;id=5']]
    >>> parse_csv_text('ข้อ;URL\nO1;https://a.go.th/o1\n')
    [['ข้อ', 'URL'], ['O1', 'https://a.go.th/o1']]
    """
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in ("\t", ";", ","):
        counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter)]
        split = [c for c in counts if c > 1]
        if split:
            modal = max(set(split), key=split.count)
            score = (split.count(modal), -abs(len(counts) - split.count(modal)))
            if score > best_score:
                best, best_score = delimiter, score
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=best)]


def column_letter(col: int) -> str:
    """The spreadsheet letters of a 0-based column (0 -> A, 26 -> AA), to name cells in reports."""
    return get_column_letter(col + 1)
