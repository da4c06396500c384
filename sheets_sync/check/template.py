"""The years a site's template shows on every page: never an item page's own. Pure.

Many agencies' sites show today's date in their header ("วันพุธที่ 1 กุมภาพันธ์ 2566"), a
menu entry "ITA 2566", a sidebar of the latest news dated 2566 and "© 2566" in their footer, on
every page: the item's page too. Read with the page, that 2566 passed last year's plan as "ok",
and the agency, told all was well, fixed nothing.

The site's answer to a random missing path (the soft-404 probe, `content.Probe`) is that
template around no content. Its lines that show a year (`year_lines`: the text between two
tags) are the template's; `without_lines` takes as many of each out of an item page as the
probe's page shows, the rest of the page staying as it was, so a line the page repeats (the
menu's "ITA 2566" and the page's own heading "ITA 2566") keeps its own copy.

Taken out only when the page plainly wears the same template: it shows at least half of the
probe's dated lines. A probe that is another layout (a home page of dated news, a 404 page with a
widget of the latest posts that the item page lacks) would take out an item's own heading when
it is one of them, so then nothing is taken out and the page is read whole, as before.
`classify.template_years` adds the other guards (a page that marks its main content keeps the
years shown there; a year the page's files show is its own).
"""

from __future__ import annotations

import html
import re
from collections import Counter

from sheets_sync.check.pdftext import squeeze
from sheets_sync.check.years import years_in

MAX_LINES = 200  # dated lines kept of a probe's page: a template has a few dozen
MAX_LINE = 300  # characters: a longer text between two tags is a paragraph, not a template's line
# The text between two tags that holds a digit: a year's line is among them.
_DIGIT_TEXT = re.compile(r">([^<]*[0-9๐-๙][^<]*)")
# A clock beside the date ("... 2566 เวลา 14:52:07 น."): it moves between the probe's answer and
# the page's, and a line is matched with it left out.
_TIME = re.compile(r"(?<![0-9๐-๙])[0-9๐-๙]{1,2}:[0-9๐-๙]{2}(?::[0-9๐-๙]{2})?(?![0-9๐-๙])")


def year_lines(raw_html: str) -> tuple[str, ...]:
    """The lines of a page (the texts between two tags, entities undone and spaces squeezed)
    that show a year, in order, repeats kept: what a probe's page keeps of its template.

    >>> year_lines('<div class="date">วันพุธที่ 1 กุมภาพันธ์ 2566</div><p>ไม่พบหน้า 404</p><p>&copy; 2566</p>')
    ('วันพุธที่ 1 กุมภาพันธ์ 2566', '© 2566')
    """
    found = []
    for m in _DIGIT_TEXT.finditer(raw_html):
        line = _line(m.group(1))
        if line and len(line) <= MAX_LINE and years_in(line):
            found.append(line)
            if len(found) == MAX_LINES:
                break
    return tuple(found)


def without_lines(raw_html: str, page_text: str, lines: tuple[str, ...]) -> str | None:
    """`raw_html` with the template's dated `lines` (a probe's `year_lines`) taken out, as many
    of each as the probe's page shows; None when the page does not plainly wear that template
    (it shows fewer than half of them), or shows none of them. `page_text`: the page's text
    (`content.Page.text`), for a quick look before the page is read line by line.

    >>> template = year_lines("<header>วันพุธที่ 1 กุมภาพันธ์ 2566</header><nav><a>ITA 2566</a></nav>")
    >>> page = "<header>วันพุธที่ 1 กุมภาพันธ์ 2566</header><nav><a>ITA 2566</a></nav><h1>แผน ปี 2565</h1>"
    >>> without_lines(page, "วันพุธที่ 1 กุมภาพันธ์ 2566 ITA 2566 แผน ปี 2565", template)
    '<header> </header><nav><a> </a></nav><h1>แผน ปี 2565</h1>'
    """
    if not lines or not any(line in page_text for line in set(lines)):
        return None  # most pages of most sites: a substring search each
    wanted = Counter(map(_key, lines))
    shown = Counter(key for m in _DIGIT_TEXT.finditer(raw_html) if (key := _key(_line(m.group(1)))) in wanted)
    left = wanted & shown
    if 2 * sum(left.values()) < sum(wanted.values()):
        return None

    def take(m: re.Match) -> str:
        key = _key(_line(m.group(1)))
        if left[key] > 0:
            left[key] -= 1
            return "> "
        return m.group(0)

    return _DIGIT_TEXT.sub(take, raw_html)


def _line(text: str) -> str:
    return squeeze(html.unescape(text))


def _key(line: str) -> str:
    """What two lines are matched by: the line without its clock's time."""
    return _TIME.sub("#", line) if ":" in line else line
