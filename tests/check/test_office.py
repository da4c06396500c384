"""Office files' text (sheets_sync.check.office) from real files: Word files as Word writes them,
Excel files written by the real openpyxl, OpenDocument and PowerPoint parts; and what is not
read: cut-off, damaged, binary and bomb-like files."""

from __future__ import annotations

import datetime
import io
import tracemalloc
import zipfile

from sheets_sync.check import content, office
from sheets_sync.check.years import years_in
from tests.support.farm import LEGACY_DOC, make_docx, make_xlsx


def _zip(parts: dict[str, str | bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_word_files_body_headers_and_footers_are_read_with_runs_joined():
    body = make_docx([["แผนการดำเนินงาน ", "ประจำปี ๒๕", "๖๖"], ["ตาราง"]])
    footer = '<w:ftr><w:p><w:r><w:t>ปรับปรุง ณ 1 ต.ค. 2565</w:t></w:r></w:p></w:ftr>'
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    text = office.text(_zip({**parts, "word/footer1.xml": footer}))
    assert "ประจำปี ๒๕๖๖ ตาราง" in text and years_in(text) == (2565, 2566)


def test_an_excel_sheet_gives_strings_dates_and_whole_numbers_never_amounts():
    text = office.text(make_xlsx([["สรุปผล", datetime.datetime(2023, 3, 31, 9, 30), 2566, 2565.75, 1234.5],
                                  ["ปีงบประมาณ", None, 2566.0]]))
    assert text == "สรุปผล 2023-03-31 2566 ปีงบประมาณ 2566"


def test_presentations_and_opendocument_files_are_read():
    slide = '<p:sld><a:p><a:r><a:t>ผลการดำเนินงาน 25</a:t></a:r><a:r><a:t>66</a:t></a:r></a:p></p:sld>'
    pptx = _zip({"[Content_Types].xml": "<Types/>", "ppt/slides/slide1.xml": slide})
    odt = _zip({"mimetype": "application/vnd.oasis.opendocument.text",
                "content.xml": "<office:text><text:p>รายงาน<text:s/>ประจำปี 2566</text:p></office:text>"},
               zipfile.ZIP_STORED)
    assert office.looks_like(pptx) and office.looks_like(odt)
    assert office.text(pptx) == "ผลการดำเนินงาน 2566" and office.text(odt) == "รายงาน ประจำปี 2566"


def test_files_that_cannot_be_read_give_no_text_and_a_look_by_hand():
    whole = make_docx([["แผน 2566"]], size=50_000)
    cut = whole[:len(whole) // 2]  # its directory is at the end
    assert office.looks_like(cut) and office.text(cut) is None
    assert office.legacy(LEGACY_DOC) and office.text(LEGACY_DOC) is None
    damaged = whole.replace(b"word/document.xml", b"word/document.xmX")  # in both headers: no text part
    assert office.text(damaged) is None
    for body in (cut, LEGACY_DOC):
        page = content.read(body, {"Content-Type": "application/octet-stream"})
        assert (page.kind, page.text) == ("office", "")
        assert content.examine("http://a.go.th/o19.docx", "http://a.go.th/o19.docx", 200, body, {},
                               page=page) == (("unverifiable_content",), None)


def test_a_zip_of_other_files_is_no_office_file():
    archive = _zip({"o19.pdf": b"%PDF-1.4 ...", "o20.pdf": b"%PDF-1.4 ..."})
    assert not office.looks_like(archive) and office.kind(archive) is None
    assert content.read(archive, {"Content-Type": "application/zip"}).kind == "other"


def test_a_part_that_unpacks_far_beyond_the_limit_is_read_only_so_far():
    """A zip bomb: 256 MB of one letter packs into a quarter of a megabyte; at most
    MAX_PART_BYTES of it is unpacked, so the read holds a few times that, not the 256 MB."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write("<w:p><w:r><w:t>ปี 2566 ".encode())
            chunk = b"a" * (1 << 20)
            for _ in range(256):
                part.write(chunk)
    tracemalloc.start()
    try:
        text = office.text(bomb.getvalue())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text.startswith("ปี 2566 aaa") and len(text) <= office.MAX_TEXT
    assert peak < 8 * office.MAX_PART_BYTES, peak
