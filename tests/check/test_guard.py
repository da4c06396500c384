"""The SSRF guard. A canary server on 127.0.0.3 must see zero requests while the allowed
targets sit on 127.0.0.2 (allow_private=127.0.0.2/32). Nothing here leaves 127.0.0.0/8, and
no real name is ever looked up: names come from --resolve mappings or a fake getaddrinfo."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from sheets_sync.check.checker import Checker
from sheets_sync.check.guard import AddressPolicy, is_public, parse_resolve
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.http_servers import LoopbackServer, redirect, respond, sequence, slow

ROOT = Path(__file__).resolve().parents[2]
TARGET, CANARY = "127.0.0.2", "127.0.0.3"
PAGE = "<html><head><title>ประกาศ</title></head><body><p>ประกาศเทศบาล ประจำปี พ.ศ. 2566 เรื่องแผนการดำเนินงาน</p></body></html>".encode()
SETTINGS = replace(CheckerSettings(), connect_timeout_s=1, read_timeout_s=1, total_timeout_s=3, retries=0,
                   allow_private=(f"{TARGET}/32",), soft404_probe=False)


@pytest.fixture
def canary():
    with LoopbackServer({"/": respond(200, PAGE), "/x": respond(200, PAGE)}, host=CANARY) as srv:
        yield srv
    assert srv.log == [], f"the canary was reached: {[s.path for s in srv.log]}"


@pytest.fixture
def target():
    with LoopbackServer({"/": respond(200, PAGE)}, host=TARGET) as srv:
        yield srv


def check(url: str, **changes):
    with Checker(replace(SETTINGS, **changes)) as c:
        return c.check(url)


def blocked(r) -> bool:
    return (r.status, r.reasons) == (Status.BLOCKED, ("private_address",))


# ---------------------------------------------------------------- the canary tests
def test_direct_url_to_the_canary_is_blocked(canary, target):
    assert check(target.url("/")).status is Status.OK
    assert blocked(check(canary.url("/x")))
    assert blocked(check(canary.url("/x").replace(CANARY, f"[::ffff:{CANARY}]")))  # IPv4-mapped IPv6


def test_redirect_to_the_canary_is_refused_and_broken_for_every_visitor(canary, target):
    # The site sends everyone to an address written as a private one: never requested, and
    # broken (the assessor's browser fails there too), not "the checker may not look".
    target.route("/hop", redirect(canary.url("/x")))
    r = check(target.url("/hop"))
    assert (r.status, r.reasons) == (Status.BROKEN, ("redirect_private",)) and r.redirects == (canary.url("/x"),)
    assert [s.path for s in target.log] == ["/hop"]


def test_a_site_with_one_of_its_addresses_down_opens_as_in_a_browser(target):
    """A name with two addresses, the first refusing connections: a browser tries the next one.
    One pinned address made such a site `connect_error` (broken) whenever DNS listed the dead
    one first."""
    near = ("127.0.0.0/29",)
    r = check(f"http://two.go.th:{target.port}/", resolve=("two.go.th:127.0.0.4", f"two.go.th:{TARGET}"),
              allow_private=near)
    assert r.status is Status.OK and target.log[-1].host == f"two.go.th:{target.port}"
    r = check(f"http://two.go.th:{target.port}/", resolve=("two.go.th:127.0.0.4", "two.go.th:127.0.0.5"),
              allow_private=near)
    assert (r.status, r.reasons) == (Status.BROKEN, ("connect_error",))  # none answers: still broken


@pytest.mark.parametrize("written", ["http://localhost:{port}/x", "http://192.168.1.10/intranet/o10",
                                     "http://[::ffff:{canary}]:{port}/x"])
def test_redirect_to_any_address_written_as_a_private_one_is_broken(canary, target, written):
    # A CMS set up by its office address or as localhost sends every visitor there.
    target.route("/hop", redirect(written.format(port=canary.port, canary=CANARY)))
    r = check(target.url("/hop"))
    assert (r.status, r.reasons) == (Status.BROKEN, ("redirect_private",))
    assert [s.path for s in target.log] == ["/hop"]


def test_a_redirect_to_a_name_this_checker_maps_to_a_private_address_is_only_not_checked(canary, target):
    # Where a name leads is this machine's DNS or --resolve pin (an office's split DNS may give a
    # private address for a public site): not proof that the assessor's browser fails.
    target.route("/hop", redirect(f"http://evil.go.th:{canary.port}/x"))
    r = check(target.url("/hop"), resolve=(f"evil.go.th:{CANARY}",))
    assert (r.status, r.reasons) == (Status.BLOCKED, ("private_address",))


def test_name_resolved_to_the_canary_is_blocked(canary, target):
    resolve = (f"good.go.th:{TARGET}", f"evil.go.th:{CANARY}", f"mapped.go.th:::ffff:{CANARY}")
    assert blocked(check(f"http://evil.go.th:{canary.port}/x", resolve=resolve))
    assert blocked(check(f"http://mapped.go.th:{canary.port}/x", resolve=resolve))
    # ... and through a redirect from an allowed name to that name
    target.route("/hop", redirect(f"http://evil.go.th:{canary.port}/x"))
    assert blocked(check(f"http://good.go.th:{target.port}/hop", resolve=resolve))
    r = check(f"http://good.go.th:{target.port}/", resolve=resolve)
    assert r.status is Status.OK
    assert target.log[-1].host == f"good.go.th:{target.port}"  # the real Host header, sent to the checked IP


def test_a_name_with_one_allowed_and_one_canary_address_is_blocked(canary, target, monkeypatch):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        if host in (TARGET, CANARY):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))]
        assert host == "mixed.go.th", host  # no other name is ever looked up
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (TARGET, port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (CANARY, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    assert blocked(check(f"http://mixed.go.th:{canary.port}/x"))
    assert target.log == []


def test_dns_rebinding_between_hops_is_caught_and_retries_stay_on_the_checked_address(canary, target, monkeypatch):
    answers = []

    def rebinding(host, port, *args, **kwargs):
        if host in (TARGET, CANARY):  # an address literal: no DNS
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))]
        # First answer for the name: the allowed target. Every later answer: the canary.
        answers.append(host)
        ip = TARGET if len(answers) == 1 else CANARY
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # The 503 is retried on a new connection: it must reconnect to the checked address
    # without asking DNS again (a second answer would be the canary).
    target.route("/flaky", sequence(respond(503, b"", {"Connection": "close"}), respond(200, PAGE)))
    r = check(f"http://rebind.go.th:{target.port}/flaky", retries=1, backoff_s=0.01)
    assert r.status is Status.OK and len(answers) == 1
    assert [s.path for s in target.log] == ["/flaky", "/flaky"]
    # A redirect hop is a new request: resolved again, now to the canary, and refused.
    answers.clear()
    target.route("/hop", redirect("/x"))
    assert blocked(check(f"http://rebind.go.th:{target.port}/hop"))
    assert len(answers) == 2


def test_private_addresses_are_blocked_by_default_without_a_connection(canary):
    default = replace(CheckerSettings(), connect_timeout_s=1, total_timeout_s=2, retries=0)
    with Checker(default) as c:
        assert blocked(c.check(canary.url("/x")))
        # Never connected to: refused before any socket is opened.
        for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/",
                    "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://[fe80::1]/"):
            assert blocked(c.check(url)), url


def test_only_http_and_https():
    for url in ("ftp://127.0.0.2/x", "file:///etc/passwd", "gopher://127.0.0.2/"):
        assert check(url).reasons == ("bad_scheme",)


# ---------------------------------------------------------------- TLS by name through the pinned address
def _cert_for(name: str, tmp: Path) -> tuple[ssl.SSLContext, Path, list[str]]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    sni: list[str] = []
    ctx.sni_callback = lambda sock, server_name, c: sni.append(server_name)
    return ctx, cert_path, sni


def test_https_by_name_uses_sni_and_checks_the_certificate_against_the_name(tmp_path, monkeypatch):
    import sheets_sync.check.transport as transport

    ctx, cert_path, sni = _cert_for("secure.go.th", tmp_path)
    monkeypatch.setattr(transport, "CA_BUNDLE", str(cert_path))  # trust the test certificate like a public CA
    with LoopbackServer({"/": respond(200, PAGE)}, host=TARGET, tls=ctx) as srv:
        settings = replace(SETTINGS, resolve=(f"secure.go.th:{TARGET}", f"other.go.th:{TARGET}"))
        with Checker(settings) as c:
            good = c.check(f"https://secure.go.th:{srv.port}/")
            assert (good.status, good.reasons) == (Status.OK, ())
            assert sni[0] == "secure.go.th" and srv.log[0].host == f"secure.go.th:{srv.port}"
            # Same address, another name: the certificate does not match it.
            other = c.check(f"https://other.go.th:{srv.port}/")
            assert other.reasons == ("tls_invalid",)


def test_the_shared_tls_context_checks_the_certificate_and_the_name(tmp_path, monkeypatch):
    """The default (verify=True) path shares one TLS context across connections instead of
    loading the CA bundle for each; it must verify exactly as before: chain and host name."""
    import sheets_sync.check.transport as transport

    ctx, cert_path, sni = _cert_for("secure.go.th", tmp_path)
    monkeypatch.setattr(transport, "CA_BUNDLE", str(cert_path))  # the test CA as "the bundle"
    with LoopbackServer({"/": respond(200, PAGE), "/b": respond(200, PAGE)}, host=TARGET, tls=ctx) as srv:
        settings = replace(SETTINGS, resolve=(f"secure.go.th:{TARGET}", f"other.go.th:{TARGET}"))
        with Checker(settings) as c:
            good = [c.check(f"https://secure.go.th:{srv.port}{p}") for p in ("/", "/b")]
            assert [(r.status, r.reasons) for r in good] == [(Status.OK, ())] * 2
            assert sni[0] == "secure.go.th"
            assert c.check(f"https://other.go.th:{srv.port}/").reasons == ("tls_invalid",)  # name mismatch
            assert len(c.tls) == 2  # verified (and the unverified second look): made once each
    (tmp_path / "other").mkdir()
    stranger = _cert_for("secure.go.th", tmp_path / "other")[0]  # same name, another self-signed key
    with LoopbackServer({"/": respond(200, PAGE)}, host=TARGET, tls=stranger) as srv:
        with Checker(replace(SETTINGS, resolve=(f"secure.go.th:{TARGET}",))) as c:
            # Signed by a CA that is not in the bundle.
            assert c.check(f"https://secure.go.th:{srv.port}/").reasons == ("tls_invalid",)


def test_tls_contexts_connect_to_servers_without_secure_renegotiation_as_browsers_do():
    """OpenSSL 3 refuses a server that lacks RFC 5746 (UNSAFE_LEGACY_RENEGOTIATION_DISABLED),
    which browsers open: both of the checker's contexts allow it, with everything else of the
    default context kept. (A server without RFC 5746 cannot be built with Python's ssl, so this
    checks the option on the contexts themselves.)"""
    import ssl

    from sheets_sync.check.transport import TlsContexts

    contexts = TlsContexts()
    for verified in (True, False):
        context = contexts.get(verified)
        assert context.options & 0x4  # SSL_OP_LEGACY_SERVER_CONNECT
        assert context.options == ssl.create_default_context().options | 0x4  # nothing else changed
        assert context.verify_mode == (ssl.CERT_REQUIRED if verified else ssl.CERT_NONE)
        assert context.check_hostname is verified


# ---------------------------------------------------------------- the address policy itself (no traffic)
@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1",
                                "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:10.0.0.1",
                                "::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1"])
def test_non_public_addresses(ip):
    assert not is_public(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", ["203.150.1.1", "164.115.1.1", "2001:4860:4860::8888", "::ffff:203.150.1.1"])
def test_public_addresses(ip):
    assert is_public(ipaddress.ip_address(ip))


def test_resolve_entries_and_allow_list():
    mapping = parse_resolve(["a.go.th:127.0.0.2", "A.go.th:127.0.0.4", "b.go.th:443:127.0.0.5", "c.go.th:[::1]",
                             "d.go.th:::1"])
    assert [str(i) for i in mapping["a.go.th"]] == ["127.0.0.2", "127.0.0.4"]
    assert str(mapping["b.go.th"][0]) == "127.0.0.5" and str(mapping["c.go.th"][0]) == str(mapping["d.go.th"][0]) == "::1"
    policy = AddressPolicy(["127.0.0.2/32"], ["a.go.th:127.0.0.2"], getaddrinfo=lambda *a: pytest.fail("DNS asked"))
    assert policy.choose("a.go.th", 80) == (ipaddress.ip_address("127.0.0.2"),)
    assert policy.allowed(ipaddress.ip_address("::ffff:127.0.0.2"))
    assert not policy.allowed(ipaddress.ip_address("127.0.0.3"))


# ---------------------------------------------------------------- the CLI flags
def test_cli_resolve_and_allow_private_flags(canary, target, tmp_path):
    shutil_config = tmp_path / "config"
    import shutil

    shutil.copytree(ROOT / "config", shutil_config)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-m", "sheets_sync", "--config", "config/settings.yaml", "check", "--json",
         "--resolve", f"good.go.th:{TARGET}", "--resolve", f"evil.go.th:{CANARY}", "--allow-private", f"{TARGET}/32",
         f"http://good.go.th:{target.port}/", f"http://evil.go.th:{canary.port}/x", canary.url("/x")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 5, out.stderr  # a blocked URL: check's documented "some URL failed"
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["status"], r["reasons"]) for r in lines] == [
        ("warning", ["homepage_only"]), ("blocked", ["private_address"]), ("blocked", ["private_address"])]
    assert target.log[0].host == f"good.go.th:{target.port}"


# ---------------------------------------------------------------- lookups of a name whose server does not answer
def test_a_name_server_that_does_not_answer_holds_up_no_other_check(target, monkeypatch):
    """Each check's DNS lookup held a thread of the loop's default pool (a few threads on a small
    VM) for the resolver's whole timeout: two sites whose name servers do not answer, four
    checks each, and every other check waited for a thread and timed out."""
    real = socket.getaddrinfo
    asked = []

    def lookup(host, *args, **kwargs):
        asked.append(host)
        if host.startswith("dead"):
            time.sleep(4)  # the resolver's timeout
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(TARGET if host == "good.go.th" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    dead = [f"http://dead{i % 2}.go.th:{target.port}/o{i}" for i in range(8)]
    # Reached through a late redirect, so that its lookup comes while the dead ones are under way.
    target.route("/o1", respond(200, PAGE))
    target.route("/late", slow(0.5, redirect(f"http://good.go.th:{target.port}/o1")))
    settings = replace(SETTINGS, resolve=(f"late.go.th:{TARGET}",), total_timeout_s=3.0, soft404_probe=False)
    with Checker(settings) as checker:
        checker.runner.run(_default_threads(2))
        results = checker.check_many([*dead, f"http://late.go.th:{target.port}/late"])
    late = results[f"http://late.go.th:{target.port}/late"]
    assert (late.status, late.final_url) == (Status.OK, f"http://good.go.th:{target.port}/o1"), late.detail
    assert {results[u].reasons for u in dead} == {("timeout",)}
    assert asked.count("dead0.go.th") == asked.count("dead1.go.th") == 1  # one lookup per name at a time


async def _default_threads(n: int) -> None:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(n))
