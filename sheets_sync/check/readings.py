"""Checking cells that can be read two ways.

A cell such as `…/o19.pdf (ข้อมูลปี 2566)` is a URL and a label, or one URL whose file name has
spaces; a cell may show one address and link to another. The collector makes the likelier
reading the candidate and carries the others in `Candidate.alternatives`. The checker cannot know which one the agency meant, but the site can:
the alternatives of a candidate whose URL is broken are checked too (a second, usually small,
batch), and the first reading that opens (ok or warning) is the one judged. Both the sync and
`sheets-sync check` go through here, so they agree on every cell.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable, Mapping

from sheets_sync.collect.cells import Candidate
from sheets_sync.core.normalize import host_of
from sheets_sync.core.models import CheckResult, Status

log = logging.getLogger(__name__)

_OPENS = (Status.OK, Status.WARNING)


def check_candidates(checker, candidates: Iterable[Candidate],
                     progress: Callable[[int, int], None] | None = None,
                     recheck: Iterable[str] = ()) -> dict[str, CheckResult]:
    """Checks every candidate's URL with `checker.check_many`, then the alternative readings of
    those that came back broken. Returns the results of both batches by URL. `recheck` (for a
    cached checker only): URLs to check now even when a fresh result is cached."""
    candidates = [c for c in candidates if c.valid]
    recheck = set(recheck)
    extra = {"recheck": recheck} if recheck else {}
    results = checker.check_many(sorted({c.url for c in candidates}), progress=progress, **extra)
    others = {c.url: _worth_asking(c, results.get(c.url)) for c in candidates if c.alternatives}
    second = sorted({a.url for urls in others.values() for a in urls if a.url not in results})
    if second:
        log.info("%d broken URLs can be read another way (spaces in the cell, or a link behind it): checking %d more",
                 sum(1 for urls in others.values() if urls), len(second))
        results = {**results, **checker.check_many(second, progress=progress)}
    return results


def chosen(candidate: Candidate, results: Mapping[str, CheckResult]) -> Candidate:
    """The reading to judge: the candidate itself, unless its URL is broken and an alternative
    reading opens (the first that does). Pure."""
    if not candidate.alternatives or not _broken(results.get(candidate.url)):
        return candidate
    for alternative in candidate.alternatives:
        result = results.get(alternative.url)
        if result is not None and result.status in _OPENS:
            return alternative
    return candidate


def _broken(result: CheckResult | None) -> bool:
    return result is not None and result.status is Status.BROKEN


def _worth_asking(candidate: Candidate, result: CheckResult | None) -> list[Candidate]:
    """The other readings of a broken candidate worth a request: when its host did not answer at
    all (DNS, connection, TLS), another path on that host cannot open either; a link behind the
    cell to another host (a typo in the address shown) can."""
    if not _broken(result):
        return []
    same_host = host_of(candidate.url)
    return [a for a in candidate.alternatives
            if a.valid and (result.http_status is not None or host_of(a.url) != same_host)]
