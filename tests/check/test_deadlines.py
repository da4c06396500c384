"""Deadlines that hold on every byte: the per-URL budget and the check stage's budget, against
loopback sites that drip their status line, headers or body (no traffic leaves 127.0.0.0/8).

The bounds asserted here are the budgets' promises (total_timeout_s plus a margin, plus the
queueing per-host politeness demands), not speed targets."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import replace

import pytest

from sheets_sync.check.cache import CachedChecker
from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from sheets_sync.state.store import State
from tests.support.http_servers import LoopbackServer, drip, drip_head, respond

SETTINGS = replace(
    CheckerSettings(),
    # read_timeout_s is longer than the drip interval on purpose: no single read ever times out.
    connect_timeout_s=1.0, read_timeout_s=1.5, total_timeout_s=2.0, retries=2, backoff_s=0.05,
    concurrency=50, per_host=5, soft404_probe=False, allow_private=("127.0.0.0/8",),
)
MARGIN_S = 5.0
HOSTS = [f"site{i}.test" for i in range(10)]


@pytest.fixture
def dripping():
    """Half the routes drip the status line and headers, half the body, one byte a second."""
    routes = {}
    for i in range(50):
        routes[f"/d/{i}"] = drip_head(1.0) if i % 2 else drip(1.0, 10_000)
    with LoopbackServer(routes) as srv:
        yield srv


def urls_on(srv: LoopbackServer) -> list[str]:
    return [f"http://{HOSTS[i % len(HOSTS)]}:{srv.port}/d/{i}" for i in range(50)]


def with_hosts(settings: CheckerSettings) -> CheckerSettings:
    return replace(settings, resolve=tuple(f"{h}:127.0.0.1" for h in HOSTS))


def politeness_waves(urls: list[str], settings: CheckerSettings) -> int:
    """How many rounds of checks the per-host limit (and the global one) forces, at most."""
    per_host = max(sum(1 for u in urls if f"//{h}:" in u) for h in HOSTS)
    return max(math.ceil(per_host / settings.per_host), math.ceil(len(urls) / settings.concurrency))


@pytest.mark.parametrize("behaviour", [drip_head(1.0), drip(1.0, 10_000)], ids=["headers", "body"])
def test_a_site_dripping_one_byte_a_second_is_cut_at_the_total_budget(behaviour):
    with LoopbackServer({"/d": behaviour}) as srv, Checker(SETTINGS) as checker:
        start = time.monotonic()
        r = checker.check(srv.url("/d"))
        took = time.monotonic() - start
    assert (r.status, r.reasons) == (Status.BROKEN, ("timeout",))
    assert took < SETTINGS.total_timeout_s + 1.0
    assert len(srv.log) == 1  # no retry: the budget was spent


def test_a_slow_but_steady_answer_within_the_budget_is_ok():
    body = ("<html><head><title>ข้อมูลผู้บริหาร</title></head><body><p>ข้อมูลผู้บริหาร ประจำปีงบประมาณ "
            "พ.ศ. 2566 ของเทศบาลตำบล</p></body></html>").encode()
    chunks = [body[i:i + 20] for i in range(0, len(body), 20)]

    def steady(h):  # the whole answer over ~1 s, well inside total_timeout_s = 2
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        for c in chunks:
            h.wfile.write(c)
            h.wfile.flush()
            time.sleep(1.0 / len(chunks))

    with LoopbackServer({"/p": steady}) as srv, Checker(SETTINGS) as checker:
        r = checker.check(srv.url("/p"))
    assert (r.status, r.reasons, r.http_status) == (Status.OK, (), 200)


def test_fifty_dripping_urls_end_within_the_total_budget_plus_politeness(dripping):
    settings = with_hosts(SETTINGS)
    urls = urls_on(dripping)
    with Checker(settings) as checker:
        start = time.monotonic()
        results = checker.check_many(urls)
        took = time.monotonic() - start
    assert {r.reasons for r in results.values()} == {("timeout",)}
    assert len(results) == 50
    bound = politeness_waves(urls, settings) * settings.total_timeout_s + MARGIN_S
    assert took < bound, (took, bound)


def test_the_check_stage_budget_leaves_the_rest_unknown_and_they_go_first_next_run(dripping, tmp_path):
    # Each URL may take 30 s, but the stage as a whole only 1.5 s.
    settings = replace(with_hosts(SETTINGS), total_timeout_s=30.0, read_timeout_s=20.0, stage_timeout_s=1.5)
    quick = dripping.route("/quick", respond(200, b"<html><body>2566 " + b"x" * 200 + b"</body></html>",
                                             {"Content-Type": "text/html"}))
    urls = urls_on(dripping) + [quick]
    state = State(str(tmp_path / "state.sqlite"))
    try:
        with CachedChecker(Checker(settings), state) as cached:
            start = time.monotonic()
            results = cached.check_many(urls)
            took = time.monotonic() - start
            assert took < settings.stage_timeout_s + MARGIN_S
            assert results[quick].status is Status.OK  # what finished in time keeps its real verdict
            late = [u for u in urls if u != quick]
            for u in late:
                assert (results[u].status, results[u].reasons) == (Status.UNKNOWN, ("stage_timeout",))
            # Next run: the URLs the stage ran out of time for come before anything else.
            fresh_url = f"http://{HOSTS[0]}:{dripping.port}/new"
            _, order, _, _ = cached.plan([fresh_url, quick] + urls)
            assert order[:len(late)] == late and fresh_url in order[len(late):]
    finally:
        state.close()


def test_a_stop_request_cuts_dripping_checks_short(dripping):
    """No result ever arrives while every site drips: the stop is polled, not waited for."""
    settings = replace(with_hosts(SETTINGS), total_timeout_s=60.0, read_timeout_s=30.0)

    class Stop(Exception):
        pass

    asked = threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        if asked.is_set():
            raise Stop

    with Checker(settings, stop=asked.is_set) as checker:
        timer = threading.Timer(1.0, asked.set)
        timer.start()
        start = time.monotonic()
        with pytest.raises(Stop):
            checker.check_many(urls_on(dripping), progress=progress)
        took = time.monotonic() - start
    assert took < 1.0 + 5.0
    assert calls == [0]  # called once, for the stop; never as a result that did not come


def test_without_a_stop_function_a_stop_is_not_invented(dripping):
    settings = replace(with_hosts(SETTINGS), total_timeout_s=1.0, read_timeout_s=0.9)
    with Checker(settings) as checker:
        results = checker.check_many(urls_on(dripping)[:4])
    assert {r.reasons for r in results.values()} == {("timeout",)}
