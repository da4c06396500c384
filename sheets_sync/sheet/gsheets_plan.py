"""Pure planning for the gsheets backend: a recording Book that the shared GridBackend logic runs
on (so layout, keying, stale checks and diffs are exactly those of xlsx/memory), and the
translation of what it recorded into Sheets API batchUpdate requests. No I/O here.

Values are always written as text (userEnteredValue.stringValue), numbers of the summary as
numberValue; a formula-looking string stays text. Worker cells of consecutive rows with the
same changed columns become one updateCells rectangle, so a full first sync stays one request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from sheets_sync.core.errors import BackendError
from sheets_sync.core.models import Status
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.gsheets_links import LinkedText, carries_links, linked_copy
from sheets_sync.sheet.layout import (
    AGENCY_COLUMNS,
    AGENCY_KEYS,
    STALE_COLOUR,
    STATUS_COLOURS,
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    SUMMARY_FROZEN_ROWS,
    TAB_AGENCIES,
    TAB_GUIDE,
    TAB_SUBMISSIONS,
    TABS,
    SummaryLook,
)
from sheets_sync.sheet.memory import MemoryBook

PROTECTION_TAG = "sheets-sync"
DEFAULT_SHEET_TITLES = ("Sheet1", "ชีต1", "แผ่นงาน1", "Sheet 1")
MAX_RECT_ROWS = 400  # rows per updateCells rectangle, so a batch can be split between rectangles
APPEND_ROWS = 50
HEADER_FORMAT = {"textFormat": {"bold": True}, "backgroundColor": {"red": 0.9, "green": 0.9, "blue": 0.9}}


@dataclass
class SheetMeta:
    sheet_id: int
    title: str
    row_count: int = 1000
    col_count: int = 26
    frozen_rows: int = 0
    protected: list[dict] = field(default_factory=list)
    conditional: list[dict] = field(default_factory=list)
    charts: list[int] = field(default_factory=list)  # chartIds of the charts on the tab
    filter_views: list[dict] = field(default_factory=list)

    @classmethod
    def from_api(cls, sheet: dict) -> "SheetMeta":
        p = sheet.get("properties", {})
        grid = p.get("gridProperties", {})
        return cls(sheet_id=p.get("sheetId", 0), title=p.get("title", ""), row_count=grid.get("rowCount", 1000),
                   col_count=grid.get("columnCount", 26), frozen_rows=grid.get("frozenRowCount", 0),
                   protected=list(sheet.get("protectedRanges", [])), conditional=list(sheet.get("conditionalFormats", [])),
                   charts=[c["chartId"] for c in sheet.get("charts", []) if "chartId" in c],
                   filter_views=list(sheet.get("filterViews", [])))


def metas(spreadsheet: dict) -> dict[str, SheetMeta]:
    return {m.title: m for m in (SheetMeta.from_api(s) for s in spreadsheet.get("sheets", []))}


# ---------------------------------------------------------------- cells
def from_api_value(value: Any) -> Any:
    """A values API (FORMULA rendering) value as the grid functions expect it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def from_user_entered(uev: dict | None) -> Any:
    """CellData.userEnteredValue as the same value the FORMULA rendering gives."""
    if not uev:
        return ""
    if "stringValue" in uev:
        return uev["stringValue"]
    if "numberValue" in uev:
        return from_api_value(uev["numberValue"])
    if "boolValue" in uev:
        return "TRUE" if uev["boolValue"] else "FALSE"
    if "formulaValue" in uev:
        return uev["formulaValue"]
    return ""


def grid_from(parts: Sequence[dict], merges: Sequence[dict] = ()) -> tuple[list[list[Any]], dict[tuple[int, int], dict]]:
    """A tab's GridData parts (spreadsheets.get) as the grid of values the FORMULA rendering
    gives, merged cells read as they show (grid.fill_merges; `merges`: the sheet's GridRanges),
    and the cells that carry a note or links, by (row, column)."""
    grid: list[list[Any]] = []
    cells: dict[tuple[int, int], dict] = {}
    for part in parts:
        r0, c0 = part.get("startRow", 0), part.get("startColumn", 0)
        for r, row in enumerate(part.get("rowData", []), start=r0):
            while len(grid) <= r:
                grid.append([])
            values = row.get("values", [])
            grid[r] = [""] * c0 + [from_user_entered(c.get("userEnteredValue")) for c in values]
            for c, cell in enumerate(values, start=c0):
                if "note" in cell or carries_links(cell):
                    cells[(r, c)] = cell
    g.fill_merges(grid, ((m.get("startRowIndex", 0), m.get("endRowIndex", 0), m.get("startColumnIndex", 0),
                          m.get("endColumnIndex", 0)) for m in merges))
    return grid, cells


