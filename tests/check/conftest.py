"""Fixtures of the checker tests."""

from __future__ import annotations

import pytest

from tests.support.certs import Pki


@pytest.fixture
def pki(tmp_path, monkeypatch):
    """A test PKI whose root is the checker's CA bundle (transport.CA_BUNDLE) for the test."""
    from sheets_sync.check import transport

    pki = Pki(tmp_path / "pki")
    monkeypatch.setattr(transport, "CA_BUNDLE", str(pki.bundle))
    return pki
