"""What an answer is, by its bytes and its headers, as a browser tells it: an archive is saved, not
shown as a PDF; a "file not found" page or message where a file was promised is "not found", not
a PDF to check by hand or a page without 2566. Real Checker, real loopback servers; names reach
them only through --resolve."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from sheets_sync.check.checker import Checker
from sheets_sync.collect.cells import Candidate
from sheets_sync.config.settings import CheckerSettings, YearRule
from sheets_sync.core.models import Status
from sheets_sync.judge.verdicts import judge_candidate
from tests.support.farm import make_pdf
from tests.support.http_servers import LoopbackServer, respond

CURRENT = YearRule((2566,))
PDF_2566 = make_pdf(["Procurement plan, fiscal year 2566"])
PDF = {"Content-Type": "application/pdf"}
OK, LOOK = (Status.OK, ()), (Status.OK, ("unverifiable_content",))


def verdicts(routes: dict, paths=None) -> dict:
    """The verdict of each path's URL for an item that asks for 2566."""
    settings = replace(CheckerSettings(), connect_timeout_s=2, read_timeout_s=4, total_timeout_s=8, retries=0,
                       allow_private=("127.0.0.1/32",))
    with LoopbackServer(routes) as srv, Checker(settings, pdf_years=((2566,),)) as checker:
        out = {}
        for path in paths or routes:
            url = srv.url(path)
            out[path] = judge_candidate(Candidate(raw=url, url=url, reasons=()), checker.check(url), CURRENT)
        return out


def zipped(method: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr("o19-2566.pdf", PDF_2566)
    return buf.getvalue()


def test_an_archive_storing_a_pdf_is_an_archive_not_a_damaged_pdf():
    rar = b"Rar!\x1a\x07\x01\x00" + bytes(40) + PDF_2566  # a RAR5 archive storing the PDF as it is
    routes = {
        # each was "the PDF may be damaged, upload it again" (pdf_unreadable): "%PDF-" in its first KB
        "/o19.zip": respond(200, zipped(zipfile.ZIP_STORED), {"Content-Type": "application/zip"}),
        "/download.php": respond(200, zipped(zipfile.ZIP_STORED), {"Content-Type": "application/octet-stream",
                                                                   "Content-Disposition": "attachment; filename=o19.zip"}),
        "/o19.rar": respond(200, rar, {"Content-Type": "application/x-rar-compressed"}),
        # guards: a compressed zip, as before; a PDF after a PHP notice, or sent as an archive, is a PDF
        "/o19-deflated.zip": respond(200, zipped(zipfile.ZIP_DEFLATED), {"Content-Type": "application/zip"}),
        "/notice.pdf": respond(200, b"<b>Notice</b>: Undefined index: id<br />\n" + PDF_2566, PDF),
        "/o19-as-zip.pdf": respond(200, PDF_2566, {"Content-Type": "application/x-zip-compressed"}),
    }
    assert verdicts(routes) == {"/o19.zip": LOOK, "/download.php": LOOK, "/o19.rar": LOOK,
                                "/o19-deflated.zip": LOOK, "/notice.pdf": OK, "/o19-as-zip.pdf": OK}
