"""A small test PKI: a root CA (the checker's CA bundle in a test), an intermediate CA it signs,
and server certificates the intermediate signs, built the way public CAs build theirs (key
identifiers, key usage, serverAuth, the intermediate's address in Authority Information Access)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

_CA_USAGE = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False)
_SERVER_USAGE = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: x509.Certificate | None, public_key, days: tuple[int, int] = (-1, 30)):
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder().subject_name(_name(subject))
         .issuer_name(issuer.subject if issuer else _name(subject)).public_key(public_key)
         .serial_number(x509.random_serial_number())
         .not_valid_before(now + dt.timedelta(days=days[0])).not_valid_after(now + dt.timedelta(days=days[1]))
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    if issuer is not None:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    return b


class Pki:
    """`bundle`: a PEM file holding the root alone (point transport.CA_BUNDLE at it);
    `intermediate_der`: what a CA Issuers address serves; `server(...)`: a server TLS context."""

    def __init__(self, tmp: Path, root_name: str = "sheets-sync test root") -> None:
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = (_builder(root_name, None, self.root_key.public_key())
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(_CA_USAGE, critical=True).sign(self.root_key, hashes.SHA256()))
        self.int_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate = (_builder(f"{root_name} intermediate", self.root, self.int_key.public_key())
                             .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                             .add_extension(_CA_USAGE, critical=True).sign(self.root_key, hashes.SHA256()))
        self.bundle = tmp / "roots.pem"
        self.bundle.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        self.intermediate_der = self.intermediate.public_bytes(serialization.Encoding.DER)
        self._n = 0

    def server(self, name: str, aia: tuple[str, ...] = (), chain: bool = False,
               days: tuple[int, int] = (-1, 30), rsa_key: bool = False) -> ssl.SSLContext:
        """A server context for `name` (a host name or an IP address) signed by the intermediate:
        the certificate alone (the common mistake), or with the intermediate (`chain`); `aia`:
        its CA Issuers addresses; `days`: validity relative to now (negative both: expired);
        `rsa_key`: an RSA key, as the suites with RSA key exchange or signatures need."""
        key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_key
               else ec.generate_private_key(ec.SECP256R1()))
        try:
            san = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            san = x509.DNSName(name)
        b = (_builder(name, self.intermediate, key.public_key(), days)
             .add_extension(x509.SubjectAlternativeName([san]), critical=False)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(_SERVER_USAGE, critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        if aia:
            b = b.add_extension(x509.AuthorityInformationAccess(
                [x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u))
                 for u in aia]), critical=False)
        cert = b.sign(self.int_key, hashes.SHA256())
        self._n += 1
        cert_path, key_path = self.tmp / f"server{self._n}.pem", self.tmp / f"server{self._n}.key"
        pem = cert.public_bytes(serialization.Encoding.PEM)
        if chain:
            pem += self.intermediate.public_bytes(serialization.Encoding.PEM)
        cert_path.write_bytes(pem)
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_path, key_path)
        return ctx
