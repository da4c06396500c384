"""Makes docs/img/reminder.png: an agency's reminder e-mail as a mail client shows it.

    .venv/bin/python docs/img/make_reminder_screenshot.py

The e-mail is built by the real code (`sheets_sync.notify.remind.run`, dry run: nothing is sent)
from a small made-up history on the real catalogue, 7 days before round 2's deadline. The page
shows the headers a mail client would (decoded) above the HTML part. Needs chromium and
fonts-thai-tlwg (Debian packages).
"""

from __future__ import annotations

import dataclasses
import html
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sheets_sync.config.settings import load_config  # noqa: E402
from sheets_sync.core.clock import BANGKOK  # noqa: E402
from sheets_sync.core.models import RowKey, Status, Verdict  # noqa: E402
from sheets_sync.notify import remind  # noqa: E402
from sheets_sync.state.history import History  # noqa: E402
from sheets_sync.state.store import State  # noqa: E402

NOW = datetime(2023, 2, 21, 8, 0, tzinfo=BANGKOK)  # 7 days before round 2 (28 Feb 2566)
ROWS = {  # item -> (URL, status, reasons); the other items of rounds 1 and 2 are valid, round 2's last two empty
    "O2": ("https://www.example-tambon.go.th/", Status.WARNING, ("homepage_only",)),
    "O13": ("https://www.example-tambon.go.th/report-2564.pdf", Status.WARNING, ("no_fiscal_year",)),
    "O17": ("https://www.example-tambon.go.th/survey", Status.BROKEN, ("http_4xx",)),
    "O22": ("https://drive.google.com/file/d/1AbC/view", Status.BROKEN, ("login_required",)),
}


def main() -> None:
    chromium = shutil.which("chromium") or sys.exit("chromium not found: apt-get install chromium fonts-thai-tlwg")
    config = load_config(ROOT / "config" / "settings.yaml")
    agency = dataclasses.replace(config.agencies[0], reminder_emails=("saraban@example-tambon.go.th",))
    out = ROOT / "docs" / "img" / "reminder.png"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        notify = dataclasses.replace(config.settings.notify, sheet_url="https://docs.google.com/spreadsheets/d/"
                                                                       "1ITA2566Lamphun/edit#gid=0")
        config = dataclasses.replace(config, agencies=(agency,)).with_settings(
            state_path=str(tmp / "state.sqlite"), notify=notify)
        round_2 = [i.code for i in config.catalog.items if i.round == 2]
        verdicts = []
        for item in config.catalog.items:
            key = RowKey(agency.code, item.code)
            if item.code in ROWS:
                url, status, reasons = ROWS[item.code]
                verdicts.append(Verdict(key, url, status, reasons))
            elif item.round == 1 or (item.round == 2 and item.code not in round_2[-2:]):
                verdicts.append(Verdict(key, f"https://www.example-tambon.go.th/oit/{item.code.lower()}", Status.OK))
            else:
                verdicts.append(Verdict(key, "", Status.EMPTY))
        with State(config.settings.state_path) as state:
            History(state).record(verdicts, NOW, (agency,))  # a sync at send_at: the reminder is not held
            result = remind.run(config, state, (agency,), NOW, dry_run=True)
        digest = next(d for d in result.digests if d.kind == "agency")
        page = tmp / "mail.html"
        page.write_text(mail_client(digest, "ITA จังหวัดลำพูน <ita@lamphun.go.th>"), encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp / 'profile'}", "--hide-scrollbars", f"--screenshot={out}",
                        "--window-size=1000,1280", page.as_uri()], check=True, capture_output=True, timeout=60)
    print("written", out)


def mail_client(digest, sender: str) -> str:
    """The headers as a mail client shows them, above the message's HTML part."""
    head = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in (
        ("จาก", sender), ("ถึง", ", ".join(digest.to)), ("เรื่อง", digest.subject)))
    return ("<!DOCTYPE html><html lang='th'><head><meta charset='utf-8'><style>"
            "body{margin:0;font-family:'Sarabun','Loma',sans-serif;background:#e8eaed}"
            "table.h{width:100%;background:#fff;border-bottom:1px solid #ccc;padding:8px 16px;font-size:14px}"
            "table.h th{text-align:left;color:#555;width:60px;font-weight:normal}"
            "iframe{border:0;width:100%;height:1160px}</style></head><body>"
            f"<table class='h'>{head}</table><iframe srcdoc=\"{html.escape(digest.html, quote=True)}\"></iframe>"
            "</body></html>")


if __name__ == "__main__":
    main()
