"""The Google Sheets backend, behind the same protocol as xlsx: gspread 6 with a service account.

Semantics are those of GridBackend (base.py): the shared `_layout` and `_write_verdicts` run on a
recording Book (gsheets_plan.SheetBook) loaded from the sheet, and what they change is sent as
one atomic spreadsheets.batchUpdate. Rows are found by (agency code, item code) on the sheet as
it is at write time; a row whose URL text changed since the read gets no verdict; only worker
columns and the note on the URL cell are ever written (never the URL value, never agency cells).

Requests (quota budget; Google counts 60 reads and 60 writes per minute per user):

    read()           1 spreadsheets.get (tab properties)  +  1 values.batchGet (FORMULA rendering,
                     so a typed =HYPERLINK(...) comes back as typed)                       2 reads
    write_results()  1 spreadsheets.get of the submissions tab with userEnteredValue and note
                     (positions, URL texts, worker cells and notes as they are at write time)
                     + 1 spreadsheets.batchUpdate of the cells that differ (updateCells, values
                     and notes together), none when nothing differs                  1 read, ≤1 write
    write_summary()  1 spreadsheets.batchUpdate replacing the summary tab (tab ids come from the
                     read; no extra read)                                                   1 write

So one sync uses 3 reads and at most 2 writes whatever the number of rows (more only if a batch
must be split to stay under MAX_BATCH_BYTES, which a 2,537-row sheet does not need).

Choice for "no verdict changed": the checked-at time changes on every run. When the only cells
that differ are checked-at times, write_results does not send them; it keeps the requests and
write_summary sends them in the same batchUpdate as the summary, so such a sync makes exactly one
write. If the run stops before write_summary, those times are simply not updated (no verdict is
lost). The requests are positioned by the write-time read; the gap until they are sent is the
time to build the summary (milliseconds).

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
from sheets_sync.sheet.backend import LayoutReport, Snapshot
from sheets_sync.sheet.base import GridBackend
from sheets_sync.sheet.gsheets_http import (
    GaveUp,
    Retrier,
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
    from_user_entered,
    frozen_request,
    metas,
    only_columns,
    protection_requests,
    quote,
    split,
    status_column,
    summary_format_requests,
    translate,
)
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
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
    TABS,
    summary_look,
)

log = logging.getLogger(__name__)

GOOGLE_ENDPOINT = "https://sheets.googleapis.com"
MAX_BATCH_BYTES = 8 * 1024 * 1024  # Google refuses request bodies over 10 MiB
_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_META_FIELDS = "sheets(properties,charts(chartId))"
_LAYOUT_FIELDS = "sheets(properties,protectedRanges,conditionalFormats,filterViews)"
_CELLS_FIELDS = "sheets(properties(sheetId,title,gridProperties),data(rowData(values(userEnteredValue,note))))"


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
        client = gspread.authorize(self.account.credentials,
                                   http_client=routed_client_class(api_endpoint or GOOGLE_ENDPOINT, self.retrier, timeout))
        self.http = client.http_client
        self._meta: dict[str, SheetMeta] | None = None  # tab properties from the last read
        self._pending: list[dict] = []  # checked-at-only changes, sent with the summary

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
        except BackendError:
            raise
        except GaveUp as e:
            raise BackendError(f"Google Sheets: could not {what}: {e}. That write changed nothing (each write "
                               "is one atomic batch); the next run starts again.") from None
        except gspread.exceptions.APIError as e:
            if e.response.status_code in (403, 404):
                raise BackendError(self._share_message(e)) from None
            raise BackendError(f"Google Sheets: could not {what}: {describe(e)}") from None
        except (requests.RequestException, gauth_errors.GoogleAuthError) as e:
            raise BackendError(f"Google Sheets: could not {what}: {describe(e)}") from None

    def _share_message(self, e: gspread.exceptions.APIError) -> str:
        return (f"Google Sheets: spreadsheet {self.spreadsheet_id} was not found, or it is not shared with the "
                f"worker's service account. Open the sheet, click Share and add {self.account.email} as an "
                f"Editor, then run again. (Google said: {describe(e)})")

    # ------------------------------------------------------------ I/O helpers
    def _fetch_meta(self, fields: str = _META_FIELDS) -> dict[str, SheetMeta]:
        data = self.http.fetch_sheet_metadata(self.spreadsheet_id, params={"fields": fields})
        self._meta = metas(data)
        return dict(self._meta)

    def _batch_get(self, tabs: Sequence[str]) -> list[list[list[Any]]]:
        if not tabs:
            return []
        got = self.http.values_batch_get(self.spreadsheet_id, [quote(t) for t in tabs],
                                         params={"valueRenderOption": "FORMULA", "majorDimension": "ROWS"})
        return [[[from_api_value(v) for v in row] for row in vr.get("values", [])] for vr in got.get("valueRanges", [])]

    def _send(self, requests_: list[dict]) -> None:
        for chunk in split(requests_, self.max_batch_bytes):
            self.http.batch_update(self.spreadsheet_id, {"requests": chunk})

    # ------------------------------------------------------------ layout
    def ensure_layout(self, catalog: Catalog, agencies: Sequence[Agency]) -> LayoutReport:
        with self._api("lay out the spreadsheet"):
            meta = self._fetch_meta(_LAYOUT_FIELDS)
            book = SheetBook(meta)
            data_tabs = [t for t in (TAB_AGENCIES, TAB_SUBMISSIONS) if t in meta]
            defaults = [t for t in meta if t in DEFAULT_SHEET_TITLES and t not in TABS]
            grids = self._batch_get(data_tabs + defaults)
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
                reqs += conditional_requests(meta[TAB_SUBMISSIONS], status_col)
            editors = [self.account.email, *self.coordinators]
            for title in TABS:
                reqs += protection_requests(meta[title], editors, agency_columns(header) if title == TAB_SUBMISSIONS else ())
            reqs += views
            reqs += self._agency_protections(book, meta[TAB_SUBMISSIONS], editors)
            if added:  # a new spreadsheet: drop Google's empty default tab
                for title, grid in zip(data_tabs + defaults, grids):
                    if title in defaults and not any(g.text(c) for row in grid for c in row):
                        reqs.append({"deleteSheet": {"sheetId": meta[title].sheet_id}})
            if reqs:
                self._send(reqs)
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

    # ------------------------------------------------------------ read
    def read(self, catalog: Catalog) -> Snapshot:
        with self._api("read the spreadsheet"):
            meta = self._fetch_meta()
            missing = [t for t in (TAB_AGENCIES, TAB_SUBMISSIONS) if t not in meta]
            if missing:
                raise BackendError(f"tab(s) {', '.join(missing)} missing; run `sheets-sync init`")
            agencies_grid, submissions_grid = self._batch_get([TAB_AGENCIES, TAB_SUBMISSIONS])
        agencies, agency_problems = g.read_agencies(agencies_grid)
        rows, problems, _ = g.read_submissions(submissions_grid, catalog, {a.code for a in agencies}, self.tz)
        return Snapshot(agencies=agencies, rows=rows, problems=agency_problems + problems)

    # ------------------------------------------------------------ write
    def _load_submissions(self) -> tuple[SheetBook, dict[str, SheetMeta]]:
        """The submissions tab as it is now: values (as typed) and notes, in one read."""
        data = self.http.fetch_sheet_metadata(self.spreadsheet_id,
                                              params={"ranges": quote(TAB_SUBMISSIONS), "fields": _CELLS_FIELDS})
        sheets = data.get("sheets", [])
        fresh = metas(data)
        self._meta = {**(self._meta or {}), **fresh}
        grid: list[list[Any]] = []
        notes: dict[tuple[int, int], str] = {}
        for part in sheets[0].get("data", []) if sheets else []:
            r0, c0 = part.get("startRow", 0), part.get("startColumn", 0)
            for r, row in enumerate(part.get("rowData", []), start=r0):
                while len(grid) <= r:
                    grid.append([])
                cells = row.get("values", [])
                grid[r] = [""] * c0 + [from_user_entered(c.get("userEnteredValue")) for c in cells]
                for c, cell in enumerate(cells, start=c0):
                    if cell.get("note"):
                        notes[(r, c)] = cell["note"]
        book = SheetBook(self._meta)
        book.load(TAB_SUBMISSIONS, grid, notes)
        return book, dict(self._meta)

    def write_results(self, verdicts: Sequence[Verdict]) -> WriteReport:
        if not verdicts:
            return WriteReport()
        with self._api("write the results"):
            book, meta = self._load_submissions()
            report = self._write_verdicts(book, verdicts)
            reqs, _ = translate(book.ops, meta)
            header = book.grid(TAB_SUBMISSIONS)[0]
            checked = g.columns(header, SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=()).get("checked_at")
            if reqs and checked is not None and only_columns(book.ops, TAB_SUBMISSIONS, {checked}):
                self._pending = reqs  # only the checked-at times changed: sent with the summary
            elif reqs or self._pending:
                self._send(self._pending + reqs)
                self._pending = []
        return report

    def write_urls(self, urls: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports: the shared rule (GridBackend._write_url_cells) on the sheet as it is at write
        time, sent as one atomic batchUpdate: 1 read, at most 1 write."""
        return self._write_agency_column(urls, "url")

    def write_explanations(self, texts: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports: explanations by the rule of write_urls: 1 read, at most 1 write."""
        return self._write_agency_column(texts, "explanation")

    def _write_agency_column(self, cells: Mapping[RowKey, tuple[str, str]], column: str) -> WriteReport:
        if not cells:
            return WriteReport()
        with self._api(f"write the imported {'URLs' if column == 'url' else 'explanations'}"):
            book, meta = self._load_submissions()
            report = self._write_url_cells(book, cells, column=column)
            reqs, _ = translate(book.ops, meta)
            if reqs:
                self._send(reqs)
        return report

    def write_summary(self, summary: Summary) -> None:
        pending, self._pending = self._pending, []
        with self._api("write the summary"):
            # The held checked-at times were placed by the write-time read: on a retry with fresh
            # tab ids they are dropped rather than risk landing on moved rows.
            self._send_on_known_tabs(
                lambda meta, retry: ([] if retry else pending) + self._tab_requests(TAB_SUMMARY, summary, meta))

    def write_snapshot(self, title: str, build: Callable[[], Summary]) -> bool:
        """A round snapshot: a new tab written once, in one batch; False (nothing built or
        written) when a tab of that name exists, so a snapshot is never changed."""
        with self._api(f"write the snapshot {title}"):
            return self._send_on_known_tabs(
                lambda meta, retry: None if title in meta else self._tab_requests(title, build(), meta))

    def _send_on_known_tabs(self, build: Callable[[dict[str, SheetMeta], bool], list[dict] | None]) -> bool:
        """Sends `build(meta, retry)` built on the tab ids from the read, so a sync stays within
        its read budget; if Google refuses them (400: a tab or chart changed since), builds once
        more on a fresh read. `build` returns None to send nothing; returns whether it sent."""
        cached = self._meta is not None
        reqs = build(dict(self._meta) if cached else self._fetch_meta(), False)
        if reqs is None:
            return False
        try:
            self._send(reqs)
        except gspread.exceptions.APIError as e:
            if not cached or e.response.status_code != 400:
                raise
            reqs = build(self._fetch_meta(), True)
            if reqs is None:
                return False
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
