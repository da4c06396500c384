"""Reading a response's body: how much of it, and why a read stopped where it did.

A web page, or a file whose content no rule reads (an image, a zip), is read up to
`max_body_bytes`: its first bytes say all the rules need (a page longer than that is `too_large`
only when its start does not settle the year rules: see classify). A PDF is read whole, up to
`max_document_bytes`, because its years are in its text and PDFium needs the whole file to
find its pages; so is an office file (.docx, .xlsx ...: a zip, its directory at the end,
sheets_sync.check.office). Scanned annual reports and signed plans of 10-30 MB are common, and the
assessor's browser opens them: such a file is no reason for a warning, and reading only its
first 5 MB would leave its years unknown.

Two things may stop a PDF's read before its end, and neither is the file's fault, so neither
gives `too_large` (that stays for a file really over the limit):
- time: the rest of a large file must arrive before the check's deadline, less a reserve
  for reading its text; past that the check is not called `timeout` (the site was sending);
- memory: the checker holds at most `max_document_bytes` of such files' bytes past
  `max_body_bytes` at once (a `Room`), until their checks end, so that a site with many large
  files cannot take a small VM's memory. A file that says its length waits for room for all of
  it, taken at once (other checks end within seconds; no two reads each hold part of the room
  and wait for the rest); one without a length takes room as it comes and is read no further
  when none is left.
Either way the file gets a look by hand (`document_unread`, ok), never a verdict on its years,
and is read again next run.

A body that ends before the length its head declared (the server hung up, or sent a wrong
Content-Length or no last chunk) is what a browser shows too: it is judged as it came
(`ended_early`), never "cannot connect".
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import aiohttp
from aiohttp.http_exceptions import ContentLengthError, TransferEncodingError

from sheets_sync.check import content
from sheets_sync.check.budget import Deadline
from sheets_sync.check.failures import causes

# The share of a check's total_timeout_s kept for reading a large PDF's text after its download.
TEXT_RESERVE = 1 / 6


@dataclass(frozen=True)
class Body:
    """What was read of a body. `truncated`: it went on past `data`. `cut_early`: it was cut
    before the size limit of its kind (out of time or memory, or a file no rule reads further),
    so its size is no reason for `too_large`."""

    data: bytes
    truncated: bool = False
    cut_early: bool = False
    ended_early: bool = False  # the connection ended before the declared length: `data` is all there is


class _Arrivals:
    """A response's body as it arrives. When the connection ends before the declared length,
    aiohttp raises at once, with the bytes that had come still buffered: those are given, then
    the end, as a browser shows the page it got."""

    def __init__(self, stream: aiohttp.StreamReader) -> None:
        self.stream = stream
        self.ended_early = False

    async def next(self) -> bytes:
        if self.ended_early:
            return b""
        try:
            return await self.stream.readany()
        except aiohttp.ClientPayloadError as e:
            if not any(isinstance(c, (ContentLengthError, TransferEncodingError)) for c in causes(e)):
                raise  # a body that does not decode (bad gzip) is not an early end
            self.ended_early = True
            return self.stream._read_nowait(-1)  # what arrived; readany raises before giving it


class Room:
    """Bytes of PDF bodies past max_body_bytes that checks may hold at once. All of its users
    run on the checker's one event loop, so a plain counter serves."""

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiting: list[asyncio.Future] = []

    def take(self, n: int) -> bool:
        if n > self.free:
            return False
        self.free -= n
        return True

    async def wait_take(self, n: int) -> None:
        """`take(n)`, waiting for other checks to give back what they hold (bound it with a
        timeout: `n` may never fit while they keep it)."""
        while not self.take(n):
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            await waiter

    def give(self, n: int) -> None:
        self.free += n
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:  # each tries again; what does not fit waits for the next give
            if not waiter.done():
                waiter.set_result(None)


# The bytes one check holds of the Room; given back when the check ends (`holding`), since its
# body stays in memory until the PDF helper has read it.
_HELD: ContextVar[list[int] | None] = ContextVar("sheets_sync_body_room_held", default=None)


@contextmanager
def holding(room: Room) -> Iterator[None]:
    """Around one check: what its reads took of `room` is given back when it ends."""
    held = [0]
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)
        room.give(held[0])


async def read(stream: aiohttp.StreamReader, headers: Mapping[str, str], max_body: int, max_document: int,
               room: Room, due: Deadline, reserve: float) -> Body:
    """Reads `stream` (decoded) as the module says; the check's own timer still bounds it.

    `reserve` is the time kept, before `due`, for reading a PDF's text once it is here."""
    parts: list[bytes] = []
    got = 0
    arrivals = _Arrivals(stream)
    while got <= max_body:
        chunk = await arrivals.next()  # what has arrived, not all of it
        if not chunk:
            return Body(b"".join(parts), ended_early=arrivals.ended_early)
        parts.append(chunk)
        got += len(chunk)
    head = parts[0] if len(parts[0]) >= 1024 else b"".join(parts)[:1024]
    if not content.is_document(head, headers):
        if content.is_html(head, headers):
            return Body(b"".join(parts)[:max_body], True)  # a web page of megabytes: too large
        declared = _declared_length(headers)
        # No rule reads such a file (Word, images) past its start: it is too large only if it says so.
        return Body(b"".join(parts)[:max_body], True, cut_early=declared is None or declared <= max_document)
    if (_declared_length(headers) or 0) > max_document:
        return Body(b"".join(parts)[:max_body], True)
    held = _HELD.get()
    mine = held is None  # a fetch outside a check (Checker.fetch): its bytes go back when it ends
    if mine:
        held = [0]
    try:
        return await _read_document(arrivals, parts, got, max_body, max_document, room, held, due, reserve,
                                    _declared_length(headers))
    finally:
        if mine:
            room.give(held[0])


