"""spreadsheets.batchUpdate for the local Sheets API fake: each supported request applied to
a copy of the spreadsheet; any error discards the copy (the whole batch is atomic), and an
unknown request kind is a 400 like Google's "Unknown name" answer."""

from __future__ import annotations

from typing import Any, Callable

from tests.support.fake_sheets_meta import create_developer_metadata, delete_developer_metadata, remap_rows
from tests.support.fake_sheets_model import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    ApiError,
    Sheet,
    Spreadsheet,
    check_cell_size,
    col_letter,
    grid_range_out,
    new_value_runs,
    parse_fields,
    quote_title,
)


def apply_batch(ss: Spreadsheet, requests: list[dict], user: str) -> list[dict]:
    """Applies every request to `ss` in place (the caller passes a copy) and returns the replies."""
    if not isinstance(requests, list) or not requests:
        raise ApiError(400, "Must specify at least one request.")
    replies = []
    for i, req in enumerate(requests):
        if not isinstance(req, dict) or len(req) != 1:
            raise ApiError(400, f"Invalid requests[{i}]: exactly one kind of request must be set", f"requests[{i}]")
        (kind, body), = req.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise ApiError(400, f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': "
                                "Cannot find field.", f"requests[{i}]")
        try:
            replies.append(handler(ss, body or {}, user))
        except ApiError as e:
            e.message = e.message.replace("{i}", str(i))
            if not e.message.startswith("Invalid requests"):
                e.message = f"Invalid requests[{i}].{kind}: {e.message}"
            raise
    return replies


def _sheet_of(ss: Spreadsheet, rng: dict) -> Sheet:
    return ss.sheet_by_id(rng.get("sheetId", 0))


def _check_grid(sheet: Sheet, r1: int, c1: int) -> None:
    if r1 > sheet.row_count or c1 > sheet.col_count:
        raise ApiError(400, f"Range ({quote_title(sheet.title)}!A1:{col_letter(c1 - 1)}{r1}) exceeds grid limits. "
                            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}")


def check_protection(sheet: Sheet, r0: int, r1: int, c0: int, c1: int, user: str) -> None:
    """Google refuses edits of protected cells by anyone but the range's editors."""
    for p in sheet.protected:
        if p.get("warningOnly") or user in p.get("editors", {}).get("users", []):
            continue
        pr = p.get("range", {})
        pr0, pr1, pc0, pc1 = sheet.bounds(pr)
        if r1 <= pr0 or r0 >= pr1 or c1 <= pc0 or c0 >= pc1:
            continue
        for r in range(max(r0, pr0), min(r1, pr1)):
            for c in range(max(c0, pc0), min(c1, pc1)):
                if not any(sheet.bounds(u)[0] <= r < sheet.bounds(u)[1] and sheet.bounds(u)[2] <= c < sheet.bounds(u)[3]
                           for u in p.get("unprotectedRanges", [])):
                    raise ApiError(400, "You are trying to edit a protected cell or object. Please contact the "
                                        "spreadsheet owner to remove protection if you need to edit.")


def _field_names(fields: str) -> list[str]:
    tree = parse_fields(fields)
    if tree is None:
        return ["userEnteredValue", "note", "userEnteredFormat", "dataValidation"]
    return list(tree)


