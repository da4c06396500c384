"""The summary tab (`สรุป`), computed with pandas; also the tables of the round snapshots and of
the governor's report, which are the same summary at another moment.

Pure: a frame of row statuses (and when each row first became valid) + catalogue + agencies
+ the moment -> `Summary`. Definitions the numbers follow:

- valid (ผ่านเบื้องต้น) = status ok or warning; problem = submitted (not empty) but not valid;
- a round is due once its deadline day has ended in Bangkok time (from the day's last moment,
  23:59:59.999999, when its snapshot is taken);
- an item is on time when it first became valid before that moment, late otherwise (only items
  valid now are classified, so on time + late = valid);
- an agency is complete for a round when every item of the round is valid, not started when no
  item of the round is submitted, partly done otherwise; "on track" = complete for every round
  due so far (before the first deadline: for round 1);
- the trend of an agency is its valid items now minus at the baseline (the last report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Collection, Mapping, Sequence
from zoneinfo import ZoneInfo

import pandas as pd

from sheets_sync.config.settings import LAMPHUN, Agency, Catalog, Province, Round
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import (
    ReadProblem,
    RowKey,
    Status,
    Summary,
    SummaryBlock,
    SummaryChart,
)
from sheets_sync.core.thai import days_left, digits, thai_date, thai_datetime
from sheets_sync.sheet.layout import TAB_MOVED

VALID = (Status.OK.value, Status.WARNING.value)
DISTRICTS = LAMPHUN.districts  # the default province's; a summary uses its catalogue's (catalog.province)
NO_DISTRICT = "ไม่ระบุอำเภอ"
FAILED_PREFIX = "ไม่ผ่าน "  # + last year: the mark of an agency that failed last year's assessment
TOP_ITEMS = 10
UNCHECKED_LABEL = "ข้อที่ตรวจไม่ได้ชั่วคราว (ไม่นับว่าไม่ผ่าน ระบบจะตรวจใหม่)"

TITLE_PROVINCE = "ภาพรวมจังหวัด"
TITLE_ROUNDS = "รายรอบ"
TITLE_DISTRICTS = "รายอำเภอ"
TITLE_DISTRICT_ROUNDS = "รายอำเภอ แยกตามรอบ (จำนวนหน่วยงาน)"
TITLE_ITEMS = "ข้อที่ไม่ผ่านมากที่สุด (ควรจัดอบรม)"
TITLE_FOLLOWUP = "หน่วยงานที่ต้องติดตาม"
TITLE_PROBLEMS = "แถวที่ระบบระบุไม่ได้ (ตรวจรหัสหน่วยงานและข้อ)"


def failed_mark(catalog: Catalog) -> str:
    """'ไม่ผ่าน 2565' for the 2566 catalogue: the agency failed the year before the catalogue's."""
    return f"{FAILED_PREFIX}{catalog.previous_year}"


def is_failed_mark(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FAILED_PREFIX) and value[len(FAILED_PREFIX):].isdigit()


def title_agencies(catalog: Catalog) -> str:
    return f"รายหน่วยงาน (หน่วยงานที่ไม่ผ่านการประเมินปี {catalog.previous_year} อยู่ก่อน)"


@dataclass(frozen=True)
class Baseline:
    """Valid items per agency at an earlier moment (the last report), for the trend column."""

    at: datetime
    valid: Mapping[str, int]
    from_report: bool = True  # False: no report before, `at` is a fixed time earlier (TREND_FALLBACK)


@dataclass(frozen=True)
class Options:
    expected_agencies: int = 59
    target_agencies: int = 50
    thai_digits: bool = False
    tz: ZoneInfo = BANGKOK

    @classmethod
    def of(cls, settings) -> "Options":
        """The options a config's settings ask for."""
        return cls(settings.expected_agencies, settings.target_agencies, settings.thai_digits, settings.tz)


def deadline_end(deadline: date, tz: ZoneInfo = BANGKOK) -> datetime:
    """The first moment after a deadline day (00:00 of the next day, local time)."""
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=tz)


def is_late(first_valid_at: datetime, deadline: date, tz: ZoneInfo = BANGKOK) -> bool:
    """Late = first valid after the deadline day ended (23:59 is on time, 00:01 next day is late)."""
    return first_valid_at >= deadline_end(deadline, tz)


def last_moment(day: date, tz: ZoneInfo = BANGKOK) -> datetime:
    """The last moment of a day (23:59:59.999999 local time): when a round's snapshot and
    `report --as-of DAY` are taken; the history is read up to and including it."""
    return deadline_end(day, tz) - timedelta(microseconds=1)


def due_rounds(catalog: Catalog, now: datetime, tz: ZoneInfo = BANGKOK) -> tuple[Round, ...]:
    """The rounds whose deadline day is over at `now`. The day's last moment counts as over: the
    round's snapshot and a report as of the deadline day are taken then, and showed the round
    as "not yet due" with 0 of 0 items due."""
    return tuple(r for r in catalog.rounds if now >= last_moment(r.deadline, tz))


