"""Which backend the settings name. Kept apart from the protocol so that the backends, which
import the protocol's value types, are imported only when chosen (and gspread only for gsheets)."""

from __future__ import annotations

from sheets_sync.config.settings import Config
from sheets_sync.sheet.backend import Backend


def open_backend(config: Config) -> Backend:
    """The backend the settings name."""
    kind = config.settings.backend.kind
    if kind == "xlsx":
        from sheets_sync.sheet.xlsx import XlsxBackend

        return XlsxBackend(config.settings.backend.xlsx_path, tz=config.settings.tz)
    if kind == "memory":
        from sheets_sync.sheet.memory import MemoryBackend

        return MemoryBackend()
    if kind == "gsheets":
        from sheets_sync.sheet.gsheets import GSheetsBackend  # noqa: F401  (issue 4)

        return GSheetsBackend.from_config(config)
    raise AssertionError(kind)