def _write_cells(sheet: Sheet, r0: int, c0: int, rows: list[dict], fields: str, clear: tuple[int, int, int, int] | None,
                 user: str) -> None:
    names = _field_names(fields)
    for row in rows:
        for cell in row.get("values", []) or []:
            check_cell_size(((cell or {}).get("userEnteredValue") or {}).get("stringValue"))
            check_cell_size((cell or {}).get("note"))
    height = len(rows)
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if clear:
        cr0, cr1, cc0, cc1 = clear
        _check_grid(sheet, max(cr1, r0 + height), max(cc1, c0 + width))
        check_protection(sheet, cr0, max(cr1, r0 + height), cc0, max(cc1, c0 + width), user)
        for r in range(cr0, min(cr1, len(sheet.rows))):
            for c in range(cc0, min(cc1, len(sheet.rows[r]))):
                cell = sheet.rows[r][c]
                if cell:
                    for n in names:
                        cell.pop(n, None)
                    sheet.rows[r][c] = cell or None
    else:
        _check_grid(sheet, r0 + height, c0 + width)
        check_protection(sheet, r0, r0 + height, c0, c0 + width, user)
    for dr, row in enumerate(rows):
        for dc, data in enumerate(row.get("values", []) or []):
            r, c = r0 + dr, c0 + dc
            cell = dict(sheet.cell(r, c) or {})
            for n in names:
                value = (data or {}).get(n)
                if n == "userEnteredValue" and value is not None:
                    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in (
                            "stringValue", "numberValue", "boolValue", "formulaValue"):
                        raise ApiError(400, f"Invalid value at 'requests.update_cells.rows.values.user_entered_value': {value!r}")
                    if value.get("stringValue") == "":
                        value = None
                if value in (None, "") or value == {}:
                    cell.pop(n, None)
                else:
                    cell[n] = value
            if "userEnteredValue" in names:
                new_value_runs(cell, "textFormatRuns" in names)
            sheet.put(r, c, cell)


# ---------------------------------------------------------------- handlers
def add_sheet(ss: Spreadsheet, body: dict, user: str) -> dict:
    props = dict(body.get("properties") or {})
    title = props.get("title") or f"Sheet{len(ss.sheets) + 1}"
    if any(s.title == title for s in ss.sheets):
        raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = ss.new_id()
    elif any(s.sheet_id == sheet_id for s in ss.sheets):
        raise ApiError(400, f"Sheet with id {sheet_id} already exists")
    grid = props.get("gridProperties") or {}
    index = props.get("index", len(ss.sheets))
    for s in ss.sheets:
        if s.index >= index:
            s.index += 1
    sheet = Sheet(sheet_id=sheet_id, title=title, index=index, row_count=grid.get("rowCount", DEFAULT_ROWS),
                  col_count=grid.get("columnCount", DEFAULT_COLS), frozen_rows=grid.get("frozenRowCount", 0),
                  frozen_cols=grid.get("frozenColumnCount", 0))
    ss.sheets.append(sheet)
    ss.reindex()
    return {"addSheet": {"properties": sheet.properties()}}


