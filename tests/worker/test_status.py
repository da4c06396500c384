"""data/worker-status.json and `sheets-sync status`: atomic writes, plain words, Bangkok times,
and the command working after `make run` on a fresh copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from sheets_sync.core.clock import BANGKOK
from sheets_sync.worker import status
from sheets_sync.worker.lock import Holder
from tests.support import ROOT


def run(started: str, outcome: str, **kw) -> status.RunRecord:
    return status.RunRecord(started=started, mode=kw.pop("mode", "run"), outcome=outcome, **kw)


def test_record_is_atomic_and_keeps_the_last_success_across_a_failure(tmp_path):
    path = tmp_path / "data" / status.STATUS_FILE
    ok = run("2023-01-15T02:00:00+00:00", "ok", ended="2023-01-15T02:01:03+00:00", rows=2537, urls_checked=900,
             written=40, counts={"ok": 800, "broken": 12, "empty": 1725})
    status.record(path, ok, next_run=datetime(2023, 1, 15, 9, 31, tzinfo=BANGKOK))
    failed = run("2023-01-15T02:31:00+00:00", "failed", ended="2023-01-15T02:31:05+00:00",
                 error="the sheet could not be read: HTTP 503")
    data = status.record(path, failed, failures=1)
    assert data["last_success"]["rows"] == 2537 and data["last_run"]["outcome"] == "failed"
    assert data["next_run"] == "2023-01-15T09:31:00+07:00"  # kept: a failure does not know the plan
    assert status.load(path) == data
    assert [p.name for p in path.parent.iterdir()] == [status.STATUS_FILE]  # no temp file left


def test_render_says_it_in_plain_words_with_bangkok_times():
    data = {
        "last_run": {"started": "2023-01-15T02:31:00+00:00", "ended": "2023-01-15T02:31:05+00:00", "mode": "run",
                     "outcome": "failed", "error": "the sheet could not be read: HTTP 503"},
        "last_success": {"started": "2023-01-15T02:00:00+00:00", "ended": "2023-01-15T02:01:03+00:00",
                         "mode": "run", "outcome": "ok", "rows": 2537, "urls_checked": 900, "written": 40,
                         "counts": {"ok": 800, "broken": 12, "empty": 1725}},
        "next_run": "2023-01-15T02:32:05+00:00", "consecutive_failures": 2,
    }
    now = datetime(2023, 1, 15, 2, 31, 30, tzinfo=timezone.utc)
    text = status.render(data, now, BANGKOK, worker=Holder(4242, "run", "2023-01-14T08:00:00+07:00", True))
    assert "Worker: running (pid 4242" in text
    assert "Last run FAILED: `run` started Sun 15 Jan 2023 09:31 Bangkok time (less than a minute ago)" in text
    assert "Cause: the sheet could not be read: HTTP 503" in text
    assert "Last successful run: started Sun 15 Jan 2023 09:00 Bangkok time (31 minutes ago)" in text
    assert "2537 rows, 900 URLs checked, 40 rows updated in the sheet" in text
    assert "800 working, 12 does not open, 1725 not submitted yet" in text
    assert "Failed runs in a row: 2." in text
    assert "Next run: Sun 15 Jan 2023 09:32 Bangkok time (in less than a minute)." in text


def test_render_without_a_status_file_or_with_a_dead_run(tmp_path):
    now = datetime(2023, 1, 15, 9, 0, tzinfo=BANGKOK)
    assert "No run has been recorded yet" in status.render(None, now)
    # a file that is there but records no run (empty, damaged) is not said not to exist
    there = tmp_path / "worker-status.json"
    there.write_text("[]", encoding="utf-8")
    assert f"({there} records no run)" in status.render(None, now, path=there)
    assert f"({tmp_path / 'gone.json'} does not exist)" in status.render(None, now, path=tmp_path / "gone.json")
    data = {"last_run": {"started": "2023-01-15T08:00:00+07:00", "mode": "sync", "outcome": "running"},
            "last_success": None, "next_run": None}
    text = status.render(data, now, running=Holder(999999, "sync", "", alive=False))
    assert "did not finish: its process ended before it could record an outcome" in text
    assert "No run has succeeded yet." in text


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_status_works_after_make_run_on_a_fresh_copy(tmp_path):
    """`make run` (init + sync) in a copy of the repository with no data/, then `status`. The
    copy reuses this checkout's .venv, marked up to date (-o) so make never reinstalls."""
    fresh = tmp_path / "clone"
    fresh.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.txt", "requirements-test.txt"):
        shutil.copy2(ROOT / name, fresh / name)
    shutil.copytree(ROOT / "config", fresh / "config")
    venv = ROOT / ".venv"
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(ROOT)
    made = subprocess.run(["make", "-o", f"{venv}/.installed", "run", f"VENV={venv}"], cwd=fresh, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stdout + made.stderr
    assert (fresh / "data" / "worker-status.json").exists()
    out = subprocess.run([str(venv / "bin" / "sheets-sync"), "status"], cwd=fresh, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Last run succeeded: `sync` started" in out.stdout
    assert "2537 rows" in out.stdout and "Worker: not running" in out.stdout  # 59 agencies x 43 items


def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    unit = (ROOT / "deploy" / "sheets-sync.service").read_text(encoding="utf-8")
    for directive in ("User=sheets-sync", "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict",
                      "ReadWritePaths=/opt/sheets-sync/data", "PrivateTmp=yes", "TimeoutStopSec=30",
                      "ExecReload=/bin/kill -HUP $MAINPID"):
        assert directive in unit.splitlines(), directive
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        reason = "systemd-analyze is not installed here (no systemd): deploy/sheets-sync.service was not verified"
        print(reason)
        pytest.skip(reason)
    # verify insists that ExecStart exists: point it at this checkout instead of /opt/sheets-sync.
    copy = tmp_path / "sheets-sync.service"
    copy.write_text(unit.replace("/opt/sheets-sync/.venv/bin/sheets-sync", f"{sys.executable} -m sheets_sync"),
                    encoding="utf-8")
    out = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    print(out.stdout + out.stderr)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "sheets-sync.service" not in out.stdout + out.stderr  # no warning about our unit


def test_a_failed_retry_does_not_hide_the_run_that_sent_the_reminders(tmp_path):
    """Four sent on Monday, one refused on Tuesday's retry, nothing due on Wednesday: status says all three."""
    path = tmp_path / "status.json"
    status.record_reminders(path, {"at": "2023-01-23T08:00:00+07:00", "slots": ["r1-7d"], "sent": 4, "failed": 1})
    status.record_reminders(path, {"at": "2023-01-24T08:00:00+07:00", "slots": ["r1-7d"], "sent": 0, "failed": 1})
    status.record_reminders(path, {"at": "2023-01-25T08:00:00+07:00", "slots": [], "sent": 0, "failed": 0})
    lines = status.reminder_lines(status.load(path), datetime(2023, 1, 25, 9, 0, tzinfo=BANGKOK), BANGKOK)
    assert [line.split(":")[0] for line in lines] == ["Last reminders sent", "Last reminder failure",
                                                       "Last reminder check"]
    assert "r1-7d; 4 sent, 1 failed" in lines[0] and "r1-7d; 0 sent, 1 failed" in lines[1]
    assert "none due; 0 sent, 0 failed" in lines[2]
    status.record_reminders(path, {"at": "2023-01-26T08:00:00+07:00", "slots": ["r1-7d"], "sent": 0, "held": 2})
    told = status.reminder_lines(status.load(path), datetime(2023, 1, 26, 9, 0, tzinfo=BANGKOK), BANGKOK)[0]
    assert told.startswith("Last reminders sent") and "2 held: no sync has checked their rows" in told


def test_status_read_from_another_settings_file_advises_commands_with_it(tmp_path):
    """On the VM `status --config config/local.yaml` said "start it with `sheets-sync run`": typed
    as shown that runs the shipped settings, the local workbook, not the Google Sheet."""
    import dataclasses
    import io

    from sheets_sync.config.settings import DEFAULT_SETTINGS
    from sheets_sync.worker.loop import show_status
    from tests.support.configs import shipped_config

    config = shipped_config(1, state_path=str(tmp_path / "data" / "state.sqlite"))
    local = dataclasses.replace(config, settings_path=tmp_path / "my settings" / "local.yaml")
    out = io.StringIO()
    assert show_status(local, now=datetime(2023, 1, 15, 9, 0, tzinfo=BANGKOK), out=out) == 0
    quoted = f"'{tmp_path / 'my settings' / 'local.yaml'}'"  # a path with a space is typed quoted
    assert f"`sheets-sync --config {quoted} run`" in out.getvalue()
    assert f"Run `sheets-sync --config {quoted} sync`" in out.getvalue()
    default = dataclasses.replace(config, settings_path=DEFAULT_SETTINGS)
    out = io.StringIO()
    show_status(default, now=datetime(2023, 1, 15, 9, 0, tzinfo=BANGKOK), out=out)
    assert "`sheets-sync run`" in out.getvalue() and "--config" not in out.getvalue()
