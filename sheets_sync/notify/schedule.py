"""When reminders go out: pure functions of the moment, the catalogue's deadlines and the settings.

* Agency digests: `notify.days_before` days before each round's deadline (7, 3 and 1 by default),
  and, with `notify.after_deadline`, the day after it to the agencies that missed it; each on its
  day from `notify.send_at` (08:00) until midnight. A day the worker was down is not caught up
  later: the next reminder carries the same list, with the right number of days.
* The coordinators' digest: every day during the rounds, from DAILY_LEAD_DAYS days before the
  first deadline to the day after the last one, from `send_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sheets_sync.config.settings import Catalog, NotifySettings, Round

DAILY_LEAD_DAYS = 31  # the plan's first round is collected through January, before its 31 Jan deadline


@dataclass(frozen=True)
class Slot:
    """One scheduled agency reminder: a round, and the day it goes out."""

    round: Round
    day: date
    kind: str  # "before" | "after" | "preview" (dry run and --to on a day without a reminder)

    @property
    def id(self) -> str:
        """Stable name in the ledger: r2-7d, r2-after, preview-2023-02-21."""
        if self.kind == "after":
            return f"r{self.round.number}-after"
        if self.kind == "preview":
            return f"preview-{self.day.isoformat()}"
        return f"r{self.round.number}-{self.days_left}d"

    @property
    def days_left(self) -> int:
        """Days from the slot's day to the deadline (0 on the deadline day, negative after it)."""
        return (self.round.deadline - self.day).days


def send_time(n: NotifySettings) -> time:
    hh, mm = n.send_at.strip().split(":")
    return time(int(hh), int(mm))


def send_from(day: date, n: NotifySettings, tz) -> datetime:
    """The moment a day's reminders may go out (send_at, local time): results checked before it
    are older than the reminder, and a reminder is not made from them."""
    return datetime.combine(day, send_time(n), tzinfo=tz)


def slots(catalog: Catalog, n: NotifySettings) -> list[Slot]:
    """Every agency reminder of the catalogue, in time order."""
    out = []
    for rnd in catalog.rounds:
        for days in sorted(set(n.days_before), reverse=True):
            out.append(Slot(rnd, rnd.deadline - timedelta(days=days), "before"))
        if n.after_deadline:
            out.append(Slot(rnd, rnd.deadline + timedelta(days=1), "after"))
    return sorted(out, key=lambda s: (s.day, s.round.number))


def _started(day: date, now: datetime, n: NotifySettings) -> bool:
    return now.date() == day and now.timetz().replace(tzinfo=None) >= send_time(n)


def due_slots(now: datetime, catalog: Catalog, n: NotifySettings) -> list[Slot]:
    """The agency reminders that go out at `now` (local time): those of today, once send_at has passed."""
    return [s for s in slots(catalog, n) if _started(s.day, now, n)]


def next_slot(now: datetime, catalog: Catalog, n: NotifySettings) -> Slot | None:
    """The first agency reminder after today's (for `remind --dry-run` on a quiet day)."""
    later = [s for s in slots(catalog, n) if s.day > now.date() or (s.day == now.date() and not _started(s.day, now, n))]
    return later[0] if later else None


def preview_slot(now: datetime, catalog: Catalog) -> Slot | None:
    """A reminder as if one went out now, for the next deadline not yet past (or the last one)."""
    if not catalog.rounds:
        return None
    upcoming = [r for r in catalog.rounds if r.deadline >= now.date()]
    return Slot(upcoming[0] if upcoming else catalog.rounds[-1], now.date(), "preview")


def daily_due(now: datetime, catalog: Catalog, n: NotifySettings) -> bool:
    """Whether the coordinators' digest goes out today (during the rounds, from send_at)."""
    if not catalog.rounds or not n.coordinators:
        return False
    first = catalog.rounds[0].deadline - timedelta(days=DAILY_LEAD_DAYS)
    last = catalog.rounds[-1].deadline + timedelta(days=1)
    return first <= now.date() <= last and _started(now.date(), now, n)
