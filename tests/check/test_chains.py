"""A server that leaves out its intermediate certificate opens in browsers (they fetch it from
the certificate's CA Issuers address): the checker completes the chain the same way and never
calls that site `tls_invalid`, while whatever a browser warns about still is. Real TLS servers
on loopback with a test PKI; intermediates are served by a loopback HTTP server; the canary on
127.0.0.3 (outside allow_private) must never be reached."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from sheets_sync.check import chains
from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.certs import Pki
from tests.support.http_servers import LoopbackServer, respond, slow

TARGET, CANARY = "127.0.0.2", "127.0.0.3"
NAME = "secure.go.th"
PAGE = ("<html><head><title>ประกาศ</title></head><body><p>ประกาศเทศบาล ประจำปี พ.ศ. 2566 "
        "เรื่องแผนการดำเนินงาน</p></body></html>").encode()
SETTINGS = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=2, total_timeout_s=5, retries=0,
                   allow_private=(f"{TARGET}/32",), soft404_probe=False, resolve=(f"{NAME}:{TARGET}",))
DER = {"Content-Type": "application/pkix-cert"}


@pytest.fixture
def issuers(pki):
    """The CA's HTTP server for intermediates: the right one, junk, and nothing."""
    routes = {"/int.crt": respond(200, pki.intermediate_der, DER), "/junk.crt": respond(200, b"not a certificate", DER)}
    with LoopbackServer(routes, host=TARGET) as srv:
        yield srv


@pytest.fixture
def canary():
    with LoopbackServer({"/int.crt": respond(200, b"")}, host=CANARY) as srv:
        yield srv
    assert srv.log == [], f"the canary was reached: {[s.path for s in srv.log]}"


def _check(ctx, paths=("/", "/o1")):
    routes = {p: respond(200, PAGE) for p in paths}
    with LoopbackServer(routes, host=TARGET, tls=ctx) as site, Checker(SETTINGS) as checker:
        results = checker.check_many([f"https://{NAME}:{site.port}{p}" for p in paths])
        return [results[f"https://{NAME}:{site.port}{p}"] for p in paths]


def test_a_missing_intermediate_is_fetched_as_browsers_do_once_per_run(pki, issuers):
    ctx = pki.server(NAME, aia=(issuers.url("/int.crt"),))
    results = _check(ctx)
    for r in results:
        assert (r.status, r.reasons, r.http_status) == (Status.OK, ("tls_chain_incomplete",), 200)
        assert "chain incomplete" in r.detail
        assert r.years == (2566,)  # the page was read and judged as any other
    assert [s.path for s in issuers.log] == ["/int.crt"]  # one fetch for all of the site's rows


def test_the_chain_is_read_from_the_next_address_when_the_first_is_down(pki, issuers):
    """A site with two addresses, the first refusing: the request opened through the second,
    and the certificate must be read there too, or the row was a false `tls_invalid`."""
    ctx = pki.server(NAME, aia=(issuers.url("/int.crt"),))
    with LoopbackServer({"/": respond(200, PAGE)}, host=TARGET, tls=ctx) as site:
        settings = replace(SETTINGS, resolve=(f"{NAME}:127.0.0.4", f"{NAME}:{TARGET}"), allow_private=("127.0.0.0/29",))
        with Checker(settings) as checker:
            r = checker.check(f"https://{NAME}:{site.port}/")
    assert (r.status, r.reasons) == (Status.OK, ("tls_chain_incomplete",))


def test_a_complete_chain_needs_nothing_fetched(pki, issuers):
    results = _check(pki.server(NAME, aia=(issuers.url("/int.crt"),), chain=True))
    assert [(r.status, r.reasons) for r in results] == [(Status.OK, ())] * 2
    assert issuers.log == []


