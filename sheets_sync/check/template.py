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

A site whose missing paths get the web server's bare 404 shows no template to the probe: there
the home page's header, menus and footer tell it (`part_lines`, `shared_lines`; the checker's
`_home_template`), their dated lines that the page's own header, menus and footer show too.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import lru_cache

from sheets_sync.check.pdftext import squeeze
from sheets_sync.check.years import MONTHS, years_in
from sheets_sync.core.normalize import DRAWN_AS_NOTHING
from sheets_sync.core.thai import BE_OFFSET, digits

MAX_LINES = 200  # dated lines kept of a probe's page: a template has a few dozen
MAX_LINE = 300  # characters: a longer text between two tags is a paragraph, not a template's line
# The text between two tags that holds a digit: a year's line is among them. A ">" in text parts
# lines too ("หน้าแรก > ITA 2566"): with only "<" ending a line, each ">" of a long text without a
# digit scanned the rest of it again (a quoted e-mail in a Q&A page: time squared in its length).
_DIGIT_TEXT = re.compile(r">([^<>]*[0-9๐-๙][^<>]*)")
# A CMS's class or id for an element of main content (WordPress's "entry-content" ...).
CONTENT_NAMES = ("entry-content", "post-content", "article-content", "page-content", "single-content", "item-page",
                 "post-body", "entry-body", "td-post-content", "main-content", "maincontent", "content-area",
                 "article-body", "news-detail", "content-detail")
# A start tag that marks main content (as check/linked.py's `_kind` reads one): <main>,
# <article>, or any element whose role is main or whose class or id is one of CONTENT_NAMES.
# (No "<" inside a tag, here and below: a "<" without a ">" after it is not scanned to the end
# from each of its neighbours.)
_MARK = re.compile(r"<(main|article)\b[^<>]*>|<([a-z][a-z0-9]*)\b[^<>]*?(?:\brole\s*=\s*[\"']?main\b|"
                   r"\b(?:class|id)\s*=\s*[\"']?(?:[^\"'<>]*\s)?(?:" + "|".join(CONTENT_NAMES) + r")(?=[\s\"'>]))[^<>]*>",
                   re.I)
# The roles of a template's parts, and those (a header's, a footer's) that inside marked content
# are the content's own, as in HTML (check/linked.py's `_kind`, `without_named_parts`).
TEMPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "menu", "menubar"})
PART_ROLES = frozenset({"banner", "contentinfo"})
# Words that name a part of the template, as the first or last word of a class or id ("menu-item",
# "main-menu", "site-footer", "sidebar-left"), or run into one ("leftmenu", "topnav", "navbar" of
# old table layouts and Bootstrap), and WordPress's "widget-area". Not "widget" alone: Elementor
# wraps every block of an article in "elementor-widget-..." elements.
_TEMPLATE_WORDS = frozenset({"navigation", "topbar", "banner", "breadcrumb", "breadcrumbs"})
_TEMPLATE_PARTS = ("menu", "nav", "sidebar")
_BAR_PARTS = ("menu", "nav")  # the same without a sidebar (`part_lines`)
_PART_WORDS = ("header", "footer")
# A layout's flags on a wrapper of both content and sidebar ("has-sidebar", "no-sidebar").
_LAYOUT_FLAG = re.compile(r"^(?:has|no|with|without|hide|show|is)[-_]")
_WORD_SPLIT = re.compile(r"[-_]+")


def names_template_part(name: str, in_content: bool = False, sidebars: bool = True) -> bool:
    """Whether a class or id (one, lower case) names a part of the template: "menu", "leftmenu",
    "navbar", "site-footer", "widget-area"; "header" and "footer" only outside marked content
    (`in_content`: a post's "entry-header" holds its title); a sidebar only with `sidebars`.

    >>> [names_template_part(n) for n in ("header", "main-menu", "has-sidebar", "content", "widget-area")]
    [True, True, False, False, True]
    >>> names_template_part("entry-header", in_content=True), names_template_part("sidebar-left", sidebars=False)
    (False, False)
    """
    words = [w for w in _WORD_SPLIT.split(name) if w]
    if not words or _LAYOUT_FLAG.match(name):
        return False
    parts = _TEMPLATE_PARTS if sidebars else _BAR_PARTS
    if not in_content:
        parts += _PART_WORDS
    return any(w in _TEMPLATE_WORDS or w.startswith(parts) or w.endswith(parts) for w in {words[0], words[-1]}) \
        or (sidebars and name.replace("-", "") == "widgetarea")


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


