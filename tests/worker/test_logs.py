"""Log lines: text and JSON formats, and no credential, token or private key in any line.

The last test runs a full `run --once` on the Google Sheets backend (against the loopback
Sheets fake, with a real RSA service-account key) at debug level, with code on the way that
logs the key file, the access token and an exception carrying the key, and greps everything
written to stderr for the key material."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
import yaml

from sheets_sync.worker.logs import (
    REDACTED,
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    redact,
)
from tests.support import ROOT


@pytest.fixture
def key_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def key_lines(pem: str) -> list[str]:
    """The key's body lines: what a grep for leaked key material looks for."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]



def test_redact_scrubs_keys_tokens_and_secret_fields(key_pem):
    info = {"type": "service_account", "private_key_id": "4f1c0ffee4f1c0ffee4f1c0ffee", "private_key": key_pem,
            "client_email": "sheets-sync@ita-lamphun.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token"}
    texts = [json.dumps(info), repr(info), key_pem, key_pem[:300], "\n".join(key_lines(key_pem)[3:5]),
             "Authorization: Bearer ya29.a0AfH6SMBx_secret-token", "POST /token?access_token=abc123secret&alt=json",
             "refresh_token: 1//0gLongRefreshTokenValue-abcdefgh", "{'password': 'hunter2'}",
             "jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4QHkuY29tIn0.c2lnbmF0dXJlc2lnbmF0dXJl"]
    for text in texts:
        out = redact(text)
        assert REDACTED in out, text
        for secret in key_lines(key_pem) + ["4f1c0ffee4f1c0ffee", "ya29.", "abc123secret", "hunter2",
                                            "1//0gLong", "eyJpc3Mi"]:
            assert secret not in out, (text, out)
    assert "sheets-sync@ita-lamphun.iam.gserviceaccount.com" in redact(json.dumps(info))
    assert "https://oauth2.googleapis.com/token" in redact(json.dumps(info))


def test_redact_catches_a_key_line_with_many_slashes_but_not_a_long_url_path():
    # A key's body line is random base64: one in 64 characters is "/", and now and then a line has
    # six or seven (a fresh key's line leaked once in a few hundred runs when four were the limit).
    line = "XLjrcUbMKbq3kpLEfYJM10iAp//SG2puyM/GHqQBwADy8p5Oxp/yb/8ofbeLAYif"
    assert redact(line) == REDACTED
    assert redact(f"key body: {line}\nGSRp0Yz1IFQhZAKDiX6M8mG8lEtUKsgDqyWzCPAl70kh7re6AG2Ao4dUkCJXG0/U") == (
        f"key body: {REDACTED}\n{REDACTED}")
    assert redact("MIIEvQIBADANBgkqhkiGwBAQEFAASCBKcwggSjAgEAAoIBAQC+xyzAbCdEfGhIjKlMnOp") == REDACTED
    assert redact("QWxhZGRpbjpvcGVuIHNlc2FtZQxyzAbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIj+") == REDACTED  # no digit
    url = "https://www.example.go.th/Portals/0/Documents/ITA2566/O1/PlanAnnual2566Approved.pdf"
    assert redact(f"O1 http_404 {url}") == f"O1 http_404 {url}"


def test_redact_leaves_ordinary_lines_alone():
    for text in ["checked 120/1634 URLs", "https://www.lamphun.go.th/news/detail/2566/ita/oit/o1.pdf",
                 "อบต.เหล่ายาว: O1 เปิดไม่ได้ (http_404)", "run 3 ok: 2537 rows, 900 URLs checked",
                 "lock file data/sheets-sync.lock held by pid 4242", "credentials file credentials.json: not found"]:
        assert redact(text) == text


def _record(msg, *args, exc=None, **extra):
    record = logging.LogRecord("sheets_sync.test", logging.ERROR, __file__, 1, msg, args, exc)
    for k, v in extra.items():
        setattr(record, k, v)
    return record


