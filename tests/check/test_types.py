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


PHP_WARNING = (b"<br />\n<b>Warning</b>:  readfile(/var/www/html/uploads/ita/o19_2566.pdf): failed to open stream: "
               b"No such file or directory in <b>/var/www/html/download.php</b> on line <b>12</b><br />\n")
NOT_FOUND = ("<html><head><meta charset='utf-8'><title>ไม่พบไฟล์</title></head><body><h3>ขออภัย ไม่พบไฟล์ที่ท่านต้องการ"
             "</h3><p>ไฟล์อาจถูกย้ายหรือลบออกจากระบบแล้ว กรุณาติดต่อผู้ดูแลระบบ</p></body></html>").encode()
BROKEN = (Status.BROKEN, ("wrong_type",))


def item_page(links: str) -> bytes:
    return ("<html><head><meta charset='utf-8'><title>O19</title></head><body><h1>แผนการจัดซื้อจัดจ้าง</h1>"
            f"<p>รายละเอียดตามเอกสารแนบ</p>{links}</body></html>").encode()


def test_an_error_sent_as_the_pdf_is_broken_not_a_file_to_check_by_hand():
    routes = {
        # each was "ok, a look by hand": the browser's PDF viewer says "Failed to load PDF document"
        "/uploads/o19_2566.pdf": respond(200, PHP_WARNING, PDF),
        "/download.php": respond(200, PHP_WARNING, {**PDF, "Content-Disposition": "inline; filename=o19_2566.pdf"}),
        "/getfile.php": respond(200, NOT_FOUND, PDF),
        "/files/o19.pdf": respond(200, NOT_FOUND, {"Content-Type": "application/x-pdf"}),
        "/dl/plain.php": respond(200, "ไม่พบไฟล์ที่ต้องการ".encode(), PDF),
        # guards: a PDF after a PHP notice opens; a scan is a look by hand; a real PDF is read
        "/notice.pdf": respond(200, PHP_WARNING + PDF_2566, PDF),
        "/scan.pdf": respond(200, make_pdf([]), PDF),
        "/plan.pdf": respond(200, PDF_2566, PDF),
    }
    assert verdicts(routes) == {"/uploads/o19_2566.pdf": BROKEN, "/download.php": BROKEN, "/getfile.php": BROKEN,
                                "/files/o19.pdf": BROKEN, "/dl/plain.php": BROKEN,
                                "/notice.pdf": OK, "/scan.pdf": LOOK, "/plan.pdf": OK}


def test_an_item_pages_file_that_is_an_error_sent_as_the_pdf_is_missing():
    routes = {
        # was a look by hand: its only file does not open for the assessor who clicks
        "/o19": respond(200, item_page('<a href="/download.php?id=19">ดาวน์โหลดเอกสาร</a>'), {
            "Content-Type": "text/html; charset=utf-8"}),
        "/download.php": respond(200, NOT_FOUND, PDF),
        # guard: beside a file that opens, the page is judged by that file
        "/o19-two": respond(200, item_page('<a href="/download.php?id=19">ส่วนที่ 1</a> '
                                           '<a href="/files/plan.pdf">ส่วนที่ 2</a>'), {"Content-Type": "text/html"}),
        "/files/plan.pdf": respond(200, PDF_2566, PDF),
    }
    assert verdicts(routes, ["/o19", "/o19-two"]) == {"/o19": (Status.WARNING, ("linked_file_missing",)),
                                                       "/o19-two": OK}


def test_a_download_scripts_bare_not_found_is_broken_not_empty_or_without_a_year():
    html = {"Content-Type": "text/html; charset=utf-8"}
    home = item_page("").replace("แผนการจัดซื้อจัดจ้าง".encode(), "ข่าวประชาสัมพันธ์ ประจำปี 2566".encode())
    routes = {
        # each was "empty_page" or "no 2566" (warnings): the assessor who clicks gets no file
        "/download.php": respond(200, "ไม่พบไฟล์".encode(), html),
        "/dl/plain.php": respond(200, b"Error: file does not exist", {"Content-Type": "text/plain"}),
        "/dl/en.php": respond(200, b"File not found.", {"Content-Type": "text/html"}),
        "/dl/alert.php": respond(200, "<script>alert('ไม่พบไฟล์ที่ต้องการ'); history.back();</script>".encode(), html),
        "/dl/close.php": respond(200, "<script language='javascript'>alert('ขออภัย ไม่พบเอกสาร');window.close();"
                                      "</script>".encode(), html),
        "/getfile.php": respond(200, NOT_FOUND, html),  # its title and heading say so, at a download script's address
        # guards: an alert of something else and a bare "no data" stay empty pages; an alert before
        # moving on is judged where it leads; an item page noting a missing attachment keeps its year verdict
        "/dl/saved.php": respond(200, "<script>alert('บันทึกเรียบร้อย'); history.back();</script>".encode(), html),
        "/dl/no-data.php": respond(200, "ไม่พบข้อมูล".encode(), html),
        "/dl/home.php": respond(200, "<script>alert('ไม่พบข้อมูล');window.location='/';</script>".encode(), html),
        "/": respond(200, home, html),
        "/o19": respond(200, item_page("<p>ไม่พบไฟล์แนบ กรุณาติดต่อเจ้าหน้าที่ โทร. 053 511 111</p>"), html),
    }
    broken, empty = (Status.BROKEN, ("soft_404",)), (Status.WARNING, ("empty_page",))
    assert verdicts(routes, [p for p in routes if p != "/"]) == {
        "/download.php": broken, "/dl/plain.php": broken, "/dl/en.php": broken, "/dl/alert.php": broken,
        "/dl/close.php": broken, "/getfile.php": broken,
        "/dl/saved.php": empty, "/dl/no-data.php": empty, "/dl/home.php": (Status.WARNING, ("redirected_home",)),
        "/o19": (Status.WARNING, ("no_fiscal_year",))}
