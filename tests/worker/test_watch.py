"""The worker's watch loop with an injected clock (issue 14): a URL pasted between full syncs gets its
verdict on the sheet within two minutes, the full sync keeps its own schedule, quiet hours are quiet."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from sheets_sync.config.settings import Agency, ScheduleSettings, load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.models import RowKey, Status
from sheets_sync.pipeline.sync import sync as real_sync
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS
from sheets_sync.sheet.memory import MemoryBackend
from sheets_sync.worker.loop import Worker
from sheets_sync.worker.runner import run_watch
from sheets_sync.worker.stopper import Stopper
from tests.support import ROOT
from tests.support.http_servers import LoopbackServer, respond

PAGE = "<html><head><title>โครงสร้างองค์กร</title></head><body>ประกาศ ปี 2566</body></html>".encode()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


@pytest.fixture
def site():
    with LoopbackServer({"/": respond(200, PAGE), "/org": respond(200, PAGE)}) as srv:
        yield srv


@pytest.fixture
def config(tmp_path):
    base = load_config(ROOT / "config" / "settings.yaml")
    checker = dataclasses.replace(base.settings.checker, connect_timeout_s=1, read_timeout_s=2, total_timeout_s=4,
                                  retries=0, allow_private=("127.0.0.0/8",))
    agencies = (Agency("a-one", "เทศบาลตำบลหนึ่ง", "ลี้", "เทศบาลตำบล", ("127.0.0.1",)),)
    return dataclasses.replace(base, agencies=agencies).with_settings(
        state_path=str(tmp_path / "data" / "state.sqlite"), checker=checker,
        schedule=ScheduleSettings(every_minutes=30, watch_seconds=60))


class Agencies:
    """A Worker on a FixedClock whose sleep advances the clock; agencies paste at given moments, and
    each verdict is noticed at the first moment the worker is idle after it landed."""

    def __init__(self, config, start: str, stop: str, pastes: dict[str, tuple[RowKey, str]]):
        self.clock = FixedClock(at(start))
        self.stop_at = at(stop)
        self.stopper = Stopper()
        self.backend = MemoryBackend()
        self.backend.ensure_layout(config.catalog, config.agencies)
        self.pastes = sorted((at(t), key, url) for t, (key, url) in pastes.items())
        self.pasted: dict[RowKey, datetime] = {}
        self.verdict_at: dict[RowKey, datetime] = {}
        self.syncs: list[datetime] = []
        self.watches: list[datetime] = []

        def counting_sync(*args, **kwargs):
            self.syncs.append(self.clock.now())
            return real_sync(*args, **kwargs)

        def counting_watch(*args, **kwargs):
            self.watches.append(self.clock.now())
            return run_watch(*args, **kwargs)

        self.worker = Worker(lambda: config, clock=self.clock, stopper=self.stopper, sleep=self.sleep,
                             backend=self.backend, sync_fn=counting_sync, watch_fn=counting_watch)

    def statuses(self) -> dict[RowKey, str]:
        grid = self.backend.book.grid(TAB_SUBMISSIONS)
        head = [g.text(c) for c in grid[0]]
        a, i, s = (head.index(SUBMISSION_HEADERS[k]) for k in ("agency", "item", "status"))
        return {RowKey(g.text(r[a]), g.text(r[i])): g.text(g.cell(r, s)) for r in grid[1:]}

    def sleep(self, seconds: float) -> None:
        now = self.clock.now()
        shown = self.statuses()
        for key in self.pasted:
            if key not in self.verdict_at and shown[key] not in ("", Status.EMPTY.label_th):
                self.verdict_at[key] = now
        end = now + timedelta(seconds=seconds)
        while self.pastes and self.pastes[0][0] <= end:  # agencies paste while the worker sleeps
            when, key, url = self.pastes.pop(0)
            self.clock.at = max(when, self.clock.at)
            self.backend.book.set(TAB_SUBMISSIONS, self._row(key), self._url_col(), url)
            self.pasted[key] = when
        self.clock.at = end
        if self.clock.now() >= self.stop_at:
            self.stopper.request_stop("test")

    def _url_col(self) -> int:
        return [g.text(c) for c in self.backend.book.grid(TAB_SUBMISSIONS)[0]].index(SUBMISSION_HEADERS["url"])

    def _row(self, key: RowKey) -> int:
        grid = self.backend.book.grid(TAB_SUBMISSIONS)
        return next(i for i, r in enumerate(grid) if g.text(r[0]) == key.agency and g.text(r[5]) == key.item)


def test_a_pasted_url_gets_its_verdict_within_two_minutes_and_syncs_keep_their_schedule(config, site):
    pastes = {"2023-01-10T10:03:20": (RowKey("a-one", "O1"), site.url("/org")),
              "2023-01-10T10:17:59": (RowKey("a-one", "O2"), site.url("/org")),
              "2023-01-10T10:29:45": (RowKey("a-one", "O3"), site.url("/org"))}
    h = Agencies(config, "2023-01-10T10:00", "2023-01-10T10:40", pastes)
    assert h.worker.loop() == 0
    assert h.syncs == [at("2023-01-10T10:00"), at("2023-01-10T10:30")]  # the full schedule is unchanged
    assert set(h.verdict_at) == set(h.pasted)
    for key, pasted in h.pasted.items():
        assert h.verdict_at[key] - pasted <= timedelta(seconds=120), key
    assert h.statuses()[RowKey("a-one", "O1")] in (Status.OK.label_th, Status.WARNING.label_th)  # checked, reachable
    # about one pass a minute between the syncs, none right before a full sync is due
    assert 30 <= len(h.watches) <= 40
    assert not any(at("2023-01-10T10:29:51") <= t < at("2023-01-10T10:30") for t in h.watches)


def test_no_watch_before_the_first_sync_nor_in_quiet_hours(config, site):
    quiet = config.with_settings(schedule=ScheduleSettings(every_minutes=30, watch_seconds=60,
                                                           quiet_hours="10:10-10:20"))
    pastes = {"2023-01-10T10:12:00": (RowKey("a-one", "O1"), site.url("/org"))}
    h = Agencies(quiet, "2023-01-10T10:00", "2023-01-10T10:25", pastes)
    assert h.worker.loop() == 0
    assert h.watches and all(not (at("2023-01-10T10:10") <= t < at("2023-01-10T10:20")) for t in h.watches)
    # a watch pass is a no-op in quiet hours; the paste is judged at the first pass after them
    assert at("2023-01-10T10:20") <= h.verdict_at[RowKey("a-one", "O1")] <= at("2023-01-10T10:22")


def test_watch_off_with_zero_seconds(config):
    off = config.with_settings(schedule=ScheduleSettings(every_minutes=30, watch_seconds=0))
    h = Agencies(off, "2023-01-10T10:00", "2023-01-10T10:35", {})
    assert h.worker.loop() == 0
    assert h.watches == [] and len(h.syncs) == 2


def test_without_an_injected_backend_the_watch_opens_one_and_keeps_it(config, tmp_path, monkeypatch):
    """In `sheets-sync run` the watch opens the configured backend once, not every minute (a Google
    backend would sign in again each time); a reload drops it."""
    from sheets_sync.sheet import kinds

    xlsx = config.with_settings(backend=dataclasses.replace(config.settings.backend, kind="xlsx",
                                                            xlsx_path=str(tmp_path / "book.xlsx")))
    opened = []
    real_open = kinds.open_backend
    monkeypatch.setattr(kinds, "open_backend", lambda c: opened.append(1) or real_open(c))
    kinds.open_backend(xlsx).ensure_layout(xlsx.catalog, xlsx.agencies)
    clock = FixedClock(at("2023-01-10T10:00"))
    stopper = Stopper()
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds)
        if clock.now() >= at("2023-01-10T10:05"):
            stopper.request_stop("test")

    worker = Worker(lambda: xlsx, clock=clock, stopper=stopper, sleep=sleep)
    assert worker.loop() == 0
    assert worker.watches >= 4
    assert len(opened) == 1 + 1 + 1  # the layout above, the full sync, the watch (once for all passes)


def test_a_full_sync_that_keeps_failing_after_its_verdicts_does_not_stop_the_watch(config, site, tmp_path):
    """The watch waited for a full sync to prime it, and a sync whose summary Google refuses on every run
    (a coordinator made the summary tab's protection theirs alone) had written its verdicts but never
    primed it: a pasted URL waited half an hour for the next full sync instead of a minute."""
    from sheets_sync.pipeline import sync as pipeline
    from sheets_sync.sheet.layout import TAB_SUMMARY
    from tests.support.fake_sheets import FakeSheets
    from tests.support.sheets import GSheetsHarness, submissions_sheet

    clock = FixedClock(at("2023-01-10T10:00"))
    fake = FakeSheets(clock=lambda: clock.now().timestamp()).start()  # Google's quota minutes, on the test's clock
    sheet = GSheetsHarness(tmp_path, fake=fake)
    pipeline.init(config, sheet.backend)
    sheet.fake.sheet(sheet.sid, TAB_SUMMARY).protected[0]["editors"]["users"] = ["coordinator@example.org"]
    stopper = Stopper()
    pasted = []

    def sleep(seconds):
        clock.advance(seconds)
        if not pasted and clock.now() >= at("2023-01-10T10:40"):  # the failed syncs' retries are far apart by now
            sheet.edit_now(lambda e: e.set_url("a-one", "O1", site.url("/org")))
            pasted.append(clock.now())
        if clock.now() >= at("2023-01-10T10:43"):
            stopper.request_stop("test")

    worker = Worker(lambda: config, clock=clock, stopper=stopper, sleep=sleep, backend=sheet.backend)
    try:
        assert worker.loop() == 0
    finally:
        fake.stop()
    assert worker.failures and worker.job.next_run > at("2023-01-10T10:43")  # no full sync since the paste
    grid = submissions_sheet(sheet.fake, sheet.sid).grid()  # as the agency sees it
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    shown = {g.text(r[cols["item"]]): g.text(g.cell(r, cols["status"])) for r in grid[1:]}
    assert shown["O1"] in (Status.OK.label_th, Status.WARNING.label_th)
