"""The pipeline: read the sheet, parse every URL cell, check the URLs, judge each row, write
the verdicts back by key, rebuild the summary."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable, Sequence

from sheets_sync.check import readings
from sheets_sync.check.cache import CachedChecker
from sheets_sync.check.checker import Checker
from sheets_sync.collect import cells as collector
from sheets_sync.config.settings import Agency, Config
from sheets_sync.core.clock import Clock
from sheets_sync.core.errors import BackendError, UsageError
from sheets_sync.core.models import ReadProblem, RowKey, Status, Verdict, WriteReport
from sheets_sync.core.thai import thai_datetime
from sheets_sync.judge import verdicts as judge
from sheets_sync.report.summary import (
    Options,
    baseline_for,
    build_summary,
    due_rounds,
    provisional_summary,
    provisional_title,
    recorded_by,
    snapshot_summary,
    snapshot_title,
)
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.backend import Backend, Snapshot
from sheets_sync.sheet.layout import TAB_MOVED, TAB_SUBMISSIONS
from sheets_sync.state.history import History
from sheets_sync.state.store import State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    rows: int
    urls_checked: int
    counts: dict[str, int]
    problems: tuple[ReadProblem, ...] = ()
    write: WriteReport = field(default_factory=WriteReport)
    dry_run: bool = False
    verdicts: tuple[Verdict, ...] = ()
    # The checker was offline (check/offline.py): these rows keep the verdict the sheet shows, made
    # between these times (None where a row has no time); `counts` counts those kept verdicts.
    kept_offline: int = 0
    kept_checked: tuple = (None, None)
    agencies: tuple[Agency, ...] = ()  # the agencies tab as read (with the reminder addresses)


def init(config: Config, backend: Backend):
    """Creates or completes the layout: tabs, agencies from agencies.yaml, one row per item."""
    report = backend.ensure_layout(config.catalog, config.agencies)
    log.info("layout: created tabs %s, added %d agencies, added %d rows",
             ", ".join(report.created_tabs) or "none", len(report.added_agencies), report.added_rows)
    if report.notes:
        log.info("%d differences between the agencies tab and the agencies file (the tab is kept)", len(report.notes))
    return report


def sync(config: Config, backend: Backend, checker: Checker, clock: Clock, agency: str | None = None,
         dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
         state: State | None = None, summary_note: Sequence[str] = ()) -> SyncReport:
    """One full pass. URLs' problems are results; only the sheet being unreadable raises.

    `state`: the open state file for the history (default: settings.state_path, opened and closed here);
    `summary_note`: lines for the summary's heading, after its time (the worker's last run)."""
    catalog = config.catalog
    snapshot = backend.read(catalog)
    if not dry_run and _rows_missing(snapshot, config):
        # A coordinator added an agency in the agencies tab: give it its rows first.
        backend.ensure_layout(catalog, ())
        snapshot = backend.read(catalog)
    for p in snapshot.problems:
        log.warning("sheet row %d: %s: %s", p.row_number, p.code, p.detail)
    agencies = {a.code: a for a in snapshot.agencies}
    if agency is not None and agency not in agencies:
        raise UsageError(f"unknown agency code {agency!r} (see the agencies tab)")
    rows = [r for r in snapshot.rows if agency is None or r.key.agency == agency]

    submissions = collector.assess(rows, agencies, config.settings.validation)
    urls = sorted({c.url for s in submissions for c in s.candidates if c.url})
    log.info("read %d rows, %d with text, %d distinct URLs to check", len(rows),
             sum(1 for s in submissions if s.candidates), len(urls))
    results = check_submissions(checker, rows, submissions, progress)
    now = clock.now()
    own_state = state is None
    state = State(config.settings.state_path) if state is None else state
    try:
        history = History(state, config.settings.tz)
        rows = _with_remembered_first_submission(rows, history)
        verdicts = judge.judge_rows(rows, submissions, results, now, catalog)

        # The worker itself was offline for these (sheets_sync.check.offline): keep the earlier verdicts.
        offline = {v.key for v in verdicts if "checker_offline" in v.reasons}
        if offline:
            log.warning("checker offline: %d rows keep their earlier verdict (not written)", len(offline))
        statuses: dict[RowKey, Status] = {r.key: _previous(r) for r in snapshot.rows}
        statuses.update({v.key: v.status for v in verdicts if v.key not in offline})
        # Rows given no verdict this run (another agency's with --agency, or kept while offline)
        # whose URL was edited since their check: the sheet greys that check as pending (`_previous`).
        shown_pending = {r.key for r in snapshot.rows if r.url_text and g.judged_another_url(r)}
        shown_pending -= {v.key for v in verdicts if v.key not in offline}
        # The rows kept while offline that still show their earlier verdict, and when it was made (the
        # summary's heading and the command's line): not those the sheet greys as pending.
        kept_times = sorted(r.previous_checked_at for r in rows
                            if r.key in offline and r.key not in shown_pending and r.previous_checked_at)
        kept_checked = (kept_times[0], kept_times[-1]) if kept_times else (None, None)
        # What the sheet will show, so the counts printed, logged and stored agree with it.
        counts = Counter(statuses[r.key].value for r in rows)
        kept = {"kept_offline": len(offline - shown_pending), "kept_checked": kept_checked}
        if dry_run:
            return SyncReport(rows=len(rows), urls_checked=len(urls), counts=dict(counts),
                              problems=snapshot.problems, dry_run=True, verdicts=verdicts, **kept)
        log.info("writing the verdicts of %d rows", len(verdicts) - len(offline))
        write = backend.write_results(tuple(v for v in verdicts if v.key not in offline))
        if write.stale:
            log.info("%d rows changed while checking; they are checked next run: %s", len(write.stale),
                     ", ".join(map(str, write.stale[:10])))
        if write.missing:
            log.warning("%d rows disappeared while checking: %s", len(write.missing),
                        ", ".join(map(str, write.missing[:10])))
        # A row whose URL changed while it was checked keeps the verdict of the URL it had, greyed
        # as pending until the next run: counted so too (not yet checked), never by that verdict,
        # nor by the one the history last decided for that URL (`pending`), as are the rows the
        # sheet already showed pending. Not one whose URL was put back meanwhile to the one its
        # verdict judged: the sheet shows that verdict as current.
        back = _put_back(write, snapshot)
        pending = (frozenset(write.stale) - back.keys()) | shown_pending
        statuses.update(dict.fromkeys(pending, Status.UNKNOWN))
        statuses.update(back)
        counts = Counter(statuses[r.key].value for r in rows)
        moved = _moved_problems(write, snapshot)
        for p in moved:
            log.warning("kept text a person typed in %s (moved to the %s tab): %s", p.value, TAB_MOVED, p.detail)
        holes = missing_row_problems(snapshot, config)
        for p in holes:
            log.warning("%s", p.detail)
        skipped = set(write.stale) | set(write.missing) | offline
        # The rows the sheet greys as pending are recorded so, with the URL they hold now: the reminders
        # and the governor's report, made from the history, told an agency of its old URL's verdict.
        waiting = {r.key: r.url_text for r in snapshot.rows if r.key in shown_pending} | dict(write.stale_urls)
        history.record([v for v in verdicts if v.key not in skipped] + _emptied(snapshot, verdicts, offline)
                       + list(_unsent(holes)), now, snapshot.agencies,
                       explanations={r.key: r.explanation for r in rows}, pending=waiting)
        s = config.settings
        log.info("writing the summary tab")
        summary = build_summary(
            statuses, snapshot.agencies, catalog, snapshot.problems + moved + holes, now, s.expected_agencies,
            target_agencies=s.target_agencies, history=history.as_of(now), baseline=baseline_for(history, now),
            thai_digits=s.thai_digits, tz=s.tz, pending=pending,
            extra_heading=(*summary_note, *offline_note(kept["kept_offline"], kept_checked)))
        try:
            backend.write_summary(summary)
            _write_snapshots(config, backend, history, snapshot.agencies, now)
        except BackendError as e:
            # The verdicts are on the sheet already (their own write): say so, or a coordinator
            # reading "failed" would think the sheet was left as it was.
            raise BackendError(f"{e} The verdicts of this run were written ({write.written} rows); only the "
                               "summary tab (and any round snapshot due) was not updated and still shows the "
                               "previous run until the next run.") from None
    finally:
        if own_state:
            state.close()
    # the problems the summary lists, so the command's line counts the same (rows gone were left out)
    return SyncReport(rows=len(rows), urls_checked=len(urls), counts=dict(counts),
                      problems=snapshot.problems + moved + holes,
                      write=write, verdicts=verdicts, agencies=snapshot.agencies, **kept)


def offline_note(kept: int, checked: tuple) -> tuple[str, ...]:
    """The summary's line when the checker was offline: the sheet shows earlier verdicts, and when
    they were made, so the summary and the rows say the same thing."""
    if not kept:
        return ()
    oldest, newest = checked
    when = ""
    if oldest is not None:
        when = (f" (ตรวจเมื่อ {thai_datetime(oldest)} น.)" if oldest == newest
                else f" (ตรวจระหว่าง {thai_datetime(oldest)} ถึง {thai_datetime(newest)} น.)")
    return (f"การตรวจครั้งนี้ระบบเชื่อมต่อเว็บไซต์ไม่ได้ (ปัญหาที่ฝั่งระบบตรวจ ไม่ใช่ของหน่วยงาน): "
            f"{kept} แถวยังแสดงผลการตรวจครั้งก่อน{when} จะตรวจใหม่ในรอบถัดไป",)


def _write_snapshots(config: Config, backend: Backend, history: History, agencies, now) -> None:
    """After a round's deadline: its snapshot tab, computed from the history at the deadline, once.
    A deadline no sync recorded anything by (the worker started later) gets a tab that says so and
    shows only what the sheet's first-submitted times tell; it is never passed off as final, and
    is not written again once a coordinator has confirmed the round (`confirm_snapshot`)."""
    write_snapshot = getattr(backend, "write_snapshot", None)
    if write_snapshot is None:  # a backend without snapshots yet
        return
    s = config.settings
    opts = Options.of(s)
    for rnd in due_rounds(config.catalog, now, s.tz):
        final, final_other = _titles(snapshot_title, rnd, s.thai_digits)
        provisional, provisional_other = _titles(provisional_title, rnd, s.thai_digits)
        if recorded_by(history, rnd, s.tz):
            title, names = final, {"known_as": (final_other,), "replaces": (provisional, provisional_other)}
            build = partial(snapshot_summary, history, rnd, config.catalog, agencies, opts)
        else:
            title, names = provisional, {"known_as": (final, final_other, provisional_other)}
            build = partial(provisional_summary, history, rnd, config.catalog, agencies, opts)
        # Built only when the tab is missing: after a deadline, every later run would otherwise
        # recompute the history at that deadline just to have it declined.
        build = partial(_build_snapshot, rnd, title, build)
        started = time.monotonic()
        if write_snapshot(title, build, **names):
            log.info("round %d snapshot written to tab %s (%.1f s)", rnd.number, title, time.monotonic() - started)


def _titles(make: Callable[..., str], rnd, thai_digits: bool) -> tuple[str, str]:
    """A snapshot tab's name in the digits of the settings, and in the other digits: a tab written
    before `thai_digits` was switched is the same snapshot (it was written again, a duplicate)."""
    return make(rnd, thai_digits), make(rnd, not thai_digits)


def _build_snapshot(rnd, title, build):
    # Called by the backend only when the tab is missing; a snapshot takes seconds, so say so first.
    log.info("round %d snapshot: building tab %s from the history at its deadline", rnd.number, title)
    return build()


def confirm_snapshot(config: Config, backend: Backend, number: int, now, state: State | None = None) -> str:
    """A coordinator confirms a round's snapshot that had no record at its deadline: the final tab
    is written from what is known (the first-submitted times), saying who stands behind it, and
    the provisional tab (which advised this very command) is removed in the same write. Returns the tab's name. A round not yet due, or one whose final tab exists, is a UsageError."""
    catalog, s = config.catalog, config.settings
    if number not in {r.number for r in catalog.rounds}:
        raise UsageError(f"--confirm: round {number} is not in the {catalog.year} catalogue")
    rnd = catalog.round(number)
    if rnd not in due_rounds(catalog, now, s.tz):
        raise UsageError(f"--confirm: round {number}'s deadline has not passed yet")
    write_snapshot = getattr(backend, "write_snapshot", None)
    if write_snapshot is None:
        raise UsageError("this backend keeps no snapshots")
    own_state = state is None
    state = State(s.state_path) if state is None else state
    try:
        history = History(state, s.tz)
        agencies = backend.read(catalog).agencies
        title, other = _titles(snapshot_title, rnd, s.thai_digits)
        if recorded_by(history, rnd, s.tz):
            build = partial(snapshot_summary, history, rnd, catalog, agencies, Options.of(s))
        else:
            build = partial(provisional_summary, history, rnd, catalog, agencies, Options.of(s), confirmed_at=now)
        if not write_snapshot(title, build, known_as=(other,), replaces=_titles(provisional_title, rnd, s.thai_digits)):
            raise UsageError(f"the snapshot tab {title} (or {other}) exists already (a snapshot is never changed)")
    finally:
        if own_state:
            state.close()
    return title


