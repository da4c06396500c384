"""Row identity for the gsheets backend (pure, no I/O): every data row of the submissions tab
carries its key (agency code, item code) as row developer metadata, which Google moves with
the row on every sort, insert and delete and deletes with the row.

* Verdict values are written with values:batchUpdateByDataFilter through a
  developerMetadataLookup of the row's key: Google resolves the row when it applies the write,
  so no sort, insert or delete at any moment can put a verdict on another row, and a row
  deleted meanwhile simply matches nothing (reported missing, the others are written).
* Notes (the values API cannot write them), metadata repairs and checked-at-only updates are
  positioned updateCells/createDeveloperMetadata requests, sent in the summary's batchUpdate
  together with includeSpreadsheetInResponse: the answer is the tab as that atomic batch left
  it, and `corrections` compares it with what was meant, by row key and column name. Whatever a
  sort in the gap, or a column dragged, inserted or deleted, made us write into another cell is
  put back (that cell gets its own earlier text again: a URL is never left overwritten by a
  time) and the meant text goes to its key's row and its column, in one more batch; without a
  race nothing more is sent. The verdict cells written through row metadata are checked too:
  their row is Google's, their column a position.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from sheets_sync.core import normalize
from sheets_sync.core.errors import BackendError
from sheets_sync.core.models import RowKey
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_AGENCIES, TAB_SUBMISSIONS, TAB_SUMMARY

ROW_KEY = "sheets-sync.row"
TAB_KEY = "sheets-sync.tab."  # + role; the value is the sheetId (spreadsheet-level metadata)

Cell = tuple[int, int, str]  # row, column, "value" | "note"


def row_key(row: Sequence[object], cols: Mapping[str, int]) -> RowKey | None:
    """The key a row's own cells give (None for a row without agency code and item)."""
    agency = g.text(g.cell(row, cols.get("agency")))
    item = normalize.item_code(g.text(g.cell(row, cols.get("item"))))
    if not agency or not item:
        return None
    return RowKey(agency, item)


def parse_row_meta(parts: Sequence[dict]) -> dict[int, list[tuple[int, str]]]:
    """row -> [(metadataId, value)] of our row metadata, from GridData parts' rowMetadata."""
    out: dict[int, list[tuple[int, str]]] = {}
    for part in parts:
        r0 = part.get("startRow", 0)
        for r, props in enumerate(part.get("rowMetadata", []), start=r0):
            for dm in props.get("developerMetadata", []) or []:
                if dm.get("metadataKey") == ROW_KEY:
                    out.setdefault(r, []).append((dm.get("metadataId"), dm.get("metadataValue", "")))
    return out


def anchored(grid: Sequence[Sequence[object]], cols: Mapping[str, int],
             row_meta: Mapping[int, list[tuple[int, str]]]) -> dict[RowKey, int]:
    """Keys whose metadata is on exactly one row, and that row's cells give the same key:
    those rows can be written through their metadata."""
    seen: dict[str, list[int]] = {}
    for r, entries in row_meta.items():
        for _, value in entries:
            seen.setdefault(value, []).append(r)
    out: dict[RowKey, int] = {}
    for r in range(1, len(grid)):
        key = row_key(grid[r], cols)
        if key is not None and [v for _, v in row_meta.get(r, [])] == [key.packed()] \
                and seen.get(key.packed()) == [r]:
            out[key] = r
    return out


def metadata_repairs(grid: Sequence[Sequence[object]], cols: Mapping[str, int],
                     row_meta: Mapping[int, list[tuple[int, str]]], sheet_id: int) -> list[dict]:
    """Requests that leave exactly one metadata per keyed row, with that row's key, and none on
    other rows or on a second row of the same key (a duplicate row keeps its cells, not the anchor)."""
    reqs: list[dict] = []
    owner: dict[RowKey, int] = {}
    for r in range(1, max(len(grid), max(row_meta, default=0) + 1)):
        key = row_key(grid[r], cols) if r < len(grid) else None
        if key is not None and key in owner:
            key = None
        have = row_meta.get(r, [])
        if key is not None:
            owner[key] = r
        if key is not None and [v for _, v in have] == [key.packed()]:
            continue
        reqs.extend(_delete_metadata(mid) for mid, _ in have)
        if key is not None:
            reqs.append({"createDeveloperMetadata": {"developerMetadata": {
                "metadataKey": ROW_KEY, "metadataValue": key.packed(), "visibility": "DOCUMENT",
                "location": {"dimensionRange": {"sheetId": sheet_id, "dimension": "ROWS",
                                                "startIndex": r, "endIndex": r + 1}}}}})
    return reqs


