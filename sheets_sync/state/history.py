"""The history of every (agency, item), kept in the shared SQLite state file.

After each successful write of verdicts the sync calls `History.record`: one event per row
whose URL text or status changed (and one the first time a row is seen), a row whose URL was
edited since its verdict (the sheet greys it as pending) as its new URL not yet checked. From the events any
moment can be rebuilt (`History.as_of`): the status of every row then, when it was first
submitted, first valid (`ok` or `warning`), when its URL last changed. That is what the
summary, the round snapshots and the governor's report are computed from, so they survive
restarts and a lost sheet.

Times are stored as UTC text of one fixed width, so they compare as text in SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

import pandas as pd

from sheets_sync.config.settings import Agency
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.state.store import State, register_schema

VALID = (Status.OK.value, Status.WARNING.value)

SCHEMA = """
CREATE TABLE IF NOT EXISTS history_item (
    agency TEXT NOT NULL,
    item TEXT NOT NULL,
    url_text TEXT NOT NULL,
    status TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '',
    first_seen_at TEXT NOT NULL,
    first_submitted_at TEXT,
    first_valid_at TEXT,
    url_changed_at TEXT,
    status_changed_at TEXT,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (agency, item)
);
-- The agency's explanation beside each URL (issue 14), as of the last sync: for the follow-up list.
CREATE TABLE IF NOT EXISTS history_explanation (
    agency TEXT NOT NULL,
    item TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (agency, item)
);
CREATE TABLE IF NOT EXISTS history_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency TEXT NOT NULL,
    item TEXT NOT NULL,
    at TEXT NOT NULL,
    url_changed INTEGER NOT NULL,
    status_changed INTEGER NOT NULL,
    url_text TEXT NOT NULL,
    status TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS history_event_key ON history_event (agency, item, at);
