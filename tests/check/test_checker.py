"""The network checker against real loopback servers (no traffic leaves 127.0.0.0/8)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest
import requests
import urllib3.util.connection

from sheets_sync.check.checker import Checker
from sheets_sync.check import dispatch
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.farm import make_pdf
from tests.support.http_servers import (
    LoopbackServer,
    closed_port,
    drip,
    large,
    redirect,
    respond,
    self_signed_context,
    sequence,
    slow,
)

UA = "sheets-sync-test/1.0 (checker tests)"
SETTINGS = replace(
    CheckerSettings(),
    connect_timeout_s=1.0, read_timeout_s=0.5, total_timeout_s=2.0,
    retries=2, backoff_s=0.05, retry_after_cap_s=1.0,
    max_redirects=5, max_body_bytes=100_000, concurrency=8, per_host=2, user_agent=UA,
    allow_private=("127.0.0.0/8",),  # the servers here are on loopback; the guard is tested in test_guard
)
PAGE = ("<html><head><title>ข้อมูลผู้บริหาร</title></head><body><h1>ข้อมูลผู้บริหาร</h1>"
        "<p>นายกเทศมนตรีตำบลทาปลาดุก ประจำปีงบประมาณ พ.ศ. 2566</p></body></html>").encode()


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def make_checker():
    made: list[Checker] = []

    def make(**changes) -> Checker:
        made.append(Checker(replace(SETTINGS, **changes)))
        return made[-1]

    yield make
    for c in made:
        c.close()


@pytest.fixture
def checker(make_checker):
    return make_checker()


def timed(fn, *args):
    start = time.monotonic()
    result = fn(*args)
    return result, time.monotonic() - start


# ---------------------------------------------------------------- status codes
def test_200_is_ok_with_final_url_status_and_validators(server, checker):
    url = server.route("/page", respond(200, PAGE, {"ETag": '"v1"', "Last-Modified": "Sun, 15 Jan 2023 02:00:00 GMT"}))
    r = checker.check(url)
    assert (r.status, r.reasons, r.http_status, r.final_url) == (Status.OK, (), 200, url)
    assert r.redirects == () and r.detail == "HTTP 200"
    assert isinstance(r.elapsed_ms, int) and 0 <= r.elapsed_ms < 2000
    assert (r.etag, r.last_modified) == ('"v1"', "Sun, 15 Jan 2023 02:00:00 GMT")


def test_404_is_broken_http_4xx(server, checker):
    r = checker.check(server.route("/gone", respond(404, b"no")))
    assert (r.status, r.reasons, r.http_status, r.detail) == (Status.BROKEN, ("http_4xx",), 404, "HTTP 404")


def test_redirect_without_location_is_broken(server, checker):
    r = checker.check(server.route("/r", respond(302, b"")))
    assert (r.status, r.reasons, r.http_status) == (Status.BROKEN, ("http_4xx",), 302)


def test_500_then_200_is_ok_after_one_retry(server, checker):
    r = checker.check(server.route("/flaky", sequence(respond(500), respond(200))))
    assert (r.status, r.http_status) == (Status.OK, 200)
    assert len(server.requests_to("/flaky")) == 2


def test_500_always_is_broken_after_all_retries(server, checker):
    r = checker.check(server.route("/down", respond(503)))
    assert (r.status, r.reasons, r.http_status) == (Status.BROKEN, ("http_5xx",), 503)
    assert len(server.requests_to("/down")) == SETTINGS.retries + 1


def test_429_waits_for_retry_after(server, checker):
    r = checker.check(server.route("/busy", sequence(respond(429, b"", {"Retry-After": "1"}), respond(200))))
    assert r.status is Status.OK
    first, second = server.requests_to("/busy")
    assert second.at - first.at >= 0.95


def test_long_retry_after_is_capped(server, checker):
    url = server.route("/busy", sequence(respond(429, b"", {"Retry-After": "3600"}), respond(200)))
    r, took = timed(checker.check, url)
    assert r.status is Status.OK
    first, second = server.requests_to("/busy")
    assert 0.95 <= second.at - first.at < 1.6  # cap is 1 s
    assert took < 2.0


def test_unreadable_retry_after_falls_back_to_backoff(server, checker):
    r = checker.check(server.route("/busy", sequence(respond(503, b"", {"Retry-After": "soon"}), respond(200))))
    assert r.status is Status.OK and len(server.requests_to("/busy")) == 2


def test_429_always_is_rate_limited_and_retries_stop_at_the_budget(server, checker):
    url = server.route("/busy", respond(429, b"", {"Retry-After": "1"}))
    r, took = timed(checker.check, url)
    assert (r.status, r.reasons, r.http_status) == (Status.UNKNOWN, ("rate_limited",), 429)
    # Second wait of 1 s would end at the 2 s total budget, so the third request is not made.
    assert len(server.requests_to("/busy")) == 2
    assert took < SETTINGS.total_timeout_s


def test_508_resource_limit_is_retried_and_a_lasting_one_is_rate_limited(server, checker):
    # cPanel/CloudLinux shared hosting refuses a request over the account's limit for a moment:
    # it was http_5xx, "broken", for a page a visitor opens a second later
    limit = respond(508, b"<h1>508 Resource Limit Is Reached</h1>")
    assert checker.check(server.route("/o1", sequence(limit, respond(200, PAGE)))).status is Status.OK
    r = checker.check(server.route("/o2", limit))
    assert (r.status, r.reasons, r.http_status) == (Status.UNKNOWN, ("rate_limited",), 508)
    # false-positive guard: 509 (the month's bandwidth spent) is the site down for everyone
    assert checker.check(server.route("/o3", respond(509))).reasons == ("http_5xx",)


def test_a_host_over_its_limit_is_then_read_one_url_at_a_time(server, make_checker, monkeypatch):
    monkeypatch.setattr(dispatch, "LIMITED_LIMIT", 7)  # room for some one at a time before the rest are not asked
    lock, in_flight, seen = threading.Lock(), [0], []

    def over_limit(h):
        with lock:
            seen.append(in_flight[0])  # requests already in flight when this one came
            in_flight[0] += 1
        time.sleep(0.1)
        with lock:
            in_flight[0] -= 1  # before answering: the next request may come as soon as this answer
        respond(508, b"Resource Limit Is Reached")(h)

    urls = [server.route(f"/o{i}", over_limit) for i in range(10)]
    results = make_checker(per_host=4, retries=0).check_many(urls)
    assert {r.reasons for r in results.values()} == {("rate_limited",)}
    assert max(seen[:4]) > 0  # the first four came at once, as per_host allows
    assert seen[4:] == [0, 0, 0]  # after the first 508, one at a time, until seven in a row:
    assert sum("not requested" in r.detail for r in results.values()) == 3  # the rest are not asked


def test_a_limited_host_that_answers_again_is_asked_for_every_url(server, make_checker):
    # false-positive guard: one 508 in the middle, then pages: every URL is asked and opens
    urls = [server.route(f"/p{i}", respond(508) if i == 0 else respond(200, PAGE)) for i in range(8)]
    results = make_checker(per_host=1, retries=0).check_many(urls)
    assert [results[u].status for u in urls] == [Status.UNKNOWN] + [Status.OK] * 7
    assert sorted(s.path for s in server.log if s.path.startswith("/p")) == sorted(f"/p{i}" for i in range(8))


# ---------------------------------------------------------------- redirects
def test_redirect_chain_is_recorded_in_order(server, checker):
    server.route("/a", redirect("/b", 301))  # absolute path
    server.route("/b", redirect(server.url("/c/"), 307))  # absolute URL
    server.route("/c/", redirect("../d", 308))  # relative path
    url_d = server.route("/d", respond(200))
    r = checker.check(server.url("/a"))
    assert r.status is Status.OK
    assert r.redirects == (server.url("/b"), server.url("/c/"), url_d)
    assert r.final_url == url_d
    assert [s.path for s in server.log] == ["/a", "/b", "/c/", "/d"]


def test_utf8_location_is_followed(server, checker):
    # Thai CMSs send raw UTF-8 in Location; http.client reads headers as latin-1.
    server.route("/news", redirect("/ข่าว".encode().decode("latin-1")))
    target = server.route("/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7", respond(200))
    r = checker.check(server.url("/news"))
    assert r.status is Status.OK and [s.path for s in server.log] == ["/news", target[len(server.base):]]


def test_redirect_loop(server, checker):
    server.route("/x", redirect("/y"))
    server.route("/y", redirect("/x"))
    r = checker.check(server.url("/x"))
    assert (r.status, r.reasons) == (Status.BROKEN, ("redirect_loop",))
    assert r.redirects == (server.url("/y"), server.url("/x"))
    assert len(server.log) == 2  # detected before asking /x again


def test_cookie_check_redirect_to_itself_is_not_a_loop(server, checker):
    def cookie_gate(h):
        if "seen=1" in h.headers.get("Cookie", ""):
            respond(200, b"content")(h)
        else:
            respond(302, b"", {"Location": "/gate", "Set-Cookie": "seen=1; Path=/"})(h)

    url = server.route("/gate", cookie_gate)
    assert checker.check(url).status is Status.OK
    assert checker.check(url).status is Status.OK
    # Cookies live for one check only: the second check started without one again.
    assert ["Cookie" in s.headers for s in server.log] == [False, True, False, True]


def test_hop_limit(server, make_checker):
    for i in range(5):
        server.route(f"/h{i}", redirect(f"/h{i + 1}"))
    server.route("/h5", respond(200))
    checker = make_checker(max_redirects=3)
    assert checker.check(server.url("/h2")).status is Status.OK  # exactly 3 redirects
    server.log.clear()
    r = checker.check(server.url("/h0"))
    assert (r.status, r.reasons) == (Status.BROKEN, ("too_many_redirects",))
    assert [s.path for s in server.log] == ["/h0", "/h1", "/h2", "/h3"]


def test_redirect_to_a_non_web_scheme_is_a_result(server, checker):
    r = checker.check(server.route("/m", redirect("mailto:saraban@example.go.th")))
    assert (r.status, r.reasons) == (Status.BROKEN, ("redirect_not_http",))  # more in test_edge_verdicts


def test_before_request_is_asked_for_every_hop(server):
    asked: list[str] = []

    class Guarded(Checker):
        def _before_request(self, url):
            asked.append(url)
            return "private_address" if url.endswith("/inside") else None

    server.route("/out", redirect("/inside"))
    server.route("/inside", respond(200))
    with Guarded(SETTINGS) as checker:
        r = checker.check(server.url("/out"))
    assert asked == [server.url("/out"), server.url("/inside")]
    assert (r.status, r.reasons) == (Status.BLOCKED, ("private_address",))
    assert [s.path for s in server.log] == ["/out"]


# ---------------------------------------------------------------- timeouts and size
def test_slow_response_past_read_timeout_is_timeout(server, checker):
    r, took = timed(checker.check, server.route("/slow", slow(1.5)))
    assert (r.status, r.reasons) == (Status.BROKEN, ("timeout",))
    assert took < SETTINGS.total_timeout_s + 0.6


def test_slow_drip_is_cut_at_the_total_deadline(server, checker):
    # Each byte comes well within the read timeout; only the total deadline can stop it.
    r, took = timed(checker.check, server.route("/drip", drip(0.1, 100)))
    assert (r.status, r.reasons, r.http_status) == (Status.BROKEN, ("timeout",), 200)
    assert SETTINGS.total_timeout_s - 0.1 <= took < SETTINGS.total_timeout_s + 0.3


def test_body_over_the_cap_is_too_large_and_not_read_on(server, checker):
    size = 64 * 1024 * 1024
    url = server.route("/big", large(size))
    fetch = checker.fetch(url)
    assert fetch.truncated and len(fetch.body) == SETTINGS.max_body_bytes
    r = checker.check(url)
    assert (r.status, r.reasons, r.http_status) == (Status.WARNING, ("too_large",), 200)
    end = time.monotonic() + 3
    while server.bytes_sent["/big"] == 0 and time.monotonic() < end:  # handlers end on the hang-up
        time.sleep(0.02)
    assert 0 < server.bytes_sent["/big"] < size  # the checker hung up; the rest was never sent


# ---------------------------------------------------------------- connection failures
def test_bad_certificate_is_tls_invalid_warning_not_broken(make_checker):
    with LoopbackServer({"/": respond(200, PAGE)}, tls=self_signed_context()) as tls_server:
        r = make_checker().check(tls_server.url("/"))
        assert (r.status, r.reasons, r.http_status) == (Status.WARNING, ("tls_invalid",), 200)
        assert "certificate" in r.detail
        # The verified attempt died in the handshake; the one unverified GET is all the site got.
        assert [s.path for s in tls_server.log] == ["/"]
        assert make_checker(verify_tls=False).check(tls_server.url("/")).status is Status.OK
    with LoopbackServer({"/": respond(503)}, tls=self_signed_context()) as failing:
        r = make_checker(retries=0).check(failing.url("/"))
        assert (r.status, r.reasons) == (Status.BROKEN, ("tls_invalid", "http_5xx"))


def test_tls_handshake_failure_and_refused_connection_are_broken(server, make_checker):
    # https:// to a plain-HTTP server: no certificate at all, a browser fails too.
    r = make_checker().check(server.url("/").replace("http://", "https://"))
    assert (r.status, r.reasons) == (Status.BROKEN, ("tls_error",))
    refused = make_checker().check(f"http://127.0.0.1:{closed_port()}/")
    assert (refused.status, refused.reasons) == (Status.BROKEN, ("connect_error",))


def test_dns_failure_is_dns_error(monkeypatch, checker):
    calls = []

    def no_such_name(address, *args, **kwargs):
        calls.append(address)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # Never ask a real resolver: fail resolution inside urllib3 (and anywhere else).
    monkeypatch.setattr(urllib3.util.connection, "create_connection", no_such_name)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: no_such_name((a[0], a[1])))
    r = checker.check("http://no-such-host.invalid/page")
    assert (r.status, r.reasons) == (Status.BROKEN, ("dns_error",))
    assert calls and calls[0][0] == "no-such-host.invalid"
    assert "no-such-host.invalid" in r.detail


def test_a_name_server_failing_for_the_moment_is_asked_again_and_a_missing_name_is_not(server, monkeypatch):
    """EAI_AGAIN (the site's name server timed out or answered SERVFAIL) heals in a second or
    two; it was "no such name, check the spelling" on the first hiccup."""
    calls: dict[str, int] = {}
    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        calls[host] = calls.get(host, 0) + 1
        if host == "gone.go.th":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host == "down.go.th" or (host == "flaky.go.th" and calls[host] == 1):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host == "silent.go.th":  # the resolver's own timeout: another such lookup would not fit
            time.sleep(0.6 * SETTINGS.total_timeout_s)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real("127.0.0.1" if host.endswith(".go.th") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    server.route("/", respond(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    with Checker(SETTINGS) as checker:
        flaky = checker.check(f"http://flaky.go.th:{server.port}/")
        gone = checker.check(f"http://gone.go.th:{server.port}/")
        down = checker.check(f"http://down.go.th:{server.port}/")
    assert (flaky.status, flaky.reasons, calls["flaky.go.th"]) == (Status.OK, (), 2)
    assert (gone.status, gone.reasons, calls["gone.go.th"]) == (Status.BROKEN, ("dns_error",), 1)
    # a name server that stays down fails the assessor too: asked as often as retries allow
    assert (down.status, down.reasons, calls["down.go.th"]) == (Status.BROKEN, ("dns_error",), 1 + SETTINGS.retries)
    with Checker(replace(SETTINGS, retries=0)) as checker:
        assert checker.check(f"http://down.go.th:{server.port}/").reasons == ("dns_error",)
        # a lookup that took most of the budget is not asked again: dns_error, not a timeout
        assert checker.check(f"http://silent.go.th:{server.port}/").reasons == ("dns_error",)
    assert calls["down.go.th"] == 2 + SETTINGS.retries
    with Checker(SETTINGS) as checker:
        assert checker.check(f"http://silent.go.th:{server.port}/").reasons == ("dns_error",)
    assert calls["silent.go.th"] == 2


def test_unexpected_exception_is_a_result(server, monkeypatch):
    async def boom(*args, **kwargs):
        raise RuntimeError("boom")

    checker = Checker(SETTINGS)
    monkeypatch.setattr(checker.fetcher, "_send", boom)  # a bug of ours inside the fetch
    r = checker.check(server.url("/"))
    assert (r.status, r.reasons) == (Status.UNKNOWN, ("check_failed",))
    assert "RuntimeError" in r.detail and "boom" in r.detail
    assert checker.check_many([server.url("/a"), server.url("/b")])[server.url("/b")].status is Status.UNKNOWN


def test_malformed_and_non_web_urls_are_results(checker):
    assert checker.check("ftp://example.go.th/file").reasons == ("bad_scheme",)
    for url in ("http:///no-host", "http://[::1/"):
        r = checker.check(url)
        assert (r.status, r.reasons) == (Status.INVALID, ("malformed",)), url


# ---------------------------------------------------------------- concurrency
class Gauge:
    """Counts requests in flight across servers."""

    def __init__(self):
        self.now = self.max = 0
        self.lock = threading.Lock()

    def wrap(self, behaviour):
        def run(h):
            with self.lock:
                self.now += 1
                self.max = max(self.max, self.now)
            try:
                behaviour(h)
            finally:
                with self.lock:
                    self.now -= 1
        return run


def test_check_many_checks_each_url_once_within_per_host(server, checker):
    urls = [server.route(f"/w{i}", slow(0.15)) for i in range(12)]
    seen = []
    results = checker.check_many(urls + urls[::-1], progress=lambda done, total: seen.append((done, total)))
    assert set(results) == set(urls) and all(r.status is Status.OK for r in results.values())
    assert sorted(s.path for s in server.log) == sorted(f"/w{i}" for i in range(12))
    host = server.base.split("://")[1]
    assert server.max_in_flight[host] == SETTINGS.per_host  # reached, never passed
    assert seen == [(i, 12) for i in range(1, 13)]


def test_check_many_keeps_other_hosts_busy(make_checker):
    gauge = Gauge()
    with LoopbackServer(host="127.0.0.1") as a, LoopbackServer(host="127.0.0.2") as b:
        urls = [srv.route(f"/p{i}", gauge.wrap(slow(0.2))) for srv in (a, b) for i in range(6)]
        results = make_checker(concurrency=4, per_host=2).check_many(urls)
        assert all(r.status is Status.OK for r in results.values())
        assert max(a.max_in_flight.values()) == max(b.max_in_flight.values()) == 2
    assert gauge.max == 4  # both hosts at their limit at once: no worker waited on a full host


def test_checks_that_waited_for_their_sites_probe_take_a_slot_again_for_their_files(make_checker):
    """Each item page links its file from its own content, which is read only once the site's
    probe tells the template: checks wait for it without their slots, then fetched their files
    all at once (ten requests to a site allowed two). Each now takes a slot again first."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    menu = "".join(f"<li><a href='/m{k}'>เมนูที่ {k} ข้อมูลหน่วยงานและบริการประชาชน</a></li>" for k in range(15))
    missing = slow(0.3, respond(404, f"<nav><ul>{menu}</ul></nav><h1>ไม่พบหน้า</h1>".encode(), html))
    with LoopbackServer(fallback=missing) as srv:
        urls = [srv.route(f"/o10-{i}", respond(200, (
            f"<html><head><title>O10</title></head><body><nav><ul>{menu}</ul></nav><main><h1>O10 แผนการดำเนินงาน"
            f"</h1><p>ดาวน์โหลดเอกสาร <a href='/files/plan{i}.pdf'>แผนการดำเนินงาน</a></p></main></body></html>"
        ).encode(), html)) for i in range(10)]
        for i in range(10):
            srv.route(f"/files/plan{i}.pdf", slow(0.2, respond(200, make_pdf(["Plan 2566"]), {"Content-Type": "application/pdf"})))
        # (timeouts far above the server's delays: a request given up and asked again would
        # overlap its own abandoned handler in the server's count)
        checker = make_checker(per_host=2, concurrency=8, soft404_probe=True, read_timeout_s=5.0, total_timeout_s=20.0)
        results = checker.check_many(urls)
        assert [results[u].years for u in urls] == [(2566,)] * 10  # every file read, in its time budget
        assert srv.max_in_flight[srv.base.split("://")[1]] == 2


def test_a_run_collects_garbage_less_often_and_gives_the_thresholds_back(server, make_checker):
    """While checks run the young generation is collected every GC_YOUNG allocations; the
    process's own thresholds come back when the last of two overlapping runs ends, whichever
    ends first."""
    import gc

    from sheets_sync.check.dispatch import GC_YOUNG

    before = gc.get_threshold()
    during = (GC_YOUNG, *before[1:])
    seen: dict[str, list] = {"first": [], "second": []}
    first_done = threading.Event()

    def second_progress(done, total):
        first_done.wait(5)  # the second run outlives the first
        seen["second"].append(gc.get_threshold())

    second = threading.Thread(target=lambda: make_checker().check_many(
        [server.route("/second", slow(0.1))], progress=second_progress))
    urls = [server.route(f"/g{i}", slow(0.05)) for i in range(3)]
    make_checker().check_many(urls, progress=lambda done, total: (
        seen["first"].append(gc.get_threshold()), done == 1 and second.start()))
    first_done.set()
    second.join(10)
    assert seen["first"] and seen["second"]
    assert set(seen["first"]) == set(seen["second"]) == {during}
    assert gc.get_threshold() == before


# ---------------------------------------------------------------- headers and environment
def test_sends_the_configured_user_agent(server, checker):
    checker.check(server.route("/", respond(200)))
    assert server.log[0].headers["User-Agent"] == UA


def test_proxy_environment_is_ignored(server, checker, monkeypatch):
    dead_proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(requests.exceptions.ProxyError):  # the environment is live for plain requests
        requests.Session().get(server.url("/"), timeout=1)
    r = checker.check(server.route("/", respond(200)))
    assert r.status is Status.OK and len(server.log) == 1


# ---------------------------------------------------------------- pacing: our own queue is not the site's fault
class _NoWait:
    """A sleep that records what it was asked to wait and returns at once."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def test_waiting_for_a_turn_at_a_busy_host_does_not_count_against_the_url(server):
    """Many links to one host (a shared portal, Google Drive) queue behind the host's pacing;
    the queue is ours, so the last ones must not come back as `timeout` (broken)."""
    server.route("/page", respond(200, PAGE))
    urls = [server.url(f"/page?item=O{n}") for n in range(1, 6)]
    sleep = _NoWait()
    checker = Checker(replace(SETTINGS, min_host_interval_s=1.0, total_timeout_s=2.0, per_host=1, concurrency=1),
                      sleep=sleep)
    try:
        results = checker.check_many(urls)
    finally:
        checker.close()
    assert {u: r.status for u, r in results.items()} == {u: Status.OK for u in urls}
    # later URLs really were asked to wait past the 2 s budget: 1, 2, 3, 4 s behind the first
    assert max(sleep.asked) > 2.0
    assert sum(1 for seen in server.log if seen.path.startswith("/page?")) == 5


def test_redirect_to_a_private_ip_is_refused_before_it_queues_for_a_turn(server):
    """A hop whose address is known without DNS and refused never waits behind the host's pacing."""
    for n in range(4):
        server.route(f"/hop{n}", redirect("http://192.168.1.10/x"))
    sleep = _NoWait()
    checker = Checker(replace(SETTINGS, min_host_interval_s=30.0), sleep=sleep)
    try:
        results = checker.check_many([server.url(f"/hop{n}") for n in range(4)])
    finally:
        checker.close()
    assert {r.status for r in results.values()} == {Status.BROKEN}
    assert {r.reasons for r in results.values()} == {("redirect_private",)}
    # only the four loopback first hops took turns; nothing queued for 192.168.1.10
    assert sum(1 for s in sleep.asked if s > 0) <= 3
