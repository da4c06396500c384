"""When the results a reminder is made from were checked.

The history keeps, for every (agency, item), when a sync or a watch pass last judged it
(`History.check_times`). A full sync judges every row;
a watch pass only the rows whose URL changed; a row that changed while it was being checked, or
that the checker could not reach (`checker_offline`), keeps its earlier time.

A reminder must never carry advice older than itself: an agency that fixed its link after the
evening's sync would be told the next morning that it is still broken, and the ledger would then
keep the corrected reminder from going out that day. So an agency's reminder is made only when
every one of its rows was checked since the reminder's time (`notify.send_at` on its day), and
the e-mail states when they were checked, not when it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from sheets_sync.config.settings import Agency, Catalog
from sheets_sync.state.history import History
from sheets_sync.state.store import State


@dataclass(frozen=True)
class Checked:
    """When an agency's rows were last checked: the oldest and the newest of its rows' checks."""

    oldest: datetime
    newest: datetime


def check_times(state: State, agencies: Sequence[Agency], catalog: Catalog, tz: ZoneInfo) -> dict[str, Checked]:
    """Agency code -> when its rows of the catalogue were last checked; agencies the history has
    never seen are left out (never checked)."""
    codes = {a.code for a in agencies}
    times = History(state, tz).check_times([i.code for i in catalog.items])
    return {code: Checked(oldest, newest) for code, (oldest, newest) in times.items() if code in codes}


def is_fresh(checked: Checked | None, since: datetime) -> bool:
    """Whether every row was checked at or after `since`."""
    return checked is not None and checked.oldest >= since


def last_sync(times: Mapping[str, Checked]) -> datetime | None:
    """The last time a sync checked every row of an agency (the latest of the agencies' oldest
    checks): a watch pass, which judges a few changed rows, does not count as one."""
    return max((c.oldest for c in times.values()), default=None)


def describe(at: datetime | None, tz: ZoneInfo) -> str:
    """A check's time in English, for the log and the command line: "last checked 2023-02-20 18:00"."""
    return f"last checked {at.astimezone(tz):%Y-%m-%d %H:%M}" if at is not None else "never checked"

