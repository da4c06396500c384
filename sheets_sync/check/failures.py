"""How a failed fetch becomes a reason code: the exception chain of requests, urllib3 and ssl
is read once, most specific cause first."""

from __future__ import annotations

import http.client
import re
import socket
import ssl

import requests
import urllib3.exceptions as u3

from sheets_sync.check.budget import DeadlineExceeded
from sheets_sync.check.guard import AddressBlocked

__all__ = ["DeadlineExceeded", "cert_failure", "error_reason", "causes", "describe"]


def cert_failure(exc: BaseException) -> bool:
    """The TLS error is the certificate failing verification (expired, self-signed, missing
    intermediate, wrong name), not a handshake a browser would fail too."""
    for e in causes(exc):
        if isinstance(e, (ssl.SSLCertVerificationError, ssl.CertificateError)):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(e) or "doesn't match" in str(e) or "hostname mismatch" in str(e):
            return True
    return False


# Most specific first: a DNS failure is also a "new connection" error, which urllib3 in
# turn derives from its connect-timeout error.
_ERROR_REASONS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("private_address", (AddressBlocked,)),
    ("timeout", (DeadlineExceeded,)),
    ("dns_error", (u3.NameResolutionError, socket.gaierror)),
    ("tls_error", (requests.exceptions.SSLError, u3.SSLError, ssl.SSLError, ssl.CertificateError)),
    ("malformed", (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                   requests.exceptions.InvalidSchema, u3.LocationValueError)),
    ("connect_error", (u3.NewConnectionError, ConnectionRefusedError)),
    ("timeout", (requests.exceptions.Timeout, u3.TimeoutError, TimeoutError)),
    ("connect_error", (requests.exceptions.ConnectionError, u3.ProtocolError, ConnectionError)),
)


# http.client's limits on a response head (a 64 KiB line, 100 headers): a browser gives up on such
# an answer too, and the site's admin needs to hear "headers", not "cannot connect".
_OVERSIZED_HEAD = re.compile(r"got more than \d+ (?:bytes when reading (?:header|status) line|headers)")


def error_reason(exc: BaseException) -> tuple[str, str]:
    """The reason code for an exception raised while fetching, and a short detail."""
    chain = causes(exc)
    head = [e for e in chain if isinstance(e, http.client.HTTPException) and _OVERSIZED_HEAD.search(str(e))]
    if head:
        return "header_too_large", describe(head[-1])
    for code, types in _ERROR_REASONS:
        matches = [e for e in chain if isinstance(e, types)]
        if matches:
            # urllib3's own error names host and cause without requests' retry wrapping.
            ours = [e for e in matches if type(e).__module__.startswith("urllib3")]
            return code, describe((ours or matches)[-1])
    return "check_failed", describe(exc)


def causes(exc: BaseException) -> list[BaseException]:
    # requests wraps urllib3's MaxRetryError, which holds the real error in .reason.
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is o for o in out):
            continue
        out.append(e)
        # ssl.SSLError.reason is a string, MaxRetryError.reason an exception: keep exceptions.
        todo += [c for c in (getattr(e, "reason", None), e.__cause__, e.__context__, *e.args)
                 if isinstance(c, BaseException)]
    return out


def describe(exc: BaseException) -> str:
    """'ClassName: message', without urllib3's object reprs, cut to 300 characters."""
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*", "", str(exc)).strip()
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
