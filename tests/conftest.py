"""Shared test setup. The package is not installed, so make the repository root importable
(for `sheets_sync` and `tests.support`)."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


import pytest  # noqa: E402

from tests.support.workdir import make_workdir  # noqa: E402


@pytest.fixture
def workdir(tmp_path):
    """A copy of config/ whose workbook lives in tmp_path, with private loopback allowed."""
    return make_workdir(tmp_path)


@pytest.fixture
def restore_root_logging():
    """For tests that run the CLI in-process: its logging set-up adds handlers to the root logger."""
    import logging

    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield
    for h in root.handlers[:]:
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _scratch_working_folder(tmp_path_factory, monkeypatch):
    """Each test runs in a scratch folder that links every top-level entry of the checkout except
    data/. Tests load `config/settings.yaml` by its relative path, and its state file and workbook
    paths are relative too: without this, a test's history landed in the checkout's data/, where
    the next `make run` read it as real (and wrote round snapshots from it)."""
    root = Path(_ROOT)
    scratch = tmp_path_factory.mktemp("cwd")
    for entry in root.iterdir():
        if entry.name != "data":
            (scratch / entry.name).symlink_to(entry)
    monkeypatch.chdir(scratch)