def to_cell(value: Any) -> dict:
    if isinstance(value, LinkedText):
        return dict(value.cell)
    if value is None or value == "":
        return {}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


# ---------------------------------------------------------------- the recording book
class SheetBook(MemoryBook):
    """A MemoryBook over the tabs as read, recording every change for translation."""

    # Copied rows keep what they were copied with here (base._mark_copies): a copy has no row
    # identity of its own for the checked positioned writes yet.
    marks_copies = False

    def __init__(self, titles: Iterable[str]) -> None:
        super().__init__()
        self.titles = list(titles)
        self.ops: list[tuple] = []
        self.cells: dict[tuple[str, int, int], dict] = {}  # the cells' data (notes, links) as read

    def load(self, tab: str, grid: list[list[Any]], notes: dict[tuple[int, int], str] | None = None,
             cells: dict[tuple[int, int], dict] | None = None) -> None:
        self.sheets[tab] = [list(r) for r in grid]
        for (r, c), note in (notes or {}).items():
            self.notes[(tab, r, c)] = note
        for (r, c), cell in (cells or {}).items():
            self.cells[(tab, r, c)] = cell

    def mirror_link(self, tab: str, row: int, shown: int, mirror: int) -> None:
        """Makes cell `mirror` show what cell `shown` shows when that is a label over links (the
        checked-URL cell of a URL cell "ดาวน์โหลดเอกสาร" linking to the PDF): the same label over
        the same links (gsheets_links.linked_copy), else the text it reads as, without a link left
        from before. Both read as the links, so only what they show changes."""
        want = linked_copy(self.cells.get((tab, row, shown), {}))
        have = linked_copy(self.cells.get((tab, row, mirror), {}))
        if want == have:
            return
        text = str(g.cell(self.grid(tab)[row], mirror) or "")
        self.set(tab, row, mirror, LinkedText(text, want) if want else text)

    def tabs(self) -> list[str]:
        return list(self.titles)

    def add_tab(self, name: str) -> None:
        if name not in self.titles:
            self.titles.append(name)
            self.sheets[name] = []
            self.ops.append(("add_tab", name))

    def grid(self, tab: str) -> list[list[object]]:
        if tab not in self.sheets:
            raise BackendError(f"internal: tab {tab!r} was not read")
        return super().grid(tab)

    def set(self, tab: str, row: int, col: int, value: str) -> None:
        super().set(tab, row, col, value)
        self.ops.append(("set", tab, row, col, value))

    def set_note(self, tab: str, row: int, col: int, note: str, ours: str = "") -> None:
        if self.note(tab, row, col) == (note or ""):
            return
        super().set_note(tab, row, col, note)
        self.ops.append(("note", tab, row, col, note or ""))

    def append(self, tab: str, rows: Sequence[Sequence[str]]) -> None:
        super().append(tab, rows)
        self.ops.append(("append", tab, [list(r) for r in rows]))

    def replace(self, tab: str, rows: Sequence[Sequence[object]]) -> None:
        super().replace(tab, rows)
        self.ops.append(("replace", tab, [list(r) for r in rows]))

    def style(self, tab: str, kind: str) -> None:
        self.ops.append(("style", tab, kind))


# ---------------------------------------------------------------- ops -> requests
def new_sheet_id(title: str, taken: set[int]) -> int:
    n = (sum(ord(ch) * 31 ** i for i, ch in enumerate(title)) % 1_900_000_000) + 1000
    while n in taken:
        n += 1
    return n


