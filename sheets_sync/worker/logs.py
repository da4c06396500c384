"""Log lines: readable text by default, one JSON object per line with `--log-format json`.

Every record passes a redaction filter on the handler before it is formatted, whatever
logger it comes from (ours, google-auth, urllib3 ...): private keys (PEM blocks, also with
escaped newlines as in a service-account JSON), `"private_key": ...` and other secret-named
fields, `Bearer ...` / `Authorization: ...` values, OAuth tokens (`ya29.`), JWTs, Google API
keys and `access_token=` style query parameters become ``[REDACTED]``. The message, its
arguments, the traceback text and any extra fields are all scrubbed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sheets_sync.core.clock import BANGKOK

REDACTED = "[REDACTED]"

_SECRET_KEYS = (r"private_key(?:_id)?|client_secret|refresh_token|access_token|id_token|token|password|passwd"
                r"|secret|api_key|apikey|assertion")
# key: value, key=value, "key": "value", 'key': 'value' (JSON, Python repr, query strings, YAML)
_KEY_VALUE = re.compile(r"""(?P<k>["']?\b(?:%s)\b["']?\s*[:=]\s*)"""
                        r"""(?P<v>"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|[^\s,;&}\])"'\[][^\s,;&}\])"']*)""" % _SECRET_KEYS, re.I)
_PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    # A PEM block, whole or cut short, with real or escaped (\n, \\n) newlines.
    (re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S),
     REDACTED),
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    (re.compile(r"(?i)(\bAuthorization\b[\"']?\s*[:=]\s*[\"']?)[^\"',}\r\n]+"), rf"\1{REDACTED}"),
    (re.compile(r"\bya29\.[A-Za-z0-9._-]+"), REDACTED),  # Google OAuth access token
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), REDACTED),  # Google API key
    (re.compile(r"\b1//[0-9A-Za-z_-]{20,}"), REDACTED),  # Google refresh token
)
# Long base64 runs (a key body line that lost its PEM armour): mixed case and digits, few slashes.
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{48,}={0,2}")


def redact(text: str) -> str:
    """`text` with every secret this module recognises replaced by [REDACTED]."""
    if not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = _KEY_VALUE.sub(_key_value, text)
    return _BASE64_RUN.sub(_maybe_key_body, text)


def _key_value(m: re.Match) -> str:
    value = m.group("v")
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{m.group('k')}{quote}{REDACTED}{quote}"


def _maybe_key_body(m: re.Match) -> str:
    s = m.group(0)
    if (any(c.islower() for c in s) and any(c.isupper() for c in s) and any(c.isdigit() for c in s)
            and s.count("/") <= len(s) // 16):
        return REDACTED
    return s


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
            if re.fullmatch(_SECRET_KEYS, key, re.I):
                setattr(record, key, REDACTED)
            elif isinstance(value, (str, dict, list, tuple)):
                setattr(record, key, _redact_value(value))
        return True


def _redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: REDACTED if re.fullmatch(_SECRET_KEYS, str(k), re.I) else _redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redact_value(v) for v in value)
    return value


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
