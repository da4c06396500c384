"""The result cache between runs and the offline guard, through the real pipeline against the
loopback farm, with requests counted at the farm."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from datetime import datetime

import pytest

from sheets_sync.check.cache import VALIDATOR_MARKS, CachedChecker, ResultCache, open_cached
from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import Agency, load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.models import CheckResult, RowKey, Status
from sheets_sync.core.thai import thai_datetime
from sheets_sync.pipeline import sync as pipeline
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS, TAB_SUMMARY
from sheets_sync.state.store import State
from tests.support.farm import Farm, make_pdf
from tests.support.http_servers import LoopbackServer, etagged, respond
from tests.support.sheets import HARNESSES

HOSTS = ["tapladuk.go.th", "lee.go.th", "paplu.go.th", "banhong.go.th", "wangpang.go.th", "nonglong.go.th"]
CLOCK = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))


@pytest.fixture
def farm():
    with Farm(HOSTS) as f:
        yield f


@pytest.fixture
def config(farm, tmp_path):
    base = load_config("config/settings.yaml")
    agencies = tuple(Agency(f"a{i}", f"เทศบาลตำบล{i}", "ลี้", "เทศบาลตำบล", (h,)) for i, h in enumerate(HOSTS))
    checker = dataclasses.replace(base.settings.checker, connect_timeout_s=1, read_timeout_s=2, total_timeout_s=3,
                                  retries=0, min_host_interval_s=0, resolve=farm.resolve, allow_private=farm.allow)
    config = base.with_settings(checker=checker, state_path=str(tmp_path / "state.sqlite"))
    return dataclasses.replace(config, agencies=agencies)


@pytest.fixture
def sheet(tmp_path, config):
    harness = HARNESSES["memory"](tmp_path)
    pipeline.init(config, harness.backend)
    return harness


def run(config, sheet, checker_settings=None, fresh=False, now=None, pdf_years=()):
    checker = Checker(checker_settings or config.settings.checker, pdf_years=pdf_years)
    with State(config.settings.state_path) as state:
        cached = CachedChecker(checker, state, fresh=fresh, **({"now": now} if now else {}))
        try:
            return pipeline.sync(config, sheet.backend, cached, CLOCK, state=state), cached
        finally:
            cached.close()


def statuses(sheet) -> dict[RowKey, str]:
    grid = sheet.grid(TAB_SUBMISSIONS)
    idx = {k: [g.text(c) for c in grid[0]].index(h) for k, h in SUBMISSION_HEADERS.items()}
    return {RowKey(g.text(r[idx["agency"]]), g.text(r[idx["item"]])): g.text(g.cell(r, idx["status"])) for r in grid[1:]}


def fill(sheet, farm, paths: dict[tuple[str, str], tuple[str, str]]):
    sheet.edit_now(lambda e: [e.set_url(a, i, farm.url(h, p)) for (a, i), (h, p) in paths.items()])


def test_second_sync_with_nothing_changed_requests_no_fresh_ok_url(config, sheet, farm):
    fill(sheet, farm, {("a0", "O1"): (HOSTS[0], "/oit/O1"), ("a0", "O2"): (HOSTS[0], "/docs/O2.pdf"),
                       ("a0", "O19"): (HOSTS[0], "/old/O19"), ("a1", "O1"): (HOSTS[1], "/gone")})
    report, _ = run(config, sheet)
    # O19 asks for 2566: last year's page is a warning for the row, though ok for the checker (the
    # rule is the row's), and is checked again every run like any row that shows a problem.
    assert report.counts["ok"] == 2 and report.counts["warning"] == 1 and report.counts["broken"] == 1
    farm.reset_counts()
    report, cached = run(config, sheet)
    assert cached.reused == 2
    assert farm.count(HOSTS[0], "/oit/O1") == farm.count(HOSTS[0], "/docs/O2.pdf") == 0  # fresh ok: no request
    assert farm.count(HOSTS[0], "/old/O19") == 1 and farm.count(HOSTS[1], "/gone") == 1  # warning, broken: every run
    assert report.counts["ok"] == 2 and report.counts["warning"] == 1
    # A URL new in the sheet is checked now.
    fill(sheet, farm, {("a0", "O4"): (HOSTS[0], "/oit/O4")})
    farm.reset_counts()
    run(config, sheet)
    assert farm.count(HOSTS[0], "/oit/O4") == 1 and farm.count(HOSTS[0], "/oit/O1") == 0
    # --fresh ignores the cache.
    farm.reset_counts()
    run(config, sheet, fresh=True)
    assert farm.count(HOSTS[0], "/oit/O1") == farm.count(HOSTS[0], "/docs/O2.pdf") == 1


def test_ok_after_the_ttl_is_rechecked_conditionally_and_304_keeps_the_verdict(config, sheet, farm):
    import time

    fill(sheet, farm, {("a0", "O1"): (HOSTS[0], "/oit/O1")})
    run(config, sheet)
    farm.reset_counts()
    report, cached = run(config, sheet, now=lambda: time.time() + 7 * 3600)  # past the 6 h TTL
    assert cached.reused == 0 and farm.count(HOSTS[0], "/oit/O1") == 1
    assert statuses(sheet)[RowKey("a0", "O1")] == Status.OK.label_th
    with State(config.settings.state_path) as state:
        row = state.db.execute("SELECT status, http_status, etag FROM check_cache WHERE url LIKE '%/oit/O1'").fetchone()
    assert row[0] == "ok" and row[1] == 200 and row[2]  # the cached verdict, not the bare 304


def test_corrupt_or_missing_state_file_is_rebuilt(config, tmp_path, farm):
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    checker = open_cached(Checker(config.settings.checker), str(path))
    try:
        url = farm.url(HOSTS[0], "/oit/O9")
        assert checker.check_many([url])[url].status is Status.OK
    finally:
        checker.close()
    assert (tmp_path / "state.sqlite.corrupt").exists()
    checker = open_cached(Checker(config.settings.checker), str(tmp_path / "sub" / "new.sqlite"))
    checker.close()


def test_network_outage_keeps_earlier_verdicts_and_says_so(config, sheet, farm, caplog):
    paths = {(f"a{i}", "O1"): (h, "/oit/O1") for i, h in enumerate(HOSTS)}
    paths[("a0", "O2")] = (HOSTS[0], "/gone")
    fill(sheet, farm, paths)
    run(config, sheet)
    before = statuses(sheet)
    assert before[RowKey("a0", "O1")] == Status.OK.label_th and before[RowKey("a0", "O2")] == Status.BROKEN.label_th
    # The worker loses its network: every name now leads nowhere (nothing listens on 127.0.0.9).
    offline = dataclasses.replace(config.settings.checker, resolve=tuple(f"{h}:127.0.0.9" for h in HOSTS),
                                  allow_private=("127.0.0.0/8",))
    farm.reset_counts()
    with caplog.at_level(logging.WARNING):
        report, _ = run(config, sheet, checker_settings=offline, fresh=True)
    assert "checker offline" in caplog.text
    assert all("checker_offline" in v.reasons for v in report.verdicts if v.status is not Status.EMPTY)
    assert statuses(sheet) == before  # nothing flipped to broken
    # the counts and the summary say what the sheet shows: the kept verdicts, and when they were made
    shown = Counter(label for label in before.values())
    assert {Status(k).label_th: n for k, n in report.counts.items()} == dict(shown)
    assert report.kept_offline == sum(1 for v in report.verdicts if v.status is not Status.EMPTY)
    first_run = thai_datetime(CLOCK.now())
    assert report.kept_checked == (CLOCK.now().replace(second=0, microsecond=0),) * 2
    heading = [r[0] for r in sheet.grid(TAB_SUMMARY)[:6]]
    line = next(h for h in heading if "ยังแสดงผลการตรวจครั้งก่อน" in str(h))
    assert f"{report.kept_offline} แถว" in line and f"ตรวจเมื่อ {first_run} น." in line
    assert not any(Status.UNKNOWN.label_th in str(h) for h in heading)
    with State(config.settings.state_path) as state:  # and the cache still holds the real verdicts
        assert {r[0] for r in state.db.execute("SELECT status FROM check_cache")} == {"ok", "broken"}


def test_a_guarded_run_checks_through_the_cache_and_fresh_ignores_it(config, sheet, farm):
    """run_sync (what `sheets-sync sync` and the worker use) builds the cached checker itself,
    on the run's one state connection: a second run fetches no fresh `ok` URL, --fresh does."""
    from sheets_sync.worker.runner import run_sync

    fill(sheet, farm, {("a0", "O1"): (HOSTS[0], "/oit/O1"), ("a1", "O2"): (HOSTS[1], "/oit/O2")})
    pages = lambda: farm.count(HOSTS[0], "/oit/O1") + farm.count(HOSTS[1], "/oit/O2")  # noqa: E731
    record, _ = run_sync(config, CLOCK, backend=sheet.backend)
    assert record.outcome == "ok" and pages() == 2
    run_sync(config, CLOCK, backend=sheet.backend)
    assert pages() == 2
    run_sync(config, CLOCK, backend=sheet.backend, fresh=True)
    assert pages() == 4
    assert statuses(sheet)[RowKey("a0", "O1")] == Status.OK.label_th


