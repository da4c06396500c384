"""The one redaction function: every error text passes `redact` before it is logged, stored in
the state file, written to the status file or printed (`sheets-sync status`, `sync`).

Two nets. Patterns catch what a secret looks like wherever it comes from: private keys (PEM
blocks, also with escaped newlines as in a service-account JSON), `"private_key": ...`,
`private_key_id`, `access_token=`/`refresh_token=` and other secret-named fields (JSON,
Python repr, YAML, form-encoded), `Bearer ...` / `Authorization: ...` values, OAuth access
tokens (`ya29.`), refresh tokens (`1//`), JWTs and Google API keys. Values the process has
been told about with `remember` (the key id and key of the loaded service account, each
access token as it is issued) are caught anywhere, even bare in an error message that does not
say what they are, as a Google error body echoing them would.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

REDACTED = "[REDACTED]"

SECRET_KEYS = (r"private_key(?:_id)?|client_secret|refresh_token|access_token|id_token|token|password|passwd"
               r"|secret|api_key|apikey|assertion")
# key: value, key=value, "key": "value", 'key': 'value' (JSON, Python repr, query strings, YAML)
_KEY_VALUE = re.compile(r"""(?P<k>["']?\b(?:%s)\b["']?\s*[:=]\s*)"""
                        r"""(?P<v>"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|[^\s,;&}\])"'\[][^\s,;&}\])"']*)""" % SECRET_KEYS,
                        re.I)
_PATTERNS: tuple[tuple[re.Pattern, str], ...] = (
    # A PEM block, whole or cut short, with real or escaped (\n, \\n) newlines.
    (re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S),
     REDACTED),
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    # The header's value: an optional scheme word, then the credential (up to a space or quote).
    (re.compile(r"(?i)(\bAuthorization\b[\"']?\s*[:=]\s*[\"']?)(?:[A-Za-z]+[ \t]+)?[^\s\"',;}]+"), rf"\1{REDACTED}"),
    (re.compile(r"\bya29\.[A-Za-z0-9._-]+"), REDACTED),  # Google OAuth access token
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), REDACTED),  # Google API key
    (re.compile(r"\b1//[0-9A-Za-z_-]{20,}"), REDACTED),  # Google refresh token
)
# Long base64 runs (a key body line that lost its PEM armour): mixed case, a digit, "+" or "/"
# (a line without a digit is one in 50,000), not many slashes, not inside a URL. In a key line "/" is one character in 64, so a 64-character line
# holds 9 or more about once in a million lines (at one in 16 a key would leak once in ~270
# lines); the URL test keeps an agency's long mixed-case path (".../Portals/0/ITA2566/...") readable.
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{48,}={0,2}")
_SHORTEST_REMEMBERED = 12  # shorter values would blank out ordinary words

_known: set[str] = set()
_known_lock = threading.Lock()
_known_pattern: re.Pattern | None = None


def remember(*values: object) -> None:
    """Marks these exact values (a key id, a token ...) as secrets for the rest of the process.
    Non-strings, empty and short values are ignored."""
    global _known_pattern
    added = False
    with _known_lock:
        for value in values:
            if not isinstance(value, str) or len(value.strip()) < _SHORTEST_REMEMBERED:
                continue
            # As it is, and as it reads inside a JSON string (a PEM's newlines become \n).
            for form in {value.strip(), json.dumps(value.strip())[1:-1]}:
                if form not in _known:
                    _known.add(form)
                    added = True
        if added:
            _known_pattern = re.compile("|".join(re.escape(v) for v in sorted(_known, key=len, reverse=True)))


def redact(text: str) -> str:
    """`text` with every secret this module recognises replaced by [REDACTED]."""
    if not text:
        return text
    known = _known_pattern
    if known is not None:
        text = known.sub(REDACTED, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = _KEY_VALUE.sub(_key_value, text)
    return _BASE64_RUN.sub(_maybe_key_body, text)


def redact_value(value: Any) -> Any:
    """`redact` through strings, dicts, lists and tuples; a secret-named key's value is dropped."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_key(str(k)) else redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v) for v in value)
    return value


def is_secret_key(name: str) -> bool:
    """Whether a field called `name` holds a secret (private_key, access_token, password ...)."""
    return re.fullmatch(SECRET_KEYS, name, re.I) is not None


def _key_value(m: re.Match) -> str:
    value = m.group("v")
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{m.group('k')}{quote}{REDACTED}{quote}"


def _maybe_key_body(m: re.Match) -> str:
    s = m.group(0)
    if (any(c.islower() for c in s) and any(c.isupper() for c in s) and any(c.isdigit() or c in "+/" for c in s)
            and s.count("/") <= len(s) // 8 and not _in_url(m.string, m.start())):
        return REDACTED
    return s


def _in_url(text: str, start: int) -> bool:
    """Whether position `start` lies in a URL: its word (up to the last space) has a scheme before it.
    Only the last 2,000 characters are looked at, so a long text without spaces costs linear time."""
    low = max(0, start - 2000)
    word = max(text.rfind(" ", low, start), text.rfind("\n", low, start), text.rfind("\t", low, start)) + 1
    return "://" in text[max(word, low):start]
