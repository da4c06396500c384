"""The light watch between full syncs (issue 14): feedback on a pasted URL within two minutes.

Every `schedule.watch_seconds` the worker reads the sheet once, finds the rows whose URL text changed
since it last looked (or that have a URL and no verdict yet), checks only those URLs (and the rows of
the same agency whose link those edits made or stopped being another item's), and writes their
verdicts by the same rules as a sync (by key at write time; a row whose URL changed meanwhile gets
nothing and is picked up by the next pass). Everything else waits for the full sync: an unchanged
broken or "check" URL is re-checked on the full schedule, never every minute (politeness to agencies'
sites), and the summary and the snapshots are the full sync's work; a pass given the state records
what it wrote in the history, as a sync does (the reminders and the governor's report know it).

`Watch` is the memory between passes: the URL text of each row as last seen. It is primed by a full
sync (from its verdicts, without another read), so the first pass after it checks only what agencies
typed since. On the .xlsx backend a pass first compares the file's stamp (a stat) with the last pass's
and reads nothing when nobody saved the workbook. Requests per pass on Google Sheets: 2 reads (tab list, one values read) when nothing
changed; 3 reads and 2 writes when something did (the write-time read, the verdicts through row
metadata, then the notes in one checked batch: a pass writes no summary to carry them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from sheets_sync.check.checker import Checker
from sheets_sync.collect import cells as collector
from sheets_sync.config.settings import Config
from sheets_sync.core.clock import Clock
from sheets_sync.core.models import RowKey, Status, SubmissionRow, Verdict, WriteReport
from sheets_sync.judge import verdicts as judge
from sheets_sync.pipeline.sync import check_submissions
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.backend import Backend, Snapshot
from sheets_sync.state.history import History
from sheets_sync.state.store import State

log = logging.getLogger(__name__)
DUPLICATE = "duplicate_in_agency"  # the one rule of collect.assess that looks at an agency's other rows


@dataclass
class Watch:
    """What the worker last saw of each row's URL cell; `primed` once a full sync or a pass filled it."""

    seen: dict[RowKey, str] = field(default_factory=dict)
    primed: bool = False
    version: object = None  # the storage's version at the last read (backends that have one: xlsx)

    def prime(self, verdicts: Sequence[Verdict], skipped: Iterable[RowKey] = ()) -> None:
        """After a full sync: every row it judged is known as of that sync, except the rows whose verdict
        was not written (changed meanwhile): those stay unknown, so the next pass checks them."""
        skip = set(skipped) | {v.key for v in verdicts if "checker_offline" in v.reasons}
        self.seen = {v.key: v.url_text for v in verdicts if v.key not in skip}
        self.primed = True
        self.version = None  # the sync read and wrote the storage: the next pass reads


@dataclass(frozen=True)
class WatchReport:
    rows: int  # rows read (0: the storage had not changed, nothing was read)
    due: tuple[RowKey, ...] = ()  # rows judged: URL changed or no verdict yet, or sharing a link changed by that
    urls_checked: int = 0
    write: WriteReport = field(default_factory=WriteReport)


def due_rows(rows: Sequence[SubmissionRow], watch: Watch) -> list[SubmissionRow]:
    """The rows a pass must judge: the URL text differs from what the worker last saw, or the row has a
    URL but no verdict (never checked), or no URL but still a verdict (the agency cleared the cell)."""
    out = []
    for r in rows:
        unverdicted = r.previous_status in (None, Status.EMPTY)
        if r.url_text:
            changed = watch.primed and watch.seen.get(r.key) != r.url_text
            if changed or unverdicted:
                out.append(r)
        elif not unverdicted:
            out.append(r)
    return out