def translate(ops: Sequence[tuple], meta: dict[str, SheetMeta]) -> tuple[list[dict], list[str]]:
    """Requests for the recorded ops, in order (sets and notes grouped into rectangles).
    `meta` is updated for added tabs and grown grids. Returns (requests, added tab titles)."""
    requests: list[dict] = []
    added: list[str] = []
    cells: list[tuple] = []

    def flush() -> None:
        requests.extend(_rectangles(cells, meta))
        cells.clear()

    for op in ops:
        kind = op[0]
        if kind in ("set", "note"):
            cells.append(op)
            continue
        flush()
        if kind == "add_tab":
            title = op[1]
            sid = new_sheet_id(title, {m.sheet_id for m in meta.values()})
            frozen = 1 if title in (TAB_SUBMISSIONS, TAB_AGENCIES) else 0
            grid = {"rowCount": 1000, "columnCount": 26}
            if frozen:
                grid["frozenRowCount"] = frozen
            props = {"sheetId": sid, "title": title, "gridProperties": grid}
            if title in TABS:
                props["index"] = min(TABS.index(title), len(meta))
            requests.append({"addSheet": {"properties": props}})
            meta[title] = SheetMeta(sid, title, frozen_rows=frozen)
            added.append(title)
        elif kind == "append":
            _, tab, rows = op
            for i in range(0, len(rows), APPEND_ROWS):  # sub-requests of one batch, so a split can fall between
                requests.append({"appendCells": {"sheetId": meta[tab].sheet_id, "fields": "userEnteredValue",
                                                 "rows": [{"values": [to_cell(v) for v in r]}
                                                          for r in rows[i:i + APPEND_ROWS]]}})
        elif kind == "replace":
            _, tab, rows = op
            m = meta[tab]
            height, width = len(rows), max((len(r) for r in rows), default=0)
            grow: dict[str, int] = {}
            if height > m.row_count:
                grow["rowCount"] = m.row_count = height + 50
            if width > m.col_count:
                grow["columnCount"] = m.col_count = width
            if grow:
                requests.append({"updateSheetProperties": {
                    "properties": {"sheetId": m.sheet_id, "gridProperties": grow},
                    "fields": ",".join(f"gridProperties.{k}" for k in grow)}})
            requests.append({"updateCells": {"range": {"sheetId": m.sheet_id}, "fields": "userEnteredValue,note",
                                             "rows": [{"values": [to_cell(v) for v in r]} for r in rows]}})
    flush()
    return requests, added


def _rectangles(cells: list[tuple], meta: dict[str, SheetMeta]) -> list[dict]:
    """Set/note ops as updateCells rectangles: per row, runs of consecutive columns; runs with
    the same columns on consecutive rows are merged (every cell inside is one that changed)."""
    values: dict[tuple[str, int], dict[int, str]] = {}
    notes: dict[tuple[str, int], dict[int, str]] = {}
    for kind, tab, row, col, value in cells:
        (values if kind == "set" else notes).setdefault((tab, row), {})[col] = value
    out: list[dict] = []
    for store, field_name in ((values, "userEnteredValue"), (notes, "note")):
        runs: list[tuple[str, int, int, int, list[str]]] = []  # tab, c0, c1, row, values
        for (tab, row), by_col in store.items():
            cols = sorted(by_col)
            start = 0
            for i in range(1, len(cols) + 1):
                if i == len(cols) or cols[i] != cols[i - 1] + 1:
                    run = cols[start:i]
                    runs.append((tab, run[0], run[-1] + 1, row, [by_col[c] for c in run]))
                    start = i
        runs.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
        i = 0
        while i < len(runs):
            tab, c0, c1, r0, _ = runs[i]
            j = i + 1
            while (j < len(runs) and j - i < MAX_RECT_ROWS and runs[j][:3] == (tab, c0, c1)
                   and runs[j][3] == runs[j - 1][3] + 1):
                j += 1
            block = runs[i:j]
            fields = field_name
            if field_name == "note":
                rows = [{"values": [{"note": v} if v else {} for v in r[4]]} for r in block]
            else:
                rows = [{"values": [to_cell(v) for v in r[4]]} for r in block]
                if any(isinstance(v, LinkedText) for r in block for v in r[4]):
                    fields += ",textFormatRuns"  # a label's links; the other cells' are none
            out.append({"updateCells": {
                "range": {"sheetId": meta[tab].sheet_id, "startRowIndex": r0, "endRowIndex": r0 + len(block),
                          "startColumnIndex": c0, "endColumnIndex": c1},
                "fields": fields, "rows": rows}})
            i = j
    return out