def test_results_read_up_to_other_year_rules_are_checked_again_once(config, sheet, farm):
    """A PDF read only up to the pages that settled the year rules then in force may lack a year
    a new rule asks for: when the rules change, the cache is dropped once. Results read to the
    last page (no year sets, as before the early stop) stay valid under any rules."""
    fill(sheet, farm, {("a0", "O1"): (HOSTS[0], "/oit/O1"), ("a0", "O2"): (HOSTS[0], "/docs/O2.pdf")})
    run(config, sheet)  # every page read
    farm.reset_counts()
    _, cached = run(config, sheet, pdf_years=((2566,),))
    assert cached.reused == 2 and farm.count(HOSTS[0], "/docs/O2.pdf") == 0  # full reads judge any rule
    _, cached = run(config, sheet, pdf_years=((2566,),))
    assert cached.reused == 2
    _, cached = run(config, sheet, pdf_years=((2565,), (2566,)))  # the catalogue's rules changed
    assert cached.reused == 0 and farm.count(HOSTS[0], "/docs/O2.pdf") == 1
    _, cached = run(config, sheet, pdf_years=((2565,), (2566,)))
    assert cached.reused == 2 and farm.count(HOSTS[0], "/docs/O2.pdf") == 1
    _, cached = run(config, sheet)  # a checker reading every page again: nothing cached is trusted
    assert cached.reused == 0 and farm.count(HOSTS[0], "/docs/O2.pdf") == 2


