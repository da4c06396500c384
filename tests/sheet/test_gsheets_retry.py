"""The retry budget for Google's quota (issue 11, item 7): a 429 is retried past one full quota
window (Google counts per minute), and every request still gives up within a bounded time.

Real gspread against the loopback Sheets fake, whose per-minute quota runs on the same injected
clock the backend sleeps on, so a minute passes without waiting for it. The jitter source is
pinned to its lowest draw: the shortest waits the policy can choose are the hardest case."""

from __future__ import annotations

import random
import time

import pytest

from sheets_sync.core.errors import BackendError
from sheets_sync.sheet.gsheets import GSheetsBackend
from sheets_sync.sheet.gsheets_http import RetryPolicy
from tests.support.configs import shipped_config
from tests.support.fake_sheets import write_credentials


class LowestJitter(random.Random):
    def random(self) -> float:
        return 0.0


@pytest.fixture(scope="module")
def config():
    return shipped_config(agencies=1)



def backend_on(fake, tmp_path) -> GSheetsBackend:
    creds = write_credentials(tmp_path, fake)
    sid = fake.create_spreadsheet(shared_with=[creds.email])
    backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url, sleep=fake.time.sleep, clock=fake.time)
    backend.retrier.rng = LowestJitter()
    return backend


def test_the_default_policy_waits_out_a_full_quota_minute(fake, tmp_path, config):
    backend = backend_on(fake, tmp_path)
    backend.ensure_layout(config.catalog, config.agencies)
    fake.read_per_minute = 60
    # Another script of the same service account spends the rest of this minute's reads.
    fake.spend_quota(backend.account.email, "read", 60 - fake.count("read"))
    start = fake.time.now
    snapshot = backend.read(config.catalog)
    assert len(snapshot.rows) == 43
    refused = [s for s in fake.log if s.status == 429]
    assert refused, "the quota was full"
    assert fake.time.now - start >= 59  # the reads went through only once the window moved on
    assert len(refused) > RetryPolicy().max_attempts  # more than the attempts a 503 would get
    assert sum(fake.time.slept) <= RetryPolicy().max_total_s


def test_a_quota_that_never_frees_gives_up_after_a_window_and_within_the_bound(fake, tmp_path, config):
    backend = backend_on(fake, tmp_path)
    backend.ensure_layout(config.catalog, config.agencies)
    fake.inject("read", status=429, times=10_000)
    start = fake.time.now
    with pytest.raises(BackendError) as gave_up:
        backend.read(config.catalog)
    policy = RetryPolicy()
    assert gave_up.value.exit_code == 3 and "changed nothing" in str(gave_up.value)
    assert policy.quota_window_s <= fake.time.now - start <= policy.max_total_s


def test_other_transient_errors_keep_the_short_budget(fake, tmp_path, config):
    backend = backend_on(fake, tmp_path)
    backend.ensure_layout(config.catalog, config.agencies)
    fake.inject("read", status=503, times=10_000)
    since = len(fake.log)
    with pytest.raises(BackendError):
        backend.read(config.catalog)
    assert sum(1 for s in fake.log[since:] if s.status == 503) == RetryPolicy().max_attempts


@pytest.mark.parametrize("attempt, elapsed, wait, quota, gives_up", [
    (5, 10.0, 8.0, False, False),    # under max_attempts
    (6, 10.0, 8.0, False, True),     # max_attempts reached
    (6, 30.0, 10.0, True, False),    # a 429 inside the first window: go on
    (11, 64.0, 10.0, True, False),   # still inside it
    (11, 66.0, 10.0, True, True),    # a full window has passed
    (3, 140.0, 20.0, True, True),    # the total bound holds for a 429 too
    (2, 140.0, 20.0, False, True),   # and for anything else
])
def test_policy_gives_up(attempt, elapsed, wait, quota, gives_up):
    assert RetryPolicy().gives_up(attempt, elapsed, wait, quota) is gives_up


def test_a_layout_batch_that_got_no_answer_is_not_sent_twice(tmp_path, config):
    """A coordinator deleted a row; the next layout gives it back, but Google answers after the
    client's timeout. Resent blindly, the batch appended the row twice: the twin's URL was never read."""
    from tests.support.fake_sheets import FakeSheets
    from tests.support.sheets import apply_to_fake, submissions_sheet

    with FakeSheets() as fake:
        creds = write_credentials(tmp_path, fake)
        sid = fake.create_spreadsheet(shared_with=[creds.email])
        backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url, timeout=0.5,
                                 policy=RetryPolicy(max_attempts=3, base=0.01, cap=0.05, max_total_s=5))
        backend.ensure_layout(config.catalog, config.agencies)
        code = config.agencies[0].code
        apply_to_fake(fake, sid, lambda e: e.delete(e.row_of(code, "O5")))
        backend.settle_s = 2.0  # Google's late answer (0.8 s) lands well before the second look
        fake.inject(kind="write", status=None, delay=0.8, op="spreadsheets.batchUpdate", times=1)
        report = backend.ensure_layout(config.catalog, ())  # as a sync gives back a deleted row
        for _ in range(100):  # the late batch, applied after its client gave up, is in before counting
            if all(x.status for x in fake.log):
                break
            time.sleep(0.05)
        rows = [r for r in submissions_sheet(fake, sid).grid() if r[:1] == [code] and "O5" in r]
    assert len(rows) == 1
    assert report.added_rows in (0, 1)  # the second look may find the row the first batch added


def test_a_retry_after_that_google_sends_is_waited_for():
    """Our backoff's first wait is about a second; a 429 asking for 30 s was retried at once."""
    import gspread
    import requests

    from sheets_sync.sheet.gsheets_http import Retrier

    refusal = requests.Response()
    refusal.status_code, refusal._content = 429, b'{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}'
    refusal.headers["Retry-After"] = "30"
    answers = [gspread.exceptions.APIError(refusal), "done"]
    waits: list[float] = []

    def request():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    retrier = Retrier(RetryPolicy(), sleep=waits.append, clock=lambda: sum(waits), rng=LowestJitter())
    assert retrier.call(request) == "done" and waits == [30.0]
