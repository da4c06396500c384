"""Tests never write into the checkout: a state file a test makes through the relative default
`data/state-<year>.sqlite` would be read as real history by the next `make run`."""

from __future__ import annotations

from pathlib import Path

from tests.support import ROOT


def test_relative_data_paths_land_outside_the_checkout_and_config_is_still_found():
    Path("data").mkdir()
    Path("data/probe.txt").write_text("made by a test", encoding="utf-8")
    assert Path.cwd().resolve() != ROOT.resolve()
    assert not (ROOT / "data" / "probe.txt").exists()
    assert Path("config/settings.yaml").resolve() == (ROOT / "config" / "settings.yaml").resolve()
