"""Real HTTP(S) servers on the loopback interface, for tests of code that goes on the network.

Each test declares a route table, path -> behaviour, and reads back what the server saw:

    with LoopbackServer({"/ok": respond(200, b"hi"), "/old": redirect("/ok")}) as srv:
        checker.check(srv.url("/old"))
        assert [r.path for r in srv.log] == ["/old", "/ok"]

Nothing here sends traffic anywhere but 127.0.0.0/8. Servers bind port 0 and serve from a
daemon thread; every request is handled in its own daemon thread.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

Behaviour = Callable[["_Handler"], None]


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    path: str  # with the query string
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival (same process as the test, so comparable)
    host: str  # the Host header


# ---------------------------------------------------------------- behaviours
def respond(status: int = 200, body: bytes = b"ok", headers: dict[str, str] | None = None) -> Behaviour:
    """A plain answer."""
    def run(h: "_Handler") -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return run


def redirect(location: str, status: int = 302) -> Behaviour:
    """A redirect to `location` (relative or absolute), sent as is."""
    return respond(status, b"", {"Location": location})


def slow(delay: float, then: Behaviour | None = None) -> Behaviour:
    """Waits `delay` seconds before answering at all (headers included)."""
    then = then or respond()

    def run(h: "_Handler") -> None:
        time.sleep(delay)
        then(h)
    return run


def drip(interval: float, count: int, chunk: bytes = b".") -> Behaviour:
    """Sends headers at once, then the body one `chunk` every `interval` seconds."""
    def run(h: "_Handler") -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(chunk) * count))
        h.end_headers()
        for _ in range(count):
            h.wfile.write(chunk)
            h.wfile.flush()
            time.sleep(interval)
    return run


def drip_head(interval: float, headers: int = 50) -> Behaviour:
    """Sends the status line and `headers` header lines one byte every `interval` seconds
    (then a short body), so that no single read ever waits long; stops when the client hangs up."""
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Drip-%d: %s\r\n" % (i, b"y" * 40) for i in range(headers))
    head += b"Content-Length: 2\r\n\r\nok"

    def run(h: "_Handler") -> None:
        h.close_connection = True
        for i in range(len(head)):
            h.wfile.write(head[i:i + 1])
            h.wfile.flush()
            time.sleep(interval)
    return run


def large(size: int, chunk_size: int = 64 * 1024) -> Behaviour:
    """Streams `size` bytes; the server's `bytes_sent[path]` tells how many got out."""
    def run(h: "_Handler") -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        block = b"x" * chunk_size
        sent = 0
        try:
            while sent < size:
                part = block[: min(chunk_size, size - sent)]
                h.wfile.write(part)
                sent += len(part)
        finally:
            h.owner.count_sent(h.path, sent)
    return run


def raw(payload: bytes) -> Behaviour:
    """Sends `payload` as the whole answer (status line and headers included), then hangs up:
    for answers no well-behaved server library would write."""
    def run(h: "_Handler") -> None:
        h.close_connection = True
        try:
            h.wfile.write(payload)
            h.wfile.flush()
        except OSError:  # the client gave up reading: that is what these answers are for
            pass
    return run


def etagged(behaviour: Behaviour, etag: str = '"v1"') -> Behaviour:
    """`behaviour` with an ETag, answering a conditional GET (If-None-Match) with 304 while it is
    unchanged: a page the checker's cache asks again."""
    def run(h: "_Handler") -> None:
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        original = h.send_header

        def send_header(name, value):  # the answer's own headers, with the ETag after them
            original(name, value)
            if name.lower() == "content-length":
                original("ETag", etag)
        h.send_header = send_header
        behaviour(h)
    return run


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request to this route gets the n-th behaviour; the last one repeats."""
    lock = threading.Lock()
    calls = [0]

    def run(h: "_Handler") -> None:
        with lock:
            n = calls[0]
            calls[0] += 1
        behaviours[min(n, len(behaviours) - 1)](h)
    return run


# ---------------------------------------------------------------- server
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real sites; every answer has a length
    owner: "LoopbackServer"

    def do_GET(self) -> None:
        self.owner._serve(self)

    do_HEAD = do_POST = do_GET

    def log_message(self, format, *args) -> None:  # quiet test output
        pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # tests open dozens of connections at once; the default backlog is 5

    def handle_error(self, request, client_address) -> None:
        # Clients that hang up early (the checker does, on purpose) are not test failures.
        pass


class LoopbackServer:
    """An HTTP (or, with `tls`, HTTPS) server on `host` (any 127.x.y.z), on a free port."""

    def __init__(self, routes: dict[str, Behaviour] | None = None, host: str = "127.0.0.1",
                 tls: ssl.SSLContext | None = None, fallback: Behaviour | None = None) -> None:
        """`fallback` answers every path without a route (a bare 404 "not found" by default)."""
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("test servers listen on loopback addresses only")
        self.routes: dict[str, Behaviour] = dict(routes or {})
        self.fallback = fallback or respond(404, b"not found")
        self.log: list[Seen] = []
        self.bytes_sent: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()  # by Host header
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"owner": self})
        self._httpd = _HTTPServer((host, 0), handler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self.base = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str, behaviour: Behaviour) -> str:
        """Adds a route; returns its full URL."""
        self.routes[path] = behaviour
        return self.url(path)

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def count_sent(self, path: str, n: int) -> None:
        with self._lock:
            self.bytes_sent[path] += n

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "LoopbackServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _serve(self, h: _Handler) -> None:
        host = h.headers.get("Host", "")
        with self._lock:
            self.log.append(Seen(h.path, dict(h.headers.items()), time.monotonic(), host))
            self._in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self._in_flight[host])
        try:
            self.routes.get(h.path.split("?", 1)[0], self.fallback)(h)
        finally:
            with self._lock:
                self._in_flight[host] -= 1


# ---------------------------------------------------------------- other targets
def closed_port(host: str = "127.0.0.1") -> int:
    """A port on which nothing listens (bound, then released): connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def self_signed_context(host: str = "127.0.0.1") -> ssl.SSLContext:
    """A server TLS context with a throwaway self-signed certificate for `host`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheets-sync test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        ctx.load_cert_chain(cert_path, key_path)
    return ctx
