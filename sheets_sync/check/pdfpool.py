"""PDF text extraction in a helper process, so that it does not hold up the checker's loop.

Reading a PDF's text costs CPU (with PDFium ~0.5 ms for one small page, a real multi-page
Thai document far more), and on the checker's event loop that time would be taken from every
other check under way. A helper process runs the very same `pdftext.read` on another
core, so verdicts are unchanged; the loop goes on with other checks meanwhile, as it does
while waiting for the network. It also keeps PDFium, C code fed with whatever a site serves,
out of the checker's own process.

The helpers talk to the loop over a socket pair each, which the loop reads and writes itself
without blocking, so a large file goes through while other checks go on (no threads, no
executor queues: the ProcessPoolExecutor this replaces cost a dozen thread and process
switches per PDF, more CPU than reading the PDF). A helper reads one PDF at a time; with
several, PDFs wait for a free one. A helper is started when a run's URLs name a document (a
.pdf path, a Drive file ...), or else on the first PDF (a run without PDFs starts no process),
with `spawn`, never `fork`: forking a process with a running event loop and its threads is
unsafe. Of ours, the helper imports only sheets_sync.check.pdftext (the standard library and
PDFium), so it starts quickly; like any `spawn` child, it also imports the main script as
`__mp_main__`: every entry point of ours keeps its work under `if __name__ == "__main__"`. If
the helper cannot start, PDFs are read in the checker's process again (slower, same verdicts).
A closed pool reads in-process too.

A PDF is read within its check's deadline too: one the helper has not read by then gets no
text (`unverifiable_content`: a look by hand, never a warning about the file) and the helper
is stopped (a new one reads on), so a file built to be slow to parse can hold neither its
check past total_timeout_s nor the PDFs after it; and past SITE_CRASHES files of one site that
crashed or hung a helper, that site's PDFs get no text at once (a look by hand), so its files
stop making every other site's wait.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import socket
import time
from multiprocessing.connection import Connection

from sheets_sync.check import content, pdftext

log = logging.getLogger(__name__)

_ONE_SEND = 1 << 20  # a file up to this size goes out in one send with its head
# Helpers that died while reading (a file crashed PDFium) or were stopped still reading at the
# check's deadline (a file that hangs it), per run: past SITE_CRASHES for one site, that site's
# later PDFs get no text (checked by hand) and cost no restart; past MAX_RESTARTS crashes in all
# (~0.15 s of CPU each), every PDF does. One site's files must not leave every other site's PDFs
# unread.
SITE_CRASHES = 2
MAX_RESTARTS = 30


def _wait_for(deadline: float | None) -> float | None:
    # Never less than a moment: a check that spent its budget on the download still gets its
    # PDF read when that is quick.
    return None if deadline is None else max(1.0, deadline - time.monotonic())


def _workers() -> int:
    # The checker's own process keeps one core busy (its event loop); the rest can read PDFs.
    return max(1, (os.cpu_count() or 2) - 1)


class HelperDied(Exception):
    """The helper's connection closed before it answered."""


