"""Makes the README's pictures from the real outputs, never drawn separately:

- docs/img/report.png: page one of the PDF that `sheets-sync report --format pdf` writes
  (headless Chromium), as pdftoppm renders it;
- docs/img/summary.png: the `สรุป` tab of a real .xlsx written by the xlsx backend, printed by
  LibreOffice with the tab's own print set-up (print area, A4 landscape, fit to width), first page.

    .venv/bin/python docs/img/make_screenshots.py

The data: the real catalogue and 59 agencies (config/agencies.yaml, completed with made-up ones
while it lists fewer) with the deterministic progress of tests/support/province_fixture.py, as of
mid-March 2566. Needs chromium, fonts-thai-tlwg, poppler-utils and libreoffice-calc-nogui (Debian).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sheets_sync.config.settings import load_config  # noqa: E402
from sheets_sync.report import governor as R  # noqa: E402
from sheets_sync.sheet.xlsx import XlsxBackend  # noqa: E402
from sheets_sync.state.history import History  # noqa: E402
from sheets_sync.state.store import State  # noqa: E402
from tests.support.province_fixture import NOW, province_config, province_history  # noqa: E402

DPI = 110


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: apt-get install chromium fonts-thai-tlwg poppler-utils "
                 f"libreoffice-calc-nogui")


def first_page_png(pdf: Path, png: Path) -> None:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)


def main() -> None:
    need("chromium", "pdftoppm", "soffice")
    out = ROOT / "docs" / "img"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = province_config(load_config(ROOT / "config" / "settings.yaml")).with_settings(
            state_path=str(tmp / "state.sqlite"))
        with State(config.settings.state_path) as state:
            h = province_history(History(state), config.agencies, config.catalog)
            R.make_report(config, h, "pdf", tmp / "report.pdf", NOW)
            book = tmp / "summary.xlsx"  # a workbook with the สรุป tab alone, written by the real backend
            XlsxBackend(book, config.settings.tz).write_summary(R.report_summary(config, h, NOW))
        first_page_png(tmp / "report.pdf", out / "report.png")
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp / 'lo').as_uri()}", "--convert-to",
                        "pdf", "--outdir", str(tmp), str(book)], check=True, capture_output=True, timeout=180)
        first_page_png(tmp / "summary.pdf", out / "summary.png")
    print("written", out / "report.png", out / "summary.png")


if __name__ == "__main__":
    main()
