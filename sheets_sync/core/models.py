"""Values that travel through the pipeline: statuses, reason codes and the frozen records
passed from one stage to the next. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class Status(str, Enum):
    """Verdict of one URL or one row. The value is the stable machine code."""

    EMPTY = "empty"
    OK = "ok"
    WARNING = "warning"
    UNKNOWN = "unknown"
    BLOCKED = "blocked"
    BROKEN = "broken"
    INVALID = "invalid"

    @property
    def label_th(self) -> str:
        return _LABELS_TH[self]

    @property
    def severity(self) -> int:
        """Higher is worse; a row with several URLs shows the worst."""
        return _SEVERITY[self]

    @classmethod
    def from_label(cls, text: str) -> "Status | None":
        """Reads back a status cell, whether it holds the Thai label or the code."""
        text = (text or "").strip()
        for status in cls:
            if text in (status.value, status.label_th):
                return status
        return None


_LABELS_TH = {
    Status.EMPTY: "ยังไม่ส่ง",
    Status.INVALID: "URL ไม่ถูกต้อง",
    Status.OK: "ใช้งานได้",
    Status.WARNING: "เปิดได้ แต่ควรตรวจ",
    Status.BROKEN: "เปิดไม่ได้",
    Status.BLOCKED: "ไม่อนุญาตให้ตรวจ",
    Status.UNKNOWN: "ตรวจไม่ได้ในขณะนี้",
}
_SEVERITY = {
    Status.EMPTY: -1,
    Status.OK: 0,
    Status.WARNING: 1,
    Status.UNKNOWN: 2,
    Status.BLOCKED: 3,
    Status.BROKEN: 4,
    Status.INVALID: 5,
}


def worst(statuses) -> Status:
    """The worst of several statuses; EMPTY when there are none.

    >>> worst([Status.OK, Status.BROKEN, Status.WARNING])
    <Status.BROKEN: 'broken'>
    """
    statuses = list(statuses)
    return max(statuses, key=lambda s: s.severity) if statuses else Status.EMPTY


@dataclass(frozen=True, order=True)
class RowKey:
    """Identifies a submission row whatever its position: (agency code, item code)."""

    agency: str
    item: str

    def __str__(self) -> str:
        return f"{self.agency}/{self.item}"

    def packed(self) -> str:
        """The key as one text where the sheet stores it: a Google row's developer metadata, the
        xlsx ledger of what the worker wrote."""
        return f"{self.agency}|{self.item}"


@dataclass(frozen=True)
class CheckResult:
    """What the network checker found for one URL. Never an exception."""

    url: str
    status: Status
    reasons: tuple[str, ...] = ()
    http_status: int | None = None
    final_url: str | None = None
    elapsed_ms: int = 0
    redirects: tuple[str, ...] = ()
    detail: str = ""
    etag: str | None = None
    last_modified: str | None = None
    # Buddhist-era years the content shows; None when it was not read (not a 2xx page, a scan,
    # cut off, or another content problem). Each row judges them against its item's year rule.
    years: tuple[int, ...] | None = None
    # Years the page shows only in its site's template (today's date in its header, a menu's
    # "ITA 2566", "© 2566"), not counted in `years` (sheets_sync.check.template): a row whose
    # rule only they fit is told so, not just "no 2566", since the agency sees 2566 on the page.
    template_years: tuple[int, ...] = ()
    # Judged without what a rule asked the site for (its soft-404 probe, a page's sibling, its home
    # page), which gave no answer this time: a verdict of this run only, which the cache checks
    # again next run rather than reusing for its TTL (a deleted item's ok by its template).
    unfinished: bool = False


@dataclass(frozen=True)
class SubmissionRow:
    """One row of the submission tab as read: its key, the URL cell text, and the worker's
    previous values (status code, first-submitted time) that the next write must respect."""

    key: RowKey
    url_text: str
    previous_status: Status | None = None
    first_submitted_at: datetime | None = None
    row_number: int = 0  # 1-based position when read; informative only, never used to write
    previous_checked_at: datetime | None = None  # when the verdict the sheet shows was made
    explanation: str = ""  # the agency's "คำอธิบายเพิ่มเติม" beside the URL (for ITAS), as typed
    previous_reasons: tuple[str, ...] = ()  # the reason codes the worker last wrote
    # The URL text that verdict judged ("URL ที่ตรวจ"); None where the sheet has no such column.
    previous_checked_url: str | None = None
    # The address the URL cell links to where it shows another address: the cell's other reading
    # (Excel keeps a typed-over cell's old link; "Edit Hyperlink" changes the link, not the text).
    link: str = ""


@dataclass(frozen=True)
class ReadProblem:
    """A row the reader could not place (unknown agency or item, duplicated key)."""

    code: str  # unknown_agency | unknown_item | duplicate_agency | duplicate_key | missing_key | moved_text (kept
    # typed text) | bad_score (last year's score in the agencies tab not a number) | unknown_district |
    # missing_row (an agency's item has no row: deleted; row_number 0) | agency_rows_elsewhere (an agency has
    # no row while rows carry an agency code the agencies tab does not know: renamed; row_number 0)
    row_number: int
    detail: str
    value: str = ""  # what the row says: the unknown or duplicated agency code, item or key
    first_row: int = 0  # for a duplicate: the row that is used (this one is ignored)
    tab: str = ""  # the tab the row is in
    items: tuple[str, ...] = ()  # missing_row: the agency's (value's) items that have no row at all


@dataclass(frozen=True)
class Verdict:
    """The worker's columns for one row, plus the URL text they were computed from so a
    backend can refuse to write a stale verdict when the agency changed the URL meanwhile."""

    key: RowKey
    url_text: str
    status: Status
    reasons: tuple[str, ...] = ()
    http_status: int | None = None
    final_url: str | None = None
    checked_at: datetime | None = None
    first_submitted_at: datetime | None = None
    note_th: str = ""
    detail: str = ""


@dataclass(frozen=True)
class WriteReport:
    written: int = 0  # rows whose worker cells changed
    stale: tuple[RowKey, ...] = ()
    missing: tuple[RowKey, ...] = ()
    # (key, URL text) of each stale row as the write found it: the URL the sheet now shows that row's
    # old verdict greyed as pending for (the history records the row so, not yet checked)
    stale_urls: tuple[tuple[RowKey, str], ...] = ()
    # text people typed into worker cells, kept (moved to the moved-text tab): (key, column header, text)
    moved: tuple[tuple[RowKey, str, str], ...] = ()
    # rows left out because their cell is in a range protected against the worker's account (Google
    # Sheets: a coordinator's "only me"), and that account, to add as an editor of the range
    refused: tuple[RowKey, ...] = ()
    refused_account: str = ""


@dataclass(frozen=True)
class SummaryChart:
    """A chart a backend draws from its block's own cells (native chart in xlsx and Google Sheets).

    Clustered vertical bars: one category per row (the first `row_count` rows of the block, so a
    total row below them is left out), one series per column in `series_columns`, named by that
    column's header cell. Columns are 0-based within the block."""

    title: str
    category_column: int
    series_columns: tuple[int, ...]
    row_count: int
    y_title: str = ""
    y_max: float | None = None
    kind: str = "bar"


@dataclass(frozen=True)
class SummaryBlock:
    """One titled table of the summary tab; cells are str, int or float."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...] = ()
    chart: SummaryChart | None = None


@dataclass(frozen=True)
class Summary:
    heading: tuple[str, ...]
    blocks: tuple[SummaryBlock, ...] = field(default_factory=tuple)

    def grid(self) -> tuple[list[list[object]], tuple[int, ...]]:
        """The tab's cells (heading lines, then per block: an empty row, the title, the header,
        the rows) and the 0-based row index of each block's header row."""
        rows: list[list[object]] = [[line] for line in self.heading]
        headers = []
        for block in self.blocks:
            rows.append([])
            rows.append([block.title])
            headers.append(len(rows))
            rows.append(list(block.header))
            rows.extend(list(r) for r in block.rows)
        return rows, tuple(headers)
