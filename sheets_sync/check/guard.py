"""The SSRF guard: the checker only ever connects to public addresses it has checked.

Agencies paste arbitrary text into a shared sheet and the worker GETs it, so a URL (or a
redirect, or a DNS answer) could point the worker at the machine it runs on, the office LAN
or a cloud metadata service. Before every hop of a redirect chain the checker asks the
policy here for the address to connect to (`AddressPolicy.pin`):

1. the host name is resolved once (or taken from a ``--resolve HOST:ADDR`` mapping, without DNS);
2. *every* address it resolves to must be allowed: public, or inside an ``--allow-private``
   network (IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry);
3. the connection goes to exactly that address: the HTTP client's resolver
   (`PinnedResolver`) answers with the pinned address and nothing else, so a retry of the
   hop reconnects there without asking DNS again (no DNS-rebinding gap), while the request
   carries the real ``Host`` header and TLS uses the real name for SNI and certificate checks.

Proxy environment variables are ignored by the client session (see transport.open_session),
so the connection cannot be sent somewhere else either. A refused address raises
`AddressBlocked`, which the checker turns into status `blocked`, reason `private_address`.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
from typing import Callable, Iterable, Sequence

from aiohttp.abc import AbstractResolver, ResolveResult

from sheets_sync.check.threads import OwnThreads
from sheets_sync.core.normalize import ascii_host, parse_resolve

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges that `is_global` lets through on some Python versions but that must never be reached.
_EXTRA_BLOCKED: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10",  # "this network", carrier-grade NAT
    "192.0.0.0/24", "192.88.99.0/24",  # IETF protocol assignments, 6to4 relay anycast
    "198.18.0.0/15", "240.0.0.0/4",  # benchmarking, reserved
    "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16",  # NAT64 and 6to4 can embed a private IPv4
    "2001::/32", "2001:20::/28", "5f00::/16", "3fff::/20",  # Teredo, ORCHIDv2, SRv6, documentation
))
_LOOPBACK: tuple[IPAddress, ...] = (ipaddress.ip_address("127.0.0.1"),)


class AddressBlocked(ConnectionError):
    """The URL's host is, or resolves to, an address the guard refuses (private_address)."""


def unmap(ip: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it carries."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public(ip: IPAddress) -> bool:
    """True for globally routable unicast addresses only: not loopback, private, link-local
    (169.254.169.254 included), CGNAT, multicast, reserved, unspecified or documentation."""
    ip = unmap(ip)
    if (not ip.is_global or ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local
            or ip.is_reserved or ip.is_unspecified):
        return False
    return not any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version)


def _written(name: str) -> tuple[IPAddress, ...] | None:
    """The addresses a host name stands for by how it is written: an IP literal, or localhost."""
    try:
        return (ipaddress.ip_address(name.split("%", 1)[0]),)
    except ValueError:
        pass
    # RFC 6761: localhost and *.localhost are this machine whatever DNS says, so they are
    # judged as the loopback address, never looked up.
    return _LOOPBACK if name == "localhost" or name.endswith(".localhost") else None