class _Helper:
    """One helper process and the parent's end of its socket pair.

    The parent's end is a non-blocking socket: the loop sends a file at once when the socket's
    buffer holds it (else `sock_sendall` sends the rest as the helper reads) and a reader
    callback gathers the answer, with multiprocessing's framing so that the helper's blocking
    `Connection` understands it. Blocking sends and receives on the loop would hold up every
    check while a large PDF went through; and under uvloop, watching a descriptor makes it
    non-blocking, so a blocking send of a file larger than the buffer failed (EAGAIN) and every
    later PDF was read in the checker's process."""

    def __init__(self, enough: tuple[tuple[int, ...], ...]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.sock, theirs = socket.socketpair()
        child = Connection(theirs.detach())
        self.process = ctx.Process(target=pdftext.serve, args=(child, enough), name="sheets-sync-pdf", daemon=True)
        self.process.start()
        child.close()
        self.sock.setblocking(False)
        self.answered = False  # has read at least one PDF

    async def read(self, body: bytes, pages: int) -> content.Page:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future = loop.create_future()
        received = bytearray()

        def readable() -> None:  # reads what has arrived; the answer is whole once its frame is
            try:
                while not answer.done():
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise EOFError("the PDF reader's connection closed")
                    received.extend(chunk)
                    message = _unframe(received)
                    if message is not None:
                        answer.set_result(message)
            except (BlockingIOError, InterruptedError):
                pass
            except (EOFError, OSError) as e:
                if not answer.done():
                    answer.set_exception(e)

        fd = self.sock.fileno()
        loop.add_reader(fd, readable)
        try:
            try:
                # Two messages (pdftext.serve): the page count, then the file, which the helper
                # then reads where it landed rather than from a copy without the count.
                head = _frame_head(4) + pages.to_bytes(4, "big") + _frame_head(len(body))
                if len(body) > _ONE_SEND:  # a large file is not copied once more to go out in one piece
                    await loop.sock_sendall(self.sock, head)
                    await loop.sock_sendall(self.sock, body)
                else:
                    data = head + body
                    try:
                        sent = self.sock.send(data)  # all of it, unless the file is larger than the buffer
                    except (BlockingIOError, InterruptedError):
                        sent = 0
                    if sent < len(data):
                        await loop.sock_sendall(self.sock, memoryview(data)[sent:])
                message = await answer
            except (EOFError, OSError) as e:
                raise HelperDied(str(e) or "the PDF reader's connection closed") from e
        finally:
            loop.remove_reader(fd)
        text, readable = pdftext.unpack(message)
        self.answered = True
        return content.document_page(body, text, readable)

    def stop(self) -> None:
        self.sock.close()
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1)


def _frame_head(n: int) -> bytes:
    """The head multiprocessing's Connection.send_bytes puts before a message of `n` bytes: its
    size in four bytes (signed, big-endian), or -1 and the size in eight bytes past 2 GiB."""
    if n <= 0x7FFFFFFF:
        return n.to_bytes(4, "big")
    return (-1).to_bytes(4, "big", signed=True) + n.to_bytes(8, "big")


def _unframe(received: bytearray) -> bytes | None:
    """The message `received` holds once all of its frame has arrived (see `_frame_head`), else None.

    >>> framed = _frame_head(3) + b"abc"
    >>> _unframe(bytearray(framed)), _unframe(bytearray(framed[:5]))
    (b'abc', None)
    """
    if len(received) < 4:
        return None
    size, head = int.from_bytes(received[:4], "big", signed=True), 4
    if size == -1:
        if len(received) < 12:
            return None
        size, head = int.from_bytes(received[4:12], "big"), 12
    return bytes(received[head:head + size]) if len(received) >= head + size else None


