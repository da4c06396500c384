"""An item page that says its data is not there yet. Pure.

Agencies make the page for an item before its data exists and write in it "อยู่ระหว่างจัดทำข้อมูล"
(being prepared), "อยู่ระหว่างปรับปรุงข้อมูล", "ยังไม่มีข้อมูล", "รอข้อมูล" or "Coming soon". Read for its year,
such a page was "no 2566" (look for this year's document) or, where the notice names the year
("อยู่ระหว่างจัดทำข้อมูล ประจำปี 2566"), `ok`: the agency, told all was well, published nothing,
and the assessor found a notice. It is `placeholder_page` when the notice is nearly all the
content: the text outside the title, the top headings and the template's parts (<nav>, <header>,
<footer>, <aside>, and elements a class or id names so: <div id="header">, <div class="menu">,
<div id="footer">, `template.without_named_parts`; inside the main content the page marks, when it
marks one) is at most PLACEHOLDER_TEXT characters and holds the notice. A page with more of its
own, or whose template is not marked (an old table layout), stays judged by its year: any doubt
keeps the old verdict.

Two other notices stand in an item page's place the same way, each its own verdict (`notice`):
- that the record is gone, which a CMS prints with 200 for an id it no longer has
  ("ข้อมูลนี้ถูกลบแล้ว", "ไม่พบข้อมูลที่ท่านต้องการ", "Article not found"): `soft_404`, as a
  not-found heading is; it was "no 2566" (look for this year's document);
- that the visitor may not see it ("You are not authorised to view this resource", Joomla's;
  "คุณไม่มีสิทธิ์เข้าถึงหน้านี้"): `login_required`, as a sign-in form is; it was "no 2566".
A bare "ไม่พบข้อมูล" or "ไม่พบรายการ" is no such notice: an item page may say it of its own
records ("no complaints this year"). WordPress's "Nothing Found" on an empty category is a
placeholder: the page is there, its posts are not; so is its theme's no-results block in any words
("ไม่พบสิ่งใด", "ขออภัย ไม่พบบทความ"), when the content is that block and little else (`_no_posts`).
"""

from __future__ import annotations

import re
from typing import Sequence

from sheets_sync.check import template
from sheets_sync.check.pdftext import squeeze

PLACEHOLDER_TEXT = 150  # characters of content besides the headings, at most, for the notice to be the page
# "อยู่ระหว่างดำเนินการ" alone is also a status: of a complaint ("ได้รับ 1 เรื่อง ขณะนี้อยู่ระหว่าง
# ดำเนินการ"), of a project in a table, of a measure. It is the page's notice only with at most
# this many characters of content beside it ("ขณะนี้", "หน้านี้").
_UNDER_WAY = r"(?:อยู่\s*(?:ใน)?\s*ระหว่าง|กำลัง)\s*(?:การ)?\s*"  # "in the course of (the) ..."
# "รอข้อมูล" (awaiting data) is one too: a row's status in a table ("รอข้อมูลจากผู้รับจ้าง"), the
# page's notice alone ("รอข้อมูล", "รอข้อมูล ประจำปี 2566": was "no 2566", or ok by the year it names).
_BARE_STATUS = re.compile(_UNDER_WAY + "ดำเนินการ|รอ\\s*ข้อมูล")
STATUS_REST = 20
NOTICE_REST = 50  # characters of content besides a "gone" or "not for you" notice, at most
SHORT_PAGE = 600  # characters of text: a page this short is looked through whole, headings or not
WINDOW = 200  # characters after each top heading where a notice is looked for
# "Update" as Thai spells it four ways (อัพเดท, อัปเดต, อัพเดต, อัปเดท), all in use.
_UPDATE = "อั[พป]เด[ทต]"
_NOTICE = re.compile(
    _UNDER_WAY + r"(?:จัดทำ|ปรับปรุง|รวบรวม|ดำเนินการ|" + _UPDATE + r"|อัพโหลด|อัปโหลด|"
    r"นำเข้า|เพิ่มเติม|เพิ่ม(?=\s*(?:ข้อมูล|เนื้อหา|เอกสาร)))\s*(?:ข้อมูล|เนื้อหา|เอกสาร)?"
    # ("ยังไม่มีข้อมูลการรับสินบน", "... เรื่องร้องเรียน": no cases this year, the item's own answer)
    r"|ยังไม่มี\s*(?:ข้อมูล|เนื้อหา|เอกสาร)(?!\s*(?:การ|เรื่อง|ผู้|กรณี))|ยังไม่(?:มีการ|ได้(?:มีการ)?)?\s*เผยแพร่"
    r"|เผยแพร่\s*(?:ข้อมูล)?\s*(?:ได้)?\s*(?:ใน)?\s*เร็ว\s*ๆ?\s*นี้|รอ\s*(?:การ)?\s*(?:ปรับปรุง|เพิ่ม)\s*(?:ข้อมูล|เนื้อหา)"
    # "รออัพเดท" stands alone as often as with "ข้อมูล" after it, and is often typed spaced
    r"|รอ\s*(?:การ)?\s*" + _UPDATE + r"|รอ\s*ข้อมูล" +
    r"|coming\s+soon|under\s+construction|no\s+content\s+yet|nothing\s+found|no\s+posts\s+found"
    r"|nothing\s+matched\s+your", re.I)
