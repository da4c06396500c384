"""`sheets-sync import`: merging the URLs agencies send back in Excel or CSV files (issue 7).

Stages, each testable alone:

1. `import_read.read_source(path)`: the only file I/O; the file becomes a `Source` of grids.
2. `import_table.locate_table(sheet, catalog)`: pure. The item-code and URL columns.
3. `import_agency.identify_agency(source, agencies, explicit)`: pure. Whose file it is; never a guess.
4. `import_table.read_entries(...)`: pure. The table's rows -> one entry per item, and unreadable rows.
5. `plan_merge(current, ...)`: pure. Fill an empty cell, leave the same URL, report a different URL as a
   conflict (replaced only with overwrite), report items the sheet has no row for.
6. `import_file(...)`: applies the plan through `Backend.write_urls`, which finds rows by key at write
   time and refuses a cell that changed since the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from sheets_sync.collect.cells import parse_cell
from sheets_sync.config.settings import Agency, Catalog
from sheets_sync.core.models import RowKey, WriteReport
from sheets_sync.core.normalize import thai_digits_to_arabic
from sheets_sync.importing.agency import YEAR_PROPERTY, Identification, identify_agency
from sheets_sync.importing.read import TITLE_PROPERTY, ImportFileError, Source, column_letter, read_source
from sheets_sync.importing.table import Entry, Parsed, Table, locate_table, read_entries
from sheets_sync.sheet.gsheets_plan import refused_message
from sheets_sync.sheet.layout import TAB_SUBMISSIONS


# ====================================================================== 5. the merge plan (pure)
class Outcome(str, Enum):
    FILL = "fill"  # the sheet's cell is empty
    SAME = "same"  # the sheet already has these links
    CONFLICT = "conflict"  # the sheet has other links: left alone
    OVERWRITE = "overwrite"  # the sheet has other links: replaced (--overwrite)
    NO_ROW = "no_row"  # the sheet has no row for the key


@dataclass(frozen=True)
class Step:
    key: RowKey
    outcome: Outcome
    current: str
    new: str
    where: str


def same_links(a: str, b: str) -> bool:
    """Equal as typed, or the same URLs once normalised (host case, missing trailing /)."""
    if a.strip() == b.strip():
        return True
    ca, cb = parse_cell(a), parse_cell(b)
    return bool(ca) and all(c.valid for c in ca + cb) and [c.url for c in ca] == [c.url for c in cb]


def plan_merge(current: Mapping[RowKey, str], agency: str, entries: Iterable[Entry],
               overwrite: bool = False) -> tuple[Step, ...]:
    """One step per entry against the sheet's current URL text by key; nothing is written here."""
    steps = []
    for e in entries:
        key = RowKey(agency, e.item)
        if key not in current:
            steps.append(Step(key, Outcome.NO_ROW, "", e.url_text, e.where))
            continue
        now = current[key]
        if not now.strip():
            outcome = Outcome.FILL
        elif same_links(now, e.url_text):
            outcome = Outcome.SAME
        else:
            outcome = Outcome.OVERWRITE if overwrite else Outcome.CONFLICT
        steps.append(Step(key, outcome, now, e.url_text, e.where))
    return tuple(steps)


def plan_explanations(current: Mapping[RowKey, str], agency: str, entries: Iterable[Entry],
                      overwrite: bool = False, held: frozenset[RowKey] = frozenset()) -> tuple[Step, ...]:
    """The same rule for the explanation beside each URL: fill an empty cell, keep an equal one, report a
    different one as a conflict (replaced only with overwrite). Entries without an explanation plan nothing:
    a file that lacks the column never clears what the agency typed in the sheet. `held`: rows whose URL
    the file could not write (a conflict left as it is): the file's explanation is about the file's URL,
    so it is a conflict there too, never written beside the sheet's other link."""
    steps = []
    for e in entries:
        new = e.explanation.strip()
        if not new:
            continue
        key = RowKey(agency, e.item)
        if key not in current:
            continue  # reported once, by the URL plan
        now = current[key]
        if " ".join(now.split()) == " ".join(new.split()):
            outcome = Outcome.SAME
        elif key in held:
            outcome = Outcome.CONFLICT
        elif not now.strip():
            outcome = Outcome.FILL
        else:
            outcome = Outcome.OVERWRITE if overwrite else Outcome.CONFLICT
        steps.append(Step(key, outcome, now, new, e.where))
    return tuple(steps)


