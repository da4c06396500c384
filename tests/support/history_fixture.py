"""A fixed small history for the summary, snapshot and report tests: a five-item catalogue in three
rounds, four agencies (two failed in 2565, one without a district), events at known times."""

from __future__ import annotations

from datetime import date, datetime

from sheets_sync.config.settings import Agency, Catalog, Item, Round, YearRule
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.state.history import History

CATALOG = Catalog(
    year=2566,
    rounds=(Round(1, date(2023, 1, 31)), Round(2, date(2023, 2, 28)), Round(3, date(2023, 4, 7))),
    items=(Item("O1", "โครงสร้าง", "9.1", 1), Item("O2", "ข้อมูลผู้บริหาร", "9.1", 1, year_rule=YearRule((2566,))),
           Item("O3", "รายงานผลการดำเนินงานประจำปี", "9.2", 2), Item("O4", "E-service", "9.2", 2),
           Item("O5", "นโยบายคุ้มครองข้อมูลส่วนบุคคล", "9.1", 3)),
    followup_meeting=date(2023, 4, 24),
)
A = Agency("abt-a", "องค์การบริหารส่วนตำบลเอ", "แม่ทา", "อบต.", (), 80.0, "B")
B = Agency("tt-b", "เทศบาลตำบลบี", "แม่ทา", "เทศบาลตำบล")
C = Agency("tt-c", "เทศบาลตำบลซี", "ลี้", "เทศบาลตำบล", (), 84.0, "B")
D = Agency("tt-d", "เทศบาลตำบลดี", "", "เทศบาลตำบล")
AGENCIES = (A, B, C, D)


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BANGKOK)


def v(agency: Agency, item: str, url: str, status: Status, *reasons: str) -> Verdict:
    return Verdict(RowKey(agency.code, item), url, status, tuple(reasons))


# (time, verdicts written by the sync at that time). Rows not listed keep their last state.
TIMELINE = (
    (bkk(2023, 1, 10, 9, 0), [v(a, i.code, "", Status.EMPTY) for a in AGENCIES for i in CATALOG.items] + [
        v(A, "O1", "https://a.go.th/org", Status.OK),
        v(A, "O2", "https://a.go.th/boss-old", Status.BROKEN, "http_4xx"),
        v(B, "O1", "https://b.go.th/org", Status.OK)]),
    (bkk(2023, 1, 31, 23, 59), [
        v(A, "O2", "https://a.go.th/boss", Status.OK),
        v(B, "O2", "https://b.go.th/boss", Status.WARNING, "no_fiscal_year")]),
    (bkk(2023, 2, 1, 0, 1), [
        v(C, "O1", "https://c.go.th/org", Status.OK),
        v(C, "O2", "javascript:x", Status.INVALID, "bad_scheme")]),
    (bkk(2023, 2, 10, 10, 0), [v(A, "O3", "https://a.go.th/report", Status.OK)]),
    (bkk(2023, 3, 1, 8, 0), [
        v(B, "O3", "https://b.go.th/report", Status.BROKEN, "http_5xx"),
        v(A, "O4", "https://a.go.th/eservice", Status.OK)]),
)
REPORT_AT = bkk(2023, 2, 5, 12, 0)


def fill(history: History, until: datetime | None = None) -> History:
    for at, verdicts in TIMELINE:
        if until is None or at <= until:
            history.record(verdicts, at, AGENCIES)
    history.record_report(REPORT_AT)
    return history
