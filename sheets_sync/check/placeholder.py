"""An item page that says its data is not there yet. Pure.

Agencies make the page for an item before its data exists and write in it "อยู่ระหว่างจัดทำข้อมูล"
(being prepared), "อยู่ระหว่างปรับปรุงข้อมูล", "ยังไม่มีข้อมูล" or "Coming soon". Read for its year,
such a page was "no 2566" (look for this year's document) or, where the notice names the year
("อยู่ระหว่างจัดทำข้อมูล ประจำปี 2566"), `ok`: the agency, told all was well, published nothing,
and the assessor found a notice. It is `placeholder_page` when the notice is nearly all the
content: the text outside the title, the top headings and the template's parts (<nav>, <header>,
<footer>, <aside>; inside the main content the page marks, when it marks one) is at most
PLACEHOLDER_TEXT characters and holds the notice. A page with more of its own, or whose template
is not marked (an old table layout), stays judged by its year: any doubt keeps the old verdict.
"""

from __future__ import annotations

import re
from typing import Sequence

from sheets_sync.check import template
from sheets_sync.check.pdftext import squeeze

PLACEHOLDER_TEXT = 150  # characters of content besides the headings, at most, for the notice to be the page
SHORT_PAGE = 600  # characters of text: a page this short is looked through whole, headings or not
WINDOW = 200  # characters after each top heading where a notice is looked for
_NOTICE = re.compile(
    r"(?:อยู่|กำลัง)\s*(?:ใน)?\s*(?:ระหว่าง)?\s*(?:การ)?\s*(?:จัดทำ|ปรับปรุง|รวบรวม|ดำเนินการ|อัพเดท|อัปเดต|อัพโหลด|อัปโหลด|"
    r"นำเข้า|เพิ่มเติม)\s*(?:ข้อมูล|เนื้อหา|เอกสาร)?"
    r"|ยังไม่มี\s*(?:ข้อมูล|เนื้อหา|เอกสาร)|รอ\s*(?:การ)?\s*(?:อัพเดท|อัปเดต|ปรับปรุง|เพิ่ม)\s*(?:ข้อมูล|เนื้อหา)"
    r"|coming\s+soon|under\s+construction|no\s+content\s+yet", re.I)
# Substrings one of the notices holds, looked for near the headings first: one pattern of them
# all, searched through a long page's text, cost ~0.5 ms (an alternation has no prefix to skip to).
_SIGNS = ("ระหว่าง", "กำลัง", "ยังไม่มี", "รอการ", "รออัพ", "รออัป", "รอปรับ", "รอเพิ่ม", "oming", "OMING", "onstruct", "ONSTRUCT", "content yet")


def placeholder_page(text: str, raw_html: str, title: str = "", headings: Sequence[str] = ()) -> bool:
    """Whether a page (its visible `text`, its markup `raw_html` without scripts, its `title` and
    top `headings`) is a notice that its data is not there yet, and little else.

    >>> placeholder_page("เมนู O10 แผนการดำเนินงาน อยู่ระหว่างจัดทำข้อมูล ประจำปี 2566",
    ...     "<nav>เมนู</nav><h1>O10 แผนการดำเนินงาน</h1><p>อยู่ระหว่างจัดทำข้อมูล ประจำปี 2566</p>",
    ...     "O10 แผนการดำเนินงาน", ("O10 แผนการดำเนินงาน",))
    True
    >>> placeholder_page("เรื่องร้องเรียน ปี 2566 ไม่มีข้อมูลการร้องเรียน",
    ...     "<h1>เรื่องร้องเรียน ปี 2566</h1><p>ไม่มีข้อมูลการร้องเรียน</p>", "", ("เรื่องร้องเรียน ปี 2566",))
    False
    """
    if not _near_headings(text, headings):
        return False  # nearly every page: a find per heading
    marked = template.marked_content(raw_html)
    content = template.text_of(template.without_parts(raw_html if marked is None else marked))
    heads = sorted({h for h in (title, *headings) if h}, key=len, reverse=True)
    for head in heads:
        content = content.replace(head, " ")
    content = squeeze(content)
    return len(content) <= PLACEHOLDER_TEXT and any(_NOTICE.search(t) for t in (content, *headings))


def _near_headings(text: str, headings: Sequence[str]) -> bool:
    """A notice's sign in a top heading or just after one, or anywhere in a short page's text."""
    if len(text) <= SHORT_PAGE:
        return any(sign in text for sign in _SIGNS)
    for head in headings[:2]:  # the item's heading, and a notice written as one
        # (the title, in the text too, often repeats the heading: each of its first few places)
        at, seen = (text.find(head) if head else -1), 0
        while at >= 0 and seen < 3:
            near = text[at:at + len(head) + WINDOW]
            if any(sign in near for sign in _SIGNS) and _NOTICE.search(near):
                return True
            at, seen = text.find(head, at + len(head)), seen + 1
    return False
