"""HTML to PDF through headless Chromium (`report --format pdf`).

Why Chromium and not WeasyPrint: Chromium is already what the tests render the report with, it
breaks Thai lines by dictionary (Thai has no spaces between words) and shapes Thai marks with
HarfBuzz, repeats table headers on every page, honours `break-after: avoid` and the page-margin
boxes that number the pages; and it adds no Python dependency (WeasyPrint brings Pango, cffi,
pydyf, tinycss2, fonttools ... into the worker's venv). Where Chromium is missing, `MissingTool`
says in one line what to install (exit code 7).

The document is our own, self-contained, scriptless HTML (report/document.py) read from a file:
nothing is fetched, there is no script to run, and Chromium gets a throw-away profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sheets_sync.core.errors import MissingTool, SheetsSyncError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = ("PDF needs headless Chromium and a Thai font: apt-get install chromium fonts-thai-tlwg "
                "(or write --format html and print it from a browser)")
TIMEOUT_S = 120


def find_chromium() -> str | None:
    """The Chromium executable: $SHEETS_SYNC_CHROMIUM if set, else the first known name on PATH."""
    override = os.environ.get("SHEETS_SYNC_CHROMIUM")
    if override is not None:
        return shutil.which(override)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html_text: str, chromium: str | None = None) -> bytes:
    """The PDF Chromium prints from `html_text` (A4 and margins come from the document's @page)."""
    exe = chromium or find_chromium()
    if exe is None:
        raise MissingTool(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="sheets-sync-pdf-") as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(html_text, encoding="utf-8")
        # --no-sandbox: Chromium refuses to start as root (CI, containers) with its sandbox; the page
        # is our own escaped, scriptless HTML from a local file. (Turning scripts off through
        # --blink-settings makes headless printing fail silently, so it is not done.)
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--no-pdf-header-footer",
               f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}", src.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SheetsSyncError(f"Chromium did not finish the PDF within {TIMEOUT_S} s") from None
        except OSError as e:
            raise MissingTool(f"{INSTALL_HINT} ({exe}: {e.strerror or e})") from None
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise SheetsSyncError(f"Chromium could not print the report to PDF: {tail[0]}")
        return out.read_bytes()
