"""Makes docs/img/summary.png and docs/img/report.png from a demo history (no network, no sheet).

    .venv/bin/python docs/img/make_screenshots.py

The demo: the real catalogue (43 items, 3 rounds) and the agencies of config/agencies.yaml, with
deterministic made-up progress recorded by sync-like steps from January to mid-March 2566.
Needs chromium and fonts-thai-tlwg (Debian packages).
"""

from __future__ import annotations

import html
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sheets_sync.report import governor as R  # noqa: E402
from sheets_sync.report import summary as S  # noqa: E402
from sheets_sync.core.clock import BANGKOK  # noqa: E402
from sheets_sync.config.settings import load_config  # noqa: E402
from sheets_sync.state.history import History  # noqa: E402
from sheets_sync.core.models import RowKey, Status, Verdict  # noqa: E402
from sheets_sync.state.store import State  # noqa: E402

NOW = datetime(2023, 3, 15, 9, 30, tzinfo=BANGKOK)


def demo_history(config, state: State) -> History:
    rng = random.Random(2566)
    h = History(state)
    agencies, catalog = config.agencies, config.catalog
    skill = {a.code: (0.55 if a.failed_2565 else 0.8) + rng.uniform(-0.2, 0.15) for a in agencies}
    status: dict[RowKey, tuple[str, Status]] = {}
    day = datetime(2023, 1, 5, 9, 0, tzinfo=BANGKOK)
    while day <= NOW:
        verdicts = []
        for a in agencies:
            for item in catalog.items:
                key = RowKey(a.code, item.code)
                deadline = datetime.combine(catalog.round(item.round).deadline, datetime.min.time(), BANGKOK)
                pressure = max(0.0, 1 - (deadline - day).days / 30)
                url, st = status.get(key, ("", Status.EMPTY))
                if st in (Status.EMPTY,) and rng.random() < 0.09 * pressure * skill[a.code] * 2:
                    url = f"https://{a.code}.go.th/oit/{item.code.lower()}"
                    st = rng.choices([Status.OK, Status.WARNING, Status.BROKEN, Status.INVALID],
                                     [skill[a.code], 0.15, 0.25 * (1 - skill[a.code]) + 0.03, 0.03])[0]
                elif st in (Status.BROKEN, Status.INVALID) and rng.random() < 0.08 * skill[a.code]:
                    url, st = url + "-fixed", Status.OK
                status[key] = (url, st)
                verdicts.append(Verdict(key, url, st))
        h.record(verdicts, day, agencies)
        if day.weekday() == 0:
            h.record_report(day + timedelta(hours=8))
        day += timedelta(days=1)
    return h


def sheet_html(summary) -> str:
    """The สรุป tab as a spreadsheet shows it: a grid of cells with column letters and row numbers."""
    rows, headers = summary.grid()
    width = max(len(r) for r in rows)
    header_rows = set(headers)
    title_rows = {h - 1 for h in headers}
    letters = [chr(ord("A") + i) for i in range(width)]
    out = ["<!DOCTYPE html><html lang='th'><head><meta charset='utf-8'><style>",
           f"body{{margin:0;font-family:{R.FONT_STACK};font-size:12px;background:#fff}}",
           "table{border-collapse:collapse}td,th{border:1px solid #d0d0d0;padding:2px 5px;white-space:nowrap;"
           "max-width:260px;overflow:hidden;text-overflow:ellipsis;height:19px}"
           "th{background:#f1f3f4;color:#555;font-weight:normal}td.n{text-align:right}"
           "tr.h td{background:#ddebf7;font-weight:bold}tr.t td{font-weight:bold;font-size:13px}"
           "tr.top td{font-weight:bold;font-size:15px}.tab{position:fixed;bottom:0;left:0;right:0;background:#f1f3f4;"
           "border-top:1px solid #ccc;padding:6px 12px;font-size:13px}.tab b{background:#fff;padding:4px 14px;"
           "border-bottom:3px solid #1a73e8}.tab span{padding:4px 14px;color:#555}</style></head><body><table>",
           "<tr><th></th>" + "".join(f"<th>{c}</th>" for c in letters) + "</tr>"]
    for i, row in enumerate(rows):
        cls = "h" if i in header_rows else "t" if i in title_rows else "top" if i == 0 else ""
        cells = []
        for v in list(row) + [""] * (width - len(row)):
            num = isinstance(v, (int, float)) and not isinstance(v, bool)
            text = f"{v:.1f}" if isinstance(v, float) else str(v)
            if i < len(summary.heading) or i in title_rows:
                cells.append(f"<td colspan='{width}'>{html.escape(text)}</td>")
                break
            cells.append(f"<td class='{'n' if num else ''}'>{html.escape(text)}</td>")
        out.append(f"<tr class='{cls}'><th>{i + 1}</th>{''.join(cells)}</tr>")
    out.append("</table><div class='tab'><span>ส่ง URL</span><b>สรุป</b><span>สรุปรอบ 1 (31 มกราคม 2566)</span>"
               "<span>สรุปรอบ 2 (28 กุมภาพันธ์ 2566)</span><span>หน่วยงาน</span><span>คำชี้แจง</span></div>"
               "</body></html>")
    return "".join(out)


def shoot(chromium: str, page: Path, png: Path, size: str, profile: Path) -> None:
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--hide-scrollbars", f"--screenshot={png}", f"--window-size={size}",
                    page.as_uri()], check=True, capture_output=True, timeout=60)


def main() -> None:
    chromium = shutil.which("chromium") or sys.exit("chromium not found: apt-get install chromium fonts-thai-tlwg")
    config = load_config(ROOT / "config" / "settings.yaml")
    out = ROOT / "docs" / "img"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = config.with_settings(state_path=str(tmp / "state.sqlite"))
        with State(config.settings.state_path) as state:
            h = demo_history(config, state)
            summary = S.summary_at(h, NOW, config.catalog, config.agencies, R.options(config))
            (tmp / "summary.html").write_text(sheet_html(summary), encoding="utf-8")
            R.make_report(config, h, "html", tmp / "report.html", NOW)
        shoot(chromium, tmp / "summary.html", out / "summary.png", "1600,1000", tmp / "profile")
        shoot(chromium, tmp / "report.html", out / "report.png", "1240,1754", tmp / "profile")
    print("written", out / "summary.png", out / "report.png")


if __name__ == "__main__":
    main()