_GONE = re.compile(
    r"ไม่พบ\s*(?:หน้า|เนื้อหา|บทความ|ไฟล์)|ไม่พบ\s*ข้อมูล\s*ที่\s*(?:ท่าน|คุณ)?\s*(?:ต้องการ|ค้นหา|เรียก)"
    r"|(?:ข้อมูล|เนื้อหา|หน้า|บทความ|ข่าว|ไฟล์|เอกสาร)\s*(?:นี้)?\s*(?:ได้)?\s*ถูกลบ|หน้านี้ไม่มีอยู่"
    r"|(?:page|article|file|content|item|document)\s+(?:was\s+)?not\s+found"
    r"|(?:could\s+not|cannot|can't|can\s+not)\s+be\s+found|(?:does\s+not|doesn't)\s+exist"
    r"|(?:has\s+been|was)\s+(?:removed|deleted)|no\s+longer\s+available", re.I)
_DENIED = re.compile(
    r"not\s+authori[sz]ed\s+to\s+(?:view|access|see)|you\s+must\s+(?:be\s+logged\s+in|log\s*in)"
    r"|(?:ไม่มี|ไม่ได้รับ)(?:สิทธิ์?|อนุญาต)\s*(?:ใน)?\s*(?:การ)?\s*(?:เข้าถึง|เข้าดู|ดู|เปิด|เข้าใช้)"
    r"|เฉพาะสมาชิก|สำหรับ\s*สมาชิกเท่านั้น|members\s+only"
    r"|กรุณา\s*(?:เข้าสู่ระบบ|ลงชื่อเข้าใช้|ล็อก\s*อิน)|session\s+(?:has\s+)?expired|please\s+log\s*in", re.I)
# Substrings (lower case) one of the notices holds, looked for in the lowered text near the
# headings first: one pattern of them all, searched through a long page's text, cost ~0.5 ms (an
# alternation has no prefix to skip to). Each match of a pattern holds one of its signs
# (tests/check/test_placeholder.py tries random texts of the patterns' pieces).
# (The text is squeezed: "รอ" and the word after it are one space apart at most.)
_SIGNS = ("ระหว่าง", "กำลัง", "ยังไม่มี", "ยังไม่ได้", "ยังไม่เผยแพร่", "เร็ว", "อัพเด", "อัปเด", "รอการ", "รอ การ",
          "รอปรับ", "รอ ปรับ", "รอเพิ่ม", "รอ เพิ่ม", "รอข้อมูล", "รอ ข้อมูล", "coming", "construct",
          "content yet", "nothing", "posts found")