CREATE INDEX IF NOT EXISTS history_event_at ON history_event (at);
CREATE TABLE IF NOT EXISTS history_agency (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    district TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT '',
    score_2565 REAL,
    grade_2565 TEXT NOT NULL DEFAULT '',
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history_report (
    at TEXT PRIMARY KEY
);
-- The agencies tab's codes (a JSON list) from the sync at `at` on, written when the list changed: a
-- report as of any moment covers the agencies of that moment, not every agency ever seen.
CREATE TABLE IF NOT EXISTS history_agency_list (
    at TEXT PRIMARY KEY,
    codes TEXT NOT NULL
);
-- When each sync (or watch pass) recorded what the sheet showed, changed or not: a round's snapshot
-- says when the sheet was last checked before its deadline, and is not final when that is too old.
CREATE TABLE IF NOT EXISTS history_check (
    at TEXT PRIMARY KEY
);
"""
register_schema("history", SCHEMA)

FRAME_COLUMNS = ["agency", "item", "url_text", "status", "reasons", "first_submitted_at", "first_valid_at",
                 "url_changed_at", "status_changed_at", "decided_status"]
UNDECIDED = Status.UNKNOWN.value
# The reasons of a row recorded as not yet checked (`record(pending=...)`): its URL was edited since
# its verdict, which the sheet greys as pending. Not a reason code of the sheet: no check was made.
PENDING = "pending"


def _t(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("history times must be aware datetimes")
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dt(text: str | None, tz: ZoneInfo = BANGKOK) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).astimezone(tz)


@dataclass(frozen=True)
class Event:
    at: datetime
    url_changed: bool
    status_changed: bool
    url_text: str
    status: Status
    reasons: tuple[str, ...]


class History:
    """History tables on a `State`; the caller owns (opens and closes) the state."""

    def __init__(self, state: State, tz: ZoneInfo = BANGKOK) -> None:
        self.state = state
        self.tz = tz

    # ------------------------------------------------------------ writing
    def record(self, verdicts: Iterable[Verdict], now: datetime, agencies: Sequence[Agency] = (),
               explanations: Mapping[RowKey, str] | None = None,
               pending: Mapping[RowKey, str] | None = None) -> int:
        """Records what the sheet now shows for each verdict's row. Returns the events added.

        Pass only verdicts actually written (not the stale or missing ones). `explanations`: the agencies'
        explanation cells as read, kept (current value only) for the recorded rows. `pending`: rows given
        no verdict whose URL cell no longer holds the URL their verdict judged (edited while it was
        checked, or since), so the sheet greys that verdict as pending -> the URL text the cell holds:
        each is recorded as that URL not yet checked (unknown, reasons `PENDING`, no decided status), its
        old URL's verdict no longer the row's, and keeps the time it was last checked (the reminders wait
        for its check). A URL put back to the one the row's last verdict judged gets that verdict back,
        as the sheet shows it current again."""
        at = _t(now)
        added = 0
        with self.state.transaction() as db:
            db.execute("INSERT OR IGNORE INTO history_check (at) VALUES (?)", (at,))
            current = {(a, i): (u, s, fs, fv, r)
                       for a, i, u, s, fs, fv, r in db.execute(
                           "SELECT agency, item, url_text, status, first_submitted_at, first_valid_at, reasons "
                           "FROM history_item")}
            latest = {(v.key.agency, v.key.item): v for v in verdicts}  # one verdict per row: the last
            for key, v in latest.items():
                reasons = ",".join(v.reasons)
                status = v.status.value
                url = v.url_text or ""
                sheet_first = _t(v.first_submitted_at) if v.first_submitted_at else None
                if key not in current:
                    first_sub = min(filter(None, (sheet_first, at if url else None)), default=None)
                    db.execute(
                        "INSERT INTO history_item (agency, item, url_text, status, reasons, first_seen_at, "
                        "first_submitted_at, first_valid_at, url_changed_at, status_changed_at, checked_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        key + (url, status, reasons, at, first_sub, at if status in VALID else None,
                               at if url else None, at, at))
                    _event(db, key, at, bool(url), True, url, status, reasons)
                    added += 1
                    continue
                old_url, old_status, first_sub, first_valid, old_reasons = current[key]
                url_changed, status_changed = url != old_url, status != old_status
                # checked at last: the line of a row recorded as not yet checked gives way to its verdict
                judged_now = old_reasons == PENDING
                if url:
                    first_sub = min(filter(None, (first_sub, sheet_first, at)))
                if status in VALID and not first_valid:
                    first_valid = at
                db.execute(
                    "UPDATE history_item SET url_text=?, status=?, reasons=?, first_submitted_at=?, first_valid_at=?, "
                    "url_changed_at=CASE WHEN ? THEN ? ELSE url_changed_at END, "
                    "status_changed_at=CASE WHEN ? THEN ? ELSE status_changed_at END, checked_at=? "
                    "WHERE agency=? AND item=?",
                    (url, status, reasons, first_sub, first_valid, url_changed, at, status_changed, at, at) + key)
                if url_changed or status_changed or judged_now:
                    _event(db, key, at, url_changed, status_changed, url, status, reasons)
                    added += 1
            for key, url in (pending or {}).items():
                key = (key.agency, key.item)
                if key not in latest:
                    added += _record_pending(db, key, url, at, current.get(key))
            for key in latest if explanations is not None else ():
                text = explanations.get(RowKey(*key), "")
                db.execute("INSERT INTO history_explanation (agency, item, text, at) VALUES (?,?,?,?) "
                           "ON CONFLICT(agency, item) DO UPDATE SET text=excluded.text, at=excluded.at",
                           key + (text, at))
            if agencies:
                _record_agency_list(db, at, [a.code for a in agencies])
            for position, a in enumerate(agencies):
                db.execute(
                    "INSERT INTO history_agency (code, position, name, district, type, score_2565, grade_2565, seen_at) "
                    "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET position=excluded.position, "
                    "name=excluded.name, district=excluded.district, type=excluded.type, "
                    "score_2565=excluded.score_2565, grade_2565=excluded.grade_2565, seen_at=excluded.seen_at",
                    (a.code, position, a.name, a.district, a.type, a.score_2565, a.grade_2565, at))
        return added

    def record_report(self, at: datetime) -> None:
        """Notes that the governor's report was made at `at` (the summary's trend compares to it)."""
        with self.state.transaction() as db:
            db.execute("INSERT OR IGNORE INTO history_report (at) VALUES (?)", (_t(at),))

    # ------------------------------------------------------------ reading
    def last_report_before(self, at: datetime) -> datetime | None:
        """The last report made before the day of `at` (in the history's time zone). Reports of
        the same day are one report's previews and reprints: an HTML preview, then the PDF for the
        governor, showed "เปลี่ยนแปลง 0 แห่ง" since a report of the same minute."""
        day = at.astimezone(self.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        row = self.state.db.execute("SELECT max(at) FROM history_report WHERE at < ?", (_t(day),)).fetchone()
        return _dt(row[0], self.tz) if row and row[0] else None

    def last_check_by(self, at: datetime) -> datetime | None:
        """When the sheet was last checked and recorded at or before `at`: the last sync or watch pass,
        or, in a state file from before checks were noted, the last recorded change."""
        cutoff = _t(at)
        row = self.state.db.execute(
            "SELECT max(t) FROM (SELECT max(at) AS t FROM history_check WHERE at <= ? "
            "UNION ALL SELECT max(at) FROM history_event WHERE at <= ?)", (cutoff, cutoff)).fetchone()
        return _dt(row[0], self.tz) if row and row[0] else None

    def check_times(self, items: Sequence[str]) -> dict[str, tuple[datetime, datetime]]:
        """Agency code -> (oldest, newest) of the times its rows of `items` were last judged (a sync
        judges every row, a watch pass the rows that changed); agencies never recorded are left out."""
        if not items:
            return {}
        rows = self.state.db.execute(
            f"SELECT agency, min(checked_at), max(checked_at) FROM history_item WHERE item IN "
            f"({','.join('?' * len(items))}) GROUP BY agency", list(items))
        return {code: (_dt(lo, self.tz), _dt(hi, self.tz)) for code, lo, hi in rows}

    def first_event_at(self) -> datetime | None:
        row = self.state.db.execute("SELECT min(at) FROM history_event").fetchone()
        return _dt(row[0], self.tz) if row and row[0] else None

    def judged_urls(self) -> dict[RowKey, str]:
        """The URL text each row's last recorded verdict judged: where the sheet's URL cell differs now,
        the verdict the sheet shows is about an earlier URL (pending a check). A row recorded as not
        yet checked (`PENDING`) is about the URL its last verdict judged; one never judged is left out."""
        db = self.state.db
        out = {}
        for a, i, u, r in db.execute("SELECT agency, item, url_text, reasons FROM history_item"):
            judged = _last_judged(db, (a, i)) if r == PENDING else (u, "", "")
            if judged is not None:
                out[RowKey(a, i)] = judged[0]
        return out

    def explanations(self) -> dict[RowKey, str]:
        """The agencies' explanations beside their URLs as of the last sync that wrote each row."""
        rows = self.state.db.execute("SELECT agency, item, text FROM history_explanation WHERE text != ''")
        return {RowKey(a, i): t for a, i, t in rows}

    def first_submitted(self) -> dict[RowKey, datetime]:
        """When a URL first appeared in each row, as far as the history knows."""
        rows = self.state.db.execute(
            "SELECT agency, item, first_submitted_at FROM history_item WHERE first_submitted_at IS NOT NULL")
        return {RowKey(a, i): _dt(t, self.tz) for a, i, t in rows}

    def events(self, key: RowKey) -> list[Event]:
        """Every recorded change of one row, oldest first."""
        rows = self.state.db.execute(
            "SELECT at, url_changed, status_changed, url_text, status, reasons FROM history_event "
            "WHERE agency=? AND item=? ORDER BY at, id", (key.agency, key.item))
        return [Event(_dt(at, self.tz), bool(uc), bool(sc), u, Status(s), tuple(r.split(",")) if r else ())
                for at, uc, sc, u, s, r in rows]

    def item(self, key: RowKey) -> dict | None:
        """The current line of one row: url_text, status, first_submitted_at, first_valid_at, ..."""
        cur = self.state.db.execute("SELECT * FROM history_item WHERE agency=? AND item=?", (key.agency, key.item))
        row = cur.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cur.description], row))
        for k in ("first_seen_at", "first_submitted_at", "first_valid_at", "url_changed_at", "status_changed_at",
                  "checked_at"):
            out[k] = _dt(out[k], self.tz)
        return out

    def agencies(self, at: datetime | None = None) -> tuple[Agency, ...]:
        """The agencies in the agencies tab as of `at` (default: the last sync), with their details as
        the last sync saw them. An agency removed from the tab (merged away) stayed in every report.
        Before the first recorded list: the first one; a state file from before these lists: every
        agency ever seen."""
        rows = self.state.db.execute("SELECT code, name, district, type, score_2565, grade_2565 FROM history_agency "
                                     "ORDER BY position, code")
        present = self._agency_list(at)
        return tuple(Agency(code=c, name=n, district=d, type=t, score_2565=s, grade_2565=g)
                     for c, n, d, t, s, g in rows if present is None or c in present)

    def _agency_list(self, at: datetime | None) -> set[str] | None:
        db = self.state.db
        row = _agency_list_at(db, _t(at)) if at is not None else None
        order = "ASC" if at is not None and row is None else "DESC"
        row = row or db.execute(f"SELECT codes FROM history_agency_list ORDER BY at {order} LIMIT 1").fetchone()
        return set(json.loads(row[0])) if row else None

    def as_of(self, at: datetime) -> pd.DataFrame:
        """One line per (agency, item) known at `at` (inclusive): the state the sheet was in then.

        Columns: agency, item, url_text, status, reasons, first_submitted_at, first_valid_at,
        url_changed_at, status_changed_at (aware datetimes in the history's time zone, or NaT),
        decided_status (the last status other than unknown recorded for the URL the row holds then,
        or None: what a check that could not decide leaves standing)."""
        cutoff = _t(at)
        ev = pd.read_sql_query(
            "SELECT agency, item, at, url_changed, url_text, status, reasons FROM history_event WHERE at <= ? "
            "ORDER BY agency, item, at, id", self.state.db, params=(cutoff,))
        if ev.empty:
            return pd.DataFrame(columns=FRAME_COLUMNS)
        sheet_first = pd.read_sql_query("SELECT agency, item, first_submitted_at AS sheet_first FROM history_item",
                                        self.state.db)
        keys = ["agency", "item"]
        last = ev.groupby(keys, sort=False).tail(1).set_index(keys)[["url_text", "status", "reasons"]]
        submitted = ev[ev["url_text"] != ""].groupby(keys)["at"].min().rename("first_seen_submitted")
        valid = ev[ev["status"].isin(VALID)].groupby(keys)["at"].min().rename("first_valid_at")
        url_changed = ev[ev["url_changed"] == 1].groupby(keys)["at"].max().rename("url_changed_at")
        status_ev = ev.copy()
        status_ev["prev"] = status_ev.groupby(keys)["status"].shift()
        status_changed = (status_ev[status_ev["status"] != status_ev["prev"]].groupby(keys)["at"].max()
                          .rename("status_changed_at"))
        df = last.join([submitted, valid, url_changed, status_changed, _decided(ev, keys)]).reset_index()
        df = df.merge(sheet_first, on=keys, how="left")
        # The sheet's own first-submitted time counts when it is not after the moment asked for
        # (history may have started after the agency typed its URL).
        df["first_submitted_at"] = [
            min(filter(None, (seen if isinstance(seen, str) else None,
                              sheet if isinstance(sheet, str) and sheet <= cutoff else None)), default=None)
            for seen, sheet in zip(df["first_seen_submitted"], df["sheet_first"])]
        for col in ("first_submitted_at", "first_valid_at", "url_changed_at", "status_changed_at"):
            df[col] = pd.to_datetime(df[col], format="%Y-%m-%dT%H:%M:%S.%fZ", utc=True).dt.tz_convert(self.tz)
        # A row not yet checked (its URL edited since its verdict) has nothing decided about its URL: the
        # sheet greys it as pending, whatever an earlier check of the same text once said.
        decided = df["decided_status"].astype(object)
        df["decided_status"] = decided.where(decided.notna() & (df["reasons"] != PENDING), None)
        return df[FRAME_COLUMNS]


