"""Each agency's own view and own cells on Google Sheets (issue 14): pure request planning for `init`.

* One filter view per agency on `ส่ง URL`, named after the agency, showing only its rows (agency code
  equal to its code). A filter view changes nothing for other people, unlike a sort or a filter. Ours are
  recognised by their one condition (TEXT_EQ on the agency code), so a renamed agency gets its view
  renamed, never a second view; the view's id is chosen by us (Google allows it), so the link to it
  (`…/edit#gid=<tab>&fvid=<view>`) is written into the agencies tab in the same batch.
* Where the agencies tab lists editor e-mails for an agency, its URL and explanation cells get a
  protected range of their own (description "sheets-sync: agency <code>") whose editors are those
  e-mails, the coordinators and the service account. Google lets a user edit a cell only when the user
  may edit every protected range over it, so agency B (open by the tab-wide protection's unprotected
  columns) is refused on agency A's cells. Without e-mails the agency keeps today's rule.

Everything is compared with what the sheet has, so a second `init` sends nothing, and a changed or
removed protection or view is repaired in place, never duplicated. All requests go in init's one batch.
"""

from __future__ import annotations

import zlib
from typing import Any, Iterable, Mapping, Sequence

from sheets_sync.sheet import grid as g
from sheets_sync.sheet.gsheets_plan import PROTECTION_TAG, SheetMeta

AGENCY_TAG = f"{PROTECTION_TAG}: agency "


def view_link(spreadsheet_id: str, sheet_id: int, view_id: int) -> str:
    """The link that opens the spreadsheet on the tab with the filter view applied."""
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit#gid={sheet_id}&fvid={view_id}"


def _specs(view: dict) -> list[dict]:
    specs = view.get("filterSpecs")
    if specs is None:  # older answers carry only the deprecated criteria map
        specs = [{"columnIndex": int(k), "filterCriteria": v} for k, v in (view.get("criteria") or {}).items()]
    return list(specs)


def view_code(view: dict) -> tuple[str, int] | None:
    """(agency code, column) when the view is one of ours: a single TEXT_EQ condition with one value."""
    specs = _specs(view)
    if len(specs) != 1:
        return None
    cond = (specs[0].get("filterCriteria") or {}).get("condition") or {}
    values = cond.get("values") or []
    if cond.get("type") != "TEXT_EQ" or len(values) != 1 or "userEnteredValue" not in values[0]:
        return None
    return str(values[0]["userEnteredValue"]), int(specs[0].get("columnIndex", -1))


def _new_view_id(code: str, taken: set[int]) -> int:
    n = zlib.crc32(code.encode("utf-8")) % 1_900_000_000 + 1000
    while n in taken:
        n += 1
    return n


def _spec(code: str, agency_col: int) -> list[dict]:
    return [{"columnIndex": agency_col,
             "filterCriteria": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": code}]}}}]


def filter_view_requests(m: SheetMeta, agencies: Sequence[tuple[str, str]], agency_col: int,
                         taken: set[int]) -> tuple[list[dict], dict[str, int]]:
    """Requests that give each (code, name) its filter view on tab `m`, and code -> view id. `taken`:
    every filter view id of the spreadsheet (ids are spreadsheet-wide); updated with the new ones."""
    existing: dict[str, tuple[dict, int]] = {}
    for v in m.filter_views:
        found = view_code(v)
        if found is not None and found[0] not in existing:
            existing[found[0]] = (v, found[1])
    reqs: list[dict] = []
    ids: dict[str, int] = {}
    for code, name in agencies:
        title = name or code
        if code in existing:
            v, col = existing[code]
            ids[code] = v["filterViewId"]
            changed: dict[str, Any] = {}
            if v.get("title") != title:
                changed["title"] = title
            if col != agency_col:  # a coordinator moved the agency column
                changed["filterSpecs"] = _spec(code, agency_col)
            if changed:
                reqs.append({"updateFilterView": {"filter": {"filterViewId": v["filterViewId"], **changed},
                                                  "fields": ",".join(changed)}})
            continue
        vid = _new_view_id(code, taken)
        taken.add(vid)
        ids[code] = vid
        reqs.append({"addFilterView": {"filter": {"filterViewId": vid, "title": title, "range": {"sheetId": m.sheet_id},
                                                  "filterSpecs": _spec(code, agency_col)}}})
    return reqs, ids


def _runs(indexes: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive runs [start, end) of sorted integers."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(indexes)):
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def agency_ranges(grid: Sequence[Sequence[object]], agency_col: int, open_cols: Sequence[int]
                  ) -> dict[str, list[dict]]:
    """code -> the GridRanges (without sheetId) of its rows' agency-editable cells, as the tab is now."""
    rows: dict[str, list[int]] = {}
    for i, row in enumerate(grid[1:], start=1):
        code = g.text(g.cell(row, agency_col))
        if code:
            rows.setdefault(code, []).append(i)
    col_runs = _runs(open_cols)
    return {code: [{"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
                   for r0, r1 in _runs(idx) for c0, c1 in col_runs]
            for code, idx in rows.items()}


def agency_protection_requests(m: SheetMeta, ranges: Mapping[str, list[dict]],
                               editors: Mapping[str, Sequence[str]], base_editors: Sequence[str]) -> list[dict]:
    """Protected ranges over each agency's cells for the agencies with editor e-mails; ours that are no
    longer wanted (e-mails cleared, rows moved) are deleted, the wanted ones that exist are kept.

    An existing range counts as right when it has the wanted editors; extra editors are tolerated (Google
    lists the owner, a coordinator may add a colleague) unless one of them is an agency's e-mail from the
    agencies tab: then another agency could edit these cells, and the range is replaced."""
    typed = {e for emails in editors.values() for e in emails}
    want: list[dict] = []
    for code in sorted(ranges):
        emails = tuple(editors.get(code, ()))
        if not emails:
            continue
        users = list(dict.fromkeys([*emails, *base_editors]))
        for rng in ranges[code]:
            want.append({"range": {"sheetId": m.sheet_id, **rng}, "description": f"{AGENCY_TAG}{code}",
                         "warningOnly": False, "editors": {"users": users}})
    have = [p for p in m.protected if str(p.get("description", "")).startswith(AGENCY_TAG)]
    kept: set[int] = set()
    add: list[dict] = []
    for w in want:
        match = next((i for i, p in enumerate(have) if i not in kept and _same(p, w, typed)), None)
        if match is None:
            add.append(w)
        else:
            kept.add(match)
    out = [{"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}}
           for i, p in enumerate(have) if i not in kept]
    out += [{"addProtectedRange": {"protectedRange": w}} for w in add]
    return out


def _same(have: dict, want: dict, typed: set[str]) -> bool:
    if have.get("description") != want["description"] or have.get("warningOnly"):
        return False
    if _norm(have.get("range", {})) != _norm(want["range"]):
        return False
    users = {u.lower() for u in have.get("editors", {}).get("users", [])}
    wanted = {u.lower() for u in want["editors"]["users"]}
    return wanted <= users and not ((users - wanted) & typed)


def _norm(r: dict) -> tuple:
    """A GridRange compared as Google echoes it (sheetId and zero indexes dropped)."""
    return tuple((k, r[k]) for k in sorted(r) if k != "sheetId" and r[k] not in (0, None))
