"""The light watch between full syncs (issue 14): only rows whose URL changed are checked and written,
on a real backend against a real loopback site; unchanged broken URLs wait for the full sync."""

from __future__ import annotations

from datetime import datetime

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.models import RowKey, Status, SubmissionRow
from sheets_sync.pipeline import sync as pipeline
from sheets_sync.pipeline.watch import Watch, due_rows, watch_pass
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.http_servers import LoopbackServer, respond

PAGE = "<html><head><title>โครงสร้างองค์กร</title></head><body>ประกาศ ปี 2566</body></html>".encode()


@pytest.fixture
def site():
    with LoopbackServer({"/": respond(200, PAGE), "/org": respond(200, PAGE), "/boss": respond(200, PAGE),
                         "/gone": respond(404, b"not found")}) as srv:
        yield srv




def statuses(sheet) -> dict[RowKey, str]:
    grid = sheet.grid(TAB_SUBMISSIONS)
    head = [g.text(c) for c in grid[0]]
    a, i, s = (head.index(SUBMISSION_HEADERS[k]) for k in ("agency", "item", "status"))
    return {RowKey(g.text(r[a]), g.text(r[i])): g.text(g.cell(r, s)) for r in grid[1:]}


def synced(config, sheet, checker, clock) -> Watch:
    """One full sync, and the watch it primes (as the worker's loop primes it)."""
    report = pipeline.sync(config, sheet.backend, checker, clock)
    watch = Watch()
    watch.prime(report.verdicts, report.write.stale)
    return watch


def row(item: str, url: str, status: Status | None) -> SubmissionRow:
    return SubmissionRow(RowKey("a-one", item), url, previous_status=status)


def test_due_rows_are_changed_unverdicted_or_cleared_ones():
    watch = Watch()
    rows = [row("O1", "https://a.go.th/1", Status.OK), row("O2", "https://a.go.th/2", None),
            row("O3", "https://a.go.th/3", Status.EMPTY), row("O4", "", Status.BROKEN), row("O5", "", Status.EMPTY),
            row("O6", "https://a.go.th/6", Status.BROKEN)]
    # before any full sync: only what certainly has no verdict for its text
    assert [r.key.item for r in due_rows(rows, watch)] == ["O2", "O3", "O4"]
    watch.seen = {r.key: r.url_text for r in rows}
    watch.primed = True
    changed = [row("O1", "https://a.go.th/1-new", Status.OK)] + rows[1:]
    assert [r.key.item for r in due_rows(changed, watch)] == ["O1", "O2", "O3", "O4"]
    # an unchanged broken URL is not due: it waits for the full schedule
    assert "O6" not in {r.key.item for r in due_rows(changed, watch)}


def test_a_pass_checks_only_changed_rows_and_writes_their_verdicts(sheet, config, site):
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", site.url("/gone"))))
    checker = Checker(config.settings.checker)
    try:
        watch = synced(config, sheet, checker, clock)
        assert statuses(sheet)[RowKey("a-one", "O2")] == Status.BROKEN.label_th

        before = len(site.log)
        nothing = watch_pass(config, sheet.backend, checker, clock, watch)
        assert nothing.due == () and len(site.log) == before  # the broken O2 is not re-checked every minute

        clock.advance(60)
        sheet.edit_now(lambda e: (e.set_url("b-two", "O7", site.url("/boss")), e.set_url("a-one", "O1", "")))
        with State(config.settings.state_path) as state:
            passed = watch_pass(config, sheet.backend, checker, clock, watch, state=state)
            judged = History(state).judged_urls()  # recorded like a sync's, for the report and the export
        assert judged[RowKey("b-two", "O7")] == site.url("/boss") and judged[RowKey("a-one", "O1")] == ""
        assert set(passed.due) == {RowKey("b-two", "O7"), RowKey("a-one", "O1")}
        # only the pasted URL went on the network (besides the checker's soft-404 probe of that site)
        assert [s.path for s in site.log[before:] if not s.path.startswith("/sheets-sync-probe")] == ["/boss"]
        now = statuses(sheet)
        assert now[RowKey("b-two", "O7")] == Status.OK.label_th
        assert now[RowKey("a-one", "O1")] == Status.EMPTY.label_th  # cleared cell: verdict cleared too
        assert now[RowKey("a-one", "O2")] == Status.BROKEN.label_th

        # the agency changes the URL again while the pass checks: no stale verdict, and the next pass sees it
        clock.advance(60)
        sheet.edit_now(lambda e: e.set_url("a-one", "O3", site.url("/gone")))
        sheet.edit_before_write(lambda e: e.set_url("a-one", "O3", site.url("/org")))
        raced = watch_pass(config, sheet.backend, checker, clock, watch)
        assert raced.write.stale == (RowKey("a-one", "O3"),)
        assert statuses(sheet)[RowKey("a-one", "O3")] == Status.EMPTY.label_th
        again = watch_pass(config, sheet.backend, checker, clock, watch)
        assert again.due == (RowKey("a-one", "O3"),)
        assert statuses(sheet)[RowKey("a-one", "O3")] == Status.OK.label_th
    finally:
        checker.close()


