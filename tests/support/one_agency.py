"""One agency (เทศบาลตำบลทาปลาดุก) on the loopback farm, synced through the real pipeline and
checker: for tests of what a cell, as typed, comes to on the sheet. Import the fixtures into a
test module (`from tests.support.one_agency import HOST, farm, setup, sync_cells`)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import Agency, Config, load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.pipeline import sync as pipeline
from tests.support.farm import Farm
from tests.support.sheets import MemoryHarness

HOST = "tapladuk.go.th"


@pytest.fixture(scope="module")
def farm():
    with Farm([HOST]) as f:
        yield f


def config_for(farm: Farm, tmp_path) -> Config:
    """The shipped settings with the farm's hosts allowed and one agency, ทาปลาดุก, on HOST."""
    base = load_config("config/settings.yaml").with_settings(state_path=str(tmp_path / "state.sqlite"))
    checker = dataclasses.replace(base.settings.checker, connect_timeout_s=1, read_timeout_s=2, total_timeout_s=4,
                                  retries=0, resolve=farm.resolve, allow_private=farm.allow,
                                  min_host_interval_s=0)
    return dataclasses.replace(base.with_settings(checker=checker),
                               agencies=(Agency("tpd", "เทศบาลตำบลทาปลาดุก", "แม่ทา", "เทศบาลตำบล", (HOST,)),))


@pytest.fixture
def setup(farm, tmp_path):
    """(config, harness): `config_for`, the agency's sheet initialised in memory."""
    config = config_for(farm, tmp_path)
    harness = MemoryHarness(tmp_path)
    pipeline.init(config, harness.backend)
    return config, harness


def sync_once(config: Config, backend, items) -> dict:
    """One sync with the real checker; the verdicts of `items`, by item."""
    checker = Checker(config.settings.checker)
    try:
        report = pipeline.sync(config, backend, checker, FixedClock(datetime(2023, 1, 20, 9, tzinfo=BANGKOK)))
    finally:
        checker.close()
    return {v.key.item: v for v in report.verdicts if v.key.item in items}


def sync_cells(config, harness, typed: dict[str, str]) -> dict:
    """Types `typed` (item -> cell text) into the agency's rows and syncs once: their verdicts."""
    harness.edit_now(lambda e: [e.set_url("tpd", item, text) for item, text in typed.items()])
    return sync_once(config, harness.backend, typed)