@pytest.mark.parametrize("case", ["expired", "another name", "unknown root", "junk", "not found", "no address"])
def test_what_a_browser_warns_about_stays_tls_invalid(case, pki, issuers, tmp_path):
    good = (issuers.url("/int.crt"),)
    if case == "expired":
        ctx = pki.server(NAME, aia=good, days=(-30, -1))
    elif case == "another name":
        ctx = pki.server("other.go.th", aia=good)
    elif case == "unknown root":
        # A CA outside the bundle, its intermediate served as it names it.
        stranger = Pki(tmp_path / "stranger", root_name="a private CA")
        issuers.routes["/stranger.crt"] = respond(200, stranger.intermediate_der, DER)
        ctx = stranger.server(NAME, aia=(issuers.url("/stranger.crt"),))
    elif case == "junk":
        ctx = pki.server(NAME, aia=(issuers.url("/junk.crt"),))
    elif case == "not found":
        ctx = pki.server(NAME, aia=(issuers.url("/nothing.crt"),))
    else:
        ctx = pki.server(NAME)
    [r] = _check(ctx, paths=("/",))
    assert (r.status, r.reasons) == (Status.WARNING, ("tls_invalid",))


def test_an_intermediate_address_outside_the_guard_is_never_fetched(pki, canary):
    ctx = pki.server(NAME, aia=(canary.url("/int.crt"),))
    [r] = _check(ctx, paths=("/",))
    assert r.reasons == ("tls_invalid",)  # and the canary fixture checks that nothing reached it


def test_intermediates_are_read_in_every_form_cas_serve_them(pki):
    cert = pki.intermediate
    pem = cert.public_bytes(serialization.Encoding.PEM)
    forms = {"der": pki.intermediate_der, "pem": pem,
             "p7c der": pkcs7.serialize_certificates([cert], serialization.Encoding.DER),
             "p7c pem": pkcs7.serialize_certificates([cert], serialization.Encoding.PEM)}
    for form, body in forms.items():
        assert chains.parse_certificates(body) == (cert,), form
    for junk in (b"", b"<html>not found</html>", b"-----BEGIN CERTIFICATE-----\nnope\n", pki.intermediate_der[:100]):
        assert chains.parse_certificates(junk) == ()


def test_only_http_ca_issuers_addresses_are_followed(pki):
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID as Oid

    def with_aia(*descriptions):
        b = (x509.CertificateBuilder().subject_name(pki.root.subject).issuer_name(pki.root.subject)
             .public_key(pki.root_key.public_key()).serial_number(1)
             .not_valid_before(pki.root.not_valid_before_utc).not_valid_after(pki.root.not_valid_after_utc))
        if descriptions:
            b = b.add_extension(x509.AuthorityInformationAccess(
                [x509.AccessDescription(m, x509.UniformResourceIdentifier(u)) for m, u in descriptions]),
                critical=False)
        from cryptography.hazmat.primitives import hashes
        return b.sign(pki.root_key, hashes.SHA256())

    cert = with_aia((Oid.OCSP, "http://ocsp.example/"), (Oid.CA_ISSUERS, "ldap://dir.example/ca"),
                    (Oid.CA_ISSUERS, "http://ca.example/int.crt"), (Oid.CA_ISSUERS, "HTTPS://ca.example/b.crt"))
    assert chains.issuer_urls(cert) == ["http://ca.example/int.crt", "HTTPS://ca.example/b.crt"]
    assert chains.issuer_urls(with_aia()) == []


def test_a_root_cryptography_cannot_read_is_left_out_not_the_whole_bundle(pki):
    root = pki.root.public_bytes(serialization.Encoding.PEM)
    damaged = b"-----BEGIN CERTIFICATE-----\nMIIBroken\n-----END CERTIFICATE-----\n"
    assert chains.load_roots(damaged + root + b"# a comment line\n" + root) == [pki.root, pki.root]
    assert chains.load_roots(b"") == []


def test_an_intermediate_one_checks_deadline_cut_is_fetched_again_by_the_sites_next_check(pki):
    # The site's first check read its page for 3.5 of its 8 s, and its request for the missing
    # intermediate, which the CA's slow server takes 5.5 s to send, was cut there: that check's
    # lack of time, not the CA's answer. Kept as "no certificate there", every later check of the
    # site (of every site that CA signed) was a false tls_invalid for the run; the next check, with
    # time, asks again.
    with LoopbackServer({"/int.crt": slow(5.5, respond(200, pki.intermediate_der, DER))}, host=TARGET) as ca:
        ctx = pki.server(NAME, aia=(ca.url("/int.crt"),))
        routes = {"/o1-slow": slow(3.5, respond(200, PAGE)), "/o1": respond(200, PAGE)}
        with LoopbackServer(routes, host=TARGET, tls=ctx) as site, \
                Checker(replace(SETTINGS, per_host=1, read_timeout_s=10, total_timeout_s=8)) as checker:
            urls = [f"https://{NAME}:{site.port}{p}" for p in routes]
            results = checker.check_many(urls)
        assert len(ca.log) == 2
    assert results[urls[1]].reasons == ("tls_chain_incomplete",)
    assert results[urls[0]].reasons == ("timeout",)  # out of time, as a check whose page came too late


