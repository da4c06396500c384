"""The command line as users run it: real subprocesses, real files, exit codes."""

from __future__ import annotations

import json
import os

import pytest
from openpyxl import load_workbook

from sheets_sync.sheet.layout import (
    TAB_AGENCIES,
    TAB_GUIDE,
    TAB_SUBMISSIONS,
    TAB_SUMMARY,
)
from tests.support import ROOT
from tests.support.cli import cli
from tests.support.http_servers import LoopbackServer, respond


def test_init_then_sync_on_the_embedded_workbook(workdir):
    first = cli(workdir, "init")
    assert first.returncode == 0, first.stderr
    book = workdir / "data" / "oit-2566.xlsx"
    assert set(load_workbook(book).sheetnames) == {TAB_SUBMISSIONS, TAB_SUMMARY, TAB_AGENCIES, TAB_GUIDE}
    done = cli(workdir, "sync")
    assert done.returncode == 0, done.stderr
    assert "2537 rows" in done.stdout
    wb = load_workbook(book)
    # the README's "Two commands" says which tabs `make run` leaves: the four, plus round snapshots
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = readme.split("`make run` leaves", 1)[1].split("\n\n", 1)[0]
    assert all(f"`{tab}`" in said for tab in (TAB_SUBMISSIONS, TAB_SUMMARY, TAB_AGENCIES, TAB_GUIDE))
    assert "สรุปรอบ N" in said
    assert "`_sheets_sync`" in said and wb["_sheets_sync"].sheet_state == "veryHidden"
    visible = {t for t in wb.sheetnames if wb[t].sheet_state == "visible"}
    extra = visible - {TAB_SUBMISSIONS, TAB_SUMMARY, TAB_AGENCIES, TAB_GUIDE}
    assert all(t.startswith("สรุปรอบ ") for t in extra), extra
    assert wb[TAB_SUBMISSIONS].max_row == 1 + 59 * 43 == 2538
    # the agencies whose data is not yet confirmed are visible in the agencies tab and counted in the summary
    header = [c.value for c in wb[TAB_AGENCIES][1]]
    confirm = header.index("ต้องยืนยัน")
    flagged = [row[1].value for row in wb[TAB_AGENCIES].iter_rows(min_row=2) if row[confirm].value]
    assert len(flagged) == 20 and "เทศบาลตำบลประตูป่า" in flagged
    assert any("ยังต้องยืนยัน 20 แห่ง" in str(row[0].value) for row in wb[TAB_SUMMARY].iter_rows(max_row=12))
    assert "20 agencies to confirm" in first.stdout
    assert wb[TAB_SUMMARY]["A1"].value.startswith("สรุปผลการตรวจ URL")
    # a coordinator clears one agency's ต้องยืนยัน in the tab: init counts the tab, not agencies.yaml
    agencies = wb[TAB_AGENCIES]
    next(row for row in agencies.iter_rows(min_row=2) if row[confirm].value)[confirm].value = None
    wb.save(book)
    again = cli(workdir, "init")
    assert again.returncode == 0 and "rows added 0" in again.stdout and "19 agencies to confirm" in again.stdout


def test_check_json_prints_one_object_per_url(workdir):
    with LoopbackServer({"/ok": respond(200, "ประกาศ 2566".encode()), "/missing": respond(404)}) as srv:
        out = cli(workdir, "check", "--json", srv.url("/ok"), srv.url("/missing"), "javascript:alert(1)")
    assert out.returncode == 5, out.stderr  # a broken and an invalid URL
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["status"], r["reasons"], r["http_status"]) for r in lines] == [
        ("ok", [], 200), ("broken", ["http_4xx"], 404), ("invalid", ["bad_scheme"], None)]
    for record in lines:
        assert set(record) >= {"url", "status", "reasons", "http_status", "final_url", "elapsed_ms", "message_th"}
    assert lines[1]["message_th"].startswith("• ")


def test_check_plain_shows_the_http_code_and_the_thai_note_one_line_per_url(workdir):
    from sheets_sync.core.reasons import REASONS

    with LoopbackServer({"/ok": respond(200, "ประกาศ 2566".encode()), "/missing": respond(404)}) as srv:
        out = cli(workdir, "check", srv.url("/ok"), srv.url("/missing"))
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stdout
    ok, missing = lines
    assert ok.split()[:3] == ["ok", "200", srv.url("/ok")]
    assert missing.split()[:4] == ["broken", "404", srv.url("/missing"), "http_4xx"]
    assert missing.endswith(REASONS["http_4xx"].note_th)