async def _read_document(arrivals: _Arrivals, parts: list[bytes], got: int, max_body: int, max_document: int,
                         room: Room, held: list[int], due: Deadline, reserve: float,
                         declared: int | None) -> Body:
    """The rest of a PDF, up to max_document bytes, within the room and the time it has."""
    if got > max_document:  # its first chunks already went past the limit
        return Body(b"".join(parts)[:max_document], True)
    past = got - max_body
    ahead = 0  # room taken for bytes still to come
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(loop.time() + (due.at - reserve - time.monotonic())):
            if declared is not None and got <= declared <= max_document:
                await room.wait_take(declared - max_body)
                held[0] += declared - max_body
                ahead = declared - got
            elif room.take(past):
                held[0] += past
            else:
                return Body(b"".join(parts)[:max_body], True, cut_early=True)
            while got <= max_document:
                chunk = await arrivals.next()
                if not chunk:
                    return Body(b"".join(parts), ended_early=arrivals.ended_early)
                # No more than it takes to know the file is over the limit: a chunk may be large,
                # and one file alone must always fit the room.
                chunk = chunk[:max_document + 1 - got]
                beyond = len(chunk) - min(ahead, len(chunk))  # past what was taken (a body larger decoded)
                ahead -= len(chunk) - beyond
                if beyond and not room.take(beyond):
                    return Body(b"".join(parts), True, cut_early=True)
                held[0] += beyond
                parts.append(chunk)
                got += len(chunk)
    except TimeoutError:  # not the check's deadline, which is later: this read's own end
        return Body(b"".join(parts), True, cut_early=True)
    finally:
        room.give(ahead)  # taken for bytes that never came (a shorter body, a read cut short)
        held[0] -= ahead
    return Body(b"".join(parts)[:max_document], True)


def _declared_length(headers: Mapping[str, str]) -> int | None:
    """Content-Length as a number, when it is one (before any Content-Encoding is undone)."""
    value = (headers.get("Content-Length") or "").strip()
    return int(value) if value.isdigit() else None


# The codings aiohttp undoes itself: a Content-Encoding of exactly one of these names.
_UNDONE_BY_CLIENT = frozenset({"gzip", "deflate", "br", "zstd"})


def undo_codings(data: bytes, coding: str | None, limit: int) -> bytes:
    r"""The body as a browser decodes it where the HTTP client left it as sent: a gzip by
    Chromium's other name ("x-gzip"), or codings stacked ("gzip, gzip", each undone, last
    first). A coding browsers do not know ("UTF-8", sent by mistake) leaves the body as sent, as
    Chromium passes it through, and so does one that does not decode; at most `limit` bytes.
    Read as it came, such a page was gibberish: "no 2566".

    >>> import gzip
    >>> undo_codings(gzip.compress(b"<p>2566</p>"), "x-gzip", 1000), undo_codings(b"<p>2566</p>", "UTF-8", 1000)
    (b'<p>2566</p>', b'<p>2566</p>')
    """
    value = (coding or "").strip().lower()
    if not value or not value.isascii() or value in _UNDONE_BY_CLIENT:
        return data
    out = _decoded(data, value, limit, whole=False)
    return data if out is None else out


def decoded_whole(data: bytes, coding: str | None, limit: int) -> bytes | None:
    r"""The body as sent (`data`, no coding undone) decoded as Chromium decodes it, or None where
    it refuses it too: each gzip or deflate stream must end as it should, and bytes after a
    stream's end are ignored ("some servers send extra data after the gzip footer": a PHP page's
    trailing newline after its compressed output). aiohttp refuses such a body outright, and
    the page that opens in every browser was `check_failed` on every run. Codings other than
    gzip and deflate (br, zstd) give None: their failure stays unexplained.

    >>> import gzip
    >>> decoded_whole(gzip.compress(b"<p>2566</p>") + b"\n\n", "gzip", 1000)
    b'<p>2566</p>'
    >>> decoded_whole(gzip.compress(b"<p>2566</p>")[:-12], "gzip", 1000) is None
    True
    """
    value = (coding or "").strip().lower()
    return _decoded(data, value, limit, whole=True) if value.isascii() else None


def _decoded(data: bytes, value: str, limit: int, whole: bool) -> bytes | None:
    """`data` with the codings of `value` (a Content-Encoding, lower case) undone, last first;
    None for a coding not known or not decoding (`whole`: a stream that does not end)."""
    out = data
    for token in reversed([t.strip() for t in value.split(",")]):
        if token in ("", "identity"):
            continue
        if token in ("gzip", "x-gzip"):
            undone = _inflate(out, 16 + zlib.MAX_WBITS, limit, whole)
        elif token == "deflate":
            # zlib-wrapped as the standard says, or raw as some servers send it (browsers take both)
            undone = _inflate(out, zlib.MAX_WBITS, limit, whole)
            undone = undone if undone is not None else _inflate(out, -zlib.MAX_WBITS, limit, whole)
        else:
            return None
        if undone is None:
            return None
        out = undone
    return out


def _inflate(data: bytes, wbits: int, limit: int, whole: bool = False) -> bytes | None:
    """`data` inflated (bytes after the stream's end ignored), or None; with `whole`, None too
    for a stream that does not end within `data` (what a stream cut short gives, without)."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit)
    except zlib.error:
        return None
    return out if not whole or inflater.eof or len(out) >= limit else None
