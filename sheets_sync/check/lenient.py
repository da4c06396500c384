"""A second reading of an answer whose head aiohttp's strict parser refuses, as browsers read it.

llhttp (aiohttp's parser) refuses heads that Chrome and Firefox open: a Content-Length sent
twice with the same value, `Transfer-Encoding: chunked` beside a Content-Length (chunked wins),
a space before a header's colon. Such a site was `check_failed` (unknown) on every run, so the
agency waited for a verdict that never came. The standard library's http.client reads those
heads as browsers do, so that one hop is asked again with it: on the same pinned addresses, with
the same TLS context, headers and deadline, in a worker thread. A redirect it gives is followed
by the checker as any other. Two different Content-Length values, which browsers refuse too,
stay refused.

Those reads have threads of their own (`Readers`): a slow site read this way must never hold
the loop's default threads, which every other check's DNS lookup runs on.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from aiohttp.http_exceptions import BadHttpMessage, InvalidHeader, LineTooLong
from multidict import CIMultiDict
from yarl import URL

from sheets_sync.check.budget import Deadline, DeadlineExceeded
from sheets_sync.check.failures import causes
from sheets_sync.check.threads import OwnThreads

_READ = 65_536
THREADS = 4  # lenient reads at once; more wait their turn, within their own deadlines


@dataclass(frozen=True)
class Answer:
    status: int
    headers: CIMultiDict
    body: bytes
    truncated: bool = False  # the body went on past `body`
    ended_early: bool = False  # the connection ended before the length the head declared


def refused_head(exc: BaseException) -> bool:
    """aiohttp refused the answer's head (not its size, which browsers limit too)."""
    chain = causes(exc)
    if any(isinstance(e, LineTooLong) for e in chain):
        return False
    return any(type(e) is BadHttpMessage or isinstance(e, InvalidHeader) for e in chain)


def get(target: URL, addresses: tuple[str, ...], headers: dict[str, str], context: ssl.SSLContext | None,
        connect_timeout: float, read_timeout: float, limit: int, due: Deadline,
        refused: BaseException) -> Answer:
    """One GET of `target` from the first of `addresses` that takes the connection (blocking: run
    it in a worker thread). Raises OSError
    and ssl's errors as a socket would, DeadlineExceeded past `due`, and `refused` again when the
    head is one browsers refuse too."""
    conn = _Connection(target.raw_host or "", target.port or 80, addresses, context,
                       min(connect_timeout, max(0.01, due.left())), read_timeout, due)
    try:
        conn.putrequest("GET", target.raw_path_qs, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Accept-Encoding", "identity")  # no decoding of our own on this path
        conn.endheaders()
        response = conn.getresponse()
        if len(set(response.headers.get_all("Content-Length") or ())) > 1:
            raise refused
        parts, got, ended_early = [], 0, False
        while got <= limit:
            if due.left() <= 0:
                raise DeadlineExceeded("over the check's time in all")
            try:
                chunk = response.read1(_READ)
            except http.client.IncompleteRead as e:  # hung up early: what came is what a browser shows
                chunk, ended_early = e.partial, True
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
            if ended_early:
                break
        # http.client gives header values as Latin-1; aiohttp's callers expect its own reading
        # (UTF-8, undecodable bytes kept as surrogates), e.g. a Location with Thai in it.
        head = CIMultiDict((k, v.encode("latin-1", "replace").decode("utf-8", "surrogateescape"))
                           for k, v in response.getheaders())
        body = b"".join(parts)
        return Answer(response.status, head, body[:limit], truncated=got > limit, ended_early=ended_early)
    finally:
        conn.close()


class Readers:
    """`get` on threads of its own (a read under way when they close ends by its socket timeout)."""

    def __init__(self) -> None:
        self._threads = OwnThreads(THREADS, "sheets-sync-lenient")

    async def get(self, *args) -> Answer:
        """`get(*args)`, awaited on the calling loop."""
        return await self._threads.submit(get, *args)

    def close(self) -> None:
        self._threads.close()


class _Connection(http.client.HTTPConnection):
    """http.client's connection to the pinned addresses, tried in turn, TLS with the name's SNI
    when `context` is given; every socket wait bounded by the read timeout and the check's deadline."""

    def __init__(self, host: str, port: int, addresses: tuple[str, ...], context: ssl.SSLContext | None,
                 connect_timeout: float, read_timeout: float, due: Deadline) -> None:
        super().__init__(host, port, timeout=connect_timeout)
        self.default_port = 443 if context is not None else 80  # the Host header leaves it out
        self._addresses, self._context, self._read_timeout, self._due = addresses, context, read_timeout, due

    def connect(self) -> None:
        for i, address in enumerate(self._addresses):
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError:
                if i == len(self._addresses) - 1:
                    raise
        sock.settimeout(max(0.01, min(self._read_timeout, self._due.left())))
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host) if self._context else sock
