"""How far a long check is, for the person watching: a tqdm bar with the time left on a terminal,
otherwise a log line at every tenth with an estimate (journald and cron read plain lines)."""

from __future__ import annotations

import logging
import sys
import time
from typing import Callable, TextIO

log = logging.getLogger("sheets_sync")


def eta_text(seconds: float) -> str:
    """A rough, readable time left.

    >>> [eta_text(s) for s in (4, 75, 3700)]
    ['a few seconds', 'about 1 min', 'about 1 h 2 min']
    """
    if seconds < 10:
        return "a few seconds"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {max(minutes, 1)} min"
    return f"about {minutes // 60} h {minutes % 60} min"


def url_progress(stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
                 ) -> Callable[[int, int], None]:
    """A `progress(done, total)` callback for the checker's dispatch."""
    stream = sys.stderr if stream is None else stream
    if stream.isatty():
        return _bar(stream)
    state = {"last": -1, "start": None}

    def report(done: int, total: int) -> None:
        if total == 0:
            return
        if state["start"] is None:
            state["start"] = clock()
        tenth = 10 * done // total
        if tenth == state["last"]:
            return
        state["last"] = tenth
        elapsed = clock() - state["start"]
        if 0 < done < total and elapsed > 0:
            log.info("checked %d/%d URLs, %s left", done, total, eta_text(elapsed / done * (total - done)))
        else:
            log.info("checked %d/%d URLs", done, total)

    return report


def _bar(stream: TextIO) -> Callable[[int, int], None]:
    from tqdm import tqdm  # only on a terminal

    state: dict = {"bar": None, "done": 0}

    def report(done: int, total: int) -> None:
        if total == 0:
            return
        if state["bar"] is None:
            state["bar"] = tqdm(total=total, unit="URL", file=stream, dynamic_ncols=True, mininterval=0.2,
                                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} URLs [{elapsed}<{remaining}]")
        state["bar"].update(done - state["done"])
        state["done"] = done
        if done >= total:
            state["bar"].close()

    return report
