"""Developer metadata for the local Sheets API fake, with Google's semantics: metadata lives on
the spreadsheet, on a sheet, or on a row (a DimensionRange of ROWS); row metadata moves with its
row when rows are sorted, inserted or deleted, and is deleted with its row. DataFilters with a
developerMetadataLookup select metadata (every given field must match) and, for values
writes, the range it is attached to (a whole row, a whole sheet).

Only single-row row metadata is modelled (what the worker creates)."""

from __future__ import annotations

from typing import Any, Iterator

from tests.support.fake_sheets_model import ApiError, Sheet, Spreadsheet, grid_range_out

VISIBILITIES = ("DOCUMENT", "PROJECT")


def _location(ss: Spreadsheet, entry: dict, sheet: Sheet | None, row: int | None) -> dict:
    if row is not None and sheet is not None:
        return {"locationType": "ROW", "dimensionRange": {"sheetId": sheet.sheet_id, "dimension": "ROWS",
                                                          "startIndex": row, "endIndex": row + 1}}
    if sheet is not None:
        return {"locationType": "SHEET", "sheetId": sheet.sheet_id}
    return {"locationType": "SPREADSHEET", "spreadsheet": True}


def full(ss: Spreadsheet, entry: dict, sheet: Sheet | None = None, row: int | None = None) -> dict:
    """A stored entry as Google shows it (DeveloperMetadata with its location)."""
    out = {k: entry[k] for k in ("metadataId", "metadataKey", "metadataValue") if k in entry}
    out["location"] = _location(ss, entry, sheet, row)
    out["visibility"] = entry.get("visibility", "DOCUMENT")
    return out


def every(ss: Spreadsheet) -> Iterator[tuple[dict, Sheet | None, int | None]]:
    """(entry, sheet or None, row or None) for every piece of metadata in the spreadsheet."""
    for entry in ss.developer_metadata:
        sheet = ss.sheet_by_id(entry["_sheetId"]) if "_sheetId" in entry else None
        yield entry, sheet, None
    for sheet in ss.sheets:
        for row, entries in sorted(sheet.row_meta.items()):
            for entry in entries:
                yield entry, sheet, row


def matches(ss: Spreadsheet, lookup: dict, entry: dict, sheet: Sheet | None, row: int | None) -> bool:
    """DeveloperMetadataLookup: every field given must match."""
    loc = _location(ss, entry, sheet, row)
    if "metadataId" in lookup and lookup["metadataId"] != entry["metadataId"]:
        return False
    if "metadataKey" in lookup and lookup["metadataKey"] != entry.get("metadataKey"):
        return False
    if "metadataValue" in lookup and lookup["metadataValue"] != entry.get("metadataValue"):
        return False
    if "visibility" in lookup and lookup["visibility"] != entry.get("visibility", "DOCUMENT"):
        return False
    if "locationType" in lookup and lookup["locationType"] != loc["locationType"]:
        return False
    want = lookup.get("metadataLocation")
    if want:
        strategy = lookup.get("locationMatchingStrategy", "INTERSECTING_LOCATION")
        if want.get("spreadsheet"):
            return loc["locationType"] == "SPREADSHEET" or strategy != "EXACT_LOCATION"
        if "sheetId" in want:
            if sheet is None or sheet.sheet_id != want["sheetId"]:
                return False
            return strategy != "EXACT_LOCATION" or loc["locationType"] == "SHEET"
        dr = want.get("dimensionRange")
        if dr:
            if sheet is None or row is None or sheet.sheet_id != dr.get("sheetId") or dr.get("dimension") != "ROWS":
                return False
            lo, hi = dr.get("startIndex", 0), dr.get("endIndex", 10 ** 9)
            if strategy == "EXACT_LOCATION":
                return (lo, hi) == (row, row + 1)
            return lo <= row < hi
    return True


def lookup_of(data_filter: dict) -> dict:
    if not isinstance(data_filter, dict) or "developerMetadataLookup" not in data_filter:
        raise ApiError(400, "Only developerMetadataLookup data filters are supported by this fake")
    return data_filter["developerMetadataLookup"] or {}