class AddressPolicy:
    """Resolves a host once and decides whether the checker may connect to it."""

    def __init__(self, allow_private: Sequence[str] = (), resolve: Iterable[str] = (),
                 getaddrinfo: Callable | None = None, lookups: int = 0) -> None:
        """`lookups`: threads of its own for DNS lookups (0: the loop's default pool). A checker
        gives it as many as checks may run at once, so that no lookup ever waits for a thread
        behind the lookups of a name whose server does not answer."""
        self.allow: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(c, strict=False) for c in allow_private)
        self.resolve = parse_resolve(resolve)
        self._getaddrinfo = getaddrinfo
        self._known: dict[str, tuple[IPAddress, ...] | None] = {}
        self._allowed: dict[IPAddress, bool] = {}
        self._lookups = OwnThreads(lookups, "sheets-sync-dns")
        self._asked: dict[str, asyncio.Future] = {}

    def allowed(self, ip: IPAddress) -> bool:
        # The same few hundred addresses, asked twice per hop; one lookup (an address hashes slowly).
        verdict = self._allowed.get(ip)
        if verdict is None:
            if len(self._allowed) > 4096:
                self._allowed.clear()
            plain = unmap(ip)
            listed = any(plain in net for net in self.allow if net.version == plain.version)
            verdict = self._allowed[ip] = listed or is_public(plain)
        return verdict

    def known(self, host: str) -> tuple[IPAddress, ...] | None:
        """The addresses `host` stands for when no DNS is needed (an IP literal, a --resolve
        mapping, matched in Unicode or IDNA form, or a local name such as localhost), else None."""
        # Asked two or three times per hop, for the same few hundred hosts a run; the answer
        # never changes for one policy.
        if host not in self._known:
            if len(self._known) > 4096:
                self._known.clear()
            self._known[host] = self._known_uncached(host)
        return self._known[host]

    def _known_uncached(self, host: str) -> tuple[IPAddress, ...] | None:
        name = ascii_host(host.strip("[]"))
        if name in self.resolve:
            return self.resolve[name]
        return _written(name)

    def refuses_without_lookup(self, host: str) -> bool:
        """True when `host`'s addresses are known without DNS and one is not allowed."""
        known = self.known(host)
        return known is not None and not all(self.allowed(a) for a in known)

    def refuses_as_written(self, host: str) -> bool:
        """True when `host` is written as an address that is not allowed (an IP literal,
        localhost): where it leads does not hang on this machine's DNS or --resolve mappings.

        >>> AddressPolicy().refuses_as_written("192.168.1.10"), AddressPolicy().refuses_as_written("www.go.th")
        (True, False)
        """
        known = _written(ascii_host(host.strip("[]")))
        return known is not None and not all(self.allowed(a) for a in known)

    def addresses(self, host: str, port: int) -> tuple[IPAddress, ...]:
        """Every address `host` stands for: itself if an IP literal, its --resolve mapping, or
        what DNS answers (one lookup). socket.gaierror when the name does not resolve."""
        known = self.known(host)
        if known is not None:
            return known
        name = ascii_host(host.strip("[]"))
        lookup = self._getaddrinfo or socket.getaddrinfo  # looked up late: tests replace it
        failed: socket.gaierror | None = None
        try:
            infos = lookup(name, port, socket.AF_UNSPEC, socket.SOCK_STREAM)
        except socket.gaierror as e:
            failed = socket.gaierror(e.errno, f"{name}: {e.strerror or e}")
        if failed is not None:  # raised outside the handler: the name in the message, one error in the chain
            raise failed
        found: list[IPAddress] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if ip not in found:
                found.append(ip)
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, f"no address for {name}")
        return tuple(found)

    def choose(self, host: str, port: int) -> tuple[IPAddress, ...]:
        """The addresses to connect to, in the order to try them, after checking every address
        the host has: IPv4 first (many agency sites publish AAAA records that do not answer).
        A browser tries the next address when one does not answer, so a site behind two
        addresses, one of them down, opens for the assessor: the client is given them all.

        Raises AddressBlocked if any of them is not allowed: a name that answers with one
        public and one internal address is refused rather than gambled on."""
        addresses = self.addresses(host, port)
        bad = [a for a in addresses if not self.allowed(a)]
        if bad:
            shown = ", ".join(str(unmap(a)) for a in bad[:3])
            raise AddressBlocked(f"{host} resolves to a non-public address ({shown}); not connecting")
        plain = list(dict.fromkeys(map(unmap, addresses)))
        return tuple(sorted(plain, key=lambda a: a.version))  # stable: each family keeps DNS's order

    async def pin(self, host: str, port: int) -> tuple[IPAddress, ...]:
        """`choose`, with any DNS lookup off the event loop, in a thread. One lookup per name at
        a time: the checks of a site whose name server does not answer wait on that one, rather
        than each hold a thread for the resolver's whole timeout (5-10 s or more)."""
        if self.known(host) is not None:
            return self.choose(host, port)
        pending = self._asked.get(host)
        if pending is None:
            pending = self._asked[host] = self._lookups.submit(self.choose, host, port)
            pending.add_done_callback(lambda done: self._answered(host, done))
        return await asyncio.shield(pending)  # one check's deadline cancels its wait, not the lookup

    def _answered(self, host: str, done: asyncio.Future) -> None:
        self._asked.pop(host, None)  # the next check of the name asks again: no answer is kept
        if not done.cancelled():
            done.exception()  # retrieved, even when every check that waited for it gave up

    def close(self) -> None:
        """Lets go of the lookup threads (a lookup under way ends by the resolver's timeout)."""
        self._lookups.close()


# The addresses each hop was pinned to, for the resolver: set by the checker around the hop's
# request (a context variable, so each check task sees its own).
PINNED: contextvars.ContextVar[tuple[str, tuple[IPAddress, ...]] | None] = contextvars.ContextVar("pinned", default=None)


class PinnedResolver(AbstractResolver):
    """The HTTP client's resolver: the addresses the checker pinned for this hop, checked; the
    client tries them in turn (aiohttp's Happy Eyeballs: the next one when one refuses, or
    alongside a first one that has not answered within a quarter second).

    A host the checker did not pin (which its own code never sends) is checked here in
    full, so no connection is ever made to an address the policy did not allow."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        pinned = PINNED.get()
        if pinned is not None and pinned[0] == host:
            ips = pinned[1]
        else:
            ips = await asyncio.get_running_loop().run_in_executor(None, self.policy.choose, host, port)
        return [{"hostname": host, "host": str(ip), "port": port,
                 "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST} for ip in ips]

    async def close(self) -> None:
        return None
