"""History in the state file: events per (agency, item), first submitted / first valid, as-of
queries, surviving restarts and a lost sheet; on-time vs late on both sides of a deadline."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.report.summary import deadline_end, frame, is_late
from sheets_sync.state.history import History
from sheets_sync.state.store import State
from tests.support.history_fixture import AGENCIES, CATALOG, A, B, C, D, bkk, fill, v


def test_events_record_url_and_status_changes_with_their_time(tmp_path):
    with State(tmp_path / "state.sqlite") as state:
        h = fill(History(state))
        events = h.events(RowKey(A.code, "O2"))
        assert [(e.at, e.url_changed, e.status_changed, e.status) for e in events] == [
            (bkk(2023, 1, 10, 9, 0), True, True, Status.BROKEN),
            (bkk(2023, 1, 31, 23, 59), True, True, Status.OK),
        ]
        assert events[0].reasons == ("http_4xx",)
        row = h.item(RowKey(A.code, "O2"))
        assert row["first_submitted_at"] == bkk(2023, 1, 10, 9, 0)
        assert row["first_valid_at"] == bkk(2023, 1, 31, 23, 59)
        assert row["url_changed_at"] == bkk(2023, 1, 31, 23, 59)
        assert row["url_text"] == "https://a.go.th/boss"
        # a row never submitted: one event (first seen), nothing submitted, never valid
        assert len(h.events(RowKey(D.code, "O1"))) == 1
        assert h.item(RowKey(D.code, "O1"))["first_submitted_at"] is None


def test_unchanged_rows_add_no_events(tmp_path):
    with State(tmp_path / "s.sqlite") as state:
        h = fill(History(state))
        before = state.db.execute("SELECT count(*) FROM history_event").fetchone()[0]
        assert h.record([v(A, "O1", "https://a.go.th/org", Status.OK)], bkk(2023, 3, 2, 9, 0), AGENCIES) == 0
        assert state.db.execute("SELECT count(*) FROM history_event").fetchone()[0] == before
        assert h.item(RowKey(A.code, "O1"))["checked_at"] == bkk(2023, 3, 2, 9, 0)


def test_status_of_every_row_as_of_any_time(tmp_path):
    with State(tmp_path / "s.sqlite") as state:
        h = fill(History(state))
        early = h.as_of(bkk(2023, 1, 31, 23, 58)).set_index(["agency", "item"])
        assert early.loc[(A.code, "O2"), "status"] == "broken"
        assert pd.isna(early.loc[(A.code, "O2"), "first_valid_at"])
        assert early.loc[(C.code, "O1"), "status"] == "empty"
        later = h.as_of(bkk(2023, 1, 31, 23, 59)).set_index(["agency", "item"])
        assert later.loc[(A.code, "O2"), "status"] == "ok"
        assert later.loc[(A.code, "O2"), "first_valid_at"] == bkk(2023, 1, 31, 23, 59)
        assert later.loc[(A.code, "O2"), "first_submitted_at"] == bkk(2023, 1, 10, 9, 0)
        assert len(h.as_of(bkk(2023, 1, 1))) == 0  # before any sync: nothing known
        assert len(later) == len(AGENCIES) * len(CATALOG.items)


def test_history_survives_restart_and_a_lost_sheet(tmp_path):
    path = tmp_path / "state.sqlite"
    with State(path) as state:
        fill(History(state))
    with State(path) as state:  # the worker restarted; the sheet was lost and rebuilt empty
        h = History(state)
        h.record([v(a, i.code, "", Status.EMPTY) for a in AGENCIES for i in CATALOG.items], bkk(2023, 3, 5, 9, 0),
                 AGENCIES)
        row = h.item(RowKey(A.code, "O2"))
        assert row["status"] == "empty" and row["url_text"] == ""
        assert row["first_valid_at"] == bkk(2023, 1, 31, 23, 59)  # kept
        assert row["first_submitted_at"] == bkk(2023, 1, 10, 9, 0)
        # the past is still there for reports and snapshots
        assert h.as_of(bkk(2023, 3, 4)).set_index(["agency", "item"]).loc[(A.code, "O4"), "status"] == "ok"
        assert [a.code for a in h.agencies()] == [a.code for a in AGENCIES]


def test_sheet_first_submitted_time_is_kept_when_earlier_than_history(tmp_path):
    from dataclasses import replace

    with State(tmp_path / "s.sqlite") as state:
        h = History(state)
        verdict = replace(v(B, "O5", "https://b.go.th/pdpa", Status.OK), first_submitted_at=bkk(2023, 1, 2, 8, 0))
        h.record([verdict], bkk(2023, 1, 10, 9, 0))
        assert h.item(RowKey(B.code, "O5"))["first_submitted_at"] == bkk(2023, 1, 2, 8, 0)
        df = h.as_of(bkk(2023, 1, 10, 9, 0)).set_index(["agency", "item"])
        assert df.loc[(B.code, "O5"), "first_submitted_at"] == bkk(2023, 1, 2, 8, 0)


def test_on_time_and_late_on_both_sides_of_the_deadline(tmp_path):
    deadline = CATALOG.round(1).deadline
    assert deadline_end(deadline) == bkk(2023, 2, 1, 0, 0)
    assert not is_late(bkk(2023, 1, 31, 23, 59), deadline)
    assert not is_late(bkk(2023, 1, 31, 23, 59, 59), deadline)
    assert is_late(bkk(2023, 2, 1, 0, 0), deadline)
    assert is_late(bkk(2023, 2, 1, 0, 1), deadline)
    # the same moments in UTC: 23:59 Bangkok is 16:59 UTC, on time; 00:01 is 17:01 UTC, late
    assert not is_late(datetime(2023, 1, 31, 16, 59, tzinfo=timezone.utc), deadline)
    assert is_late(datetime(2023, 1, 31, 17, 1, tzinfo=timezone.utc), deadline)
    with State(tmp_path / "s.sqlite") as state:
        h = fill(History(state))
        df = frame(None, AGENCIES, CATALOG, h.as_of(bkk(2023, 2, 3, 9, 0))).set_index(["agency", "item"])
        assert bool(df.loc[(A.code, "O2"), "on_time"]) and not bool(df.loc[(A.code, "O2"), "late"])  # 23:59
        assert bool(df.loc[(B.code, "O2"), "on_time"])  # warning at 23:59 is valid, on time
        assert bool(df.loc[(C.code, "O1"), "late"]) and not bool(df.loc[(C.code, "O1"), "on_time"])  # 00:01
        assert not bool(df.loc[(C.code, "O2"), "late"]) and not bool(df.loc[(C.code, "O2"), "on_time"])  # invalid


def test_first_valid_is_kept_when_a_valid_row_breaks_later(tmp_path):
    with State(tmp_path / "s.sqlite") as state:
        h = fill(History(state))
        h.record([v(A, "O1", "https://a.go.th/org", Status.BROKEN, "http_5xx")], bkk(2023, 2, 2, 9, 0))
        h.record([v(A, "O1", "https://a.go.th/org", Status.OK)], bkk(2023, 2, 4, 9, 0))
        df = h.as_of(bkk(2023, 2, 4, 9, 0)).set_index(["agency", "item"])
        assert df.loc[(A.code, "O1"), "first_valid_at"] == bkk(2023, 1, 10, 9, 0)
        assert df.loc[(A.code, "O1"), "status_changed_at"] == bkk(2023, 2, 4, 9, 0)
        assert df.loc[(A.code, "O1"), "url_changed_at"] == bkk(2023, 1, 10, 9, 0)
        statuses = [e.status for e in h.events(RowKey(A.code, "O1"))]
        assert statuses == [Status.OK, Status.BROKEN, Status.OK]
        assert h.last_report_before(bkk(2023, 3, 1)) == bkk(2023, 2, 5, 12, 0)
        assert h.last_report_before(bkk(2023, 2, 5, 12, 0)) is None
        assert h.first_event_at() == bkk(2023, 1, 10, 9, 0)


def test_the_last_report_is_one_of_an_earlier_day_not_a_preview_of_the_same_day(tmp_path):
    """An HTML preview at 10:00, then the PDF for the governor at 10:01: the PDF's "change since
    the last report" was measured against the preview, 0 everywhere."""
    with State(str(tmp_path / "s.sqlite")) as state:
        h = History(state)
        monday, preview = bkk(2023, 2, 20, 10, 0), bkk(2023, 2, 27, 10, 0)
        h.record_report(monday)
        h.record_report(preview)
        assert h.last_report_before(bkk(2023, 2, 27, 10, 1)) == monday
        assert h.last_report_before(bkk(2023, 2, 28, 8, 0)) == preview
        assert h.last_report_before(bkk(2023, 2, 20, 23, 59)) is None