def shows_own_line(raw_html: str, lines: tuple[str, ...]) -> bool:
    """Whether the page shows a dated line (its clock aside) more often than `lines` (another
    answer's `year_lines`) do: a line of its own, so that answer is not the page itself.

    >>> template = ("วันพุธที่ 1 กุมภาพันธ์ 2566", "© 2566")
    >>> shows_own_line("<p>วันพุธที่ 1 กุมภาพันธ์ 2566</p><h1>แผน ปี 2565</h1><p>&copy; 2566</p>", template)
    True
    >>> shows_own_line("<p>วันพุธที่ 1 กุมภาพันธ์ 2566</p><h1>แผนการดำเนินงาน</h1><p>&copy; 2566</p>", template)
    False
    """
    return bool(Counter(map(_key, year_lines(raw_html))) - Counter(map(_key, lines)))


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
    found = [(m.start(1), m.end(1), key) for m in _DIGIT_TEXT.finditer(raw_html)
             if (key := _node_key(m.group(1))) in wanted]
    left = wanted & Counter(key for _, _, key in found)
    if 2 * sum(left.values()) < sum(wanted.values()):
        return None
    out, at = [], 0
    for start, end, key in found:
        if left[key] > 0:
            left[key] -= 1
            out += (raw_html[at:start], " ")
            at = end
    return "".join(out) + raw_html[at:]


# The elements of a template's header, menus and footer by their tags (`part_lines`): not <aside>.
_PART_TAGS = "nav|header|footer"


def part_lines(raw_html: str, years: tuple[int, ...] = ()) -> tuple[str, ...]:
    """The dated lines (`year_lines`) of a page's header, menus and footer: inside <nav>,
    <header> or <footer>, or an element whose class, id or role names a header, footer, menu,
    navigation, banner or breadcrumb (`names_template_part`), outside the main content the page
    marks (an article's own <header> holds its title). Never a sidebar's (<aside>, "sidebar",
    "widget-area"): a home page's latest news may be an item page's own heading. In order of
    kind (the tags' parts, then the named ones), repeats kept; () for a page without such parts
    or years, or, given `years`, whose parts write none of them out. Only the parts are read for
    years (a page's table of 120 dated rows is not).

    >>> part_lines('<header>ITA ประจำปี 2566</header><main><header><h1>แผน ปี 2566</h1></header></main>'
    ...            '<aside>ข่าว ปี 2566</aside><div id="footer">&copy; 2566</div>')
    ('ITA ประจำปี 2566', '© 2566')
    """
    if years and not shows_any_year(_without_elements(raw_html, "main|article"), years):
        return ()  # the usual page, its years in its <main> or <article>: one scan of their tags (~5 us)
    parts: list[str] = []
    without_named_parts(_without_elements(_outside_marked(raw_html), _PART_TAGS, parts), sidebars=False,
                        removed=parts)
    joined = " ".join(parts)
    return year_lines(joined) if parts and (not years or shows_any_year(joined, years)) else ()


def shows_any_year(text: str, years: tuple[int, ...]) -> bool:
    """Whether `text` writes out any of `years` (`shows_year`)."""
    return any(shows_year(text, y) for y in years)


