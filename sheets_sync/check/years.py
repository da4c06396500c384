"""The fiscal-year rule: which years a page shows, and whether they fit an item's year rule. Pure.

The checker reads a page once per URL and records the Buddhist-era years it shows
(`CheckResult.years`); each row then judges those years against its own item's rule
(`config.YearRule`), so one URL submitted for two items with different rules gets the right
verdict for each, without a second request. Years are read in both eras and both digit sets:
2566, ๒๕๖๖, 2023 and ๒๐๒๓ are all the year 2566; a span such as 2564-2568 (or 2564 ถึง 2568,
พ.ศ. 2564 - พ.ศ. 2568, ระหว่างปี พ.ศ. 2564 ถึงปี พ.ศ. 2568, 2565-66) shows every year in it, so
a plan of several years counts for each year it covers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from sheets_sync.core.normalize import thai_digits_to_arabic
from sheets_sync.core.thai import BE_OFFSET, digits

if TYPE_CHECKING:  # annotations only: the PDF helper imports this module, and config would slow its start
    from sheets_sync.config.settings import YearRule

_D = "[0-9๐-๙]"
# A year is a run of exactly four digits; a span is two such runs with only a dash (or ถึง,
# จนถึง) and spaces between them, the second perhaps after its own year word ("พ.ศ. 2564 - พ.ศ.
# 2568", "ระหว่างปี พ.ศ. 2564 ถึงปี พ.ศ. 2568": a strategic plan's period, written so, read as
# two years, was a false "no 2566" on O4), or its last two digits alone ("2565-66", "2566-70").
# Read from the runs of digits in one pass: the same answers as the look-around patterns
# `(?<!D)D{4}(?!D)` and `(?<!D)(D{4})GAP(D{4}|D{2})(?!D)` (tested), in half the time.
_RUN = re.compile(f"{_D}+")
_GAP = re.compile(r"\s*(?:-|–|—|(?:จน)?ถึง)\s*(?:ปี(?:งบประมาณ)?\s*)?(?:(?:[พค]\.\s?ศ\.|B\.\s?E\.)\s*)?")
BE_RANGE = (2400, 2700)  # four digits read as a Buddhist-era year
CE_RANGE = (1900, 2157)  # ... as a Christian-era year (their Buddhist-era years never overlap the above)
MAX_SPAN = 10  # years a span may cover (2564-2568); a longer one is not a plan period
# Thai writes a year short after a month or a year word: "ม.ค. 66", "31 มีนาคม 66", "พ.ศ. 66",
# "ปีงบประมาณ 66" (a monthly procurement summary is often dated so and nothing else). Two digits
# there stand for 25xx; only 40-99 are read, so "ปี 12" of some programme never counts. The
# two-digit runs come from the same pass as the four-digit ones, and only they are looked
# behind for the word: a pattern scanning Thai text for the words first cost ~3 times more.
# (An abbreviation typed without its inner dot, "มีค.66", "ตค.65", counts with its last one:
# procurement summaries' titles are often typed so, and were "no 2566".)
MONTHS = ("มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม|"
          r"ม\.ค|ก\.พ|มี\.ค|เม\.ย|พ\.ค|มิ\.ย|ก\.ค|ส\.ค|ก\.ย|ต\.ค|พ\.ย|ธ\.ค|"
          r"(?:มค|กพ|มีค|เมย|พค|มิย|กค|สค|กย|ตค|พย|ธค)(?=\.)")
# ("งบประมาณ" alone is no year's word: "งบประมาณ 66,000 บาท" is an amount.) A quarter and its
# number before a slash ("ไตรมาส 1/66", "ไตรมาสที่ 2 / 66", "Q1/66": the fiscal year's quarter, as
# quarterly reports head themselves, and an agency files "Q1" beside its fiscal year's monthly
# reports) is one too: it was a false "no 2566". Only quarters 1-4 and the slash: "ไตรมาส 1 จำนวน
# 66 รายการ" is a count, "หน้า 1/66" a page; a capital Q, not after a letter ("SQ1/66", a code).
QUARTER = r"(?:ไตรมาส(?:ที่)?\s*[1-4๑-๔]|(?<![A-Za-z])(?-i:Q)[1-4])\s*/"
# So is a meeting's number ("การประชุม ครั้งที่ 1/66": the Nth meeting of year yy, as minutes and
# their lists name them): a page of minutes named only so was a false "no 2566". Not a letter's
# number ("ที่ ลพ 52001/66", "0023.3/ว 66": its running number, no year), an order or announcement
# cited by number ("คำสั่งที่ 12/66", "ฉบับที่ 3/66": a reference, which a page of another year may
# make), a house number ("เลขที่ 12/66") or a page. A meeting's year is not marked a fiscal year
# (`_FISCAL_NAMED`): meetings are numbered by either, and "ครั้งที่ 2/2565", read before, is not one either.
NUMBERED = r"ครั้งที่\s*[0-9๐-๙]{1,3}\s*/"
# An academic year ("ปีการศึกษา 66": school-affiliated agencies date their plans and reports so) and
# a fiscal year written "FY66" / "FY 66" (a capital FY, not after a letter) are such words too: each
# was a false "no 2566". "งบประมาณ ปี 66" is read by its "ปี".
FISCAL_LATIN = r"(?<![A-Za-z])(?-i:FY)\.?"
SHORT_YEAR_WORD = rf"(?:(?:{MONTHS})\.?|พ\.\s?ศ\.|ปี(?:\s?งบประมาณ|\s?งบฯ|งบ|\s?การศึกษา)?|{FISCAL_LATIN}|{QUARTER}|{NUMBERED})\s*"
_WORD_BEFORE = re.compile(SHORT_YEAR_WORD + "$")
# ... and as a date's last part: "05/10/65", "5-10-65", "31.3.66" (a table of procurements, an
# Excel summary saved as dd/mm/yy). Only a valid day and month, with one kind of separator, and
# nothing numeric before them: "12/3/66" of an order number within "ที่ 0023.3/12/3/66" is not one.
_DATE_BEFORE = re.compile(rf"(?<![0-9๐-๙/.\-])({_D}{{1,2}})([/.\-])({_D}{{1,2}})\2$")
_DATE_MARKS = frozenset("/.-")
# A Thai telephone number's last group: "โทร. 0 5351 2566", "0-5351-2566", "081 234 2566". An
# agency's number on every page (its footer, a contact box) made a year of it: a page of any year
# was "ok". The groups before it: one that starts with 0 (the area or mobile prefix, its digits
# joined or not), then three or four digits, each after one space or dash; or, behind the prefix's
# closing bracket, two ("(053) 51-2566"). "01-10-2566" (a date: two digits between, no bracket)
# is no number. In Thai digits too: "โทร. ๐ ๕๓๕๑ ๒๕๖๖", as a contact box often writes it.
_PHONE_BEFORE = re.compile(r"(?<![0-9๐-๙])[0๐][0-9๐-๙]{0,3}(?:\)?[ -][0-9๐-๙]{3,4}|\)\s?[0-9๐-๙]{2})[ -]$")
_PHONE_BACK = 12  # characters: "0 5351 ", "081-234-", "(053) 5351 "
# Four digits that are an amount or a count where they stand: before a decimal part ("วงเงิน
# 2566.00 บาท") or a unit ("... 2566 ครั้ง", "2566 คน", "2566 บาท", "2566 views"; "ครั้ง" or "คน"
# starting a word is none: "ปี 2566 ครั้งที่ 1", "ครั้งแรก", "คนพิการ" keep their year), or after a
# counter's label ("ผู้เข้าชม : 2566", "Hits: 2566"; a Thai word only with its colon: a table's
# column "จำนวนผู้เข้าชม" may stand just before the first row's year). A page's visitor counter,
# or a price, that happened to be 2566 made last year's plan "ok".
_AMOUNT_AFTER = re.compile(r"[.][0-9๐-๙]|\s{0,3}(?:(?:ครั้ง|คน)(?![\u0e00-\u0e7f])|บาท|(?:views?|hits?|reads?)(?![A-Za-z]))",
                           re.I)
# ... and two digits read as a short year are none before such a unit, "ราย" (cases), or a
# thousands' group: "อายุ 60-69 ปี 66 คน" (a count by age), "ค่าเช่าต่อปี 66,000 บาท" and "ต่อปี 66.5
# ล้าน" (amounts a year) made last year's page "ok".
_SHORT_AMOUNT_AFTER = re.compile(rf"{_AMOUNT_AFTER.pattern}|,[0-9๐-๙]{{3}}(?![0-9๐-๙])|\s{{0,3}}ราย(?![\u0e00-\u0e7f])",
                                 re.I)
_COUNTER_BEFORE = re.compile(r"(?:(?:เข้าชม|อ่าน|ยอดวิว|ผู้ชม)\s{0,3}:|(?<![A-Za-z])(?:hits?|views?|reads?)\s{0,3}:?)"
                             r"\s{0,3}$", re.I)
_COUNTER_BACK = 16  # characters: the longest label ("ยอดวิว"), its colon and spaces
# A file's address typed out as text ("ดาวน์โหลดได้ที่ https://…/wp-content/uploads/2023/01/nogift65.pdf"):
# WordPress files an upload under the year and month it was put up, which says nothing of the
# year its content is for. Read as a year, last year's announcement uploaded in January 2023 was "ok".
_UPLOADS = "uploads/"
_MONTH_FOLDER = re.compile(r"/(?:0[1-9]|1[0-2])/")
_LOOK_BACK = 16  # characters: the longest word, its dot and a few spaces
_LATE = frozenset("456789๔๕๖๗๘๙")
MAX_TEXT = 2_000_000  # characters searched


def _is_date(m: re.Match | None) -> bool:
    """A day and a month before a short year ("05/10/" of "05/10/65"), both in range."""
    if m is None:
        return False
    day, month = int(thai_digits_to_arabic(m.group(1))), int(thai_digits_to_arabic(m.group(3)))
    return 1 <= day <= 31 and 1 <= month <= 12


@lru_cache(maxsize=1024)  # pure, and the same few tokens ("2566") come back on every page
def be_year(token: str) -> int | None:
    """The Buddhist-era year four digits stand for, or None when they are not a year."""
    n = int(thai_digits_to_arabic(token))
    if BE_RANGE[0] <= n <= BE_RANGE[1]:
        return n
    if CE_RANGE[0] <= n <= CE_RANGE[1]:
        return n + BE_OFFSET
    return None


def years_in(text: str) -> tuple[int, ...]:
    """Every Buddhist-era year the text shows, sorted.

    >>> years_in("แผนพัฒนาท้องถิ่น (พ.ศ. 2564 - 2566) ปรับปรุง ๒๕๖๕ และ 2023")
    (2564, 2565, 2566)
    >>> years_in("สรุปผลการจัดซื้อจัดจ้าง ประจำเดือน ต.ค.65 ข้อมูล ณ 31 มี.ค. ๖๖ อายุ 66 ปี")
    (2565, 2566)
    >>> years_in("ผู้สูงอายุ 60-69 ปี 66 คน ค่าเช่าต่อปี 66,000 บาท ไตรมาส 1/66")
    (2566,)
    >>> years_in("ผู้สูงอายุ 60-69 ปี 66 คน ค่าเช่าต่อปี 66,000 บาท ต่อปี 66.5 ล้าน ปี 66 ราย")
    ()
    >>> years_in("วันที่ 05/10/64 ถึง 31-3-๖๕ เลขที่ 12/66 ราคา 3/45/67")
    (2564, 2565)
    >>> years_in("การประชุม ครั้งที่ 1/66 และ Q2/67 ตามหนังสือที่ ลพ 52001/65 คำสั่งที่ 12/64 หน้า 1/63")
    (2566, 2567)
    >>> years_in("ติดต่อ โทร. 0 5351 2566 โทรสาร 0-5351-2023 ณ วันที่ 01-10-2565")
    (2565,)
    >>> years_in("แผน ปี 2565 ผู้เข้าชม 2566 ครั้ง วงเงิน 2567.00 บาท โทร. ๐ ๕๓๕๑ ๒๕๖๘"), years_in("ปี 2566 ครั้งที่ 1")
    ((2565,), (2566,))
    >>> years_in("ดาวน์โหลด https://a.go.th/wp-content/uploads/2023/01/nogift-2565.pdf"), years_in("/uploads/2023/o31.pdf")
    ((2565,), (2566,))
    >>> years_in("ปีการศึกษา 66 FY65 FY 64"), years_in("ปีการศึกษา 66 คน PFY66 fy67 FY66,000 บาท")
    ((2564, 2565, 2566), ())
    >>> years_in("แผนพัฒนา ระหว่างปี พ.ศ. ๒๕๖๔ ถึงปี พ.ศ. ๒๕๖๘"), years_in("ปีงบประมาณ 2565-66")
    ((2564, 2565, 2566, 2567, 2568), (2565, 2566))
    """
    text = text[:MAX_TEXT]
    runs, shorts, spans = [], [], []
    before = None  # the run just before, when four digits and no span's second
    for m in _RUN.finditer(text):
        n = m.end() - m.start()
        if n == 4:
            runs.append(m)
        elif n == 2 and text[m.start()] in _LATE:
            shorts.append(m.start())
        if before is not None and n in (2, 4) and _GAP.fullmatch(text, before.end(), m.start()):
            spans.append((before, m))
            before = None  # a span's second year does not start another span
        else:
            before = m if n == 4 else None
    # Each distinct token once (a page repeats its year in every line), unless it is only ever
    # another kind of number (`_other_number`).
    tokens: set[str] = set()
    for m in runs:
        if m.group() not in tokens and not _other_number(text, m.start(), m.end()):
            tokens.add(m.group())
    found = {y for y in map(be_year, tokens) if y is not None}
    for first, second in spans:
        a, b = be_year(first.group()), be_year(_whole_year(first.group(), second.group()))
        if a is not None and b is not None and 0 < b - a <= MAX_SPAN:
            found.update(range(a, b + 1))
    for at in shorts:
        if _SHORT_AMOUNT_AFTER.match(text, at + 2):
            continue
        dated = at and text[at - 1] in _DATE_MARKS and _is_date(_DATE_BEFORE.search(text, max(0, at - 6), at))
        if dated or _WORD_BEFORE.search(text, max(0, at - _LOOK_BACK), at):
            found.add(2500 + int(thai_digits_to_arabic(text[at:at + 2])))
    return tuple(sorted(found))


def _other_number(text: str, at: int, end: int) -> bool:
    """Whether the four digits at `text[at:end]` are a number of another kind where they stand:
    a telephone number's last group, an upload's folder (`_UPLOADS`), an amount or a count
    (`_AMOUNT_AFTER`, `_COUNTER_BEFORE`)."""
    if at and text[at - 1] in " -" and _PHONE_BEFORE.search(text, max(0, at - _PHONE_BACK), at):
        return True
    if at >= len(_UPLOADS) and text.startswith(_UPLOADS, at - len(_UPLOADS)) and _MONTH_FOLDER.match(text, end):
        return True  # an upload's folder
    return _AMOUNT_AFTER.match(text, end) is not None or \
        (at > 0 and _COUNTER_BEFORE.search(text, max(0, at - _COUNTER_BACK), at) is not None)


def _whole_year(first: str, second: str) -> str:
    """A span's second year in four digits: as written, or its last two digits ("2565-66") put
    after the first year's century (in Arabic digits)."""
    if len(second) == 4:
        return second
    return str(int(thai_digits_to_arabic(first)) // 100 * 100 + int(thai_digits_to_arabic(second)))


def year_sets(rules: Iterable[YearRule]) -> tuple[tuple[int, ...], ...]:
    """The year sets a text must meet for every one of `rules` to be settled: the checked rules'
    years, without a set that contains another one (a text meeting the smaller one meets it too).
    A first-half rule's set is its current year alone: a text showing only the year before may
    still show the year before that further on, which makes it last year's half (`fits`).

    >>> from sheets_sync.config.settings import YearRule
    >>> year_sets([YearRule((2566,)), YearRule((2565, 2566)), YearRule(()), YearRule((2565,))])
    ((2565,), (2566,))
    >>> year_sets([YearRule((2565, 2566), "first_half"), YearRule((2564, 2565))])
    ((2564, 2565), (2566,))
    """
    sets = {frozenset(r.years) if r.period != "first_half" else frozenset({max(r.years)})
            for r in rules if r.checked}
    return tuple(sorted(tuple(sorted(s)) for s in sets if not any(o < s for o in sets)))


def settled(years: Iterable[int], sets: Iterable[Iterable[int]]) -> bool:
    """Whether `years`, read from the beginning of a text, already show a year of each of `sets`
    (from `year_sets`). Then reading on cannot change `fits` for any of the rules: the years of
    a longer text include those of its beginning, and a rule fits as soon as one of its years shows.

    >>> settled((2564, 2566), [(2566,)]), settled((2565,), [(2565,), (2566,)]), settled((2566,), [])
    (True, False, False)
    """
    found = set(years)
    sets = list(sets)
    return bool(sets) and all(not found.isdisjoint(s) for s in sets)


def fits(years: Iterable[int] | None, rule: YearRule) -> bool:
    """Whether a page showing `years` satisfies `rule`. Unknown years (None: the content was not
    read, e.g. a scan or a file cut off) and a rule without years never fail. A first-half rule
    asks for the first six months of its fiscal year (`first_half`).

    >>> from sheets_sync.config.settings import YearRule
    >>> half = YearRule((2565, 2566), "first_half")
    >>> fits((2565, 2566), half), fits((2565,), half), fits((2564, 2565), half), fits((2564, 2565, 2566), half)
    (True, True, False, True)
    """
    if years is None or not rule.checked:
        return True
    if rule.period == "first_half":
        return first_half(set(years), max(rule.years))
    return bool(set(years) & set(rule.years))


def first_half(shown: set[int], year: int) -> bool:
    """Whether a page showing the years `shown` can be the first six months of fiscal year
    `year`, October of the year before to March (O12, O21, O24, O37: ต.ค. 2565 - มี.ค. 2566 for
    2566): it shows `year`, or the year before without the year before that (its first months,
    "ต.ค. 65 - ธ.ค. 65", alone), unless it names the year before as a fiscal year. The year
    before with the one before it is the half of the year before: "รอบ 6 เดือน ประจำปีงบประมาณ พ.ศ.
    2565 (1 ตุลาคม 2564 - 31 มีนาคม 2565)", "ต.ค. 64 ... มี.ค. 65", last year's report still linked,
    passed as this year's when either year counted; so is the year before named as a fiscal year
    ("รอบ 6 เดือน ประจำปีงบประมาณ พ.ศ. 2565" and no month): fiscal year 2565 began in October 2564.

    >>> first_half({2565}, 2566), first_half({FiscalYear(2565)}, 2566), first_half({FiscalYear(2565), 2566}, 2566)
    (True, False, True)
    """
    if year in shown:
        return True
    before = [y for y in shown if y == year - 1]
    return bool(before) and year - 2 not in shown and not isinstance(before[0], FiscalYear)


class FiscalYear(int):
    """A year the content names as a fiscal year ("ประจำปีงบประมาณ พ.ศ. 2565", "ปีงบฯ 65", "fiscal
    year B.E. 2565"), among the years it shows (`fiscal_marks`). It is the year itself to every
    rule and comparison; only `first_half` asks: fiscal year 2565 runs from October 2564, so a
    page of it is last year's half, where 2565 alone may be this fiscal year's first months
    (October to December 2565)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"FiscalYear({int(self)})"


# A year named as a fiscal year: "ประจำปีงบประมาณ พ.ศ. 2565", "ปีงบประมาณ 2565", "ปีงบฯ 65", "ปีงบ 65",
# "งบประมาณ ปี 2565", "fiscal year B.E. 2565", "FY2565", "FY 65", "FY2022" (its short form as `years_in`
# reads it: 40-99; "FY2022" and "งบประมาณ ปี 65" were this year's first months, as 2565 alone may be), and a quarter's year
# ("ไตรมาส 4/65", "ไตรมาส 3/2565", "Q4/65"): quarters are the fiscal year's, so the fourth of 2565 is
# July to September 2565, last year's, never this fiscal year's first months.
# (Its year also spaced out or in full-width digits, as `content.html_years` reads a page's years:
# "ปีงบประมาณ พ.ศ. 2 5 6 5", "ปีงบประมาณ ２５６５", read as plain 2565, were this year's first months.)
_WD = "[0-9๐-๙０-９]"
_FISCAL_NAMED = re.compile(rf"(?:(?:ปี\s?งบ(?:ประมาณ|\s?ฯ)?|งบประมาณ\s*ปี|fiscal\s+year|{FISCAL_LATIN})\s*"
                           rf"(?:(?:พ\.\s?ศ\.|B\.\s?E\.)\s*)?|"
                           rf"{QUARTER}\s*)(?:([2๒２](?:[ \xa0]{_WD}){{3}})(?![ \xa0]?{_WD})|({_WD}{{4}}|[4-9๔-๙４-９]{_WD})(?!{_WD}))",
                           re.I)
_FISCAL_SIGNS = ("งบ", "iscal", "ISCAL", "FY", "ไตรมาส", "Q1", "Q2", "Q3", "Q4")


def fiscal_marks(years: tuple[int, ...], *texts: str) -> tuple[int, ...]:
    """`years` (read from `texts`), each year the texts name as a fiscal year a `FiscalYear`.

    >>> fiscal_marks((2565,), "รายงาน รอบ 6 เดือน ประจำปีงบประมาณ พ.ศ. 2565"), fiscal_marks((2565,), "ต.ค. - ธ.ค. 2565")
    ((FiscalYear(2565),), (2565,))
    >>> fiscal_marks((2565, 2566), "ปีงบประมาณ 2566 (ต.ค. 2565 - มี.ค. 2566)"), fiscal_marks((2565,), "ปีงบฯ ๖๕")
    ((2565, FiscalYear(2566)), (FiscalYear(2565),))
    >>> fiscal_marks((2565,), "รายงาน ไตรมาสที่ 4/65"), fiscal_marks((2565,), "ไตรมาส 1 (ต.ค. - ธ.ค. 65)")
    ((FiscalYear(2565),), (2565,))
    >>> fiscal_marks((2565,), "รายงาน FY2022"), fiscal_marks((2565,), "งบประมาณ ปี 65"), fiscal_marks((2565,), "ปีการศึกษา 65")
    ((FiscalYear(2565),), (FiscalYear(2565),), (2565,))
    >>> fiscal_marks((2565,), "ปีงบประมาณ พ.ศ. 2 5 6 5"), fiscal_marks((2565,), "ปีงบประมาณ ２５６５ ปีงบ ６５")
    ((FiscalYear(2565),), (FiscalYear(2565),))
    >>> fiscal_marks((2565,), "ปีงบประมาณ 2565 12 รายการ"), fiscal_marks((2565,), "ปีงบประมาณ 2 5 6 5 1 ต.ค. 2565")
    ((FiscalYear(2565),), (2565,))
    >>> fiscal_marks((2565,), "รายงาน Q4 / 2565"), fiscal_marks((2565,), "ธ.ค. 2565 รหัส SQ4/65 q4/65")
    ((FiscalYear(2565),), (2565,))
    """
    named = set()
    for text in texts:
        if not text or not any(sign in text for sign in _FISCAL_SIGNS):
            continue  # nearly every text without a fiscal year: one scan or two
        for m in _FISCAL_NAMED.finditer(text[:MAX_TEXT]):
            token = (m.group(1) or m.group(2)).replace(" ", "").replace("\xa0", "")  # (int() reads full-width digits)
            named.add(be_year(token) if len(token) == 4 else 2500 + int(thai_digits_to_arabic(token)))
    if not named & set(years):
        return years
    return tuple(FiscalYear(y) if y in named else y for y in years)


def years_text(rule: YearRule, thai_digits: bool = False) -> str:
    """'2566', or '2565 หรือ 2566'."""
    return digits(" หรือ ".join(str(y) for y in rule.years), thai_digits)


def wanted_text(rule: YearRule, thai_digits: bool = False) -> str:
    """What the item asks for, to end "ตรวจว่าเป็นข้อมูล…" in a note."""
    if not rule.checked:
        return "ที่ถูกต้องของข้อนี้"
    if rule.period == "first_half":
        last = max(rule.years)
        return digits(f"ช่วง 6 เดือนแรกของปีงบประมาณ พ.ศ. {last} (ต.ค. {last - 1} – มี.ค. {last})", thai_digits)
    return f"ของปี พ.ศ. {years_text(rule, thai_digits)}"


def note_values(rule: YearRule, thai_digits: bool = False) -> dict[str, str]:
    """The values the year notes of sheets_sync.core.reasons are filled with."""
    return {"years": years_text(rule, thai_digits) if rule.checked else "ที่ข้อนี้กำหนด",
            "wanted": wanted_text(rule, thai_digits)}
