"""A server certificate whose chain the server left incomplete, completed the way browsers do.

A common mistake on an agency's server: it sends its own certificate but not the
intermediate one that links it to a public root. OpenSSL, and so the checker's verified GET,
rejects that. Chrome and Edge fetch the missing intermediate from the address the certificate
names for it (Authority Information Access, "CA Issuers"), and Firefox ships the
intermediates, so the page opens for the assessor without a warning. Calling it
`tls_invalid` ("the assessor's browser may warn") would be a false alarm on every row of
that agency; it is `tls_chain_incomplete` instead (ok, with advice for the site's admin).

Only the certificate the server presented is judged, by cryptography's RFC 5280 verifier,
against the checker's CA bundle, host name and clock; the TLS handshake already proved that
the server holds that certificate's key. So anything a browser warns about still fails:
expired, another name, a CA outside the bundle, self-signed. Intermediates are fetched
through the checker's own fetch (the address guard, pacing, the check's deadline) and
remembered for the run (`Checker._chains_complete`), so a site's 43 rows cost one request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import ssl
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AuthorityInformationAccessOID
from cryptography.x509.verification import (
    DNSName,
    IPAddress,
    PolicyBuilder,
    Store,
    VerificationError,
)

MAX_ISSUERS = 3  # intermediates fetched for one chain (real chains need one or two)
MAX_URLS = 2  # CA Issuers addresses tried per certificate
_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)

Fetcher = Callable[[str], Awaitable[Sequence[x509.Certificate]]]


def issuer_urls(cert: x509.Certificate) -> list[str]:
    """The http(s) addresses where `cert` says its issuer's certificate can be fetched."""
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    return [d.access_location.value for d in aia
            if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
            and isinstance(d.access_location, x509.UniformResourceIdentifier)
            and d.access_location.value.lower().startswith(("http://", "https://"))][:MAX_URLS]


def parse_certificates(body: bytes) -> tuple[x509.Certificate, ...]:
    """The certificates in a CA Issuers answer: DER (the usual .crt/.cer), PEM, or a PKCS #7
    bundle (.p7c) in either encoding; () for anything else."""
    readers = ((x509.load_pem_x509_certificates, pkcs7.load_pem_pkcs7_certificates)
               if b"-----BEGIN" in body[:4096] else
               (lambda b: [x509.load_der_x509_certificate(b)], pkcs7.load_der_pkcs7_certificates))
    for read in readers:
        try:
            return tuple(read(body))
        except Exception:  # noqa: BLE001, S112 (whatever a site serves: not certificates, then)
            continue
    return ()


async def presented_certificate(address: str, port: int, host: str, context: ssl.SSLContext) -> bytes | None:
    """The certificate (DER) the TLS server at `address` presents for `host`, read with
    `context` (an unverified one: the point is to judge the certificate here)."""
    _, writer = await asyncio.open_connection(address, port, ssl=context, server_hostname=host.strip("[]"))
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        return ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    finally:
        writer.close()


def load_roots(pem: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle that cryptography reads. One it cannot read is left
    out, not the whole bundle: certifi carries old roots with a serial number RFC 5280 forbids,
    which cryptography reads with a warning today and means to refuse."""
    roots = []
    for block in _PEM_CERT.findall(pem):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def _subject(host: str):
    try:
        return IPAddress(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return DNSName(host.rstrip(".").lower())


class ChainCompleter:
    """Says whether a server certificate is valid once the intermediates it names are fetched.

    `ca_bundle` is read when first needed (a PEM file of trusted roots: the checker's bundle);
    `now` gives the time certificates are judged at. Used from one event loop."""

    def __init__(self, ca_bundle: Callable[[], str], now: Callable[[], datetime]) -> None:
        self._ca_bundle = ca_bundle
        self._now = now
        self._store: Store | None = None

    async def completes(self, host: str, der: bytes, fetch: Fetcher) -> bool:
        """Whether the certificate `der` that `host` presented verifies, with the intermediates
        its CA Issuers addresses give (`fetch` answers the certificates at one, `parse_certificates`)."""
        try:
            leaf = x509.load_der_x509_certificate(der)
            subject = _subject(host)
        except ValueError:
            return False
        chain: list[x509.Certificate] = []
        cert = leaf
        while not self._verifies(subject, leaf, chain):
            if len(chain) >= MAX_ISSUERS:
                return False
            issuers: Sequence[x509.Certificate] = ()
            for url in issuer_urls(cert):
                issuers = await fetch(url)
                if issuers:
                    break
            if not issuers:
                return False
            chain.extend(issuers)  # at least one more each time: the loop ends
            cert = issuers[0]
        return True

    def _verifies(self, subject, leaf: x509.Certificate, chain: list[x509.Certificate]) -> bool:
        try:
            if self._store is None:
                with open(self._ca_bundle(), "rb") as f:
                    self._store = Store(load_roots(f.read()))  # ValueError when it holds none
            verifier = PolicyBuilder().store(self._store).time(self._now()).build_server_verifier(subject)
            verifier.verify(leaf, chain)
        except (VerificationError, ValueError, OSError):
            return False
        return True