def shared_lines(lines: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
    """Of a page's dated part lines (`part_lines`), those another page's (`theirs`: the site's
    home page's) show too, as many of each as both do: the site's template. () when the page
    does not plainly wear that template: it shows fewer than half of `theirs`.

    >>> home = ("วันพุธที่ 1 กุมภาพันธ์ 2566 เวลา 10:01 น.", "ITA 2566", "© 2566")
    >>> shared_lines(("วันพุธที่ 1 กุมภาพันธ์ 2566 เวลา 10:02 น.", "© 2566", "ปรับปรุง 2566"), home)
    ('วันพุธที่ 1 กุมภาพันธ์ 2566 เวลา 10:02 น.', '© 2566')
    >>> shared_lines(("© 2566",), home)
    ()
    """
    if not lines or not theirs:
        return ()
    wanted = Counter(map(_key, theirs))
    both = Counter(map(_key, lines)) & wanted
    if 2 * sum(both.values()) < sum(wanted.values()):
        return ()
    found = []
    for line in lines:
        key = _key(line)
        if both[key] > 0:
            both[key] -= 1
            found.append(line)
    return tuple(found)


def _outside_marked(raw_html: str) -> str:
    """`raw_html` without the main content it marks (`marked_content`'s elements, whole)."""
    out, at = [], 0
    while (m := _MARK.search(raw_html, at)) is not None:
        out.append(raw_html[at:m.start()])
        at = _element_end(raw_html, m.start(), (m.group(1) or m.group(2)).lower())
    return "".join(out) + raw_html[at:]


@lru_cache(maxsize=64)  # one probe's lines, asked of every page of its site
def lines_years(lines: tuple[str, ...]) -> frozenset:
    """Every year the template's dated `lines` show."""
    return frozenset(y for line in lines for y in years_in(line))


def year_count(text: str, year: int) -> int:
    """How often `text` writes `year` out as four digits of its own (as `shows_year` finds it)."""
    return len(_year_token(year).findall(text))


@lru_cache(maxsize=256)
def lines_year_count(lines: tuple[str, ...], year: int) -> int:
    """`year_count` of `year` in all the template's dated `lines` together."""
    return sum(year_count(line, year) for line in lines)


def shows_year(text: str, year: int) -> bool:
    """Whether `text` writes the Buddhist-era `year` out as four digits of its own, in either
    era and digit set (2566, ๒๕๖๖, 2023, ๒๐๒๓): a quick look before `years_in`.

    >>> shows_year("แผน ปี ๒๕๖๖", 2566), shows_year("โทร 025661234", 2566)
    (True, False)
    """
    # (finds, not `_year_token`'s pattern: with its look-behind that tries every character, ~7 us a page)
    for form in _year_forms(year):
        at = text.find(form)
        while at != -1:
            end = at + len(form)
            if (at == 0 or text[at - 1] not in _DIGITS) and (end == len(text) or text[end] not in _DIGITS):
                return True
            at = text.find(form, at + 1)
    return False


_DIGITS = frozenset("0123456789๐๑๒๓๔๕๖๗๘๙")


@lru_cache(maxsize=32)
def _year_forms(year: int) -> tuple[str, ...]:
    return tuple(sorted({str(year), digits(str(year), True), str(year - BE_OFFSET), digits(str(year - BE_OFFSET), True)}))


@lru_cache(maxsize=32)
def _year_token(year: int) -> re.Pattern:
    return re.compile(rf"(?<![0-9๐-๙])(?:{'|'.join(_year_forms(year))})(?![0-9๐-๙])")


# A breadcrumb trail's element: a class, id, aria-label or schema.org type that says so
# ("breadcrumb", "breadcrumbs", Yoast's "yoast-breadcrumb", "BreadcrumbList").
_CRUMBS = re.compile(r"<([a-z][a-z0-9]*)\b[^<>]*?readcrumb[^<>]*>", re.I)
# A trail is a line of a few links: an element so named that holds more (a <body class="has-breadcrumbs">,
# a wrapper of the whole content) is not one, and its links stay the page's.
MAX_TRAIL, MAX_CRUMBS = 3000, 12
_TAG = re.compile(r"<[^<>]*>")
# A tag as `text_of` reads one, as a browser's tokenizer does: a "<" before a letter, "/", "!" or
# "?" opens it (any other "<", as in "x < y", is text), and it runs to the first ">", or to the
# end when left open there (a browser drops it too). "<[^>]*>" scanned the rest of the page from
# each "<" without a ">" after it and failed: 500 KB of "x < y" in a <pre> held the checker's loop,
# and every other agency's check, for 46 s (time squared in its length); now a scan ends at once.
_ANY_TAG = re.compile(r"<(?=[A-Za-z/!?])[^>]*+(?:>|\Z)")
_WORD = re.compile(r"[^\W_]")  # a letter or digit: a crumb of text, not a separator (» › / |)
# Elements so named looked at, at most: a page has a trail or two, and each look scans on to the
# element's end (thousands of them left open would cost time squared in the page's length).
MAX_NAMED = 20


def _trails(markup: str):
    """(start, end) of each breadcrumb trail in `markup`, in order, none inside another."""
    at, looked = 0, 0
    while looked < MAX_NAMED and (m := _CRUMBS.search(markup, at)) is not None:
        looked += 1
        end = _element_end(markup, m.start(), m.group(1).lower())
        if end - m.start() <= MAX_TRAIL and markup.count("<a", m.start(), end) <= MAX_CRUMBS:
            yield m.start(), end
            at = end
        else:
            at = m.end()


def crumb_lines(raw_html: str) -> tuple[str, ...]:
    """The dated lines of the links of a page's breadcrumb trails: the sections above the page
    ("หน้าแรก » ITA 2566 » O11 ..."), the site's navigation, never its content. The page's own
    crumb stays the page's: its text after the last link, or, in a trail that ends in a link,
    that last link.

    >>> crumb_lines('<ol class="breadcrumb"><li><a href="/">หน้าแรก</a></li><li><a href="/ita">ITA 2566</a>'
    ...             '</li><li class="active">แผนการดำเนินงาน ประจำปี 2566</li></ol>')
    ('ITA 2566',)
    """
    if "readcrumb" not in raw_html:
        return ()  # nearly every page: one substring search
    found: list[str] = []
    for start, end in _trails(raw_html):
        trail, inner, links = raw_html[start:end], 0, []
        while (link := _tag_pattern("a").search(trail, inner)) is not None:
            if link.group(1):  # an end tag without its start
                inner = link.end()
                continue
            close = _element_end(trail, link.start(), "a")
            links.append(year_lines(trail[link.start():close]))
            inner = close
        if links and not _WORD.search(_TAG.sub(" ", trail[inner:])):
            links.pop()  # a trail that ends in a link: that one is the page itself
        found += (line for lines in links for line in lines)
    return tuple(found[:MAX_LINES])


def without_crumbs(markup: str) -> str:
    """`markup` without its breadcrumb trails (their elements whole)."""
    if "readcrumb" not in markup:
        return markup
    out, at = [], 0
    for start, end in _trails(markup):
        out.append(markup[at:start])
        at = end
    return "".join(out) + markup[at:]


# A CMS's widget of its posts by month or year, or of their calendar, which stands in its sidebar on
# every page: WordPress's archives and calendar (classic widget and block), Joomla's articles
# archive module, Blogger's archive. Its lines ("มกราคม 2023", "ธันวาคม 2565 (4)", the calendar's
# "กุมภาพันธ์ 2566") say when the site posted, never what an item's page shows. Found by these
# names only: an archive page's own "archive-header" or "archive-posts" holds its content.
_ARCHIVE_NAMES = ("widget_archive", "widget_calendar", "wp-block-archives", "wp-block-calendar", "wp-calendar",
                  "archive-module", "mod-articlesarchive", "blogarchive")
_ARCHIVES = re.compile(r"<([a-z][a-z0-9]*)\b[^<>]*?\b(?:class|id)\s*=\s*[\"']?(?:[^\"'<>]*\s)?(?:"
                       + "|".join(_ARCHIVE_NAMES) + r")[\w-]*(?=[\s\"'>])[^<>]*>", re.I)


TAG_BACK = 1000  # characters of a start tag before its name's word, at most


def _tags_named(markup: str, signs: tuple[str, ...], pattern: re.Pattern, at: int = 0):
    """Each start tag `pattern` matches from `at` on, in order, found from where a substring of its
    name (`signs`) stands: a find or two and a match a tag, where `pattern` searched through 100 KB of
    Thai markup took ~1 ms. `at` may be moved on by the caller between tags (`send`)."""
    following = {sign: markup.find(sign, at) for sign in signs}
    while True:
        live = [(i, sign) for sign, i in following.items() if i != -1]
        if not live:
            return
        i, sign = min(live)
        following[sign] = markup.find(sign, i + 1)
        start = markup.rfind("<", max(at, i - TAG_BACK), i)  # (bounded: a text of thousands of signs is no tag)
        if start == -1 or markup.find(">", start, i) != -1:
            continue  # in text, not in a tag
        if (m := pattern.match(markup, start)) is not None:
            moved = yield m
            if moved is not None:
                at = moved
                following = {s: (j if j >= at else markup.find(s, at)) for s, j in following.items()}


def _closed_named(markup: str, words: tuple[str, ...], pattern: re.Pattern):
    """(opening tag's match, end) of each element `pattern` names in `markup` (`_tags_named`), in
    order, none inside another; at most MAX_NAMED looked at, none left unclosed (its end unknown)."""
    looked = 0
    tags = _tags_named(markup, words, pattern)
    m = next(tags, None)
    while looked < MAX_NAMED and m is not None:
        looked += 1
        end = closed_end(markup, m.start(), m.group(1).lower())
        if end is None:
            m = next(tags, None)
            continue
        yield m, end
        m = _send(tags, end)


def _archives(markup: str):
    """(start, end) of each archive or calendar widget in `markup` (`_ARCHIVE_NAMES`)."""
    for m, end in _closed_named(markup, ("rchive", "alendar"), _ARCHIVES):
        yield m.start(), end


def _send(tags, at: int):
    """The next tag of `_tags_named` from `at` on; None when there is none."""
    try:
        return tags.send(at)
    except StopIteration:
        return None


def archive_lines(raw_html: str) -> tuple[str, ...]:
    """The dated lines of a page's archive and calendar widgets (`_ARCHIVE_NAMES`): the months
    its site posted in, its template's on every page, never its content.

    >>> archive_lines('<h1>แผน ปี 2565</h1><section class="widget widget_archive"><ul><li><a href="/2023/01/">'
    ...               'มกราคม 2023</a>&nbsp;(3)</li></ul></section><table id="wp-calendar"><caption>มกราคม 2023'
    ...               '</caption><tr><td>1</td></tr></table>')
    ('มกราคม 2023', 'มกราคม 2023')
    """
    if "rchive" not in raw_html and "alendar" not in raw_html:
        return ()  # nearly every page: two substring searches ("Archive", "calendar")
    found: list[str] = []
    for start, end in _archives(raw_html):
        found += year_lines(raw_html[start:end])
    return tuple(found[:MAX_LINES])


# A WordPress widget of the latest posts (the classic "widget_recent_entries", or a block in a
# widget area, "widget_block"), which shows each post's date beside its title on every page:
# "12 มกราคม 2566". The date is when a post went up, never an item's year; its titles stay (this
# year's item may be a latest post). Only a line that is a date alone, inside such a widget.
_POST_WIDGETS = re.compile(r"<([a-z][a-z0-9]*)\b[^<>]*?\bclass\s*=\s*[\"']?(?:[^\"'<>]*\s)?"
                           r"(?:widget_recent_entries|widget_block)(?=[\s\"'>])[^<>]*>", re.I)
_D = "[0-9๐-๙]"
_EN_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_ALONE = re.compile(
    rf"(?:วัน\S{{0,8}}ที่\s*)?{_D}{{1,2}}\s*(?:{MONTHS})\.?\s*(?:พ\.\s?ศ\.\s*)?{_D}{{2,4}}"
    rf"|{_D}{{1,2}}\s+{_EN_MONTHS}\s+{_D}{{4}}|{_EN_MONTHS}\s+{_D}{{1,2}},?\s+{_D}{{4}}"
    rf"|{_D}{{4}}-{_D}{{2}}-{_D}{{2}}|{_D}{{1,2}}/{_D}{{1,2}}/{_D}{{2,4}}", re.I)


def _post_dates(markup: str):
    """(start, end) of each text between two tags that is a date alone (`_DATE_ALONE`) inside a
    widget of the latest posts (`_POST_WIDGETS`), in order; at most MAX_NAMED widgets looked at."""
    for m, end in _closed_named(markup, ("widget_",), _POST_WIDGETS):
        for text in _DIGIT_TEXT.finditer(markup, m.start(), end):
            line = _line(text.group(1))
            if _DATE_ALONE.fullmatch(line) and years_in(line):
                yield text.start(1), text.end(1)


def post_date_lines(raw_html: str) -> tuple[str, ...]:
    """The dates alone of a page's widgets of the latest posts (`_post_dates`).

    >>> post_date_lines('<section class="widget widget_recent_entries"><ul><li><a href="/p/9">No Gift Policy '
    ...                 'ประจำปี 2566</a> <span class="post-date">12 มกราคม 2566</span></li></ul></section>'
    ...                 '<span class="post-date">5 ม.ค. 2566</span>')
    ('12 มกราคม 2566',)
    """
    return tuple(_line(raw_html[start:end]) for start, end in _post_dates(raw_html))[:MAX_LINES]


# A link to the post before or after this one (WordPress's post navigation, "ถัดไป ประกาศเจตนารมณ์
# No Gift Policy ประจำปี 2566"; Joomla's; any CMS's, by the rel its links carry): a neighbour's
# title, never the page's own. Last year's announcement, its next post this year's, was "ok".
_NEIGHBOUR = re.compile(r"<(a)\b[^<>]*?\brel\s*=\s*[\"']?(?:[^\"'<>]*\s)?(?:prev|previous|next)(?=[\s\"'>])[^<>]*>", re.I)


def _neighbours(markup: str):
    """(start, end) of each link to a neighbouring post (`_NEIGHBOUR`), in order; MAX_NAMED at most."""
    for m, end in _closed_named(markup, ("rel=",), _NEIGHBOUR):
        yield m.start(), end


def neighbour_lines(raw_html: str) -> tuple[str, ...]:
    """The dated lines of a page's links to the posts before and after it (`_neighbours`).

    >>> neighbour_lines('<h1>No Gift Policy ประจำปี 2565</h1><div class="nav-next"><a href="/p/3" rel="next">'
    ...                 '<span>ถัดไป</span> No Gift Policy ประจำปี 2566</a></div><a href="/p/4">ปี 2567</a>')
    ('No Gift Policy ประจำปี 2566',)
    """
    if "rel=" not in raw_html:
        return ()
    return tuple(line for start, end in _neighbours(raw_html) for line in year_lines(raw_html[start:end]))[:MAX_LINES]


# A copyright notice ("สงวนลิขสิทธิ์ © 2566 องค์การบริหารส่วนตำบล...", "Copyright &copy; 2023", "©
# 2561-2566"): the site's, on every page, whatever element holds it. An old table layout's footer
# is a <td> nothing names, which `part_lines` cannot tell, and on a site whose missing paths get
# the web server's bare 404 its "© 2566" passed last year's page as "ok". Its year is within a few
# words after the mark; or, written by itself in the next element ("Copyright &copy; <span>2023</span>"),
# that element's. Never the law's name an O6 page lists ("พระราชบัญญัติลิขสิทธิ์ พ.ศ. 2537").
# (Not "(c)" alone: a list's third point, "(a) ... (b) ... (c) แผนปี 2566"; "Copyright (c) 2023" has its word.)
_COPYRIGHT_MARKS = ("©", "&copy;", "&#169;", "&#xa9;", "&#xA9;", "Copyright", "copyright", "COPYRIGHT",
                    "สงวนลิขสิทธิ์")  # found each (~0.1 ms a 100 KB page), where one pattern of them took ~2 ms
_COPYRIGHT_YEAR = re.compile(r"(?:©|copyright|สงวนลิขสิทธิ์)[^0-9๐-๙<>]{0,40}[0-9๐-๙]{4}(?![0-9๐-๙])", re.I)
_YEARS_ALONE = re.compile(r"\s*[0-9๐-๙]{4}(?:\s*[-–—]\s*[0-9๐-๙]{4})?\s*")
_NEXT_TEXT = re.compile(r"(?:\s*<[^<>]*>)+([^<>]*)")
_ANY_DIGIT = re.compile("[0-9๐-๙]")
MAX_COPYRIGHTS = 8  # notices looked at: a page has one or two
MAX_MARKS = 64  # marks looked at, a tag's among them (a class "copyright" on every row of a list)
# A notice stands at the page's end (its footer: scripts and styles are already gone), and only
# there is it looked for: each mark's find costs ~80 us in 100 KB of Thai markup. One higher up
# leaves the page read as before (a false "ok" that stays, never a false warning).
NOTICE_TAIL = 16_000  # characters


def _copyrights(markup: str):
    """(start, end) of each text between two tags that a copyright notice's year is in
    (`_COPYRIGHT_MARKS`), in order."""
    at, looked = max(0, len(markup) - NOTICE_TAIL), 0
    for mark in _marks(markup, at):
        if looked == MAX_COPYRIGHTS:
            return
        if mark < at:
            continue  # another mark of a notice looked at
        start, end = markup.rfind(">", 0, mark) + 1, markup.find("<", mark)
        end = len(markup) if end == -1 else end
        at = end
        if markup.rfind("<", 0, mark) >= start:
            at = mark + 1
            continue  # inside a tag: a class "copyright", a meta's name
        looked += 1
        text = _line(markup[start:end])
        if len(text) > MAX_LINE:
            continue  # a paragraph about copyright, not a notice
        if _COPYRIGHT_YEAR.search(text):
            yield start, end
        elif not _ANY_DIGIT.search(text) and \
                (after := _NEXT_TEXT.match(markup, end)) is not None and _YEARS_ALONE.fullmatch(after.group(1)) \
                and years_in(after.group(1)):
            yield start, end
            yield after.start(1), after.end(1)
            at = after.end(1)


def _marks(markup: str, at: int):
    """Where each copyright mark (`_COPYRIGHT_MARKS`) from `at` on starts, in order, MAX_MARKS at
    most: each mark's next place found once (a find of each, not a pattern of them all)."""
    following = {form: markup.find(form, at) for form in _COPYRIGHT_MARKS}
    for _ in range(MAX_MARKS):
        live = [(at, form) for form, at in following.items() if at != -1]
        if not live:
            return
        at, form = min(live)
        yield at
        following[form] = markup.find(form, at + 1)


def copyright_lines(raw_html: str) -> tuple[str, ...]:
    """The dated lines of a page's copyright notices (`_copyrights`): its site's, never its content.

    >>> copyright_lines('<h1>แผน ปี 2565</h1><td><font>สงวนลิขสิทธิ์ &copy; 2566 อบต.บ้านแป้น</font></td>'
    ...                 '<p>Copyright &copy; <span id="y">2023</span> All rights reserved.</p>')
    ('สงวนลิขสิทธิ์ © 2566 อบต.บ้านแป้น', '2023')
    >>> copyright_lines('<div class="copyright">โทร. 053 000 000</div><p>พระราชบัญญัติลิขสิทธิ์ พ.ศ. 2537</p>')
    ()
    """
    found = []
    for start, end in _copyrights(raw_html):
        line = _line(raw_html[start:end])
        if years_in(line):
            found.append(line)
    return tuple(found)


def page_template_lines(raw_html: str) -> tuple[str, ...]:
    """The dated lines a page shows that are its site's template wherever they stand, with no
    other page to compare: its archive and calendar widgets' (`archive_lines`), its latest posts'
    dates (`post_date_lines`), its links to the posts before and after it (`neighbour_lines`) and
    its copyright notices' (`copyright_lines`)."""
    return archive_lines(raw_html) + post_date_lines(raw_html) + neighbour_lines(raw_html) + copyright_lines(raw_html)


def without_page_template(markup: str) -> str:
    """`markup` without the texts of `page_template_lines`, where they stand: its archive and
    calendar widgets and its neighbours' links whole, its latest posts' dates, its copyright
    notices' dated texts."""
    spans = sorted([*_archives(markup), *_post_dates(markup), *_neighbours(markup), *_copyrights(markup)]) \
        if any(sign in markup for sign in ("rchive", "alendar", "widget_", "rel=")) else list(_copyrights(markup))
    out, at = [], 0
    for start, end in spans:
        if start < at:
            continue  # inside an archive widget already taken out
        out += (markup[at:start], " ")
        at = end
    return "".join(out) + markup[at:]


def marked_content(raw_html: str) -> str | None:
    """The markup of the main content a page marks (<main>, <article>, role="main", a CMS's
    "entry-content" ...), with the <aside> and <nav> inside it left out; None when it marks none
    (its text: `text_of`). Found by the tags' names alone, in a few scans, where an HTML
    parser took ~20 ms a page of 1,000 tags: a safeguard that only keeps years, so any doubt
    reads more text, not less.

    >>> marked_content('<aside>ข่าว 2566</aside><article><header><h1>แผน ปี 2565</h1></header>'
    ...                '<aside class="related">2566</aside></article>')
    '<article><header><h1>แผน ปี 2565</h1></header></article>'
    >>> marked_content("<div>แผน ปี 2565</div>") is None
    True
    """
    parts = []
    at = 0
    while (m := _MARK.search(raw_html, at)) is not None:
        tag = (m.group(1) or m.group(2)).lower()
        end = _element_end(raw_html, m.start(), tag)
        inner = raw_html[m.start():end]
        for side in ("aside", "nav"):
            inner = _without_elements(inner, side)
        parts.append(inner)
        at = end
    return " ".join(parts) if parts else None


def _element_end(raw_html: str, start: int, tag: str) -> int:
    """Where the element of `tag` opened at `start` ends: after its matching end tag, counting
    the same tags nested in it; the page's end when it is never closed."""
    end = closed_end(raw_html, start, tag)
    return len(raw_html) if end is None else end


def closed_end(raw_html: str, start: int, tag: str) -> int | None:
    """`_element_end`, None when the element is never closed."""
    depth = 0
    for m in _tag_pattern(tag).finditer(raw_html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.end()
    return None


# Characters a browser draws as nothing (core.normalize.DRAWN_AS_NOTHING): a zero-width space (a
# Thai word-break plugin's, or pasted from LINE or Facebook, between words or inside "25​66"),
# joiners, a BOM (a PHP include saved with one), a soft hyphen (&shy;). Read as characters, they
# split "ปี 2566" and "อยู่ระหว่าง จัดทำข้อมูล" where the assessor sees them whole.


def text_of(markup: str) -> str:
    """The text of some HTML as `content.read_html` reads a page's: tags as spaces, entities
    undone, characters drawn as nothing dropped, spaces squeezed.

    >>> text_of("<h1>แผนการดำเนินงาน ปี 25&#8203;66</h1><p>อยู่ระหว่าง\u200bจัดทำ&shy;ข้อมูล</p>")
    'แผนการดำเนินงาน ปี 2566 อยู่ระหว่างจัดทำข้อมูล'
    """
    text = html.unescape(_ANY_TAG.sub(" ", markup))
    for mark in DRAWN_AS_NOTHING:
        if mark in text:  # a find each (~0.5 us a page), where a translate of every page cost ~100
            text = text.replace(mark, "")
    return squeeze(text)


def without_parts(markup: str, tags: tuple[str, ...] = ("nav", "header", "footer", "aside")) -> str:
    """`markup` without its elements of `tags` (a template's menus, header, footer and sidebar).

    >>> without_parts("<header>เมนู</header><p>อยู่ระหว่างจัดทำข้อมูล</p><footer>ติดต่อ</footer>")
    '<p>อยู่ระหว่างจัดทำข้อมูล</p>'
    """
    for tag in tags:
        markup = _without_elements(markup, tag)
    return markup


# A start tag with a class, id or role (the names `names_template_part` reads), its attributes' values.
_NAMED_TAG = re.compile(r"<([a-z][a-z0-9]*)\b([^<>]*?\b(?:class|id|role)\s*=[^<>]*)>", re.I)
_NAME_ATTR = re.compile(r"\b(class|id|role)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))", re.I)
MAX_NAMED_PARTS = 64  # named elements looked at (each a scan to its end): a template has a dozen at most
NAMED_PARTS_READ = 4  # times the markup's length read through at most: 3,000 nested named <div>s took seconds
_NEVER_PARTS = frozenset({"html", "body", "main", "article", "img", "input", "br", "hr", "meta", "link", "source",
                          "embed", "area", "col", "wbr", "base", "param", "track"})


def without_named_parts(markup: str, keep=lambda text: False, in_content: bool = False, sidebars: bool = True,
                        removed: list[str] | None = None) -> str:
    """`markup` without the elements whose class, id or role names a part of the template
    (`names_template_part`, `TEMPLATE_ROLES`): an old layout's <div id="header">, <div
    class="menu">, <td class="leftmenu">, <div id="footer">, as `without_parts` takes out <header>,
    <nav> and <footer>. Never <html>, <body> (whose class a theme names after its sidebar),
    <main> or <article>; never an element left unclosed (its end unknown, the rest of the page
    would go), nor one whose text `keep` holds to (a notice the page is judged by: a wrapper
    misnamed "content-with-sidebar" keeps it). A sidebar's only with `sidebars`. The elements
    taken out are added to `removed`, when given.

    >>> without_named_parts('<div id="header">เทศบาล</div><div class="menu"><a>หน้าแรก</a></div>'
    ...                     '<div id="content"><p>ยังไม่มีข้อมูล</p></div><div id="footer">โทร.</div>')
    '<div id="content"><p>ยังไม่มีข้อมูล</p></div>'
    """
    out, at, looked, unclosed = [], 0, 0, set()
    budget = NAMED_PARTS_READ * len(markup)  # characters read through for the elements' ends and text
    while looked < MAX_NAMED_PARTS and budget > 0 and (m := _NAMED_TAG.search(markup, at)) is not None:
        tag = m.group(1).lower()
        if tag in _NEVER_PARTS or tag in unclosed or not _names_part(m.group(2), in_content, sidebars):
            out.append(markup[at:m.end()])
            at = m.end()
            continue
        looked += 1
        end = closed_end(markup, m.start(), tag)
        budget -= (len(markup) if end is None else 2 * end) - m.start()
        if end is None:
            unclosed.add(tag)  # (its like further on is not looked for its end again: 3,000 <li>s left open)
        if end is None or keep(text_of(markup[m.start():end])):
            out.append(markup[at:m.end()])
            at = m.end()
            continue
        out.append(markup[at:m.start()])
        if removed is not None:
            removed.append(markup[m.start():end])
        at = end
    return "".join(out) + markup[at:]


def _names_part(attributes: str, in_content: bool, sidebars: bool = True) -> bool:
    """Whether a start tag's class, id or role names a part of the template (a sidebar only with `sidebars`)."""
    for m in _NAME_ATTR.finditer(attributes):
        value = (m.group(2) or m.group(3) or m.group(4) or "").strip().lower()
        if m.group(1).lower() == "role":
            if value in TEMPLATE_ROLES and not (in_content and value in PART_ROLES) and \
                    (sidebars or value != "complementary"):
                return True
        elif any(names_template_part(name, in_content, sidebars) for name in value.split()):
            return True
    return False


def _without_elements(markup: str, tag: str, removed: list[str] | None = None) -> str:
    """`markup` without its `tag` elements (their contents too); `tag` may be a few names
    ("nav|header|footer"), an element of one inside another's going with it. The elements
    taken out are added to `removed`, when given."""
    pattern, out, at = _tag_pattern(tag), [], 0
    while (m := pattern.search(markup, at)) is not None:
        if m.group(1):  # an end tag without its start: skipped
            out.append(markup[at:m.end()])
            at = m.end()
            continue
        out.append(markup[at:m.start()])
        at = _element_end(markup, m.start(), m.group(2).lower())
        if removed is not None:
            removed.append(markup[m.start():at])
    return "".join(out) + markup[at:]


@lru_cache(maxsize=64)
def _tag_pattern(tag: str) -> re.Pattern:
    return re.compile(rf"<(/?)({tag})\b[^<>]*>", re.I)


def _node_key(text: str) -> str:
    """`_key(_line(text))`, the short way for the many numbers of a page's tables, with no entity
    to undo, no space but single ASCII ones (any other space is not printable) and no clock."""
    key = text.strip()
    if "&" in key or ":" in key or "  " in key or not key.isprintable():
        return _key(_line(text))
    return key


def _line(text: str) -> str:
    return squeeze(html.unescape(text))


def _key(line: str) -> str:
    """What two lines are matched by: the line without its clock's time."""
    return _TIME.sub("#", line) if ":" in line else line