def test_a_row_with_another_years_page_is_asked_again_conditionally(config, sheet, farm):
    # Checked every run (the agency's fix must show next run), but an unchanged page or file
    # answers 304 and is not downloaded again: a 30 MB report of last year costs a request, not 30 MB.
    fill(sheet, farm, {("a0", "O19"): (HOSTS[0], "/old/O19")})
    run(config, sheet)
    url = farm.url(HOSTS[0], "/old/O19")
    with State(config.settings.state_path) as state:
        cached = CachedChecker(Checker(config.settings.checker), state)
        try:
            reuse, to_check, validators, _ = cached.plan([url], recheck=[url])
        finally:
            cached.close()
    assert reuse == {} and to_check == [url] and validators[url][0]  # asked, with the page's ETag
    farm.reset_counts()
    report, _ = run(config, sheet)
    assert farm.count(HOSTS[0], "/old/O19") == 1 and report.counts["warning"] == 1
    assert statuses(sheet)[RowKey("a0", "O19")] == Status.WARNING.label_th  # the 304 kept the reading


def test_a_site_down_for_a_moment_is_not_broken_until_it_stays_down(config, sheet, farm, caplog):
    """A URL that opened last time and gets no answer now is unknown ("did not answer this
    time"), broken only once it has failed for outage_confirm_minutes over two runs or more."""
    import time

    fill(sheet, farm, {("a0", "O1"): (HOSTS[0], "/oit/O1"), ("a1", "O1"): (HOSTS[1], "/error")})
    t0 = time.time()
    run(config, sheet, now=lambda: t0)
    assert statuses(sheet)[RowKey("a1", "O1")] == Status.BROKEN.label_th  # never opened: broken at once
    # HOSTS[0] goes down (nothing listens on 127.0.0.9); its URL is checked again once its ok is 7 h old.
    down = dataclasses.replace(config.settings.checker, allow_private=("127.0.0.0/8",), resolve=tuple(
        f"{h}:127.0.0.9" if h == HOSTS[0] else f"{h}:{a}" for h, a in (e.split(":", 1) for e in farm.resolve)))
    fill(sheet, farm, {("a0", "O2"): (HOSTS[0], "/oit/O2")})  # new today, on the site that is down
    t1 = t0 + 7 * 3600

    def at(minutes, settings=down):
        report, _ = run(config, sheet, checker_settings=settings, now=lambda: t1 + 60 * minutes)
        return {v.key: v for v in report.verdicts}

    with caplog.at_level(logging.INFO, logger="sheets_sync.check.outages"):
        verdicts = at(0)
    assert "1 URLs that opened last time got no answer" in caplog.text  # the VM's log says so
    held = verdicts[RowKey("a0", "O1")]
    assert (held.status, held.reasons) == (Status.UNKNOWN, ("not_answering",))
    assert "ครั้งก่อนเปิดได้" in held.note_th and statuses(sheet)[RowKey("a0", "O1")] == Status.UNKNOWN.label_th
    new = verdicts[RowKey("a0", "O2")]
    assert (new.status, new.reasons) == (Status.BROKEN, ("connect_error",))  # never seen to open
    assert verdicts[RowKey("a1", "O1")].reasons == ("http_5xx",)  # broken before, broken now
    assert at(10)[RowKey("a0", "O1")].status is Status.UNKNOWN  # 10 minutes: still held
    confirmed = at(25)[RowKey("a0", "O1")]  # 25 minutes, three runs: the site is down
    assert (confirmed.status, confirmed.reasons) == (Status.BROKEN, ("connect_error",))
    assert at(30, config.settings.checker)[RowKey("a0", "O1")].status is Status.OK  # back up
    with State(config.settings.state_path) as state:  # it answered: its outage is over (O2 never had one)
        assert state.db.execute("SELECT url FROM check_outage").fetchall() == []
    # Down again, found by a coordinator's `sync --fresh` (nothing reused, the last verdict still
    # known): a new outage, held from its own start.
    report, _ = run(config, sheet, checker_settings=down, fresh=True, now=lambda: t1 + 60 * 31)
    assert {v.key: v for v in report.verdicts}[RowKey("a0", "O1")].reasons == ("not_answering",)


