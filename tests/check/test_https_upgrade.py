"""An http:// link that fails on its own address while its https:// twin opens is what
browsers show (they try https:// first), so it is a warning with advice (`https_only`), never
`broken`; whatever the twin cannot fix stays as it was. Real HTTP and TLS servers on loopback;
the ports a browser leaves out (80, 443) are pointed at them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheets_sync.check import upgrade
from sheets_sync.check.checker import Checker
from sheets_sync.config.settings import CheckerSettings
from sheets_sync.core.models import Status
from tests.support.http_servers import LoopbackServer, closed_port, redirect, respond

NAME = "tapladuk.go.th"
PAGE = ("<html><head><title>โครงสร้างหน่วยงาน</title></head><body><p>โครงสร้างหน่วยงาน ประจำปีงบประมาณ "
        "พ.ศ. 2566 ของเทศบาลตำบลทาปลาดุก</p></body></html>").encode()
HTML = {"Content-Type": "text/html; charset=utf-8"}
SETTINGS = replace(CheckerSettings(), connect_timeout_s=1, read_timeout_s=1, total_timeout_s=4, retries=0,
                   allow_private=("127.0.0.1/32",), soft404_probe=False, resolve=(f"{NAME}:127.0.0.1",))


@pytest.fixture
def secure(pki, monkeypatch):
    """The site's https:// side, serving the page, at the port browsers assume for https://."""
    with LoopbackServer({"/o1": respond(200, PAGE, HTML), "/gone": respond(404, b"not here")},
                        tls=pki.server(NAME, chain=True)) as srv:
        monkeypatch.setattr(upgrade, "HTTPS_PORT", srv.port)
        yield srv


def at_port_80(monkeypatch, port: int) -> str:
    monkeypatch.setattr(upgrade, "HTTP_PORT", port)
    return f"http://{NAME}:{port}"


def check(url: str):
    with Checker(SETTINGS) as checker:
        return checker.check(url)


def test_port_80_closed_but_https_open_is_a_warning_not_broken(secure, monkeypatch):
    base = at_port_80(monkeypatch, closed_port())
    r = check(f"{base}/o1")
    assert (r.status, r.reasons) == (Status.WARNING, ("https_only",))
    assert r.url == f"{base}/o1" and r.final_url == f"https://{NAME}:{secure.port}/o1"
    assert r.years == (2566,)


def test_a_port_80_server_answering_404_everywhere_is_not_broken_when_https_opens(secure, monkeypatch):
    with LoopbackServer({}) as plain:  # 404 for every path, as a default virtual host may
        r = check(f"{at_port_80(monkeypatch, plain.port)}/o1")
    assert (r.status, r.reasons) == (Status.WARNING, ("https_only",))


def test_a_port_80_server_showing_its_default_page_is_not_broken_when_https_opens(secure, monkeypatch):
    default = b"<html><head><title>Apache2 Ubuntu Default Page: It works</title></head><body>It works!</body></html>"
    with LoopbackServer(fallback=respond(200, default, HTML)) as plain:  # the site set up on https:// only
        r = check(f"{at_port_80(monkeypatch, plain.port)}/o1")
    assert (r.status, r.reasons) == (Status.WARNING, ("https_only",))


def test_port_80_sending_visitors_to_an_office_address_is_not_broken_when_https_opens(secure, monkeypatch):
    # The http:// virtual host still has the CMS's old address; an https-first browser never goes there.
    with LoopbackServer({"/o1": redirect("http://192.168.1.10/o1")}) as plain:
        r = check(f"{at_port_80(monkeypatch, plain.port)}/o1")
    assert (r.status, r.reasons, r.years) == (Status.WARNING, ("https_only",), (2566,))


def test_https_failing_too_keeps_the_first_verdict(secure, monkeypatch):
    base = at_port_80(monkeypatch, closed_port())
    assert check(f"{base}/gone").reasons == ("connect_error",)  # the twin answers 404: not better
    monkeypatch.setattr(upgrade, "HTTPS_PORT", closed_port())
    assert check(f"{base}/o1").reasons == ("connect_error",)  # no https:// at all


def test_a_working_http_link_is_not_asked_again(secure, monkeypatch):
    with LoopbackServer({"/o1": respond(200, PAGE, HTML)}) as plain:
        r = check(f"{at_port_80(monkeypatch, plain.port)}/o1")
    assert (r.status, r.reasons) == (Status.OK, ())
    assert secure.log == []


def test_no_twin_for_other_ports(secure, monkeypatch):
    at_port_80(monkeypatch, closed_port())
    assert check(f"http://{NAME}:{closed_port()}/o1").reasons == ("connect_error",)  # a port of its own
    assert secure.log == []


def test_a_failure_after_a_redirect_on_port_80_is_not_what_an_https_first_browser_shows(secure, monkeypatch):
    """Chrome asks https:// first and never sees port 80's redirects: one to a missing page was a
    false "broken"."""
    with LoopbackServer({"/o1": redirect("/moved")}) as plain:
        r = check(f"{at_port_80(monkeypatch, plain.port)}/o1")
    assert (r.status, r.reasons, r.years) == (Status.WARNING, ("https_only",), (2566,))
    not_found = "<html><head><title>ไม่พบหน้าที่ต้องการ</title></head><body>ไม่พบหน้า</body></html>".encode()
    with LoopbackServer({"/o1": respond(200, not_found, HTML)}) as plain:  # port 80's not-found page
        r = check(f"{at_port_80(monkeypatch, plain.port)}/o1")
    assert (r.status, r.reasons) == (Status.WARNING, ("https_only",))


def test_no_twin_asked_again_when_a_redirect_already_went_there(secure, monkeypatch):
    with LoopbackServer({"/gone": redirect(f"https://{NAME}:{secure.port}/gone")}) as plain:
        r = check(f"{at_port_80(monkeypatch, plain.port)}/gone")
    assert (r.status, r.reasons) == (Status.BROKEN, ("http_4xx",))
    assert [s.path for s in secure.log] == ["/gone"]
