"""The shipped configuration, cut down for tests."""

from __future__ import annotations

import dataclasses

from sheets_sync.config.settings import Config, load_config
from tests.support import ROOT


def shipped_config(agencies: int, **settings) -> Config:
    """config/settings.yaml as shipped, with only its first `agencies` agencies (a small, fast
    sheet; the logic under test does not depend on the count) and `settings` changed, e.g.
    state_path."""
    config = load_config(ROOT / "config" / "settings.yaml")
    if settings:
        config = config.with_settings(**settings)
    return dataclasses.replace(config, agencies=config.agencies[:agencies])
