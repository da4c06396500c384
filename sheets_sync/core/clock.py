"""The clock is injected everywhere time matters, so tests can freeze it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""


@dataclass(frozen=True)
class SystemClock:
    tz: ZoneInfo = BANGKOK

    def now(self) -> datetime:
        return datetime.now(self.tz)


@dataclass
class FixedClock:
    """A clock for tests: returns `at` until moved with `advance`."""

    at: datetime = field(default_factory=lambda: datetime(2023, 1, 15, 9, 0, tzinfo=BANGKOK))

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at = self.at + timedelta(seconds=seconds)


def utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc)