class PdfReaderPool:
    """`await read_async(body, pages)` gives what `content.read_document` gives (a PDF's or an
    office file's text), computed in a helper process. Used from one event loop. `enough`: the
    year sets that stop a file's reading early (see pdftext.read); none: every one of the first
    `pages` pages is read."""

    def __init__(self, workers: int | None = None, enough: tuple[tuple[int, ...], ...] = ()) -> None:
        self.workers = workers or _workers()
        self.enough = enough
        self._helpers: list[_Helper] = []
        self._idle: list[_Helper] = []
        self._free: asyncio.Condition | None = None  # made on the loop
        self._closed = False  # no helpers any more: PDFs are read in this process
        self._no_text = False  # helpers kept dying: PDFs get no text (checked by hand)
        self._restarts = 0
        self._crashes: dict[str, int] = {}  # by site: the files of a site that crashed PDFium

    def helper_pids(self) -> list[int]:
        return [h.process.pid for h in self._helpers]

    async def read_async(self, body: bytes, pages: int, deadline: float | None = None, site: str = "") -> content.Page:
        """What `content.read_document` gives, computed in a helper; the checker's loop goes on
        with other checks meanwhile. Gives up at `deadline` (time.monotonic). `site`: where the
        file came from (its host), for the per-site crash limit."""
        if self._crashes.get(site, 0) >= SITE_CRASHES:
            return content.document_page(body)  # its files crash PDFium: checked by hand
        helper = None
        try:
            # Waiting for a free helper counts too: PDFs queued behind slow ones must not wait
            # past their own checks' time (one site's files holding up every other site's).
            async with asyncio.timeout(_wait_for(deadline)):
                helper = await self._take()
                if helper is None:
                    return content.document_page(body) if self._no_text else content.read_document(body, pages, self.enough)
                page = await helper.read(body, pages)
        except TimeoutError:
            if helper is None:
                log.warning("no PDF reader free within the check's time budget; left to be checked by hand")
                return content.document_page(body)
            log.warning("PDF text not read within the check's time budget; left to be checked by hand")
            self._drop(helper)  # still reading that file: a new helper reads on
            # A file that hangs PDFium counts as one that crashes it: past SITE_CRASHES, that site's
            # files no longer hold up the one helper (and every other site's PDFs behind it).
            self._crashes[site] = self._crashes.get(site, 0) + 1
            return content.document_page(body)  # no text read: unverifiable_content, not "cannot be opened"
        except HelperDied as e:
            if not helper.answered:
                # The helper could not start (e.g. the main script cannot be re-imported): from
                # now on PDFs are read here, as before, so no verdict changes.
                log.warning("PDF reader process unavailable (%s); reading PDFs in the checker's process", e)
                self._drop(helper)
                self._closed = True
                return content.read_document(body, pages, self.enough)
            # A helper that worked died while reading: a file crashed PDFium. That file gets no
            # text (checked by hand) and is never read in this process; a new helper reads on
            # (up to SITE_CRASHES per site and MAX_RESTARTS per run).
            self._drop(helper)
            self._restarts += 1
            self._crashes[site] = self._crashes.get(site, 0) + 1
            self._no_text = self._restarts > MAX_RESTARTS
            log.warning("PDF reader process died (%s); PDF left to be checked by hand%s", e,
                        "" if self._no_text else ", helper restarted")
            return content.document_page(body)
        except BaseException:
            if helper is not None:
                self._drop(helper)  # cancelled mid-read: its late answer must not reach another PDF
            raise
        await self._give_back(helper)
        return page

    async def start(self) -> None:
        """Starts a helper now, so that it is ready by the time the first PDF arrives (a run
        whose URLs name PDFs; its start-up then overlaps the first requests)."""
        helper = await self._take()
        if helper is not None:
            await self._give_back(helper)

    async def _take(self) -> _Helper | None:
        if self._free is None:
            self._free = asyncio.Condition()
        async with self._free:
            while True:
                if self._closed or self._no_text:
                    return None
                if self._idle:
                    return self._idle.pop()
                if len(self._helpers) < self.workers:
                    try:
                        helper = _Helper(self.enough)
                    except OSError as e:
                        log.warning("PDF reader process could not start (%s); reading PDFs in the checker's "
                                    "process", e)
                        self._closed = True
                        return None
                    self._helpers.append(helper)
                    return helper
                await self._free.wait()

    async def _give_back(self, helper: _Helper) -> None:
        async with self._free:
            self._idle.append(helper)
            self._free.notify()

    def _drop(self, helper: _Helper) -> None:
        if helper in self._helpers:
            self._helpers.remove(helper)
        helper.stop()
        if self._free is not None:
            # A waiter may start a new helper in its place.
            asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._free:
            self._free.notify()

    def close(self) -> None:
        """Stops the helpers; later PDFs are read in this process."""
        self._closed = True
        helpers, self._helpers, self._idle = self._helpers, [], []
        for helper in helpers:
            helper.stop()
