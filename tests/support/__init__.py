"""Test support: loopback servers, the Sheets API fake, harnesses and shared helpers."""

from pathlib import Path

# The repository root: config/, README.md and the package live here.
ROOT = Path(__file__).resolve().parents[2]
