"""The gsheets backend with the real gspread and google-auth against the local Sheets API fake:
layout (protections, conditional formatting, frozen header, widths) and its idempotence, the
request budget on the full 59 x 43 sheet, faults and retries, the not-shared message, and
random agency edits between the worker's read and its write. Every check reads the fake's
stored spreadsheet back; nothing leaves 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import shutil
from datetime import datetime

import pytest

from sheets_sync.config.settings import Agency, load_config
from sheets_sync.core.clock import BANGKOK, FixedClock
from sheets_sync.core.errors import BackendError, ConfigError
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.pipeline.sync import sync
from sheets_sync.sheet import grid as g
from sheets_sync.sheet.gsheets import GSheetsBackend
from sheets_sync.sheet.gsheets_http import RetryPolicy
from sheets_sync.sheet.layout import (
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    SUMMARY_FROZEN_ROWS,
    TAB_AGENCIES,
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
    TABS,
    summary_look,
)
from tests.support.clocks import SteppingClock
from tests.support.fake_sheets import FakeSheets, write_credentials
from tests.support.sheets import Edits, apply_to_fake, is_write_time_read
from tests.support.summary_sample import summary

COORDINATOR = "coordinator@example.org"
URL_COL = [c.key for c in SUBMISSION_COLUMNS].index("url")
STATUS_COL = [c.key for c in SUBMISSION_COLUMNS].index("status")
EXPLANATION_COL = [c.key for c in SUBMISSION_COLUMNS].index("explanation")
WORKER_COLS = {i for i, c in enumerate(SUBMISSION_COLUMNS) if c.worker}



class NoChecker:
    """The network checker replaced: no URL gets a result (rows are judged 'unknown')."""

    def check_many(self, urls, progress=None):
        return {}

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def full_config():
    base = load_config("config/settings.yaml")
    agencies = tuple(Agency(code=f"lp{n:02d}", name=f"เทศบาลตำบลทดสอบ {n}", district="เมืองลำพูน",
                            type="เทศบาลตำบล", domains=(f"lp{n:02d}.go.th",)) for n in range(1, 60))
    return dataclasses.replace(base, agencies=agencies)


@pytest.fixture(scope="module")
def small_config():
    base = load_config("config/settings.yaml")
    return dataclasses.replace(base, agencies=base.agencies[:3])



def make_backend(fake, tmp_path, sid=None, policy=None, name="credentials.json", **kw):
    creds = write_credentials(tmp_path, fake, name=name)
    sid = sid or fake.create_spreadsheet(shared_with=[creds.email])
    fake.spreadsheet(sid).shared_with.add(creds.email)
    backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url, coordinators=(COORDINATOR,),
                             policy=policy or RetryPolicy(max_attempts=6, base=1.0, cap=8.0, max_total_s=60.0),
                             sleep=fake.time.sleep, clock=fake.time, timeout=kw.pop("timeout", 10), **kw)
    return backend, sid, creds


def fill_urls(fake, sid, every: int = 3) -> None:
    def edit(e: Edits) -> None:
        for i, row in enumerate(e.grid[1:], start=1):
            if i % every == 0:
                code, item = g.text(row[e.cols["agency"]]), g.text(row[e.cols["item"]])
                row_url = f"https://{code}.go.th/ita/{item.lower()}" if i % (every * 5) else "เว็บไซต์ของเทศบาล"
                while len(row) <= e.cols["url"]:
                    row.append(None)
                row[e.cols["url"]] = row_url
    apply_to_fake(fake, sid, edit)


def state(fake, sid):
    """Everything stored, to compare before/after."""
    ss = fake.snapshot(sid)
    return {s.title: (s.grid(), s.notes(), s.protected, s.conditional, s.frozen_rows, dict(s.column_px))
            for s in ss.sheets}


# ---------------------------------------------------------------- layout
def test_init_lays_out_protects_and_colours_and_is_idempotent(fake, tmp_path, small_config):
    backend, sid, creds = make_backend(fake, tmp_path)
    report = backend.ensure_layout(small_config.catalog, small_config.agencies)
    assert set(report.created_tabs) == set(TABS) and report.added_rows == 3 * 43
    ss = fake.spreadsheet(sid)
    assert [s.title for s in sorted(ss.sheets, key=lambda s: s.index)] == list(TABS)  # default Sheet1 removed

    sub = fake.sheet(sid, TAB_SUBMISSIONS)
    assert sub.frozen_rows == 1 and fake.sheet(sid, TAB_AGENCIES).frozen_rows == 1
    assert sub.column_px[URL_COL] == 60 * 7 + 14 and sub.column_px[0] == 16 * 7 + 14
    assert (sub.cell(0, 0) or {}).get("userEnteredFormat", {}).get("textFormat", {}).get("bold") is True

    # protections: every tab, editors = the service account + coordinators; on ส่ง URL only the agencies'
    # columns (URL and its explanation) are open
    for title in TABS:
        prs = fake.sheet(sid, title).protected
        assert len(prs) == 1, title
        assert set(prs[0]["editors"]["users"]) == {creds.email, COORDINATOR}
        assert not prs[0].get("warningOnly")
    open_ranges = sub.protected[0]["unprotectedRanges"]
    assert open_ranges == [{"sheetId": sub.sheet_id, "startRowIndex": 1, "startColumnIndex": c,
                            "endColumnIndex": c + 1} for c in (URL_COL, EXPLANATION_COL)]
    assert "unprotectedRanges" not in fake.sheet(sid, TAB_AGENCIES).protected[0]

    # conditional formatting: first, status greyed where the URL is not the one checked; then
    # one TEXT_EQ rule per status on the status column
    rules = sub.conditional
    stale = rules[0]["booleanRule"]
    checked_col = [c.key for c in SUBMISSION_COLUMNS].index("checked_url")
    url = f"${chr(65 + URL_COL)}2"  # a formula URL cell by its formula's text (=HYPERLINK shows a label)
    assert stale["condition"] == {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue":
        f'=NOT(EXACT(TRIM(CLEAN(SUBSTITUTE(IF(ISFORMULA({url}),FORMULATEXT({url}),{url}),CHAR(160)," "))),'
        f'TRIM(CLEAN(SUBSTITUTE(${chr(65 + checked_col)}2,CHAR(160)," ")))))'}]}
    assert stale["format"]["textFormat"] == {"strikethrough": True}
    assert sorted(r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules[1:]) == \
        sorted(s.label_th for s in Status)
    assert all(r["ranges"][0]["startColumnIndex"] == STATUS_COL and r["ranges"][0]["endColumnIndex"] == STATUS_COL + 1
               for r in rules)

    before = state(fake, sid)
    since = len(fake.log)
    again = backend.ensure_layout(small_config.catalog, small_config.agencies)
    assert again.created_tabs == () and again.added_rows == 0
    assert fake.count("write", since) == 0  # nothing to change: not even a request
    assert state(fake, sid) == before

    # a coordinator changes protections/rules by hand: init repairs without duplicating
    with fake.lock:
        sheet = fake.sheet(sid, TAB_SUBMISSIONS)
        sheet.conditional.pop()
        sheet.protected[0]["editors"]["users"].remove(COORDINATOR)
        sheet.frozen_rows = 0
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    assert state(fake, sid) == {k: v for k, v in before.items()} | {TAB_SUBMISSIONS: state(fake, sid)[TAB_SUBMISSIONS]}
    sheet = fake.sheet(sid, TAB_SUBMISSIONS)
    assert len(sheet.protected) == 1 and set(sheet.protected[0]["editors"]["users"]) == {creds.email, COORDINATOR}
    assert len(sheet.conditional) == len(Status) + 1 and sheet.frozen_rows == 1


def test_agencies_cannot_edit_outside_their_columns(fake, tmp_path, small_config):
    """The fake enforces protections like Google: a user who is not an editor may write the URL
    and explanation columns of ส่ง URL (below the header) and nothing else."""
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    agency, _, _ = make_backend(fake, tmp_path, sid=sid, name="agency.json")
    sheet_id = fake.sheet(sid, TAB_SUBMISSIONS).sheet_id

    def cell(col: int) -> dict:
        return {"updateCells": {"range": {"sheetId": sheet_id, "startRowIndex": 3, "endRowIndex": 4,
                                          "startColumnIndex": col, "endColumnIndex": col + 1},
                                "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                                "fields": "userEnteredValue"}}
    agency.http.batch_update(sid, {"requests": [cell(URL_COL)]})
    assert fake.sheet(sid, TAB_SUBMISSIONS).grid()[3][URL_COL] == "x"
    agency.http.batch_update(sid, {"requests": [cell(EXPLANATION_COL)]})
    assert fake.sheet(sid, TAB_SUBMISSIONS).grid()[3][EXPLANATION_COL] == "x"
    with pytest.raises(Exception) as refused:
        agency.http.batch_update(sid, {"requests": [cell(STATUS_COL)]})
    assert "protected" in str(refused.value)


# ---------------------------------------------------------------- budget
def test_full_sheet_sync_stays_within_the_request_budget(fake, tmp_path, full_config):
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(full_config.catalog, full_config.agencies)
    assert len(fake.sheet(sid, TAB_SUBMISSIONS).grid()) == 1 + 59 * 43 == 2538
    fill_urls(fake, sid)
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))

    since = len(fake.log)
    first = sync(full_config, backend, NoChecker(), clock)
    reads, writes = fake.count("read", since), fake.count("write", since)
    assert reads <= 3 and writes <= 2, (reads, writes)
    assert first.write.written == 59 * 43
    grid = fake.sheet(sid, TAB_SUBMISSIONS).grid()
    statuses = {g.text(r[STATUS_COL]) for r in grid[1:]}
    assert {Status.EMPTY.label_th, Status.UNKNOWN.label_th, Status.INVALID.label_th} <= statuses
    notes = fake.sheet(sid, TAB_SUBMISSIONS).notes()
    assert notes and all(c == URL_COL for (_, c) in notes)
    assert any("ตรวจ" in str(c) or c for r in fake.sheet(sid, TAB_SUMMARY).grid() for c in r)

    clock.advance(600)  # ten minutes later, nothing changed but the time
    since = len(fake.log)
    sync(full_config, backend, NoChecker(), clock)
    reads2, writes2 = fake.count("read", since), fake.count("write", since)
    assert reads2 <= 3 and writes2 <= 1, (reads2, writes2)
    body = fake.requests(since)[-1].body
    assert any(r.get("updateCells", {}).get("range", {}).get("sheetId") == fake.sheet(sid, TAB_SUMMARY).sheet_id
               for r in body["requests"])
    assert max(s.body_bytes for s in fake.log) < 10 * 1024 * 1024


def test_large_batches_are_split_and_still_land(fake, tmp_path, small_config):
    backend, sid, _ = make_backend(fake, tmp_path, max_batch_bytes=60_000)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    assert len(fake.sheet(sid, TAB_SUBMISSIONS).grid()) == 1 + 3 * 43
    assert all(s.body_bytes <= 60_000 for s in fake.requests() if s.op == "spreadsheets.batchUpdate")
    assert sum(1 for s in fake.requests() if s.op == "spreadsheets.batchUpdate") > 1


# ---------------------------------------------------------------- faults
def test_sync_completes_through_429_burst_5xx_timeout_and_token_failure(fake, tmp_path, small_config):
    policy = RetryPolicy(max_attempts=6, base=1.0, cap=8.0, max_total_s=60.0, jitter=0.5)
    # A timeout with room: with the suite on every core, a 0.5 s one was sometimes passed by an
    # ordinary request too, and one retry more was counted.
    backend, sid, _ = make_backend(fake, tmp_path, policy=policy, timeout=2.0)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    fill_urls(fake, sid)
    fake.inject("token", status=400, times=1)  # the first token request fails (RefreshError)
    backend.account.credentials.token = None
    backend.account.credentials.expiry = datetime(2000, 1, 1)
    fake.inject("read", status=429, times=3)
    fake.inject("write", status=503, times=2)
    fake.inject("write", status=500, times=1)
    fake.inject("read", status=None, delay=3.0, times=1)  # longer than the client's 2 s timeout
    report = sync(small_config, backend, NoChecker(), FixedClock())
    assert report.write.written == 3 * 43
    assert backend.retrier.retries == 1 + 3 + 3 + 1
    assert sum(fake.time.slept) <= policy.max_total_s * 4  # four calls retried, each within its bound
    assert all(s <= policy.cap * (1 + policy.jitter) for s in fake.time.slept)
    assert {g.text(r[STATUS_COL]) for r in fake.sheet(sid, TAB_SUBMISSIONS).grid()[1:]} >= {Status.UNKNOWN.label_th}


def test_quota_exhaustion_waits_for_the_next_minute(fake, tmp_path, small_config):
    fake.read_per_minute = 5
    backend, sid, _ = make_backend(fake, tmp_path,
                                   policy=RetryPolicy(max_attempts=8, base=10.0, cap=40.0, max_total_s=200.0))
    backend.ensure_layout(small_config.catalog, small_config.agencies)  # 3 reads (the last one anchors the rows)
    backend.read(small_config.catalog)  # 2 reads: the minute's quota is spent
    start = fake.time.now
    snap = backend.read(small_config.catalog)  # 429 RESOURCE_EXHAUSTED until the window moves on
    assert len(snap.rows) == 3 * 43
    assert any(s.status == 429 for s in fake.log) and fake.time.now - start >= 1
    assert fake.log[-1].status == 200


def test_a_sync_that_gives_up_leaves_the_sheet_unchanged_and_the_next_run_recovers(fake, tmp_path, small_config):
    policy = RetryPolicy(max_attempts=4, base=1.0, cap=4.0, max_total_s=20.0)
    backend, sid, _ = make_backend(fake, tmp_path, policy=policy)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    fill_urls(fake, sid)
    before = state(fake, sid)
    fake.inject("write", status=503, times=1000)
    start = fake.time.now
    with pytest.raises(BackendError) as gave_up:
        sync(small_config, backend, NoChecker(), FixedClock())
    assert gave_up.value.exit_code == 3 and "next run" in str(gave_up.value)
    assert fake.time.now - start <= policy.max_total_s
    assert sum(1 for s in fake.log if s.kind == "write" and s.status == 503) == policy.max_attempts
    assert state(fake, sid) == before
    fake.faults.clear()
    report = sync(small_config, backend, NoChecker(), FixedClock())
    assert report.write.written == 3 * 43
    assert state(fake, sid) != before


def test_unshared_or_missing_spreadsheet_names_the_service_account(fake, tmp_path, small_config):
    creds = write_credentials(tmp_path, fake)
    private = fake.create_spreadsheet(owner="someone@example.org")
    for sid in (private, "1NoSuchSpreadsheetAtAll0000"):
        backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url, sleep=fake.time.sleep, clock=fake.time)
        with pytest.raises(BackendError) as err:
            backend.read(small_config.catalog)
        assert err.value.exit_code == 3
        assert creds.email in str(err.value) and "Share" in str(err.value)
        assert "PRIVATE KEY" not in str(err.value)


def test_cli_exits_3_with_the_share_message(fake, tmp_path, capsys, caplog):
    from sheets_sync import cli

    creds = write_credentials(tmp_path, fake)
    sid = fake.create_spreadsheet(owner="someone@example.org")
    for name in ("agencies.yaml", "oit_items.yaml"):
        shutil.copy(f"config/{name}", tmp_path / name)
    text = open("config/settings.yaml", encoding="utf-8").read()
    text = text.replace("kind: xlsx", "kind: gsheets").replace('spreadsheet: ""', f'spreadsheet: "{sid}"')
    text = text.replace("credentials: credentials.json", f"credentials: {creds.path}")
    text = text.replace("api_endpoint: https://sheets.googleapis.com", f"api_endpoint: {fake.url}")
    (tmp_path / "settings.yaml").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        code = cli.main(["init", "--config", str(tmp_path / "settings.yaml")])
    assert code == 3, caplog.text
    assert creds.email in caplog.text + capsys.readouterr().err


def test_credentials_readable_by_others_warns_without_leaking_the_key(fake, tmp_path, caplog):
    creds = write_credentials(tmp_path, fake)
    creds.path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        GSheetsBackend("1abcdefghijklmnop", str(creds.path), api_endpoint=fake.url)
    assert "chmod 600" in caplog.text and "PRIVATE KEY" not in caplog.text
    with pytest.raises(BackendError):
        GSheetsBackend("1abcdefghijklmnop", str(tmp_path / "missing.json"), api_endpoint=fake.url)


@pytest.mark.parametrize("drop", [("private_key",), ("client_email", "token_uri"), ("private_key_id",)])
def test_a_key_without_its_fields_names_the_missing_ones(fake, tmp_path, drop):
    creds = write_credentials(tmp_path, fake)
    info = json.loads(creds.path.read_text())
    for name in drop:
        del info[name]
    creds.path.write_text(json.dumps(info))
    with pytest.raises(BackendError) as err:
        GSheetsBackend("1abcdefghijklmnop", str(creds.path), api_endpoint=fake.url)
    message = str(err.value)
    assert all(name in message for name in drop) and "missing" in message
    kept = [f for f in ("client_email", "private_key", "private_key_id", "token_uri") if f not in drop]
    assert not any(f"{name}," in message or message.rstrip(";").endswith(name) for name in kept)


def test_only_the_type_field_is_reported_as_missing_everything_else(fake, tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text('{"type": "service_account"}')
    path.chmod(0o600)
    with pytest.raises(BackendError) as err:
        GSheetsBackend("1abcdefghijklmnop", str(path), api_endpoint=fake.url)
    assert "missing client_email, private_key, private_key_id, token_uri" in str(err.value)


def test_a_malformed_spreadsheet_id_is_a_configuration_mistake(fake, tmp_path):
    creds = write_credentials(tmp_path, fake)
    with pytest.raises(ConfigError) as err:
        GSheetsBackend("not an id", str(creds.path), api_endpoint=fake.url)
    assert err.value.exit_code == 2


def test_spreadsheet_url_or_id_is_accepted(fake, tmp_path):
    creds = write_credentials(tmp_path, fake)
    url = "https://docs.google.com/spreadsheets/d/1AbC_dEf-1234567890xyz/edit#gid=0"
    assert GSheetsBackend(url, str(creds.path), api_endpoint=fake.url).spreadsheet_id == "1AbC_dEf-1234567890xyz"


# ---------------------------------------------------------------- concurrent agency edits
def _random_edits(rng: random.Random, changed: dict):
    def edit(e: Edits) -> None:
        for _ in range(rng.randint(1, 4)):
            what = rng.choice(("sort", "insert", "delete", "url"))
            body = len(e.grid) - 1
            if what == "sort":
                col = rng.choice([e.cols["item"], e.cols["agency"], e.cols["url"], e.cols["item_title"]])
                e.reorder(lambda row: g.text(g.cell(row, col)), reverse=rng.random() < 0.5)
            elif what == "insert":
                e.insert(rng.randint(1, body + 1), ["" for _ in e.grid[0]])
            elif what == "delete" and body > 1:
                e.delete(rng.randint(1, body))
            else:
                rows = [r for r in e.grid[1:] if g.text(g.cell(r, e.cols["agency"]))]
                row = rng.choice(rows)
                key = RowKey(g.text(row[e.cols["agency"]]), g.text(row[e.cols["item"]]))
                new = f"https://edited.go.th/{rng.randint(0, 10 ** 6)}"
                while len(row) <= e.cols["url"]:
                    row.append(None)
                row[e.cols["url"]] = new
                changed[key] = new
    return edit


@pytest.mark.slow
@pytest.mark.timeout(600)  # 100 syncs: ~25 s alone, over the default 120 s on a loaded machine
def test_random_agency_edits_between_read_and_write_never_misplace_a_verdict(tmp_path, small_config):
    t = SteppingClock()
    with FakeSheets(clock=t, read_per_minute=10 ** 6, write_per_minute=10 ** 6) as fake:
        fake.time = t
        backend, sid, _ = make_backend(fake, tmp_path)
        backend.ensure_layout(small_config.catalog, small_config.agencies)
        fill_urls(fake, sid, every=2)
        rng = random.Random(20230120)
        misplaced = agency_writes = stale_total = 0
        for round_no in range(100):
            if round_no % 20 == 0:
                backend.ensure_layout(small_config.catalog, small_config.agencies)  # deleted rows come back
            snap = backend.read(small_config.catalog)
            changed: dict[RowKey, str] = {}
            after_edit: dict[str, list] = {}

            def agencies_edit(fake_, edit=_random_edits(rng, changed)):
                apply_to_fake(fake_, sid, edit)
                after_edit["grid"] = fake_.sheet(sid, TAB_SUBMISSIONS).grid()

            fake.before_next(lambda s: is_write_time_read(s, sid), agencies_edit)
            mark = f"r{round_no}"
            verdicts = [Verdict(key=r.key, url_text=r.url_text, status=Status.WARNING, checked_at=None,
                                detail=f"{mark}|{r.key}|{r.url_text}", note_th=f"{mark}|{r.key}")
                        for r in snap.rows if rng.random() < 0.5]
            report = backend.write_results(verdicts)
            backend.flush()  # the notes are held for the summary's batch
            stale_total += len(report.stale)
            assert set(report.stale) <= set(changed)
            grid = fake.sheet(sid, TAB_SUBMISSIONS).grid()
            notes = fake.sheet(sid, TAB_SUBMISSIONS).notes()
            header = grid[0]
            cols = g.columns(header, SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
            for i, row in enumerate(grid[1:], start=1):
                key = f"{RowKey(g.text(g.cell(row, cols['agency'])), g.text(g.cell(row, cols['item'])))}"
                detail = g.text(g.cell(row, cols["detail"]))
                if detail.startswith(mark + "|"):
                    _, k, url = detail.split("|", 2)
                    misplaced += k != key or url != g.url_cell_text(g.cell(row, cols["url"]))
                    misplaced += notes.get((i, cols["url"])) != f"{mark}|{key}"
            # agency cells are exactly what the agencies left
            edited = after_edit["grid"]
            people = [i for i in range(len(header)) if i not in WORKER_COLS]
            for before_row, after_row in zip(edited, grid):
                agency_writes += [g.cell(before_row, c) for c in people] != [g.cell(after_row, c) for c in people]
            agency_writes += len(edited) != len(grid)
        assert misplaced == 0 and agency_writes == 0
        assert stale_total > 0  # the interleavings did hit rows whose URL changed


# ---------------------------------------------------------------- fake semantics the backend relies on
def test_fake_batch_update_is_atomic_and_rejects_unknown_requests(fake, tmp_path, small_config):
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    before = state(fake, sid)
    sheet_id = fake.sheet(sid, TAB_SUBMISSIONS).sheet_id
    good = {"updateCells": {"range": {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 8,
                                      "endColumnIndex": 9}, "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                            "fields": "userEnteredValue"}}
    with pytest.raises(Exception) as err:
        backend.http.batch_update(sid, {"requests": [good, {"frobnicate": {}}]})
    assert err.value.response.status_code == 400
    assert err.value.response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert state(fake, sid) == before



def test_fake_reports_merges_when_asked_and_unmerges_as_google_does(fake, tmp_path, small_config):
    """The Sheets fake as Google answers: a sheet's `merges` in spreadsheets.get (without grid data
    too, as gspread's combine_merged_cells reads them), not when a fields mask leaves them out;
    unmergeCells undoes every merge inside its range, refuses one crossing a merge in part (the whole
    batch), and keeps the value of the first cell only."""
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    sheet = fake.sheet(sid, TAB_SUBMISSIONS)
    rng = {"sheetId": sheet.sheet_id, "startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": URL_COL,
           "endColumnIndex": URL_COL + 1}
    sheet.merges.append(dict(rng))

    def merges(**params):
        got = backend.http.fetch_sheet_metadata(sid, params=params)
        return [m for s in got["sheets"] for m in s.get("merges", [])]

    assert merges() == merges(fields="sheets(merges)") == [rng]
    assert merges(fields="sheets(properties)") == []
    before = state(fake, sid)
    with pytest.raises(Exception) as err:  # rows 2..3 only: the merge over rows 1..2 crossed in part
        backend.http.batch_update(sid, {"requests": [{"unmergeCells": {"range": dict(rng, startRowIndex=2, endRowIndex=4)}}]})
    assert err.value.response.status_code == 400 and state(fake, sid) == before
    assert fake.sheet(sid, TAB_SUBMISSIONS).merges == [rng]
    backend.http.batch_update(sid, {"requests": [{"unmergeCells": {"range": {"sheetId": sheet.sheet_id}}}]})
    assert merges() == [] and state(fake, sid) == before


# ---------------------------------------------------------------- tab ids that went stale since the read
def test_summary_is_rewritten_when_a_coordinator_deleted_its_tab_after_the_read(fake, tmp_path, small_config):
    """The summary is built on the tab ids from the read; Google refuses stale ids (400), so the
    backend reads the tab list again and recreates the tab instead of failing the run."""
    from sheets_sync.core.models import Summary, SummaryBlock

    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    backend.read(small_config.catalog)  # tab ids cached here
    ss = fake.spreadsheet(sid)
    ss.sheets = [s for s in ss.sheets if s.title != TAB_SUMMARY]  # deleted in the Sheets UI meanwhile
    backend.write_summary(Summary(heading=("สรุปใหม่",), blocks=(SummaryBlock("ตาราง", ("ก",), (("x",),)),)))
    rows = [[c for c in r if c not in (None, "")] for r in fake.sheet(sid, TAB_SUMMARY).grid()]
    assert [r for r in rows if r] == [["สรุปใหม่"], ["ตาราง"], ["ก"], ["x"]]


def test_snapshot_tab_created_by_someone_after_the_read_is_not_overwritten(fake, tmp_path, small_config):
    from sheets_sync.core.models import Summary

    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    backend.read(small_config.catalog)
    title = "สรุปรอบ 1 (31 มกราคม 2566)"
    assert backend.write_snapshot(title, lambda: Summary(heading=("ของผู้ประสานงาน",))) is True
    backend.read(small_config.catalog)
    backend._meta.pop(title)  # as if the tab appeared after this read (the cached list lacks it)
    assert backend.write_snapshot(title, lambda: Summary(heading=("ใหม่",))) is False
    assert fake.sheet(sid, title).grid()[0][0] == "ของผู้ประสานงาน"
    assert [s.title for s in fake.spreadsheet(sid).sheets].count(title) == 1


def test_summary_tab_gets_the_look_of_the_xlsx(fake, tmp_path, small_config):
    """Header rows formatted, the title lines frozen, widths from the content (as XlsxBook.format_summary);
    the formats of a previous layout are cleared when the blocks move."""
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    backend.write_summary(summary(extra_rows=2))
    backend.write_summary(summary())
    tab = fake.sheet(sid, TAB_SUMMARY)
    look = summary_look(summary())

    def fmt(r: int, c: int) -> dict:
        return (tab.cell(r, c) or {}).get("userEnteredFormat", {})

    assert fmt(0, 0)["textFormat"] == {"bold": True, "fontSize": 14}
    for r, width in look.header_rows:
        for c in range(width):
            f = fmt(r, c)
            assert f["textFormat"]["bold"] and f["wrapStrategy"] == "WRAP" and f["backgroundColor"]["blue"] > 0.9
        assert fmt(r, width) == {}  # only the block's own columns
    for r in look.title_rows:
        assert fmt(r, 0)["textFormat"]["bold"]
    assert fmt(6, 1) == {}  # a header row of the first layout: cleared when the blocks moved
    assert tab.frozen_rows == SUMMARY_FROZEN_ROWS
    assert [tab.column_px[c] for c in range(5)] == [w * 7 + 14 for w in look.widths]
    assert tab.cell(5, 3)["userEnteredValue"] == {"numberValue": 45.0}
    # an agency's formula text is sent as a string, which Google never evaluates
    assert tab.cell(11, 2)["userEnteredValue"] == {"stringValue": '=HYPERLINK("http://evil.example","x")'}


# ---------------------------------------------------------------- tabs by identity (issue 11)
def test_renamed_tabs_keep_working_init_makes_no_twin_and_look_alikes_stop(fake, tmp_path, small_config, caplog):
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    new_titles = {TAB_SUBMISSIONS: "ส่ง URL 2566", TAB_AGENCIES: "รายชื่อหน่วยงาน", TAB_SUMMARY: "สรุปผล"}
    with fake.lock:
        for old, new in new_titles.items():
            fake.sheet(sid, old).title = new
    since = len(fake.log)
    again = backend.ensure_layout(small_config.catalog, small_config.agencies)
    assert again.created_tabs == () and again.added_rows == 0
    assert not any("addSheet" in s.sub_requests for s in fake.requests(since))
    with caplog.at_level(logging.WARNING):
        report = sync(small_config, backend, NoChecker(), FixedClock())
        sync(small_config, backend, NoChecker(), FixedClock())
    assert report.rows == 3 * 43
    titles = [s.title for s in fake.spreadsheet(sid).sheets]
    assert not set(new_titles) & set(titles)  # no twin under an old title
    assert fake.sheet(sid, "สรุปผล").grid()[0][0].startswith("สรุปผล")  # the renamed summary was rewritten
    renames = [r for r in caplog.records if "renamed" in r.getMessage() and "ส่ง URL 2566" in r.getMessage()]
    assert len(renames) == 1  # reported once
    with fake.lock:  # someone makes a second tab under the old title
        fake.spreadsheet(sid).sheets.append(dataclasses.replace(fake.sheet(sid, "ส่ง URL 2566"), sheet_id=4242,
                                                                 title=TAB_SUBMISSIONS, index=9, row_meta={}))
    with pytest.raises(BackendError) as err:
        backend.read(small_config.catalog)
    assert "\n" not in str(err.value) and "ส่ง URL 2566" in str(err.value) and repr(TAB_SUBMISSIONS) in str(err.value)


# ---------------------------------------------------------------- the notes' batch, checked on its answer
class _Judge:
    """Stands in for the network: a URL containing "gone" is broken (a note), any other is ok."""

    def check_many(self, urls, progress=None):
        from sheets_sync.core.models import CheckResult

        return {u: CheckResult(url=u, status=Status.BROKEN if "gone" in u else Status.OK,
                               reasons=("http_4xx",) if "gone" in u else (), http_status=404 if "gone" in u else 200)
                for u in urls}

    def close(self) -> None:
        pass


def _url_cell(fake, sid, key: RowKey) -> tuple[str, str]:
    """(URL text, note on it) of `key`'s row, straight from the fake (nothing flushed)."""
    from tests.support.sheets import submissions_sheet

    tab = submissions_sheet(fake, sid)
    grid = tab.grid()
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    for r, row in enumerate(grid[1:], start=1):
        if (g.text(g.cell(row, cols["agency"])), g.text(g.cell(row, cols["item"]))) == (key.agency, key.item):
            return g.text(g.cell(row, cols["url"])), (tab.cell(r, cols["url"]) or {}).get("note", "")
    raise KeyError(key)


