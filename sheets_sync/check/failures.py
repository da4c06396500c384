"""How a failed fetch becomes a reason code: the exception chain of aiohttp, asyncio, ssl and
socket is read once, most specific cause first."""

from __future__ import annotations

import re
import socket
import ssl

import aiohttp
from aiohttp.http_exceptions import BadHttpMessage, ContentEncodingError, InvalidHeader

from sheets_sync.check.budget import DeadlineExceeded
from sheets_sync.check.guard import AddressBlocked

__all__ = ["InvalidTarget", "cert_failure", "error_reason", "causes", "describe"]


class InvalidTarget(ValueError):
    """A URL (or redirect target) that cannot be requested as written: no host, a broken bracket ..."""


def cert_failure(exc: BaseException) -> bool:
    """The TLS error is the certificate failing verification (expired, self-signed, missing
    intermediate, wrong name), not a handshake a browser would fail too."""
    for e in causes(exc):
        if isinstance(e, (ssl.SSLCertVerificationError, ssl.CertificateError, aiohttp.ClientConnectorCertificateError)):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(e) or "doesn't match" in str(e) or "hostname mismatch" in str(e):
            return True
    return False


# Most specific first: aiohttp's DNS and TLS errors are also "connector" (connect) errors,
# and its read timeouts are also asyncio timeouts.
_ERROR_REASONS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("private_address", (AddressBlocked,)),
    ("timeout", (DeadlineExceeded,)),
    ("dns_error", (aiohttp.ClientConnectorDNSError, socket.gaierror)),
    ("tls_error", (aiohttp.ClientSSLError, ssl.SSLError, ssl.CertificateError)),
    ("malformed", (InvalidTarget, aiohttp.InvalidURL)),
    ("timeout", (aiohttp.ServerTimeoutError, TimeoutError)),
    ("connect_error", (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError,
                       ConnectionError, OSError)),
)

# aiohttp's limits on a response head (64 KiB lines as http.client, 100 headers): a browser gives
# up on such an answer too, and the site's admin needs to hear "headers", not "cannot connect".
_OVERSIZED_HEAD = re.compile(r"got more than (\d+) bytes when reading|too many headers", re.I)


def error_reason(exc: BaseException) -> tuple[str, str]:
    """The reason code for an exception raised while fetching, and a short detail."""
    chain = causes(exc)
    for e in chain:
        found = _OVERSIZED_HEAD.search(str(e))
        if found:
            what = (f"got more than {found.group(1)} bytes in one status or header line" if found.group(1)
                    else "got more than the 100 headers a browser reads")
            return "header_too_large", f"response head too large: {what}"
    refused = [e for e in chain if type(e) is BadHttpMessage or isinstance(e, (InvalidHeader, ContentEncodingError))]
    if refused:
        # A head that even the browser-like second reading refused (two different
        # Content-Length values: sheets_sync.check.lenient) or a body that does not decode as its
        # Content-Encoding says: "could not check", never proof of a broken link.
        return "check_failed", f"answer not readable as sent: {describe(refused[-1])}"[:300]
    for code, types in _ERROR_REASONS:
        matches = [e for e in chain if isinstance(e, types)]
        if matches:
            return code, describe(matches[0])
    return "check_failed", describe(exc)


def causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps (cause, context, aiohttp's os_error), outermost first."""
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is o for o in out):
            continue
        out.append(e)
        todo += [c for c in (getattr(e, "os_error", None), getattr(e, "certificate_error", None), e.__cause__,
                             e.__context__, *e.args) if isinstance(c, BaseException)]
    return out


def describe(exc: BaseException) -> str:
    """'ClassName: message', without object reprs, cut to 300 characters."""
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*", "", str(exc)).strip()
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