def test_a_pass_records_a_row_edited_while_it_was_checked_or_kept_offline_as_not_yet_checked(sheet, config, site):
    """a-one's O1 and O2 were broken at the sync. The agency fixes O1, and changes it again while a pass
    checks it; it fixes O2 while the checker is offline. The sheet greys both old verdicts as pending,
    but the history, recorded by the pass, kept them: the governor's follow-up list named O1 and O2
    broken at the links the agency had replaced. They are not yet checked there too."""
    import dataclasses

    from tests.support.http_servers import closed_port

    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/gone")), e.set_url("a-one", "O2", site.url("/gone?2"))))
    checker = Checker(config.settings.checker)
    try:
        watch = synced(config, sheet, checker, clock)
        clock.advance(60)
        sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/boss")))
        sheet.edit_before_write(lambda e: e.set_url("a-one", "O1", site.url("/org")))
        with State(config.settings.state_path) as state:
            assert watch_pass(config, sheet.backend, checker, clock, watch, state=state).write.stale == (
                RowKey("a-one", "O1"),)
        assert followed_up(config) == ["O2"]
    finally:
        checker.close()
    offline = config.with_settings(checker=dataclasses.replace(
        config.settings.checker, canary_urls=(f"http://127.0.0.1:{closed_port()}/generate_204",)))
    checker = Checker(offline.settings.checker)
    try:
        clock.advance(60)
        sheet.edit_now(lambda e: e.set_url("a-one", "O2", site.url("/boss")))
        with State(config.settings.state_path) as state:
            kept = watch_pass(offline, sheet.backend, checker, clock, watch, state=state)
            # O1 too: due again after its race, and kept now
            assert set(kept.due) == {RowKey("a-one", "O1"), RowKey("a-one", "O2")} and kept.write.written == 0
    finally:
        checker.close()
    assert statuses(sheet)[RowKey("a-one", "O2")] == Status.BROKEN.label_th  # greyed by the sheet's rule
    assert followed_up(config) == []
    with State(config.settings.state_path) as state:
        judged = History(state, config.settings.tz).judged_urls()
    assert judged[RowKey("a-one", "O1")] == site.url("/gone")  # what the verdict the sheet shows judged


def followed_up(config) -> list[str]:
    """a-one's items of round 1 on the governor's follow-up list (made from the history) after its deadline."""
    from sheets_sync.report import governor

    with State(config.settings.state_path) as state:
        rows = governor.followup_rows(config, History(state, config.settings.tz),
                                      datetime(2023, 2, 1, 9, 0, tzinfo=BANGKOK))
    return [r[4] for r in rows if r[0] == "a-one" and r[4] in ("O1", "O2")]


def test_on_xlsx_a_pass_reads_the_workbook_only_when_someone_saved_it(tmp_path, config, site):
    from tests.support.sheets import XlsxHarness

    sheet = XlsxHarness(tmp_path)
    pipeline.init(config, sheet.backend)
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    checker = Checker(config.settings.checker)
    reads = []
    real_read = sheet.backend.read
    sheet.backend.read = lambda catalog: reads.append(1) or real_read(catalog)
    try:
        watch = Watch()
        watch.prime(pipeline.sync(config, sheet.backend, checker, clock).verdicts)
        assert watch_pass(config, sheet.backend, checker, clock, watch).rows > 0  # after the sync's save
        n = len(reads)
        assert watch_pass(config, sheet.backend, checker, clock, watch).rows == 0 and len(reads) == n
        sheet.edit_now(lambda e: e.set_url("a-one", "O9", site.url("/org")))  # an agency saves the file
        passed = watch_pass(config, sheet.backend, checker, clock, watch)
        assert passed.due == (RowKey("a-one", "O9"),) and len(reads) == n + 1
        assert statuses(sheet)[RowKey("a-one", "O9")] not in ("", Status.EMPTY.label_th)
        # its own write changed the file: one more read, then quiet again
        assert watch_pass(config, sheet.backend, checker, clock, watch).due == () and len(reads) == n + 2
        assert watch_pass(config, sheet.backend, checker, clock, watch).rows == 0 and len(reads) == n + 2
    finally:
        checker.close()


