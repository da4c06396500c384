"""The one redaction function (core/redact.py): what it hides and what it leaves alone.
(How the log handler applies it is in tests/worker/test_logs.py.)"""

from __future__ import annotations

import json
import secrets

from sheets_sync.core.redact import REDACTED, redact, redact_value, remember


def test_secret_values_in_json_form_encoding_and_headers():
    token = "ya29.c." + secrets.token_urlsafe(30)
    cases = {
        json.dumps({"access_token": "opaque-" + token[8:], "expires_in": 3599}): "opaque-",
        "grant_type=refresh_token&refresh_token=rt-0123456789abcdef&client_id=x": "rt-0123456789abcdef",
        "access_token=at-0123456789abcdef&alt=json": "at-0123456789abcdef",
        json.dumps({"private_key_id": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"}): "a1b2c3d4e5f6",
        "Authorization: Bearer opaque-credential-xyz": "opaque-credential-xyz",
        "authorization=Basic dXNlcjpwYXNzd29yZA==": "dXNlcjpwYXNzd29yZA",
        '{"Authorization": "token opaque-credential-xyz"}': "opaque-credential-xyz",
    }
    for text, secret in cases.items():
        out = redact(text)
        assert secret not in out and REDACTED in out, (text, out)


def test_authorization_hides_only_the_credential():
    out = redact("request had Authorization: Bearer abc.def-123; retried at 10:02")
    assert out == f"request had Authorization: {REDACTED}; retried at 10:02"


def test_remembered_values_are_hidden_even_bare_and_json_escaped():
    key_id = secrets.token_hex(20)
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    assert key_id in redact(f"granted for key {key_id}")  # a bare hex id looks like nothing in particular
    remember(key_id, pem, None, 42, "short")
    assert redact(f"granted for key {key_id}.") == f"granted for key {REDACTED}."
    assert key_id not in redact(f"kid={key_id}&x=1") and "MIIEvQ" not in redact(json.dumps({"k": pem}))
    assert redact("a short word stays") == "a short word stays"


def test_redact_value_walks_structures_and_drops_secret_named_fields():
    data = {"last_run": {"error": "HTTP 401: Bearer ya29.zzzzzzzzzzzz", "rows": 3},
            "client_secret": "hunter2-hunter2", "list": ["access_token=abcdefgh12345678", 7]}
    out = redact_value(data)
    assert out["client_secret"] == REDACTED and out["last_run"]["rows"] == 3
    assert "ya29" not in json.dumps(out) and "abcdefgh12345678" not in json.dumps(out)
