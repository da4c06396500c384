"""The checker's HTTP client: one aiohttp session on the checker's event loop.

Why an event loop and not `requests` in threads: a province run keeps 128 requests in
flight. With one thread per request the threads spent more CPU taking turns at the GIL than
the requests themselves cost (measured ~1.6-2.0 ms of CPU per loopback GET with 128
threads, against ~0.4-0.5 ms with aiohttp on one loop). `requests` stays where it serves:
gspread and the Google Sheets client use it.

The session: no proxies or .netrc from the environment (the guard must see, and the checker
must connect to, the real target), no cookies kept between checks (each check keeps its own,
see Checker), the pinning resolver of the guard, no DNS cache of the client's own (every new
connection asks the pinned address), TLS contexts made once, and http.client's limits on a
response head (64 KiB lines) so that a long Set-Cookie is not an error where a browser
would show the page.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from concurrent.futures import Future
from typing import Awaitable, TypeVar

import aiohttp
import certifi
import uvloop

from sheets_sync.check.guard import AddressPolicy, PinnedResolver

CA_BUNDLE = certifi.where()  # the bundle requests trusted before; tests point it at their own CA
MAX_HEAD_LINE = 65536  # http.client's limit for one status or header line
MAX_HEADERS = 100  # and for the number of headers
LEGACY_SERVER_CONNECT = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)  # the constant is named from Python 3.12

# TLS 1.2 cipher suites as browsers offer them (TLS 1.3's are not set here). Python's default
# leaves out the CBC suites with SHA-1 MACs and RSA key exchange, which old IIS and Apache
# servers may offer alone: Chrome and Firefox open such sites (ECDHE-RSA-AES128-SHA,
# AES128-SHA ...) and the checker called them broken. No DHE: browsers dropped it, and a server
# that prefers DHE with a 1024-bit group (refused by OpenSSL) then picks ECDHE, as for a browser.
BROWSER_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES:RSA+AESGCM:RSA+AES:!aNULL:!eNULL:!MD5:!DSS:!PSK:!SRP:!AESCCM"

T = TypeVar("T")


class TlsContexts:
    """One SSLContext per verification mode, made on first use.

    Building a context loads the whole CA bundle (~30-50 ms of CPU); a province run opens
    hundreds of HTTPS connections, so they share these two."""

    def __init__(self) -> None:
        self._made: dict[bool, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def get(self, verified: bool) -> ssl.SSLContext:
        with self._lock:
            if verified not in self._made:
                if verified:
                    context = ssl.create_default_context(cafile=CA_BUNDLE)
                else:
                    context = ssl.create_default_context()
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                # Browsers still connect to servers without RFC 5746 secure renegotiation (old
                # load balancers and IIS set-ups); OpenSSL 3 refuses them unless told otherwise,
                # which made such a site "broken" here while it opens for the assessor. Nothing
                # is renegotiated on a checker's short GET, so the risk RFC 5746 closes is not ours.
                context.options |= LEGACY_SERVER_CONNECT
                context.set_ciphers(BROWSER_CIPHERS)
                self._made[verified] = context
            return self._made[verified]

    def __len__(self) -> int:
        return len(self._made)


def open_session(policy: AddressPolicy) -> aiohttp.ClientSession:
    """The checker's session; call on the checker's loop. Limits are the dispatcher's (global,
    per host), so the connector adds none of its own."""
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, use_dns_cache=False,
                                     resolver=PinnedResolver(policy), keepalive_timeout=30)
    return aiohttp.ClientSession(connector=connector, trust_env=False, cookie_jar=aiohttp.DummyCookieJar(),
                                 auto_decompress=True, max_line_size=MAX_HEAD_LINE, max_field_size=MAX_HEAD_LINE,
                                 max_headers=MAX_HEADERS)


class LoopThread:
    """An asyncio event loop running in a daemon thread of its own; `run` hands it a coroutine
    from any other thread and waits for the answer. The checker's synchronous API sits on it."""

    def __init__(self, name: str = "checker-loop") -> None:
        # uvloop (libuv) runs the same asyncio code with about a quarter less CPU per request.
        self.loop = uvloop.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Awaitable[T]) -> Future:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Awaitable[T]) -> T:
        if threading.current_thread() is self._thread:
            raise RuntimeError("LoopThread.run called on its own loop")  # would wait forever
        return self.submit(coro).result()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()


def identify(user_agent: str, contact_url: str) -> str:
    """The User-Agent with the contact URL in it, the way crawlers write it: '(...; +URL)'."""
    if not contact_url or contact_url in user_agent:
        return user_agent
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; +{contact_url})"
    return f"{user_agent} (+{contact_url})"
