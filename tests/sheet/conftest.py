"""Fixtures of the sheet tests."""

from __future__ import annotations

import pytest

from tests.support.clocks import SteppingClock
from tests.support.fake_sheets import FakeSheets


@pytest.fixture
def fake():
    """The loopback Sheets API fake on a clock that the backend's retry sleeps advance
    (`fake.time`), so quota windows pass without waiting."""
    clock = SteppingClock()
    with FakeSheets(clock=clock) as f:
        f.time = clock
        yield f
