"""Large files (sheets_sync.check.bodies), against real loopback servers: a PDF of many
megabytes is read whole and judged by its years, not warned about; only a file over
max_document_bytes is `too_large`; a read cut short by time or memory is a look by hand, never
`timeout` or `too_large`; a web page of megabytes stays `too_large`."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from sheets_sync.check.cache import CachedChecker
from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from sheets_sync.state.store import State
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond, sequence

MAX_BODY = 100_000
MAX_DOCUMENT = 1_500_000
SETTINGS = replace(CheckerSettings(), connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=0,
                   soft404_probe=False, allow_private=("127.0.0.1/32",), max_body_bytes=MAX_BODY,
                   max_document_bytes=MAX_DOCUMENT, concurrency=8, per_host=4)


def big_pdf(size: int) -> bytes:
    """A one-page PDF of about `size` bytes showing the year 2566 (see farm.make_pdf)."""
    return make_pdf(["Annual report, fiscal year 2566"], size=size)


PDF = {"Content-Type": "application/pdf"}


def paced(body: bytes, chunk: int, every: float, before=None, declare: bool = True, etag: str = ""):
    """Sends `body` `chunk` bytes at a time, `every` seconds apart; `before(i)` runs before
    chunk i (a barrier, say). Without `declare`, no Content-Length: the end is the hang-up."""
    def run(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        if etag:
            h.send_header("ETag", etag)
        if declare:
            h.send_header("Content-Length", str(len(body)))
        else:
            h.close_connection = True
        h.end_headers()
        try:
            for i in range(0, len(body), chunk):
                if before:
                    before(i)
                h.wfile.write(body[i:i + chunk])
                h.wfile.flush()
                time.sleep(every)
        except OSError:  # the checker hung up: what this behaviour may test
            pass
    return run


def check(url: str, **changes):
    with Checker(replace(SETTINGS, **changes)) as checker:
        return checker.check(url)


def test_a_pdf_past_the_page_limit_is_read_whole_and_judged_by_its_years():
    body = big_pdf(1_000_000)
    with LoopbackServer({"/o10.pdf": respond(200, body, PDF)}) as srv:
        r = check(srv.url("/o10.pdf"))
    assert (r.status, r.reasons, r.years) == (Status.OK, (), (2566,))


def test_a_pdf_without_a_length_is_read_whole_too():
    body = big_pdf(600_000)

    def chunked(h) -> None:  # HTTP/1.0 style: no Content-Length, the body ends when the site hangs up
        h.close_connection = True
        h.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body)
    with LoopbackServer({"/o10": chunked}) as srv:
        r = check(srv.url("/o10"))
    assert (r.status, r.reasons, r.years) == (Status.OK, (), (2566,))


def test_a_pdf_over_the_document_limit_is_too_large_and_not_read_on():
    size = 4_000_000
    with LoopbackServer({"/o10.pdf": paced(big_pdf(size), 64 * 1024, 0, declare=False)}) as srv, \
            Checker(SETTINGS) as checker:
        fetch = checker.fetch(srv.url("/o10.pdf"))
        r = checker.check(srv.url("/o10.pdf"))
    assert (r.status, r.reasons) == (Status.WARNING, ("too_large",))
    assert fetch.truncated and len(fetch.body) == MAX_DOCUMENT  # read to the document limit, no further


def test_a_pdf_that_says_it_is_over_the_limit_is_too_large_at_once():
    body = big_pdf(MAX_DOCUMENT + 1)
    with LoopbackServer({"/o10.pdf": respond(200, body, PDF)}) as srv, Checker(SETTINGS) as checker:
        fetch = checker.fetch(srv.url("/o10.pdf"))
        r = checker.check(srv.url("/o10.pdf"))
    assert (r.status, r.reasons) == (Status.WARNING, ("too_large",))
    # Not read past the page limit: the rest of a file its Content-Length shows too large is not wanted.
    assert fetch.truncated and len(fetch.body) == MAX_BODY


def test_a_large_pdf_still_arriving_near_the_deadline_is_a_look_by_hand_not_a_timeout():
    body = big_pdf(1_200_000)
    # ~1.2 MB at 100 kB per 0.25 s: ~3 s, past total_timeout_s (3 s) less the text reserve
    with LoopbackServer({"/o10.pdf": paced(body, 100_000, 0.25)}) as srv:
        start = time.monotonic()
        r = check(srv.url("/o10.pdf"))
        took = time.monotonic() - start
    assert (r.status, r.reasons) == (Status.OK, ("document_unread",))
    assert r.years is None
    assert took < SETTINGS.total_timeout_s


def test_a_file_read_in_part_is_read_again_next_run_in_full(tmp_path):
    # The cache keeps an ok verdict for cache_ttl_hours and revalidates it with its ETag; neither
    # may keep a look by hand that was only for want of time.
    body = big_pdf(1_200_000)
    slow_then_fast = sequence(paced(body, 100_000, 0.25, etag='"v1"'), paced(body, 100_000, 0, etag='"v1"'))
    with LoopbackServer({"/o10.pdf": slow_then_fast}) as srv, State(str(tmp_path / "state.sqlite")) as state:
        url = srv.url("/o10.pdf")
        with CachedChecker(Checker(SETTINGS), state) as cached:
            first = cached.check_many([url])[url]
        with CachedChecker(Checker(SETTINGS), state) as cached:
            second = cached.check_many([url])[url]
            assert cached.reused == 0
    assert (first.status, first.reasons) == (Status.OK, ("document_unread",))
    assert (second.status, second.reasons, second.years) == (Status.OK, (), (2566,))
    assert len(srv.log) == 2 and "If-None-Match" not in srv.log[1].headers


def test_a_slow_small_page_still_times_out():
    # false-positive guard: the grace is for a large PDF's remainder, not for a site that drips
    body = big_pdf(60_000)
    with LoopbackServer({"/o10.pdf": paced(body, 2_000, 0.25)}) as srv:
        r = check(srv.url("/o10.pdf"))
    assert (r.status, r.reasons) == (Status.BROKEN, ("timeout",))


@pytest.mark.parametrize("declare", [True, False], ids=["with-length", "without-length"])
def test_large_pdfs_share_a_bounded_room_and_give_it_back(declare):
    """Two ~1 MB files at once with room for 1.5 MB past the page limit. Files that say their
    length wait for room for all of it: the second waits for the first, and both are read whole
    (one of them was a look by hand, and downloaded again every run). Files that do not take
    room as it comes: at least one is read only in part. Then the room is free again and a
    third file is read whole."""
    body = big_pdf(1_000_000)
    meet = threading.Barrier(2, timeout=5)

    def both_started(i: int) -> None:
        if i == 150_000:  # each past the page limit before either goes on
            meet.wait()
    with LoopbackServer({"/a.pdf": paced(body, 50_000, 0, both_started, declare=declare),
                         "/b.pdf": paced(body, 50_000, 0, both_started, declare=declare),
                         "/c.pdf": respond(200, body, PDF)}) as srv, Checker(SETTINGS) as checker:
        pair = checker.check_many([srv.url("/a.pdf"), srv.url("/b.pdf")])
        alone = checker.check(srv.url("/c.pdf"))
        free = checker.fetcher.room.free
    verdicts = sorted((r.status, r.reasons) for r in pair.values())
    if declare:
        assert verdicts == [(Status.OK, ())] * 2 and all(r.years == (2566,) for r in pair.values())
    else:
        assert all(v in ((Status.OK, ()), (Status.OK, ("document_unread",))) for v in verdicts), verdicts
        assert (Status.OK, ("document_unread",)) in verdicts
    assert (alone.status, alone.reasons, alone.years) == (Status.OK, (), (2566,))
    assert free == MAX_DOCUMENT  # every byte given back


def test_a_web_page_past_the_page_limit_is_still_too_large():
    page = b"<html><head><title>o10</title></head><body>" + b"<p>2566</p>" * 20_000 + b"</body></html>"
    with LoopbackServer({"/o10": respond(200, page, {"Content-Type": "text/html; charset=utf-8"})}) as srv:
        r = check(srv.url("/o10"))
    assert (r.status, r.reasons) == (Status.WARNING, ("too_large",))


@pytest.mark.parametrize("declared", [True, False], ids=["with-length", "no-length"])
def test_a_large_file_no_rule_reads_is_not_too_large(declared):
    body = b"PK\x03\x04" + b"\0" * 600_000  # a 600 kB Word file: within max_document_bytes

    def word(h) -> None:
        h.close_connection = True
        length = f"Content-Length: {len(body)}\r\n".encode() if declared else b""
        h.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n" + length + b"\r\n" + body)
    with LoopbackServer({"/o10.docx": word}) as srv:
        r = check(srv.url("/o10.docx"))
    assert (r.status, r.reasons) == (Status.OK, ())


def test_a_long_page_whose_start_settles_the_year_rules_is_not_too_large():
    # Images pasted into a CMS page make it megabytes long; the browser opens it, and its start
    # already shows what every year rule looks for: nothing past it can change a verdict.
    page = ("<html><head><title>O10 แผนการดำเนินงาน</title></head><body><p>แผนการดำเนินงาน ประจำปีงบประมาณ "
            "พ.ศ. 2566</p>").encode() + b'<img src="data:image/png;base64,' + b"A" * 300_000 + b'"></body></html>'
    with LoopbackServer({"/o10": respond(200, page, {"Content-Type": "text/html; charset=utf-8"})}) as srv:
        with Checker(SETTINGS, pdf_years=((2566,),)) as checker:
            settled = checker.check(srv.url("/o10"))
        with Checker(SETTINGS, pdf_years=((2565,), (2566,))) as checker:  # a rule its start does not settle
            unsettled = checker.check(srv.url("/o10"))
    assert (settled.status, settled.reasons, settled.years) == (Status.OK, (), (2566,))
    assert (unsettled.status, unsettled.reasons) == (Status.WARNING, ("too_large",))


def test_room_taken_for_a_declared_length_that_never_came_is_given_back_at_once():
    """A file that says 1 MB and ends at 600 kB (the server hung up): the room taken for the
    rest goes back when its read ends, not only when its check does, so others can wait less."""
    import asyncio

    from aiohttp.base_protocol import BaseProtocol
    from aiohttp.streams import StreamReader

    from sheets_sync.check import bodies
    from sheets_sync.check.budget import Deadline

    data = make_pdf(["2566"], size=600_000)

    async def read():
        loop = asyncio.get_running_loop()
        protocol = BaseProtocol(loop)
        protocol.connection_made(asyncio.Transport())
        stream = StreamReader(protocol, 2 ** 26, loop=loop)
        stream.feed_data(data)
        stream.feed_eof()
        room = bodies.Room(MAX_DOCUMENT)
        with bodies.holding(room):
            body = await bodies.read(stream, {"Content-Length": "1000000"}, MAX_BODY, MAX_DOCUMENT, room,
                                     Deadline(time.monotonic() + 5), 0.5)
            during = room.free
        return body, during, room.free

    body, during, after = asyncio.run(read())
    assert (body.truncated, len(body.data)) == (False, len(data))
    assert during == MAX_DOCUMENT - (len(data) - MAX_BODY)  # only what it holds
    assert after == MAX_DOCUMENT


@pytest.mark.parametrize("sizes", [[50_000, 2_000_000], [50_000, 1_200_000, 400_000], [50_000] * 40],
                         ids=["one-huge-chunk", "last-chunk-overshoots", "small-chunks"])
def test_one_file_alone_always_fits_the_room_whatever_its_chunks(sizes):
    # However the network cuts a file over the limit into chunks, it alone is too large, never
    # "read in part": read to the limit exactly, with the room given back after.
    import asyncio

    from aiohttp.base_protocol import BaseProtocol
    from aiohttp.streams import StreamReader

    from sheets_sync.check import bodies
    from sheets_sync.check.budget import Deadline

    data = make_pdf(["2566"], size=sum(sizes))

    async def read():
        loop = asyncio.get_running_loop()
        protocol = BaseProtocol(loop)
        protocol.connection_made(asyncio.Transport())  # a connection the bytes come "from"
        stream = StreamReader(protocol, 2 ** 26, loop=loop)  # never asks to pause: no parser here

        async def arrive():  # chunk by chunk, each read before the next comes (readany takes all there is)
            at = 0
            for n in sizes + [len(data)]:
                stream.feed_data(data[at:at + n])
                at += n
                for _ in range(3):
                    await asyncio.sleep(0)
            stream.feed_eof()

        room = bodies.Room(MAX_DOCUMENT)
        with bodies.holding(room):
            body, _ = await asyncio.gather(
                bodies.read(stream, {}, MAX_BODY, MAX_DOCUMENT, room, Deadline(time.monotonic() + 5), 0.5), arrive())
        return body, room.free

    body, free = asyncio.run(read())
    assert (body.truncated, body.cut_early, len(body.data)) == (True, False, MAX_DOCUMENT)
    assert free == MAX_DOCUMENT