def writes_of(steps: Iterable[Step]) -> dict[RowKey, tuple[str, str]]:
    """What Backend.write_urls receives: key -> (URL text the plan saw, new URL text)."""
    return {s.key: (s.current, s.new) for s in steps if s.outcome in (Outcome.FILL, Outcome.OVERWRITE)}


# ====================================================================== 6. one file, end to end
@dataclass(frozen=True)
class FileReport:
    path: str
    error: str | None = None  # the file or its agency could not be identified: nothing done
    agency: str | None = None
    agency_name: str = ""
    how: str = ""
    tables: tuple[Table, ...] = ()
    steps: tuple[Step, ...] = ()
    parsed: Parsed | None = None
    write: WriteReport | None = None
    dry_run: bool = False
    explanation_steps: tuple[Step, ...] = ()
    explanation_write: WriteReport | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(1 for s in self.steps if s.outcome is outcome)


NO_TABLE = ("no table of item codes and links found: looked for a header row with ข้อ/รหัส/item and "
            "URL/ลิงก์/ที่อยู่เว็บไซต์, and for a column of O-codes (O1..O43) beside a column of links; "
            "this does not look like an OIT URL form")


def parse_source(source: Source, catalog: Catalog, agencies: Sequence[Agency],
                 explicit: str | None = None) -> tuple[Identification | None, tuple[Table, ...], Parsed | None,
                                                        str | None]:
    """Tables, agency and entries of a file read into memory. The last value is the reason the file
    cannot be imported, if any."""
    tables = tuple(t for t in (locate_table(s, catalog) for s in source.sheets) if t is not None)
    if not tables:
        return None, (), None, NO_TABLE
    made_for = form_year(source)
    if made_for is not None and made_for != catalog.year:
        return None, tables, None, (
            f"this is the form of ITA {made_for} (made by `sheets-sync template` for that year), but the sheet is "
            f"ITA {catalog.year}'s: item numbers and what each asks for differ between years, and its links are "
            f"{made_for}'s; send the agency this year's form (`sheets-sync template --agency CODE`)")
    titled = title_year(source, tables, catalog.year)
    if titled is not None:
        year, where = titled
        return None, tables, None, (
            f"its title ({where}) names ITA/OIT {year}, not the sheet's {catalog.year}: item numbers and what each "
            f"asks for differ between years, and last year's links would land on this year's items; if this is "
            f"{catalog.year}'s form, correct its title and import it again")
    ident = identify_agency(source, agencies, explicit)
    if ident.error:
        return ident, tables, None, ident.error
    parsed = read_entries(source, tables, catalog, ident.code)
    if not parsed.entries and not parsed.empty_items and not parsed.unreadable:
        return ident, tables, parsed, NO_TABLE
    return ident, tables, parsed, None


def form_year(source: Source) -> int | None:
    """The ITA year a form was made for: its year property (`template`), else the year in the title
    `template` gives it ("แบบฟอร์มส่ง URL OIT 2566 ..."); None for a form of the agency's own making."""
    value = source.properties.get(YEAR_PROPERTY, "")
    if value.strip().isdigit():
        return int(value.strip())
    m = re.match(r"แบบฟอร์มส่ง URL OIT (25\d\d)\b", source.properties.get(TITLE_PROPERTY, ""))
    return int(m.group(1)) if m else None


_ASSESSMENT_RE = re.compile(r"ITA|OIT|ITAS|คุณธรรมและความโปร่งใส|เปิดเผยข้อมูลสาธารณะ", re.I)
_YEAR_RE = re.compile(r"(?<!\d)25\d\d(?!\d)")
TITLE_ROWS = 8  # a title above the table is in its first rows


