"""Fixtures of the import and template tests: a small agency subset on every backend harness."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from sheets_sync.config.settings import load_config
from tests.support import ROOT
from tests.support.importing import SUBSET, lacks_write_urls
from tests.support.sheets import HARNESSES


@pytest.fixture(scope="module")
def config():
    full = load_config(ROOT / "config" / "settings.yaml")
    return dataclasses.replace(full, agencies=tuple(a for a in full.agencies if a.code in SUBSET))


@pytest.fixture(scope="module")
def all_agencies():
    return load_config(ROOT / "config" / "settings.yaml").agencies


@pytest.fixture(params=sorted(HARNESSES))
def sheet(request, tmp_path, config):
    harness = HARNESSES[request.param](tmp_path)
    if lacks_write_urls(harness.backend):
        pytest.skip(f"{request.param} write_urls pending")
    harness.backend.ensure_layout(config.catalog, config.agencies)
    yield harness
    close = getattr(harness, "close", None)
    if close:
        close()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    agencies = tmp_path / "config" / "agencies.yaml"
    lines = agencies.read_text(encoding="utf-8").splitlines()
    keep = [ln for ln in lines if not ln.lstrip().startswith("- {code:") or any(f"code: {c}," in ln for c in SUBSET)]
    agencies.write_text("\n".join(keep) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path