def check_submissions(checker, rows, submissions, progress=None):
    """Checks the URLs of the submissions (both readings of a cell that can be read two ways, see
    check/readings.py), as a sync and a watch pass do; those of rows that showed a problem are
    checked again even when the cache
    holds a fresh ok result for them: a page that is ok for the checker may still fail a row's year
    rule, and the agency's fix must show on the next run, not when the cache expires."""
    recheck = {c.url for r, s in zip(rows, submissions) if r.previous_status not in (None, Status.OK, Status.EMPTY)
               for c in s.candidates if c.url}
    candidates = (c for s in submissions for c in s.candidates)
    if isinstance(checker, CachedChecker):
        return readings.check_candidates(checker, candidates, progress, recheck=recheck)
    return readings.check_candidates(checker, candidates, progress)


def _with_remembered_first_submission(rows, history: History) -> list:
    """A sheet that was lost and rebuilt has an empty 'first submitted' column; the history
    still knows, and the clarification window is judged against the first submission."""
    remembered = history.first_submitted()
    out = []
    for r in rows:
        known = [t for t in (r.first_submitted_at, remembered.get(r.key)) if t is not None]
        out.append(replace(r, first_submitted_at=min(known)) if known else r)
    return out


def _moved_problems(write: WriteReport, snapshot: Snapshot) -> tuple[ReadProblem, ...]:
    """Text people typed into worker cells, kept in the moved-text tab: one summary problem each."""
    rows = {r.key: r.row_number for r in snapshot.rows}
    return tuple(ReadProblem("moved_text", rows.get(key, 0), f"{key}: {text[:80]}", value=header,
                             tab=TAB_SUBMISSIONS)
                 for key, header, text in write.moved)