# ---------------------------------------------------------------- layout decorations
def _rgb(hex_colour: str) -> dict:
    return {"red": int(hex_colour[0:2], 16) / 255, "green": int(hex_colour[2:4], 16) / 255,
            "blue": int(hex_colour[4:6], 16) / 255}


def _same_colour(a: dict, b: dict) -> bool:
    return all(abs(a.get(k, 0) - b.get(k, 0)) < 0.01 for k in ("red", "green", "blue"))


def refused_cells(protected: Sequence[dict]) -> Callable[[int, int], bool]:
    """Whether Google refuses the requesting account's edit of a tab's cell (row, column; 0-based), by
    the tab's protected ranges as a read gives them: a coordinator who protects rows "only me" leaves
    the service account out of them (`requestingUserCanEdit`, left out of Google's answer when false),
    and Google refused the whole batch of verdicts for one such cell, every agency's on every run."""
    def bounds(r: dict) -> tuple[int, float, int, float]:
        return (r.get("startRowIndex", 0), r.get("endRowIndex", float("inf")),
                r.get("startColumnIndex", 0), r.get("endColumnIndex", float("inf")))

    def inside(b: tuple, row: int, col: int) -> bool:
        return b[0] <= row < b[1] and b[2] <= col < b[3]

    closed = [(bounds(p.get("range") or {}), [bounds(u) for u in p.get("unprotectedRanges", ())])
              for p in protected
              if "range" in p and not p.get("warningOnly") and not p.get("requestingUserCanEdit")]
    return lambda row, col: any(inside(b, row, col) and not any(inside(u, row, col) for u in open_)
                                for b, open_ in closed)


def unmerge_requests(sheet_id: int, merges: Sequence[dict], parts: Sequence[dict],
                     cells: Iterable[tuple[int, int]], refused: Callable[[int, int], bool]) -> list[dict]:
    """unmergeCells for each merged range of a tab holding one of `cells` (row, column; 0-based),
    then each of its cells but the first given the first's value as typed, as the xlsx backend
    unmerges (XlsxBook._cell): Google keeps a merge's value in its first cell, so a verdict written
    to another row's cell of it went to a hidden cell, and that row's URL cell, empty under an
    agency's merge of two URL cells, never equalled the URL judged: its status stayed grey
    "pending" and its note hidden. A range with a cell protected against the worker is left as it
    is (Google would refuse the whole batch)."""
    wanted = set(cells)
    reqs: list[dict] = []
    for m in merges:
        r0, r1 = m.get("startRowIndex", 0), m.get("endRowIndex", 0)
        c0, c1 = m.get("startColumnIndex", 0), m.get("endColumnIndex", 0)
        inside = [(r, c) for r in range(r0, r1) for c in range(c0, c1)]
        if not wanted.intersection(inside) or any(refused(r, c) for r, c in inside):
            continue
        rng = {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
        reqs.append({"unmergeCells": {"range": rng}})
        shown = _typed_cell(parts, r0, c0)
        # every cell but the first (whose value, links and runs stay as they are): the rest of the
        # first row, then the rows below
        for rows, cols in (((r0, r0 + 1), (c0 + 1, c1)), ((r0 + 1, r1), (c0, c1))):
            if rows[0] < rows[1] and cols[0] < cols[1]:
                reqs.append({"updateCells": {
                    "range": dict(rng, startRowIndex=rows[0], endRowIndex=rows[1], startColumnIndex=cols[0],
                                  endColumnIndex=cols[1]),
                    "fields": "userEnteredValue",
                    "rows": [{"values": [shown] * (cols[1] - cols[0])}] * (rows[1] - rows[0])}})
    return reqs


def _typed_cell(parts: Sequence[dict], row: int, col: int) -> dict:
    """The cell (row, column) of a tab's GridData parts as its value as typed ({} when empty)."""
    for part in parts:
        r, c = row - part.get("startRow", 0), col - part.get("startColumn", 0)
        rows = part.get("rowData", [])
        if 0 <= r < len(rows) and 0 <= c < len(rows[r].get("values", [])):
            value = rows[r]["values"][c].get("userEnteredValue")
            return {"userEnteredValue": value} if value else {}
    return {}


def refused_message(keys: Sequence[object], tab: str, account: str, what: str, shown: int | None = 10) -> str:
    """The words for rows of `tab` left out of a write because they are in a range protected against
    the worker's `account` (`refused_cells`): which rows (the first `shown`), what of theirs is not
    written (`what`: "verdicts", "imported URLs"), and whom to add as an editor of the range. The
    verdict write's log line, and the import's (its log and its per-file report)."""
    return (f"{len(keys)} rows of {tab} are in a range protected against the worker's account {account}, so "
            f"their {what} are not written ({', '.join(map(str, keys[:shown]))}): add {account} as an editor of "
            f"that range (Data > Protect sheets and ranges)")


def _norm_range(r: dict) -> tuple:
    return tuple((k, r[k]) for k in sorted(r) if k != "sheetId" and r[k] not in (0, None))


def status_rules(sheet_id: int, status_col: int, stale: tuple[int, int] | None = None) -> list[dict]:
    """The status colours; first (Sheets applies the first rule that matches), when the URL and
    checked-URL columns are known, grey struck-through status where the URL was edited since
    its check (grid.stale_formula), so a stale verdict never reads as current."""
    rng = [{"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": status_col, "endColumnIndex": status_col + 1}]
    out = []
    if stale is not None:
        url_col, checked_col = stale
        formula = "=" + g.stale_formula(_letter(url_col), _letter(checked_col), formulas=True)
        out.append({"ranges": rng, "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
            "format": {"backgroundColor": _rgb(STALE_COLOUR), "textFormat": {"strikethrough": True}}}})
    out += [{"ranges": rng,
             "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": s.label_th}]},
                             "format": {"backgroundColor": _rgb(STATUS_COLOURS[s.value])}}}
            for s in Status]
    return out