def time_left(rnd: Round, now: datetime, thai_digits: bool = False, tz: ZoneInfo = BANGKOK) -> str:
    """How much time a round has left, as a coordinator reads it; at the deadline day's last moment
    (a snapshot) the round is due, not on "its last day"."""
    if now.date() == rnd.deadline and now >= last_moment(rnd.deadline, tz):
        return "ครบกำหนดแล้ว"
    return days_left(rnd.deadline, now.date(), thai_digits)


# ---------------------------------------------------------------- the frame
def frame(statuses: Mapping[RowKey, Status] | None, agencies: Sequence[Agency], catalog: Catalog,
          history: pd.DataFrame | None = None, tz: ZoneInfo = BANGKOK, *, carry_unknown: bool = False,
          pending: Collection[RowKey] = ()) -> pd.DataFrame:
    """One line per (agency of the list, item of the catalogue): status, round, first_valid_at and
    the derived flags. `statuses` (the sheet's statuses now, every row it has) stands for the
    sheet: a row it lacks is empty; without it the history's status counts.

    A row whose check could not decide (unknown: the site did not answer for a moment) is never a
    problem (`unchecked` instead): nothing shows the agency failed. With `carry_unknown` (the
    summary and the report) it counts as the row's last decided status for the same URL, as the
    history has it; the reminders leave such rows out instead. Not a `pending` row (its URL changed
    while it was checked; the sheet greys its old verdict as pending): the history's last URL is the
    old one, whose verdict it would carry back."""
    grid = pd.DataFrame([(a.code, i.code, i.round, catalog.round(i.round).deadline, i.number)
                         for a in agencies for i in catalog.items],
                        columns=["agency", "item", "round", "deadline", "number"])
    if history is not None and len(history):
        cols = ["agency", "item", "status", "first_valid_at"] + (
            ["decided_status"] if "decided_status" in history.columns else [])
        grid = grid.merge(history[cols], on=["agency", "item"], how="left")
    else:
        grid["status"] = None
        grid["first_valid_at"] = pd.NaT
    if statuses is not None:
        # The sheet as read is the sheet: a row it lacks (a user deleted it) is not sent, whatever the
        # history last recorded of it; it was counted valid from the history.
        override = pd.Series({(k.agency, k.item): s.value for k, s in statuses.items()}, dtype=object)
        keys = pd.MultiIndex.from_frame(grid[["agency", "item"]])
        sheet = override.reindex(keys).to_numpy()
        grid["status"] = [s if isinstance(s, str) else Status.EMPTY.value for s in sheet]
    grid["status"] = grid["status"].where(grid["status"].notna(), Status.EMPTY.value).astype(str)
    if carry_unknown and "decided_status" in grid.columns:
        decided = grid["decided_status"]
        if pending:
            pending = set(pending)
            waiting = [RowKey(a, i) in pending for a, i in zip(grid["agency"], grid["item"])]
            decided = decided.where(~pd.Series(waiting, index=grid.index, dtype=bool), None)
        grid["status"] = _carry_decided(grid["status"], decided)
    grid = grid.drop(columns=["decided_status"], errors="ignore")
    grid["valid"] = grid["status"].isin(VALID)
    grid["submitted"] = grid["status"] != Status.EMPTY.value
    grid["unchecked"] = grid["status"] == Status.UNKNOWN.value
    grid["problem"] = grid["submitted"] & ~grid["valid"] & ~grid["unchecked"]
    ends = {r.number: deadline_end(r.deadline, tz) for r in catalog.rounds}
    late = [bool(v and isinstance(fv, datetime) and not pd.isna(fv) and fv >= ends[rnd])
            for v, fv, rnd in zip(grid["valid"], grid["first_valid_at"], grid["round"])]
    grid["late"] = pd.Series(late, index=grid.index, dtype=bool)
    grid["on_time"] = grid["valid"] & ~grid["late"]
    return grid


