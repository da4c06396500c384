"""Issue 11: no verdict or note ever lands on a row it does not belong to, whatever agencies and
coordinators do while a sync runs. Seeded random edits (sort by any column, insert and delete
rows, change URLs, rename the tab; copy rows on the xlsx) are injected at every request boundary of a full sync on the
gsheets backend (real gspread against the Sheets API fake, whose row developer metadata moves
with its row as in Google Sheets), and between the read and the save on the xlsx backend.

After every sync: each row's verdict, detail and note are exactly those judged for the URL
its "URL ที่ตรวจ" cell names, and that URL was that row's; no cell people own changed; no sync
failed."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.models import CheckResult, RowKey, Status
from sheets_sync.pipeline.sync import sync
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import (
    COPY_LABEL,
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    TAB_SUBMISSIONS,
)
from tests.support.configs import shipped_config
from tests.support.fake_sheets import FakeSheets
from tests.support.sheets import (
    Edits,
    GSheetsHarness,
    XlsxHarness,
    apply_to_fake,
    submissions_sheet,
)

SEEDS = 104  # gsheets: over 100 seeded edits at each request boundary
XLSX_SEEDS = 25  # each xlsx sync loads and saves whole files several times
WORKER = {c.key for c in SUBMISSION_COLUMNS if c.worker}
OUTCOMES = ((Status.OK, ()), (Status.BROKEN, ("http_4xx",)), (Status.BROKEN, ("timeout",)),
            (Status.WARNING, ("no_fiscal_year",)), (Status.BROKEN, ("soft_404",)), (Status.WARNING, ("empty_page",)),
            (Status.BROKEN, ("login_required",)))


class UrlChecker:
    """Stands in for the network: each URL gets one of several outcomes, chosen by the URL, so
    rows carry different statuses and notes (a misplaced one shows)."""

    def check_many(self, urls, progress=None):
        out = {}
        for u in urls:
            status, reasons = OUTCOMES[sum(map(ord, u)) % len(OUTCOMES)]
            out[u] = CheckResult(url=u, status=status, reasons=reasons, http_status=200, detail=f"judged {u}")
        return out

    def close(self) -> None:
        pass


@pytest.fixture
def config(tmp_path):
    return shipped_config(agencies=1, state_path=str(tmp_path / "state.sqlite"))


def url_for(key: RowKey, n: int, domain: str) -> str:
    return f"https://{domain}/ita/{key.agency}/{key.item.lower()}/v{n}"


def random_edits(rng: random.Random, domain: str, counter: list[int], copies: bool = False):
    """Agencies and coordinators at work: 1-4 of sort / insert / delete / URL change / rename, and
    with `copies` an agency copying its row (the xlsx marks copies; Google Sheets not yet)."""
    def edit(e: Edits) -> list[str]:
        done = []
        for _ in range(rng.randint(1, 4)):
            what = rng.choice(("sort", "insert", "delete", "url", "url", "rename") + (("copy",) if copies else ()))
            if what in ("sort", "insert", "delete", "copy"):
                row_edit(e, rng, what)
            elif what == "url":
                rows = [r for r in e.grid[1:] if g.text(g.cell(r, e.cols["agency"]))]
                row = rng.choice(rows)
                key = RowKey(g.text(row[e.cols["agency"]]), g.text(row[e.cols["item"]]))
                counter[0] += 1
                while len(row) <= e.cols["url"]:
                    row.append(None)
                row[e.cols["url"]] = url_for(key, counter[0], domain) if rng.random() < 0.9 else ""
            done.append(what)
        return done
    return edit


class Judged:
    """Every verdict any sync made, by the URL text it judged (URL texts are unique per key)."""

    def __init__(self) -> None:
        self.by_url: dict[str, tuple[RowKey, str, str, str]] = {}

    def add(self, report) -> None:
        for v in report.verdicts:
            if v.url_text:
                self.by_url[v.url_text] = (v.key, v.status.label_th, v.detail, v.note_th)


def misplaced(grid, notes: dict, judged: Judged) -> list[str]:
    """Rows whose verdict cells or note are not those judged for the URL their checked-URL cell
    names, or whose checked URL was never this row's."""
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    copies = g.copies(grid, cols)
    bad = []
    for r, row in enumerate(grid[1:], start=1):
        key = RowKey(g.text(g.cell(row, cols["agency"])), g.text(g.cell(row, cols["item"])))
        checked = g.url_cell_text(g.cell(row, cols["checked_url"]))
        status = g.text(g.cell(row, cols["status"]))
        note = notes.get((r, cols["url"]), "")
        if status == COPY_LABEL:  # a copied row's marking: only on a copy, or on a row greyed as pending
            if r not in copies and checked == g.url_cell_text(g.cell(row, cols["url"])):
                bad.append(f"row {r + 1} {key}: marked as a copy, but it is the row of its key")
            elif f"{key.agency}/{key.item}" not in g.text(g.cell(row, cols["detail"])):
                bad.append(f"row {r + 1} {key}: holds the copy marking of another key")
            continue
        if not checked:
            if status not in ("", Status.EMPTY.label_th) or note or g.text(g.cell(row, cols["detail"])):
                bad.append(f"row {r + 1} {key}: verdict {status!r} without a checked URL")
            continue
        if checked not in judged.by_url:
            bad.append(f"row {r + 1} {key}: checked URL {checked!r} was never judged")
            continue
        k, label, detail, want_note = judged.by_url[checked]
        if k != key or status != label or g.text(g.cell(row, cols["detail"])) != g.text(detail) or note != want_note:
            bad.append(f"row {r + 1} {key}: holds the verdict of {k} {checked!r}")
    return bad


