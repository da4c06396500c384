"""Progress for the person watching a long check: time left on a terminal and in plain logs."""

from __future__ import annotations

import io
import logging

from sheets_sync.worker.progress import url_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_plain_logs_say_how_long_is_left(caplog):
    clock = Clock()
    report = url_progress(io.StringIO(), clock=clock)
    with caplog.at_level(logging.INFO, logger="sheets_sync"):
        report(0, 1000)
        for done in range(1, 1001):
            clock.t += 0.24  # 0.24 s a URL: 1000 URLs take 4 minutes
            report(done, 1000)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 11  # the start, then one line per tenth
    assert lines[1] == "checked 100/1000 URLs, about 4 min left"  # 900 x 0.24 s = 216 s
    assert lines[5] == "checked 500/1000 URLs, about 2 min left"
    assert lines[-1] == "checked 1000/1000 URLs"


def test_a_terminal_gets_a_bar_with_elapsed_and_remaining_time():
    term = Terminal()
    report = url_progress(term)
    for done in range(0, 51):
        report(done, 50)
    text = term.getvalue()
    assert "50/50 URLs" in text
    assert "<" in text.split("50/50 URLs")[-1]  # [elapsed<remaining]
    assert "\r" in text  # redrawn in place, not one line per update