def delete_sheet(ss: Spreadsheet, body: dict, user: str) -> dict:
    sheet = ss.sheet_by_id(body.get("sheetId", 0))
    if len(ss.sheets) == 1:
        raise ApiError(400, "You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.developer_metadata = [e for e in ss.developer_metadata if e.get("_sheetId") != sheet.sheet_id]
    ss.reindex()
    return {}


def update_sheet_properties(ss: Spreadsheet, body: dict, user: str) -> dict:
    props = body.get("properties") or {}
    sheet = ss.sheet_by_id(props.get("sheetId", 0))
    fields = body.get("fields")
    if not fields:
        raise ApiError(400, "At least one field must be updated, but none was specified.")
    grid = props.get("gridProperties") or {}
    setters: dict[str, Callable[[], None]] = {
        "title": lambda: setattr(sheet, "title", props.get("title", sheet.title)),
        "index": lambda: setattr(sheet, "index", props.get("index", sheet.index)),
        "gridProperties.rowCount": lambda: setattr(sheet, "row_count", grid.get("rowCount", sheet.row_count)),
        "gridProperties.columnCount": lambda: setattr(sheet, "col_count", grid.get("columnCount", sheet.col_count)),
        "gridProperties.frozenRowCount": lambda: setattr(sheet, "frozen_rows", grid.get("frozenRowCount", 0)),
        "gridProperties.frozenColumnCount": lambda: setattr(sheet, "frozen_cols", grid.get("frozenColumnCount", 0)),
    }
    for name in fields.replace("/", ".").split(","):
        name = name.strip()
        matched = [k for k in setters if k == name or k.startswith(name + ".")]
        if not matched:
            raise ApiError(400, f"Invalid field mask: {name}")
        for k in matched:
            setters[k]()
    return {}


def update_cells(ss: Spreadsheet, body: dict, user: str) -> dict:
    fields = body.get("fields")
    if not fields:
        raise ApiError(400, "At least one field must be updated, but none was specified.")
    rows = body.get("rows") or []
    if "range" in body:
        rng = body["range"]
        sheet = _sheet_of(ss, rng)
        r0, r1, c0, c1 = sheet.bounds(rng)
        _write_cells(sheet, r0, c0, rows, fields, (r0, r1, c0, c1), user)
    elif "start" in body:
        start = body["start"]
        sheet = _sheet_of(ss, start)
        _write_cells(sheet, start.get("rowIndex", 0), start.get("columnIndex", 0), rows, fields, None, user)
    else:
        raise ApiError(400, "Either range or start must be set.")
    return {}


def append_cells(ss: Spreadsheet, body: dict, user: str) -> dict:
    sheet = ss.sheet_by_id(body.get("sheetId", 0))
    rows = body.get("rows") or []
    start = sheet.last_row_with_data() + 1
    need = start + len(rows)
    if need > sheet.row_count:
        sheet.row_count = need  # appendCells inserts rows as needed
    _write_cells(sheet, start, 0, rows, body.get("fields") or "*", None, user)
    return {}


def _masked(have: dict, data: dict, tree: dict | None) -> dict:
    """`have` with the fields the mask `tree` names taken from `data` (absent there: cleared), as
    Google applies a field mask: "userEnteredFormat(textFormat,backgroundColor)" leaves the rest of
    the cell's format alone; "userEnteredFormat" replaces (or with an empty cell, clears) all of it."""
    out = dict(have)
    for name, sub in (tree or {}).items():
        if sub is None or not isinstance(data.get(name, {}), dict):
            if name in data:
                out[name] = data[name]
            else:
                out.pop(name, None)
            continue
        inner = _masked(out.get(name) or {}, data.get(name) or {}, sub)
        if inner:
            out[name] = inner
        else:
            out.pop(name, None)
    return out


def repeat_cell(ss: Spreadsheet, body: dict, user: str) -> dict:
    rng = body.get("range") or {}
    sheet = _sheet_of(ss, rng)
    r0, r1, c0, c1 = sheet.bounds(rng)
    tree = parse_fields(body.get("fields") or "*")
    if tree is None:
        tree = {n: None for n in _field_names("*")}
    data = body.get("cell") or {}
    if not _masked({}, data, tree):
        # clearing (an empty cell stays empty): only the cells that hold something can change, so a
        # whole-tab reset does not walk a thousand empty rows
        cells = [(r, c) for r in range(r0, min(r1, len(sheet.rows)))
                 for c in range(c0, min(c1, len(sheet.rows[r]))) if sheet.rows[r][c]]
    else:
        cells = [(r, c) for r in range(r0, r1) for c in range(c0, c1)]
    for r, c in cells:
        cell = _masked(dict(sheet.cell(r, c) or {}), data, tree)
        if cell or sheet.cell(r, c):
            sheet.put(r, c, cell)
    return {}


def update_dimension_properties(ss: Spreadsheet, body: dict, user: str) -> dict:
    rng = body.get("range") or {}
    sheet = _sheet_of(ss, rng)
    px = (body.get("properties") or {}).get("pixelSize")
    if "pixelSize" not in (body.get("fields") or "") or px is None:
        raise ApiError(400, "Only pixelSize is supported by this fake")
    target = sheet.column_px if rng.get("dimension") == "COLUMNS" else sheet.row_px
    if rng.get("dimension") not in ("COLUMNS", "ROWS"):
        raise ApiError(400, "dimension must be ROWS or COLUMNS")
    for i in range(rng.get("startIndex", 0), rng.get("endIndex", rng.get("startIndex", 0) + 1)):
        target[i] = px
    return {}


def add_protected_range(ss: Spreadsheet, body: dict, user: str) -> dict:
    pr = dict(body.get("protectedRange") or {})
    rng = pr.get("range") or {}
    sheet = _sheet_of(ss, rng)
    editors = pr.get("editors") or {}
    if pr.get("warningOnly") and (editors.get("users") or editors.get("groups") or editors.get("domainUsersCanEdit")):
        raise ApiError(400, "Invalid requests[{i}].addProtectedRange: "
                            "ProtectedRange cannot have editors when warningOnly is set.")
    requested = list(dict.fromkeys(editors.get("users") or []))
    users = requested + ([user] if user not in requested else [])  # the requesting user keeps access
    stored = {"protectedRangeId": ss.new_id(), "range": grid_range_out(rng)}
    if pr.get("description"):
        stored["description"] = pr["description"]
    if pr.get("warningOnly"):
        stored["warningOnly"] = True
    if pr.get("unprotectedRanges"):
        stored["unprotectedRanges"] = [grid_range_out(u) for u in pr["unprotectedRanges"]]
    stored["requestingUserCanEdit"] = True
    # the reply echoes the editors asked for; the sheet's metadata lists the requester too
    reply = dict(stored, editors={"users": requested} if requested else {})
    stored["editors"] = {"users": users}
    sheet.protected.append(stored)
    return {"addProtectedRange": {"protectedRange": reply}}


def _find(ss: Spreadsheet, kind: str, id_field: str, wanted: Any, what: str) -> tuple[Sheet, dict]:
    """The sheet and the entry of its `kind` list (protected, filter_views) whose `id_field` is
    `wanted`; Google's 400 naming `what` when there is none."""
    for sheet in ss.sheets:
        for entry in getattr(sheet, kind):
            if entry[id_field] == wanted:
                return sheet, entry
    raise ApiError(400, f"No {what} with id: {wanted}")


def _find_protected(ss: Spreadsheet, pid: Any) -> tuple[Sheet, dict]:
    return _find(ss, "protected", "protectedRangeId", pid, "protected range")


def delete_protected_range(ss: Spreadsheet, body: dict, user: str) -> dict:
    sheet, p = _find_protected(ss, body.get("protectedRangeId"))
    sheet.protected.remove(p)
    return {}


def add_conditional_format_rule(ss: Spreadsheet, body: dict, user: str) -> dict:
    rule = dict(body.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges or not (rule.get("booleanRule") or rule.get("gradientRule")):
        raise ApiError(400, "A conditional format rule needs ranges and a booleanRule or gradientRule.")
    sheet = _sheet_of(ss, ranges[0])
    rule["ranges"] = [grid_range_out(r) for r in ranges]
    index = body.get("index", 0)
    sheet.conditional.insert(index, rule)
    return {}


def delete_conditional_format_rule(ss: Spreadsheet, body: dict, user: str) -> dict:
    sheet = ss.sheet_by_id(body.get("sheetId", 0))
    index = body.get("index", 0)
    if not 0 <= index < len(sheet.conditional):
        raise ApiError(400, f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    rule = sheet.conditional.pop(index)
    return {"deleteConditionalFormatRule": {"rule": rule}}


def add_chart(ss: Spreadsheet, body: dict, user: str) -> dict:
    chart = dict(body.get("chart") or {})
    if "spec" not in chart:
        raise ApiError(400, "chart.spec is required")
    anchor = ((chart.get("position") or {}).get("overlayPosition") or {}).get("anchorCell") or {}
    sheet = ss.sheet_by_id(anchor.get("sheetId", ss.sheets[0].sheet_id if ss.sheets else 0))
    chart["chartId"] = ss.new_id()
    sheet.charts.append(chart)
    return {"addChart": {"chart": chart}}


def delete_embedded_object(ss: Spreadsheet, body: dict, user: str) -> dict:
    object_id = body.get("objectId")
    for sheet in ss.sheets:
        for chart in sheet.charts:
            if chart.get("chartId") == object_id:
                sheet.charts.remove(chart)
                return {}
    raise ApiError(400, f"No embedded object with id: {object_id}")


def set_data_validation(ss: Spreadsheet, body: dict, user: str) -> dict:
    rng = body.get("range") or {}
    sheet = _sheet_of(ss, rng)
    r0, r1, c0, c1 = sheet.bounds(rng)
    for r in range(r0, r1):
        for c in range(c0, c1):
            cell = dict(sheet.cell(r, c) or {})
            if body.get("rule"):
                cell["dataValidation"] = body["rule"]
            else:
                cell.pop("dataValidation", None)
            if cell or sheet.cell(r, c):
                sheet.put(r, c, cell)
    return {}


def _all_filter_views(ss: Spreadsheet) -> list[dict]:
    return [v for s in ss.sheets for v in s.filter_views]


def _filter_out(view: dict) -> dict:
    """A filter view as Google stores it: filterSpecs and the deprecated criteria map both filled."""
    specs = [dict(s) for s in view.get("filterSpecs") or []]
    for k, crit in (view.get("criteria") or {}).items():
        if not any(s.get("columnIndex") == int(k) for s in specs):
            specs.append({"columnIndex": int(k), "filterCriteria": crit})
    for spec in specs:
        if "columnIndex" not in spec:
            raise ApiError(400, "filterSpecs[].columnIndex is required")
        cond = (spec.get("filterCriteria") or {}).get("condition")
        if cond is not None and cond.get("type") not in ("TEXT_EQ", "TEXT_CONTAINS", "NUMBER_EQ", "BLANK", "NOT_BLANK",
                                                          "CUSTOM_FORMULA", "TEXT_NOT_CONTAINS", "TEXT_STARTS_WITH"):
            raise ApiError(400, f"Invalid ConditionType: {cond.get('type')}")
    out = {k: v for k, v in view.items() if k not in ("filterSpecs", "criteria")}
    if specs:
        out["filterSpecs"] = specs
        out["criteria"] = {str(s["columnIndex"]): s.get("filterCriteria", {}) for s in specs}
    return out


def add_filter_view(ss: Spreadsheet, body: dict, user: str) -> dict:
    view = dict(body.get("filter") or {})
    rng = view.get("range")
    if not rng:
        raise ApiError(400, "Invalid requests[{i}].addFilterView: filter.range is required")
    sheet = _sheet_of(ss, rng)
    taken = {v["filterViewId"] for v in _all_filter_views(ss)}
    if "filterViewId" in view:
        if view["filterViewId"] in taken:
            raise ApiError(400, f"Invalid requests[{{i}}].addFilterView: Duplicate filter view ID: {view['filterViewId']}")
    else:
        view["filterViewId"] = ss.new_id()
    view["range"] = grid_range_out(rng)
    stored = _filter_out(view)
    sheet.filter_views.append(stored)
    return {"addFilterView": {"filter": stored}}


def _find_filter_view(ss: Spreadsheet, fid: Any) -> tuple[Sheet, dict]:
    return _find(ss, "filter_views", "filterViewId", fid, "filter view")


def update_filter_view(ss: Spreadsheet, body: dict, user: str) -> dict:
    new = dict(body.get("filter") or {})
    fields = body.get("fields")
    if not fields:
        raise ApiError(400, "Invalid requests[{i}].updateFilterView: fields is required")
    sheet, view = _find_filter_view(ss, new.get("filterViewId"))
    names = ["title", "range", "filterSpecs", "criteria", "sortSpecs"] if fields == "*" else _field_names(fields)
    merged = dict(view)
    for n in names:
        if n in new:
            merged[n] = grid_range_out(new[n]) if n == "range" else new[n]
        else:
            merged.pop(n, None)
    if "filterSpecs" in names and "criteria" not in names:
        merged.pop("criteria", None)
    sheet.filter_views[sheet.filter_views.index(view)] = _filter_out(merged)
    return {}


def delete_filter_view(ss: Spreadsheet, body: dict, user: str) -> dict:
    sheet, view = _find_filter_view(ss, body.get("filterId"))
    sheet.filter_views.remove(view)
    return {}


def _rows_range(ss: Spreadsheet, body: dict) -> tuple[Sheet, dict]:
    """The sheet and the range of an insert/deleteDimension request; rows only in this fake."""
    rng = body.get("range") or {}
    if rng.get("dimension") != "ROWS":
        raise ApiError(400, "Only ROWS is supported by this fake")
    return _sheet_of(ss, rng), rng


def insert_dimension(ss: Spreadsheet, body: dict, user: str) -> dict:
    """Rows only: the rows below move down with their cells and metadata."""
    sheet, rng = _rows_range(ss, body)
    lo, hi = rng.get("startIndex", 0), rng.get("endIndex", 0)
    if not 0 <= lo < hi or lo > sheet.row_count:
        raise ApiError(400, "Invalid requests[{i}].insertDimension: invalid range")
    while len(sheet.rows) < lo:
        sheet.rows.append([])
    sheet.rows[lo:lo] = [[] for _ in range(hi - lo)]
    sheet.row_count += hi - lo
    remap_rows(sheet, [r if r < lo else (None if r < hi else r - (hi - lo)) for r in range(sheet.row_count)])
    return {}


def delete_dimension(ss: Spreadsheet, body: dict, user: str) -> dict:
    """Rows only: the rows go with their metadata; the rows below move up."""
    sheet, rng = _rows_range(ss, body)
    lo, hi = rng.get("startIndex", 0), min(rng.get("endIndex", 0), sheet.row_count)
    if not 0 <= lo < hi:
        raise ApiError(400, "Invalid requests[{i}].deleteDimension: invalid range")
    del sheet.rows[lo:hi]
    sheet.row_count -= hi - lo
    remap_rows(sheet, [r if r < lo else r + (hi - lo) for r in range(sheet.row_count)])
    return {}


def unmerge_cells(ss: Spreadsheet, body: dict, user: str) -> dict:
    """Every merge inside the range is undone; Google keeps a merge's value in its first cell only,
    so the others are left empty (as they are stored). A merge the range crosses only in part is
    refused, as are protected cells (an unmerge edits them)."""
    rng = body.get("range") or {}
    sheet = _sheet_of(ss, rng)
    r0, r1, c0, c1 = sheet.bounds(rng)
    check_protection(sheet, r0, r1, c0, c1, user)
    kept = []
    for m in sheet.merges:
        mr0, mr1, mc0, mc1 = sheet.bounds(m)
        if mr1 <= r0 or mr0 >= r1 or mc1 <= c0 or mc0 >= c1:
            kept.append(m)
        elif not (r0 <= mr0 and mr1 <= r1 and c0 <= mc0 and mc1 <= c1):
            raise ApiError(400, "Must specify a range that fully contains each merge it crosses.")
    sheet.merges = kept
    return {}


HANDLERS: dict[str, Callable[[Spreadsheet, dict, str], dict]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateCells": update_cells,
    "appendCells": append_cells,
    "repeatCell": repeat_cell,
    "updateDimensionProperties": update_dimension_properties,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "addChart": add_chart,
    "deleteEmbeddedObject": delete_embedded_object,
    "setDataValidation": set_data_validation,
    "addFilterView": add_filter_view,
    "updateFilterView": update_filter_view,
    "deleteFilterView": delete_filter_view,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "unmergeCells": unmerge_cells,
    "createDeveloperMetadata": create_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
}