def people_cells(grid) -> list[list[object]]:
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    worker = {cols[k] for k in WORKER if k in cols}
    return [[g.text(g.cell(row, c)) for c in range(len(grid[0])) if c not in worker] for row in grid]


BOUNDARIES = 5  # a sync's requests: 0 tab properties, 1 values, 2 write-time read,
#                3 verdicts through row metadata, 4 notes + summary (checked)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_gsheets_edits_at_every_request_boundary_never_misplace_a_verdict(tmp_path, config):
    """Every seed runs one full sync with a random edit just before each of its first five
    requests (so each boundary gets one edit per seed; a seed's edits compound)."""
    domain = config.agencies[0].domains[0] if config.agencies[0].domains else "example.go.th"
    with FakeSheets(read_per_minute=10 ** 6, write_per_minute=10 ** 6) as fake:
        sheet = GSheetsHarness(tmp_path, fake=fake)
        sheet.backend.ensure_layout(config.catalog, config.agencies)
        counter = [0]
        code = config.agencies[0].code
        sheet.edit_now(lambda e: [e.set_url(code, f"O{i}", url_for(RowKey(code, f"O{i}"), 0, domain))
                                  for i in range(1, 44) if i % 4])
        clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
        judged, failures, bad, people_changed = Judged(), [], [], 0
        applied = [0] * BOUNDARIES
        kinds: dict[str, int] = {}
        for seed in range(SEEDS):
            rng = random.Random(seed)
            start = len(fake.log)
            last_edit: dict = {}

            def play(fake_, boundary, rng=rng, last_edit=last_edit):
                for what in apply_edit(fake_, sheet.sid, random_edits(rng, domain, counter)):
                    kinds[what] = kinds.get(what, 0) + 1
                if rng.random() < 0.1:  # a coordinator renames the tab
                    submissions_sheet(fake_, sheet.sid).title = f"ส่ง URL ({rng.randint(1, 999)})"
                    kinds["rename"] = kinds.get("rename", 0) + 1
                applied[boundary] += 1
                last_edit["people"] = people_cells(submissions_sheet(fake_, sheet.sid).grid())

            for boundary in range(BOUNDARIES):
                before_request(fake, sheet.sid, start, boundary, lambda fake_, b=boundary: play(fake_, b))
            failed, misplaced_now, grid = sync_and_look(config, sheet, fake, clock, judged, seed)
            failures += failed
            bad += misplaced_now
            if "people" in last_edit:  # what people left after their last edit is what the sheet shows
                before = last_edit["people"]
                people_changed += changed_rows(before, people_cells(grid))
        assert failures == []
        assert bad == []
        assert people_changed == 0
        assert min(applied) >= 100, applied  # every boundary saw over 100 seeded edits
        assert {"sort", "insert", "delete", "url", "rename"} <= set(kinds), kinds