def _letter(col: int) -> str:
    # openpyxl's get_column_letter (0-based here), without importing openpyxl (~0.2 s) into a
    # run that only talks to Google.
    out, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _is_ours(rule: dict) -> bool:
    cond = rule.get("booleanRule", {}).get("condition", {})
    labels = {s.label_th for s in Status}
    if cond.get("type") == "CUSTOM_FORMULA":
        return any("EXACT(TRIM(CLEAN(" in str(v.get("userEnteredValue", "")) for v in cond.get("values", []))
    return cond.get("type") == "TEXT_EQ" and any(v.get("userEnteredValue") in labels for v in cond.get("values", []))


def _rule_matches(have: dict, want: dict) -> bool:
    hb, wb = have.get("booleanRule", {}), want.get("booleanRule", {})
    return ([_norm_range(r) for r in have.get("ranges", [])] == [_norm_range(r) for r in want["ranges"]]
            and hb.get("condition") == wb["condition"]
            and _same_colour(hb.get("format", {}).get("backgroundColor", {}), wb["format"]["backgroundColor"]))


def conditional_requests(m: SheetMeta, status_col: int, stale: tuple[int, int] | None = None) -> list[dict]:
    want = status_rules(m.sheet_id, status_col, stale)
    ours = [(i, r) for i, r in enumerate(m.conditional) if _is_ours(r)]
    if len(ours) == len(want) and all(_rule_matches(r, w) for (_, r), w in zip(ours, want)):
        return []
    out = [{"deleteConditionalFormatRule": {"sheetId": m.sheet_id, "index": i}} for i, _ in reversed(ours)]
    out += [{"addConditionalFormatRule": {"rule": rule, "index": k}} for k, rule in enumerate(want)]
    return out


