"""Log lines: readable text by default, one JSON object per line with `--log-format json`.

Every record passes a redaction filter on the handler before it is formatted, whatever
logger it comes from (ours, google-auth, urllib3 ...). The filter uses the one redaction
function (core/redact.py) that also guards the status file, the state file and `status`:
the message, its arguments, the traceback text and any extra fields are all scrubbed.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.redact import REDACTED, is_secret_key, redact, redact_value

__all__ = ["REDACTED", "redact", "RedactingFilter", "TextFormatter", "JsonFormatter", "setup"]

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class RedactingFilter(logging.Filter):
    """Scrubs a record in place: message (with its args), traceback, stack and extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the formatter prints the scrubbed exc_text instead
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD:
                continue
            if is_secret_key(key):
                setattr(record, key, REDACTED)
            elif isinstance(value, (str, dict, list, tuple)):
                setattr(record, key, redact_value(value))
        return True


class TextFormatter(logging.Formatter):
    """`2023-01-15 09:00:00+0700 INFO sheets_sync.worker.loop: message`, times in the given zone."""

    def __init__(self, tz: ZoneInfo = BANGKOK) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.tz = tz

    def formatTime(self, record, datefmt=None) -> str:
        return datetime.fromtimestamp(record.created, self.tz).strftime("%Y-%m-%d %H:%M:%S%z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception text."""

    def __init__(self, tz: ZoneInfo = BANGKOK) -> None:
        super().__init__()
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, self.tz).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out:
                out[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)


class _Stderr:
    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def setup(level: int = logging.INFO, fmt: str = "text", stream: TextIO | None = None,
          tz: ZoneInfo = BANGKOK) -> logging.Handler:
    """Replaces the root logger's handlers with one redacting handler on `stream` (stderr)."""
    if stream is None or stream is sys.stderr:
        stream = _Stderr()  # whatever sys.stderr is when a line is written, like logging.lastResort
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(tz) if fmt == "json" else TextFormatter(tz))
    handler.addFilter(RedactingFilter())
    handler._sheets_sync = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in root.handlers[:]:  # ours from an earlier call; a test runner's stay
        if getattr(old, "_sheets_sync", False):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    return handler
