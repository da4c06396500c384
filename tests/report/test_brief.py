"""Page one's numbers (report/brief.py) from the fixed small history: who is on track, the change
since the last report, progress by round, the agencies at risk in the order the brief names them,
what is due next, the follow-up actions; and the brief's HTML."""

from __future__ import annotations

import pytest

from sheets_sync.report import brief as B
from sheets_sync.report import document as DOC
from sheets_sync.report import summary as S
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.history_fixture import (
    AGENCIES,
    CATALOG,
    REPORT_AT,
    A,
    C,
    D,
    bkk,
    fill,
)
from tests.support.history_fixture import B as AG_B

AS_OF = bkk(2023, 3, 3, 9, 30)
OPTS = S.Options(expected_agencies=5, target_agencies=3)


@pytest.fixture
def hist(tmp_path):
    with State(str(tmp_path / "state.sqlite")) as state:
        history = fill(History(state))
        # a sync on round 2's deadline day that changed nothing: the round's snapshot is final
        history.record([], bkk(2023, 2, 28, 18, 0))
        yield history


def brief_at(hist, at, since=REPORT_AT) -> B.Brief:
    df = S.frame(None, AGENCIES, CATALOG, hist.as_of(at), OPTS.tz)
    before = S.frame(None, AGENCIES, CATALOG, hist.as_of(since), OPTS.tz) if since else None
    by_deadline = {r.number: S.complete_at_deadline(hist, r, CATALOG, AGENCIES, OPTS.tz)
                   for r in S.due_rounds(CATALOG, at, OPTS.tz)}
    return B.build_brief(df, AGENCIES, CATALOG, at, OPTS, before, since, complete_by_deadline=by_deadline)


def test_headline_change_and_rounds(hist):
    b = brief_at(hist, AS_OF)
    assert (b.on_track, b.target, b.expected, b.total) == (1, 3, 5, 4)
    assert b.track_rounds == (1, 2) and b.yardstick_due
    # on 5 Feb A had rounds 1-2 incomplete (O3 came on 10 Feb): +1 since that report, same yardstick
    assert (b.change, b.change_since) == (1, REPORT_AT)
    assert [(r.number, r.due, r.complete_on_time, r.complete_now) for r in b.rounds] == [
        (1, True, 2, 2),  # A and B: O2 first valid at 23:59 on the deadline day is on time
        (2, True, 0, 1),  # A's O4 came on 1 March: complete now, but late
        (3, False, 0, 0)]


def test_at_risk_2565_failures_first_then_by_how_far_behind(hist):
    b = brief_at(hist, AS_OF)
    assert [(r.agency.code, r.valid, r.due_items, r.behind, r.problems) for r in b.at_risk] == [
        (C.code, 1, 4, 3, 1),  # failed in 2565 (84.0): first although others lack more
        (D.code, 0, 4, 4, 0),
        (AG_B.code, 2, 4, 2, 1)]
    assert b.failed_on_track == (A,)


def test_next_due_top_items_and_actions(hist):
    b = brief_at(hist, AS_OF)
    n = b.next_due
    assert (n.round.number, n.days, n.items, n.agencies_not_started, n.agencies_complete) == (3, 35, 1, 4, 0)
    assert [code for code, _, _ in b.top_items] == ["O3", "O4", "O2"]
    acts = b.actions
    assert acts[0].startswith("ให้คำปรึกษาอย่างเข้มข้น") and acts[0].endswith("1 แห่ง")
    assert "เพิ่มอีก 2 แห่ง จึงถึงเป้าหมาย 3 แห่ง" in acts[1]
    assert acts[2].startswith("2 แห่งส่งแล้วแต่ลิงก์ยังไม่ผ่าน")
    assert "O3 รายงานผลการดำเนินงานประจำปี (3 แห่ง)" in acts[3]
    assert acts[4] == "เตือนก่อนกำหนดส่งรอบที่ 3 (7 เม.ย. 2566): ยังไม่เริ่มส่ง 4 แห่ง"


def test_before_the_first_deadline_and_after_the_last(hist):
    early = brief_at(hist, bkk(2023, 1, 15, 9, 0), since=None)
    assert early.track_rounds == (1,) and not early.yardstick_due and early.change is None
    assert early.next_due.round.number == 1 and early.next_due.days == 16
    late = brief_at(hist, bkk(2023, 4, 10, 9, 0))
    assert late.next_due is None and late.on_track == 0
    assert late.actions[-1] == "เชิญหน่วยงานที่ยังไม่ครบเข้าประชุมให้คำปรึกษา 24 เม.ย. 2566"


def test_brief_html_names_the_agencies_with_their_2565_scores(hist):
    b = brief_at(hist, AS_OF)
    page = DOC.render_brief(b, "รายงาน", thai_digits=False)
    assert '<span class="n">1</span><span class="of"> / 3 / 5</span>' in page
    assert '<span class="up">+1 แห่ง</span>' in page and "รอบที่ 3 ภายใน 7 เมษายน 2566" in page and "(อีก 35 วัน)" in page
    rows = page[page.index('<table class="risk">'):]
    assert rows.index(C.name) < rows.index(D.name) < rows.index(AG_B.name)
    assert "<td class=\"num\">84.00</td><td>B</td>" in rows  # C's 2565 score and grade beside this year's
    assert page.count("<li>") == len(b.actions)
    thai = DOC.render_brief(b, "รายงาน", thai_digits=True)
    assert "๑ / ๓ / ๕" in thai.replace('</span><span class="of">', "")


def test_complete_by_a_deadline_no_check_came_close_to_is_not_counted(tmp_path):
    """No sync within a day of round 2's deadline (the last on 10 Feb): its snapshot is provisional, and
    the chart draws no "complete by the deadline" bar rather than the 10 Feb state as if it were then's."""
    with State(str(tmp_path / "state.sqlite")) as state:
        b = brief_at(fill(History(state)), AS_OF)
    assert [(r.number, r.complete_on_time) for r in b.rounds] == [(1, 2), (2, None), (3, 0)]
    between_labels = DOC.rounds_svg(b).split(">รอบที่ 2<")[0].split(">รอบที่ 1<")[-1]  # round 2's bars
    assert between_labels.count("<rect") == 1 and f'fill="{DOC.SERIES_COLOURS[0]}"' not in between_labels