def missing_row_problems(snapshot: Snapshot, config: Config) -> tuple[ReadProblem, ...]:
    """One problem per agency whose items have no row in the sheet (a user deleted them; an agency
    or item without any row gets its rows from the sync itself, `_rows_missing`). The summary counts
    such an item as not sent; the coordinator is told which, and that `init` adds the rows back."""
    present = {r.key for r in snapshot.rows}
    lacking: dict[str, list[str]] = {}
    for k in g.planned_keys(config.catalog, snapshot.agencies):
        if k not in present:
            lacking.setdefault(k.agency, []).append(k.item)
    with_rows = {k.agency for k in present}
    unknown = _unknown_codes(snapshot)
    out = []
    for agency, items in lacking.items():
        if agency not in with_rows and unknown:
            # No row at all while rows carry codes the agencies tab lacks: most likely its code was
            # changed there, its URLs on rows of the old code; "init and paste again" would be wrong
            codes = ", ".join(f"{code!r} ({n} rows)" for code, (n, _) in unknown.items())
            out.append(ReadProblem(
                "agency_rows_elsewhere", 0, f"agency {agency} has no row in the {TAB_SUBMISSIONS} tab, and rows "
                f"carry agency codes the agencies tab does not know: {codes}. If {agency}'s code was changed in "
                f"the agencies tab, change it in those rows too (or change it back); until then its items count "
                f"as not sent and those rows are not checked; no rows are added for {agency}",
                value=agency, first_row=min(first for _, first in unknown.values()), tab=TAB_SUBMISSIONS,
                items=tuple(items)))
            continue
        out.append(ReadProblem("missing_row", 0, f"agency {agency} has no row for {', '.join(items)} in the "
                               f"{TAB_SUBMISSIONS} tab (deleted?): counted as not sent; `sheets-sync init` adds "
                               f"the rows back", value=agency, tab=TAB_SUBMISSIONS, items=tuple(items)))
    return tuple(out)