def test_a_duplicate_agency_code_is_named_with_its_rows_in_the_output_and_the_summary(workdir):
    assert cli(workdir, "init").returncode == 0
    book = workdir / "data" / "oit-2566.xlsx"
    wb = load_workbook(book)
    agencies = wb[TAB_AGENCIES]
    agencies.append([c.value for c in agencies[3]])  # a coordinator pastes row 3 again at the end
    duplicated, last = agencies.cell(3, 1).value, agencies.max_row
    wb.save(book)
    out = cli(workdir, "sync", timeout=180)  # a whole province's rows and snapshots: seconds, more on a busy box
    assert out.returncode == 0, out.stderr
    assert (f"  {TAB_AGENCIES} row {last}: duplicate_agency: agency code {duplicated} is in rows 3 and {last} "
            f"of {TAB_AGENCIES}; row {last} is ignored") in out.stdout.splitlines()
    summary = [[c.value for c in row] for row in load_workbook(book)[TAB_SUMMARY].iter_rows()]
    problem = next(r for r in summary if r[0] in (last, str(last)) and r[1] and duplicated in str(r[1]))
    assert f"แถว 3 และ {last}" in problem[1] and TAB_AGENCIES in problem[1]


def test_bad_config_exits_2_with_one_line(workdir):
    settings = workdir / "config" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  per_host: 4", "  per_hots: 4"),
                        encoding="utf-8")
    out = cli(workdir, "sync")
    assert out.returncode == 2
    assert "checker.per_hots: unknown key" in out.stderr


@pytest.mark.parametrize("option, value", [("--resolve", "badformat"), ("--allow-private", "10.0.0.0/99")])
def test_a_bad_resolve_or_allow_private_on_the_command_line_is_a_usage_error(workdir, option, value):
    # as in settings.yaml (exit 2); was an unexpected error (exit 1) at the first check
    out = cli(workdir, "check", option, value, "https://a.go.th/o1")
    assert out.returncode == 2 and f"argument {option}: {value!r}" in out.stderr


def test_output_read_only_in_part_is_no_error(workdir):
    """`sheets-sync check ... | head -c 10`: the reader stops reading; was "Google Sheets:
    BrokenPipeError" with exit 3."""
    import subprocess
    import sys

    from tests.support import ROOT

    proc = subprocess.Popen([sys.executable, "-m", "sheets_sync", "check", "--json", *[""] * 3000], cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"PYTHONPATH": str(ROOT)})
    proc.stdout.read(10)
    proc.stdout.close()  # the reader goes away with most of the output unread
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert "Google Sheets" not in err and "Traceback" not in err


def test_gsheets_without_a_spreadsheet_is_a_config_mistake_exit_2(workdir):
    settings = workdir / "config" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  kind: xlsx", "  kind: gsheets"),
                        encoding="utf-8")
    out = cli(workdir, "sync")
    assert out.returncode == 2, out.stderr
    assert "backend.spreadsheet: required with kind gsheets" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_workbook_exits_3_and_says_to_run_init(workdir):
    out = cli(workdir, "sync")
    assert out.returncode == 3
    assert "sheets-sync init" in out.stderr
    # the whole path and the working directory it is relative to: run from another folder, "run
    # init" made a second, empty workbook
    assert str(workdir / "data") in out.stderr and f"relative to the working directory {workdir}" in out.stderr


def test_corrupt_workbook_exits_3(workdir):
    (workdir / "data").mkdir()
    book = workdir / "data" / "oit-2566.xlsx"
    book.write_bytes(b"not a zip file")
    os.utime(book, (1, 1))  # damaged long ago: one changed just now is taken as still being copied
    out = cli(workdir, "sync")
    assert out.returncode == 3 and "cannot be read" in out.stderr and "move it away" in out.stderr


def test_unknown_agency_is_a_usage_error(workdir):
    assert cli(workdir, "init").returncode == 0
    out = cli(workdir, "sync", "--agency", "nobody")
    assert out.returncode == 2 and "nobody" in out.stderr