def test_a_pass_judges_a_pasted_url_as_the_full_sync_does(sheet, config):
    """Its item's year rule, and the other reading of a cell that can be read two ways: a pass
    gave last year's page "ok" and a file name with a label "broken", until the full sync."""
    old = "<html><head><title>แผนพัฒนา</title></head><body>แผนพัฒนาท้องถิ่น ปี 2565</body></html>".encode()
    label = "%20(%E0%B8%82%E0%B9%89%E0%B8%AD%E0%B8%A1%E0%B8%B9%E0%B8%A5%E0%B8%9B%E0%B8%B5%202566)"  # " (ข้อมูลปี 2566)"
    routes = {"/": respond(200, PAGE), "/old": respond(200, old), "/plan": respond(404, b"not found"),
              "/plan" + label: respond(200, PAGE)}
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    with LoopbackServer(routes) as site:
        checker = Checker(config.settings.checker)
        try:
            watch = Watch()
            watch.prime(pipeline.sync(config, sheet.backend, checker, clock).verdicts, ())
            sheet.edit_now(lambda e: (e.set_url("a-one", "O4", site.url("/old")),
                                      e.set_url("a-one", "O11", site.url("/plan") + " (ข้อมูลปี 2566)")))
            clock.advance(60)
            passed = watch_pass(config, sheet.backend, checker, clock, watch)
            assert set(passed.due) == {RowKey("a-one", "O4"), RowKey("a-one", "O11")}
            by_pass = statuses(sheet)
            clock.advance(60)
            pipeline.sync(config, sheet.backend, checker, clock)
            by_sync = statuses(sheet)
        finally:
            checker.close()
    assert by_pass[RowKey("a-one", "O4")] == Status.WARNING.label_th  # no 2566 on an item that asks for it
    assert by_pass[RowKey("a-one", "O11")] == Status.OK.label_th  # the reading that opens
    assert by_pass == by_sync


def test_on_google_sheets_a_pass_leaves_its_notes_on_the_sheet(tmp_path, config, site):
    """The notes of a pass were held for the summary's batch, which a pass never writes: the broken
    URL showed no advice, and the next pass sent the old advice onto a row fixed meanwhile."""
    from tests.support.sheets import GSheetsHarness, submissions_sheet

    sheet = GSheetsHarness(tmp_path)
    pipeline.init(config, sheet.backend)
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    checker = Checker(config.settings.checker)
    try:
        watch = Watch()
        watch.prime(pipeline.sync(config, sheet.backend, checker, clock).verdicts, ())
        sheet.edit_now(lambda e: e.set_url("a-one", "O2", site.url("/gone")))
        clock.advance(60)
        assert watch_pass(config, sheet.backend, checker, clock, watch).write.written == 1
    finally:
        checker.close()
    tab = submissions_sheet(sheet.fake, sheet.sid)  # as agencies see it: nobody flushes for them
    grid = tab.grid()
    head = [g.text(c) for c in grid[0]]
    a, i, u = (head.index(SUBMISSION_HEADERS[k]) for k in ("agency", "item", "url"))
    r = next(n for n, row in enumerate(grid) if g.text(g.cell(row, a)) == "a-one" and g.text(g.cell(row, i)) == "O2")
    assert (tab.cell(r, u) or {}).get("note")


def sheet_cells(sheet) -> dict[RowKey, tuple[str, str, str]]:
    """Each row's status, reason codes and the note on its URL cell, as the sheet shows them."""
    grid = sheet.grid(TAB_SUBMISSIONS)
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    return {RowKey(g.text(r[cols["agency"]]), g.text(r[cols["item"]])):
            (g.text(g.cell(r, cols["status"])), g.text(g.cell(r, cols["reasons"])),
             sheet.note(TAB_SUBMISSIONS, i, cols["url"]))
            for i, r in enumerate(grid[1:], start=1)}


def test_a_pass_tells_a_link_shared_with_another_item_as_the_full_sync_does(sheet, config, site):
    """duplicate_in_agency looks at the agency's other rows, and a pass judged the changed row alone:
    the link pasted into a second item was "ok" until the full sync, and once the agency gave that
    item its own link, the first item kept "same URL as another item" and its advice."""
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    one, two = RowKey("a-one", "O1"), RowKey("a-one", "O2")
    sheet.edit_now(lambda e: (e.set_url("a-one", "O1", site.url("/org")), e.set_url("a-one", "O2", site.url("/boss"))))
    checker = Checker(config.settings.checker)
    try:
        watch = synced(config, sheet, checker, clock)
        assert statuses(sheet)[one] == statuses(sheet)[two] == Status.OK.label_th

        passes, syncs = [], []
        for url in ("/org", "/boss"):  # O2 given O1's link, then its own again
            sheet.edit_now(lambda e: e.set_url("a-one", "O2", site.url(url)))
            clock.advance(60)
            watch_pass(config, sheet.backend, checker, clock, watch)
            passes.append(sheet_cells(sheet))
            clock.advance(60)
            watch = synced(config, sheet, checker, clock)
            syncs.append(sheet_cells(sheet))
    finally:
        checker.close()
    shared, own = passes
    assert "duplicate_in_agency" in shared[one][1] and "duplicate_in_agency" in shared[two][1]
    assert shared[one][2] and shared[one][2] == syncs[0][one][2]  # the advice, on both rows
    assert own[one] == (Status.OK.label_th, "", "")  # nothing left of it once fixed
    for by_pass, by_sync in zip(passes, syncs):
        assert {k: v[:2] for k, v in by_pass.items()} == {k: v[:2] for k, v in by_sync.items()}
        assert {k: v[2] for k, v in by_pass.items()} == {k: v[2] for k, v in by_sync.items()}