def select(ss: Spreadsheet, data_filter: dict, index: dict | None = None) -> list[tuple[dict, Sheet | None, int | None]]:
    """The metadata a filter selects; `index` (from `by_value`) makes lookups by key and value fast."""
    lookup = lookup_of(data_filter)
    pool = every(ss)
    if index is not None and "metadataKey" in lookup and "metadataValue" in lookup:
        pool = index.get((lookup["metadataKey"], lookup["metadataValue"]), [])
    return [(e, s, r) for e, s, r in pool if matches(ss, lookup, e, s, r)]


def by_value(ss: Spreadsheet) -> dict:
    out: dict = {}
    for e, s, r in every(ss):
        out.setdefault((e.get("metadataKey"), e.get("metadataValue")), []).append((e, s, r))
    return out


# ---------------------------------------------------------------- batchUpdate handlers
def create_developer_metadata(ss: Spreadsheet, body: dict, user: str) -> dict:
    dm = dict(body.get("developerMetadata") or {})
    if not dm.get("metadataKey"):
        raise ApiError(400, "Invalid requests[{i}].createDeveloperMetadata: metadataKey is required")
    visibility = dm.get("visibility", "DOCUMENT")
    if visibility not in VISIBILITIES:
        raise ApiError(400, "Invalid requests[{i}].createDeveloperMetadata: visibility must be DOCUMENT or PROJECT")
    mid = dm.get("metadataId")
    if mid is not None and any(e["metadataId"] == mid for e, _, _ in every(ss)):
        raise ApiError(400, f"Invalid requests[{{i}}].createDeveloperMetadata: metadataId {mid} is already in use")
    entry: dict[str, Any] = {"metadataId": mid if mid is not None else ss.new_id() % 2_000_000_000,
                             "metadataKey": dm["metadataKey"], "visibility": visibility}
    if "metadataValue" in dm:
        entry["metadataValue"] = dm["metadataValue"]
    loc = dm.get("location") or {}
    sheet, row = None, None
    if loc.get("dimensionRange"):
        dr = loc["dimensionRange"]
        sheet = ss.sheet_by_id(dr.get("sheetId", 0))
        lo, hi = dr.get("startIndex", 0), dr.get("endIndex", 0)
        if dr.get("dimension") != "ROWS" or hi - lo != 1:
            raise ApiError(400, "Invalid requests[{i}].createDeveloperMetadata: this fake models single-row metadata only")
        if hi > sheet.row_count:
            raise ApiError(400, f"Invalid requests[{{i}}].createDeveloperMetadata: row {lo} is outside the grid")
        row = lo
        sheet.row_meta.setdefault(row, []).append(entry)
    elif "sheetId" in loc:
        sheet = ss.sheet_by_id(loc["sheetId"])
        entry["_sheetId"] = sheet.sheet_id
        ss.developer_metadata.append(entry)
    elif loc.get("spreadsheet"):
        ss.developer_metadata.append(entry)
    else:
        raise ApiError(400, "Invalid requests[{i}].createDeveloperMetadata: a location is required")
    return {"createDeveloperMetadata": {"developerMetadata": full(ss, entry, sheet, row)}}


def delete_developer_metadata(ss: Spreadsheet, body: dict, user: str) -> dict:
    chosen = select(ss, body.get("dataFilter") or {})
    deleted = []
    for entry, sheet, row in chosen:
        deleted.append(full(ss, entry, sheet, row))
        if row is not None and sheet is not None:
            sheet.row_meta[row].remove(entry)
            if not sheet.row_meta[row]:
                del sheet.row_meta[row]
        else:
            ss.developer_metadata.remove(entry)
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": deleted}}


# ---------------------------------------------------------------- moving rows (what Sheets does on sort/insert/delete)
def remap_rows(sheet: Sheet, old_of_new: list[int | None]) -> None:
    """Rows were rearranged: new row i was row old_of_new[i] (None: a new row). Metadata of rows
    that are gone is deleted with them."""
    moved: dict[int, list[dict]] = {}
    taken: set[int] = set()
    for new, old in enumerate(old_of_new):
        if old is not None and old in sheet.row_meta and old not in taken:
            taken.add(old)
            moved[new] = sheet.row_meta[old]
    sheet.row_meta = moved


def row_range(sheet: Sheet, row: int) -> dict:
    return grid_range_out({"sheetId": sheet.sheet_id, "startRowIndex": row, "endRowIndex": row + 1,
                           "startColumnIndex": 0, "endColumnIndex": sheet.col_count})
