"""`sheets-sync remind` as the province runs it: a real process, a workbook made by `init` with
the reminder addresses in the หน่วยงาน tab, a real SMTP server on loopback. The catalogue's
deadline is set three days after today, so today's reminder is due by the real clock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from sheets_sync.config.settings import load_config
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.notify.ledger import Ledger
from sheets_sync.pipeline.sync import init
from sheets_sync.sheet.kinds import open_backend
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support import ROOT
from tests.support.smtp import SmtpServer, free_port

N = 10


def province(tmp_path: Path, port: int, checked: datetime | None = None) -> Path:
    """A work folder: config/ for 10 agencies with addresses, the workbook laid out, and a
    history in which every agency has O1 broken and O2 still empty, as a sync found them at
    `checked` (default: now)."""
    today = datetime.now(BANGKOK).date()
    cfg = tmp_path / "config"
    cfg.mkdir()
    (cfg / "settings.yaml").write_text(yaml.safe_dump({
        "backend": {"kind": "xlsx", "xlsx_path": "data/oit.xlsx"},
        "state_path": "data/state.sqlite", "items_file": "items.yaml", "agencies_file": "agencies.yaml",
        "expected_agencies": N, "target_agencies": 8,
        "notify": {"enabled": True, "days_before": [3], "after_deadline": False, "send_at": "00:00",
                   "smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                            "from_address": "ita@lamphun.go.th", "timeout_s": 5}},
    }, allow_unicode=True), encoding="utf-8")
    deadline = today + timedelta(days=3)
    (cfg / "items.yaml").write_text(yaml.safe_dump({
        # the assessment of the fiscal year the deadline falls in (which begins on 1 October)
        "year": deadline.year + 543 + (deadline.month >= 10),
        "rounds": [{"number": 1, "deadline": deadline.isoformat()}],
        "items": [{"code": "O1", "title": "โครงสร้าง", "round": 1}, {"code": "O2", "title": "ข้อมูลผู้บริหาร", "round": 1}],
    }, allow_unicode=True), encoding="utf-8")
    (cfg / "agencies.yaml").write_text(yaml.safe_dump({"agencies": [
        {"code": f"ag{i:02d}", "name": f"เทศบาลตำบลที่ {i}", "reminder_emails": [f"ag{i:02d}@lamphun.go.th"]}
        for i in range(1, N + 1)]}, allow_unicode=True), encoding="utf-8")
    config = load_config(cfg / "settings.yaml")
    init(config, open_backend(config))
    record_sync(config, checked or datetime.now(BANGKOK))
    return tmp_path


def record_sync(config, at: datetime) -> None:
    """What a sync at `at` leaves in the history: every row judged (O1 broken, O2 empty)."""
    with State(config.settings.state_path) as state:
        History(state).record([Verdict(RowKey(a.code, "O1"), f"https://{a.code}.go.th/x", Status.BROKEN, ("http_4xx",))
                               for a in config.agencies]
                              + [Verdict(RowKey(a.code, "O2"), "", Status.EMPTY) for a in config.agencies], at)


@pytest.fixture
def workdir_chdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # settings.yaml's relative paths, as the CLI in that folder sees them
    return tmp_path


def command(workdir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sheets_sync", "--config", "config/settings.yaml", "remind", *args]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    e["PYTHONPATH"] = str(ROOT)
    return e


def test_killed_after_3_of_10_the_restart_sends_the_other_7_and_never_the_first_3(workdir_chdir):
    with SmtpServer() as server:
        work = province(workdir_chdir, server.port)
        proc: dict = {}

        def kill_before_the_fourth(n: int) -> str | None:
            if n == 3:
                os.kill(proc["p"].pid, signal.SIGKILL)
                return "451 4.3.0 shutting down"
            return None

        server.inbox.before_data = kill_before_the_fourth
        proc["p"] = subprocess.Popen(command(work), cwd=work, env=env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        proc["p"].communicate(timeout=60)
        assert proc["p"].returncode == -signal.SIGKILL
        first = [m.rcpt_tos[0] for m in server.inbox.messages]
        assert len(first) == 3

        server.inbox.before_data = None
        again = subprocess.run(command(work), cwd=work, env=env(), capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        assert "7 sent, 0 failed, 3 already sent earlier" in again.stdout
        everyone = [m.rcpt_tos[0] for m in server.inbox.messages]
        assert len(everyone) == N and sorted(everyone) == [f"ag{i:02d}@lamphun.go.th" for i in range(1, N + 1)]
        assert everyone[:3] == first  # the first three were not sent again

        third = subprocess.run(command(work), cwd=work, env=env(), capture_output=True, text=True, timeout=60)
        assert third.returncode == 0 and "0 sent" in third.stdout and len(server.inbox.messages) == N
    with State(work / "data" / "state.sqlite") as state:
        assert Ledger(state).counts() == {"sent": N}


def test_a_mail_server_that_refuses_is_one_line_and_exit_3_and_nothing_is_marked(workdir_chdir):
    work = province(workdir_chdir, free_port())  # nothing listens on that port
    done = subprocess.run(command(work), cwd=work, env=env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "127.0.0.1" in lines[0] and "connection refused" in lines[0], done.stderr
    with State(work / "data" / "state.sqlite") as state:
        assert Ledger(state).counts() == {}
    status = subprocess.run([sys.executable, "-m", "sheets_sync", "--config", "config/settings.yaml", "status"],
                            cwd=work, env=env(), capture_output=True, text=True, timeout=60)
    assert "connection refused" in status.stdout


def test_dry_run_prints_who_gets_what_and_sends_nothing(workdir_chdir):
    with SmtpServer() as server:
        work = province(workdir_chdir, server.port)
        done = subprocess.run(command(work, "--dry-run"), cwd=work, env=env(), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert "10 message(s) to send" in done.stdout
        year = yaml.safe_load((work / "config" / "items.yaml").read_text(encoding="utf-8"))["year"]
        assert f"ag07@lamphun.go.th | [ITA {year} ลำพูน] เทศบาลตำบลที่ 7: เหลือ 3 วัน" in done.stdout
        assert server.inbox.messages == []
        bad = subprocess.run(command(work, "--to", "not an address"), cwd=work, env=env(), capture_output=True,
                             text=True, timeout=60)
        assert bad.returncode == 2 and "--to" in bad.stderr


def test_remind_before_any_sync_today_holds_the_reminders_with_exit_8_and_marks_nothing(workdir_chdir):
    """The last sync was yesterday: `remind` alone would e-mail yesterday's advice as today's and
    mark it sent. It refuses in one line that says to sync first; after a sync it sends."""
    with SmtpServer() as server:
        yesterday = datetime.now(BANGKOK) - timedelta(days=1)  # before today's send_at (00:00)
        work = province(workdir_chdir, server.port, checked=yesterday)
        held = subprocess.run(command(work), cwd=work, env=env(), capture_output=True, text=True, timeout=60)
        assert held.returncode == 8, held.stderr
        lines = [line for line in held.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "not sent: 10 reminder(s)" in lines[0] and "`sheets-sync sync` first" in lines[0]
        assert f"ag01 (rows last checked {yesterday:%Y-%m-%d %H:%M})" in lines[0]
        assert "0 sent" in held.stdout and server.inbox.messages == []
        with State(work / "data" / "state.sqlite") as state:
            assert Ledger(state).counts() == {}
        dry = subprocess.run(command(work, "--dry-run"), cwd=work, env=env(), capture_output=True, text=True,
                             timeout=60)
        assert dry.returncode == 0 and "0 message(s) to send" in dry.stdout
        assert dry.stdout.count("held, no sync has checked its rows since") == 10

        record_sync(load_config(work / "config" / "settings.yaml"), datetime.now(BANGKOK))
        sent = subprocess.run(command(work), cwd=work, env=env(), capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
        assert "10 sent" in sent.stdout and len(server.inbox.messages) == N
