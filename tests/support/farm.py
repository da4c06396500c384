"""A loopback farm of agency websites: N virtual hosts (tapladuk.go.th ...) behind one asyncio
HTTP/1.1 server, for tests, `make demo` and the benchmark. Nothing here listens on or talks
to anything but 127.0.0.0/8; names reach it only through --resolve style mappings
(`Farm.resolve`), never DNS.

Every host serves the same catalogue of paths, each a situation agencies' sites really show
(see PATHS); a host's *profile* changes how it behaves as a whole (soft404: every unknown
path answers 200 with the home page; slow; flaky: every other answer a 503; down: hangs up;
spa: every path answers the same shell that scripts would fill in; maintenance: every path answers
200 with a maintenance notice; dated, dated-table, dated-posts, dated-home: every page wears a
template that shows 2566, see `dated`; dated-query: as dated-table, its items at `/news.php?id=N`,
a missing path answered with the web server's bare 404, see `_query_site`).

    with Farm(["tapladuk.go.th", "lee.go.th"], latency=0.02) as farm:
        url = farm.url("tapladuk.go.th", "/oit/O1")          # http://tapladuk.go.th:PORT/oit/O1
        settings = replace(settings, resolve=farm.resolve, allow_private=farm.allow)
        farm.count("tapladuk.go.th", "/oit/O1")             # requests seen

Run as a process (benchmark, demo): `python -m tests.support.farm --hosts 59 --latency 0.15
--per-host-addresses` prints one JSON line (port, host -> address) and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import functools
import hashlib
import html
import io
import ipaddress
import json
import random
import sys
import threading
import zipfile
from collections import Counter
from typing import Iterable, Sequence
from urllib.parse import parse_qsl, unquote

KNOWN_HOSTS = ("lamphun.go.th", "lamphuncity.go.th", "banklanglp.go.th", "lee.go.th", "tapladuk.go.th",
               "thasobsao.go.th", "thakhumnguen.go.th", "thatoungluang.go.th", "banhong.go.th", "paplu.go.th",
               "nonglong.go.th", "wangpang.go.th")
SERVICE_HOSTS = ("accounts.google.com", "drive.google.com", "docs.google.com", "www.dropbox.com")
# Shared Drive files by kind: (file id, what its download answers). Ids are as long as Drive's.
DRIVE_FILES = {"public": "1PublicFile-ITA2566abc", "nameless": "1NamelessFile-abcdefg", "old": "1OldFile-abcdefghij",
               "scan": "1ScanFile-abcdefghij", "big": "1BigFile-abcdefghijk",
               "keyed": "0BKeyedOldShare-abcdefg"}  # shared before 2021: opens only with its resource key
DRIVE_RESOURCE_KEY = "0-AbCdEfGhIjKlMnOp"
DOCS_DOCUMENT = "1DocsDocument-abcdefghijklmnop"
PUBLISHED_SHEET = "2PACX-1vPublishedSheet-abcdefghij"  # a Google Sheet published to the web
# What F5 BIG-IP ASM sends, with status 200, for a request it refuses.
FIREWALL_PAGE = (b"<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please "
                 b"consult with your administrator.<br><br>Your support ID is: 14379261082566713345<br><br>"
                 b"<a href='javascript:history.back();'>[Go Back]</a></body></html>")
ITEM_TITLES = {
    1: "โครงสร้าง", 2: "ข้อมูลผู้บริหาร", 3: "อำนาจหน้าที่", 4: "แผนพัฒนาหน่วยงาน", 5: "ข้อมูลการติดต่อ",
    6: "กฎหมายที่เกี่ยวข้อง", 7: "ข่าวประชาสัมพันธ์", 8: "Q&A", 9: "Social Network", 10: "นโยบายคุ้มครองข้อมูลส่วนบุคคล",
}

# path -> what it is (the content heuristics each path exercises)
PATHS = {
    "/": "home page",
    "/oit/O{n}": "an OIT item page of 2566 (n = 1..43), with ETag/Last-Modified",
    "/docs/O{n}.pdf": "a PDF whose text says 2566",
    "/old/O{n}": "last year's page (2565 only): no_fiscal_year",
    "/old/O{n}.pdf": "last year's PDF: no_fiscal_year",
    "/year/{YYYY}/O{n}": "an OIT item page that shows the Buddhist-era year YYYY and no other (another year's catalogue)",
    "/scan/O{n}.pdf": "a PDF without text (a scan): unverifiable_content",
    "/news/404": "a real 2566 page that mentions 404 in its text (not a soft 404)",
    "/missing.html": "200 with a not-found title: soft_404",
    "/no-data": "200 headed only 'ไม่พบข้อมูลที่ท่านต้องการ' (a CMS's not-found message): soft_404",
    "/no-complaints": "a 2566 page headed 'ไม่พบข้อมูลการร้องเรียน...' (an agency reporting no complaints): ok",
    "/list-{YYYY}": "a CMS list of procurements whose year filter shows YYYY (2565 or 2566) among six years, "
                    "with that year's records",
    "/broken.pdf": "a .pdf link answering an HTML error page: wrong_type",
    "/tiny.pdf": "a .pdf link answering a few bytes: wrong_type",
    "/distributed.pdf": "a PDF whose year is on a line spread out by Thai Distributed alignment (PDFium reads "
                        "'2 5 6 6'): ok",
    "/empty": "a page without text: empty_page",
    "/member/login": "a page whose only form asks for a password: login_required",
    "/drive-private": "redirect to a Drive file that is not shared (then to Google sign-in): login_required",
    "/drive-public": "redirect to a shared Drive file named and dated 2566",
    "/drive-{kind}": "redirect to a shared Drive file whose name shows no year (DRIVE_FILES: its download is a "
                     "2566 PDF, last year's, a scan, or Drive's notice for files too large to scan; 'keyed': a 2566 "
                     "PDF shared before 2021, downloaded only with the resourcekey its link carries)",
    "/docs-doc": "redirect to a shared Google Docs document whose title shows no year; its text export says 2566",
    "/refresh": "a page whose <meta http-equiv=refresh> sends the browser to /oit/O1 at once",
    "/refresh-header": "an empty answer whose Refresh header (PHP's header('Refresh: 0;url=...')) sends the "
                       "browser to /oit/O1",
    "/moving/index.html": "a page with <base href=/docs/> whose meta refresh names O3.pdf: /docs/O3.pdf",
    "/index.php/ita/O12": "an item page with <base href=/> (Joomla) showing docs/O12.pdf in an <iframe>",
    "/refresh-gone": "... to /gone (404)", "/refresh-self": "a 2566 page that reloads itself every 5 s",
    "/refresh-later": "a 2566 page that moves to /gone after 10 minutes (a timer, not a move)",
    "/refresh-bad": "a 2566 page whose meta refresh and iframe name an unusable URL (http://[bad/)",
    "/dropbox": "redirect to a Dropbox preview of o12.pdf (a page drawn by scripts); with dl=1 the 2566 PDF",
    "/embed/{kind}/O{n}": "an item page that is a heading without a year and the PDF shown below it: kind 'pdf' "
                          "(an <iframe> of /docs/On.pdf; 'dated': the heading says 2566 too), 'old' (of /old/On.pdf), "
                          "'scan' (of a scan), 'viewer' (PDF.js given ?file=), 'spaced' (of an upload whose "
                          "Thai name has spaces, written unencoded in the src), "
                          "'drive' (a Drive file's preview), 'page' (a page of the site, /oit/On, in an <iframe>), "
                          "'frameset' (/oit/On in a <frameset> beside a menu), 'page-old' (/old/On in an <iframe>), 'page-gone' "
                          "(a missing page in an <iframe>: a 404, or a catch-all site's home page), 'sheet' (a Google Sheet "
                          "published to the web, its cells dated 2566), 'lazy' and 'lazy-page' (/docs/On.pdf and "
                          "/oit/On in a lazy-loaded <iframe>: src a placeholder, the address in data-src), "
                          "'pdfemb' (/docs/On.pdf in WordPress's PDF Embedder: an <a class=pdfemb-viewer> its "
                          "script draws the file into), 'flipbook' (/docs/On.pdf in a DearFlip flipbook named in a "
                          "script's options), 'flipbook-old' (/old/On.pdf so), 'linked' (/docs/On.pdf only "
                          "linked from the page's content, 'ดาวน์โหลดเอกสาร'), 'linked-old', 'linked-scan', "
                          "'linked-drive' (/old/On.pdf, /scan/On.pdf, a Drive file so), 'linked-menu' (/docs/On.pdf "
                          "linked only from a sidebar: not the page's own), 'linked-many' (/docs/O1-5.pdf: a list, "
                          "not read), 'scans' (a heading and two pictures: a look by hand), 'photos' (a long text with "
                          "photos: no_fiscal_year), 'word' and 'word-old' "
                          "(/office/plan.docx, /office/plan-old.docx in an <iframe>), 'anyflip' (a flipbook on AnyFlip in an "
                          "<iframe>, the page without a year: a look by hand), 'anyflip-old' (the same, headed 2565)",
    "/office/{name}": "office files: plan.docx (2566 split into two runs, as Word saves an edited line), plan-old.docx "
                      "(2565), plan-large.docx (2566, 6 MB with an image: read whole, as a PDF), summary.xlsx and "
                      "summary-old.xlsx (no year but in date cells of 2023 / 2022, an amount 2566.5), plan.doc (an old "
                      "binary Word file: not read, a look by hand)",
    "/post/O{n}": "a news post whose one dated line ('ประกาศ ... ประจำปีงบประมาณ พ.ศ. 2566') is a line of its own "
                  "(a 'dated-posts' site's widget and a 'dated-home' site's home page show it too)",
    "/friendly-old/O{n}": "last year's item page (2565 only) sent with 404",
    "/news.php?id={n}": "a 'dated-query' site's item pages (see Farm._query_site; elsewhere a 404)",
    "/friendly/O{n}": "the 2566 item page sent with 404 (a site whose not-found handler serves its friendly "
                      "addresses): error_status_page, a warning",
    "/gone": "404", "/error": "500", "/busy": "429 with Retry-After: 1",
    "/bot": "403 unless the User-Agent looks like a browser", "/waf": "403 to everyone: bot_blocked",
    "/modsec": "406 (ModSecurity's refusal on shared hosting) unless the User-Agent looks like a browser",
    "/imunify": "415 (Imunify360's refusal to a greylisted visitor) unless the User-Agent looks like a browser; "
                "'/imunify-all' to a browser's too",
    "/modsec-all": "that 406 to everyone: bot_blocked, not broken",
    "/firewall": "a firewall's refusal page (F5 ASM) sent with 200, unless the User-Agent looks like a browser",
    "/firewall-all": "that page with 200 to everyone: bot_blocked, not 'no 2566'",
    "/forbidden-200": "Apache's 403 page sent with 200 (an ErrorDocument script), unless the User-Agent looks like"
                      " a browser; '/forbidden-200-all' to a browser's too",
    "/failed-200": "nginx's '502 Bad Gateway' page sent with 200: server_error_page, not 'no 2566'",
    "/slow": "answers after `slow_s` seconds", "/drip": "a body one byte every 0.2 s",
    "/moved": "301 to /oit/O1", "/to-home": "302 to the home page (a page removed in a redesign)",
    "/to-not-found": "302 to the site's not-found page by its name (/errors/404.html), sent with 200: soft_404",
    "/to-post-404": "302 to /news/404, the post numbered 404: read as a page",
    "/to-private": "302 to a private address: redirect_private",
    "/uploads/{name}": "a 2566 PDF whose file name has Thai words and spaces (UPLOADS), as agencies upload them",
    "/corrupt.pdf": "a PDF no reader can open: warning, unverifiable_content + pdf_unreadable",
    "/to-file": "302 to a file: URL: redirect_not_http",
    "/o1-chart": "the home page with a heading of its own (a short item page in a large template)",
    "/o1-image": "the home page with an image of its own (an item page that is a chart)",
    "/script-move": "a page with a line of text whose script sends the browser to /docs/O3.pdf",
    "/script-upload": "... to an upload whose Thai name has spaces (UPLOADS[0]), written unencoded",
    "/script-gone": "a blank page whose <body onload> sends the browser to /gone (404)",
    "/script-click": "a 2566 page whose button and script function lead to /gone on a click only",
    "/script-choice": "a blank page whose script sends phones to /gone and others to /oit/O1",
    "/files/{name}.pdf": "a .pdf link answering a CMS's file page (HTML) that shows a file in an <embed>: name "
                         "'o10' shows /docs/O10.pdf ('dated': its text says 2566 too), 'old' /old/O10.pdf, 'gone' /gone.pdf (404); 'facebook' is an "
                         "error page with a Facebook frame: wrong_type",
    "/pdfjs/web/viewer.html?file=...": "PDF.js's viewer page (toolbar text, scripts) given a file",
    "/notice/{name}.pdf": "a download script's PDF (name 'o10': 2566, 'old': 2565) after a PHP notice it printed first",
    "/split-year": "a 2566 page whose year a Word paste split into runs of style: 25<span>66</span>",
    "/split-cells": "last year's page with a table whose cells hold 25 and 66 apart (no year): no_fiscal_year",
}
# File names as agencies' CMSs store them; requested percent-encoded, matched decoded.
UPLOADS = ("รายงานผลการดำเนินงาน ประจำปี 2566.pdf", "แผนปฏิบัติการ (ฉบับปรับปรุง) 2566.pdf", "o19.pdf")
PROFILES = ("normal", "soft404", "slow", "flaky", "down", "spa", "maintenance")
# PDF.js's viewer page as sites install it: a toolbar's words and the scripts that draw the file.
PDFJS_VIEWER = (b'<!DOCTYPE html><html dir="ltr"><head><meta charset="utf-8"><title>PDF.js viewer</title>'
                b'<link rel="stylesheet" href="viewer.css"><script src="../build/pdf.js"></script>'
                b'<script src="viewer.js"></script></head><body tabindex="1"><div id="outerContainer">'
                b'<div id="toolbarViewer"><button id="previous" class="toolbarButton"><span data-l10n-id="previous_label">'
                b'Previous</span></button><button id="next"><span data-l10n-id="next_label">Next</span></button>'
                b'<span id="numPages" class="toolbarLabel"></span><button id="zoomOut"><span>Zoom Out</span></button>'
                b'<button id="zoomIn"><span>Zoom In</span></button><button id="print"><span>Print</span></button>'
                b'<button id="download"><span>Download</span></button></div><div id="viewerContainer">'
                b'<div id="viewer" class="pdfViewer"></div></div></div></body></html>')
# What a site drawn by scripts (profile "spa") answers for every path: a title and a mount point.
SPA_SHELL = ('<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>เทศบาลตำบลเวียงยอง จังหวัดลำพูน</title>'
             '<script type="module" crossorigin src="/assets/index-4f2a.js"></script></head><body>'
             '<noscript>กรุณาเปิดใช้งาน JavaScript เพื่อใช้งานเว็บไซต์นี้</noscript><div id="app"></div></body></html>').encode()


# ---------------------------------------------------------------- content
def make_pdf(lines: Sequence[str], size: int = 0) -> bytes:
    """A minimal valid one-page PDF with `lines` as text (Helvetica, Latin only); no lines: a
    page with a filled box and no text at all, like a scan. `size`: padded to about that many
    bytes with an unreferenced stream (a scan's images, say), before the cross-reference table
    at the end, as in most files (the whole file is needed to open it)."""
    def esc(t: str) -> str:
        return t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    if lines:
        stream = "BT /F1 12 Tf 14 TL 72 740 Td " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    else:
        stream = "0.5 0.5 0.5 rg 72 72 468 648 re f"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pad = size - len(pdf_file(objects)) - 60
    if pad > 0:
        objects.append(f"<< /Length {pad} >>\nstream\n{'x' * pad}\nendstream")
    return pdf_file(objects)


def make_docx(paragraphs: Sequence[Sequence[str]], size: int = 0) -> bytes:
    """A minimal Word (.docx) file: each paragraph a list of runs, as Word splits text after an
    edit ("25", "66"). `size`: padded with an image part to about that many bytes."""
    def run(text: str) -> str:
        return f"<w:r><w:t xml:space='preserve'>{html.escape(text)}</w:t></w:r>"

    body = "".join(f"<w:p>{''.join(map(run, runs))}</w:p>" for runs in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
        if size:
            z.writestr("word/media/image1.png", random.Random(size).randbytes(size), zipfile.ZIP_STORED)
    return buf.getvalue()


def make_xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """An Excel (.xlsx) file written by openpyxl; a date cell is a date (a number with a date style)."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# An old binary Word file's first bytes (OLE compound file), the rest as good as any to a reader that stops there.
LEGACY_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "แผนการจัดซื้อจัดจ้าง 2566".encode("utf-16-le") * 40


_DOCX = {"Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@functools.cache  # made once: openpyxl takes ~20 ms a file
def office_file(name: str) -> tuple[bytes, dict] | None:
    """The farm's office files (/office/NAME): (body, headers), or None for another name."""
    title = "สรุปผลการจัดซื้อจัดจ้าง ประจำเดือน"  # no year: the dates say which year (as numbers with a date style)
    made = {
        "plan.docx": lambda: (make_docx([["แผนการจัดซื้อจัดจ้าง ประจำปีงบประมาณ พ.ศ. 25", "66"]]), _DOCX),
        "plan-old.docx": lambda: (make_docx([["แผนการจัดซื้อจัดจ้าง ประจำปีงบประมาณ พ.ศ. 2565"]]), _DOCX),
        "plan-large.docx": lambda: (make_docx([["แผนการจัดซื้อจัดจ้าง ประจำปี 2566"]], size=6 << 20), _DOCX),
        "summary.xlsx": lambda: (make_xlsx([[title], ["วันที่", "รายการ", "วงเงิน"],
                                            [datetime.date(2023, 1, 9), "จัดซื้อวัสดุสำนักงาน", 2566.5]]), _XLSX),
        "summary-old.xlsx": lambda: (make_xlsx([[title], [datetime.date(2022, 1, 10), "จัดซื้อวัสดุ", 2566.5]]), _XLSX),
        "plan.doc": lambda: (LEGACY_DOC, {"Content-Type": "application/msword"}),
    }.get(name)
    return made() if made else None


def distributed_pdf(line: str, spread: str, gap: int = 600) -> bytes:
    """A one-page PDF: `line`, then `spread` with its characters spread apart as Word's Thai
    Distributed alignment writes a short last line (a TJ offset of `gap`/1000 em between each two)."""
    spread_tj = "[" + f" -{gap} ".join(f"({c})" for c in spread) + "] TJ"
    stream = f"BT /F1 12 Tf 14 TL 72 740 Td ({line}) Tj T* {spread_tj} ET"
    return pdf_file(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
                     "/Contents 4 0 R >>", f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
                     "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def pdf_file(objects: Sequence[str]) -> bytes:
    """A PDF file of these objects (numbered from 1; object 1 is the catalog), with its
    cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def page(title: str, body: str, extra: str = "") -> bytes:
    nav = "".join(f'<li><a href="/oit/O{n}">{t}</a></li>' for n, t in ITEM_TITLES.items())
    return (f'<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>{title}</title>{extra}</head>'
            f'<body><nav><ul>{nav}</ul></nav><main><h1>{title}</h1>{body}</main>'
            '<footer>สงวนลิขสิทธิ์ เทศบาลตำบล จังหวัดลำพูน โทร. 053-000000</footer></body></html>').encode()


def _item_page(host: str, n: int, year: str) -> bytes:
    title = ITEM_TITLES.get(n, f"ข้อมูลการเปิดเผยสาธารณะ ข้อ O{n}")
    paras = "".join(f"<p>{title} ของ {host} รายละเอียดส่วนที่ {k} ประจำปีงบประมาณ พ.ศ. {year} "
                    f"เพื่อให้ประชาชนตรวจสอบได้ตามหลักเกณฑ์การประเมิน ITA</p>" for k in range(1, 4))
    return page(f"O{n} {title}", paras)


# Sites whose template shows 2566 on every page (profiles "dated..."): today's date in the header,
# a menu's "ITA 2566", a sidebar's news dated 2566, "© 2566" in the footer.
_DATED_TOP = ('<div class="topbar">วันพุธที่ 1 กุมภาพันธ์ 2566</div><div class="mainmenu"><a href="/ita">ITA 2566</a>'
              '</div>')
_DATED_BOTTOM = ('<aside class="widget-area"><h3>ข่าวล่าสุด</h3><a href="/news/1">ประกาศรับสมัครพนักงานจ้าง '
                 '(12 ม.ค. 66)</a></aside><div class="site-footer">&copy; 2566 สงวนลิขสิทธิ์</div>')


def post_line(n: int) -> str:
    """The one dated line of a news post's page `/post/On` (its heading says no year)."""
    return f"ประกาศ {ITEM_TITLES.get(n, f'ข้อ O{n}')} ประจำปีงบประมาณ พ.ศ. 2566"


def dated(body: bytes, profile: str, missing: bool = False) -> bytes:
    """A farm page (`page`) in the template of a "dated..." site. "dated": the page's semantic
    parts (nav, main, footer) kept; "dated-table" and "dated-home": an old table layout that
    marks none; "dated-posts": as "dated", its answer to a missing path also showing a widget of
    the latest posts, the post `/post/O10` among them ("dated-home" answers a missing path with
    its home page of eleven dated news, that post among them)."""
    text = body.decode()
    widget = f'<aside class="recent-posts"><p>{post_line(10)}</p></aside>' if profile == "dated-posts" and missing else ""
    text = text.replace("<body>", "<body>" + _DATED_TOP, 1).replace("</body>", widget + _DATED_BOTTOM + "</body>", 1)
    if profile in ("dated-table", "dated-home", "dated-query"):
        for a, b in (("<nav>", '<table><tr><td class="left">'), ("</nav>", "</td>"), ("<main>", "<td>"),
                     ("</main>", "</td></tr></table>"), ("<footer>", "<div>"), ("</footer>", "</div>"),
                     ('<aside class="widget-area">', "<div>"), ("</aside>", "</div>"),
                     ('class="site-footer"', ""), ('class="topbar"', ""), ('class="mainmenu"', "")):
            text = text.replace(a, b)
    return text.encode()


class Site:
    """The pages of one virtual host."""

    def __init__(self, host: str, profile: str = "normal") -> None:
        self.host, self.profile = host, profile
        self.home = page(f"หน้าแรก {host}", "<p>ข่าวประชาสัมพันธ์ ประจำปี 2566 กิจกรรมของเทศบาล การประชุมสภา "
                                             "ประกาศรับสมัคร และบริการประชาชน</p>")
        self.etag = '"' + hashlib.sha1(host.encode()).hexdigest()[:12] + '"'


# ---------------------------------------------------------------- server
class Farm:
    """The farm; see the module doc. `address` serves every host by its Host header; with
    `per_host_addresses`, host i also has an address of its own (127.1.x.y), so tools without
    --resolve (lychee, LinkChecker) can reach it by IP with the same per-host limits."""

    def __init__(self, hosts: Sequence[str] | int = KNOWN_HOSTS, latency: float = 0.0,
                 profiles: dict[str, str] | None = None, address: str = "127.0.0.2",
                 per_host_addresses: bool = False, slow_s: float = 10.0, port: int = 0) -> None:
        names = list(farm_hosts(hosts) if isinstance(hosts, int) else hosts)
        if not ipaddress.ip_address(address).is_loopback:
            raise ValueError("the farm listens on loopback addresses only")
        self.latency, self.slow_s, self.address = latency, slow_s, address
        self.sites = {h: Site(h, (profiles or {}).get(h, "normal")) for h in names}
        for h in SERVICE_HOSTS:
            self.sites.setdefault(h, Site(h, "service"))
        self.addresses = {h: address for h in self.sites}
        if per_host_addresses:
            for i, h in enumerate(names):
                self.addresses[h] = str(ipaddress.ip_address("127.1.0.1") + i)
        self._by_address = {a: h for h, a in self.addresses.items() if a != address}
        self.port = port
        self.counts: Counter[tuple[str, str]] = Counter()
        self.user_agents: Counter[str] = Counter()
        self._calls: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pdfs: dict[tuple[str, int], bytes] = {}

    # -------------------------------------------------------- addressing
    @property
    def hosts(self) -> list[str]:
        return [h for h, s in self.sites.items() if s.profile != "service"]

    @property
    def resolve(self) -> tuple[str, ...]:
        """--resolve entries (HOST:ADDR) for every host, Google's look-alikes included."""
        return tuple(f"{h}:{a}" for h, a in self.addresses.items())

    @property
    def allow(self) -> tuple[str, ...]:
        return ("127.0.0.0/8",) if len(set(self.addresses.values())) > 1 else (f"{self.address}/32",)

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def ip_url(self, host: str, path: str = "/") -> str:
        return f"http://{self.addresses[host]}:{self.port}{path}"

    def count(self, host: str | None = None, path: str | None = None) -> int:
        with self._lock:
            return sum(n for (h, p), n in self.counts.items()
                       if (host is None or h == host) and (path is None or p == path))

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()

    # -------------------------------------------------------- life cycle
    def start(self) -> "Farm":
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                loop.run_until_complete(self._listen())
            except BaseException as e:  # noqa: BLE001 - reported to start()
                failure.append(e)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="farm", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    async def _listen(self) -> None:
        addresses = sorted(set(self.addresses.values()), key=lambda a: a != self.address)
        first = await asyncio.start_server(self._handle, addresses[0], self.port, backlog=1024, reuse_address=True)
        self.port = first.sockets[0].getsockname()[1]
        servers = [first]
        for a in addresses[1:]:
            servers.append(await asyncio.start_server(self._handle, a, self.port, backlog=1024, reuse_address=True))
        self._servers = servers
        self._server = first

    def close(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        def stop() -> None:
            for s in self._servers:
                s.close()
            loop.stop()

        loop.call_soon_threadsafe(stop)
        if self._thread:
            self._thread.join(timeout=5)
        self._loop = None

    def __enter__(self) -> "Farm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -------------------------------------------------------- HTTP
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        local = writer.get_extra_info("sockname")[0]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    return
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
                host = self._host_of(headers.get("host", ""), local)
                with self._lock:
                    self.counts[(host, target)] += 1
                    self._calls[(host, target.split("?")[0])] += 1
                    n = self._calls[(host, target.split("?")[0])]
                    self.user_agents[headers.get("user-agent", "")] += 1
                keep = await self._respond(writer, method, host, target, headers, n) and keep
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    def _host_of(self, host_header: str, local: str) -> str:
        name = host_header.rsplit(":", 1)[0].lower() if not host_header.startswith("[") else host_header
        if name in self.sites:
            return name
        return self._by_address.get(local, name)

    async def _respond(self, writer, method: str, host: str, target: str, headers: dict, n: int) -> bool:
        site = self.sites.get(host)
        if site is None:
            await self._send(writer, 404, page("ไม่รู้จักเว็บไซต์", "<p>unknown host</p>"), method)
            return True
        if site.profile == "down":
            return False  # hang up without a word
        delay = self.latency + (self.slow_s if site.profile == "slow" else 0)
        if delay:
            await asyncio.sleep(delay)
        if site.profile == "flaky" and n % 2 == 1:
            await self._send(writer, 503, b"busy", method)
            return True
        status, body, extra = self._route(site, target, headers, n)
        if site.profile.startswith("dated") and isinstance(body, bytes) and body.startswith(b"<!DOCTYPE html>"):
            body = dated(body, site.profile, missing=status == 404)
        if status == "slow":
            await asyncio.sleep(self.slow_s)
            status = 200
        if status == "drip":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 200\r\n\r\n")
            for _ in range(200):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.2)
            return True
        await self._send(writer, status, body, method, extra)
        return True

    async def _send(self, writer, status: int, body: bytes, method: str = "GET", extra: dict | None = None) -> None:
        extra = dict(extra or {})
        extra.setdefault("Content-Type", "text/html; charset=utf-8")
        reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 403: "Forbidden",
                  404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
                  503: "Service Unavailable"}.get(status, "Status")
        if status == 304:
            body = b""
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Server: farm"]
        head += [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body))
        await writer.drain()

    def _pdf(self, host: str, n: int, year: str | None) -> bytes:
        key = (f"{host}/{year}", n)
        if key not in self._pdfs:
            lines = [] if year is None else [
                f"Report of {host}, item O{n}", f"Fiscal year B.E. {year}",
                "Lamphun province, Integrity and Transparency Assessment",
                *(f"Section {k}: details of the work done in the year {year}." for k in range(1, 12))]
            self._pdfs[key] = make_pdf(lines)
        return self._pdfs[key]

    def _route(self, site: Site, target: str, headers: dict, n: int) -> tuple:
        host = site.host
        path = target.split("?", 1)[0]
        pdf = {"Content-Type": "application/pdf"}
        if site.profile == "service":
            return self._service(target)
        if site.profile == "spa":
            return 200, SPA_SHELL, {}
        if site.profile == "maintenance":  # a maintenance plugin set to answer 200, for every path
            return 200, page("เว็บไซต์อยู่ระหว่างปิดปรับปรุงชั่วคราว", "<p>ขออภัยในความไม่สะดวก จะเปิดให้บริการอีกครั้งเร็ว ๆ นี้"
                                                                   "</p>"), {}
        if path == "/":
            return 200, site.home, {}
        if site.profile == "dated-query" and (found := self._query_site(host, target)):
            return found
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "year" and parts[2].isdigit() and parts[3][:1] == "O" and parts[3][1:].isdigit():
            return 200, _item_page(host, int(parts[3][1:]), parts[2]), {}
        for prefix, year, kind in (("/oit/O", "2566", "html"), ("/docs/O", "2566", "pdf"), ("/old/O", "2565", "html"),
                                   ("/scan/O", None, "pdf")):
            if path.startswith(prefix):
                rest = path[len(prefix):]
                is_pdf = rest.endswith(".pdf")
                num = rest[:-4] if is_pdf else rest
                if not num.isdigit() or not 1 <= int(num) <= 43:
                    break
                if prefix == "/old/O" and is_pdf:
                    return 200, self._pdf(host, int(num), "2565"), pdf
                if is_pdf or kind == "pdf":
                    if not is_pdf:
                        break
                    return 200, self._pdf(host, int(num), year), pdf
                validators = {"ETag": site.etag, "Last-Modified": "Sun, 15 Jan 2023 02:00:00 GMT"}
                if headers.get("if-none-match") == site.etag:
                    return 304, b"", validators
                return 200, _item_page(host, int(num), year or "2565"), validators
        if len(parts) == 3 and parts[1] == "post" and parts[2][:1] == "O" and parts[2][1:].isdigit():
            about = "<p>" + "รายละเอียดตามเอกสารแนบท้ายประกาศนี้ ประชาชนผู้สนใจติดต่อสอบถามได้ที่สำนักปลัด " * 4 + "</p>"
            return 200, page(parts[2], f"<p>{post_line(int(parts[2][1:]))}</p>{about}"), {}  # a news post, dated once
        if len(parts) == 3 and parts[1] in ("friendly", "friendly-old") and parts[2][:1] == "O" and parts[2][1:].isdigit():
            return 404, _item_page(host, int(parts[2][1:]), "2565" if parts[1] == "friendly-old" else "2566"), {}
        if len(parts) == 4 and parts[1] == "embed" and parts[3][:1] == "O" and parts[3][1:].isdigit():
            num = int(parts[3][1:])
            frame = {"pdf": f"/docs/O{num}.pdf", "dated": f"/docs/O{num}.pdf", "old": f"/old/O{num}.pdf",
                     "scan": f"/scan/O{num}.pdf",
                     "viewer": f"/pdfjs/web/viewer.html?file=%2Fdocs%2FO{num}.pdf",
                     "spaced": f"/uploads/{UPLOADS[0]}",  # written as uploaded: Thai and spaces, not encoded
                     "drive": self.url("drive.google.com", f"/file/d/{DRIVE_FILES['nameless']}/preview"),
                     "page": f"/oit/O{num}", "page-old": f"/old/O{num}", "page-gone": "/module/list-gone",
                     "word": "/office/plan.docx", "word-old": "/office/plan-old.docx",
                     "sheet": self.url("docs.google.com", f"/spreadsheets/d/e/{PUBLISHED_SHEET}/pubhtml?widget=true")
                     }.get(parts[2])
            if parts[2] in ("lazy", "lazy-page"):  # a lazy-loading plugin's frame (LiteSpeed Cache, WP Rocket)
                shown = (f'src="about:blank" data-src="/docs/O{num}.pdf"' if parts[2] == "lazy" else
                         f'src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-lazy-src="/oit/O{num}"')
                return 200, page(f"O{num}", f'<p>ข้อมูล O{num}</p><iframe data-lazyloaded="1" {shown} width="100%">'
                                            '</iframe>'), {}
            if parts[2] in ("anyflip", "anyflip-old"):  # a flipbook on AnyFlip's host (never fetched: not on loopback)
                heading = f"รายงานผลการดำเนินงาน O{num}" + (" ประจำปี 2565" if parts[2] == "anyflip-old" else "")
                return 200, page(f"O{num}", f'<h2>{heading}</h2><iframe src="https://online.anyflip.com/abcd/efgh/'
                                            'index.html" seamless="seamless" scrolling="no" allowfullscreen="true">'
                                            '</iframe>'), {}
            linked = {"linked": [f"/docs/O{num}.pdf"], "linked-old": [f"/old/O{num}.pdf"],
                      "linked-scan": [f"/scan/O{num}.pdf"], "linked-menu": [],
                      "linked-drive": [self.url("drive.google.com", f"/file/d/{DRIVE_FILES['nameless']}/view?usp=sharing")],
                      "linked-many": [f"/docs/O{k}.pdf" for k in range(1, 6)]}.get(parts[2])
            if parts[2] in ("scans", "photos"):  # pictures of a scanned document, or a news post's photos
                text = ("<p>ประกาศ เรื่อง แผนการดำเนินงาน</p>" if parts[2] == "scans" else
                        "<p>" + "ภาพกิจกรรมวันเด็กแห่งชาติ ณ ลานหน้าสำนักงาน มีเด็กและผู้ปกครองร่วมงานจำนวนมาก " * 6 + "</p>")
                return 200, page(f"O{num}", text + "".join(f'<img src="/uploads/o{num}-{k}.jpg" width="800">'
                                                           for k in (1, 2))), {}
            if linked is not None:  # an item page that only links its file(s), from its content or its menu
                own = "".join(f'<p><a href="{f}" target="_blank">ดาวน์โหลดเอกสาร</a></p>' for f in linked)
                menu = (f'<aside class="widget-area"><a href="/docs/O{num}.pdf">เอกสารเผยแพร่</a></aside>'
                        if parts[2] == "linked-menu" else "")
                return 200, page(f"O{num}", f"<p>ข้อมูล O{num}</p>{own}{menu}"), {}
            if parts[2] in ("pdfemb", "flipbook", "flipbook-old"):  # files a script draws into the page
                file = f"/{'old' if parts[2] == 'flipbook-old' else 'docs'}/O{num}.pdf"
                shown = {"pdfemb": f'<a href="{file}" class="pdfemb-viewer" data-width="max" data-toolbar="bottom">'
                                   f'O{num}<br></a>'
                         }.get(parts[2], f'<div class="_df_book df-container df-loading" id="df_{num}" '
                                         f'wpoptions="true"></div><script data-cfasync="false">var option_df_{num} = '
                                         + json.dumps({"source": file, "height": 600}).replace("/", "\\/") + ";</script>")
                return 200, page(f"O{num}", f"<p>ข้อมูล O{num}</p>{shown}"), {}
            if parts[2] == "frameset":
                return 200, (f'<html><head><title>O{num}</title></head><frameset cols="20%,80%"><frame src="/menu.html">'
                             f'<frame src="/oit/O{num}" name="main"></frameset></html>').encode(), {}
            if frame:
                title = ITEM_TITLES.get(num, f"ข้อมูล O{num}")
                dated = " ประจำปีงบประมาณ พ.ศ. 2566" if parts[2] == "dated" else ""
                return 200, page(f"O{num} {title}", f'<p>{title}{dated}</p><iframe src="{frame}" width="100%" '
                                                    'height="800"></iframe>'), {}
        if path.startswith("/office/") and (made := office_file(path.removeprefix("/office/"))):
            return 200, *made
        fixed = {
            "/news/404": (200, page("ประกาศเทศบาล เรื่องการรับฟังความคิดเห็น",
                                    "<p>ประกาศเลขที่ 404/2566 ลงวันที่ 10 มกราคม 2566 เรื่องการรับฟังความคิดเห็นของประชาชน "
                                    "ต่อร่างข้อบัญญัติ ห้องประชุมชั้น 4 หมายเลขห้อง 404</p>"), {}),
            "/missing.html": (200, page("ไม่พบหน้าที่ท่านต้องการ", "<p>ขออภัย ไม่พบหน้าที่ท่านต้องการ กรุณาตรวจสอบ URL "
                                                                     "อีกครั้ง หรือกลับสู่หน้าแรก ปี 2566</p>"), {}),
            "/no-data": (200, page("ข่าวประชาสัมพันธ์ - เทศบาลตำบล", "<h2>ขออภัย ไม่พบข้อมูลที่ท่านต้องการ</h2>"
                                   "<p>กรุณาตรวจสอบ URL อีกครั้ง ปี 2566</p>"), {}),
            "/no-complaints": (200, page("ไม่พบข้อมูลการร้องเรียนเรื่องการทุจริตและประพฤติมิชอบ ประจำปีงบประมาณ พ.ศ. 2566",
                                         "<p>ในปีงบประมาณ พ.ศ. 2566 (1 ตุลาคม 2565 - 31 มีนาคม 2566) เทศบาลไม่ได้รับ"
                                         "เรื่องร้องเรียนการทุจริตและประพฤติมิชอบของเจ้าหน้าที่ จำนวน 0 เรื่อง</p>"), {}),
            **{f"/list-{year}": (200, page("สรุปผลการจัดซื้อจัดจ้าง", (
                "<form><label>ปีงบประมาณ</label><select name='year'>" + "".join(
                    f"<option value='{y}'{' selected' if str(y) == year else ''}>{y}</option>" for y in range(2567, 2561, -1))
                + "</select></form><table><tr><th>เดือน</th><th>เอกสาร</th></tr>"
                + "".join(f"<tr><td>{m} {year}</td><td>สขร.1</td></tr>" for m in ("ตุลาคม", "พฤศจิกายน", "ธันวาคม"))
                + "</table>")), {}) for year in ("2565", "2566")},
            "/broken.pdf": (200, page("เกิดข้อผิดพลาด", "<p>ระบบไม่สามารถแสดงไฟล์ได้ในขณะนี้ ปี 2566</p>"), {}),
            "/tiny.pdf": (200, b"%PDF-1.4\n%%EOF\n", pdf),
            "/distributed.pdf": (200, distributed_pdf("Announcement of the municipality, item O12", "B.E. 2566"), pdf),
            "/empty": (200, b"<html><head><title></title></head><body><div id='app'></div></body></html>", {}),
            "/member/login": (200, b"<html><head><title>Member</title></head><body><form method='post' action='/member'>"
                                   b"<input name='user'><input type='password' name='pass'><button>OK</button>"
                                   b"</form></body></html>", {}),
            "/drive-private": (302, b"", {"Location": self.url("drive.google.com", "/file/d/1PrivateFile-xyz123/view")}),
            **{f"/drive-{kind}": (302, b"", {"Location": self.url("drive.google.com", f"/file/d/{file_id}/view?usp=sharing"
                                                                  + (f"&resourcekey={DRIVE_RESOURCE_KEY}"
                                                                     if kind == "keyed" else ""))})
               for kind, file_id in DRIVE_FILES.items()},
            "/docs-doc": (302, b"", {"Location": self.url("docs.google.com", f"/document/d/{DOCS_DOCUMENT}/edit")}),
            "/dropbox": (302, b"", {"Location": self.url("www.dropbox.com", "/scl/fi/abc123/o12.pdf?rlkey=k9&dl=0")}),
            "/refresh": (200, b"<html><head><META HTTP-EQUIV='Refresh' CONTENT='0; URL=/oit/O1'></head></html>", {}),
            "/refresh-header": (200, b"", {"Refresh": "0;url=/oit/O1"}),
            "/moving/index.html": (200, b'<html><head><base href="/docs/"><meta http-equiv="refresh" '
                                        b'content="0;url=O3.pdf"></head><body></body></html>', {}),
            "/index.php/ita/O12": (200, page("O12 รายงานการกำกับติดตาม", '<p>รายงานการกำกับติดตามการดำเนินงาน</p>'
                                             '<iframe src="docs/O12.pdf" width="100%"></iframe>',
                                             '<base href="/">'), {}),
            "/refresh-gone": (200, b'<html><head><meta http-equiv="refresh" content="1;url=/gone"></head>'
                                   b'<body>Moving...</body></html>', {}),
            "/refresh-self": (200, page("ข่าวประชาสัมพันธ์ ประจำปี 2566", "<p>ข่าวประจำวัน ปีงบประมาณ 2566</p>",
                                        '<meta http-equiv="refresh" content="5">'), {}),
            "/refresh-bad": (200, page("ข่าวประชาสัมพันธ์ ประจำปี 2566", "<p>ข่าวประจำวัน ปีงบประมาณ 2566</p>"
                                       '<iframe src="http://[bad/o1.pdf"></iframe>',
                                       '<meta http-equiv="refresh" content="0; url=http://[bad/">'), {}),
            "/refresh-later": (200, page("ข่าวประชาสัมพันธ์ ประจำปี 2566", "<p>ข่าวประจำวัน ปีงบประมาณ 2566</p>",
                                         '<meta http-equiv="refresh" content="600; url=/gone">'), {}),
            "/script-move": (200, ('<html><head><title>O3</title><script type="text/javascript">\n'
                                   '  window.location.href = "/docs/O3.pdf";\n</script></head>'
                                   "<body><p>กรุณารอสักครู่ ระบบกำลังเปิดเอกสาร</p></body></html>").encode(), {}),
            "/script-upload": (200, ('<html><head><title>O4</title><script type="text/javascript">\n'
                                     f'  window.location.href = "/uploads/{UPLOADS[0]}";\n</script></head>'
                                     "<body><p>กรุณารอสักครู่ ระบบกำลังเปิดเอกสาร</p></body></html>").encode(), {}),
            "/script-gone": (200, b"<html><body onload=\"location.replace('/gone')\"></body></html>", {}),
            "/script-click": (200, page("ข่าวประชาสัมพันธ์ ประจำปี 2566", "<p>ข่าวประจำวัน ปีงบประมาณ 2566</p>"
                                        "<button onclick=\"location.href='/gone'\">กลับ</button>",
                                        "<script>function back() { location.href = '/gone'; }</script>"), {}),
            "/script-choice": (200, b"<html><head><title>...</title><script>if (screen.width < 700) "
                                    b"{ location = '/gone'; } else { location = '/oit/O1'; }</script></head></html>", {}),
            # A short item page in the site's template: on a catch-all site, nearly its home page.
            "/o1-chart": (200, site.home.replace(b"</main>", "<h2>แผนผังโครงสร้างองค์กร ส่วนราชการ ปีงบประมาณ "
                                                             "2566</h2></main>".encode()), {}),
            "/o1-image": (200, site.home.replace(b"</main>", b'<img src="/uploads/o1-chart-2566.png"></main>'), {}),
            "/split-year": (200, page("O1 โครงสร้าง", '<p class="MsoNormal"><span lang="TH">แผนผังโครงสร้างองค์กร '
                                                    'ประจำปีงบประมาณ พ.ศ. 25</span><span lang="TH" style="color:red">'
                                                    '<b>6</b></span><b>6</b></p>'), {}),
            "/split-cells": (200, page("O13 รายงานผล", "<p>รายงานผลการดำเนินงาน ประจำปี 2565</p><table><tr>"
                                                      "<td>โครงการ</td><td>25</td><td>66</td></tr></table>"), {}),
            "/gone": (404, page("404 Not Found", "<p>not found</p>"), {}),
            "/error": (500, b"error", {}),
            "/busy": (429, b"slow down", {"Retry-After": "1"}),
            "/waf": (403, b"Forbidden", {}),
            "/moved": (301, b"", {"Location": "/oit/O1"}),
            "/to-home": (302, b"", {"Location": "/"}),
            "/to-not-found": (302, b"", {"Location": "/errors/404.html"}),
            "/errors/404.html": (200, page("เทศบาลตำบล", "<p>ขออภัยค่ะ ระบบหาหน้าที่ต้องการไม่เจอ</p>"
                                                       "<p>ร่วมประเมิน ITA 2566 กับเรา</p>"), {}),
            "/to-post-404": (302, b"", {"Location": "/news/404"}),
            "/news/404": (200, page("ข่าวประชาสัมพันธ์", "<p>แผนการดำเนินงาน ประจำปีงบประมาณ 2566</p>"), {}),
            "/to-private": (302, b"", {"Location": "http://192.168.1.10/intranet/"}),
            "/slow": ("slow", page("ช้า", "<p>ข้อมูลปี 2566 ที่มาช้ามาก</p>"), {}),
            "/drip": ("drip", b"", {}),
        }
        shown = {"/files/o10.pdf": "/docs/O10.pdf", "/files/dated.pdf": "/docs/O10.pdf", "/files/old.pdf": "/old/O10.pdf",
                 "/files/gone.pdf": "/gone.pdf"}
        if path in shown:  # a CMS's page for an uploaded file, at the file's address
            dated = " ประจำปี 2566" if path == "/files/dated.pdf" else ""
            return 200, page("เอกสารเผยแพร่", f'<p>ดาวน์โหลดเอกสาร{dated}</p><embed src="{shown[path]}" '
                                              'type="application/pdf" width="100%" height="900">'), {}
        if path == "/files/facebook.pdf":
            return 200, page("เกิดข้อผิดพลาด", "<p>ไม่สามารถแสดงเอกสารได้ ติดตามข่าวสารได้ทางเพจของเรา</p>"
                                                '<iframe src="https://www.facebook.com/plugins/page.php?href=x"></iframe>'), {}
        if path in ("/notice/o10.pdf", "/notice/old.pdf"):
            notice = (b"<br />\n<b>Notice</b>:  Undefined index: id in <b>/var/www/html/download.php</b> on line "
                      b"<b>12</b><br />\n")
            return 200, notice + self._pdf(host, 10, "2565" if "old" in path else "2566"), pdf
        if path == "/pdfjs/web/viewer.html":
            return 200, PDFJS_VIEWER, {}
        if path.startswith("/uploads/") and unquote(path[len("/uploads/"):]) in UPLOADS:
            return 200, self._pdf(host, 1, "2566"), pdf
        if path == "/corrupt.pdf":
            return 200, b"%PDF-1.4\n" + b"\x00damaged upload, cut and garbled " * 40, pdf
        if path == "/to-file":
            return 302, b"", {"Location": "file:///C:/ITA2566/O1.pdf"}
        if path in ("/firewall", "/firewall-all"):
            if path == "/firewall" and "mozilla" in headers.get("user-agent", "").lower():
                return 200, _item_page(host, 1, "2566"), {}
            return 200, FIREWALL_PAGE, {"Content-Type": "text/html"}
        if path in ("/forbidden-200", "/forbidden-200-all"):
            if path == "/forbidden-200" and "mozilla" in headers.get("user-agent", "").lower():
                return 200, _item_page(host, 1, "2566"), {}
            return 200, (b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\"><html><head><title>403 Forbidden</title>"
                         b"</head><body><h1>Forbidden</h1><p>You don't have permission to access this resource.</p>"
                         b"</body></html>"), {"Content-Type": "text/html"}
        if path == "/failed-200":
            return 200, (b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                         b"</center><hr><center>nginx</center></body></html>"), {"Content-Type": "text/html"}
        if path in ("/modsec", "/modsec-all"):
            if path == "/modsec" and "mozilla" in headers.get("user-agent", "").lower():
                return 200, _item_page(host, 1, "2566"), {}
            return 406, (b"<html><head><title>Not Acceptable!</title></head><body><h1>Not Acceptable!</h1><p>An "
                         b"appropriate representation of the requested resource could not be found on this server. "
                         b"This error was generated by Mod_Security.</p></body></html>"), {"Content-Type": "text/html"}
        if path in ("/imunify", "/imunify-all"):  # Imunify360's WebShield to a greylisted visitor
            if path == "/imunify" and "mozilla" in headers.get("user-agent", "").lower():
                return 200, _item_page(host, 1, "2566"), {}
            return 415, b"Access denied by Imunify360 bot-protection. IPs used for automation should be whitelisted", {}
        if path == "/bot":
            if "mozilla" in headers.get("user-agent", "").lower():
                return 200, _item_page(host, 1, "2566"), {}
            return 403, b"Forbidden", {}
        if path in fixed:
            return fixed[path]
        if site.profile == "soft404":
            return 200, site.home, {}  # the catch-all that makes soft 404s
        if site.profile == "dated-home":  # its home page of dated news, at any path
            news = [post_line(10)] + [f"ข่าวกิจกรรมที่ {k} ประจำปี 2566" for k in range(1, 11)]
            return 200, page(f"หน้าแรก {host}", "".join(f"<p>{line}</p>" for line in news)), {}
        if site.profile == "dated-query":  # the web server's own page: no template
            return 404, b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>", {}
        return 404, page("404 Not Found", "<p>The requested URL was not found on this server.</p>"), {}

    @staticmethod
    def _query_site(host: str, target: str) -> tuple | None:
        """A "dated-query" site's script pages: `/news.php?id=N` (and `/news/detail/N`) item ON of
        2566 for N 1-43, of 2565 for N 101-143, any other id the template around "ไม่พบข่าว" (200);
        `/page.php?id=N` the 2566 page of O10 whatever the id (a number the site ignores)."""
        path, _, query = target.partition("?")
        if path == "/page.php":
            return 200, _item_page(host, 10, "2566"), {}
        number = query[3:] if path == "/news.php" and query.startswith("id=") else \
            path[len("/news/detail/"):] if path.startswith("/news/detail/") else None
        if number is None or not number.isdigit():
            return None
        num = int(number)
        if 1 <= num <= 43 or 101 <= num <= 143:
            return 200, _item_page(host, num % 100, "2566" if num <= 43 else "2565"), {}
        return 200, page("ข่าวประชาสัมพันธ์", "<p>ไม่พบข่าวที่ต้องการ</p>"), {}

    def _service(self, target: str) -> tuple:
        """Google sign-in, Drive and Docs, and Dropbox: the file-sharing services agencies link to."""
        path, _, query = target.partition("?")
        if path.startswith("/file/d/1PrivateFile"):
            return 302, b"", {"Location": self.url("accounts.google.com", "/ServiceLogin?continue=" + path)}
        if path.startswith(f"/file/d/{DRIVE_FILES['public']}"):
            return 200, page("ITA2566.pdf - Google Drive", "<p>ITA 2566 รายงานผลการดำเนินงาน ประจำปี 2566</p>"), {}
        if path.startswith("/file/d/"):  # the viewer shows the file's name (no year), the file is drawn by scripts
            return 200, page("scan0001.pdf - Google Drive", "<p>ไฟล์ PDF ดาวน์โหลด พิมพ์ แชร์</p>"), {}
        if path == "/uc":
            asked = dict(parse_qsl(query))
            kind = {v: k for k, v in DRIVE_FILES.items()}.get(asked.get("id", ""))
            pdf = {"Content-Type": "application/pdf"}
            if kind == "keyed" and asked.get("resourcekey") != DRIVE_RESOURCE_KEY:
                return 302, b"", {"Location": self.url("accounts.google.com", "/ServiceLogin?continue=/uc")}
            if kind in ("public", "nameless", "keyed"):
                return 200, make_pdf(["Annual report", "fiscal year 2566"]), pdf
            if kind == "old":
                return 200, make_pdf(["Annual report", "fiscal year 2565"]), pdf
            if kind == "scan":
                return 200, make_pdf([]), pdf
            if kind == "big":
                return 200, page("Google Drive - Virus scan warning", "<p>Google Drive can't scan this file for "
                                                                     "viruses. Download anyway</p>"), {}
            return 404, b"not found", {}
        if path.startswith("/scl/fi/"):
            if ("dl", "1") in parse_qsl(query):
                return 200, make_pdf(["Procurement summary", "fiscal year 2566"]), {"Content-Type": "application/pdf"}
            return 200, page("o12.pdf | Dropbox", ""), {}
        if path == f"/spreadsheets/d/e/{PUBLISHED_SHEET}/pubhtml":
            return 200, page("ITA O-list", "<table><tr><td>รายการ</td><td>ปีงบประมาณ</td></tr><tr><td>แผนปฏิบัติการ"
                                           "</td><td>2566</td></tr></table>"), {}
        if path.startswith(f"/document/d/{DOCS_DOCUMENT}/export"):
            return 200, "\ufeffบันทึกรายงานผล ประจำปีงบประมาณ พ.ศ. 2566".encode(), {"Content-Type": "text/plain; charset=utf-8"}
        if path.startswith(f"/document/d/{DOCS_DOCUMENT}"):
            return 200, page("บันทึก - Google เอกสาร", "<p>ไฟล์ แก้ไข ดู แทรก</p>"), {}
        if path.startswith("/ServiceLogin") or path.startswith("/signin"):
            return 200, (b"<html><head><title>Sign in - Google Accounts</title></head><body><form>"
                         b"<input type='email'><input type='password'></form></body></html>"), {}
        return 404, b"not found", {}


def farm_hosts(n: int) -> list[str]:
    """n host names: the known Lamphun sites first, then tambonNN.go.th."""
    names = list(KNOWN_HOSTS[:n])
    i = 1
    while len(names) < n:
        names.append(f"tambon{i:04d}.go.th")
        i += 1
    return names


def province_urls(farm: Farm, per_host: int = 43, by_ip: bool = False, seed: int = 2566) -> list[str]:
    """per_host URLs per host: mostly 2566 item pages and PDFs, some of last year, some broken,
    in a shuffled order (as a sheet's rows would list them)."""
    rnd = random.Random(seed)
    urls = []
    for host in farm.hosts:
        for n in range(1, per_host + 1):
            roll = rnd.random()
            path = (f"/oit/O{n}" if roll < 0.55 else f"/docs/O{n}.pdf" if roll < 0.8 else f"/old/O{n}"
                    if roll < 0.9 else f"/old/O{n}.pdf" if roll < 0.95 else "/missing.html" if roll < 0.97 else "/gone")
            if path in ("/missing.html", "/gone"):
                path += f"?item=O{n}"
            urls.append(farm.ip_url(host, path) if by_ip else farm.url(host, path))
    rnd.shuffle(urls)
    return urls


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="serve the loopback agency-site farm until killed")
    p.add_argument("--hosts", type=int, default=59)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--per-host-addresses", action="store_true")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(list(argv) if argv is not None else None)
    farm = Farm(args.hosts, latency=args.latency, per_host_addresses=args.per_host_addresses, port=args.port).start()
    print(json.dumps({"port": farm.port, "addresses": farm.addresses}), flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or kills us)
    except KeyboardInterrupt:
        pass
    farm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
