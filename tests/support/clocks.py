"""Time for tests that must not wait: a clock that sleeping advances."""

from __future__ import annotations


class SteppingClock:
    """One monotonic clock for the Sheets fake's quota window and the backend's retry:
    `sleep` advances it at once and records how long was asked for."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
