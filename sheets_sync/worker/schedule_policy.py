"""When the worker runs next: pure functions of the time, the catalogue's deadlines and the settings.

Schedule (times in the settings' time zone, Asia/Bangkok):

* every `schedule.every_minutes` (30), counted from the end of the previous run;
* every `schedule.near_deadline_every_minutes` (10) during the last `near_deadline_days` (3)
  calendar days up to and including a round's deadline day;
* never inside `schedule.quiet_hours` ("22:00-06:00"): a run that would fall there waits for
  the end of the quiet hours;
* after a failed run, the next one comes sooner and backs off: 1, 2, 4, 8 ... minutes, never
  later than the normal interval.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sheets_sync.config.settings import Catalog, Round, ScheduleSettings
from sheets_sync.core.errors import ConfigError

RETRY_FIRST_S = 60  # first retry after a failed run; doubles up to the normal interval


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


_QUIET_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_quiet_hours(text: str, where: str = "settings") -> QuietHours | None:
    """"22:00-06:00" (may cross midnight) -> QuietHours; "" -> None; anything else ConfigError."""
    if not text or not text.strip():
        return None
    m = _QUIET_RE.match(text)
    if m:
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) != (h2, m2):
            return QuietHours(time(h1, m1), time(h2, m2))
    raise ConfigError(f"{where}: schedule.quiet_hours: expected HH:MM-HH:MM such as \"22:00-06:00\", got {text!r}")


def check_schedule(s: ScheduleSettings, where: str = "settings") -> None:
    """Raises ConfigError for a schedule the loop cannot follow."""
    for name in ("every_minutes", "near_deadline_every_minutes"):
        if getattr(s, name) < 1:
            raise ConfigError(f"{where}: schedule.{name}: must be at least 1")
    if s.watch_seconds < 0:
        raise ConfigError(f"{where}: schedule.watch_seconds: must be 0 (no watch) or more")
    if s.near_deadline_days < 0:
        raise ConfigError(f"{where}: schedule.near_deadline_days: must be 0 or more")
    parse_quiet_hours(s.quiet_hours, where)


def in_quiet_hours(now: datetime, quiet: QuietHours | None) -> bool:
    if quiet is None:
        return False
    t = now.timetz().replace(tzinfo=None)
    if quiet.start < quiet.end:
        return quiet.start <= t < quiet.end
    return t >= quiet.start or t < quiet.end  # crosses midnight


def quiet_hours_end(now: datetime, quiet: QuietHours) -> datetime:
    """The first moment after `now` when the quiet hours are over (now must be inside them)."""
    end = datetime.combine(now.date(), quiet.end, tzinfo=now.tzinfo)
    return end if end > now else end + timedelta(days=1)


def near_deadline(now: datetime, catalog: Catalog, days: int) -> Round | None:
    """The round whose deadline is within the last `days` calendar days (deadline day included)."""
    if days <= 0:
        return None
    today = now.date()
    for rnd in catalog.rounds:
        if rnd.deadline - timedelta(days=days - 1) <= today <= rnd.deadline:
            return rnd
    return None


def next_interval(now: datetime, catalog: Catalog, s: ScheduleSettings) -> int:
    """Seconds from `now` (aware, in the settings' zone) to the next run."""
    minutes = s.near_deadline_every_minutes if near_deadline(now, catalog, s.near_deadline_days) else s.every_minutes
    return _outside_quiet(now, minutes * 60, parse_quiet_hours(s.quiet_hours))


def retry_interval(now: datetime, failures: int, catalog: Catalog, s: ScheduleSettings) -> int:
    """Seconds to the retry after `failures` failed runs in a row: 1, 2, 4 ... minutes, at most
    the normal interval, never inside quiet hours."""
    normal_minutes = (s.near_deadline_every_minutes if near_deadline(now, catalog, s.near_deadline_days)
                      else s.every_minutes)
    seconds = min(RETRY_FIRST_S * 2 ** max(0, min(failures, 20) - 1), normal_minutes * 60)
    return _outside_quiet(now, seconds, parse_quiet_hours(s.quiet_hours))


def _outside_quiet(now: datetime, seconds: int, quiet: QuietHours | None) -> int:
    at = now + timedelta(seconds=seconds)
    if in_quiet_hours(at, quiet):
        at = quiet_hours_end(at, quiet)
    # Rounded up: truncated, a clock with microseconds planned the run at 05:59:59, inside the quiet
    # hours it was moved out of (and shown as "next run 05:59").
    return max(0, math.ceil((at - now).total_seconds()))

