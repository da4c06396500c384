"""Page one of the governor's report: the brief that decides.

What the governor asks first, in the order asked: how many agencies are on track against the
province's target (50 of 59) and how that changed since the last report; progress by round; which
agencies are at risk (the ones that failed last year first, then the rest by how far behind they
are, each beside last year's score); what is due next and in how many days; what to do now.

Pure: the history's frame at a moment (summary.frame) + catalogue + agencies -> `Brief`; the HTML
of the page is in report/document.py. The numbers follow summary.py's definitions ("on track" =
every item of every round due so far valid; before the first deadline, round 1 is the yardstick).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Mapping, Sequence

import pandas as pd

from sheets_sync.config.settings import Agency, Catalog, Round
from sheets_sync.core.thai import thai_date
from sheets_sync.report import summary as S

MAX_AT_RISK = 20  # rows of the at-risk table that fit page one with the rest; the others are counted
TOP_ITEMS = 3


@dataclass(frozen=True)
class RoundProgress:
    """One bar group of the chart: agencies complete for a round by its deadline and now."""

    number: int
    deadline: date
    due: bool
    # every item of the round valid at the end of its deadline day, as the round's snapshot counts
    # them; None when nothing was recorded by then
    complete_on_time: int | None
    complete_now: int


@dataclass(frozen=True)
class AtRisk:
    """An agency not on track: items of the due rounds valid, out of how many."""

    agency: Agency
    valid: int
    due_items: int
    problems: int  # submitted but not valid (broken, invalid ...) among the due items
    unchecked: int = 0  # the checker could not decide them (a site not answering): not failures

    @property
    def behind(self) -> int:
        return self.due_items - self.valid


@dataclass(frozen=True)
class NextDue:
    round: Round
    days: int  # whole days from the report's date to the deadline day (0 = today is the last day)
    items: int  # items of the round
    agencies_not_started: int
    agencies_complete: int


@dataclass(frozen=True)
class Brief:
    at: datetime
    total: int  # agencies in the report
    expected: int  # agencies the province must have assessed (59)
    target: int  # agencies that must pass (50)
    on_track: int
    track_rounds: tuple[int, ...]
    yardstick_due: bool  # False before the first deadline: round 1 is the yardstick, not yet due
    change: int | None  # on-track now minus on-track at `change_since` (same yardstick)
    change_since: datetime | None
    rounds: tuple[RoundProgress, ...]
    at_risk: tuple[AtRisk, ...]  # every agency not on track, in the order the brief names them
    failed_on_track: tuple[Agency, ...]  # agencies that failed last year and are on track now
    year: int  # the catalogue's assessment year (2566)
    last_year: int  # the year before it, whose failures come first
    next_due: NextDue | None
    followup_meeting: date | None
    top_items: tuple[tuple[str, str, int], ...]  # (item, title, agencies to fix) most often failing
    actions: tuple[str, ...]


def _on_track(df: pd.DataFrame, agencies: Sequence[Agency], track: Sequence[int]) -> dict[str, bool]:
    x = df[df["round"].isin(track)]
    complete = x.groupby("agency")["valid"].all() if len(x) else pd.Series(dtype=bool)
    return {a.code: bool(complete.get(a.code, False)) for a in agencies}


def build_brief(df: pd.DataFrame, agencies: Sequence[Agency], catalog: Catalog, at: datetime, opts: S.Options,
                before: pd.DataFrame | None = None, before_at: datetime | None = None, *,
                complete_by_deadline: Mapping[int, int | None]) -> Brief:
    """The brief at `at` from the frame of that moment; `before` (the frame at `before_at`, the
    last report or the last deadline) gives the change of the headline; `complete_by_deadline`:
    round number -> agencies complete at the end of its deadline day (summary.complete_at_deadline),
    for the rounds due at `at`."""
    at = at.astimezone(opts.tz)
    agencies = tuple(agencies)
    due = S.due_rounds(catalog, at, opts.tz)
    track = [r.number for r in (due or catalog.rounds[:1])]
    on_track = _on_track(df, agencies, track)
    n_track = sum(on_track.values())
    change = None
    if before is not None and before_at is not None:
        change = n_track - sum(_on_track(before, agencies, track).values())

    rounds = []
    for r in catalog.rounds:
        x = df[df["round"] == r.number]
        g = x.groupby("agency")["valid"].all() if len(x) else None
        # By the deadline: what the round's snapshot counts. Today's links with their first-valid
        # times said otherwise once a link broke after the deadline (or was fixed again).
        rounds.append(RoundProgress(r.number, r.deadline, r in due,
                                    complete_by_deadline[r.number] if r in due else 0,
                                    int(g.sum()) if g is not None else 0))

    x = df[df["round"].isin(track)]
    per = x.groupby("agency").agg(valid=("valid", "sum"), items=("item", "size"), problems=("problem", "sum"),
                                  unchecked=("unchecked", "sum"))
    risk = []
    for a in agencies:
        if on_track[a.code]:
            continue
        s = per.loc[a.code] if a.code in per.index else None
        risk.append(AtRisk(a, *(int(s[k]) if s is not None else 0 for k in ("valid", "items", "problems",
                                                                            "unchecked"))))
    # Last year's failures first (the province's plan gives them intensive help), then by how far behind.
    order = {a.code: n for n, a in enumerate(agencies)}
    risk.sort(key=lambda r: (not r.agency.failed_2565, -r.behind, order[r.agency.code]))

    upcoming = [r for r in catalog.rounds if r not in due]
    next_due = None
    if upcoming:
        r = upcoming[0]
        y = df[df["round"] == r.number]
        g = y.groupby("agency").agg(sub=("submitted", "sum"), valid=("valid", "all")) if len(y) else None
        next_due = NextDue(r, (r.deadline - at.date()).days, sum(1 for i in catalog.items if i.round == r.number),
                           int((g["sub"] == 0).sum()) if g is not None else len(agencies),
                           int(g["valid"].sum()) if g is not None else 0)

    due_df = df[df["round"].isin(track)]
    bad = due_df[~due_df["valid"] & ~due_df["unchecked"]].groupby("item").size().sort_values(ascending=False, kind="stable")
    top = tuple((code, catalog.item(code).title, int(n)) for code, n in bad.head(TOP_ITEMS).items())

    brief = Brief(at=at, total=len(agencies), expected=opts.expected_agencies, target=opts.target_agencies,
                  on_track=n_track, track_rounds=tuple(track), yardstick_due=bool(due), change=change,
                  change_since=before_at if change is not None else None, rounds=tuple(rounds),
                  at_risk=tuple(risk), failed_on_track=tuple(a for a in agencies if a.failed_2565 and on_track[a.code]),
                  next_due=next_due, followup_meeting=catalog.followup_meeting, top_items=top, actions=(),
                  year=catalog.year, last_year=catalog.previous_year)
    return _with_actions(brief, df)


def _with_actions(b: Brief, df: pd.DataFrame) -> Brief:
    """The follow-up actions the numbers call for, most urgent first (the province's plan: intensive
    help for last year's failures, workshops on the items that fail most, a meeting after round 3)."""
    acts = []
    failed = [r for r in b.at_risk if r.agency.failed_2565]
    if failed:
        acts.append(f"ให้คำปรึกษาอย่างเข้มข้น (ลงพื้นที่/ประชุม) แก่หน่วยงานที่ไม่ผ่านปี {b.last_year} "
                    f"ซึ่งยังส่งไม่ครบ {len(failed)} แห่ง")
    short = b.target - b.on_track
    if short > 0:
        acts.append(f"ต้องมีหน่วยงานส่งครบเพิ่มอีก {short} แห่ง จึงถึงเป้าหมาย {b.target} แห่ง: "
                    f"แจ้งหน่วยงานที่ยังไม่ครบ {len(b.at_risk)} แห่ง ให้แก้ไขตามหมายเหตุในชีต")
    broken = sorted({r.agency.code for r in b.at_risk if r.problems})
    if broken:
        acts.append(f"{len(broken)} แห่งส่งแล้วแต่ลิงก์ยังไม่ผ่าน (เปิดไม่ได้ ไม่ใช่ข้อมูลปี {b.year} ฯลฯ): "
                    f"ให้ผู้ดูแลเว็บไซต์แก้ไข")
    unchecked = [r for r in b.at_risk if r.unchecked]
    if unchecked:
        acts.append(f"{sum(r.unchecked for r in unchecked)} ข้อของ {len(unchecked)} แห่งตรวจไม่ได้ชั่วคราว "
                    f"(เว็บไซต์ไม่ตอบขณะตรวจ ฯลฯ): ไม่นับว่าไม่ผ่าน ระบบจะตรวจใหม่ในรอบถัดไป")
    if b.top_items:
        acts.append("ชี้แจง/อบรมข้อที่ยังไม่ผ่านมากที่สุด: "
                    + ", ".join(f"{code} {title} ({n} แห่ง)" for code, title, n in b.top_items))
    if b.next_due is not None:
        n = b.next_due
        acts.append(f"เตือนก่อนกำหนดส่งรอบที่ {n.round.number} ({thai_date(n.round.deadline)}): "
                    f"ยังไม่เริ่มส่ง {n.agencies_not_started} แห่ง")
    elif b.followup_meeting is not None and b.followup_meeting >= b.at.date():
        acts.append(f"เชิญหน่วยงานที่ยังไม่ครบเข้าประชุมให้คำปรึกษา {thai_date(b.followup_meeting)}")
    if not acts:
        acts.append("ทุกหน่วยงานส่งครบตามกำหนด: ติดตามให้คงลิงก์ไว้จนผู้ประเมินตรวจเสร็จ")
    return replace(b, actions=tuple(acts))

