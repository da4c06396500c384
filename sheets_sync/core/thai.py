"""Thai formatting, done once: Buddhist era, month names, optional Thai digits.

Every Thai date, time and number the worker shows (sheet cells, summary, report) goes
through here, so the province's choice of Thai digits is one setting (`thai_digits`).

>>> from datetime import date, datetime
>>> thai_date(date(2023, 1, 31))
'31 ม.ค. 2566'
>>> thai_date(date(2023, 4, 7), long=True)
'7 เมษายน 2566'
>>> thai_datetime(datetime(2023, 2, 1, 9, 5))
'1 ก.พ. 2566 09:05'
>>> thai_date(date(2023, 4, 7), thai_digits=True)
'๗ เม.ย. ๒๕๖๖'
>>> parse_thai_datetime('1 ก.พ. 2566 09:05')
datetime.datetime(2023, 2, 1, 9, 5)
>>> number(1234.5, 1, thai_digits=True)
'๑,๒๓๔.๕'
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sheets_sync.core.normalize import thai_digits_to_arabic

BE_OFFSET = 543
MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
          "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def digits(text: str, thai_digits: bool) -> str:
    """ASCII digits to Thai digits when asked; the text otherwise unchanged."""
    return text.translate(_TO_THAI) if thai_digits else text


def be_year(d: date) -> int:
    """The Buddhist-era year of a date (2023 is 2566)."""
    return d.year + BE_OFFSET


def month_name(month: int, long: bool = True) -> str:
    """Thai month name, 1 = มกราคม; short names are the abbreviations with dots (ม.ค.)."""
    return (MONTHS if long else MONTHS_SHORT)[month - 1]


def thai_date(d: date, long: bool = False, thai_digits: bool = False) -> str:
    """Day, Thai month name and Buddhist-era year."""
    return digits(f"{d.day} {month_name(d.month, long)} {be_year(d)}", thai_digits)


def thai_datetime(dt: datetime, long: bool = False, thai_digits: bool = False) -> str:
    """Thai date and 24-hour time (the datetime is shown in its own time zone)."""
    return thai_date(dt.date(), long, thai_digits) + digits(f" {dt:%H:%M}", thai_digits)


def number(value: float | int, decimals: int = 0, thai_digits: bool = False) -> str:
    """A number with thousands separators and a fixed number of decimals."""
    return digits(f"{value:,.{decimals}f}", thai_digits)


def percent(value: float, thai_digits: bool = False) -> str:
    """One decimal and a percent sign: 84.7 -> '84.7%'."""
    return number(value, 1, thai_digits) + "%"


def days_left(deadline: date, today: date, thai_digits: bool = False) -> str:
    """How a coordinator reads the time left to a deadline (inclusive of the deadline day)."""
    n = (deadline - today).days
    if n > 0:
        return digits(f"เหลือ {n} วัน", thai_digits)
    if n == 0:
        return "วันนี้วันสุดท้าย"
    return digits(f"เลยกำหนดมา {-n} วัน", thai_digits)


_PARSE_RE = re.compile(r"^\s*(\d{1,2})\s+(\S+)\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


def parse_thai_datetime(text: str) -> datetime | None:
    """Reads back what thai_datetime wrote (naive, local time); None if it is not such a text.

    Also accepts ISO 8601, so a coordinator who types 2023-02-01 is understood, and a
    Buddhist-era year in either form (2566-02-01).
    """
    if not text:
        return None
    text = thai_digits_to_arabic(str(text)).strip()
    m = _PARSE_RE.match(text)
    if m:
        day, month_name_, year, hh, mm, ss = m.groups()
        names = list(MONTHS_SHORT) + list(MONTHS)
        if month_name_ not in names:
            return None
        month = names.index(month_name_) % 12 + 1
        year = int(year) - BE_OFFSET if int(year) > 2400 else int(year)
        try:
            return datetime(year, month, int(day), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
    iso = re.match(r"^(\d{4})(-.*)$", text)
    if iso and int(iso.group(1)) > 2400:
        text = f"{int(iso.group(1)) - BE_OFFSET:04d}{iso.group(2)}"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt.replace(tzinfo=None) if dt.tzinfo else dt