def protection_requests(m: SheetMeta, editors: Sequence[str], open_cols: Sequence[int] = ()) -> list[dict]:
    """One protected range over the whole tab, ours by its description; on the submissions tab
    the agencies' columns (layout.AGENCY_KEYS) below the header are left editable. Replaced only
    when it differs."""
    want: dict[str, Any] = {"range": {"sheetId": m.sheet_id}, "description": f"{PROTECTION_TAG}: {m.title}",
                            "warningOnly": False, "editors": {"users": list(dict.fromkeys(editors))}}
    if open_cols:
        want["unprotectedRanges"] = [{"sheetId": m.sheet_id, "startRowIndex": 1, "startColumnIndex": c,
                                      "endColumnIndex": c + 1} for c in sorted(set(open_cols))]
    ours = [p for p in m.protected if str(p.get("description", "")) == want["description"]]
    if len(ours) == 1:
        p = ours[0]
        same = (_norm_range(p.get("range", {})) == ()
                and sorted(_norm_range(u) for u in p.get("unprotectedRanges", []))
                == sorted(_norm_range(u) for u in want.get("unprotectedRanges", []))
                and set(want["editors"]["users"]) <= set(p.get("editors", {}).get("users", []))
                and not p.get("warningOnly"))
        if same:
            return []
    out = [{"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}} for p in ours]
    out.append({"addProtectedRange": {"protectedRange": want}})
    return out


def created_tab_format(m: SheetMeta, header: Sequence[object]) -> list[dict]:
    """Header row format and column widths, set once when the tab is created (coordinators
    may resize columns afterwards; init does not fight them)."""
    out: list[dict] = []
    columns = {TAB_SUBMISSIONS: SUBMISSION_COLUMNS, TAB_AGENCIES: AGENCY_COLUMNS}.get(m.title)
    if columns:
        out.append({"repeatCell": {"range": {"sheetId": m.sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                                   "cell": {"userEnteredFormat": HEADER_FORMAT},
                                   "fields": "userEnteredFormat(textFormat,backgroundColor)"}})
        widths = {c.header: c.width for c in columns}
        for i, h in enumerate(header):
            if str(h) in widths:
                out.append(_width(m.sheet_id, i, widths[str(h)] * 7 + 14))
    elif m.title == TAB_GUIDE:
        out.append(_width(m.sheet_id, 0, 900))
    return out


def _width(sheet_id: int, col: int, px: int) -> dict:
    return {"updateDimensionProperties": {"range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col,
                                                    "endIndex": col + 1},
                                          "properties": {"pixelSize": px}, "fields": "pixelSize"}}


def frozen_request(m: SheetMeta) -> list[dict]:
    if m.frozen_rows >= 1:
        return []
    return [{"updateSheetProperties": {"properties": {"sheetId": m.sheet_id, "gridProperties": {"frozenRowCount": 1}},
                                       "fields": "gridProperties.frozenRowCount"}}]


def url_column(header: Sequence[object]) -> int | None:
    texts = [str(h).strip() if h is not None else "" for h in header]
    return texts.index(SUBMISSION_HEADERS["url"]) if SUBMISSION_HEADERS["url"] in texts else None


def agency_columns(header: Sequence[object]) -> list[int]:
    """Positions of the columns agencies may edit (layout.AGENCY_KEYS) in this header row."""
    texts = [str(h).strip() if h is not None else "" for h in header]
    return [texts.index(SUBMISSION_HEADERS[k]) for k in AGENCY_KEYS if SUBMISSION_HEADERS[k] in texts]


def status_column(header: Sequence[object]) -> int | None:
    texts = [str(h).strip() if h is not None else "" for h in header]
    return texts.index(SUBMISSION_HEADERS["status"]) if SUBMISSION_HEADERS["status"] in texts else None


# ---------------------------------------------------------------- size
def body_size(requests: Sequence[dict]) -> int:
    """Bytes of {"requests": [...]} as requests serialises it (json.dumps defaults)."""
    return len(json.dumps({"requests": list(requests)})) if requests else 0


def split(requests: Sequence[dict], max_bytes: int) -> list[list[dict]]:
    """Consecutive chunks whose serialised bodies stay under max_bytes."""
    chunks: list[list[dict]] = []
    current: list[dict] = []
    size = len('{"requests": []}')
    for req in requests:
        n = len(json.dumps(req)) + 2
        if current and size + n > max_bytes:
            chunks.append(current)
            current, size = [], len('{"requests": []}')
        if size + n > max_bytes:
            raise BackendError(f"one Sheets request is {n} bytes, over the {max_bytes}-byte limit")
        current.append(req)
        size += n
    if current:
        chunks.append(current)
    return chunks


# ---------------------------------------------------------------- charts
def chart_requests(meta: SheetMeta, summary, header_rows: Sequence[int]) -> list[dict]:
    """Replace the tab's charts with one native column chart per summary block that asks for one.

    Old charts are deleted first: the summary tab is rewritten every sync and its blocks may move."""
    reqs: list[dict] = [{"deleteEmbeddedObject": {"objectId": cid}} for cid in meta.charts]
    meta.charts = []
    right_of = max((len(b.header) for b in summary.blocks), default=0) + 1  # as in the xlsx: beside the widest block
    for block, header in zip(summary.blocks, header_rows):
        chart = block.chart
        if chart is None or chart.row_count <= 0:
            continue

        def source(col: int) -> dict:
            return {"sourceRange": {"sources": [{
                "sheetId": meta.sheet_id, "startRowIndex": header, "endRowIndex": header + 1 + chart.row_count,
                "startColumnIndex": col, "endColumnIndex": col + 1}]}}

        left_axis: dict = {"position": "LEFT_AXIS", "title": chart.y_title}
        if chart.y_max is not None:
            left_axis["viewWindowOptions"] = {"viewWindowMin": 0, "viewWindowMax": chart.y_max}
        reqs.append({"addChart": {"chart": {
            "spec": {"title": chart.title, "basicChart": {
                "chartType": "COLUMN", "legendPosition": "BOTTOM_LEGEND", "headerCount": 1,
                "axis": [{"position": "BOTTOM_AXIS", "title": ""}, left_axis],
                "domains": [{"domain": source(chart.category_column)}],
                "series": [{"series": source(c), "targetAxis": "LEFT_AXIS"} for c in chart.series_columns]}},
            "position": {"overlayPosition": {
                "anchorCell": {"sheetId": meta.sheet_id, "rowIndex": header,
                               "columnIndex": right_of},
                "widthPixels": 640, "heightPixels": 320}}}}})
    return reqs


# ---------------------------------------------------------------- the summary tab's look
TITLE_COLOUR = {"red": 0x1F / 255, "green": 0x4E / 255, "blue": 0x79 / 255}
SUMMARY_HEADER_FORMAT = {"textFormat": {"bold": True}, "backgroundColor": _rgb("DDEBF7"), "wrapStrategy": "WRAP",
                         "horizontalAlignment": "CENTER", "verticalAlignment": "MIDDLE"}


def summary_format_requests(meta: SheetMeta, look: SummaryLook) -> list[dict]:
    """The same look as the xlsx summary tab (XlsxBook.format_summary): formats of the previous
    layout cleared first (blocks move between syncs), then the title, block titles and header rows
    formatted, the title lines frozen, column widths set. Print area and fit-to-width are not in the
    Sheets API (Google asks them in the print dialog), so they exist only in the xlsx."""
    sid = meta.sheet_id

    def rows(r: int, c1: int = 1) -> dict:
        return {"sheetId": sid, "startRowIndex": r, "endRowIndex": r + 1, "startColumnIndex": 0, "endColumnIndex": c1}

    out: list[dict] = [{"repeatCell": {"range": {"sheetId": sid}, "cell": {}, "fields": "userEnteredFormat"}}]
    out.append({"repeatCell": {"range": rows(0), "cell": {"userEnteredFormat": {"textFormat": {
        "bold": True, "fontSize": 14}}}, "fields": "userEnteredFormat.textFormat"}})
    for r in look.title_rows:
        out.append({"repeatCell": {"range": rows(r), "cell": {"userEnteredFormat": {"textFormat": {
            "bold": True, "fontSize": 12, "foregroundColor": TITLE_COLOUR}}}, "fields": "userEnteredFormat.textFormat"}})
    for r, width in look.header_rows:
        out.append({"repeatCell": {"range": rows(r, width), "cell": {"userEnteredFormat": SUMMARY_HEADER_FORMAT},
                                   "fields": "userEnteredFormat(" + ",".join(SUMMARY_HEADER_FORMAT) + ")"}})
    if meta.frozen_rows != SUMMARY_FROZEN_ROWS:
        out.append({"updateSheetProperties": {"properties": {"sheetId": sid, "gridProperties": {
            "frozenRowCount": SUMMARY_FROZEN_ROWS}}, "fields": "gridProperties.frozenRowCount"}})
        meta.frozen_rows = SUMMARY_FROZEN_ROWS
    for c, w in enumerate(look.widths):
        out.append(_width(sid, c, w * 7 + 14))
    return out
