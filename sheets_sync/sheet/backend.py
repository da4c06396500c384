"""The narrow backend protocol: lay out, read rows, write results, write the summary.

Implementations: `xlsx` (the embedded default), `gsheets` (Google Sheets), `memory` (tests).
Every backend raises BackendError for anything that stops it reading or writing the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol, Sequence

from sheets_sync.config.settings import Agency, Catalog
from sheets_sync.core.models import (
    ReadProblem,
    RowKey,
    SubmissionRow,
    Summary,
    Verdict,
    WriteReport,
)


@dataclass(frozen=True)
class Snapshot:
    """The sheet as read: the agencies tab, the submission rows that have a known key, and the
    rows that could not be placed (reported, never fatal)."""

    agencies: tuple[Agency, ...]
    rows: tuple[SubmissionRow, ...]
    problems: tuple[ReadProblem, ...] = ()


@dataclass(frozen=True)
class LayoutReport:
    created_tabs: tuple[str, ...] = ()
    added_agencies: tuple[str, ...] = ()
    added_rows: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


class Backend(Protocol):
    def ensure_layout(self, catalog: Catalog, agencies: Sequence[Agency]) -> LayoutReport:
        """Creates missing tabs, adds agencies to the agencies tab and one row per (agency, item)
        that is missing. Idempotent; never deletes or changes what people typed."""

    def read(self, catalog: Catalog) -> Snapshot:
        """Reads the agencies tab and every submission row, keyed by (agency code, item code)."""

    def write_results(self, verdicts: Sequence[Verdict]) -> WriteReport:
        """Writes the worker's columns and the URL-cell note of each verdict's row, found by key
        at write time. A row whose URL text differs from `verdict.url_text` is left alone (stale)."""

    def write_summary(self, summary: Summary) -> None:
        """Replaces the summary tab."""

    def write_urls(self, urls: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports (issue 7): writes URL cells, each entry key -> (URL text the plan read, new text).
        Rows are found by key at write time; a row whose URL text (as `read` gives it) is no longer
        the expected text is left alone (stale), a key without a row is missing. Only the URL cell
        is written, always as text; `written` counts cells changed. A row whose cell is in a range
        protected against the worker's account (Google Sheets) is left out, the other rows written,
        and listed in `refused` with `refused_account` (Google refuses a whole batch for one such cell)."""

    def write_explanations(self, texts: Mapping[RowKey, tuple[str, str]]) -> WriteReport:
        """Imports (issue 14): writes the agencies' explanation cells ("คำอธิบายเพิ่มเติม") by the rule
        of `write_urls`: key -> (explanation the plan read, new text); stale and missing alike."""

    def write_snapshot(self, title: str, build: Callable[[], Summary], *, known_as: Sequence[str] = (),
                       replaces: Sequence[str] = ()) -> bool:
        """Writes the summary `build()` makes (with its charts) to a new tab `title` once. Returns
        False, without calling `build`, when a tab named `title` or any of `known_as` exists: a
        round's snapshot is never overwritten, and is not recomputed from the history on every run
        after it. The tabs named in `replaces` (a round's provisional snapshot, once its final one
        is written) are removed in the same write, so no tab goes on advising what is done.
        Optional while a backend lacks it: the sync checks with getattr."""

