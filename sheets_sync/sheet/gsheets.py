"""The Google Sheets backend, behind the same protocol as xlsx: gspread 6 with a service account.

Semantics are those of GridBackend (base.py): the shared `_layout` and `_write_verdicts` run on a
recording Book (gsheets_plan.SheetBook) loaded from the sheet. Rows are found by (agency code, item
code); a row whose URL text changed since the read gets no verdict; only worker columns and the note
on the URL cell are ever written (never the URL value, never agency cells). Row identity at write
time is Google's, not ours: see gsheets_rows (row developer metadata). Tabs are found by the sheet id
remembered in the spreadsheet's developer metadata, so a renamed tab keeps working.

Requests (quota budget; Google counts 60 reads and 60 writes per minute per user):

    read()           1 spreadsheets.get (tab properties, remembered tab ids)  +  1 spreadsheets.get
                     of the two tabs' cells (values as typed, so a =HYPERLINK(...) comes back
                     as typed, and the links a URL cell carries: gsheets_links)        2 reads
    write_results()  1 spreadsheets.get of every tab's cells (userEnteredValue, note) and row
                     metadata, naming no tab title  +  1 values:batchUpdateByDataFilter of the
                     changed verdict cells through row metadata (none when nothing differs);
                     before it, 1 spreadsheets.batchUpdate only on a run that finds a merged range
                     over a judged row's cells (`_unmerge`; none is left after it)
                                                                                    1 read, <=1 write
    write_summary()  1 spreadsheets.batchUpdate: the held positioned writes (notes, metadata
                     repairs, checked-at-only times), remembered tab ids and the summary; it asks
                     for the spreadsheet as it left it, and only if a row or column move misplaced something
                     in the gap, one more batch puts it right                             1 write

So one sync uses 3 reads and at most 2 writes whatever the number of rows (more only if a batch
must be split to stay under MAX_BATCH_BYTES, which a 2,537-row sheet does not need, or rows moved
between the two writes).

Choice for "no verdict changed": the checked-at time changes on every run. When the only cells
that differ are checked-at times, write_results sends nothing; they go by position with the
summary (checked on the batch's answer like the notes), so such a sync makes exactly one write.
If the run stops before write_summary, notes and those times are not updated (no verdict is lost);
`flush()` sends them for a caller that writes no summary.

Faults: each HTTP request is retried by our own bounded policy (gsheets_http.RetryPolicy: 429,
408, 5xx, timeouts, token refresh failures); when it gives up, a BackendError (exit 3) says so.
A batchUpdate is atomic on Google's side, so a failed write leaves the sheet as it was and the
next run starts over from a fresh read. A spreadsheet that is missing or not shared gives one
message naming the service-account e-mail to share it with.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

import gspread
import requests
from google.auth import exceptions as gauth_errors

from sheets_sync.config.settings import Agency, Catalog, Config
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.errors import BackendError, ConfigError
from sheets_sync.core.models import RowKey, Summary, Verdict, WriteReport
from sheets_sync.sheet import grid as g
from sheets_sync.sheet import gsheets_rows as ident
from sheets_sync.sheet.backend import LayoutReport, Snapshot
from sheets_sync.sheet.base import GridBackend
from sheets_sync.sheet.gsheets_http import (
    GaveUp,
    Retrier,
    Unconfirmed,
    RetryPolicy,
    describe,
    load_service_account,
    routed_client_class,
)
from sheets_sync.sheet.gsheets_plan import (
    agency_columns,
    DEFAULT_SHEET_TITLES,
    SheetBook,
    SheetMeta,
    chart_requests,
    conditional_requests,
    created_tab_format,
    from_api_value,
    frozen_request,
    grid_from,
    metas,
    protection_requests,
    quote,
    refused_cells,
    refused_message,
    split,
    status_column,
    summary_format_requests,
    translate,
    unmerge_requests,
)
from sheets_sync.sheet.gsheets_links import LINK_FIELDS, LinkedText, follow_links, other_links
from sheets_sync.sheet.gsheets_views import (
    agency_protection_requests,
    agency_ranges,
    filter_view_requests,
    view_link,
)
from sheets_sync.sheet.layout import (
    AGENCY_HEADERS,
    SUBMISSION_HEADERS,
    TAB_AGENCIES,
    TAB_GUIDE,
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
    TABS,
    WORKER_KEYS,
    summary_look,
)

log = logging.getLogger(__name__)

GOOGLE_ENDPOINT = "https://sheets.googleapis.com"
MAX_BATCH_BYTES = 8 * 1024 * 1024  # Google refuses request bodies over 10 MiB
_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_DM = "developerMetadata(metadataId,metadataKey,metadataValue)"
_META_FIELDS = f"sheets(properties,charts(chartId)),{_DM}"
_LAYOUT_FIELDS = f"sheets(properties,protectedRanges,conditionalFormats,filterViews),{_DM}"
# the write-time read: every tab's cells as typed, notes and row metadata, found by sheetId (no title in the request)
_CELLS_FIELDS = (f"{_DM},sheets(properties(sheetId,title,gridProperties),charts(chartId),merges,"
                 "protectedRanges(range,unprotectedRanges,requestingUserCanEdit,warningOnly),"
                 f"data(rowData(values(userEnteredValue,note,{LINK_FIELDS})),rowMetadata({_DM})))")
# the read's cells: values as typed and the URL cells' links (gsheets_links), by tab title
_READ_FIELDS = f"sheets(properties(title),merges,data(startRow,startColumn,rowData(values(userEnteredValue,{LINK_FIELDS}))))"
_AFTER_FIELDS = f"replies,updatedSpreadsheet({_CELLS_FIELDS})"


def spreadsheet_id(text: str) -> str:
    """The id from a spreadsheet id or any of its URLs."""
    text = (text or "").strip()
    m = _ID.search(text)
    sid = m.group(1) if m else text
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,}", sid):
        raise ConfigError("backend.spreadsheet must be the Google Sheets id or URL "
                           f"(https://docs.google.com/spreadsheets/d/<id>/edit), not {text!r}")
    return sid


class GSheetsBackend(GridBackend):
    def __init__(self, spreadsheet: str, credentials: str, api_endpoint: str = GOOGLE_ENDPOINT,
                 coordinators: Sequence[str] = (), tz: ZoneInfo = BANGKOK, policy: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 timeout: float | None = 60.0, max_batch_bytes: int = MAX_BATCH_BYTES) -> None:
        self.tz = tz
        self.spreadsheet_id = spreadsheet_id(spreadsheet)
        self.account = load_service_account(credentials)
        self.coordinators = tuple(coordinators)
        self.retrier = Retrier(policy, sleep, clock)
        self.max_batch_bytes = max_batch_bytes
        self.settle_s = min(timeout or 10.0, 10.0)  # before looking again at a write that got no answer
        client = gspread.authorize(self.account.credentials,
                                   http_client=routed_client_class(api_endpoint or GOOGLE_ENDPOINT, self.retrier, timeout))
        self.http = client.http_client
        self._meta: dict[str, SheetMeta] | None = None  # tab properties from the last read, by role
        self._remembered: dict[str, list[tuple[int, int]]] = {}  # role -> [(metadataId, sheetId)]
        self._renames_told: set[tuple[str, str]] = set()
        self._pending: list[dict] = []  # positioned requests (notes, repairs, checked-at), sent with the summary
        self._positioned: ident.Positioned | None = None  # what those requests mean, checked on the answer
        self._links: dict[tuple[int, int], str] = {}  # the last read's URL cells linking elsewhere than they show
        self._refused: Callable[[int, int], bool] = lambda row, col: False  # cells protected against us (write-time read)
        self._merged: tuple[list[dict], list[dict]] = ([], [])  # the write-time read's merges and GridData parts

    @classmethod
    def from_config(cls, config: Config) -> "GSheetsBackend":
        b = config.settings.backend
        return cls(b.spreadsheet, b.credentials, api_endpoint=b.api_endpoint, coordinators=b.coordinators,
                   tz=config.settings.tz)

    # ------------------------------------------------------------ errors
    @contextmanager
    def _api(self, what: str) -> Iterator[None]:
        try:
            yield
        except (BackendError, Unconfirmed):
            raise
        except GaveUp as e:
            raise BackendError(f"Google Sheets: could not {what}: {e}. That write changed nothing (each write "
                               "is one atomic batch); the next run starts again.") from None
        except gspread.exceptions.APIError as e:
            if e.response.status_code == 403 and getattr(e.response.request, "method", "GET") in ("POST", "PUT"):
                raise BackendError(self._viewer_message(e)) from None
            if e.response.status_code in (403, 404):
                raise BackendError(self._share_message(e)) from None
            raise BackendError(f"Google Sheets: could not {what}: {describe(e)}") from None
        except (requests.RequestException, gauth_errors.GoogleAuthError) as e:
            raise BackendError(f"Google Sheets: could not {what}: {describe(e)}") from None

    def _viewer_message(self, e: gspread.exceptions.APIError) -> str:
        # Refused a write only (every run reads before it writes): it is shared, only not as an
        # Editor; "not shared" sent people looking for a share that was there.
        return (f"Google Sheets: the worker's service account {self.account.email} can read spreadsheet "
                f"{self.spreadsheet_id} but not write to it: it is shared as Viewer or Commenter. Open the sheet, "
                f"click Share and make {self.account.email} an Editor, then run again. (Google said: {describe(e)})")

    def _share_message(self, e: gspread.exceptions.APIError) -> str:
        return (f"Google Sheets: spreadsheet {self.spreadsheet_id} was not found, or it is not shared with the "
                f"worker's service account. Open the sheet, click Share and add {self.account.email} as an "
                f"Editor, then run again. (Google said: {describe(e)})")

    # ------------------------------------------------------------ I/O helpers
    def _fetch_meta(self, fields: str = _META_FIELDS) -> dict[str, SheetMeta]:
        data = self.http.fetch_sheet_metadata(self.spreadsheet_id, params={"fields": fields})
        return dict(self._take_meta(data))

    def _take_meta(self, data: dict) -> dict[str, SheetMeta]:
        """Tab properties keyed by the canonical title of their role (a renamed tab keeps its
        role through its remembered sheetId; rows.by_role), reported once per rename."""
        self._remembered = ident.remembered_tabs(data)
        self._meta, renamed = ident.by_role(metas(data), self._remembered)
        for canonical, title in renamed:
            if (canonical, title) not in self._renames_told:
                self._renames_told.add((canonical, title))
                log.warning("tab %r was renamed to %r; the worker keeps using it", canonical, title)
        return self._meta

    def _meta_and_values(self, fields: str, tabs: Callable[[dict[str, SheetMeta]], list[str]],
                         get: Callable[[Sequence[str]], list[list[list[Any]]]] | None = None,
                         ) -> tuple[dict[str, SheetMeta], list[list[list[Any]]]]:
        """Tab properties, then the values of `tabs(meta)` by their titles (`get`: `_batch_get`
        unless given); a tab renamed between the two requests (Google: 400 "Unable to parse
        range") is looked up again by its id (a few times: renames are human, so this ends)."""
        for attempt in range(3):
            meta = self._fetch_meta(fields)
            try:
                return meta, (get or self._batch_get)(tabs(meta))
            except gspread.exceptions.APIError as e:
                if e.response.status_code != 400 or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _batch_get(self, tabs: Sequence[str]) -> list[list[list[Any]]]:
        if not tabs:
            return []
        titles = [self._meta[t].title if self._meta and t in self._meta else t for t in tabs]
        got = self.http.values_batch_get(self.spreadsheet_id, [quote(t) for t in titles],
                                         params={"valueRenderOption": "FORMULA", "majorDimension": "ROWS"})
        return [[[from_api_value(v) for v in row] for row in vr.get("values", [])] for vr in got.get("valueRanges", [])]

    def _cells_get(self, tabs: Sequence[str]) -> list[list[list[Any]]]:
        """The grids of `tabs` as `_batch_get` gives them, from the cells' data, so that a URL cell
        that shows a label with a link is read as its link (sheets_sync.sheet.gsheets_links): the
        values API gives only the label. Still one read."""
        titles = [self._meta[t].title if self._meta and t in self._meta else t for t in tabs]
        data = self.http.fetch_sheet_metadata(self.spreadsheet_id, params={
            "ranges": [quote(t) for t in titles], "fields": _READ_FIELDS})
        by_title = {sh.get("properties", {}).get("title"): sh for sh in data.get("sheets", [])}
        grids = []
        for tab, title in zip(tabs, titles):
            sheet = by_title.get(title, {})
            grid, cells = grid_from(sheet.get("data", []), sheet.get("merges", ()))
            if tab == TAB_SUBMISSIONS:
                self._links = other_links(grid, cells)
                follow_links(grid, cells)
            grids.append(grid)
        return grids

    def _send(self, requests_: list[dict], answer_fields: str | None = None) -> dict:
        """Sends the requests (split if too big); with `answer_fields`, the last batch asks for the
        spreadsheet as it left it (includeSpreadsheetInResponse), which is returned."""
        chunks = split(requests_, self.max_batch_bytes)
        answer: dict = {}
        for n, chunk in enumerate(chunks):
            body: dict[str, Any] = {"requests": chunk}
            if answer_fields and n == len(chunks) - 1:
                body.update(includeSpreadsheetInResponse=True, responseIncludeGridData=True)
                url = f"{GOOGLE_ENDPOINT}/v4/spreadsheets/{self.spreadsheet_id}:batchUpdate"
                answer = self.http.request("post", url, json=body, params={"fields": answer_fields}).json()
            else:
                self.http.batch_update(self.spreadsheet_id, body)
        return answer

    # ------------------------------------------------------------ layout
    def ensure_layout(self, catalog: Catalog, agencies: Sequence[Agency]) -> LayoutReport:
        """The shared layout rules on the sheet as it is. The layout's batch is not sent twice: a
        timeout after sending it, resent, appended the missing rows twice (a twin row whose URL was
        never read); the sheet is read again and what is still missing is planned anew, once."""
        try:
            return self._lay_out(catalog, agencies)
        except Unconfirmed as e:
            # A batch Google is still applying lands within about the time we waited for it.
            log.warning("Google Sheets: no answer to the layout batch (%s); reading the sheet again in %.0f s",
                        e, self.settle_s)
            self.retrier.sleep(self.settle_s)
        try:
            return self._lay_out(catalog, agencies)
        except Unconfirmed as e:
            raise BackendError(f"Google Sheets: could not lay out the spreadsheet: no answer twice ({e}); "
                               "the next run reads the sheet again") from None

    def _lay_out(self, catalog: Catalog, agencies: Sequence[Agency]) -> LayoutReport:
        with self._api("lay out the spreadsheet"):
            # the instructions tab too: a workbook moved to a new year's catalogue gets them rewritten
            meta, grids = self._meta_and_values(_LAYOUT_FIELDS, lambda m: [
                t for t in (TAB_AGENCIES, TAB_SUBMISSIONS, TAB_GUIDE) if t in m] + [
                t for t in m if t in DEFAULT_SHEET_TITLES and t not in TABS])
            book = SheetBook(meta)
            data_tabs = [t for t in (TAB_AGENCIES, TAB_SUBMISSIONS, TAB_GUIDE) if t in meta]
            defaults = [t for t in meta if t in DEFAULT_SHEET_TITLES and t not in TABS]
            for tab, grid in zip(data_tabs, grids):
                book.load(tab, grid)
            report = self._layout(book, catalog, agencies)
            reqs, added = translate(book.ops, meta)
            # the agencies' views and links come after the tabs exist (ids of new tabs are known now)
            book.ops = []
            views, report = self._agency_views(book, meta, report)
            links, _ = translate(book.ops, meta)
            reqs += links
            for title in added:
                header = book.grid(title)[0] if title in book.sheets and book.grid(title) else []
                reqs += created_tab_format(meta[title], header)
            for title in (TAB_SUBMISSIONS, TAB_AGENCIES):
                reqs += frozen_request(meta[title])
            header = book.grid(TAB_SUBMISSIONS)[0]
            status_col = status_column(header)
            if status_col is not None:
                cols = g.columns(header, SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
                stale = (cols["url"], cols["checked_url"]) if {"url", "checked_url"} <= set(cols) else None
                reqs += conditional_requests(meta[TAB_SUBMISSIONS], status_col, stale)
            editors = [self.account.email, *self.coordinators]
            for title in TABS:
                reqs += protection_requests(meta[title], editors, agency_columns(header) if title == TAB_SUBMISSIONS else ())
            reqs += views
            reqs += self._agency_protections(book, meta[TAB_SUBMISSIONS], editors)
            if added:  # a new spreadsheet: drop Google's empty default tab
                for title, grid in zip(data_tabs + defaults, grids):
                    if title in defaults and not any(g.text(c) for row in grid for c in row):
                        reqs.append({"deleteSheet": {"sheetId": meta[title].sheet_id}})
            reqs += ident.remember_requests(meta, self._remembered)
            if reqs:
                with self.retrier.once():
                    self._send(reqs)
            self._anchor_rows()
            self._meta = None
        return report

    def _agency_views(self, book: SheetBook, meta: dict[str, SheetMeta], report: LayoutReport
                      ) -> tuple[list[dict], LayoutReport]:
        """One filter view per agency on ส่ง URL and its link in the agencies tab (recorded on `book`)."""
        sub = meta[TAB_SUBMISSIONS]
        cols = g.columns(book.grid(TAB_SUBMISSIONS)[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=("agency",))
        agencies_grid = book.grid(TAB_AGENCIES)
        known, _ = g.read_agencies(agencies_grid)
        taken = {v["filterViewId"] for m in meta.values() for v in m.filter_views if "filterViewId" in v}
        reqs, ids = filter_view_requests(sub, [(a.code, a.name) for a in known], cols["agency"], taken)
        acols = g.columns(agencies_grid[0], AGENCY_HEADERS, TAB_AGENCIES, required=("code",))
        if "view_link" in acols:
            for i, row in enumerate(agencies_grid[1:], start=1):
                code = g.text(g.cell(row, acols["code"]))
                if code in ids:
                    link = view_link(self.spreadsheet_id, sub.sheet_id, ids[code])
                    if g.text(g.cell(row, acols["view_link"])) != link:
                        book.set(TAB_AGENCIES, i, acols["view_link"], link)
        _, bad = g.agency_editors(agencies_grid)
        if bad:
            note = ("not e-mail addresses in the agencies tab, left out of the protections: " + "; ".join(bad))
            log.warning("%s", note)
            report = dataclasses.replace(report, notes=report.notes + (note,))
        return reqs, report

    def _agency_protections(self, book: SheetBook, sub: SheetMeta, base_editors: Sequence[str]) -> list[dict]:
        grid = book.grid(TAB_SUBMISSIONS)
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=("agency",))
        editors, _ = g.agency_editors(book.grid(TAB_AGENCIES))
        ranges = agency_ranges(grid, cols["agency"], agency_columns(grid[0]))
        return agency_protection_requests(sub, ranges, editors, base_editors)

    def _anchor_rows(self) -> None:
        """Gives every keyed row of the submissions tab its row metadata (init, and a sync that
        added rows): one read, and one checked batch when something is missing or wrong."""
        book, meta, row_meta = self._load_submissions()
        grid = book.grid(TAB_SUBMISSIONS)
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
        plan = ident.Positioned(meta[TAB_SUBMISSIONS].sheet_id, ident.column_names(grid[0]))
        reqs = ident.metadata_repairs(grid, cols, row_meta, plan.sheet_id)
        if reqs:
            self._send_checked(reqs, plan)

    # ------------------------------------------------------------ read
    def read(self, catalog: Catalog) -> Snapshot:
        with self._api("read the spreadsheet"):
            def tabs(meta: dict[str, SheetMeta]) -> list[str]:
                missing = [t for t in (TAB_AGENCIES, TAB_SUBMISSIONS) if t not in meta]
                if missing:
                    raise BackendError(f"tab(s) {', '.join(missing)} missing; run `sheets-sync init`")
                return [TAB_AGENCIES, TAB_SUBMISSIONS]

            _, (agencies_grid, submissions_grid) = self._meta_and_values(_META_FIELDS, tabs, self._cells_get)
        agencies, agency_problems = g.read_agencies(agencies_grid, catalog.province)
        rows, problems, _ = g.read_submissions(submissions_grid, catalog, {a.code for a in agencies}, self.tz,
                                               self._links)
        return Snapshot(agencies=agencies, rows=rows, problems=agency_problems + problems)

    # ------------------------------------------------------------ write
    def _load_submissions(self) -> tuple[SheetBook, dict[str, SheetMeta], dict[int, list[tuple[int, str]]]]:
        """The submissions tab as it is now: values (as typed), notes and row metadata, in one
        read that names no tab (the tab is found by its sheetId even if renamed meanwhile)."""
        data = self.http.fetch_sheet_metadata(self.spreadsheet_id, params={"fields": _CELLS_FIELDS})
        return self._book_from(data)

    def _book_from(self, data: dict) -> tuple[SheetBook, dict[str, SheetMeta], dict[int, list[tuple[int, str]]]]:
        meta = self._take_meta(data)
        if TAB_SUBMISSIONS not in meta:
            raise BackendError(f"tab {TAB_SUBMISSIONS!r} missing; run `sheets-sync init`")
        sheet = next(s for s in data.get("sheets", [])
                     if s.get("properties", {}).get("sheetId") == meta[TAB_SUBMISSIONS].sheet_id)
        grid, cells = grid_from(sheet.get("data", []), sheet.get("merges", ()))
        follow_links(grid, cells)  # as `read` reads it, so that an unchanged URL cell compares equal
        self._refused = refused_cells(sheet.get("protectedRanges", ()))
        self._merged = (sheet.get("merges", []), sheet.get("data", []))
        notes = {at: cell["note"] for at, cell in cells.items() if cell.get("note")}
        book = SheetBook(meta)
        book.load(TAB_SUBMISSIONS, grid, notes, cells)
        return book, dict(meta), ident.parse_row_meta(sheet.get("data", []))

    def write_results(self, verdicts: Sequence[Verdict]) -> WriteReport:
        """Verdict values go through row metadata (values:batchUpdateByDataFilter; see
        gsheets_rows); notes, metadata repairs and checked-at-only updates are held and sent,
        checked, with the summary."""
        if not verdicts:
            return WriteReport()
        self.flush()  # held writes of an earlier call were placed by an older read: sent (checked) first
        with self._api("write the results"):
            book, meta, row_meta = self._load_submissions()
            before = book.grid(TAB_SUBMISSIONS)
            before_notes = {(r, c): n for (t, r, c), n in book.notes.items() if t == TAB_SUBMISSIONS}
            report = self._write_verdicts(book, verdicts)
            cols = g.columns(before[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
            sheet_id = meta[TAB_SUBMISSIONS].sheet_id
            anchored = ident.anchored(before, cols, row_meta)
            values: dict[int, dict[int, str]] = {}
            notes: dict[int, str] = {}
            refused = {op[2] for op in book.ops if op[0] in ("set", "note") and self._refused(op[2], op[3])}
            if refused:
                # Left out, so the batch carries every other row's verdict (refused whole for one cell)
                keys = [str(ident.row_key(before[r], cols)) for r in sorted(refused)]
                log.warning("%s", refused_message(keys, TAB_SUBMISSIONS, self.account.email, "verdicts"))
            for op in book.ops:
                if op[0] in ("set", "note") and op[2] in refused:
                    continue
                if op[0] == "set":
                    values.setdefault(op[2], {})[op[3]] = op[4]
                elif op[0] == "note":
                    notes[op[2]] = op[4]
            checked = cols.get("checked_at")
            checked_only = bool(values) and all(set(v) == {checked} for v in values.values())
            plan = ident.Positioned(sheet_id, ident.column_names(before[0]),
                                    made_for={v.key: v.url_text for v in verdicts})
            plan.remember(before, before_notes, cols)
            filtered: list[dict] = []
            keys_sent: dict[str, RowKey] = {}
            for r, by_col in values.items():
                key = ident.row_key(before[r], cols)
                if key is None:
                    continue
                # a label over its links (SheetBook.mirror_link) goes with the positioned writes:
                # the values API writes text only
                linked = {c: v for c, v in by_col.items() if isinstance(v, LinkedText)}
                plain = {c: v for c, v in by_col.items() if c not in linked}
                if not checked_only and anchored.get(key) == r and plain:
                    filtered.append(ident.filtered_row(sheet_id, key, plain))
                    keys_sent[key.packed()] = key
                    for c, v in plain.items():
                        plan.place_through(key, c, v)
                else:
                    linked = by_col
                for c, v in linked.items():
                    plan.place(r, c, "value", key, v)
            for r, note in notes.items():
                key = ident.row_key(before[r], cols)
                if key is not None:
                    plan.place(r, cols["url"], "note", key, note)
            missing = list(report.missing)
            index = g.key_index(before, cols)
            skipped = set(report.stale) | set(report.missing)
            judged = ("url",) + tuple(k for k in WORKER_KEYS if k in cols)
            self._unmerge(sheet_id, [(index[v.key], cols[k]) for v in verdicts
                                     if v.key in index and v.key not in skipped for k in judged])
            if filtered:
                # a row deleted since the write-time read took its metadata with it: nothing was written
                missing += self._write_filtered(filtered, keys_sent)
            self._pending = self._positioned_requests(plan) + ident.metadata_repairs(before, cols, row_meta, sheet_id)
            self._positioned = plan
            gone = set(missing)
        unwritten = len({op[2] for op in book.ops if op[0] == "set" and op[2] in refused})
        return WriteReport(written=report.written - unwritten - len(gone & set(keys_sent.values())),
                           stale=report.stale, missing=tuple(sorted(gone, key=g.sort_key)),
                           stale_urls=report.stale_urls)

    def _unmerge(self, sheet_id: int, cells: Sequence[tuple[int, int]]) -> None:
        """Unmerges, before anything is written, the merged ranges of the write-time read over `cells`
        (row, column; 0-based): the URL and worker cells of the rows given a verdict, the cells an
        import writes (gsheets_plan.unmerge_requests). One more write, only on a run that finds
        such a merge (none is left after it)."""
        merges, parts = self._merged
        if not merges:
            return
        reqs = unmerge_requests(sheet_id, merges, parts, cells, self._refused)
        if reqs:
            log.warning("%s: unmerging %d merged range(s) over the cells to write, each cell keeping the value "
                        "it showed", TAB_SUBMISSIONS, sum(1 for r in reqs if "unmergeCells" in r))
            self._send(reqs)

    def _positioned_requests(self, plan: "ident.Positioned", cells: dict | None = None) -> list[dict]:
        """updateCells requests for `cells` ((row, col, kind) -> text; default: what `plan` sends)."""
        if cells is None:
            cells = plan.cells()
        ops = [("set" if kind == "value" else "note", TAB_SUBMISSIONS, r, c, text)
               for (r, c, kind), text in sorted(cells.items())]
        reqs, _ = translate(ops, {TAB_SUBMISSIONS: SheetMeta(plan.sheet_id, TAB_SUBMISSIONS)})
        return reqs

    def _send_checked(self, reqs: list[dict], plan: "ident.Positioned", attempts: int = 4) -> list[RowKey]:
        """Sends positioned requests asking for the spreadsheet as the batch left it; what a row
        or column move in the gap misplaced is put back and re-sent where it belongs (bounded).
        Returns keys whose row is gone."""
        gone: list[RowKey] = []
        for _ in range(attempts):
            answer = self._send(reqs, answer_fields=_AFTER_FIELDS)
            after = answer.get("updatedSpreadsheet")
            if not after:
                return gone
            book, meta, row_meta = self._book_from(after)
            grid = book.grid(TAB_SUBMISSIONS)
            cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
            notes = {(r, c): n for (t, r, c), n in book.notes.items() if t == TAB_SUBMISSIONS}
            fixes, gone, again = ident.corrections(grid, notes, row_meta, plan)
            reqs = self._positioned_requests(plan, fixes) + ident.metadata_repairs(grid, cols, row_meta, plan.sheet_id)
            if not reqs:
                return gone
            log.info("rows or columns moved while the worker wrote; putting %d cell(s) back where they belong",
                     len(fixes))
            plan = again
        raise BackendError("the submissions tab kept moving while the worker wrote its notes; the next run retries")

    def write_urls(self, urls: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports: the shared rule (GridBackend._write_url_cells) on the sheet as it is at write
        time. Cells of anchored rows go through their row metadata (a sort meanwhile cannot put a URL
        on another agency's row); a row not yet anchored is written by position in a checked batch
        with its anchor. A merged range over a cell written is unmerged first, as write_results does.
        1 read, at most 1 write (one more with unanchored rows, one more to unmerge)."""
        return self._write_agency_column(urls, "url")

    def write_explanations(self, texts: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports: explanations by the rule of write_urls."""
        return self._write_agency_column(texts, "explanation")

    def _write_agency_column(self, cells: Mapping[RowKey, tuple[str, str]], column: str) -> WriteReport:
        if not cells:
            return WriteReport()
        with self._api(f"write the imported {'URLs' if column == 'url' else 'explanations'}"):
            book, meta, row_meta = self._load_submissions()
            before = book.grid(TAB_SUBMISSIONS)
            report = self._write_url_cells(book, cells, column=column)
            cols = g.columns(before[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
            sheet_id = meta[TAB_SUBMISSIONS].sheet_id
            anchored = ident.anchored(before, cols, row_meta)
            plan = ident.Positioned(sheet_id, ident.column_names(before[0]))
            plan.remember(before, {}, cols)
            filtered, sent = [], {}
            # Left out, as the verdict write leaves them out: Google refuses the whole batch for one
            # cell protected against the worker, and none of the file's URLs were imported
            refused = {op[2] for op in book.ops if op[0] == "set" and self._refused(op[2], op[3])}
            refused_keys = tuple(sorted({k for k in (ident.row_key(before[r], cols) for r in refused) if k},
                                        key=g.sort_key))
            if refused:
                what = "imported URLs" if column == "url" else "imported explanations"
                log.warning("%s", refused_message(refused_keys, TAB_SUBMISSIONS, self.account.email, what))
            for op in book.ops:
                if op[0] != "set" or op[2] in refused:
                    continue
                _, _, r, c, value = op
                key = ident.row_key(before[r], cols)
                if key is not None and anchored.get(key) == r:
                    filtered.append(ident.filtered_row(sheet_id, key, {c: value}))
                    sent[key.packed()] = key
                elif key is not None:
                    plan.place(r, c, "value", key, value)
            missing = list(report.missing)
            # Google keeps a merge's value in its first cell: a URL imported into another row of an
            # agency's merged URL cells went to a hidden cell (the xlsx backend unmerges as it writes)
            self._unmerge(sheet_id, [(op[2], op[3]) for op in book.ops if op[0] == "set" and op[2] not in refused])
            if filtered:
                missing += self._write_filtered(filtered, sent)
            if not plan.empty():
                missing += self._send_checked(self._positioned_requests(plan)
                                              + ident.metadata_repairs(before, cols, row_meta, sheet_id), plan)
        gone = set(missing) - set(report.missing)
        return WriteReport(written=report.written - len(gone) - len(refused), stale=report.stale,
                           missing=tuple(sorted(set(missing), key=g.sort_key)), refused=refused_keys,
                           refused_account=self.account.email if refused else "")

    def _write_filtered(self, data: list[dict], sent: dict[str, RowKey]) -> list[RowKey]:
        """One values:batchUpdateByDataFilter; returns the keys whose row matched nothing (deleted)."""
        answer = self.http.request(
            "post", f"{GOOGLE_ENDPOINT}/v4/spreadsheets/{self.spreadsheet_id}/values:batchUpdateByDataFilter",
            json={"valueInputOption": "RAW", "data": data}).json()
        landed = {ident.written_key(r) for r in answer.get("responses", [])}
        return [k for v, k in sent.items() if v not in landed]

    def flush(self) -> None:
        """Sends the held positioned writes (notes, repairs, checked-at times) now, checked, without
        a summary: for a caller that writes results but no summary (a sync always writes both)."""
        pending, self._pending = self._pending, []
        plan, self._positioned = self._positioned, None
        if not pending or plan is None:
            return
        with self._api("write the notes"):
            self._send_checked(pending, plan)

    def _flush_before_failing(self) -> None:
        """`flush`, for a write that is failing anyway: its own failure is logged, and the first one told."""
        try:
            self.flush()
        except BackendError as e:
            log.warning("the notes could not be written either: %s", e)

    def write_summary(self, summary: Summary) -> None:
        """The summary, in one batch with the held positioned writes (notes, row-metadata repairs,
        checked-at-only times) and the tab ids to remember; the batch's answer is checked
        (gsheets_rows.corrections) and what a row or column move misplaced is put right at once."""
        pending, self._pending = self._pending, []
        plan, self._positioned = self._positioned, None
        with self._api("write the summary"):
            # A retry on fresh tab ids (a chart or the summary tab deleted meanwhile) sends the summary
            # without the held positions (they may be what Google refused); the checked answer then
            # places what they meant where it belongs (_send_on_known_tabs): the notes were lost
            # until the next run, a broken URL showing no advice.
            def build(meta: dict[str, SheetMeta], retry: bool) -> list[dict]:
                held = [] if retry else pending
                return held + ident.remember_requests(meta, self._remembered) + self._tab_requests(TAB_SUMMARY, summary, meta)
            try:
                gone = self._send_on_known_tabs(build, plan)
            except gspread.exceptions.APIError:
                # Refused, so nothing of the batch was applied (a coordinator's protection on the
                # summary tab, say): the notes must not wait on the summary. They did, and a row
                # fixed since kept its old advice beside its new "ok" on every run until then.
                self._pending, self._positioned = pending, plan
                self._flush_before_failing()
                raise
        if isinstance(gone, list) and gone:
            log.warning("%d rows disappeared before their notes were written: %s", len(gone),
                        ", ".join(map(str, gone[:10])))

    def write_snapshot(self, title: str, build: Callable[[], Summary], *, known_as: Sequence[str] = (),
                       replaces: Sequence[str] = ()) -> bool:
        """A round snapshot: a new tab written once, in one batch with the removal of the tabs
        named in `replaces`; False (nothing built or written) when a tab named `title` or any of
        `known_as` exists, so a snapshot is never changed."""
        def requests(meta: dict[str, SheetMeta], retry: bool) -> list[dict] | None:
            if {title, *known_as} & set(meta):
                return None
            gone = [{"deleteSheet": {"sheetId": meta[t].sheet_id}} for t in dict.fromkeys(replaces) if t in meta]
            reqs = self._tab_requests(title, build(), meta)
            for t in replaces:
                self._meta.pop(t, None)
            return reqs + gone

        with self._api(f"write the snapshot {title}"):
            return self._send_on_known_tabs(requests)

    def _send_on_known_tabs(self, build: Callable[[dict[str, SheetMeta], bool], list[dict] | None],
                            plan: "ident.Positioned | None" = None) -> Any:
        """Sends `build(meta, retry)` built on the tab ids from the read, so a sync stays within
        its read budget; if Google refuses them (400: a tab or chart changed since), builds once
        more on a fresh read. `build` returns None to send nothing; returns whether it sent (with
        a `plan`: the batch is checked, and the keys whose rows are gone are returned)."""
        cached = self._meta is not None
        reqs = build(dict(self._meta) if cached else self._fetch_meta(), False)
        if reqs is None:
            return False
        try:
            if plan is not None:
                return self._send_checked(reqs, plan)
            self._send(reqs)
        except gspread.exceptions.APIError as e:
            if not cached or e.response.status_code != 400:
                raise
            reqs = build(self._fetch_meta(), True)
            if reqs is None:
                return False
            if plan is not None:  # nothing of the plan went by position: the answer tells where it all goes
                return self._send_checked(reqs, dataclasses.replace(plan, sent={}))
            self._send(reqs)
        return True

    def _tab_requests(self, tab: str, summary: Summary, meta: dict[str, SheetMeta]) -> list[dict]:
        """Requests that (create and) fill a summary-like tab, format it and redraw its charts."""
        rows, headers = summary.grid()
        book = SheetBook(meta)
        if tab not in book.tabs():
            book.add_tab(tab)
        book.replace(tab, rows)
        reqs, _ = translate(book.ops, meta)
        reqs += summary_format_requests(meta[tab], summary_look(summary))
        reqs += chart_requests(meta[tab], summary, headers)
        self._meta = meta
        return reqs
