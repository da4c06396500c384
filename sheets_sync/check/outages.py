"""A site that stops answering is confirmed before its rows say "broken".

A small agency site is down for a few minutes now and then (a restart, a power cut at the
district office, a host's maintenance at night). Checked in that minute, every link on it was
`broken` in the sheet, the agency clicked it in the morning and it opened: a false verdict.
So a URL that opened at its last check (`ok` or `warning`) and now fails at the network level
(no connection, no answer in time, a 5xx, its name not found) is `unknown`/`not_answering`
("did not answer this time; checked again next run") until it has failed for at least
`outage_confirm_minutes`, over at least two runs; then it is `broken` with the failure's own
reasons. A URL never seen to open (a new one, a typo) is judged at once, and a 404 always is:
a page removed is a change, not an outage. The start of each failure stays in the state file
(table check_outage) until the URL answers again.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from typing import Mapping

from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.redact import redact
from sheets_sync.state.store import State, register_schema

_log = logging.getLogger(__name__)

register_schema("checker_outages", """
CREATE TABLE IF NOT EXISTS check_outage (
    url    TEXT PRIMARY KEY,
    since  REAL NOT NULL                  -- unix time of the first failed check after it last answered
);
""")

# Failures that say nothing about the page, only that the site did not answer just then.
# A database down answers with its error page, sent with 200 as often as with 500.
OUTAGE_CODES = frozenset({"connect_error", "timeout", "http_5xx", "dns_error", "server_error_page"})
HELD = "not_answering"


def is_outage(result: CheckResult) -> bool:
    """A broken result whose every reason is the site not answering (no 404, no content rule)."""
    return result.status is Status.BROKEN and bool(result.reasons) and set(result.reasons) <= OUTAGE_CODES


def answered(result: CheckResult | None) -> bool:
    """The URL opened at that check (a page, right or not), or was already being held."""
    return result is not None and (result.status in (Status.OK, Status.WARNING) or HELD in result.reasons)


def hold(result: CheckResult, since: float) -> CheckResult:
    """`result` shown as not yet confirmed; its failure stays in `detail` for the log."""
    return replace(result, status=Status.UNKNOWN, reasons=(HELD,),
                   detail=f"{'/'.join(result.reasons)} since {since:.0f}: {result.detail}".rstrip(": "))


def judge(results: Mapping[str, CheckResult], before: Mapping[str, CheckResult | None],
          since: Mapping[str, float], now: float, confirm_s: float
          ) -> tuple[dict[str, CheckResult], dict[str, float], set[str]]:
    """(results to show, failure starts to record, URLs whose record ends). Pure.

    `before`: each URL's previous result (from the cache), `since`: the recorded starts.

    >>> down = CheckResult("http://a.go.th/o1", Status.BROKEN, ("timeout",))
    >>> was_ok = {"http://a.go.th/o1": CheckResult("http://a.go.th/o1", Status.OK)}
    >>> shown, start, end = judge({down.url: down}, was_ok, {}, now=1000.0, confirm_s=1200)
    >>> shown[down.url].status.value, shown[down.url].reasons, start
    ('unknown', ('not_answering',), {'http://a.go.th/o1': 1000.0})
    >>> judge({down.url: down}, {}, {down.url: 1000.0}, now=2300.0, confirm_s=1200)[0][down.url].reasons
    ('timeout',)
    """
    shown: dict[str, CheckResult] = {}
    start: dict[str, float] = {}
    end: set[str] = set()
    for url, r in results.items():
        if not is_outage(r):
            shown[url] = r
            if url in since:
                end.add(url)
            continue
        first = since.get(url)
        if first is None and answered(before.get(url)):
            first = start[url] = now
        if first is not None and now - first < confirm_s:
            shown[url] = hold(r, first)
        else:
            shown[url] = r  # never seen to open, or down long enough: broken
    return shown, start, end


class OutageLog:
    """The check_outage table."""

    def __init__(self, state: State) -> None:
        self.state = state

    def load(self, urls: list[str]) -> dict[str, float]:
        return dict(self.state.rows_by_url("SELECT url, since FROM check_outage WHERE url IN", urls))

    def save(self, start: Mapping[str, float], end: set[str]) -> None:
        with self.state.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO check_outage (url, since) VALUES (?, ?)", start.items())
            db.executemany("DELETE FROM check_outage WHERE url = ?", [(u,) for u in end])


def confirm(state: State, results: Mapping[str, CheckResult], before: Mapping[str, CheckResult | None],
            now: float, confirm_s: float) -> dict[str, CheckResult]:
    """`judge` with the state file's records. A state file that fails shows the results as they
    are (the cache is a convenience, never a reason for a run to fail)."""
    if confirm_s <= 0 or not results:
        return dict(results)
    log = OutageLog(state)
    try:
        since = log.load(list(results))
        shown, start, end = judge(results, before, since, now, confirm_s)
        log.save(start, end)
    except sqlite3.Error:
        return dict(results)
    held = [u for u, r in shown.items() if HELD in r.reasons]
    if held:
        _log.info("%d URLs that opened last time got no answer: shown as not answering until confirmed "
                  "(%d new, e.g. %s)", len(held), len(start), redact(held[0]))
    return shown