_GONE_SIGNS = ("ไม่พบ", "ถูกลบ", "ไม่มีอยู่", "not found", "be found", "exist", "removed", "deleted", "longer")
# (not "สิทธิ" alone: the "สงวนลิขสิทธิ์" of nearly every footer)
_DENIED_SIGNS = ("ไม่มีสิทธิ", "รับสิทธิ", "อนุญาต", "เฉพาะสมาชิก", "สมาชิกเท่านั้น", "authori", "logged", "log in",
                 "login", "members only", "กรุณา", "session")
# A theme's block for a WordPress category, tag or search with no posts ('<section class="no-results
# not-found">': Twenty Fifteen to Seventeen, Astra, GeneratePress and most themes after them), in
# whatever words the site's language gives it ("ไม่พบสิ่งใด", "ขออภัย ไม่พบบทความ", "ยังไม่มีเรื่อง"):
# an empty category linked as an item was ok by its title's year ("หมวดหมู่: ITA 2566") or
# soft_404 by "ไม่พบบทความ" (the page is there, its posts are not). Only by the class "no-results":
# "error-404 not-found" is the theme's not-found page, and those words elsewhere are a page's own
# ("ยังไม่มีเรื่องร้องเรียน": no complaints).
_NO_RESULTS = re.compile(r"<([a-z][a-z0-9]*)\b[^<>]*?\bclass\s*=\s*[\"']?(?:[^\"'<>]*\s)?no-results(?=[\s\"'>])[^<>]*>",
                         re.I)
# A file the content links or shows (a document's link, a frame, an embedded object).
_SHOWS_FILES = re.compile(r"<(?:iframe|embed|object)\b"
                          r"|\bhref\s*=\s*[\"']?[^\"'>\s]*\.(?:pdf|docx?|xlsx?|pptx?|zip|rar)\b", re.I)
# Each notice's verdict, its pattern and its signs; the first that stands alone in the page wins.
_NOTICES = (("placeholder_page", _NOTICE, _SIGNS), ("soft_404", _GONE, _GONE_SIGNS),
            ("login_required", _DENIED, _DENIED_SIGNS))
# Every notice's signs at once, for the look every page gets: the Thai ones in the text as it
# is, the Latin ones in it lowered once, only when no Thai one is there (~8 us a page, where
# each notice's own look cost ~4).
_THAI_SIGNS = tuple(dict.fromkeys(s for _, _, signs in _NOTICES for s in signs if not s.isascii()))
_LATIN_SIGNS = tuple(dict.fromkeys(s for _, _, signs in _NOTICES for s in signs if s.isascii()))