def before_request(fake, sid: str, start: int, boundary: int, fn) -> None:
    """`fn(fake)` just before the sync's request number `boundary` (0-based) after log entry `start`."""
    fake.before_next(lambda seen: seen.kind in ("read", "write") and sid in seen.path
                     and sum(1 for x in fake.log[start:] if x.kind in ("read", "write")) == boundary + 1, fn)


def sync_and_look(config, sheet, fake, clock, judged: Judged, seed: int) -> tuple[list[str], list[str], list]:
    """One sync (its verdicts added to `judged`), then the tab as it stands: (failures, misplaced, grid)."""
    failures = []
    try:
        judged.add(sync(config, sheet.backend, UrlChecker(), clock))
    except Exception as e:  # noqa: BLE001 - counted: no sync may fail
        failures.append(f"seed {seed}: {type(e).__name__}: {e}")
    fake.hooks.clear()
    clock.advance(600)
    sub = submissions_sheet(fake, sheet.sid)
    grid = sub.grid()
    return failures, [f"seed {seed}: {b}" for b in misplaced(grid, sub.notes(), judged)], grid


def changed_rows(before: list[list[str]], after: list[list[str]]) -> int:
    """Rows whose people-owned cells changed. A wholly blank row someone inserted may be filled
    by the rows init adds (an append lands in the first empty row, in Sheets as in Excel): that
    changes nothing anyone typed."""
    return sum(1 for a, b in zip(before, after) if any(a) and a != b)


def apply_edit(fake, sid, edit) -> list[str]:
    done: list[str] = []
    apply_to_fake(fake, sid, lambda e: done.extend(edit(e)))
    return done


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_xlsx_file_replaced_between_read_and_save_never_misplaces_a_verdict(tmp_path, config):
    """The xlsx backend reads and saves whole files: agencies' saves land before the worker's
    write session opens the file, and (the race) between its load and its save; the save then
    notices, and the session is redone on the new file."""
    domain = config.agencies[0].domains[0] if config.agencies[0].domains else "example.go.th"
    sheet = XlsxHarness(tmp_path)
    sheet.backend.ensure_layout(config.catalog, config.agencies)
    code = config.agencies[0].code
    sheet.edit_now(lambda e: [e.set_url(code, f"O{i}", url_for(RowKey(code, f"O{i}"), 0, domain))
                              for i in range(1, 44) if i % 4])
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    judged, failures, bad, people_changed, raced, marked = Judged(), [], [], 0, 0, 0
    counter = [0]
    save = sheet.backend._save
    for seed in range(XLSX_SEEDS):
        rng = random.Random(seed)
        last: dict = {}

        def edit(e, rng=rng, last=last):
            random_edits(rng, domain, counter, copies=True)(e)
            last["people"] = people_cells(e.grid)

        pending = [edit]

        def saving(wb, before, pending=pending):
            nonlocal raced
            if pending:  # someone saves the file while the worker holds its copy
                sheet.edit_now(pending.pop())
                raced += 1
            return save(wb, before)

        sheet.backend._save = saving
        if rng.random() < 0.5:
            sheet.edit_before_write(pending.pop())
        try:
            judged.add(sync(config, sheet.backend, UrlChecker(), clock))
        except Exception as e:  # noqa: BLE001 - counted: no sync may fail
            failures.append(f"seed {seed}: {type(e).__name__}: {e}")
        clock.advance(600)
        grid = sheet.grid(TAB_SUBMISSIONS)
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
        notes = {(r, cols["url"]): sheet.note(TAB_SUBMISSIONS, r, cols["url"]) for r in range(1, len(grid))}
        bad += [f"seed {seed}: {b}" for b in misplaced(grid, {k: v for k, v in notes.items() if v}, judged)]
        marked += sum(1 for row in grid[1:] if g.text(g.cell(row, cols["status"])) == COPY_LABEL)
        if "people" in last:
            before = last["people"]
            people_changed += changed_rows(before, people_cells(grid))
    assert failures == []
    assert bad == []
    assert people_changed == 0
    assert raced >= XLSX_SEEDS // 3
    assert marked > 0  # agencies' copied rows were there and marked


