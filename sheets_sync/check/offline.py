"""Is the worker itself offline? Pure decisions over check results, plus the canary check.

A network outage on the worker's side must never turn thousands of rows `broken`: when the
configured canary URLs cannot be reached, or nearly every host fails at once with DNS or
connection errors, those failures become `unknown` with reason `checker_offline`, the sync
leaves the earlier verdicts in the sheet, and the log says why.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from typing import Callable, Iterable, Mapping

from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.normalize import host_of

log = logging.getLogger(__name__)

# site_not_answering: not requested because its site's first requests failed so (check/dispatch.py).
NETWORK_ERRORS = frozenset({"dns_error", "connect_error", "timeout", "site_not_answering"})
MIN_HOSTS = 5  # fewer hosts than this say nothing about the worker's own network
SHARE = 0.9  # this share of hosts failing at the network level at once means the worker is offline


def network_failure(result: CheckResult) -> bool:
    """Failed before any HTTP answer: the name did not resolve or no connection was made."""
    return result.http_status is None and bool(result.reasons) and result.reasons[0] in NETWORK_ERRORS


def looks_offline(results: Mapping[str, CheckResult], min_hosts: int = MIN_HOSTS, share: float = SHARE) -> bool:
    """True when at least `min_hosts` hosts were tried and `share` of them failed on every URL
    with a network-level error. Hosts whose URLs were not requested (blocked, platforms,
    invalid) do not count either way."""
    by_host: dict[str, list[CheckResult]] = defaultdict(list)
    for url, r in results.items():
        if r.http_status is not None or network_failure(r):
            by_host[host_of(url)].append(r)
    if len(by_host) < min_hosts:
        return False
    failed = sum(1 for rs in by_host.values() if all(network_failure(r) for r in rs))
    return failed >= share * len(by_host)


def mark_offline(results: Mapping[str, CheckResult]) -> dict[str, CheckResult]:
    """The results with every network-level failure replaced by `unknown`/`checker_offline`."""
    out = {}
    for url, r in results.items():
        if network_failure(r):
            r = replace(r, status=Status.UNKNOWN, reasons=("checker_offline",),
                        detail=f"checker offline; {r.detail}"[:300])
        out[url] = r
    return out


def offline_results(urls: Iterable[str], why: str) -> dict[str, CheckResult]:
    return {u: CheckResult(url=u, status=Status.UNKNOWN, reasons=("checker_offline",), detail=why) for u in urls}


def canaries_down(canary_urls: Iterable[str], check: Callable[[str], CheckResult]) -> bool:
    """True when canaries are configured and none of them could be reached at all."""
    canaries = list(canary_urls)
    if not canaries:
        return False
    results = [check(u) for u in canaries]
    down = all(network_failure(r) for r in results)
    if down:
        log.warning("checker offline: no canary URL reachable (%s)",
                    "; ".join(f"{r.url}: {','.join(r.reasons)}" for r in results))
    return down