def with_agency_rules(due: Sequence[SubmissionRow], rows: Sequence[SubmissionRow], last_seen: dict[RowKey, str],
                      agencies, settings) -> tuple[list[SubmissionRow], tuple]:
    """The rows a pass judges and their submissions, assessed among their agency's other rows as a
    sync assesses them: `duplicate_in_agency` is a rule over an agency's rows, and a pass that
    assessed its changed rows alone gave a link pasted into a second item "ok" until the full sync,
    while the item that shared a link the agency then changed kept "same URL as another item" and
    its advice. So the rows whose sharing the edits changed (by the texts `last_seen`) are judged too."""
    agencies_due = {r.key.agency for r in due}
    pool = [r for r in rows if r.key.agency in agencies_due]
    assessed = dict(zip((r.key for r in pool), collector.assess(pool, agencies, settings)))
    before = [replace(r, url_text=last_seen.get(r.key, r.url_text)) for r in pool]
    flipped = _sharing(before, agencies, settings) ^ {k for k, s in assessed.items() if _shares(s)}
    keys = {r.key for r in due}
    judged = [*due, *(r for r in pool if r.key in flipped and r.key not in keys)]
    return judged, tuple(assessed[r.key] for r in judged)


def _shares(submission) -> bool:
    return any(DUPLICATE in c.reasons for c in submission.candidates)


def _sharing(rows: Sequence[SubmissionRow], agencies, settings) -> set[RowKey]:
    return {s.key for s in collector.assess(rows, agencies, settings) if _shares(s)}


def watch_pass(config: Config, backend: Backend, checker: Checker, clock: Clock, watch: Watch,
               snapshot: Snapshot | None = None, state: State | None = None) -> WatchReport:
    """One pass: read, judge the due rows only, write their verdicts. Only the sheet being unreadable
    or unwritable raises (BackendError); a bad URL is a verdict like in a sync. With `state`, the
    written verdicts are recorded in the history like a sync's (the report and the export know them)."""
    version = getattr(backend, "version", None)
    # Taken before the read: an edit saved after it, or our own write below, makes the next pass read.
    stamp = version() if version is not None and snapshot is None else None
    if stamp is not None and watch.primed and stamp == watch.version:
        return WatchReport(rows=0)  # nobody saved the workbook since the last pass: nothing to read
    snapshot = snapshot or backend.read(config.catalog)
    watch.version = stamp
    due = due_rows(snapshot.rows, watch)
    last_seen, watch.seen = watch.seen, {r.key: r.url_text for r in snapshot.rows}
    watch.primed = True
    if not due:
        return WatchReport(rows=len(snapshot.rows))
    agencies = {a.code: a for a in snapshot.agencies}
    due, submissions = with_agency_rules(due, snapshot.rows, last_seen, agencies, config.settings.validation)
    urls = sorted({c.url for s in submissions for c in s.candidates if c.url})
    # Checked and judged as a sync does (both readings of a cell, the item's year rule): a pass
    # of its own once gave last year's page "ok" and a file name followed by a label "broken",
    # and the next full sync turned both around.
    results = check_submissions(checker, due, submissions)
    now = clock.now()
    verdicts = judge.judge_rows(due, submissions, results, now, config.catalog)
    # The worker itself was offline: keep the earlier verdicts, and look again next pass.
    offline = {v.key for v in verdicts if "checker_offline" in v.reasons}
    write = backend.write_results(tuple(v for v in verdicts if v.key not in offline))
    # Google Sheets holds the notes for the summary's batch, and a pass writes no summary: sent now,
    # or they waited for the next pass (advice about a URL the agency may have fixed meanwhile).
    flush = getattr(backend, "flush", None)
    if flush is not None:
        flush()
    skipped = {*write.stale, *write.missing, *offline}
    for key in skipped:
        watch.seen.pop(key, None)  # not judged as it is now: due again next pass
    if state is not None:
        # Rows the sheet now greys as pending (edited while checked, or kept while offline with a URL not
        # yet checked) are recorded so, as a sync records them: not by their old URL's verdict.
        waiting = {r.key: r.url_text for r in due if r.key in offline and r.url_text and g.judged_another_url(r)}
        History(state, config.settings.tz).record([v for v in verdicts if v.key not in skipped], now,
                                                   snapshot.agencies, explanations={r.key: r.explanation for r in due},
                                                   pending=waiting | dict(write.stale_urls))
    log.info("watch: %d changed rows, %d URLs checked, %d rows written", len(due), len(urls), write.written,
             extra={"event": "watch", "due": len(due), "written": write.written})
    return WatchReport(rows=len(snapshot.rows), due=tuple(r.key for r in due), urls_checked=len(urls), write=write)