@pytest.mark.parametrize("paths", [("/",), ("/", "/o1")], ids=["its-asker", "and-a-check-waiting-for-it"])
def test_an_intermediate_that_comes_after_the_checks_deadline_is_a_timeout_never_tls_invalid(pki, paths):
    # The page came at once; the CA's server sends the intermediate after the check's time is
    # over (within the socket's read timeout). That check ran out of time, as one whose page came
    # too late does: `timeout`, checked again next run. tls_invalid said "the certificate is not
    # valid" of a site every browser opens. A second check of the site, waiting for the first
    # one's request, runs out of time with it.
    with LoopbackServer({"/int.crt": slow(8.0, respond(200, pki.intermediate_der, DER))}, host=TARGET) as ca:
        ctx = pki.server(NAME, aia=(ca.url("/int.crt"),))
        with LoopbackServer({p: respond(200, PAGE) for p in paths}, host=TARGET, tls=ctx) as site, \
                Checker(replace(SETTINGS, read_timeout_s=10)) as checker:
            results = checker.check_many([f"https://{NAME}:{site.port}{p}" for p in paths])
            assert sorted(s.path for s in site.log) == sorted(paths)  # each page asked once: its own answer came
        assert len(ca.log) == 1
    assert [(r.status, r.reasons) for r in results.values()] == [(Status.BROKEN, ("timeout",))] * len(paths)


def test_a_check_with_less_time_than_a_cut_intermediate_had_is_a_timeout_at_once(pki):
    # The site's first check asked the CA with nearly all its time and was cut; the second, after
    # its own slow page, has less left: its request would be cut too, so it is not made, and the
    # check is out of time as the first was, never tls_invalid for an intermediate it did not wait for.
    with LoopbackServer({"/int.crt": slow(8.0, respond(200, pki.intermediate_der, DER))}, host=TARGET) as ca:
        ctx = pki.server(NAME, aia=(ca.url("/int.crt"),))
        routes = {"/o1": respond(200, PAGE), "/o1-slow": slow(2.0, respond(200, PAGE))}
        with LoopbackServer(routes, host=TARGET, tls=ctx) as site, \
                Checker(replace(SETTINGS, per_host=1, read_timeout_s=10)) as checker:
            results = checker.check_many([f"https://{NAME}:{site.port}{p}" for p in routes])
        assert len(ca.log) == 1
    assert [(r.status, r.reasons) for r in results.values()] == [(Status.BROKEN, ("timeout",))] * 2


@pytest.mark.parametrize("timeouts", [(10, 8.0), (1, 3.0)], ids=["the-checks-deadline", "the-sites-read-timeout"])
def test_a_page_that_comes_too_late_for_the_second_look_is_a_timeout_never_tls_error(pki, issuers, timeouts):
    # The handshake names no intermediate (a browser fetches it), so the page is asked again
    # unverified, and it comes after the check's time is over, or the site's read timeout: the
    # certificate was never told bad from only incomplete. The first fetch's tls_error said
    # "broken, the certificate has a problem" of a slow site every browser opens; out of time, it
    # is `timeout`, as a check whose page came too late is.
    read_timeout, page_after = timeouts
    ctx = pki.server(NAME, aia=(issuers.url("/int.crt"),))
    with LoopbackServer({"/o1": slow(page_after, respond(200, PAGE))}, host=TARGET, tls=ctx) as site, \
            Checker(replace(SETTINGS, read_timeout_s=read_timeout)) as checker:
        r = checker.check(f"https://{NAME}:{site.port}/o1")
        assert [s.path for s in site.log] == ["/o1"]  # the unverified look (the first ended at the handshake)
    assert (r.status, r.reasons) == (Status.BROKEN, ("timeout",))
    assert issuers.log == []  # no page came: no chain to complete
