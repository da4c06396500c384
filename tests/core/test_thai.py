"""Thai formatting: Buddhist era, month names, Thai digits, numbers, days left, reading back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sheets_sync.core import thai


def test_buddhist_era_and_month_names():
    assert thai.be_year(date(2023, 1, 1)) == 2566
    assert thai.thai_date(date(2022, 12, 31)) == "31 ธ.ค. 2565"
    assert thai.thai_date(date(2023, 2, 28), long=True) == "28 กุมภาพันธ์ 2566"
    assert [thai.month_name(m) for m in (1, 4, 12)] == ["มกราคม", "เมษายน", "ธันวาคม"]
    assert [thai.month_name(m, long=False) for m in (1, 2, 3, 11)] == ["ม.ค.", "ก.พ.", "มี.ค.", "พ.ย."]
    assert len(thai.MONTHS) == len(thai.MONTHS_SHORT) == 12


def test_thai_digits_only_when_asked():
    d = date(2023, 4, 24)
    assert thai.thai_date(d, long=True, thai_digits=True) == "๒๔ เมษายน ๒๕๖๖"
    assert thai.thai_datetime(datetime(2023, 4, 7, 23, 59), thai_digits=True) == "๗ เม.ย. ๒๕๖๖ ๒๓:๕๙"
    assert thai.thai_datetime(datetime(2023, 4, 7, 23, 59)) == "7 เม.ย. 2566 23:59"
    assert thai.digits("O12 รอบ 3", True) == "O๑๒ รอบ ๓"
    assert thai.digits("O12", False) == "O12"


def test_numbers_and_percent():
    assert thai.number(2537) == "2,537"
    assert thai.number(1234.5, 1, thai_digits=True) == "๑,๒๓๔.๕"
    assert thai.percent(79.66) == "79.7%"
    assert thai.percent(100, thai_digits=True) == "๑๐๐.๐%"


@pytest.mark.parametrize("today, text", [
    (date(2023, 1, 20), "เหลือ 11 วัน"),
    (date(2023, 1, 31), "วันนี้วันสุดท้าย"),
    (date(2023, 2, 3), "เลยกำหนดมา 3 วัน"),
])
def test_days_left(today, text):
    assert thai.days_left(date(2023, 1, 31), today) == text


def test_days_left_in_thai_digits():
    assert thai.days_left(date(2023, 1, 31), date(2023, 1, 20), thai_digits=True) == "เหลือ ๑๑ วัน"


@pytest.mark.parametrize("text, expected", [
    ("1 ก.พ. 2566 09:05", datetime(2023, 2, 1, 9, 5)),
    ("๑ กุมภาพันธ์ ๒๕๖๖", datetime(2023, 2, 1)),
    ("2023-02-01", datetime(2023, 2, 1)),
    ("2566-02-01", datetime(2023, 2, 1)),
    ("2566-04-07T23:59", datetime(2023, 4, 7, 23, 59)),
    ("31 ก.พ. 2566", None),
    ("yesterday", None),
    ("", None),
])
def test_parse_reads_back_thai_and_iso(text, expected):
    assert thai.parse_thai_datetime(text) == expected


def test_round_trip():
    dt = datetime(2023, 12, 5, 7, 30)
    for digits in (False, True):
        for long in (False, True):
            assert thai.parse_thai_datetime(thai.thai_datetime(dt, long=long, thai_digits=digits)) == dt