def title_year(source: Source, tables: Sequence[Table], year: int) -> tuple[int, str] | None:
    """(the year, the cell) of a title above a table that names the assessment with another year
    and not `year` ("แบบรายงาน OIT ประจำปี ๒๕๖๕"): an agency's own form of another year, which
    `form_year` cannot tell (no property). None when no title names one."""
    by_name = {s.name: s for s in source.sheets}
    for t in tables:
        rows = by_name[t.sheet].rows
        above = t.header_row if t.header_row is not None else TITLE_ROWS
        for r, row in enumerate(rows[:min(above, TITLE_ROWS)]):
            for c, value in enumerate(row):
                text = thai_digits_to_arabic(str(value)) if isinstance(value, str) else ""
                years = {int(y) for y in _YEAR_RE.findall(text)}
                if years and year not in years and _ASSESSMENT_RE.search(text):
                    return min(years), f"sheet {t.sheet!r} cell {column_letter(c)}{r + 1} {text[:60]!r}"
    return None


def import_file(path: str | Path, backend, catalog: Catalog, agency: str | None = None,
                dry_run: bool = False, overwrite: bool = False) -> FileReport:
    """Reads one file and merges it into the sheet through `backend` (the sheet is read fresh)."""
    shown = str(path)
    try:
        source = read_source(path)
    except ImportFileError as e:
        return FileReport(shown, error=str(e), dry_run=dry_run)
    snapshot = backend.read(catalog)
    ident, tables, parsed, error = parse_source(source, catalog, snapshot.agencies, agency)
    if error:
        return FileReport(shown, error=error, tables=tables, dry_run=dry_run)
    assert ident is not None and ident.code is not None and parsed is not None
    name = next((a.name for a in snapshot.agencies if a.code == ident.code), "")
    mine = [r for r in snapshot.rows if r.key.agency == ident.code]
    steps = plan_merge({r.key: r.url_text for r in mine}, ident.code, parsed.entries, overwrite)
    held = frozenset(s.key for s in steps if s.outcome is Outcome.CONFLICT)
    said = plan_explanations({r.key: r.explanation for r in mine}, ident.code, parsed.entries, overwrite, held)
    write = said_write = None
    if not dry_run:
        todo = writes_of(steps)
        write = backend.write_urls(todo) if todo else WriteReport()
        todo = writes_of(said)
        said_write = backend.write_explanations(todo) if todo else WriteReport()
    return FileReport(shown, agency=ident.code, agency_name=name, how=ident.how, tables=tables, steps=steps,
                      parsed=parsed, write=write, dry_run=dry_run, explanation_steps=said,
                      explanation_write=said_write)


