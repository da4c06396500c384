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
  it, and `corrections` compares it with what was meant. Whatever a sort in the gap moved is
  put back (the displaced row gets its own earlier text again) and the meant text goes to its
  key's row, in one more batch; without a race nothing more is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from sheets_sync.core import normalize
from sheets_sync.core.errors import BackendError
from sheets_sync.core.models import RowKey
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import TAB_AGENCIES, TAB_SUBMISSIONS, TAB_SUMMARY

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


@dataclass
class Positioned:
    """Cells sent by position in the summary's batch, to be checked against its answer.

    `meant`: (key, column, kind) -> text; `sent`: the positions written -> the key meant there;
    `before`: (key, column, kind) -> text as the write-time read found it, for every keyed row,
    so a row a sort moved under our write gets its own text back."""

    sheet_id: int
    meant: dict[tuple[RowKey, int, str], str] = field(default_factory=dict)
    sent: dict[Cell, RowKey] = field(default_factory=dict)
    before: dict[tuple[RowKey, int, str], str] = field(default_factory=dict)

    def empty(self) -> bool:
        return not self.sent


def corrections(after_grid: Sequence[Sequence[object]], after_notes: Mapping[tuple[int, int], str],
                cols: Mapping[str, int], plan: Positioned) -> tuple[dict[Cell, str], list[RowKey]]:
    """What to write, by position in the tab as the batch left it, so every positioned cell is
    where it was meant: (fixes, keys whose row is gone)."""
    rows: dict[RowKey, int] = {}
    keys: dict[int, RowKey | None] = {}
    for r in range(1, len(after_grid)):
        k = row_key(after_grid[r], cols)
        keys[r] = k
        if k is not None:
            rows.setdefault(k, r)

    def now(r: int, c: int, kind: str) -> str:
        if kind == "note":
            return after_notes.get((r, c), "")
        return g.text(g.cell(after_grid[r], c)) if r < len(after_grid) else ""

    fixes: dict[Cell, str] = {}
    for (r, c, kind), meant_key in plan.sent.items():
        there = keys.get(r)
        if there != meant_key:  # a sort/insert/delete moved another row under this write
            want = plan.before.get((there, c, kind), "") if there is not None else ""
            if now(r, c, kind) != want:
                fixes[(r, c, kind)] = want
    gone: list[RowKey] = []
    for (key, c, kind), text in plan.meant.items():
        r = rows.get(key)
        if r is None:
            gone.append(key)
            continue
        if now(r, c, kind) != text:
            fixes[(r, c, kind)] = text
        else:
            fixes.pop((r, c, kind), None)
    return fixes, sorted(set(gone), key=g.sort_key)


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
