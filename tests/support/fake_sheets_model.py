"""The stored state of the local Sheets API fake: spreadsheets, sheets, cells, and the
spreadsheets.batchUpdate requests applied to them. No HTTP here (see fake_sheets.py).

Cells are stored as Sheets API CellData dicts ({"userEnteredValue": {...}, "note": ...}), so
what the fake answers is what was written, in the API's own shapes. Formulas are stored,
never evaluated (their formatted value is the formula text).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
DEFAULT_COLUMN_PX, DEFAULT_ROW_PX = 100, 21


class ApiError(Exception):
    """An error answer in Google's shape: {"error": {"code", "message", "status"[, "details"]}}."""

    STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
              429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}

    def __init__(self, code: int, message: str, field_path: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field_path = code, message, field_path

    def body(self) -> dict:
        err: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.STATUS.get(self.code, "UNKNOWN")}
        if self.field_path is not None:
            err["details"] = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                               "fieldViolations": [{"field": self.field_path, "description": self.message}]}]
        return {"error": err}


# ---------------------------------------------------------------- A1 notation
def col_letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_title(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


@dataclass(frozen=True)
class A1:
    title: str | None
    r0: int | None = None  # inclusive, 0-based; None = unbounded
    r1: int | None = None  # exclusive
    c0: int | None = None
    c1: int | None = None


def parse_a1(text: str) -> A1:
    text = text.strip()
    title, ref = None, text
    if text.startswith("'"):
        i, buf = 1, []
        while i < len(text):
            if text[i] == "'" and text[i + 1:i + 2] == "'":
                buf.append("'")
                i += 2
                continue
            if text[i] == "'":
                break
            buf.append(text[i])
            i += 1
        title = "".join(buf)
        rest = text[i + 1:]
        ref = rest[1:] if rest.startswith("!") else ""
    elif "!" in text:
        title, ref = text.rsplit("!", 1)
    else:
        # a bare name is a sheet title unless it looks like a cell reference
        if re.fullmatch(r"[A-Za-z]{1,3}\d*(:[A-Za-z]{1,3}\d*)?|\d+:\d+", text) and not re.fullmatch(r"[A-Za-z]+", text):
            ref = text
        else:
            title, ref = text, ""
    if not ref:
        return A1(title)
    parts = ref.split(":")
    if len(parts) > 2:
        raise ApiError(400, f"Unable to parse range: {text}")
    cells = []
    for p in parts:
        m = _CELL.match(p)
        if not m or not (m.group(1) or m.group(2)):
            raise ApiError(400, f"Unable to parse range: {text}")
        cells.append((col_index(m.group(1)) if m.group(1) else None, int(m.group(2)) - 1 if m.group(2) else None))
    (ca, ra), (cb, rb) = cells[0], cells[-1]
    return A1(title, ra, (rb + 1) if rb is not None else None, ca, (cb + 1) if cb is not None else None)


# ---------------------------------------------------------------- cells
CELL_LIMIT = 50_000  # Google refuses a whole request with one cell over this many characters


def check_cell_size(text: Any) -> None:
    if isinstance(text, str) and len(text) > CELL_LIMIT:
        raise ApiError(400, f"Your input contains more than the maximum of {CELL_LIMIT} characters in a single cell.")


def user_entered(value: Any, parse: bool) -> dict | None:
    """A value from values.update as userEnteredValue; `parse` is USER_ENTERED input."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    text = str(value)
    if parse:
        if text.startswith("=") and len(text) > 1:
            return {"formulaValue": text}
        if re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            number = float(text)
            return {"numberValue": int(number) if number.is_integer() else number}
        if text.upper() in ("TRUE", "FALSE"):
            return {"boolValue": text.upper() == "TRUE"}
    return {"stringValue": text}


def _num(n: Any) -> Any:
    return int(n) if isinstance(n, float) and n.is_integer() else n


def formatted(uev: dict | None) -> str:
    if not uev:
        return ""
    if "stringValue" in uev:
        return uev["stringValue"]
    if "numberValue" in uev:
        return str(_num(uev["numberValue"]))
    if "boolValue" in uev:
        return "TRUE" if uev["boolValue"] else "FALSE"
    if "formulaValue" in uev:
        return uev["formulaValue"]  # not evaluated
    return ""


def new_value_runs(cell: dict, runs_written: bool) -> None:
    """`cell` given a new userEnteredValue, in place, as Google keeps its links: "When writing a new
    user_entered_value, previous runs are erased" (CellData.textFormatRuns in the Sheets API
    reference), and a chip is part of the text it replaces; `hyperlink` (output only) is the link
    of a run over the whole text, else none."""
    if not runs_written:
        cell.pop("textFormatRuns", None)
    cell.pop("chipRuns", None)
    cell.pop("hyperlink", None)
    runs = cell.get("textFormatRuns") or []
    if len(runs) == 1 and not runs[0].get("startIndex"):
        uri = ((runs[0].get("format") or {}).get("link") or {}).get("uri")
        if uri:
            cell["hyperlink"] = uri


def rendered(uev: dict | None, option: str) -> Any:
    if not uev:
        return ""
    if option == "FORMATTED_VALUE":
        return formatted(uev)
    if "numberValue" in uev:
        return _num(uev["numberValue"])
    if "boolValue" in uev:
        return uev["boolValue"]
    if "formulaValue" in uev:
        return uev["formulaValue"] if option == "FORMULA" else formatted(uev)
    return uev.get("stringValue", "")


def cell_has_content(cell: dict | None) -> bool:
    return bool(cell) and (bool(cell.get("userEnteredValue")) or bool(cell.get("note")))


# ---------------------------------------------------------------- store
@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = DEFAULT_ROWS
    col_count: int = DEFAULT_COLS
    frozen_rows: int = 0
    frozen_cols: int = 0
    rows: list[list[dict | None]] = field(default_factory=list)
    column_px: dict[int, int] = field(default_factory=dict)
    row_px: dict[int, int] = field(default_factory=dict)
    protected: list[dict] = field(default_factory=list)
    conditional: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    filter_views: list[dict] = field(default_factory=list)
    merges: list[dict] = field(default_factory=list)  # GridRanges merged in the UI (Format > Merge cells)
    row_meta: dict[int, list[dict]] = field(default_factory=dict)  # row -> developer metadata (fake_sheets_meta)

    # -- cells
    def cell(self, r: int, c: int) -> dict | None:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def put(self, r: int, c: int, data: dict | None) -> None:
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        while len(row) <= c:
            row.append(None)
        row[c] = data or None

    def last_row_with_data(self) -> int:
        for r in range(len(self.rows) - 1, -1, -1):
            if any(c and c.get("userEnteredValue") for c in self.rows[r]):
                return r
        return -1

    def properties(self) -> dict:
        grid = {"rowCount": self.row_count, "columnCount": self.col_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_cols:
            grid["frozenColumnCount"] = self.frozen_cols
        return {"sheetId": self.sheet_id, "title": self.title, "index": self.index, "sheetType": "GRID",
                "gridProperties": grid}

    def bounds(self, a: A1 | dict) -> tuple[int, int, int, int]:
        """(r0, r1, c0, c1) of an A1 or GridRange, clipped to the grid."""
        if isinstance(a, A1):
            r0, r1, c0, c1 = a.r0, a.r1, a.c0, a.c1
        else:
            r0, r1, c0, c1 = a.get("startRowIndex"), a.get("endRowIndex"), a.get("startColumnIndex"), a.get("endColumnIndex")
        return (r0 or 0, min(r1 if r1 is not None else self.row_count, self.row_count),
                c0 or 0, min(c1 if c1 is not None else self.col_count, self.col_count))

    # -- columns as a person moves them in the Sheets UI: cells (values, notes, links) go with their
    #    column; the API requests for it (moveDimension on COLUMNS ...) are not modelled, the worker
    #    never sends them
    def move_column(self, src: int, dst: int) -> None:
        """Drags column `src` so that it ends up at position `dst` (0-based)."""
        for row in self.rows:
            while len(row) <= max(src, dst):
                row.append(None)
            row.insert(dst, row.pop(src))

    def insert_column(self, at: int) -> None:
        for row in self.rows:
            if len(row) > at:
                row.insert(at, None)
        self.col_count += 1

    def delete_column(self, at: int) -> None:
        for row in self.rows:
            if len(row) > at:
                del row[at]
        self.col_count -= 1

    # -- plain views for tests
    def grid(self) -> list[list[Any]]:
        """Values as typed (formula text for formulas), padded to the widest row with None."""
        width = max((c + 1 for row in self.rows for c, cell in enumerate(row) if cell and cell.get("userEnteredValue")),
                    default=0)
        out = []
        last = self.last_row_with_data()
        for r in range(last + 1):
            row = self.rows[r]
            vals: list[Any] = []
            for c in range(width):
                cell = row[c] if c < len(row) else None
                uev = (cell or {}).get("userEnteredValue")
                vals.append(rendered(uev, "FORMULA") if uev else None)
            out.append(vals)
        return out

    def notes(self) -> dict[tuple[int, int], str]:
        return {(r, c): cell["note"] for r, row in enumerate(self.rows) for c, cell in enumerate(row)
                if cell and cell.get("note")}


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    owner: str
    shared_with: set[str] = field(default_factory=set)
    viewers: set[str] = field(default_factory=set)  # of those, shared as Viewer (or Commenter): no writes
    sheets: list[Sheet] = field(default_factory=list)
    next_id: int = 1_000_000
    developer_metadata: list[dict] = field(default_factory=list)  # spreadsheet- and sheet-located
    created: str = "2023-01-15T02:00:00.000Z"

    def sheet_by_id(self, sheet_id: int) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise ApiError(400, f"Invalid requests[{{i}}]: No grid with id: {sheet_id}")

    def sheet_by_title(self, title: str | None) -> Sheet:
        if title is None:
            return sorted(self.sheets, key=lambda s: s.index)[0]
        for s in self.sheets:
            if s.title == title:
                return s
        raise ApiError(400, f"Unable to parse range: {quote_title(title)}")

    def new_id(self) -> int:
        self.next_id += 7919
        return self.next_id

    def reindex(self) -> None:
        for i, s in enumerate(sorted(self.sheets, key=lambda s: s.index)):
            s.index = i

    def properties(self) -> dict:
        return {"title": self.title, "locale": "th_TH", "autoRecalc": "ON_CHANGE", "timeZone": "Asia/Bangkok",
                "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1},
                                  "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
                                  "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
                                  "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif",
                                                 "fontSize": 10, "bold": False, "italic": False,
                                                 "strikethrough": False, "underline": False}}}


def grid_range_out(rng: dict) -> dict:
    """A GridRange as Google echoes it: sheetId 0 is dropped (proto3 default), explicit indexes kept."""
    return {k: v for k, v in rng.items() if v is not None and not (k == "sheetId" and v == 0)}


# ---------------------------------------------------------------- field masks
def parse_fields(text: str) -> dict | None:
    """"a.b(c,d/e),f" -> {"a": {"b": {"c": None, "d": {"e": None}}}, "f": None}; "*" -> None."""
    text = (text or "").replace(" ", "")
    if not text or text == "*":
        return None
    pos = 0

    def parse_list() -> dict:
        nonlocal pos
        tree: dict = {}
        while pos < len(text) and text[pos] != ")":
            m = re.compile(r"[A-Za-z0-9_*@]+(?:[./][A-Za-z0-9_*@]+)*").match(text, pos)
            if not m:
                raise ApiError(400, f"Invalid field selection {text}", "fields")
            path = re.split(r"[./]", m.group(0))
            pos = m.end()
            sub: dict | None = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list()
                if pos >= len(text) or text[pos] != ")":
                    raise ApiError(400, f"Invalid field selection {text}", "fields")
                pos += 1
            node = tree
            for name in path[:-1]:
                nxt = node.get(name)
                if nxt is None and name in node:
                    break  # already whole
                node = node.setdefault(name, {})
            else:
                last = path[-1]
                if last in node and node[last] is not None and sub is not None:
                    node[last].update(sub)
                else:
                    node[last] = sub if sub is not None or last not in node else node[last]
            if pos < len(text) and text[pos] == ",":
                pos += 1
        return tree

    tree = parse_list()
    if pos != len(text):
        raise ApiError(400, f"Invalid field selection {text}", "fields")
    return tree


def apply_fields(obj: Any, tree: dict | None) -> Any:
    if tree is None:
        return obj
    if isinstance(obj, list):
        return [apply_fields(x, tree) for x in obj]
    if isinstance(obj, dict):
        if "*" in tree:
            return obj
        out = {}
        for k, sub in tree.items():
            if k in obj:
                v = apply_fields(obj[k], sub)
                if v == {} and not isinstance(obj[k], list):
                    continue
                out[k] = v
        return out
    return obj


def mask_has(tree: dict | None, *path: str) -> bool:
    node = tree
    for name in path:
        if node is None:
            return True
        if "*" in node:
            return True
        if name not in node:
            return False
        node = node[name]
    return True


def deep_copy(ss: Spreadsheet) -> Spreadsheet:
    return copy.deepcopy(ss)