def report_lines(rep: FileReport) -> list[str]:
    """The per-file report in plain English, for a coordinator."""
    if rep.error:
        return [f"{rep.path}: NOT IMPORTED: {rep.error}"]
    lines = [f"{rep.path}: agency {rep.agency} {rep.agency_name} (from {rep.how})"]
    lines += [f"  read {t.describe()}" for t in rep.tables]
    would = "would be " if rep.dry_run else ""
    stale = set(rep.write.stale) | set(rep.write.missing) if rep.write else set()
    refused = set(rep.write.refused) if rep.write else set()

    def items(steps) -> str:
        return " ".join(s.key.item for s in steps)

    filled = [s for s in rep.steps if s.outcome is Outcome.FILL and s.key not in stale | refused]
    replaced = [s for s in rep.steps if s.outcome is Outcome.OVERWRITE and s.key not in stale | refused]
    lines.append(f"  {would}filled {len(filled)}" + (f": {items(filled)}" if filled else ""))
    if replaced:
        lines.append(f"  {would}replaced {len(replaced)} (--overwrite):")
        lines += [f"    {s.key.item}: was {_one_line(s.current)} now {_one_line(s.new)}" for s in replaced]
    lines.append(f"  already the same {rep.count(Outcome.SAME)}")
    conflicts = [s for s in rep.steps if s.outcome is Outcome.CONFLICT]
    if conflicts:
        lines.append(f"  conflicts {len(conflicts)}, left as they are in the sheet (use --overwrite to replace):")
        lines += [f"    {s.key.item} ({s.where}): sheet {_one_line(s.current)} / file {_one_line(s.new)}"
                  for s in conflicts]
    else:
        lines.append("  conflicts 0")
    if refused:
        lines.append(_refused_line(rep.write, "URLs"))
    lines += _explanation_lines(rep, would)
    no_row = [s for s in rep.steps if s.outcome is Outcome.NO_ROW]
    if no_row:
        lines.append(f"  no row in the sheet for {items(no_row)} (run `sheets-sync init`, then import again)")
    if stale:
        lines.append(f"  changed in the sheet meanwhile, not written: "
                     f"{' '.join(k.item for k in sorted(stale, key=lambda k: int(k.item[1:])))} (import again)")
    parsed = rep.parsed
    if parsed is not None:
        if parsed.unreadable:
            lines.append(f"  could not read {len(parsed.unreadable)}:")
            lines += [f"    {u.where}: {u.why}" for u in parsed.unreadable]
        else:
            lines.append("  could not read 0")
        if parsed.empty_items:
            lines.append(f"  no link in the file for {len(parsed.empty_items)} item(s): {' '.join(parsed.empty_items)}")
        if parsed.other_agency_rows:
            lines.append(f"  skipped {parsed.other_agency_rows} row(s) of other agencies")
    return lines


def _explanation_lines(rep: FileReport, would: str) -> list[str]:
    if not rep.explanation_steps:
        return []
    w = rep.explanation_write
    stale = set(w.stale) | set(w.missing) if w else set()
    refused = set(w.refused) if w else set()
    done = [s for s in rep.explanation_steps if s.outcome in (Outcome.FILL, Outcome.OVERWRITE)
            and s.key not in stale | refused]
    lines = [f"  explanations: {would}written {len(done)}"
             + (f": {' '.join(s.key.item for s in done)}" if done else "")
             + f", already the same {sum(1 for s in rep.explanation_steps if s.outcome is Outcome.SAME)}"]
    conflicts = [s for s in rep.explanation_steps if s.outcome is Outcome.CONFLICT]
    if conflicts:
        lines.append(f"  explanation conflicts {len(conflicts)}, left as they are in the sheet (--overwrite replaces):")
        lines += [f"    {s.key.item}: sheet {_one_line(s.current)} / file {_one_line(s.new)}" for s in conflicts]
    if stale:
        lines.append(f"  explanations changed in the sheet meanwhile, not written: "
                     f"{' '.join(k.item for k in sorted(stale, key=lambda k: int(k.item[1:])))}")
    if refused:
        lines.append(_refused_line(w, "explanations"))
    return lines


def _refused_line(write: WriteReport, what: str) -> str:
    """NOT IMPORTED: the rows a write left out as protected against the worker's account (Google
    Sheets: a coordinator's "only me" range), in the verdict write's words: which account to add."""
    items = [k.item for k in write.refused]
    said = refused_message(items, TAB_SUBMISSIONS, write.refused_account, f"imported {what}", shown=None)
    return f"  NOT IMPORTED: {said}; then import again"


def _one_line(text: str) -> str:
    return " | ".join(text.split("\n")) or "(empty)"


def run_cli(config, backend, args) -> int:
    """`sheets-sync import FILE... [--agency CODE] [--dry-run] [--overwrite]`."""
    from sheets_sync.core.errors import UsageError

    if args.agency is not None:
        codes = {a.code for a in backend.read(config.catalog).agencies}
        if args.agency not in codes:
            raise UsageError(f"unknown agency code {args.agency!r} (see the agencies tab)")
    refused = 0
    if args.dry_run:
        print("dry run: nothing is written to the sheet")
    for path in args.files:
        rep = import_file(path, backend, config.catalog, agency=args.agency, dry_run=args.dry_run,
                          overwrite=args.overwrite)
        refused += rep.error is not None
        for line in report_lines(rep):
            print(line)
    return 2 if refused else 0