def _unknown_codes(snapshot: Snapshot) -> dict[str, tuple[int, int]]:
    """Agency codes of the submissions tab that the agencies tab does not know -> (rows, first row)."""
    out: dict[str, tuple[int, int]] = {}
    for p in snapshot.problems:
        if p.code == "unknown_agency" and p.tab == TAB_SUBMISSIONS:
            n, first = out.get(p.value, (0, p.row_number))
            out[p.value] = (n + 1, min(first, p.row_number))
    return out


def _unsent(holes: Sequence[ReadProblem]) -> list[Verdict]:
    """What the history records of the rows a user deleted: not sent, as the summary counts them,
    so the report (made from the history alone) agrees with it instead of counting the last verdict."""
    return [Verdict(RowKey(p.value, item), "", Status.EMPTY) for p in holes for item in p.items]


def _emptied(snapshot: Snapshot, verdicts: Sequence[Verdict], offline: set[RowKey]) -> list[Verdict]:
    """What the history records of the rows given no verdict this run (another agency's in a sync
    --agency) whose URL cell was emptied since their verdict: not sent, as the summary counts them
    (`_previous`), not the verdict of the URL the agency took out."""
    judged = {v.key for v in verdicts if v.key not in offline}
    return [Verdict(r.key, "", Status.EMPTY) for r in snapshot.rows
            if r.key not in judged and not r.url_text and g.judged_another_url(r)]


