"""Fixtures of the pipeline tests: a two-agency config on loopback, on every backend harness."""

from __future__ import annotations

import dataclasses

import pytest

from sheets_sync.config.settings import Agency, load_config
from sheets_sync.pipeline import sync as pipeline
from tests.support.sheets import HARNESSES


@pytest.fixture
def config(tmp_path):
    """Two agencies whose sites are on loopback, a quick checker and a state file in tmp_path."""
    base = load_config("config/settings.yaml").with_settings(state_path=str(tmp_path / "state.sqlite"))
    local = ("127.0.0.1",)
    agencies = (Agency("a-one", "เทศบาลตำบลหนึ่ง", "ลี้", "เทศบาลตำบล", local, 80.5, "B"),
                Agency("b-two", "องค์การบริหารส่วนตำบลสอง", "บ้านโฮ่ง", "อบต.", local))
    checker = dataclasses.replace(base.settings.checker, connect_timeout_s=1, read_timeout_s=2, total_timeout_s=4,
                                  retries=0, allow_private=("127.0.0.0/8",))
    return dataclasses.replace(base.with_settings(checker=checker), agencies=agencies)


@pytest.fixture(params=sorted(HARNESSES))
def sheet(request, tmp_path, config):
    harness = HARNESSES[request.param](tmp_path)
    pipeline.init(config, harness.backend)
    return harness