def _etagged(body: bytes):
    """An item page that answers a conditional GET with 304 while it is unchanged."""
    return etagged(respond(200, body, {"Content-Type": "text/html; charset=utf-8"}))


def test_a_pdf_replaced_under_an_unchanged_item_page_is_read_again(tmp_path):
    """The item page (with its ETag) is a heading and the PDF below it; the agency uploads this
    year's PDF at the same address. The page answers 304, yet the row must show the new file's
    year: a page read with the files it shows keeps no validators, so it is read whole again."""
    page = "<html><head><title>O7</title></head><body><h1>O7 แผนดำเนินงาน</h1><iframe src='/o7.pdf'></iframe></body></html>"
    pdf = {"Content-Type": "application/pdf"}
    settings = dataclasses.replace(load_config("config/settings.yaml").settings.checker, retries=0, total_timeout_s=5,
                                   soft404_probe=False, min_host_interval_s=0, allow_private=("127.0.0.1/32",))
    with LoopbackServer({"/o7": _etagged(page.encode()), "/plain": _etagged(b"<h1>O1 2566</h1>" * 5),
                         "/o7.pdf": respond(200, make_pdf(["Action plan 2565"]), pdf)}) as srv:
        urls = [srv.url("/o7"), srv.url("/plain")]

        def check_again():
            with State(tmp_path / "state.sqlite") as state, CachedChecker(Checker(settings), state) as cached:
                return cached.check_many(urls, recheck=urls)

        first = check_again()
        assert first[urls[0]].years == (2565,) and first[urls[0]].etag is None
        assert first[urls[1]].etag == '"v1"'  # a page read alone keeps its validators
        srv.route("/o7.pdf", respond(200, make_pdf(["Action plan 2566"]), pdf))
        assert check_again()[urls[0]].years == (2566,)
        assert [r.headers.get("If-None-Match") for r in srv.requests_to("/plain")] == [None, '"v1"']


