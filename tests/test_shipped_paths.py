"""Every file path a shipped file names exists: the README, the systemd unit, the Makefile, CI,
configuration and the package's own docstrings send people to real files, never to a missing one
(the unit once pointed to docs/vm.md, which did not exist)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT

# Top-level folders whose files are shipped; a token starting with one of them is a repository path.
FOLDERS = ("docs", "deploy", "config", "bench", "tests", "sheets_sync", ".ci")
# Where the README's VM guide puts the checkout: /opt/sheets-sync/X is the repository's X.
INSTALL_ROOT = "/opt/sheets-sync/"
# Made at run time, not shipped.
RUNTIME = ("data", ".venv")
MADE_AT_INSTALL = ("config/local.yaml",)  # the VM's own settings (README, "Run it on a small VM")
PATH = re.compile(r"(?<![\w/.~-])(" + re.escape(INSTALL_ROOT) + r")?((?:" + "|".join(map(re.escape, FOLDERS + RUNTIME))
                  + r")/[\w./*-]*[\w*]|README\.md|Makefile|requirements[\w-]*\.txt|credentials\.example\.json)")


def shipped_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / n for n in names
            if not n.startswith("tests/") and Path(n).suffix in ("", ".md", ".py", ".service", ".yaml", ".toml", ".txt", ".json")
            and (ROOT / n).is_file()]


def named_paths(text: str) -> set[str]:
    """Repository paths a text names (runtime folders left out).

    >>> sorted(named_paths("see docs/vm.md and /opt/sheets-sync/README.md, not data/x.xlsx or /etc/x"))
    ['README.md', 'docs/vm.md']
    """
    out = set()
    for m in PATH.finditer(text):
        path = m.group(2).rstrip(".")
        if not path.startswith(tuple(f"{r}/" for r in RUNTIME)) and path not in MADE_AT_INSTALL:
            out.add(path)
    return out


def exists(path: str) -> bool:
    return any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()


def test_every_path_named_in_a_shipped_file_exists():
    missing = sorted(f"{f.relative_to(ROOT)}: {p}" for f in shipped_files()
                     for p in named_paths(f.read_text(encoding="utf-8", errors="replace")) if not exists(p))
    assert missing == []


@pytest.mark.parametrize("text, found", [
    ('see "Run it on a small VM" in the README (docs/vm.md)', False),
    ("tests/support/fake_sheets*.py", True),
    ("ExecStart=/opt/sheets-sync/.venv/bin/sheets-sync --config config/settings.yaml run", True),
    ("ExecStart=/opt/sheets-sync/.venv/bin/sheets-sync --config config/local.yaml run", None),
])
def test_the_scan_finds_paths_and_sees_a_missing_one(text, found):
    paths = named_paths(text)
    if found is None:  # a file made at install time is named, not looked for
        assert paths == set()
        return
    assert paths and all(exists(p) for p in paths) is found


def test_the_vms_own_settings_file_is_one_git_pull_leaves_alone():
    """The README's update (`git pull`) stopped at "local changes would be overwritten" on a VM
    whose settings were edited in config/settings.yaml: the unit reads config/local.yaml, ignored."""
    unit = (ROOT / "deploy" / "sheets-sync.service").read_text(encoding="utf-8")
    assert "--config config/local.yaml run" in unit
    ignored = subprocess.run(["git", "check-ignore", "-q", "config/local.yaml"], cwd=ROOT)
    assert ignored.returncode == 0
