"""sheets_sync.check.pdftext calls PDFium through pypdfium2's raw bindings. Here its text is
checked against pypdfium2's own document/page/text-page methods (what it replaced, and what
pypdfium2 maintains) on PDFs built to vary what PDFium's text layer does: kerning that makes
it insert spaces, characters without a text index at the ends of a page (the range PDFium bug
2079 is about), glyph names without Unicode, rotated and off-page text, empty pages, more pages
than are read, damaged files."""

from __future__ import annotations

import random
import subprocess
import sys

import pypdfium2 as pdfium
import pytest

from sheets_sync.check import pdftext, years
from sheets_sync.config.settings import YearRule
from tests.support.farm import make_pdf, pdf_file


def reference(body: bytes, pages: int) -> tuple[str, bool]:
    """The text as pypdfium2's object layer reads it (its `get_text_range`)."""
    try:
        doc = pdfium.PdfDocument(body)
    except pdfium.PdfiumError:
        return "", False
    try:
        parts = []
        for i in range(min(pages, len(doc))):
            page = doc[i]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range() or "")
            textpage.close()
            page.close()
        return pdftext.squeeze(" ".join(parts)), True
    except pdfium.PdfiumError:
        return "", False
    finally:
        doc.close()


def build(streams: list[str]) -> bytes:
    """A PDF with one page per content stream. /F1 is Helvetica (WinAnsi; PDFium gives codes 0
    and 2 no text index); /F2 maps codes 65-70 to glyph names without Unicode (/g1 ...)."""
    fonts = ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
             ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
              "/Encoding << /Type /Encoding /Differences [65 /g1 /g2 /g3 /g4 /g5 /g6] >> >>"))
    n = len(streams)
    first_page = 3 + len(fonts)
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{first_page + 2 * i} 0 R' for i in range(n))}] /Count {n} >>",
               *fonts]
    for i, stream in enumerate(streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>")
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
    return pdf_file(objects)


def text(font: str, words: str, x: int = 72, y: int = 700, extra: str = "") -> str:
    return f"BT /{font} 12 Tf {extra} {x} {y} Td ({words}) Tj ET"


CASES = {
    "farm report": make_pdf(["Report of x.go.th, item O5", "Fiscal year B.E. 2566", "Section 1: done in 2566."]),
    "scan (no text)": make_pdf([]),
    "kerning gaps": build(["BT /F1 12 Tf 72 700 Td [(Fiscal) -900 (year) -2500 (2566) 120 (B.E.)] TJ ET"]),
    "glyphs without text index at both ends": build([text("F1", "\\000\\002 plan 2566 \\000\\000")]),
    "glyphs without text index only": build([text("F1", "\\000\\002\\000")]),
    "glyphs without Unicode names": build([text("F2", "ABC") + " " + text("F1", "plan 2566", y=680)
                                           + " " + text("F2", "DEF", y=660)]),
    "rotated and off-page text": build([text("F1", "rotated 2565", extra="0 1 -1 0 300 300 Tm")
                                        + " " + text("F1", "far away 2560", x=5000, y=5000)]),
    "empty then text pages": build(["", text("F1", "second page 2566"), "0 0 1 rg 10 10 50 50 re f"]),
    "seven pages, five read": build([text("F1", f"page {i} year {2560 + i}") for i in range(7)]),
    "hyphen at a line end": build(["BT /F1 12 Tf 14 TL 72 700 Td (fis-) Tj T* (cal year 2566) Tj ET"]),
    "Latin-1 bytes": build([text("F1", "caf\\351 \\255soft\\255 \\2402566\\240")]),
    "damaged": b"%PDF-1.7\n" + b"\x00\xffgarbled object stream " * 50,
    "cut short": make_pdf(["Annual report, fiscal year 2565"])[:200],
    "not a PDF": b"<html>2566</html>",
    "empty": b"",
}


@pytest.mark.parametrize("name", CASES)
def test_text_is_what_pypdfium2s_own_methods_read(name):
    body = CASES[name]
    got = pdftext.read(body, 5)
    assert got == reference(body, 5)
    if name in ("damaged", "cut short", "not a PDF", "empty"):
        assert got == ("", False)
    elif name == "seven pages, five read":
        assert "2564" in got[0] and "2565" not in got[0]
    elif name == "glyphs without text index at both ends":
        assert got == ("plan 2566", True)
    elif name == "farm report":
        assert got == ("Report of x.go.th, item O5 Fiscal year B.E. 2566 Section 1: done in 2566.", True)


def test_random_pages_read_the_same():
    rng = random.Random(2566)
    words = ["2566", "2565", "B.E.", "plan", "(O12)", "\\(x\\)", "ABC", "A", "  ", "-",
             "\\255", "\\240", "\\000", "\\002"]
    for _ in range(60):
        streams = []
        for _ in range(rng.randint(1, 3)):
            parts = [text(rng.choice(("F1", "F2")), " ".join(rng.choices(words, k=rng.randint(1, 6))),
                          x=rng.randint(0, 500), y=rng.randint(0, 780)) for _ in range(rng.randint(0, 4))]
            streams.append(" ".join(parts))
        body = build(streams)
        # every page (a file with fewer pages than asked for is never read on past them)
        assert pdftext.read(body, 3) == reference(body, 3), streams


def test_the_helpers_answer_survives_the_pipe():
    for answer in [("ปีงบประมาณ พ.ศ. ๒๕๖๖ 😀", True), ("", False), ("", True)]:
        assert pdftext.unpack(pdftext.pack(*answer)) == answer


def test_the_helper_imports_no_other_module_of_ours():
    """The helper process imports pdftext (and, to stop at the pages that settle the year rules,
    the year reading): its start-up is paid once per run and again after each restart, so the
    checker's rules, config and HTTP client must stay out of it."""
    code = ("import sys, sheets_sync.check.pdftext as m; m.read(b'%PDF-1.4', 1); print(MODULES); "
            "m._settled('2566', [(2566,)]); print(MODULES)").replace(
        "MODULES", "sorted(n for n in sys.modules if n.startswith(('sheets_sync', 'asyncio', 'aiohttp', 'yaml')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "['sheets_sync', 'sheets_sync.check', 'sheets_sync.check.pdftext']"
    assert out[1] == ("['sheets_sync', 'sheets_sync.check', 'sheets_sync.check.pdftext', 'sheets_sync.check.years', "
                      "'sheets_sync.core', 'sheets_sync.core.normalize', 'sheets_sync.core.thai']")


# ---------------------------------------------------------------- stopping at the pages that settle the rules
def test_reading_stops_at_the_page_that_settles_the_year_rules():
    body = build([text("F1", "plan 2566"), text("F1", "annex 2560"), text("F1", "annex 2561")])
    whole = ("plan 2566 annex 2560 annex 2561", True)
    assert pdftext.read(body, 5, ((2566,),)) == ("plan 2566", True)
    assert pdftext.read(body, 5, ((2565,), (2566,))) == whole  # 2565 never shows: every page is read
    assert pdftext.read(body, 5) == whole
    # A span across a page break settles the rule on the page that ends it.
    span = build(["BT /F1 12 Tf 72 700 Td (plan 2564 -) Tj ET", text("F1", "2568"), text("F1", "annex 2560")])
    assert pdftext.read(span, 5, ((2566,),)) == ("plan 2564 - 2568", True)


def test_a_report_whose_first_pages_show_no_year_is_read_on_until_one_does():
    """An image for a cover, then the contents and a foreword without a date: its year is on page 7."""
    report = build([text("F1", "contents"), *[text("F1", f"chapter {n}") for n in range(1, 6)],
                    text("F1", "plan for the fiscal year 2566"), text("F1", "annex 2560")])
    assert pdftext.read(report, 5) == ("contents chapter 1 chapter 2 chapter 3 chapter 4 chapter 5 "
                                       "plan for the fiscal year 2566", True)
    assert pdftext.read(report, 5, ((2566,),))[0].endswith("2566")
    # a year of any kind in the first pages (an old one, too) stops there, as before; so does a scan
    dated = build([text("F1", "contents 2565"), *[text("F1", f"chapter {n}") for n in range(1, 6)],
                   text("F1", "plan 2566")])
    assert pdftext.read(dated, 5)[0].endswith("chapter 4")
    scan = build(["0.5 0.5 0.5 rg 72 72 468 648 re f"] * 6 + [text("F1", "plan 2566")])
    assert pdftext.read(scan, 5) == ("", True)
    # and never past MORE_PAGES
    long = build([text("F1", f"page {chr(97 + n)}") for n in range(pdftext.MORE_PAGES)] + [text("F1", "2566")])
    assert "2566" not in pdftext.read(long, 5)[0]


def test_stopping_early_never_changes_whether_a_rule_fits():
    """The years of the pages read are some of those of every page, and each rule whose sets
    were settled fits either way: the verdict of every row is the same as with every page read."""
    rng = random.Random(2567)
    words = ["2564", "2565", "2566", "2567", "2023", "2564 - 2568", "2565-", "12566", "256", "plan", "-"]
    stopped = 0
    for _ in range(80):
        body = build([text("F1", " ".join(rng.choices(words, k=rng.randint(0, 3)))) for _ in range(rng.randint(1, 6))])
        rules = [YearRule(tuple(sorted(rng.sample([2564, 2565, 2566, 2567], rng.randint(1, 2)))))
                 for _ in range(rng.randint(1, 3))] + [YearRule(())]
        full = years.years_in(pdftext.read(body, 5)[0])
        part_text = pdftext.read(body, 5, years.year_sets(rules))[0]
        part = years.years_in(part_text)
        stopped += part_text != pdftext.read(body, 5)[0]
        assert set(part) <= set(full)
        assert [years.fits(part, r) for r in rules] == [years.fits(full, r) for r in rules], (rules, part, full)
    assert stopped > 10  # the early stop did happen, often


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_large_pdf_and_a_long_text_go_through_the_helper(loop, caplog):
    """A file larger than the socket's buffer, and an answer longer than one read, on the loop
    the checker runs (uvloop, which makes a watched descriptor non-blocking) and on asyncio's."""
    import asyncio

    import uvloop

    from sheets_sync.check.pdfpool import PdfReaderPool

    lines = " ".join(f"(line {i} of the annual report for fiscal year 2566, Lamphun) Tj T*" for i in range(400))
    body = build([f"BT /F1 8 Tf 10 TL 20 780 Td {lines} ET"] * 4 + ["0 0 1 rg " + "10 10 50 50 re f " * 70_000])
    assert len(body) > 1_000_000
    pool = PdfReaderPool(workers=1)

    async def read_twice():
        return await pool.read_async(body, 5), pool.helper_pids(), await pool.read_async(body, 5)

    try:
        first, pids, second = (uvloop.run if loop == "uvloop" else asyncio.run)(read_twice())
    finally:
        pool.close()
    assert len(first.text) > 64 * 1024 and first.text == second.text == pdftext.read(body, 5)[0]
    assert pids and "reading PDFs in the checker's process" not in caplog.text  # read by the helper


# ---------------------------------------------------------------- Thai in an old non-Unicode font
def latin1_places(thai: str) -> str:
    """A PDF string of Thai typed in a PSL-era font: its TIS-620 codes, shown through WinAnsi."""
    return "".join(f"\\{b:03o}" if b > 127 else chr(b) for b in thai.encode("cp874"))


def test_thai_in_an_old_non_unicode_font_is_read_as_thai():
    """Such a file's text layer is TIS-620 codes read as Latin-1 ("¾.È. òõöö" for "พ.ศ. ๒๕๖๖"):
    a year written in Thai digits showed no year at all, a false "no 2566"."""
    notice = "ประกาศ ณ วันที่ ๒๕ มกราคม พ.ศ. ๒๕๖๖ ITA"
    body = build([text("F1", latin1_places(notice))])
    assert reference(body, 5)[0] != notice  # what PDFium itself reads
    assert pdftext.read(body, 5) == (notice, True)
    assert years.years_in(pdftext.read(body, 5)[0]) == (2566,)
    assert pdftext.read(body, 5, ((2566,),)) == (notice, True)  # the early stop reads it so too
    # Short years after a Thai word come through as well.
    dated = build([text("F1", latin1_places("ข้อมูล ณ ธันวาคม 65"))])
    assert years.years_in(pdftext.read(dated, 5)[0]) == (2565,)


def test_latin_text_with_accents_is_left_as_it_is():
    body = build([text("F1", "R\\351sum\\351 of the caf\\351 \\251 2023 \\(Z\\374rich\\) \\362\\365")])
    assert pdftext.read(body, 5) == reference(body, 5)
    assert "é" in pdftext.read(body, 5)[0]


# ---------------------------------------------------------------- Thai Distributed lines
def distributed(words: str, gap: int = 600) -> str:
    """A line whose characters are spread apart, as Word's Thai Distributed alignment writes a
    short last line: a TJ offset of `gap` thousandths of an em between every two characters."""
    return "BT /F1 12 Tf 72 700 Td [" + f" -{gap} ".join(f"({c})" for c in words) + "] TJ ET"


def test_a_year_spelt_out_digit_by_digit_in_a_distributed_line_is_a_year():
    """PDFium puts a space in every gap wider than ~0.2 em: "2566" read "2 5 6 6", no year
    showed, and a 2566 announcement was "no 2566"."""
    body = build([distributed("B.E. 2566")])
    assert reference(body, 5)[0] == "B . E . 2 5 6 6"  # what PDFium itself reads
    assert pdftext.read(body, 5) == ("B . E . 2566", True)
    assert years.years_in(pdftext.read(body, 5)[0]) == (2566,)
    assert pdftext.read(body, 5, ((2566,),))[0] == "B . E . 2566"  # the early stop reads it so too
    # Digits of a table, and a Christian-era quad (as likely four cells), stay as they are.
    table = build([distributed("12566 7") + " " + text("F1", "2 0 2 3", y=680)])
    assert years.years_in(pdftext.read(table, 5)[0]) == ()


# ---------------------------------------------------------------- Thai vowels in the Private Use Area
def mapped_font_pdf(codes: str, mapping: dict[str, str]) -> bytes:
    """A one-page PDF showing `codes` (single bytes) in a font whose ToUnicode map gives each the
    text in `mapping`, as a PDF printed from a font without Thai shaping maps its glyphs."""
    pairs = "".join(f"<{ord(c):02X}> <{''.join(f'{ord(u):04X}' for u in text)}>\n" for c, text in mapping.items())
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) "
            "/Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            f"{len(mapping)} beginbfchar\n{pairs}endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end")
    stream = f"BT /F1 12 Tf 72 700 Td ({codes}) Tj ET"
    return pdf_file([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",
    ])


def test_thai_vowels_a_font_placed_in_the_private_use_area_are_read_as_thai():
    """"ปีงบ 66" printed from TH SarabunPSK without shaping: the vowel moved clear of ป comes out
    as U+F702 (Mac fonts: U+F886), and the short year after "ปีงบ" was not read: "no 2566"."""
    thai = {"A": "\u0e1b", "C": "\u0e07", "D": "\u0e1a", " ": " ", "6": "6"}
    for pua in ("\uf702", "\uf886"):
        body = mapped_font_pdf("ABCD 66", {**thai, "B": pua})
        assert pua in reference(body, 5)[0]  # what PDFium itself reads
        assert pdftext.read(body, 5) == ("ปีงบ 66", True)
        assert years.years_in(pdftext.read(body, 5)[0]) == (2566,)
    # a tone mark moved down (ท่าน: U+F70A) and yo ying without its tail (U+F70F)
    body = mapped_font_pdf("ABC", {"A": "\u0e17\uf70a", "B": "\u0e32\u0e19", "C": "\uf70f"})
    assert pdftext.read(body, 5) == ("ท่านญ", True)
