"""Offline detection: pure rules, and the canary check that stops a run before any request."""

from __future__ import annotations

from dataclasses import replace

from sheets_sync.check import offline
from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import CheckResult, Status
from tests.support.farm import Farm
from tests.support.http_servers import closed_port


def result(url, *reasons, http=None):
    return CheckResult(url=url, status=Status.BROKEN if reasons else Status.OK, reasons=reasons, http_status=http)


def test_nearly_every_host_failing_at_the_network_level_is_offline():
    down = {f"http://h{i}.go.th/x": result(f"http://h{i}.go.th/x", "dns_error") for i in range(9)}
    down["http://h9.go.th/x"] = result("http://h9.go.th/x", "connect_error")
    assert offline.looks_offline(down)
    one_up = dict(down, **{"http://h9.go.th/x": result("http://h9.go.th/x", http=200)})
    assert offline.looks_offline(one_up)  # 9 of 10 still failing
    two_up = dict(one_up, **{"http://h8.go.th/x": result("http://h8.go.th/x", "http_4xx", http=404)})
    assert not offline.looks_offline(two_up)
    few = dict(list(down.items())[:4])
    assert not offline.looks_offline(few)  # four dead sites say nothing about the worker
    marked = offline.mark_offline(one_up)
    assert marked["http://h0.go.th/x"].reasons == ("checker_offline",)
    assert marked["http://h0.go.th/x"].status is Status.UNKNOWN
    assert marked["http://h9.go.th/x"].status is Status.OK


def test_urls_not_asked_because_their_site_was_silent_are_offline_with_it():
    """Offline, every site's first requests fail and its other URLs are not asked
    (`site_not_answering`): those too are the worker's outage, not the sites'."""
    down = {f"http://h{i}.go.th/{p}": result(f"http://h{i}.go.th/{p}", "connect_error" if p == "a" else "site_not_answering")
            for i in range(6) for p in "ab"}
    assert offline.looks_offline(down)
    assert {r.reasons for r in offline.mark_offline(down).values()} == {("checker_offline",)}


def test_canaries_down_means_offline_without_checking_anything():
    with Farm(["tapladuk.go.th"]) as farm:
        settings = replace(CheckerSettings(), resolve=farm.resolve, allow_private=("127.0.0.0/8",), retries=0,
                           connect_timeout_s=1, canary_urls=(f"http://127.0.0.1:{closed_port()}/generate_204",))
        urls = [farm.url("tapladuk.go.th", f"/oit/O{n}") for n in range(1, 6)]
        with Checker(settings) as c:
            results = c.check_many(urls)
        assert {r.reasons for r in results.values()} == {("checker_offline",)}
        assert farm.count() == 0
        # A canary that answers lets the run go ahead.
        up = replace(settings, canary_urls=(farm.url("tapladuk.go.th", "/"),))
        with Checker(up) as c:
            assert all(r.status is Status.OK for r in c.check_many(urls).values())