def notice(text: str, raw_html: str, title: str = "", headings: Sequence[str] = ()) -> str | None:
    """The reason code of the notice a page (its visible `text`, its markup `raw_html` without
    scripts, its `title` and top `headings`) is, and little else: `placeholder_page` (its data
    is not there yet), `soft_404` (it is gone), `login_required` (not for this visitor); None
    for a page of its own.

    >>> notice("เมนู O10 แผนการดำเนินงาน อยู่ระหว่างจัดทำข้อมูล ประจำปี 2566",
    ...     "<nav>เมนู</nav><h1>O10 แผนการดำเนินงาน</h1><p>อยู่ระหว่างจัดทำข้อมูล ประจำปี 2566</p>",
    ...     "O10 แผนการดำเนินงาน", ("O10 แผนการดำเนินงาน",))
    'placeholder_page'
    >>> notice("เรื่องร้องเรียน ปี 2566 ไม่มีข้อมูลการร้องเรียน",
    ...     "<h1>เรื่องร้องเรียน ปี 2566</h1><p>ไม่มีข้อมูลการร้องเรียน</p>", "", ("เรื่องร้องเรียน ปี 2566",)) is None
    True
    >>> notice("ข่าว ข้อมูลนี้ถูกลบแล้ว", "<h1>ข่าว</h1><p>ข้อมูลนี้ถูกลบแล้ว</p>", "ข่าว", ("ข่าว",))
    'soft_404'
    >>> notice("O10 You are not authorised to view this resource.", "<h1>O10</h1><p>You are not authorised to view "
    ...        "this resource.</p>", "O10", ("O10",))
    'login_required'
    """
    if "no-results" in raw_html and _no_posts(raw_html, title, headings):
        return "placeholder_page"
    places = _near_headings(text, headings)
    joined = "\n".join(places)
    if not any(sign in joined for sign in _THAI_SIGNS):
        lowered = joined.lower()
        if not any(sign in lowered for sign in _LATIN_SIGNS):
            return None
    kinds = [(code, pattern) for code, pattern, signs in _NOTICES if _holds(places, signs, pattern)]
    if not kinds:
        return None  # nearly every page: a find per heading and sign
    marked = template.marked_content(raw_html)
    own = template.without_parts(raw_html if marked is None else marked)
    # an old layout's parts named by class or id (<div id="header">, <div class="menu">, <div
    # id="footer">), as check/linked.py tells them; never one holding the notice itself
    own = template.without_named_parts(own, lambda text: any(p.search(text) for _, p in kinds), marked is not None)
    if _SHOWS_FILES.search(own):
        return None  # "the old plan was removed: here is the new one [PDF]" is judged by its file
    content = template.text_of(own)
    heads = sorted({h for h in (title, *headings) if h}, key=len, reverse=True)
    for head in heads:
        content = content.replace(head, " ")
    content = squeeze(content)
    if len(content) > PLACEHOLDER_TEXT:
        return None
    for code, pattern in kinds:
        if code == "placeholder_page":
            if any(pattern.search(h) for h in headings) or any(
                    not _BARE_STATUS.fullmatch(m.group().strip()) or len(content) - len(m.group().strip()) <= STATUS_REST
                    for m in pattern.finditer(content)):
                return code
            continue
        # A broken verdict asks more: the notice is the content, but for a few words ("ขออภัย",
        # "กรุณาเข้าสู่ระบบ"); "ประกาศผลการจัดซื้อ ปี 2566 ... page not found" is a page of its own.
        found = pattern.search(content)
        rest = len(content) - (found.end() - found.start()) if found else len(content)
        if rest <= NOTICE_REST and (found or any(pattern.search(h) for h in headings)):
            return code
    return None


def _no_posts(raw_html: str, title: str, headings: Sequence[str]) -> bool:
    """Whether the page's own content is a theme's no-results block (`_NO_RESULTS`) and little
    else: at most PLACEHOLDER_TEXT characters besides it, the title and the top headings (a
    category's name), and no file shown. A list of posts beside such a block stays a page."""
    marked = template.marked_content(raw_html)
    own = template.without_parts(raw_html if marked is None else marked)
    own = template.without_named_parts(own, lambda text: "no-results" in text, marked is not None)
    m = _NO_RESULTS.search(own)
    end = m and template.closed_end(own, m.start(), m.group(1).lower())
    if end is None:
        return False  # none in the content, or never closed (where it ends unknown)
    rest = own[:m.start()] + " " + own[end:]
    if _SHOWS_FILES.search(rest):
        return False
    content = template.text_of(rest)
    for head in sorted({h for h in (title, *headings) if h}, key=len, reverse=True):
        content = content.replace(head, " ")
    return len(squeeze(content)) <= PLACEHOLDER_TEXT


def _near_headings(text: str, headings: Sequence[str]) -> list[str]:
    """Where a notice is looked for: a short page's whole text, or each top heading and the text
    just after it (the title, in the text too, often repeats the heading: its first few places)."""
    if len(text) <= SHORT_PAGE:
        return [text]
    near = []
    for head in headings[:2]:  # the item's heading, and a notice written as one
        at, seen = (text.find(head) if head else -1), 0
        while at >= 0 and seen < 3:
            near.append(text[at:at + len(head) + WINDOW])
            at, seen = text.find(head, at + len(head)), seen + 1
    return near


def _holds(places: Sequence[str], signs: Sequence[str], pattern: re.Pattern) -> bool:
    """One of `signs` in one of `places` (lowered), and `pattern` found there. (The signs are
    looked for in the places joined: one search each, where one per place cost ~10 us a page for
    each notice.)"""
    joined = "\n".join(places).lower()
    return any(sign in joined for sign in signs) and any(pattern.search(place) for place in places)