@pytest.mark.parametrize("had", [VALIDATOR_MARKS[:n] for n in range(len(VALIDATOR_MARKS))])  # before any, or the next
def test_validators_cached_before_are_dropped_once(tmp_path, had):
    with State(tmp_path / "state.sqlite") as state:
        ResultCache(state).store([CheckResult(url="http://a.go.th/o7", status=Status.OK, etag='"v1"')], at=1.0)
        with state.transaction() as db:  # a state file from before the change(s)
            db.execute("DELETE FROM check_cache_marks")
            db.executemany("INSERT INTO check_cache_marks (mark) VALUES (?)", [(m,) for m in had])
        cache = ResultCache(state)
        assert cache.load(["http://a.go.th/o7"])["http://a.go.th/o7"].result.etag is None
        cache.store([CheckResult(url="http://a.go.th/o7", status=Status.OK, etag='"v2"')], at=2.0)
        assert ResultCache(state).load(["http://a.go.th/o7"])["http://a.go.th/o7"].result.etag == '"v2"'


@pytest.mark.parametrize("reason", ["site_not_answering", "site_maintenance", "rate_limited"])
def test_a_url_not_asked_or_behind_a_maintenance_notice_keeps_its_last_verdict_cached(tmp_path, reason):
    """Not requested (its site was silent), or answered by the site's maintenance notice, says nothing of the URL: its last real result stays, so a page that opened
    before is still held as an outage (not_answering), not judged broken at once, next run."""
    with State(tmp_path / "state.sqlite") as state:
        cache = ResultCache(state)
        cache.store([CheckResult(url="http://a.go.th/o7", status=Status.OK, years=(2566,))], at=1.0)
        cache.store([CheckResult(url="http://a.go.th/o7", status=Status.UNKNOWN, reasons=(reason,))], at=2.0)
        entry = cache.load(["http://a.go.th/o7"])["http://a.go.th/o7"]
        assert (entry.result.status, entry.checked_at) == (Status.OK, 1.0)


def test_results_stored_by_other_checker_code_are_asked_again_in_full_once(tmp_path, config):
    """An upgrade fixed a false "ok" (a redirect to the home page, say): the old code's "ok" was
    reused for the TTL, stamped with the new run's time; and a 304 to its validators would have
    kept it past that."""
    url = "http://a.go.th/o7"
    with State(tmp_path / "state.sqlite") as state:
        ResultCache(state, code="before-the-upgrade").store(
            [CheckResult(url=url, status=Status.OK, etag='"v1"')], at=time.time())
        checker = Checker(config.settings.checker)
        try:
            cached = CachedChecker(checker, state)  # the code running now
            reuse, check, validators, _ = cached.plan([url])
            assert (reuse, check, validators) == ({}, [url], {})
            cached.cache.store([CheckResult(url=url, status=Status.OK, etag='"v2"')], at=time.time())
            reuse, check, validators, _ = CachedChecker(checker, state).plan([url])  # the same code again
            assert url in reuse and check == []
        finally:
            checker.close()