@pytest.mark.parametrize("command", [[], ["init"], ["sync"], ["check"]])
def test_help_on_each_command(workdir, command):
    out = cli(workdir, *command, "--help")
    assert out.returncode == 0 and "usage: sheets-sync" in out.stdout


# ---------------------------------------------------------------- check: the sync's rules, exit status
PAGE_2566 = "<html><head><title>O1</title></head><body><p>โครงสร้างหน่วยงาน ประจำปี 2566</p></body></html>".encode()


def test_check_exit_status_says_whether_any_url_failed(workdir):
    with LoopbackServer({"/ok": respond(200, PAGE_2566), "/old": respond(200, b"<html><body>"
                                                                              + "ข้อมูลปี 2565 ".encode() * 5
                                                                              + b"</body></html>"),
                         "/missing": respond(404), "/busy": respond(429)}) as srv:
        fine = cli(workdir, "check", srv.url("/ok"), srv.url("/old"), "   ")  # ok, warning, empty
        broken = cli(workdir, "check", srv.url("/ok"), srv.url("/missing"))
        invalid = cli(workdir, "check", srv.url("/ok"), "javascript:void(0)")
        unknown = cli(workdir, "check", srv.url("/ok"), srv.url("/busy"))
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert [line.split()[0] for line in fine.stdout.splitlines()] == ["ok", "warning", "empty"]
    assert (broken.returncode, invalid.returncode, unknown.returncode) == (5, 5, 6)
    assert "unknown" in unknown.stdout and "rate_limited" in unknown.stdout


def test_check_applies_the_sync_rules_that_need_no_agency(workdir):
    with LoopbackServer({"/": respond(200, PAGE_2566), "/index.php": respond(200, PAGE_2566)}) as srv:
        out = cli(workdir, "check", "--json", srv.url("/"), srv.url("/index.php"), srv.url("/index.php?_mod=a"),
                  "http://" + "a" * 2000 + ".go.th/")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["status"], r["reasons"]) for r in records] == [
        ("warning", ["homepage_only"]), ("warning", ["homepage_only"]),
        ("ok", []),  # false-positive guard: a CMS page behind index.php is a real page
        ("invalid", ["too_long"])]
    assert out.returncode == 5


def test_check_runs_without_config_on_built_in_defaults(tmp_path):
    assert not (tmp_path / "config").exists()
    with LoopbackServer({"/o1": respond(200, PAGE_2566)}) as srv:
        out = cli(tmp_path, "-v", "check", "--allow-private", "127.0.0.1/32", srv.url("/o1"), config=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:3] == ["ok", "200", srv.url("/o1")]
    assert "built-in default settings" in out.stderr
    quiet = cli(tmp_path, "check", "http://localhost/o1", config=False)
    assert quiet.stdout.split()[:4] == ["blocked", "-", "http://localhost/o1", "private_address"]
    assert quiet.returncode == 5 and "built-in" not in quiet.stderr


def test_check_with_a_missing_config_named_is_a_config_error(tmp_path):
    out = cli(tmp_path, "check", "https://x.go.th/a", config=True)  # --config config/settings.yaml, absent
    assert out.returncode == 2 and "settings.yaml" in out.stderr


def test_check_help_and_the_readme_document_the_exit_codes(workdir):
    from tests.support import ROOT

    out = cli(workdir, "check", "--help")
    assert "5 some URL broken, invalid or blocked" in " ".join(out.stdout.split())
    assert "6 none of those but some URL unknown" in " ".join(out.stdout.split())
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "**5** some URL is `broken`, `invalid` or `blocked`" in readme
    assert "**6**" in readme


def test_remind_without_a_mail_server_says_which_file_was_read_and_how_to_name_another(workdir):
    # A VM keeps its mail server in config/local.yaml; `remind --to` run without --config reads the
    # shipped settings.yaml, which has none: the line names that file and says what to do.
    out = cli(workdir, "remind", "--to", "me@example.org")
    assert out.returncode == 2, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert "config/settings.yaml: notify.smtp.host and notify.smtp.from_address are needed" in lines[0]
    assert "--config config/local.yaml" in lines[0] and "Reminders by e-mail" in lines[0]
    assert "remind --dry-run" in lines[0]
