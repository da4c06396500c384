"""`sheets-sync`: a thin command line over the library.

Exit codes: 0 the run completed (whatever the URLs' statuses), 1 anything unexpected,
2 bad config or usage, 3 the sheet or a local file (state file, lock, workbook folder) could not
be read or written (or, for `remind`, the mail server could not be reached or refused messages),
4 another run holds the lock, 7 a program the command needs is missing (Chromium for
`report --format pdf`). Every fault is one line on stderr; the traceback only with -v.
`check` also: 5 a URL is broken, invalid or blocked; 6 none is, but one could not be checked (unknown).
`remind` also: 8 reminders due now were held, not sent, because no sync has checked their rows since
`notify.send_at` (run a sync first).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from datetime import datetime

from sheets_sync import __version__
from sheets_sync.core.errors import SheetsSyncError, translate
from sheets_sync.core.redact import redact

log = logging.getLogger("sheets_sync")

# `check`'s verdict as an exit status, for scripts and CI (lychee and LinkChecker exit non-zero too).
EXIT_CHECK_FAILED = 5  # some URL is broken, invalid or blocked
EXIT_CHECK_UNKNOWN = 6  # none is, but some URL could not be checked now (unknown)
EXIT_REMIND_HELD = 8  # remind: reminders due were held (their rows not checked since send_at)


# One example block per command, shown by `sheets-sync COMMAND --help` (and checked by tests/cli).
EXAMPLES = {
    "init": ["sheets-sync init", "sheets-sync --config /etc/sheets-sync/settings.yaml init"],
    "sync": ["sheets-sync sync", "sheets-sync sync --agency abt-laoyao --dry-run", "sheets-sync sync --fresh"],
    "check": ["sheets-sync check https://www.lamphun.go.th/ita/o1.pdf",
              "sheets-sync check --json https://example.go.th/o10 https://example.go.th/o11"],
    "run": ["sheets-sync run", "sheets-sync run --once --log-format json"],
    "status": ["sheets-sync status"],
    "import": ["sheets-sync import --dry-run forms/*.xlsx", "sheets-sync import --agency abt-laoyao ita.csv"],
    "template": ["sheets-sync template --agency abt-laoyao --out ITA2566_abt-laoyao.xlsx"],
    "report": ["sheets-sync report --format pdf --out report.pdf",
               "sheets-sync report --format html --out report.html",
               "sheets-sync report --format xlsx --out report.xlsx --as-of 2023-02-28",
               "sheets-sync report --format csv --followup --out followup.csv"],
    "export": ["sheets-sync export --agency abt-laoyao --out itas/abt-laoyao.xlsx",
               "sheets-sync export --all --out itas --format csv"],
    "remind": ["sheets-sync remind --dry-run", "sheets-sync remind --to coordinator@lamphun.go.th",
               "sheets-sync remind"],
    "snapshot": ["sheets-sync snapshot --confirm 1"],
}


class _Formatter(argparse.HelpFormatter):
    """Wraps prose as argparse does, but keeps indented lines (the examples) as they are written."""

    def _fill_text(self, text, width, indent):
        return "\n".join(line if line.startswith("  ") or not line else super(_Formatter, self)._fill_text(
            line, width, indent) for line in text.splitlines())


def _examples(command: str) -> str:
    return "Examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])


def build_parser() -> argparse.ArgumentParser:
    # Accepted before or after the command; SUPPRESS keeps a subcommand's default from
    # overwriting a value given before it (`sheets-sync -q sync`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="settings file (default: config/settings.yaml)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="warnings and errors only")
    common.add_argument("--log-format", choices=("text", "json"), default=argparse.SUPPRESS,
                        help="log lines as readable text (default) or one JSON object per line")

    p = argparse.ArgumentParser(
        prog="sheets-sync", parents=[common],
        description="Checks the OIT URLs that agencies put in the shared sheet and writes the verdicts back.",
        formatter_class=_Formatter,
        epilog="Examples:\n  sheets-sync init\n  sheets-sync sync\n  sheets-sync COMMAND --help\n\n"
               "Exit codes: 0 done, 1 unexpected error, 2 bad config or usage, 3 sheet or a local file "
               "(state, lock, workbook folder) unreadable/unwritable (remind: mail server unreachable or "
               "refusing), 4 another run is active, 7 a needed program is missing (Chromium for report "
               f"--format pdf); check: {EXIT_CHECK_FAILED} a URL broken, invalid or blocked, "
               f"{EXIT_CHECK_UNKNOWN} a URL unknown; remind: {EXIT_REMIND_HELD} reminders held (no sync has "
               "checked their rows since notify.send_at: run a sync first).")
    p.add_argument("--version", action="version", version=f"sheets-sync {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kw) -> argparse.ArgumentParser:
        # Every command takes the common options and ends its help with its examples.
        return sub.add_parser(name, parents=[common], formatter_class=_Formatter, epilog=_examples(name), **kw)

    command("init", help="create or complete the workbook layout (safe to repeat)",
            description="Creates the tabs, adds agencies from agencies.yaml and one row per agency and "
                        "item that is missing. Never deletes or changes what agencies typed.")

    s = command("sync", help="check every URL and write verdicts and the summary",
                description="Reads the sheet, validates and checks every URL, writes status columns and "
                            "notes beside each URL, and rebuilds the summary tab.")
    s.add_argument("--dry-run", action="store_true", help="check and print, write nothing")
    s.add_argument("--agency", metavar="CODE", help="only this agency's rows (the summary still covers all)")
    s.add_argument("--fresh", action="store_true", help="check every URL now, ignoring results cached in the state file")

    c = sub.add_parser("check", parents=[common], formatter_class=_Formatter,
                       epilog=_examples("check") + f"\n\nExit codes: 0 every URL ok or warning (or empty), "
                              f"{EXIT_CHECK_FAILED} some URL broken, invalid or blocked, {EXIT_CHECK_UNKNOWN} none "
                              "of those but some URL unknown (could not be checked now), 1 unexpected error, "
                              "2 bad config or usage.",
                       help="check URLs given on the command line",
                       description="Validates and checks the given URLs (each argument is read like a sheet "
                                   "cell) with the same rules as sync, except those that need the agency "
                                   "(off_site, duplicate_in_agency); touches no sheet. Without --config and "
                                   "without config/settings.yaml here it uses the built-in defaults (-v says so).")
    c.add_argument("urls", nargs="+", metavar="URL", help="one or more URLs (or cell texts) to check")
    c.add_argument("--json", action="store_true", help="one JSON object per URL per line")
    c.add_argument("--item", metavar="CODE", help="judge the year as this item's rule asks (default: the "
                                                  "catalogue's year)")
    r = command("run", help="the worker: sync on a schedule until stopped",
                description="Syncs now, then every schedule.every_minutes (more often in the last days "
                            "before a round's deadline, never in quiet hours) until SIGTERM or SIGINT. "
                            "SIGHUP reloads the config. A failed run is logged and retried with backoff.")
    r.add_argument("--once", action="store_true", help="one run, then exit (for cron)")
    command("status", help="what the worker did last and when it runs next",
            description="Prints data/worker-status.json in plain words (times in Asia/Bangkok).")
    for parser in (s, c, r):
        parser.add_argument("--resolve", action="append", default=[], metavar="HOST:ADDR", type=_resolve_entry,
                            help="use ADDR for HOST without DNS, like curl --resolve (repeatable)")
        parser.add_argument("--allow-private", action="append", default=[], metavar="CIDR", type=_network,
                            help="let the private-address guard through to CIDR (repeatable; tests and demos)")

    im = command("import", help="merge URLs from agencies' Excel or CSV files into the sheet",
                 description="Reads .xlsx and .csv files (also Google Sheets exports), finds the item and URL "
                             "columns and the agency, and fills the agency's empty URL cells. A different URL "
                             "already in the sheet is reported, not replaced, unless --overwrite. Exit 2 when "
                             "a file or its agency cannot be identified.")
    im.add_argument("files", nargs="+", metavar="FILE", help=".xlsx or .csv files sent by agencies")
    im.add_argument("--agency", metavar="CODE", help="the agency the files belong to (otherwise read from the file)")
    im.add_argument("--dry-run", action="store_true", help="show what would be filled, write nothing")
    im.add_argument("--overwrite", action="store_true", help="replace URLs in the sheet that differ from the file")
    tp = command("template", help="write the Excel form for one agency",
                 description="Writes the province's .xlsx form for one agency (its items, rounds, deadlines, "
                             "a URL column, instructions in Thai); `import` reads it back.")
    tp.add_argument("--agency", metavar="CODE", required=True,
                    help="the agency's code, as in the agencies tab (e.g. abt-laoyao)")
    tp.add_argument("--out", metavar="FILE.xlsx", required=True, help="where to write the form")
    sn = command("snapshot", help="confirm a round's snapshot that had no record at its deadline",
                 description="A round whose deadline passed before the worker recorded anything gets a tab "
                             "'สรุปรอบ N (ยังไม่ยืนยัน)' that is not final. --confirm N writes the round's final "
                             "snapshot tab from what is known, marked as confirmed by a coordinator, in place of that tab.")
    sn.add_argument("--confirm", metavar="ROUND", type=int, required=True, help="the round to confirm (e.g. 1)")
    ex = command("export", help="the ITAS-ready list of one agency (or of each)",
                 description="Writes what an agency retypes into ITAS: its items in ITAS order (O1, O2 ...) with the "
                             "URL as it is in the sheet, its explanation (คำอธิบายเพิ่มเติม), the verdict, "
                             "and a warning on every item that is not ok. .xlsx or .csv by the file's "
                             "extension; --all writes one file per agency into the folder --out.")
    who = ex.add_mutually_exclusive_group(required=True)
    who.add_argument("--agency", metavar="CODE", help="the agency's code, as in the agencies tab")
    who.add_argument("--all", action="store_true", help="every agency, one file each, into the folder --out")
    ex.add_argument("--out", metavar="FILE|FOLDER", required=True,
                    help="FILE.xlsx or FILE.csv for one agency; a folder with --all")
    ex.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", help="with --all: the files' format")
    rp = command("report", help="the governor's progress report, from the history",
                 description="Writes the report (summary, per round, district, agency, chart) as of now or "
                             "--as-of a date, from the history in the state file: a printable A4 document "
                             "in Thai (page one the governor's brief) as HTML or PDF (PDF needs Chromium; "
                             "exit 7 says what to install when it is missing), an xlsx workbook or CSV. "
                             "--followup: the list of agencies with items still missing or failing, for "
                             "the follow-up meeting.")
    rp.add_argument("--format", choices=("html", "pdf", "xlsx", "csv"), default=None,
                    help="html or pdf (printable A4, Thai, page one the brief; pdf needs Chromium), xlsx (with a "
                         "native chart) or csv (default: the one --out's name ends with, else html)")
    rp.add_argument("--out", metavar="PATH", required=True, help="the file to write")
    rp.add_argument("--as-of", metavar="DATE", help="e.g. 2023-02-28 or '28 ก.พ. 2566' (end of that day); default now")
    rp.add_argument("--force", action="store_true", help="write the report even when --as-of is before the first "
                                                         "record (it then says the numbers are not known)")
    rp.add_argument("--followup", action="store_true", help="only the follow-up list (one line per agency and item "
                                                            "in CSV)")
    rm = command("remind", help="send the e-mail reminders due now (agencies, coordinators)",
                 description="Sends the agency digests and the coordinators' digest that are due now "
                             "(notify.days_before each deadline, the day after it, daily during the rounds) "
                             "and were not sent yet; the state file remembers what went to whom. A reminder is "
                             "made only from checks since notify.send_at: without a sync since then it is held "
                             "(exit 8; run `sheets-sync sync` first). Exit 3 when the mail server cannot be "
                             "reached or refuses messages.")
    rm.add_argument("--dry-run", action="store_true",
                    help="print what would be sent (to whom, subject, items); on a day without a reminder, the "
                         "digests as they would read now")
    rm.add_argument("--to", metavar="ADDRESS", help="send every digest of today (or the preview) to this one address, "
                                                    "marked as a test; nothing is recorded as sent")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Filled here, not with set_defaults: that would rewrite the shared parent actions' defaults.
    for name, default in (("config", None), ("verbose", False), ("quiet", False), ("log_format", "text")):
        if not hasattr(args, name):
            setattr(args, name, default)
    _setup_logging(args)
    try:
        return _run(args)
    except SheetsSyncError as e:
        log.error("%s", _one_line(e))
        log.debug("where it happened", exc_info=True)
        return e.exit_code
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except BrokenPipeError:
        # Whoever read our output stopped reading (`status | head -1`): not a failure of ours,
        # and no "Google Sheets" error (exit 3), which is what it was taken for. Exit as a tool
        # stopped by SIGPIPE does; what is left unwritten goes nowhere.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return 141
    except Exception as e:  # the last line of defence: one line, the traceback only with -v
        ours = translate(e)
        if ours is not None:
            log.error("%s", _one_line(ours))
            log.debug("where it happened", exc_info=True)
            return ours.exit_code
        log.error("unexpected error: %s (run with -v for the details)", _one_line(e))
        log.debug("the traceback", exc_info=True)
        return 1


def _one_line(e: BaseException) -> str:
    text = str(e) if isinstance(e, SheetsSyncError) else f"{type(e).__name__}: {e}"
    return " ".join(text.split())


def _setup_logging(args) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    from sheets_sync.worker import logs

    logs.setup(level, args.log_format, sys.stderr)  # redacts keys and tokens from every line


def _resolve_entry(text: str) -> str:
    """--resolve's value, checked as settings.yaml's checker.resolve is: a usage error (exit 2),
    where a bad one was an unexpected error (exit 1) at the first check."""
    from sheets_sync.config.settings import resolve_entry_ok

    if not resolve_entry_ok(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:ADDRESS")
    return text


def _network(text: str) -> str:
    """--allow-private's value, checked as settings.yaml's checker.allow_private is."""
    from sheets_sync.config.settings import network_ok

    if not network_ok(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a network (CIDR)")
    return text


def _load_config(args):
    from sheets_sync.config.settings import load_config

    config = load_config(args.config)
    if getattr(args, "resolve", None) or getattr(args, "allow_private", None):
        checker_settings = config.settings.checker
        config = config.with_settings(checker=replace(
            checker_settings,
            resolve=checker_settings.resolve + tuple(args.resolve),
            allow_private=checker_settings.allow_private + tuple(args.allow_private)))
    return config


def _check_settings(args):
    """check's settings and catalogue: from --config or ./config/settings.yaml when there is one,
    else the built-in defaults and no catalogue (a URL can be checked from any directory), with
    --resolve/--allow-private."""
    from sheets_sync.config.settings import DEFAULT_SETTINGS, Settings, for_year, load_config

    if args.config is None and not DEFAULT_SETTINGS.is_file():
        log.debug("no --config and no %s in this directory: checking with the built-in default settings "
                  "(no catalogue: the year is not judged)", DEFAULT_SETTINGS)
        settings, catalog = for_year(Settings(), None), None
    else:
        config = load_config(args.config)
        settings, catalog = config.settings, config.catalog
        log.debug("settings from %s", args.config or DEFAULT_SETTINGS)
    return replace(settings, checker=replace(
        settings.checker, resolve=settings.checker.resolve + tuple(args.resolve),
        allow_private=settings.checker.allow_private + tuple(args.allow_private))), catalog


def _run(args) -> int:
    if args.command == "check":
        return _check(*_check_settings(args), args)
    config = _load_config(args)
    if args.command in ("run", "status"):
        from sheets_sync.worker import loop as worker

        return worker.command(config, args, load=lambda: _load_config(args), progress=_progress)
    if args.command == "remind":
        return _remind(config, args)
    if args.command == "report":
        from sheets_sync.report import governor as report

        return report.run_cli(config, args)
    from sheets_sync.sheet.kinds import open_backend

    backend = open_backend(config)
    if args.command == "init":
        from sheets_sync.pipeline.sync import init

        report = init(config, backend)
        # as the tab says now: coordinators clear ต้องยืนยัน there, not in agencies.yaml
        flagged = sum(1 for a in backend.read(config.catalog).agencies if a.confirm)
        print(f"ready: tabs created {len(report.created_tabs)}, agencies added {len(report.added_agencies)}, "
              f"rows added {report.added_rows}; {flagged} agencies to confirm (column ต้องยืนยัน)")
        for note in report.notes:
            print(f"  {note}")
        return 0
    if args.command == "sync":
        return _sync(config, backend, args)
    if args.command == "snapshot":
        from sheets_sync.pipeline.sync import confirm_snapshot

        title = confirm_snapshot(config, backend, args.confirm, datetime.now(config.settings.tz))
        print(f"round {args.confirm}: snapshot confirmed in tab {title}")
        return 0
    if args.command == "import":
        from sheets_sync.importing import importer

        return importer.run_cli(config, backend, args)
    if args.command == "template":
        from sheets_sync.importing import template

        return template.run_cli(config, backend, args)
    if args.command == "export":
        from sheets_sync.core.clock import SystemClock
        from sheets_sync.export import itas

        return itas.run_cli(config, backend, args, SystemClock(config.settings.tz).now())
    raise AssertionError(args.command)


def _sync(config, backend, args) -> int:
    from sheets_sync.core.clock import SystemClock
    from sheets_sync.core.models import Status
    from sheets_sync.worker.runner import run_sync
    from sheets_sync.worker.stopper import Stopper

    # Under the run lock (exit 4 when busy), recorded in data/worker-status.json; SIGTERM or
    # SIGINT stop it at the next step boundary, nothing half-written, exit 0.
    with Stopper() as stopper:
        record, report = run_sync(config, SystemClock(config.settings.tz), stopper, agency=args.agency,
                                  dry_run=args.dry_run, progress=_progress(), backend=backend, fresh=args.fresh)
    if report is None:
        print(redact(f"{record.error}; nothing was half-written, the next run starts over"))
        return 0
    counts = ", ".join(f"{s.label_th} {report.counts[s.value]}" for s in Status if report.counts.get(s.value))
    print(f"{'dry run: ' if report.dry_run else ''}{report.rows} rows, {report.urls_checked} URLs checked; "
          f"{counts or 'no rows'}")
    if report.kept_offline:
        oldest, newest = report.kept_checked
        made = f" (made {oldest:%Y-%m-%d %H:%M} to {newest:%Y-%m-%d %H:%M})" if oldest else ""
        print(f"the checker was offline: {report.kept_offline} rows keep their earlier verdicts{made}, "
              "counted above as the sheet shows them; they are checked again next run")
    if report.dry_run:
        for v in report.verdicts:
            if v.status is not Status.EMPTY:
                print(f"  {v.key}  {v.status.value:8} {','.join(v.reasons)}")
    else:
        print(f"written {report.write.written} rows; changed meanwhile (left for next run) {len(report.write.stale)}; "
              f"problems in the sheet {len(report.problems)}")
    for p in report.problems:  # named, so a coordinator can fix them without reading the log
        where = f"{p.tab or 'sheet'} row {p.row_number}" if p.row_number else (p.tab or "sheet")
        print(f"  {where}: {p.code}: {p.detail}")
    return 0


def _remind(config, args) -> int:
    from sheets_sync.config.settings import is_email
    from sheets_sync.core.clock import SystemClock
    from sheets_sync.core.errors import DeliveryError, UsageError
    from sheets_sync.worker.reminders import run_reminders

    if args.to is not None and not is_email(args.to):
        raise UsageError(f"--to: {args.to!r} is not an e-mail address")
    result = run_reminders(config, SystemClock(config.settings.tz), dry_run=args.dry_run, to=args.to)
    if args.dry_run:
        head = ("no reminder is due now; as they would read now" if result.preview
                else f"due now: {', '.join(result.slots) or 'nothing'}")
        print(f"dry run ({head}): {len(result.digests)} message(s) to send, {result.already_sent} already sent")
        for d in result.digests:
            print(f"  {d.line()}")
        if result.no_address:
            print(f"  agencies with problems and no usable address (listed for the coordinators): "
                  f"{', '.join(result.no_address)}")
        for line in result.gave_up:
            print(f"  not tried again (fix the address in the agencies tab): {line}")
        for line in result.held:
            print(f"  held, no sync has checked its rows since {result.since}: {line}")
        if result.next_reminder:
            print(f"next reminder: {result.next_reminder}")
        return 0
    if result.error or result.failed:
        raise DeliveryError(result.line())
    print(result.line() + (f"; next reminder: {result.next_reminder}" if result.next_reminder else ""))
    if result.held:
        # Sent from older results they would tell agencies about links fixed since; and the
        # ledger would then keep the corrected reminder from going out today.
        print(f"not sent: {len(result.held)} reminder(s) due since {result.since} would be made from checks older "
              f"than that ({', '.join(result.held[:3])}{' ...' if len(result.held) > 3 else ''}); run "
              f"`sheets-sync sync` first, then `sheets-sync remind` (the worker sends them after its next sync)",
              file=sys.stderr)
        return EXIT_REMIND_HELD
    return 0


def _check(settings, catalog, args) -> int:
    from sheets_sync.check import readings
    from sheets_sync.check.checker import Checker
    from sheets_sync.collect import cells as collector
    from sheets_sync.config.settings import YearRule
    from sheets_sync.core.errors import UsageError
    from sheets_sync.core.models import Status, worst
    from sheets_sync.core.normalize import item_code
    from sheets_sync.judge import verdicts as judge

    # The year is judged as the catalogue asks: --item's rule, else the catalogue's year alone.
    # Without a catalogue (no config here) there is no year to judge by.
    rule = None
    if catalog is not None:
        rule = YearRule((catalog.year,))
        if args.item is not None:
            code = item_code(args.item)
            if code is None or catalog.item(code) is None:
                raise UsageError(f"--item: {args.item!r} is not an item of the {catalog.year} catalogue")
            rule = catalog.year_rule(code)
    elif args.item is not None:
        raise UsageError("--item needs the catalogue: give --config or run where config/settings.yaml is")
    # The sync's own rules, minus the two that need the agency: every argument is read as a cell.
    parsed = [(text, collector.read_cell(text, settings.validation)) for text in args.urls]
    checker = Checker(settings.checker)
    try:
        results = readings.check_candidates(checker, (c for _, cs in parsed for c in cs))
    finally:
        checker.close()
    statuses = []
    for text, candidates in parsed:
        if not candidates:  # blank: nothing to check, as an empty cell in the sheet
            statuses.append(Status.EMPTY)
            _print_check(args, {"url": text, "status": Status.EMPTY.value, "reasons": [], "http_status": None,
                                "final_url": None, "elapsed_ms": 0, "message_th": Status.EMPTY.label_th})
        for cand in candidates:
            cand = readings.chosen(cand, results)
            result = results.get(cand.url) if cand.url else None
            status, codes = judge.judge_candidate(cand, result, rule)
            statuses.append(status)
            _print_check(args, {
                "url": cand.url or cand.raw, "status": status.value, "reasons": list(codes),
                "http_status": result.http_status if result else None,
                "final_url": result.final_url if result else None,
                "elapsed_ms": result.elapsed_ms if result else 0,
                "message_th": judge.note_th(codes, rule) or status.label_th,
            })
    overall = worst(statuses)
    if overall in (Status.BROKEN, Status.INVALID, Status.BLOCKED):
        return EXIT_CHECK_FAILED
    return EXIT_CHECK_UNKNOWN if overall is Status.UNKNOWN else 0


def _print_check(args, record: dict) -> None:
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(plain_check_line(record))


def plain_check_line(record: dict) -> str:
    """One line per URL for people: status, HTTP code, URL, reason codes, then the Thai note
    (its bullet lines joined) so that what the agency would read is on the same line.

    >>> plain_check_line({"status": "broken", "http_status": 404, "url": "https://a.go.th/x",
    ...                   "reasons": ["http_4xx"], "message_th": "• ไม่พบหน้า\\n• ลองใหม่"})
    'broken   404 https://a.go.th/x  http_4xx  ไม่พบหน้า / ลองใหม่'
    """
    http = str(record["http_status"]) if record.get("http_status") else "-"
    note = " / ".join(line.lstrip("• ").strip() for line in record["message_th"].splitlines() if line.strip())
    codes = " ".join(record["reasons"]) or "-"
    return f"{record['status']:8} {http:>3} {record['url']}  {codes}  {note}"


def _progress():
    """A progress bar with the time left on a terminal; plain log lines with an estimate otherwise."""
    from sheets_sync.worker.progress import url_progress

    return url_progress()