def test_the_last_decided_status_is_kept_for_the_url_the_row_holds(tmp_path):
    """unknown (a site not answering) is not a decision: the last other status of the same URL is
    what stands; a new URL starts with none."""
    with State(tmp_path / "s.sqlite") as state:
        h = History(state)
        h.record([v(A, "O1", "https://a.go.th/org", Status.BROKEN, "http_4xx"),
                  v(B, "O1", "https://b.go.th/old", Status.OK)], bkk(2023, 1, 10, 9, 0), AGENCIES)
        h.record([v(A, "O1", "https://a.go.th/org", Status.UNKNOWN, "not_answering"),
                  v(B, "O1", "https://b.go.th/new", Status.UNKNOWN, "not_answering")], bkk(2023, 1, 11, 9, 0))
        df = h.as_of(bkk(2023, 1, 12)).set_index(["agency", "item"])
        assert df.loc[(A.code, "O1"), ["status", "decided_status"]].tolist() == ["unknown", "broken"]
        assert df.loc[(B.code, "O1"), ["status", "decided_status"]].tolist() == ["unknown", None]
        assert df.loc[(A.code, "O1"), "reasons"] == "not_answering"


def test_the_agency_list_of_any_moment(tmp_path):
    """An agency removed from the agencies tab (merged away) is not among the agencies after that
    sync, and still is as of a moment before it; a state file without lists knows every agency."""
    with State(tmp_path / "s.sqlite") as state:
        h = History(state)
        assert h.agencies() == ()
        h.record([v(A, "O1", "", Status.EMPTY)], bkk(2023, 1, 10, 9, 0))  # no agencies given: no list
        assert h.agencies() == ()
        h.record([], bkk(2023, 1, 20, 9, 0), AGENCIES)
        h.record([], bkk(2023, 2, 6, 9, 0), (A, B, C))
        h.record([], bkk(2023, 2, 7, 9, 0), (C, B, A))  # another order is the same list
        assert [a.code for a in h.agencies()] == [C.code, B.code, A.code]
        # in the order and with the details of the last sync; D where it last was
        assert [a.code for a in h.agencies(bkk(2023, 2, 5))] == [C.code, B.code, A.code, D.code]
        assert [a.code for a in h.agencies(bkk(2023, 2, 6, 9, 0))] == [C.code, B.code, A.code]
        assert [a.code for a in h.agencies(bkk(2023, 1, 1))] == [C.code, B.code, A.code, D.code]  # the first list
        assert state.db.execute("SELECT count(*) FROM history_agency_list").fetchone()[0] == 2
        state.db.execute("DELETE FROM history_agency_list")  # a state file from before the lists
        assert {a.code for a in h.agencies()} == {A.code, B.code, C.code, D.code}


