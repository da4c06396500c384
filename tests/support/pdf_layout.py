"""Reading a PDF the way a person checks a printout, through poppler-utils (pdftotext, pdfinfo,
pdffonts): the text of a page, the lines of each page with their positions, the fonts."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


def have_poppler() -> bool:
    return all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm"))


def squash(text: str) -> str:
    """Text without any whitespace: Thai has no spaces between words, and pdftotext puts spaces
    and line breaks where the layout broke a line."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_size(pdf: Path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    return float(m.group(1)), float(m.group(2))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Line:
    text: str
    y0: float
    y1: float
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]  # top to bottom

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]


def pages(pdf: Path) -> list[Page]:
    """Every page's lines (pdftotext -bbox-layout), sorted top to bottom."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml))
    out = []
    for n, p in enumerate(root.findall(".//{*}page"), start=1):
        lines = []
        for line in p.findall(".//{*}line"):
            words = tuple(Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                               float(w.get("yMax"))) for w in line.findall("{*}word"))
            lines.append(Line(" ".join(w.text for w in words), float(line.get("yMin")), float(line.get("yMax")), words))
        lines.sort(key=lambda ln: (ln.y0, ln.words[0].x0 if ln.words else 0))
        out.append(Page(n, float(p.get("width")), float(p.get("height")), tuple(lines)))
    return out


def body_lines(page: Page, footer_pt: float = 36.0) -> list[Line]:
    """The page's lines without the page-margin footer (page number, date)."""
    return [ln for ln in page.lines if ln.y0 < page.height - footer_pt]


def visual_lines(lines: list[Line], tolerance: float = 2.0) -> list[str]:
    """The text of each visual line, top to bottom: pdftotext lines whose tops are within
    `tolerance` points are one line (cells of one table row come as separate lines)."""
    out: list[tuple[float, str]] = []
    for ln in sorted(lines, key=lambda ln: (ln.y0, ln.words[0].x0 if ln.words else 0)):
        if out and ln.y0 - out[-1][0] <= tolerance:
            out[-1] = (out[-1][0], out[-1][1] + " " + ln.text)
        else:
            out.append((ln.y0, ln.text))
    return [text for _, text in out]


def pages_ending_with_a_heading(pdf: Path, headings: list[str]) -> list[tuple[int, str]]:
    """(page, heading) for every page but the last whose body ends with a heading: the last one,
    two or three visual lines (a heading may wrap) are exactly a heading's text."""
    keys = {squash(h) for h in headings if squash(h)}
    found = []
    all_pages = pages(pdf)
    for page in all_pages[:-1]:
        lines = visual_lines(body_lines(page))
        for k in (1, 2, 3):
            tail = squash("".join(lines[-k:]))
            if tail in keys:
                found.append((page.number, tail))
                break
    return found


def fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font family without the subset prefix, embedded?) for every font of the PDF."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    result = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) < 5:
            continue
        name = parts[0].split("+", 1)[-1]
        emb = parts[-5] if len(parts) >= 7 else ""
        result.append((name, emb == "yes"))
    return result


def thai_font_families() -> set[str]:
    """Families fontconfig says cover Thai, without spaces (PDF font names have none)."""
    if not shutil.which("fc-list"):
        return set()
    out = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True).stdout
    return {squash(f) for line in out.splitlines() for f in line.split(",") if f.strip()}


def name_lines(page: Page, names: list[str], districts: list[str]) -> dict[str, int]:
    """For a table whose rows start with a number, then a left-aligned name column, then a district
    column: how many lines each row's name takes. Keyed by the name the row's words spell."""
    squashed = {squash(n): n for n in names}
    starts = [w for w in page.words if any(k.startswith(squash(w.text)) and len(squash(w.text)) >= 4
                                           for k in squashed)]
    if not starts:
        return {}
    x0 = min(w.x0 for w in starts)
    right = [w.x0 for w in page.words if w.x0 > x0 + 5 and w.text in districts]
    if not right:
        return {}
    x1 = min(right)
    numbers = sorted((w for w in page.words if w.x1 <= x0 + 1 and w.text.isdigit()), key=lambda w: w.y0)
    column = [w for w in page.words if x0 - 1 <= w.x0 < x1 - 1]
    out: dict[str, int] = {}
    for i, num in enumerate(numbers):
        end = numbers[i + 1].y0 - 1 if i + 1 < len(numbers) else page.height
        cell = sorted((w for w in column if num.y0 - 1 <= w.y0 < end), key=lambda w: (round(w.y0), w.x0))
        text = squash("".join(w.text for w in cell))
        if text in squashed:
            out[squashed[text]] = len({round(w.y0) for w in cell})
    return out


def page_png(pdf: Path, page: int, stem: Path, dpi: int = 100) -> Path:
    """One page as an 8-bit RGB PNG (pdftoppm); returns its path."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
                    str(stem)], check=True)
    return stem.with_suffix(".png")