def column_edits(rng: random.Random):
    """Coordinators at work on the columns (and rows) while a sync runs: drag a column anywhere,
    insert a blank column, delete a blank one, sort, insert or delete rows. (No URL typed in the same
    moment: a cell our write hit between the write-time read and the verdicts' write gets back the
    text the read found, so a URL typed into it in that very second would be lost.)"""
    def edit(fake, sid) -> list[str]:
        done = []
        for _ in range(rng.randint(1, 3)):
            sheet = submissions_sheet(fake, sid)
            width = len(sheet.grid()[0])
            what = rng.choice(("drag", "drag", "insert column", "delete column", "sort", "insert", "delete"))
            if what == "drag":
                sheet.move_column(rng.randrange(width), rng.randrange(width))
            elif what == "insert column":
                sheet.insert_column(rng.randint(0, width))
            elif what == "delete column":
                blank = [c for c, h in enumerate(sheet.grid()[0]) if not g.text(h)]
                if not blank:
                    continue
                sheet.delete_column(rng.choice(blank))
            else:
                done += apply_edit(fake, sid, lambda e, what=what: row_edit(e, rng, what))
                continue
            done.append(what)
        return done
    return edit


def row_edit(e: Edits, rng: random.Random, what: str) -> list[str]:
    """A coordinator sorts by a random column, inserts a blank row or deletes one, or an agency copies
    its row (to give a second link) somewhere below it (`what`)."""
    body = len(e.grid) - 1
    if what == "copy":
        at = rng.randint(1, body)
        e.copy_row(at, rng.randint(at + 1, body + 1))
    elif what == "sort":
        col = rng.randrange(len(e.grid[0]))
        e.reorder(lambda row: g.text(g.cell(row, col)), reverse=rng.random() < 0.5)
    elif what == "insert":
        e.insert(rng.randint(1, body + 1), ["" for _ in e.grid[0]])
    elif body > 1:
        e.delete(rng.randint(1, body))
    return [what]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_gsheets_columns_dragged_inserted_or_deleted_during_a_sync_never_take_a_cell(tmp_path, config):
    """A coordinator drags the URL column beside "ตรวจเมื่อ" between the worker's writes: every URL
    was overwritten by a time. Columns moved, inserted or deleted before any of a sync's requests:
    each verdict and note ends in its own row and column, and no cell people own changes."""
    domain = config.agencies[0].domains[0] if config.agencies[0].domains else "example.go.th"
    with FakeSheets(read_per_minute=10 ** 6, write_per_minute=10 ** 6) as fake:
        sheet = GSheetsHarness(tmp_path, fake=fake)
        sheet.backend.ensure_layout(config.catalog, config.agencies)
        code = config.agencies[0].code
        clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
        judged, failures, bad, people_changed = Judged(), [], [], 0
        kinds: dict[str, int] = {}
        for seed in range(COLUMN_SEEDS):
            rng = random.Random(1000 + seed)
            # new URLs each time, so every sync writes verdicts through row metadata and notes by position
            sheet.backend.ensure_layout(config.catalog, config.agencies)  # deleted rows come back
            sheet.edit_now(lambda e, s=seed: [e.set_url(code, f"O{i}", url_for(RowKey(code, f"O{i}"), s, domain))
                                              for i in range(1, 44) if (i + s) % 3])
            start = len(fake.log)
            last_edit: dict = {}

            def play(fake_, rng=rng, last_edit=last_edit):
                for what in column_edits(rng)(fake_, sheet.sid):
                    kinds[what] = kinds.get(what, 0) + 1
                last_edit["people"] = people_cells(submissions_sheet(fake_, sheet.sid).grid())

            before_request(fake, sheet.sid, start, rng.randrange(BOUNDARIES), play)
            failed, misplaced_now, grid = sync_and_look(config, sheet, fake, clock, judged, seed)
            failures += failed
            bad += misplaced_now
            if "people" in last_edit:
                people_changed += changed_rows(last_edit["people"], people_cells(grid))
        assert failures == []
        assert bad == []
        assert people_changed == 0
        assert kinds.get("drag", 0) >= 10 and kinds.get("insert column", 0) >= 5, kinds


COLUMN_SEEDS = 60