def _put_back(write: WriteReport, snapshot: Snapshot) -> dict[RowKey, Status]:
    """The rows changed while they were checked whose URL cell holds, at write time, the URL their
    verdict judged ('URL ที่ตรวจ', compared as the sheet's stale rule compares): a link pasted back
    during the check (or one typed since the last check and undone). The sheet shows their verdict as
    current, not pending: key -> that verdict's status. The history gets it back too (`History.record`)."""
    rows = {r.key: r for r in snapshot.rows}
    back = {}
    for key, url in write.stale_urls:
        row = rows.get(key)
        if row is not None and row.previous_checked_url is not None \
                and g.as_rule_reads(url) == g.as_rule_reads(row.previous_checked_url):
            back[key] = _previous(replace(row, url_text=url))
    return back


def _previous(row) -> Status:
    """What the sheet shows for a row given no verdict this run: not sent, its last verdict, or not
    yet checked where it has none or where its URL was edited since (the sheet greys it pending)."""
    if not row.url_text:
        return Status.EMPTY
    if g.judged_another_url(row):
        return Status.UNKNOWN
    return row.previous_status or Status.UNKNOWN


def _rows_missing(snapshot: Snapshot, config: Config) -> bool:
    """Whether an agency or an item has no row at all (a coordinator added an agency in the
    agencies tab, a catalogue gained an item). One row missing among an agency's others is a
    row whose key was blanked, pasted over or merged away, its URL still in the sheet (listed
    among the problems): a new empty twin would show "ยังไม่ส่ง" for an item that was sent,
    and the real row would never be checked again. `init` adds such rows when asked. So does an
    agency without rows while rows carry an unknown agency code: its code changed in the agencies
    tab, 43 empty twins showed it not started, its URLs on the old code's rows
    (`missing_row_problems` tells the coordinator)."""
    present = {r.key for r in snapshot.rows}
    agencies, items = {k.agency for k in present}, {k.item for k in present}
    orphans = bool(_unknown_codes(snapshot))
    return any(k not in present and (k.agency not in agencies and not orphans or k.item not in items)
               for k in g.planned_keys(config.catalog, snapshot.agencies))
