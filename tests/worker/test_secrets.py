"""Secrets never reach a file or an output (issue 11).

The loopback Sheets fake answers with errors whose bodies quote what the request carried: the
Authorization header, the bare access token and the service account's private key id (bare too,
as in "granted for key 3f2a..."). Real `sheets-sync` processes (gspread and google-auth talking
to the fake) run a sync that fails on the verdict write after a retried 503, then `run --once`
whose summary write fails after the verdicts were written, then `status`. Every file under data/,
every row of every table of the state file, the status output and the logs (stderr at debug
level, tracebacks included) are searched for the token, the key id and the key's lines: 0 hits.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
import yaml

from sheets_sync.config.settings import load_config
from tests.support.cli import cli
from tests.support.fake_sheets import FakeSheets, write_credentials


@pytest.fixture
def gsheets_workdir(workdir):
    fake = FakeSheets().start()
    try:
        creds = write_credentials(workdir, fake)
        sid = fake.create_spreadsheet(shared_with=[creds.email])
        path = workdir / "config" / "agencies.yaml"
        agencies = yaml.safe_load(path.read_text(encoding="utf-8"))
        agencies["agencies"] = agencies["agencies"][:2]
        path.write_text(yaml.safe_dump(agencies, allow_unicode=True), encoding="utf-8")
        settings = workdir / "config" / "settings.yaml"
        text = settings.read_text(encoding="utf-8")
        for old, new in (("kind: xlsx", "kind: gsheets"), ('spreadsheet: ""', f'spreadsheet: "{sid}"'),
                         ("credentials: credentials.json", f"credentials: {creds.path}"),
                         ("api_endpoint: https://sheets.googleapis.com", f"api_endpoint: {fake.url}")):
            assert old in text
            text = text.replace(old, new)
        settings.write_text(text, encoding="utf-8")
        yield workdir, fake, creds
    finally:
        fake.stop()


def state_rows(db_path: Path) -> str:
    with sqlite3.connect(f"file:{db_path}?immutable=1", uri=True) as db:
        return "\n".join(db.iterdump())


def test_credentials_echoed_by_the_api_reach_no_file_and_no_output(gsheets_workdir):
    workdir, fake, creds = gsheets_workdir
    key_id = json.loads(creds.path.read_text())["private_key_id"]
    key_lines = [line for line in creds.private_pem.decode().splitlines() if line and not line.startswith("-----")]
    assert cli(workdir, "init").returncode == 0

    # 1. The verdict write: a 503 (retried, logged) then a 400, both quoting the credentials.
    fake.inject("write", status=503, times=1, echo=True)
    fake.inject("write", status=400, times=1, echo=True)
    failed = cli(workdir, "-v", "sync")
    assert failed.returncode == 3, failed.stderr
    # 2. The verdicts are written, then the summary write is refused, quoting them again.
    start = len(fake.log)
    writes: list[str] = []

    def second_write(seen) -> bool:
        if seen.kind == "write":
            writes.append(seen.op)
        return len(writes) == 2

    # 409 ABORTED: not retried, and not the 400 on which a summary is rebuilt on fresh tab ids.
    fake.before_next(second_write, lambda f: f.inject("write", status=409, times=1, echo=True))
    half = cli(workdir, "-v", "--log-format", "json", "run", "--once")
    assert half.returncode == 3, half.stderr
    assert [s.status for s in fake.requests(start) if s.kind == "write"] == [200, 409]
    shown = cli(workdir, "status")
    assert shown.returncode == 0, shown.stderr

    tokens = list(fake.tokens)
    assert len(tokens) >= 2 and all(fake.token_key_ids[t] == key_id for t in tokens)  # the fake knew what to echo
    status_file = workdir / "data" / "worker-status.json"
    texts = {str(p.relative_to(workdir)): p.read_bytes().decode("utf-8", "replace")
             for p in (workdir / "data").rglob("*") if p.is_file()}
    state_path = load_config(workdir / "config" / "settings.yaml").settings.state_path  # data/state-<year>.sqlite
    assert state_path in texts and "data/worker-status.json" in texts
    texts["state file tables"] = state_rows(workdir / state_path)
    texts["status output"] = shown.stdout + shown.stderr
    texts["sync logs"] = failed.stdout + failed.stderr
    texts["run --once logs"] = half.stdout + half.stderr
    secrets = {"token": tokens, "private key id": [key_id], "key": key_lines}
    hits = [(where, kind) for where, text in texts.items() for kind, values in secrets.items()
            for value in values if value in text]
    assert hits == []

    # The echoes did arrive, and what they said is kept, redacted.
    last = json.loads(status_file.read_text(encoding="utf-8"))["last_run"]["error"]
    assert "Authorization: [REDACTED]; access token [REDACTED] was granted for key [REDACTED]" in last
    assert "verdicts of this run were written" in last  # 7: a failed summary write says so
    assert "granted for key [REDACTED]" in texts["state file tables"]
    assert "Cause:" in shown.stdout and "[REDACTED]" in shown.stdout
    assert "retry 1" in failed.stderr and "Traceback" in failed.stderr  # -v: the retry and the traceback, redacted

    # The status file is private like the key; `status` says so when it is not.
    assert stat.S_IMODE(status_file.stat().st_mode) == 0o600
    assert "Warning" not in shown.stdout
    status_file.chmod(0o644)
    warned = cli(workdir, "status")
    assert f"chmod 600 {Path('data') / 'worker-status.json'}" in warned.stdout


def test_without_verbose_a_failure_is_one_line(gsheets_workdir):
    workdir, fake, _ = gsheets_workdir
    assert cli(workdir, "init").returncode == 0
    fake.inject("read", status=400, times=1, echo=True)
    done = cli(workdir, "sync")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 3 and len(lines) == 1, done.stderr
    assert "could not read the spreadsheet" in lines[0] and "Traceback" not in done.stderr