def test_every_check_is_noted_even_when_nothing_changed(tmp_path):
    with State(tmp_path / "s.sqlite") as state:
        h = History(state)
        assert h.last_check_by(bkk(2023, 2, 1)) is None
        h.record([v(A, "O1", "https://a.go.th/org", Status.OK)], bkk(2023, 1, 10, 9, 0), AGENCIES)
        h.record([v(A, "O1", "https://a.go.th/org", Status.OK)], bkk(2023, 1, 30, 9, 0), AGENCIES)  # no event
        assert h.last_check_by(bkk(2023, 1, 31, 23, 59)) == bkk(2023, 1, 30, 9, 0)
        assert h.last_check_by(bkk(2023, 1, 20)) == bkk(2023, 1, 10, 9, 0)
        state.db.execute("DELETE FROM history_check")  # a state file from before checks were noted
        assert h.last_check_by(bkk(2023, 1, 31)) == bkk(2023, 1, 10, 9, 0)


def test_a_row_recorded_not_yet_checked_then_checked_with_no_answer_is_that_check(tmp_path):
    """O1's new link, edited while a sync checked the old one, is recorded not yet checked; the next
    sync checks it and its site does not answer (unknown, as before). That check is recorded: neither
    the URL nor the status changed from the "not yet checked" line, so no event was added and the
    history went on saying the row was never checked."""
    from sheets_sync.state.history import PENDING

    key = RowKey("a", "O1")
    with State(tmp_path / "state.sqlite") as state:
        h = History(state)
        h.record([Verdict(key, "https://a.go.th/old", Status.UNKNOWN, ("connect_error",))], datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
        h.record([], datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK), pending={key: "https://a.go.th/new"})
        assert h.as_of(datetime(2023, 1, 20, 10, 0, tzinfo=BANGKOK))["reasons"].tolist() == [PENDING]
        assert h.judged_urls() == {key: "https://a.go.th/old"}
        h.record([Verdict(key, "https://a.go.th/new", Status.UNKNOWN, ("connect_error",))], datetime(2023, 1, 20, 11, 0, tzinfo=BANGKOK))
        assert h.as_of(datetime(2023, 1, 20, 11, 0, tzinfo=BANGKOK))["reasons"].tolist() == ["connect_error"]
        assert h.judged_urls() == {key: "https://a.go.th/new"}
        assert [e.reasons for e in h.events(key)] == [("connect_error",), (PENDING,), ("connect_error",)]