def _carry_decided(status: pd.Series, decided: pd.Series) -> pd.Series:
    """Unknown statuses replaced by the row's last decided one, where the history has one."""
    carried = [d if s == Status.UNKNOWN.value and isinstance(d, str) else s for s, d in zip(status, decided)]
    return pd.Series(carried, index=status.index, dtype=object).astype(str)


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _agency_rounds(df: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Per (agency, round): items, submitted, valid, problems, on_time, late and the state."""
    g = df.groupby(["agency", "round"], sort=False).agg(
        items=("item", "size"), submitted=("submitted", "sum"), valid=("valid", "sum"),
        problems=("problem", "sum"), on_time=("on_time", "sum"), late=("late", "sum")).reset_index()
    g["state"] = "partly"
    g.loc[g["valid"] == g["items"], "state"] = "complete"
    g.loc[g["submitted"] == 0, "state"] = "not_started"
    return g


# ---------------------------------------------------------------- the summary
def build_summary(statuses: Mapping[RowKey, Status] | None, agencies: Sequence[Agency], catalog: Catalog,
                  problems: Sequence[ReadProblem], now: datetime, expected_agencies: int = 59, *,
                  target_agencies: int = 50, history: pd.DataFrame | None = None, baseline: Baseline | None = None,
                  thai_digits: bool = False, title: str | None = None, extra_heading: Sequence[str] = (),
                  tz: ZoneInfo = BANGKOK, pending: Collection[RowKey] = ()) -> Summary:
    """The summary tab's content at `now`.

    statuses: the sheet's statuses (None: the history's); history: `History.as_of(now)` (first
    valid times, statuses of rows the sheet did not give); baseline: for the trend column;
    extra_heading: lines shown right after the "ข้อมูล ณ" line, saying what that time means
    (a snapshot) or who produced the data (the worker's last run); pending: rows the sheet shows
    as pending (see `frame`)."""
    opts = Options(expected_agencies, target_agencies, thai_digits, tz)
    now = now.astimezone(tz)
    agencies = tuple(agencies)
    df = frame(statuses, agencies, catalog, history, tz, carry_unknown=True, pending=pending)
    return summary_from_frame(df, agencies, catalog, problems, now, opts, baseline, title, extra_heading)


def summary_from_frame(df: pd.DataFrame, agencies: Sequence[Agency], catalog: Catalog,
                       problems: Sequence[ReadProblem], now: datetime, opts: Options,
                       baseline: Baseline | None = None, title: str | None = None,
                       extra_heading: Sequence[str] = ()) -> Summary:
    d = opts.thai_digits
    ordered = order_agencies(agencies)
    n_agencies = len(agencies)
    due = due_rounds(catalog, now, opts.tz)
    track_numbers = [r.number for r in (due or catalog.rounds[:1])]
    per = _per_agency_round(df, catalog)
    on_track = _on_track(per, agencies, track_numbers)
    n_track = sum(on_track.values())
    rounds_label = "–".join(str(n) for n in (track_numbers[:1] + track_numbers[-1:] if len(track_numbers) > 1
                                              else track_numbers))
    rounds_text = (f"รอบที่ {rounds_label}" if due else f"รอบที่ {rounds_label} ซึ่งยังไม่ถึงกำหนด")

    heading = [
        title or f"สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. {catalog.year} {catalog.province.title}",
        f"ข้อมูล ณ {thai_datetime(now)} น.",
        *extra_heading,
        "กำหนดส่ง: " + " / ".join(f"รอบที่ {r.number} ภายใน {thai_date(r.deadline)} ({time_left(r, now, tz=opts.tz)})"
                                   for r in catalog.rounds),
        f"หน่วยงานในชีต {n_agencies} แห่ง จากที่ต้องประเมิน {opts.expected_agencies} แห่ง"
        + ("" if n_agencies >= opts.expected_agencies
           else f" (ยังขาด {opts.expected_agencies - n_agencies} แห่ง ให้ผู้ประสานงานเพิ่มในแท็บหน่วยงาน)"),
        f"เป้าหมายจังหวัด: หน่วยงานผ่านเกณฑ์ไม่น้อยกว่า {opts.target_agencies} จาก {opts.expected_agencies} แห่ง; "
        f"ขณะนี้ {n_track} แห่งส่งและผ่านครบทุกข้อของ{rounds_text}"
        + (" (ถึงเป้าหมายแล้ว)" if n_track >= opts.target_agencies
           else f" (ยังขาด {opts.target_agencies - n_track} แห่ง)"),
        "ผ่านเบื้องต้น = ใช้งานได้ หรือ เปิดได้ แต่ควรตรวจ; ทันกำหนด = ผ่านครั้งแรกภายในวันกำหนดส่ง (เวลาประเทศไทย)",
    ]
    to_confirm = sum(1 for a in agencies if a.confirm)
    if to_confirm:
        heading.append(f"หน่วยงานที่ข้อมูลยังต้องยืนยัน {to_confirm} แห่ง (ชื่อ ประเภท อำเภอ หรือเว็บไซต์ "
                       f"ดูคอลัมน์ \"ต้องยืนยัน\" ในแท็บหน่วยงาน)")
    if baseline is not None:
        heading.append("เปลี่ยนแปลง = จำนวนข้อที่ผ่านเพิ่มขึ้น (+) หรือลดลง (-) " + baseline_since(baseline, opts.tz))
    heading = [digits(h, d) for h in heading]

    blocks = [
        _province_block(df, per, n_agencies, n_track, rounds_text, due, opts),
        _rounds_block(df, per, catalog, now, n_agencies, opts),
        *_district_blocks(df, per, agencies, catalog, on_track),
        _agency_block(df, per, ordered, catalog, due, baseline),
        _items_block(df, catalog, due),
    ]
    last = catalog.rounds[-1] if catalog.rounds else None
    if last is not None and last in due:
        blocks.append(followup_block(df, ordered, catalog))
    if problems:
        blocks.append(SummaryBlock(TITLE_PROBLEMS, ("แถว", "ปัญหา", "รายละเอียด"),
                                   tuple((p.row_number or "", problem_th(p, catalog.province), p.detail)
                                         for p in problems)))
    if d:
        blocks = [SummaryBlock(digits(b.title, d), b.header, b.rows, b.chart) for b in blocks]
    return Summary(heading=tuple(heading), blocks=tuple(blocks))


def problem_th(p: ReadProblem, province: Province = LAMPHUN) -> str:
    """What a coordinator must fix, in Thai, naming the code and the rows (a district: `province`'s).

    >>> problem_th(ReadProblem("duplicate_agency", 9, "", value="tt-li", first_row=4, tab="หน่วยงาน"))
    'รหัสหน่วยงาน tt-li ซ้ำกันในแท็บ หน่วยงาน แถว 4 และ 9 (ระบบใช้แถว 4) ให้ลบหรือแก้แถวที่ซ้ำ'
    """
    where = f"ในแท็บ {p.tab} " if p.tab else ""
    if p.code == "duplicate_agency":
        return (f"รหัสหน่วยงาน {p.value} ซ้ำกัน{where}แถว {p.first_row} และ {p.row_number} "
                f"(ระบบใช้แถว {p.first_row}) ให้ลบหรือแก้แถวที่ซ้ำ")
    if p.code == "duplicate_key":
        return (f"หน่วยงานและข้อ {p.value} ซ้ำกัน{where}แถว {p.first_row} และ {p.row_number} "
                f"(ระบบใช้แถว {p.first_row} ไม่ตรวจแถว {p.row_number})")
    if p.code == "unknown_agency":
        return f"ไม่รู้จักรหัสหน่วยงาน {p.value!r} {where}(ตรวจกับแท็บ หน่วยงาน)"
    if p.code == "unknown_item":
        return f"ไม่รู้จักข้อ {p.value!r} {where}(รหัสข้อเขียนแบบ O1)"
    if p.code == "bad_score":
        return (f"คะแนนปีก่อน {p.value!r} {where}แถว {p.row_number} ไม่ใช่ตัวเลข (เขียนแบบ 84.50) "
                f"ระบบจึงไม่รู้ว่าหน่วยงานนี้ผ่านเกณฑ์ปีก่อนหรือไม่")
    if p.code == "unknown_district":
        return (f"อำเภอ {p.value!r} {where}แถว {p.row_number} ไม่ใช่อำเภอของ{province.title} "
                f"(เขียนเป็น {' '.join(province.districts)}) ระบบจึงนับหน่วยงานนี้ใน \"{NO_DISTRICT}\"")
    if p.code == "missing_row":
        return (f"ไม่มีแถวของหน่วยงาน {p.value} ข้อ {', '.join(p.items)} {where}(อาจถูกลบ) ระบบจึงนับว่ายังไม่ส่ง: "
                f"ให้ผู้ประสานงานรัน sheets-sync init เพื่อเพิ่มแถวกลับ แล้วให้หน่วยงานวาง URL อีกครั้ง")
    if p.code == "agency_rows_elsewhere":
        return (f"ไม่มีแถวของหน่วยงาน {p.value} {where}เลย แต่มีแถวที่ใช้รหัสหน่วยงานที่ไม่มีในแท็บ หน่วยงาน "
                f"(ตั้งแต่แถว {p.first_row} รหัสดูในรายละเอียด) หากเปลี่ยนรหัสหน่วยงานในแท็บ หน่วยงาน "
                f"ให้แก้รหัสหน่วยงานในแถวเหล่านั้นเป็น {p.value} ด้วย (หรือเปลี่ยนกลับ) ระหว่างนี้ระบบไม่ตรวจ URL "
                f"ในแถวเหล่านั้น และนับว่าหน่วยงาน {p.value} ยังไม่ส่ง")
    if p.code == "missing_key":
        return f"มี URL {where}แต่ไม่มีรหัสหน่วยงานและข้อ"
    if p.code == "moved_text":
        return (f"มีผู้พิมพ์ข้อความในคอลัมน์ {p.value} ที่ระบบเป็นผู้กรอก {where}แถว {p.row_number}: "
                f"ระบบย้ายข้อความไปไว้ที่แท็บ {TAB_MOVED} (ไม่ได้ลบทิ้ง)")
    return p.code


def _per_agency_round(df: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    return _agency_rounds(df, catalog) if len(df) else pd.DataFrame(
        columns=["agency", "round", "items", "submitted", "valid", "problems", "on_time", "late", "state"])


def _on_track(per: pd.DataFrame, agencies: Sequence[Agency], track_numbers: Sequence[int]) -> dict[str, bool]:
    complete_track = per[per["round"].isin(track_numbers)].groupby("agency")["state"].apply(
        lambda s: bool((s == "complete").all()))
    return {a.code: bool(complete_track.get(a.code, False)) for a in agencies}


def on_track(df: pd.DataFrame, agencies: Sequence[Agency], catalog: Catalog, now: datetime,
             tz: ZoneInfo = BANGKOK) -> dict[str, bool]:
    """Agency code -> on track (every item of the rounds due so far valid; before the first
    deadline: of round 1), for a `frame`: the summary's definition, for the reminders too."""
    due = due_rounds(catalog, now, tz)
    return _on_track(_per_agency_round(df, catalog), agencies, [r.number for r in (due or catalog.rounds[:1])])


def order_agencies(agencies: Sequence[Agency]) -> list[Agency]:
    """The agencies that failed last year first (lowest score last, like the province's plan),
    then the others in the agencies tab's order."""
    failed = sorted((a for a in agencies if a.failed_2565), key=lambda a: -(a.score_2565 or 0))
    return failed + [a for a in agencies if not a.failed_2565]


def _province_block(df, per, n_agencies, n_track, rounds_text, due, opts: Options) -> SummaryBlock:
    total = len(df)
    submitted, valid, problems = int(df["submitted"].sum()), int(df["valid"].sum()), int(df["problem"].sum())
    due_numbers = [r.number for r in due]
    due_df = df[df["round"].isin(due_numbers)]
    rows = [
        (f"หน่วยงานที่ส่งและผ่านครบทุกข้อของ{rounds_text}", n_track, n_agencies, _pct(n_track, n_agencies)),
        (f"เทียบเป้าหมาย {opts.target_agencies} แห่ง", n_track, opts.target_agencies,
         _pct(n_track, opts.target_agencies)),
        ("ข้อที่ส่งแล้ว", submitted, total, _pct(submitted, total)),
        ("ข้อที่ผ่านเบื้องต้น", valid, total, _pct(valid, total)),
        ("ข้อที่ถึงกำหนดแล้ว ที่ผ่าน", int(due_df["valid"].sum()), len(due_df), _pct(int(due_df["valid"].sum()),
                                                                                    len(due_df))),
        ("ข้อที่ส่งแล้วแต่ยังไม่ผ่าน", problems, submitted, _pct(problems, submitted)),
        ("หน่วยงานในชีต", n_agencies, opts.expected_agencies, _pct(n_agencies, opts.expected_agencies)),
    ]
    unchecked = int(df["unchecked"].sum())
    if unchecked:  # not a failure of the agency's: said apart, where it is there at all
        rows.insert(6, (UNCHECKED_LABEL, unchecked, submitted, _pct(unchecked, submitted)))
    return SummaryBlock(TITLE_PROVINCE, ("รายการ", "จำนวน", "จาก", "ร้อยละ"), tuple(rows))


ROUND_HEADER = ("รอบ", "กำหนดส่ง", "เวลาที่เหลือ", "หน่วยงานครบ", "ทำบางส่วน", "ยังไม่เริ่ม", "ข้อทั้งหมด", "ส่งแล้ว",
                "ผ่าน", "ผ่าน %", "ผ่านทันกำหนด", "ผ่านหลังกำหนด", "ยังไม่ผ่าน")


def _rounds_block(df, per, catalog: Catalog, now: datetime, n_agencies: int, opts: Options) -> SummaryBlock:
    rows = []
    for r in catalog.rounds:
        p = per[per["round"] == r.number]
        x = df[df["round"] == r.number]
        states = p["state"].value_counts()
        items, valid = len(x), int(x["valid"].sum())
        rows.append((f"รอบที่ {r.number}", digits(thai_date(r.deadline), opts.thai_digits),
                     time_left(r, now, opts.thai_digits, opts.tz),
                     int(states.get("complete", 0)), int(states.get("partly", 0)), int(states.get("not_started", 0)),
                     items, int(x["submitted"].sum()), valid, _pct(valid, items), int(x["on_time"].sum()),
                     int(x["late"].sum()), items - valid))
    return SummaryBlock(TITLE_ROUNDS, ROUND_HEADER, tuple(rows))


def _district_of(a: Agency, province: Province) -> str:
    return a.district if province.has_district(a.district) else NO_DISTRICT


def _district_blocks(df, per, agencies, catalog: Catalog, on_track) -> list[SummaryBlock]:
    district = {a.code: _district_of(a, catalog.province) for a in agencies}
    names = list(catalog.province.districts) + ([NO_DISTRICT] if NO_DISTRICT in district.values() else [])
    df = df.assign(district=df["agency"].map(district))
    per = per.assign(district=per["agency"].map(district))
    numbers = [r.number for r in catalog.rounds]
    header = (("อำเภอ", "หน่วยงาน", "ครบทุกข้อที่ถึงกำหนด", "ส่งแล้ว (ข้อ)", "ผ่าน (ข้อ)", "ผ่าน %", "ทันกำหนด",
               "หลังกำหนด") + tuple(f"รอบ {n} ผ่าน %" for n in numbers))
    header2 = ("อำเภอ",) + tuple(f"รอบ {n} {s}" for n in numbers for s in ("ครบ", "บางส่วน", "ยังไม่เริ่ม"))

    def measures(label, codes):
        x = df[df["agency"].isin(codes)]
        valid = int(x["valid"].sum())
        row = [label, len(codes), sum(on_track[c] for c in codes), int(x["submitted"].sum()), valid,
               _pct(valid, len(x)), int(x["on_time"].sum()), int(x["late"].sum())]
        for n in numbers:
            y = x[x["round"] == n]
            row.append(_pct(int(y["valid"].sum()), len(y)))
        p = per[per["agency"].isin(codes)]
        row2 = [label]
        for n in numbers:
            states = p[p["round"] == n]["state"].value_counts()
            row2 += [int(states.get(s, 0)) for s in ("complete", "partly", "not_started")]
        return tuple(row), tuple(row2)

    rows, rows2 = [], []
    for name in names:
        a, b = measures(name, [c for c, dname in district.items() if dname == name])
        rows.append(a)
        rows2.append(b)
    a, b = measures("รวมจังหวัด", list(district))
    rows.append(a)
    rows2.append(b)
    first_round_col = 8
    chart = SummaryChart(title="ความก้าวหน้ารายอำเภอ แยกตามรอบ (ร้อยละของข้อที่ผ่าน)", category_column=0,
                         series_columns=tuple(range(first_round_col, first_round_col + len(numbers))),
                         row_count=len(names), y_title="ร้อยละ", y_max=100)
    return [SummaryBlock(TITLE_DISTRICTS, header, tuple(rows), chart),
            SummaryBlock(TITLE_DISTRICT_ROUNDS, header2, tuple(rows2))]


def _agency_block(df, per, ordered: Sequence[Agency], catalog: Catalog, due, baseline: Baseline | None) -> SummaryBlock:
    due_numbers = {r.number for r in due}
    sizes = {r.number: sum(1 for i in catalog.items if i.round == r.number) for r in catalog.rounds}
    header = (("ลำดับ", "รหัส", "หน่วยงาน", "อำเภอ", "กลุ่ม")
              + tuple(f"รอบ {n} ผ่าน (จาก {sizes[n]}{'' if n in due_numbers else ', ยังไม่ถึงกำหนด'})"
                      for n in sizes)
              + ("ไม่ผ่าน (ข้อ)", "ยังไม่ส่ง (ข้อ)", "ผ่าน %", f"คะแนน {catalog.previous_year}",
                 f"ระดับ {catalog.previous_year}", "เปลี่ยนแปลง (ข้อ)"))
    by_agency = df.groupby("agency").agg(valid=("valid", "sum"), problems=("problem", "sum"),
                                         submitted=("submitted", "sum"), items=("item", "size"))
    valid_round = per.set_index(["agency", "round"])["valid"]
    rows = []
    for n, a in enumerate(ordered, start=1):
        s = by_agency.loc[a.code] if a.code in by_agency.index else None
        valid = int(s["valid"]) if s is not None else 0
        items = int(s["items"]) if s is not None else 0
        trend = ""
        if baseline is not None:
            change = valid - int(baseline.valid.get(a.code, 0))
            trend = f"+{change}" if change > 0 else str(change)
        rows.append((n, a.code, a.name, a.district, failed_mark(catalog) if a.failed_2565 else "")
                    + tuple(int(valid_round.get((a.code, r), 0)) for r in sizes)
                    + (int(s["problems"]) if s is not None else 0,
                       items - int(s["submitted"]) if s is not None else 0,
                       _pct(valid, items),
                       a.score_2565 if a.score_2565 is not None else "", a.grade_2565, trend))
    return SummaryBlock(title_agencies(catalog), header, tuple(rows))


def _items_block(df, catalog: Catalog, due) -> SummaryBlock:
    due_numbers = {r.number for r in due}
    g = df.groupby("item").agg(problems=("problem", "sum"), missing=("submitted", lambda s: int((~s).sum())),
                               round=("round", "first"), number=("number", "first")).reset_index()
    g["overdue"] = g["missing"].where(g["round"].isin(due_numbers), 0)
    g = g[(g["problems"] > 0) | (g["overdue"] > 0)]
    g = g.sort_values(["problems", "overdue", "number"], ascending=[False, False, True]).head(TOP_ITEMS)
    rows = tuple((n, r.item, catalog.item(r.item).title, int(r.round), int(r.problems), int(r.overdue),
                  int(r.problems + r.overdue))
                 for n, r in enumerate(g.itertuples(index=False), start=1))
    return SummaryBlock(TITLE_ITEMS, ("อันดับ", "ข้อ", "หัวข้อ", "รอบ", "ส่งแล้วไม่ผ่าน (แห่ง)",
                                      "เลยกำหนดยังไม่ส่ง (แห่ง)", "รวมต้องแก้ (แห่ง)"), rows)


FOLLOWUP_HEADER = ("ลำดับ", "รหัส", "หน่วยงาน", "อำเภอ", "กลุ่ม", "ยังไม่ส่ง (ข้อ)", "ไม่ผ่าน (ข้อ)", "ข้อที่ยังไม่ส่ง",
                   "ข้อที่ไม่ผ่าน")


def followup_items(df: pd.DataFrame, ordered: Sequence[Agency]) -> list[tuple[Agency, list[tuple[str, str]]]]:
    """Agencies with items missing or not valid, with (item, status) of those items, in list order.
    Items the checker could not decide are left out, as the reminders leave them out: there is
    nothing for the agency to fix."""
    bad = df[~df["valid"] & ~df["unchecked"]].sort_values(["agency", "number"])
    by_agency = {code: list(zip(g["item"], g["status"])) for code, g in bad.groupby("agency")}
    return [(a, by_agency[a.code]) for a in ordered if by_agency.get(a.code)]


def followup_block(df: pd.DataFrame, ordered: Sequence[Agency], catalog: Catalog) -> SummaryBlock:
    rows = []
    for n, (a, items) in enumerate(followup_items(df, ordered), start=1):
        missing = [i for i, s in items if s == Status.EMPTY.value]
        failing = [f"{i} ({Status(s).label_th})" for i, s in items if s != Status.EMPTY.value]
        rows.append((n, a.code, a.name, a.district, failed_mark(catalog) if a.failed_2565 else "", len(missing),
                     len(failing), ", ".join(missing), ", ".join(failing)))
    meeting = f" (ประชุมติดตาม {thai_date(catalog.followup_meeting)})" if catalog.followup_meeting else ""
    return SummaryBlock(TITLE_FOLLOWUP + meeting, FOLLOWUP_HEADER, tuple(rows))


def baseline_from(history: pd.DataFrame, at: datetime, from_report: bool = True) -> Baseline:
    """The baseline of the trend column: valid items per agency in `history` (as of `at`)."""
    valid = history[history["status"].isin(VALID)].groupby("agency").size()
    return Baseline(at=at, valid={k: int(v) for k, v in valid.items()}, from_report=from_report)


def baseline_since(baseline: Baseline, tz: ZoneInfo = BANGKOK) -> str:
    """What the trend is counted from, truthfully: the last report, or a week earlier when no
    report was made (the summary claimed "the last report" of a date no report was made on)."""
    when = f"{thai_datetime(baseline.at.astimezone(tz))} น."
    if baseline.from_report:
        return f"นับจากรายงานครั้งก่อน {when}"
    return f"นับจาก {TREND_FALLBACK.days} วันก่อน ({when}) เนื่องจากยังไม่มีรายงานครั้งก่อน"


# ---------------------------------------------------------------- from history
TREND_FALLBACK = timedelta(days=7)


def baseline_for(hist, at: datetime) -> Baseline | None:
    """The trend's baseline: the last report before `at`, else a week before; None when the
    history does not reach back that far."""
    report = hist.last_report_before(at)
    when = report or (at - TREND_FALLBACK)
    first = hist.first_event_at()
    if first is None or when < first:
        return None
    return baseline_from(hist.as_of(when), when, from_report=report is not None)


def summary_at(hist, at: datetime, catalog: Catalog, agencies: Sequence[Agency], opts: Options, *,
               statuses: Mapping[RowKey, Status] | None = None, problems: Sequence[ReadProblem] = (),
               title: str | None = None, extra_heading: Sequence[str] = ()) -> Summary:
    """The summary as it stood at `at`, rebuilt from the history (`hist`: a History)."""
    at = at.astimezone(opts.tz)
    df = frame(statuses, agencies, catalog, hist.as_of(at), opts.tz, carry_unknown=True)
    return summary_from_frame(df, agencies, catalog, problems, at, opts, baseline_for(hist, at), title, extra_heading)


def snapshot_moment(rnd: Round, tz: ZoneInfo = BANGKOK) -> datetime:
    """The last moment of a round's deadline day: what its snapshot shows."""
    return last_moment(rnd.deadline, tz)


def snapshot_title(rnd: Round, thai_digits: bool = False) -> str:
    """Tab name of a round's snapshot, e.g. สรุปรอบ 1 (31 มกราคม 2566); at most 31 characters (xlsx)."""
    return digits(f"สรุปรอบ {rnd.number} ({thai_date(rnd.deadline, long=True)})", thai_digits)


def snapshot_summary(hist, rnd: Round, catalog: Catalog, agencies: Sequence[Agency], opts: Options) -> Summary:
    """A round's final snapshot: the summary at the end of its deadline day, saying when the sheet
    was last checked before then (what it shows is that check's)."""
    at = snapshot_moment(rnd, opts.tz)
    last = hist.last_check_by(at)
    when = f" (ตรวจเมื่อ {thai_datetime(last.astimezone(opts.tz))} น.)" if last is not None else ""
    return summary_at(hist, at, catalog, agencies, opts,
                      title=f"สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. {catalog.year} {catalog.province.title} "
                            f"ณ สิ้นวันกำหนดส่งรอบที่ {rnd.number}",
                      extra_heading=(f"ภาพนี้คำนวณจากผลการตรวจครั้งสุดท้ายก่อนสิ้นวันกำหนดส่ง{when} "
                                     "และจะไม่ถูกแก้ไขอีก",))


# ---------------------------------------------------------------- a deadline not (recently) recorded
def checked_since(rnd: Round, tz: ZoneInfo = BANGKOK) -> datetime:
    """The oldest check a final snapshot may rest on: 00:00 of the day before the deadline day. A
    worker down for days before the deadline had its last state presented as the deadline's."""
    return datetime.combine(rnd.deadline - timedelta(days=1), time(0), tzinfo=tz)


def recorded_by(hist, rnd: Round, tz: ZoneInfo = BANGKOK) -> bool:
    """Whether the sheet was checked and recorded on the round's deadline day or the day before:
    only then can its snapshot say what the sheet showed at the deadline and be final."""
    last = hist.last_check_by(snapshot_moment(rnd, tz))
    return last is not None and last >= checked_since(rnd, tz)


def complete_at_deadline(hist, rnd: Round, catalog: Catalog, agencies: Sequence[Agency],
                         tz: ZoneInfo = BANGKOK) -> int | None:
    """Agencies with every item of `rnd` valid at its snapshot moment, as its snapshot counts them
    (the history then, not today's links with their first-valid times); None when no check was
    recorded close enough to the deadline (the snapshot says so instead of counting)."""
    if not recorded_by(hist, rnd, tz):
        return None
    df = frame(None, agencies, catalog, hist.as_of(snapshot_moment(rnd, tz)), tz, carry_unknown=True)
    per = _per_agency_round(df, catalog)
    return int(((per["round"] == rnd.number) & (per["state"] == "complete")).sum())


def _unrecorded_why(first: datetime | None, last: datetime | None, tz: ZoneInfo) -> str:
    """Why a deadline has no record: the worker started after it, or stopped checking days before it."""
    if last is not None:
        return (f"ระบบตรวจครั้งสุดท้ายก่อนกำหนดส่งเมื่อ {thai_datetime(last.astimezone(tz))} น. "
                "และไม่ได้ตรวจในวันกำหนดส่งหรือวันก่อนหน้า")
    return "ระบบเริ่มบันทึก" + (f"เมื่อ {thai_datetime(first.astimezone(tz))} น. หลังกำหนดส่ง" if first is not None
                                 else "หลังกำหนดส่ง")


def provisional_title(rnd: Round, thai_digits: bool = False) -> str:
    """Tab name of a round's snapshot that has no record at its deadline (not final)."""
    return digits(f"สรุปรอบ {rnd.number} (ยังไม่ยืนยัน)", thai_digits)


def provisional_summary(hist, rnd: Round, catalog: Catalog, agencies: Sequence[Agency], opts: Options,
                        confirmed_at: datetime | None = None) -> Summary:
    """What can honestly be said of a deadline no sync checked the sheet close to (none before it, or
    the last one more than a day before): which of the round's items the sheet's "first submitted"
    times place before it (their status then is unknown), and that the rest is unknown, not
    missing. Final only when a coordinator confirms it (`confirmed_at`)."""
    d, tz = opts.thai_digits, opts.tz
    at = snapshot_moment(rnd, tz)
    first = hist.first_event_at()
    last = hist.last_check_by(at)
    submitted = {k for k, t in hist.first_submitted().items() if t is not None and t <= at}
    items = [i.code for i in catalog.items if i.round == rnd.number]
    rows, total_known = [], 0
    for n, a in enumerate(order_agencies(agencies), start=1):
        known = sum(1 for i in items if RowKey(a.code, i) in submitted)
        total_known += known
        rows.append((n, a.code, a.name, a.district, len(items), known, len(items) - known))
    heading = [
        f"สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. {catalog.year} {catalog.province.title} รอบที่ {rnd.number} "
        f"(กำหนดส่ง {thai_date(rnd.deadline)})",
        "ไม่มีบันทึกการตรวจ ณ วันกำหนดส่งรอบนี้: " + _unrecorded_why(first, last, tz)
        + " จึงไม่ทราบสถานะของแต่ละข้อ ณ วันกำหนดส่ง",
        "ตารางนี้นับเฉพาะข้อที่ชีตบันทึกเวลา \"ส่งครั้งแรกเมื่อ\" ไม่เกินวันกำหนดส่ง (ส่งแล้ว แต่ไม่ทราบผลการตรวจ ณ วันนั้น); "
        "ข้ออื่นคือไม่ทราบ ไม่ใช่ยังไม่ส่ง",
        (f"ผู้ประสานงานยืนยันภาพนี้เมื่อ {thai_datetime(confirmed_at.astimezone(tz))} น."
         if confirmed_at is not None else
         f"ยังไม่ใช่ผลสุดท้าย: ผู้ประสานงานยืนยันได้ด้วยคำสั่ง sheets-sync snapshot --confirm {rnd.number}"),
    ]
    block = SummaryBlock(
        f"รายหน่วยงาน รอบที่ {rnd.number}",
        ("ลำดับ", "รหัส", "หน่วยงาน", "อำเภอ", "ข้อในรอบ", "ส่งก่อนกำหนด (ตามเวลาส่งครั้งแรก)", "ไม่ทราบ"),
        tuple(rows))
    province = SummaryBlock(TITLE_PROVINCE, ("รายการ", "จำนวน"), (
        ("ข้อของรอบนี้ (ทุกหน่วยงาน)", len(items) * len(rows)),
        ("ส่งก่อนกำหนด (ตามเวลาส่งครั้งแรก)", total_known),
        ("ไม่ทราบ ณ วันกำหนดส่ง", len(items) * len(rows) - total_known)))
    blocks = (province, block)
    if d:
        blocks = tuple(SummaryBlock(digits(b.title, d), b.header, b.rows, b.chart) for b in blocks)
    return Summary(heading=tuple(digits(h, d) for h in heading), blocks=blocks)
