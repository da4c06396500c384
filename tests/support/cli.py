"""Running the command line as users do: a real subprocess in a work folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def cli(workdir: Path, *args: str, timeout: float = 60, config: bool = True, **popen) -> subprocess.CompletedProcess:
    """`sheets-sync --config config/settings.yaml ARGS` in `workdir` (without --config if `config` is
    False); `popen`: more for subprocess.run (a preexec_fn that limits the child ...)."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(ROOT)
    head = ["--config", "config/settings.yaml"] if config else []
    return subprocess.run([sys.executable, "-m", "sheets_sync", *head, *args],
                          cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env, **popen)
