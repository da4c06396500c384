"""PDF text extraction in a helper process, so that it does not hold up the checker's loop.

Reading a PDF's text costs CPU (with PDFium ~0.5 ms for one small page, a real multi-page
Thai document far more), and on the checker's event loop that time would be taken from every
other check under way. A helper process runs the very same `content.read_pdf` on another
core, so verdicts are unchanged; the loop goes on with other checks meanwhile, as it does
while waiting for the network. It also keeps PDFium, C code fed with whatever a site serves,
out of the checker's own process.

The pool is started on the first PDF (a run without PDFs starts no process) with `spawn`,
never `fork`: forking a process with a running event loop and its threads is unsafe. Like any
`spawn` child, the helper imports the main script as `__mp_main__`: every entry point of ours
keeps its work under `if __name__ == "__main__"`. If the helper cannot start or dies, PDFs are
read in the checker's process again (slower, same verdicts). A closed pool reads in-process too.

A PDF is read within its check's deadline too: one the helper has not read by then
gets no text (`unverifiable_content`: a look by hand, never a warning about the file), so a
file built to be slow to parse cannot hold its check past total_timeout_s.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable
from concurrent.futures.process import BrokenProcessPool

from sheets_sync.check import content

log = logging.getLogger(__name__)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the checker's process decides what a stop
    # means (and shuts this pool down); the helper must not die with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


MAX_RESTARTS = 5  # helpers that died while reading, per run; then PDFs get no text (checked by hand)


def _wait_for(deadline: float | None) -> float | None:
    # Never less than a moment: a check that spent its budget on the download still gets its
    # PDF read when that is quick.
    return None if deadline is None else max(1.0, deadline - time.monotonic())


def _workers() -> int:
    # The checker's own process keeps one core busy (its event loop); the rest can read PDFs.
    return max(1, (os.cpu_count() or 2) - 1)


class PdfReaderPool:
    """`await read_async(body, pages)` gives what `content.read_pdf` gives, computed in a helper process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or _workers()
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._answered = False  # the current helper has read at least one PDF
        self._restarts = 0

    def _get(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._closed:
                return None
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_ignore_interrupts)
            return self._pool

    async def read_async(self, body: bytes, pages: int, deadline: float | None = None) -> content.Page:
        """What `content.read_pdf` gives, computed in the helper; the checker's loop goes on
        with other checks meanwhile. Gives up at `deadline` (time.monotonic)."""
        pool = self._get()
        if pool is not None:
            future = None
            try:
                future = pool.submit(content.read_pdf, body, pages)
                return self._answer(await asyncio.wait_for(asyncio.wrap_future(future), _wait_for(deadline)))
            except Exception as e:  # noqa: BLE001 - sorted out by _failed
                page = self._failed(pool, e, future)
                if page is not None:
                    return page
        return content.read_pdf(body, pages)

    def _answer(self, page: content.Page) -> content.Page:
        self._answered = True
        return page

    def _failed(self, pool: ProcessPoolExecutor, error: Exception, future) -> content.Page | None:
        """What a failed read gives: a page without text, or None to read in this process."""
        if isinstance(error, TimeoutError):
            if future is not None:
                future.cancel()
            log.warning("PDF text not read within the check's time budget; left to be checked by hand")
            return content.Page(kind="pdf")  # no text read: unverifiable_content, not "cannot be opened"
        if isinstance(error, BrokenProcessPool) and self._answered:
            # A helper that worked died while reading: a file crashed PDFium. That file (or
            # one read beside it) gets no text (checked by hand), and is never read in this
            # process; a new helper reads on (a few times per run).
            restarted = self._restart(pool)
            log.warning("PDF reader process died (%s); PDF left to be checked by hand%s", error,
                        ", helper restarted" if restarted else "")
            return content.Page(kind="pdf")
        if isinstance(error, (BrokenProcessPool, OSError, RuntimeError)):
            # The helper could not start (e.g. the main script cannot be re-imported) or died:
            # from now on PDFs are read here, as before, so no verdict changes.
            self._give_up(pool, error)
            return None
        raise error

    def _restart(self, pool: ProcessPoolExecutor) -> bool:
        """Drops a helper that died, so the next read starts a new one (a few times per run)."""
        with self._lock:
            if self._pool is pool:
                if self._closed or self._restarts >= MAX_RESTARTS:
                    return False
                self._pool, self._answered = None, False
                self._restarts += 1
        pool.shutdown(wait=False, cancel_futures=True)
        return True

    def _give_up(self, pool: ProcessPoolExecutor, error: BaseException) -> None:
        with self._lock:
            if self._closed or self._pool is not pool:
                return  # closed meanwhile, or another thread already gave up on this pool
            self._pool, self._closed = None, True
        log.warning("PDF reader process unavailable (%s); reading PDFs in the checker's process",
                    type(error).__name__)
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