def test_filter_scrubs_args_tracebacks_and_extra_fields_in_both_formats(key_pem):
    try:
        raise ValueError(f"could not parse key {key_pem!r}")
    except ValueError:
        import sys

        exc = sys.exc_info()
    for formatter in (TextFormatter(), JsonFormatter()):
        record = _record("credentials %s, header %s", {"private_key": key_pem}, "Bearer ya29.zzzSECRETzzz", exc=exc,
                         event="run_finished", request={"headers": {"Authorization": "Bearer ya29.zzzSECRETzzz"}})
        assert RedactingFilter().filter(record)
        line = formatter.format(record)
        for secret in key_lines(key_pem) + ["ya29.zzzSECRETzzz"]:
            assert secret not in line
        assert "ValueError" in line  # the traceback is kept, scrubbed
    parsed = json.loads(JsonFormatter().format(_record("run %d ok", 3, event="run_finished", counts={"ok": 2})))
    assert parsed["message"] == "run 3 ok" and parsed["event"] == "run_finished" and parsed["counts"] == {"ok": 2}
    assert parsed["level"] == "ERROR" and parsed["time"].endswith("+07:00")
    text = TextFormatter().format(_record("run %d ok", 3))
    assert "+0700 ERROR sheets_sync.test: run 3 ok" in text


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_full_run_logs_no_key_material(fmt, tmp_path, monkeypatch, capfd, restore_root_logging):
    from sheets_sync import cli
    from sheets_sync.sheet.gsheets import GSheetsBackend
    from tests.support.fake_sheets import FakeSheets, write_credentials

    with FakeSheets() as fake:
        creds = write_credentials(tmp_path, fake)
        sid = fake.create_spreadsheet(shared_with=[creds.email])
        shutil.copy(ROOT / "config" / "oit_items.yaml", tmp_path / "oit_items.yaml")
        agencies = yaml.safe_load((ROOT / "config" / "agencies.yaml").read_text(encoding="utf-8"))
        agencies["agencies"] = agencies["agencies"][:2]
        (tmp_path / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True), encoding="utf-8")
        text = (ROOT / "config" / "settings.yaml").read_text(encoding="utf-8")
        for old, new in (("kind: xlsx", "kind: gsheets"), ('spreadsheet: ""', f'spreadsheet: "{sid}"'),
                         ("credentials: credentials.json", f"credentials: {creds.path}"),
                         ("api_endpoint: https://sheets.googleapis.com", f"api_endpoint: {fake.url}"),
                         ("state_path: data/state-{year}.sqlite", f"state_path: {tmp_path}/data/state.sqlite")):
            assert old in text
            text = text.replace(old, new)
        (tmp_path / "settings.yaml").write_text(text, encoding="utf-8")

        # Careless code on the way: the key file, the live access token and an exception with the key.
        original_read = GSheetsBackend.read
        leaky = logging.getLogger("sheets_sync.sheet.gsheets")

        original_write = GSheetsBackend.write_results

        def read(self, catalog):
            leaky.debug("service account: %s", creds.path.read_text())
            try:
                raise RuntimeError(f"refresh failed for {json.loads(creds.path.read_text())}")
            except RuntimeError:
                leaky.warning("token refresh problem", exc_info=True)
            return original_read(self, catalog)

        def write_results(self, verdicts):
            token = self.account.credentials.token
            assert token, "authenticated by now"
            leaky.info("calling the API with Authorization: Bearer %s", token, extra={"headers": {
                "Authorization": f"Bearer {token}"}, "token": token})
            return original_write(self, verdicts)

        monkeypatch.setattr(GSheetsBackend, "read", read)
        monkeypatch.setattr(GSheetsBackend, "write_results", write_results)
        settings = str(tmp_path / "settings.yaml")
        assert cli.main(["--log-format", fmt, "--config", settings, "init"]) == 0
        code = cli.main(["-v", "--log-format", fmt, "--config", settings, "run", "--once"])
        tokens = list(fake.tokens)
    out, err = capfd.readouterr()
    assert code == 0, err
    assert "service account" in err and "Authorization" in err and "RuntimeError" in err  # the lines were written
    assert REDACTED in err
    assert tokens, "the run authenticated against the fake"
    for secret in key_lines(creds.private_pem.decode()) + [json.loads(creds.path.read_text())["private_key_id"], *tokens]:
        assert secret not in err and secret not in out
    if fmt == "json":
        for line in err.splitlines():
            json.loads(line)  # every line is one JSON object