def _is_notes_batch(seen, sid) -> bool:
    return seen.op == "spreadsheets.batchUpdate" and sid in seen.path and isinstance(seen.body, dict) \
        and bool(seen.body.get("includeSpreadsheetInResponse"))


def test_a_note_is_not_left_on_a_url_replaced_after_its_verdict(fake, tmp_path, small_config):
    """The agency replaced its broken URL between the verdicts' write and the notes' batch: the old
    link's advice ("ตรวจว่าลิงก์ถูกต้อง") sat on the new link until the next run."""
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    key = RowKey(small_config.agencies[0].code, "O1")
    apply_to_fake(fake, sid, lambda e: e.set_url(key.agency, key.item, "https://www.lamphun.go.th/gone"))
    fake.before_next(lambda s: _is_notes_batch(s, sid),
                     lambda f: apply_to_fake(f, sid, lambda e: e.set_url(key.agency, key.item,
                                                                         "https://www.lamphun.go.th/fixed")))
    sync(small_config, backend, _Judge(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert _url_cell(fake, sid, key) == ("https://www.lamphun.go.th/fixed", "")


def test_a_chart_deleted_during_a_sync_does_not_cost_the_notes(fake, tmp_path, small_config):
    """Google refuses the summary batch (a chart id it names is gone); the retry on fresh ids used
    to drop the held notes: a broken URL showed no advice until the next run."""
    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
    sync(small_config, backend, _Judge(), clock)  # the summary tab and its charts exist
    assert fake.sheet(sid, TAB_SUMMARY).charts
    key = RowKey(small_config.agencies[0].code, "O1")
    apply_to_fake(fake, sid, lambda e: e.set_url(key.agency, key.item, "https://www.lamphun.go.th/gone"))
    fake.before_next(lambda s: _is_notes_batch(s, sid), lambda f: f.sheet(sid, TAB_SUMMARY).charts.clear())
    clock.advance(600)
    sync(small_config, backend, _Judge(), clock)
    url, note = _url_cell(fake, sid, key)
    assert url.endswith("/gone") and "ตรวจว่าลิงก์ถูกต้อง" in note


def test_a_sheet_shared_as_viewer_is_named_so(fake, tmp_path, small_config):
    """It was told "not found, or not shared: add it as an Editor" after reading fine: the share
    was there, only as Viewer."""
    backend, sid, creds = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    fake.spreadsheet(sid).viewers.add(creds.email)
    key = RowKey(small_config.agencies[0].code, "O1")
    apply_to_fake(fake, sid, lambda e: e.set_url(key.agency, key.item, "https://www.lamphun.go.th/gone"))
    with pytest.raises(BackendError) as e:
        sync(small_config, backend, _Judge(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert "shared as Viewer" in str(e.value) and creds.email in str(e.value) and "not shared" not in str(e.value)


def test_a_hyperlink_formula_cell_shows_its_current_verdict_as_current(fake, tmp_path, small_config):
    """=HYPERLINK("…","โครงสร้าง") shows its label; the rule compared that with the formula's text the
    worker writes in "URL ที่ตรวจ" and greyed the current verdict as pending on every run. The rule,
    as stored, is evaluated with the sheet functions as Google documents them."""
    from tests.sheet.test_xlsx_owned_cells import _sheet_functions

    class Formula(str):
        """A cell holding a formula: its value is what it shows (the label), `text` the formula."""

        def __new__(cls, shown: str, text: str) -> "Formula":
            cell = super().__new__(cls, shown)
            cell.text = text
            return cell

    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    key = RowKey(small_config.agencies[0].code, "O1")
    typed = '=HYPERLINK("https://www.lamphun.go.th/o1","โครงสร้าง")'
    apply_to_fake(fake, sid, lambda e: e.set_url(key.agency, key.item, typed))
    sync(small_config, backend, _Judge(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    rule = next(r for r in fake.sheet(sid, TAB_SUBMISSIONS).conditional
                if r["booleanRule"]["condition"]["type"] == "CUSTOM_FORMULA")
    formula = rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"].lstrip("=")
    grid = fake.sheet(sid, TAB_SUBMISSIONS).grid()
    cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
    row = next(r for r in grid[1:] if (r[cols["agency"]], r[cols["item"]]) == (key.agency, key.item))
    letters = {k: chr(65 + cols[k]) for k in ("url", "checked_url")}
    functions = _sheet_functions() | {"IF": lambda c, a, b: a if c else b, "ISFORMULA": lambda v: isinstance(v, Formula),
                                      "FORMULATEXT": lambda v: v.text}

    def stale(url_cell) -> bool:
        expression = formula.replace(f"${letters['url']}2", "url").replace(f"${letters['checked_url']}2", "checked")
        return eval(expression, {"__builtins__": {}}, functions | {"url": url_cell, "checked": row[cols["checked_url"]]})

    assert row[cols["checked_url"]] == typed
    assert stale(Formula("โครงสร้าง", typed)) is False
    assert stale(Formula("โครงสร้าง", typed.replace("/o1", "/o2"))) is True  # the agency edited the formula since


def test_merged_agency_cells_are_read_as_they_show(fake, tmp_path, small_config):
    """A coordinator merges an agency's 43 code cells into one (Format > Merge cells): Google gives
    the value to the first cell only, and the other 42 rows were unknown agencies whose verdicts
    were lost (the xlsx backend reads merges so already)."""
    from tests.support.sheets import submissions_sheet

    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    code = small_config.agencies[0].code
    apply_to_fake(fake, sid, lambda e: e.set_url(code, "O5", "https://www.lamphun.go.th/gone"))
    with fake.lock:
        tab = submissions_sheet(fake, sid)
        grid = tab.grid()
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
        rows = [r for r, row in enumerate(grid) if r and g.text(g.cell(row, cols["agency"])) == code]
        assert rows == list(range(rows[0], rows[0] + 43))
        for r in rows[1:]:  # as Google keeps a merge: the value in its first cell only
            tab.rows[r][cols["agency"]] = None
        tab.merges.append({"sheetId": tab.sheet_id, "startRowIndex": rows[0], "endRowIndex": rows[-1] + 1,
                           "startColumnIndex": cols["agency"], "endColumnIndex": cols["agency"] + 1})
    report = sync(small_config, backend, _Judge(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))
    assert report.problems == ()  # no unknown agency, no row missing
    grid = submissions_sheet(fake, sid).grid()
    o5 = next(row for row in grid[1:] if g.text(g.cell(row, cols["item"])) == "O5"
              and "gone" in g.text(g.cell(row, cols["url"])))
    assert g.text(g.cell(o5, cols["status"])) == Status.BROKEN.label_th


def test_merged_url_and_status_cells_are_unmerged_to_write_each_rows_verdict(fake, tmp_path, small_config):
    """An agency merges two URL cells (O1's over O2's), a coordinator two status cells (O2's over
    O3's), as the xlsx test of the same name does. Google keeps a merge's value in its first cell:
    O2's verdict went to hidden cells, its status showed grey "pending" forever (its URL cell,
    empty under the merge, never equalled the URL judged) and its note sat on a hidden cell. Each
    range is unmerged before the verdicts are written, each cell keeping the value it showed."""
    from tests.support.sheets import submissions_sheet

    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    code = small_config.agencies[0].code
    one, two, three = RowKey(code, "O1"), RowKey(code, "O2"), RowKey(code, "O3")
    apply_to_fake(fake, sid, lambda e: [e.set_url(code, "O1", "https://www.lamphun.go.th/gone"),
                                        e.set_url(code, "O3", "https://www.lamphun.go.th/o3")])
    with fake.lock:
        tab = submissions_sheet(fake, sid)
        grid = tab.grid()
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
        rows = {k: next(r for r, row in enumerate(grid) if r and (g.text(g.cell(row, cols["agency"])),
                                                                   g.text(g.cell(row, cols["item"]))) == k)
                for k in ((code, "O1"), (code, "O2"), (code, "O3"))}
        r1, r2, r3 = rows[(code, "O1")], rows[(code, "O2")], rows[(code, "O3")]
        assert (r2, r3) == (r1 + 1, r1 + 2)
        for r0, col in ((r1, cols["url"]), (r2, cols["status"])):
            tab.merges.append({"sheetId": tab.sheet_id, "startRowIndex": r0, "endRowIndex": r0 + 2,
                               "startColumnIndex": col, "endColumnIndex": col + 1})
    sync(small_config, backend, _Judge(), FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK)))

    tab = submissions_sheet(fake, sid)
    assert tab.merges == []
    grid = tab.grid()
    cell = lambda r, key: g.text(g.cell(grid[r], cols[key]))  # noqa: E731 - what each cell holds, merge or not
    # O2 showed O1's URL: it is judged so, and its cell now holds it, so its verdict reads as current
    assert cell(r2, "url") == cell(r2, "checked_url") == "https://www.lamphun.go.th/gone"
    assert [cell(r, "status") for r in (r1, r2, r3)] == [Status.BROKEN.label_th] * 2 + [Status.OK.label_th]
    assert _url_cell(fake, sid, two)[1] and _url_cell(fake, sid, two)[1] == _url_cell(fake, sid, one)[1]
    assert _url_cell(fake, sid, three)[1] == ""


def test_an_import_unmerges_merged_url_cells_to_write_each_rows_url(fake, tmp_path, small_config):
    """An agency merged its O1 and O2 URL cells, both empty; an import fills both. Google keeps a
    merge's value in its first cell: O2's URL went to a hidden cell, the sheet showed O1's over both
    rows, and the next sync judged O2 by O1's link. The range is unmerged first, as a verdict's write
    does (and the xlsx backend as it writes)."""
    from tests.support.sheets import submissions_sheet

    backend, sid, _ = make_backend(fake, tmp_path)
    backend.ensure_layout(small_config.catalog, small_config.agencies)
    code = small_config.agencies[0].code
    one, two = RowKey(code, "O1"), RowKey(code, "O2")
    with fake.lock:
        tab = submissions_sheet(fake, sid)
        grid = tab.grid()
        cols = g.columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=())
        r1 = next(r for r, row in enumerate(grid) if r and (g.text(g.cell(row, cols["agency"])),
                                                            g.text(g.cell(row, cols["item"]))) == (code, "O1"))
        tab.merges.append({"sheetId": tab.sheet_id, "startRowIndex": r1, "endRowIndex": r1 + 2,
                           "startColumnIndex": cols["url"], "endColumnIndex": cols["url"] + 1})
    urls = {one: "https://www.lamphun.go.th/o1", two: "https://www.lamphun.go.th/o2"}
    report = backend.write_urls({k: ("", u) for k, u in urls.items()})

    assert report.written == 2 and submissions_sheet(fake, sid).merges == []
    read = {r.key: r.url_text for r in backend.read(small_config.catalog).rows}
    assert {k: read[k] for k in urls} == urls
