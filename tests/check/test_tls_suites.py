"""The TLS 1.2 cipher suites the checker offers are the browsers' (transport.BROWSER_CIPHERS):
an old server that offers only suites Chrome and Firefox still accept opens for the assessor,
so it must not be `broken` here; one that browsers refuse (TLS 1.1) stays broken. Real TLS
servers on loopback, with a test PKI whose root is the checker's bundle."""

from __future__ import annotations

import base64
import ssl
from dataclasses import replace

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.certs import Pki
from tests.support.http_servers import LoopbackServer, respond

NAME = "old-iis.go.th"
PAGE = ("<html><head><title>ข้อมูลผู้บริหาร</title></head><body><p>ข้อมูลผู้บริหาร ประจำปีงบประมาณ "
        "พ.ศ. 2566 ของเทศบาลตำบล</p></body></html>").encode()
SETTINGS = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=2, total_timeout_s=5, retries=0,
                   allow_private=("127.0.0.1/32",), soft404_probe=False, resolve=(f"{NAME}:127.0.0.1",))


def server(pki: Pki, suites: str, rsa_key: bool = True, version=ssl.TLSVersion.TLSv1_2) -> ssl.SSLContext:
    """A server that offers only `suites`, at `version` at most, with a valid certificate chain."""
    ctx = pki.server(NAME, chain=True, rsa_key=rsa_key)
    ctx.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_2:
        ctx.minimum_version = version
    ctx.set_ciphers(f"{suites}:@SECLEVEL=0")  # as old servers are configured
    return ctx


def verdict(ctx: ssl.SSLContext):
    with LoopbackServer({"/o1": respond(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})}, tls=ctx) as srv, \
            Checker(SETTINGS) as checker:
        r = checker.check(f"https://{NAME}:{srv.port}/o1")
    return r.status, r.reasons


@pytest.mark.parametrize("suites, rsa_key", [
    ("ECDHE-RSA-AES128-SHA", True),  # Windows Server 2008 R2 / 2012 IIS, old Apache: CBC with a SHA-1 MAC
    ("ECDHE-RSA-AES256-SHA", True),
    ("ECDHE-ECDSA-AES128-SHA", False),
    ("AES128-SHA:AES256-SHA", True),  # RSA key exchange only, as Firefox still accepts
    ("AES128-GCM-SHA256", True),
])
def test_old_servers_that_browsers_open_are_not_broken(pki, suites, rsa_key):
    assert verdict(server(pki, suites, rsa_key)) == (Status.OK, ())


def test_a_modern_server_is_still_ok(pki):
    # false-positive guard for the suites list: what every server offers today
    assert verdict(server(pki, "ECDHE-ECDSA-AES128-GCM-SHA256", rsa_key=False)) == (Status.OK, ())


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_a_server_browsers_refuse_stays_broken(pki):
    # TLS 1.1 and older: Chrome and Firefox refuse them since 2020, and so does the checker.
    status, reasons = verdict(server(pki, "ECDHE-RSA-AES128-SHA", version=ssl.TLSVersion.TLSv1_1))
    assert (status, reasons) == (Status.BROKEN, ("tls_error",))


def test_no_dhe_is_offered_as_browsers_offer_none():
    from sheets_sync.check.transport import TlsContexts

    for verified in (True, False):
        names = [c["name"] for c in TlsContexts().get(verified).get_ciphers()]
        assert "ECDHE-RSA-AES128-SHA" in names and "AES128-SHA" in names
        assert not [n for n in names if n.startswith("DHE-")]


# RFC 2409's 1024-bit MODP group (Oakley group 2), as old servers still configure for DHE.
OAKLEY_2 = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
               "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
               "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    head = bytes([size]) if size < 128 else bytes([0x80 | (size.bit_length() + 7) // 8]) + size.to_bytes(
        (size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + head + content


def dh_params_pem(p: int, g: int) -> bytes:
    """PKCS #3 DH parameters as OpenSSL reads them (SEQUENCE of two INTEGERs), written by hand:
    cryptography deprecates finite-field DH."""
    integer = lambda n: _der(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))
    body = base64.encodebytes(_der(0x30, integer(p) + integer(g))).decode()
    return f"-----BEGIN DH PARAMETERS-----\n{body}-----END DH PARAMETERS-----\n".encode()


def test_a_server_preferring_weak_dhe_opens_with_ecdhe_as_in_browsers(pki, tmp_path):
    # OpenSSL refuses a 1024-bit DH group ("dh key too small"); had the checker offered DHE, such
    # a server would have picked it and been broken here, where browsers (no DHE) get ECDHE.
    pem = tmp_path / "dh1024.pem"
    pem.write_bytes(dh_params_pem(OAKLEY_2, 2))
    ctx = server(pki, "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256")
    ctx.load_dh_params(str(pem))
    ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    assert verdict(ctx) == (Status.OK, ())