def _delete_metadata(metadata_id: int) -> dict:
    return {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": metadata_id}}}}


def filtered_row(sheet_id: int, key: RowKey, values: Mapping[int, str]) -> dict:
    """A DataFilterValueRange writing `values` (column -> text) into the row anchored to `key`;
    the other cells of the row are null, which the values API skips."""
    width = max(values) + 1
    row: list[Any] = [None] * width
    for c, v in values.items():
        row[c] = v
    return {"dataFilter": {"developerMetadataLookup": {
                "metadataKey": ROW_KEY, "metadataValue": key.packed(), "locationType": "ROW",
                "metadataLocation": {"sheetId": sheet_id}}},
            "majorDimension": "ROWS", "values": [row]}


def written_key(response: dict) -> str | None:
    lookup = (response.get("dataFilter") or {}).get("developerMetadataLookup") or {}
    return lookup.get("metadataValue")


def column_names(header: Sequence[object]) -> list[str]:
    """A name for each column: its header's text, "#2", "#3" ... added to a text seen before (empty
    headers too), so that a column is known wherever a coordinator drags it.

    >>> column_names(["URL", "", "สถานะ", ""])
    ['URL', '', 'สถานะ', '#2']
    """
    seen: dict[str, int] = {}
    out = []
    for cell in header:
        text = g.text(cell)
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return out


Meant = tuple[RowKey, str, str]  # key, column name (column_names), "value" | "note"


@dataclass
class Positioned:
    """Cells written by position (or through a row's metadata at a column position), to be checked
    against the answer of the batch that follows them.

    Cells are meant for a row (its key) and a column (its name): between the write-time read and
    Google applying the batch a coordinator may sort, insert or delete rows, or drag, insert or
    delete columns. `names`: the columns' names in the grid the positions refer to; `meant`:
    (key, name, kind) -> text; `sent`: position written -> (key, name) meant there; `through`:
    (key, column position) -> name, for verdict cells written through the row's metadata (the row
    is Google's, the column a position); `before`: (key, name, kind) -> the text the write-time read
    found, for every keyed row and named column, so a cell our write hit by mistake gets its own
    text back; `made_for`: the URL text each row's note was made for."""

    sheet_id: int
    names: list[str] = field(default_factory=list)
    meant: dict[Meant, str] = field(default_factory=dict)
    sent: dict[Cell, tuple[RowKey | None, str | None]] = field(default_factory=dict)
    through: dict[tuple[RowKey, int], str] = field(default_factory=dict)
    before: dict[Meant, str] = field(default_factory=dict)
    made_for: dict[RowKey, str] = field(default_factory=dict)
    rows: set[RowKey] = field(default_factory=set)  # the keyed rows `remember` saw

    def empty(self) -> bool:
        return not self.sent

    def remember(self, grid: Sequence[Sequence[object]], notes: Mapping[tuple[int, int], str],
                 cols: Mapping[str, int]) -> None:
        """What every keyed row's cells hold now (values and notes), by key and column name; an
        empty cell is not stored (`before` reads as "" where it has nothing)."""
        for r in range(1, len(grid)):
            key = row_key(grid[r], cols)
            if key is None:
                continue
            self.rows.add(key)
            for c, value in enumerate(grid[r][:len(self.names)]):
                text = g.text(value)
                if text:
                    self.before.setdefault((key, self.names[c], "value"), text)
        for (r, c), note in notes.items():
            key = row_key(grid[r], cols) if 0 < r < len(grid) else None
            if key is not None and note and c < len(self.names):
                self.before.setdefault((key, self.names[c], "note"), note)

    def place(self, r: int, c: int, kind: str, key: RowKey, text: str) -> None:
        """`text` to be sent at (`r`, `c`) of the grid the plan was made on, meant for `key`'s row."""
        self.meant[(key, self.names[c], kind)] = text
        self.sent[(r, c, kind)] = (key, self.names[c])

    def place_through(self, key: RowKey, c: int, text: str) -> None:
        """`text` written in column position `c` of the row anchored to `key` (its metadata)."""
        self.meant[(key, self.names[c], "value")] = text
        self.through[(key, c)] = self.names[c]

    def cells(self) -> dict[Cell, str]:
        """What the positioned requests write: position -> text."""
        return {(r, c, kind): self.meant[(key, name, kind)] for (r, c, kind), (key, name) in self.sent.items()
                if key is not None and name is not None}


def row_keys(grid: Sequence[Sequence[object]], cols: Mapping[str, int],
             row_meta: Mapping[int, list[tuple[int, str]]], known: Mapping[str, RowKey]) -> dict[int, RowKey | None]:
    """row -> the key of the row there: its metadata's (which moves with the row and which no cell
    written by mistake can change), else its own cells'."""
    out: dict[int, RowKey | None] = {}
    for r in range(1, len(grid)):
        tagged = [known.get(v) for _, v in row_meta.get(r, [])]
        out[r] = tagged[0] if len(tagged) == 1 and tagged[0] is not None else row_key(grid[r], cols)
    return out


def corrections(after_grid: Sequence[Sequence[object]], after_notes: Mapping[tuple[int, int], str],
                row_meta: Mapping[int, list[tuple[int, str]]], plan: Positioned
                ) -> tuple[dict[Cell, str], list[RowKey], Positioned]:
    """What to write, by position in the tab as the batch left it, so every cell is where it was
    meant and no other cell keeps a text of ours: (fixes, keys whose row is gone, the plan of the
    fixes, to check the next answer against). A note made for a URL the agency has since replaced
    is cleared, not placed."""
    names = column_names(after_grid[0]) if after_grid else []
    col = {name: c for c, name in enumerate(names)}
    cols = g.columns(list(after_grid[0]) if after_grid else [], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    known = {k.packed(): k for k in plan.rows} | {k.packed(): k for k, _, _ in plan.meant}
    keys = row_keys(after_grid, cols, row_meta, known)
    rows: dict[RowKey, int] = {}
    for r, k in keys.items():
        if k is not None:
            rows.setdefault(k, r)

    def now(r: int, c: int, kind: str) -> str:
        if kind == "note":
            return after_notes.get((r, c), "")
        return g.text(g.cell(after_grid[r], c)) if r < len(after_grid) else ""

    fixes: dict[Cell, str] = {}

    def undo(r: int, c: int, kind: str, meant: tuple[RowKey | None, str | None]) -> None:
        # (r, c) was sent a text meant for the cell `meant`; if another row or column is there now and
        # still holds our text, that cell gets its own text back (a text someone wrote since is kept)
        there = (keys.get(r), names[c] if c < len(names) else None)
        if there == meant or now(r, c, kind) != plan.meant.get((*meant, kind)):
            return
        want = plan.before.get((*there, kind), "")
        if now(r, c, kind) != want:
            fixes[(r, c, kind)] = want

    for (r, c, kind), meant in plan.sent.items():
        undo(r, c, kind, meant)
    for (key, c), name in plan.through.items():
        if key in rows:
            undo(rows[key], c, "value", (key, name))
    gone: list[RowKey] = []
    url = col.get(SUBMISSION_HEADERS["url"])
    for (key, name, kind), text in plan.meant.items():
        r, c = rows.get(key), col.get(name)
        if r is None:
            gone.append(key)
            continue
        if c is None:  # the column was deleted: nowhere to put it
            continue
        if kind == "note" and key in plan.made_for and url is not None \
                and g.url_cell_text(g.cell(after_grid[r], url)) != plan.made_for[key]:
            text = ""  # the agency replaced the URL after the verdict: its advice would be about another link
        if now(r, c, kind) != text:
            fixes[(r, c, kind)] = text
        else:
            fixes.pop((r, c, kind), None)
    again = replace(plan, names=names, through={},
                    sent={(r, c, kind): (keys.get(r), names[c] if c < len(names) else None) for (r, c, kind) in fixes})
    return fixes, sorted(set(gone), key=g.sort_key), again


# ---------------------------------------------------------------- tabs by identity
ROLES = {TAB_SUBMISSIONS: "submissions", TAB_AGENCIES: "agencies", TAB_SUMMARY: "summary"}


def remembered_tabs(spreadsheet: dict) -> dict[str, list[tuple[int, int]]]:
    """role -> [(metadataId, sheetId)] from the spreadsheet's developer metadata."""
    out: dict[str, list[tuple[int, int]]] = {}
    for dm in spreadsheet.get("developerMetadata", []) or []:
        key = str(dm.get("metadataKey", ""))
        if key.startswith(TAB_KEY):
            try:
                out.setdefault(key[len(TAB_KEY):], []).append((dm.get("metadataId"), int(dm.get("metadataValue", ""))))
            except ValueError:
                out.setdefault(key[len(TAB_KEY):], []).append((dm.get("metadataId"), -1))
    return out


def by_role(metas_by_title: dict, remembered: dict[str, list[tuple[int, int]]]) -> tuple[dict, list[tuple[str, str]]]:
    """The tabs keyed by the canonical title of the role they play: a tab remembered by its
    sheetId keeps its role under any title. Returns (tabs, [(canonical, actual title)] renamed).
    Two tabs claiming one role (the remembered one renamed, another one now bearing the
    canonical title) are an error naming both."""
    out = dict(metas_by_title)
    by_id = {m.sheet_id: m for m in metas_by_title.values()}
    renamed: list[tuple[str, str]] = []
    for canonical, role in ROLES.items():
        ids = [sid for _, sid in remembered.get(role, []) if sid in by_id]
        if not ids:
            continue
        m = by_id[ids[0]]
        if m.title == canonical:
            continue
        other = metas_by_title.get(canonical)
        if other is not None and other.sheet_id != m.sheet_id:
            raise BackendError(f"two tabs look like the {canonical!r} tab: {m.title!r} (the one the worker "
                               f"set up, renamed) and {other.title!r}; delete or rename one of them, then run again")
        out.pop(m.title, None)
        out[canonical] = m
        renamed.append((canonical, m.title))
    return out, renamed


def remember_requests(tabs: dict, remembered: dict[str, list[tuple[int, int]]]) -> list[dict]:
    """Spreadsheet metadata recording each role's sheetId, when it is not recorded as it is."""
    reqs: list[dict] = []
    for canonical, role in ROLES.items():
        m = tabs.get(canonical)
        have = remembered.get(role, [])
        if m is None or [sid for _, sid in have] == [m.sheet_id]:
            continue
        reqs.extend(_delete_metadata(mid) for mid, _ in have)
        reqs.append({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": TAB_KEY + role, "metadataValue": str(m.sheet_id), "visibility": "DOCUMENT",
            "location": {"spreadsheet": True}}}})
    return reqs