def _event(db, key: tuple[str, str], at: str, url_changed: bool, status_changed: bool, url: str, status: str,
           reasons: str) -> None:
    """One line of `key`'s history at `at`: what the row then held and which of the two changed."""
    db.execute("INSERT INTO history_event (agency, item, at, url_changed, status_changed, url_text, status, reasons) "
               "VALUES (?,?,?,?,?,?,?,?)", key + (at, int(url_changed), int(status_changed), url, status, reasons))


def _last_judged(db, key: tuple[str, str]) -> tuple[str, str, str] | None:
    """(url_text, status, reasons) of the last verdict recorded for `key` (not a `PENDING` line), or None."""
    return db.execute("SELECT url_text, status, reasons FROM history_event WHERE agency=? AND item=? AND reasons != ? "
                      "ORDER BY at DESC, id DESC LIMIT 1", key + (PENDING,)).fetchone()


def _record_pending(db, key: tuple[str, str], url: str, at: str, current: tuple | None) -> int:
    """Records `key` as holding `url`, not yet checked (see `History.record`); returns the events added.
    Its check time, first valid time and the sheet's first-submitted time stay as they were."""
    if current is None:  # never recorded: first seen now, with a URL not yet checked
        db.execute(
            "INSERT INTO history_item (agency, item, url_text, status, reasons, first_seen_at, first_submitted_at, "
            "first_valid_at, url_changed_at, status_changed_at, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            key + (url, UNDECIDED, PENDING, at, at if url else None, None, at if url else None, at, at))
        _event(db, key, at, bool(url), True, url, UNDECIDED, PENDING)
        return 1
    old_url, old_status, first_sub, _, old_reasons = current
    judged = _last_judged(db, key)
    url_now, status, reasons = judged if judged is not None and judged[0] == url else (url, UNDECIDED, PENDING)
    if (url_now, status, reasons) == (old_url, old_status, old_reasons):
        return 0
    url_changed, status_changed = url_now != old_url, status != old_status
    if url_now:
        first_sub = min(filter(None, (first_sub, at)))
    db.execute(
        "UPDATE history_item SET url_text=?, status=?, reasons=?, first_submitted_at=?, "
        "url_changed_at=CASE WHEN ? THEN ? ELSE url_changed_at END, "
        "status_changed_at=CASE WHEN ? THEN ? ELSE status_changed_at END WHERE agency=? AND item=?",
        (url_now, status, reasons, first_sub, url_changed, at, status_changed, at) + key)
    _event(db, key, at, url_changed, status_changed, url_now, status, reasons)
    return 1


def _agency_list_at(db, at: str):
    """The row (codes,) of the agencies' list in force at `at` (stored time text), or None."""
    return db.execute("SELECT codes FROM history_agency_list WHERE at <= ? ORDER BY at DESC LIMIT 1", (at,)).fetchone()


def _record_agency_list(db, at: str, codes: list[str]) -> None:
    """Notes the agencies tab's codes at `at` when they differ from the list in force then."""
    row = _agency_list_at(db, at)
    if row is None or set(json.loads(row[0])) != set(codes):
        db.execute("INSERT OR REPLACE INTO history_agency_list (at, codes) VALUES (?, ?)",
                   (at, json.dumps(codes, ensure_ascii=False)))


def _decided(ev: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Per row, the last decided status (not unknown) among the events of the URL text the row
    holds at the end of `ev`: a site that did not answer for a moment leaves that verdict standing,
    while a verdict about an earlier URL says nothing of the new one."""
    current = ev.groupby(keys, sort=False)["url_text"].transform("last")
    decided = ev[(ev["url_text"] == current) & (ev["status"] != UNDECIDED)]
    return decided.groupby(keys, sort=False).tail(1).set_index(keys)["status"].rename("decided_status")
