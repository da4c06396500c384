"""Pure functions over a tab's cells (a list of rows of text): finding columns by header,
keying rows, planning new rows, rendering the worker's cells. Every backend uses these, so
the layout rules live in one place."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from sheets_sync.config.settings import LAMPHUN, Agency, Catalog, Province, split_emails
from sheets_sync.core import normalize
from sheets_sync.core.errors import BackendError
from sheets_sync.core.models import ReadProblem, RowKey, Status, SubmissionRow, Verdict
from sheets_sync.core.thai import parse_thai_datetime, thai_date, thai_datetime
from sheets_sync.sheet.layout import (
    AGENCY_HEADERS,
    COPY_LABEL,
    HEADER_ALIASES,
    SUBMISSION_COLUMNS,
    SUBMISSION_HEADERS,
    TAB_AGENCIES,
    TAB_SUBMISSIONS,
    WORKER_KEYS,
)

Grid = Sequence[Sequence[object]]


def text(value: object) -> str:
    """A cell as text: None is '', 12.0 is '12', everything as it shows (`normalize.visible`:
    NFC, without the characters drawn as nothing a paste brings along, "a-one\u200b" of a key
    cell that matched no agency) and trimmed.

    >>> text(" a-one\u200b "), text(12.0), text(None)
    ('a-one', '12', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize.visible(str(value)).strip()


def columns(header: Sequence[object], wanted: dict[str, str], tab: str, required: Sequence[str]) -> dict[str, int]:
    """Maps column keys to 0-based positions by header text. Missing required columns are a
    BackendError; missing optional ones are simply absent from the result."""
    found: dict[str, int] = {}
    by_text = {**{h: k for h, k in HEADER_ALIASES.items() if k in wanted}, **{h: k for k, h in wanted.items()}}
    for i, cell in enumerate(header):
        key = by_text.get(text(cell))
        if key and key not in found:
            found[key] = i
    missing = [wanted[k] for k in required if k not in found]
    if missing:
        raise BackendError(f"tab {tab!r}: missing column(s) {', '.join(missing)}{header_hint(header, wanted)}")
    return found


def header_hint(header: Sequence[object], wanted: dict[str, str]) -> str:
    """What to do about required columns missing from a header row: rename back the cells that
    name no column (a renamed header), else let `init` add the columns. Following "run init" for
    a renamed "URL" added an empty twin column, and every row read as not sent."""
    known = set(wanted.values()) | set(HEADER_ALIASES)
    unknown = [t for t in (text(c) for c in header) if t and t not in known]
    if unknown:
        shown = ", ".join(repr(t) for t in unknown[:5])
        return (f"; the header row (row 1) has {shown}, which no column is named: rename the renamed header "
                f"back (or delete a row added above the header)")
    return "; run `sheets-sync init` to repair"


def missing_columns(header: Sequence[object], wanted: dict[str, str]) -> list[str]:
    """Header texts of `wanted` that the header row lacks (an earlier layout's header counts), in layout order."""
    present = {text(c) for c in header}
    present |= {wanted[k] for h, k in HEADER_ALIASES.items() if h in present and k in wanted}
    return [h for h in wanted.values() if h not in present]


def cell(row: Sequence[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def fill_merges(grid: list[list[object]], merges: Iterable[tuple[int, int, int, int]]) -> None:
    """Merged cells show their first cell's value in every cell they span: `grid` is read so, in
    place (`merges`: 0-based row and column ranges, end excluded). A coordinator merges an agency's
    43 code cells into one; the API and openpyxl give the others nothing, and each such row was an
    unknown agency whose verdicts were lost."""
    for r0, r1, c0, c1 in merges:
        first = cell(grid[r0], c0) if r0 < len(grid) else None
        if first is None or first == "":
            continue
        grid.extend([] for _ in range(r1 - len(grid)))
        for r in range(r0, r1):
            row = grid[r]
            row.extend([None] * (c1 - len(row)))
            row[c0:c1] = [first] * (c1 - c0)


# ---------------------------------------------------------------- agencies tab
def read_agencies(grid: Grid, province: Province = LAMPHUN) -> tuple[tuple[Agency, ...], tuple[ReadProblem, ...]]:
    """The agencies tab: its agencies, and what a coordinator must fix in it (a district is checked
    against `province`'s, the catalogue's in force)."""
    if not grid:
        raise BackendError(f"tab {TAB_AGENCIES!r} is empty; run `sheets-sync init`")
    cols = columns(grid[0], AGENCY_HEADERS, TAB_AGENCIES, required=("code", "name"))
    agencies: list[Agency] = []
    problems: list[ReadProblem] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(grid[1:], start=2):
        code = text(cell(row, cols["code"]))
        if not code:
            continue
        if code in seen:
            problems.append(ReadProblem(
                "duplicate_agency", n, f"agency code {code} is in rows {seen[code]} and {n} of {TAB_AGENCIES}; "
                f"row {n} is ignored", value=code, first_row=seen[code], tab=TAB_AGENCIES))
            continue
        seen[code] = n
        score_text = normalize.thai_digits_to_arabic(text(cell(row, cols.get("score_2565"))))
        try:
            score = float(score_text) if score_text else None
        except ValueError:
            # "84,5": the agency lost its "ไม่ผ่าน" mark and its place among those followed first
            # without a word; the coordinator is told in the summary's problems
            score = None
            problems.append(ReadProblem("bad_score", n, f"{AGENCY_HEADERS['score_2565']} {score_text!r} of agency "
                                        f"{code} is not a number (write it as 84.50)", value=score_text,
                                        tab=TAB_AGENCIES))
        district = province.district(text(cell(row, cols.get("district"))))
        if district and not province.has_district(district):
            # "บ้านโฮง": the agency was counted under "no district" in the governor's table, silently
            problems.append(ReadProblem("unknown_district", n, f"{AGENCY_HEADERS['district']} {district!r} of agency "
                                        f"{code} is not a district of {province.name_en}", value=district,
                                        tab=TAB_AGENCIES))
        # Split as the e-mail columns are: two sites typed on two lines of the cell (Alt+Enter) were
        # read as one domain with a line break in it, and every link of the agency was off_site.
        domains = [d for d in re.split(r"[,;\s]+", text(cell(row, cols.get("domains")))) if d]
        agencies.append(Agency(
            code=code,
            name=text(cell(row, cols["name"])),
            district=district,
            type=text(cell(row, cols.get("type"))),
            domains=tuple(domains),
            score_2565=score,
            grade_2565=text(cell(row, cols.get("grade_2565"))),
            reminder_emails=split_emails(text(cell(row, cols.get("reminder_emails")))),
            confirm=text(cell(row, cols.get("confirm"))),
            view_link=text(cell(row, cols.get("view_link"))),
        ))
    return tuple(agencies), tuple(problems)


_EMAIL = re.compile(r"[^@\s,;<>()]+@[^@\s,;<>()]+\.[^@\s,;<>()]+")


def agency_editors(grid: Grid) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """code -> the editor e-mails typed in the agencies tab (lower-cased, in order, deduplicated), and
    the pieces that are not e-mail addresses (reported; Google would refuse the whole batch for one)."""
    if not grid:
        return {}, ()
    cols = columns(grid[0], AGENCY_HEADERS, TAB_AGENCIES, required=("code",))
    if "editors" not in cols:
        return {}, ()
    out: dict[str, tuple[str, ...]] = {}
    bad: list[str] = []
    for row in grid[1:]:
        code = text(cell(row, cols["code"]))
        if not code or code in out:
            continue
        emails: list[str] = []
        for piece in re.split(r"[\s,;]+", text(cell(row, cols["editors"]))):
            if not piece:
                continue
            if _EMAIL.fullmatch(piece):
                if piece.lower() not in emails:
                    emails.append(piece.lower())
            else:
                bad.append(f"{code}: {piece!r}")
        out[code] = tuple(emails)
    return out, tuple(bad)


def agency_values(agency: Agency) -> dict[str, str]:
    """The agencies tab's cells for one agency, by column key."""
    return {
        "code": agency.code, "name": agency.name, "district": agency.district, "type": agency.type,
        "domains": ", ".join(agency.domains),
        "score_2565": f"{agency.score_2565:.2f}" if agency.score_2565 is not None else "",
        "grade_2565": agency.grade_2565,
        "reminder_emails": ", ".join(agency.reminder_emails),
        "confirm": agency.confirm,
        "editors": "", "view_link": "",  # filled by coordinators / by init on Google Sheets
    }


_COMPARED = ("name", "district", "type", "domains", "score_2565", "grade_2565")


def agency_differences(in_sheet: Agency, in_file: Agency) -> list[str]:
    """One line per column where the agencies tab and agencies.yaml disagree (the tab is kept).
    ต้องยืนยัน is not compared: a coordinator clears it once the agency is confirmed."""
    sheet, file = agency_values(in_sheet), agency_values(in_file)
    return [f"agency {in_sheet.code}: {AGENCY_HEADERS[k]} is {sheet[k]!r} in the sheet but {file[k]!r} in the "
            f"agencies file (the sheet is kept; edit the tab to take the file's)"
            for k in _COMPARED if sheet[k] != file[k]]


# ---------------------------------------------------------------- submissions tab
def read_submissions(grid: Grid, catalog: Catalog, agency_codes: set[str], tz: ZoneInfo,
                     links: Mapping[tuple[int, int], str] | None = None
                     ) -> tuple[tuple[SubmissionRow, ...], tuple[ReadProblem, ...], dict[RowKey, int]]:
    """Keys every row. Returns the rows with a known key, the problems, and key -> 0-based
    index into `grid` (the row of that key, `key_index`; the other rows of a key are reported). `links`:
    (row, column) -> the address a cell links to where it shows another (SubmissionRow.link)."""
    if not grid:
        raise BackendError(f"tab {TAB_SUBMISSIONS!r} is empty; run `sheets-sync init`")
    cols = columns(grid[0], SUBMISSION_HEADERS, TAB_SUBMISSIONS, required=("agency", "item", "url"))
    rows: list[SubmissionRow] = []
    problems: list[ReadProblem] = []
    index: dict[RowKey, int] = {}
    chosen = key_index(grid, cols)
    for i, row in enumerate(grid[1:], start=1):
        n = i + 1
        agency_text = text(cell(row, cols["agency"]))
        item_text = text(cell(row, cols["item"]))
        url_text = url_cell_text(cell(row, cols["url"]))
        if not agency_text and not item_text:
            if url_text:
                problems.append(ReadProblem("missing_key", n, "a URL in a row without agency code and item",
                                            value=url_text, tab=TAB_SUBMISSIONS))
            continue
        item = normalize.item_code(item_text)
        if agency_text not in agency_codes:
            problems.append(ReadProblem("unknown_agency", n, f"unknown agency code {agency_text!r}",
                                        value=agency_text, tab=TAB_SUBMISSIONS))
            continue
        if item is None or catalog.item(item) is None:
            problems.append(ReadProblem("unknown_item", n, f"unknown item {item_text!r}",
                                        value=item_text, tab=TAB_SUBMISSIONS))
            continue
        key = RowKey(agency_text, item)
        if chosen[key] != i:
            problems.append(ReadProblem("duplicate_key", n, f"{key} also in row {chosen[key] + 1}; this row is ignored",
                                        value=str(key), first_row=chosen[key] + 1, tab=TAB_SUBMISSIONS))
            continue
        index[key] = i
        first = parse_thai_datetime(text(cell(row, cols.get("first_submitted_at"))))
        checked = parse_thai_datetime(text(cell(row, cols.get("checked_at"))))
        rows.append(SubmissionRow(
            key=key,
            url_text=url_text,
            previous_status=Status.from_label(text(cell(row, cols.get("status")))),
            first_submitted_at=first.replace(tzinfo=tz) if first else None,
            row_number=n,
            previous_checked_at=checked.replace(tzinfo=tz) if checked else None,
            explanation=url_cell_text(cell(row, cols.get("explanation"))),
            previous_reasons=tuple(r for r in (p.strip() for p in text(cell(row, cols.get("reasons"))).split(",")) if r),
            previous_checked_url=url_cell_text(cell(row, cols["checked_url"])) if "checked_url" in cols else None,
            link=(links or {}).get((i, cols["url"]), ""),
        ))
    return tuple(rows), tuple(problems), index


def key_index(grid: Grid, cols: Mapping[str, int]) -> dict[RowKey, int]:
    """key -> 0-based index into `grid` of the row of that key, as the sheet is now: the first
    not marked as a copy (COPY_LABEL), else the first. Writers use it at write time, so rows moved
    by agencies since the read are still found; a sort that puts an agency's copied row above its
    first row does not make the copy the row checked (the item's verdict would swap URLs).

    >>> key_index([["รหัส", "ข้อ", "สถานะ"], ["a", "O1", COPY_LABEL], ["a", "1", "ใช้งานได้"], ["a", "O2", ""]],
    ...           {"agency": 0, "item": 1, "status": 2})
    {RowKey(agency='a', item='O1'): 2, RowKey(agency='a', item='O2'): 3}
    """
    first: dict[RowKey, int] = {}
    unmarked: dict[RowKey, int] = {}
    for i, row in enumerate(grid[1:], start=1):
        agency, item = text(cell(row, cols["agency"])), normalize.item_code(text(cell(row, cols["item"])))
        if not agency or not item:
            continue
        key = RowKey(agency, item)
        first.setdefault(key, i)
        if text(cell(row, cols.get("status"))) != COPY_LABEL:
            unmarked.setdefault(key, i)
    return {key: unmarked.get(key, i) for key, i in first.items()}


def copies(grid: Grid, cols: Mapping[str, int]) -> dict[int, tuple[int, RowKey]]:
    """0-based index of each row whose key another row has -> (that row's index, the key): the
    other row is the one the worker reads and writes for the key (`key_index`).

    >>> copies([["รหัส", "ข้อ"], ["a", "O1"], ["a", "O2"], ["a", "1"], ["", ""], ["", ""]], {"agency": 0, "item": 1})
    {3: (1, RowKey(agency='a', item='O1'))}
    """
    index = key_index(grid, cols)
    out: dict[int, tuple[int, RowKey]] = {}
    for i, row in enumerate(grid[1:], start=1):
        agency, item = text(cell(row, cols["agency"])), normalize.item_code(text(cell(row, cols["item"])))
        if agency and item and index[RowKey(agency, item)] != i:
            out[i] = (index[RowKey(agency, item)], RowKey(agency, item))
    return out


def copy_values(url_text: str, first_row: int, key: RowKey) -> tuple[dict[str, str], str]:
    """The worker's cells and the URL cell's note for a copied row (1-based `first_row`: the row of
    the key that is checked). The copy's own URL is named as the one the cells speak of, so the
    sheet does not grey them as pending; nothing of the verdict it was copied with stays.

    >>> values, note = copy_values("https://a.go.th/o5-2", 12, RowKey("tt-a", "O5"))
    >>> values["status"], values["checked_url"], "แถวที่ 12" in note
    ('แถวซ้ำ (ไม่ได้ตรวจ)', 'https://a.go.th/o5-2', True)
    """
    values = dict.fromkeys(WORKER_KEYS, "")
    values["status"] = COPY_LABEL
    values["detail"] = (f"another row of {key.agency}/{key.item} (row {first_row}) is the one checked; "
                        "this row's URL is not checked")
    values["checked_url"] = capped(url_text)
    note = (f"แถวนี้ซ้ำกับแถวที่ {first_row} (หน่วยงาน {key.agency} ข้อ {key.item}) ระบบตรวจเฉพาะแถวที่ {first_row} "
            f"จึงไม่ได้ตรวจ URL ในแถวนี้\n"
            f"หากต้องการส่งหลาย URL ในข้อเดียวกัน ให้ใส่ทุก URL ไว้ในช่อง URL ของแถวที่ {first_row} "
            "(ขึ้นบรรทัดใหม่คั่นแต่ละ URL) แล้วลบแถวนี้")
    return values, note


def url_cell_text(value: object) -> str:
    """The URL cell as text, line breaks kept (several URLs may be separated by them)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def other_address(shown: object, link: str | None) -> str:
    """The address a URL cell links to when it shows another address (its other reading,
    SubmissionRow.link); '' when it shows no address (a label: it is read as its link) or the same.

    >>> other_address("https://a.go.th/o1-old", "https://a.go.th/o1"), other_address("https://a.go.th/o1", "https://a.go.th/o1/")
    ('https://a.go.th/o1', '')
    """
    shown, link = url_cell_text(shown), (link or "").strip()
    return link if link and "://" in shown and link.rstrip("/") != shown.rstrip("/") else ""


def submission_row(agency: Agency, item_code: str, catalog: Catalog) -> list[str]:
    item = catalog.item(item_code)
    assert item is not None
    values = {
        "agency": agency.code, "agency_name": agency.name, "district": agency.district,
        "round": str(item.round), "deadline": thai_date(catalog.round(item.round).deadline),
        "item": item.code, "item_title": item.title,
    }
    return [values.get(c.key, "") for c in SUBMISSION_COLUMNS]


def planned_keys(catalog: Catalog, agencies: Sequence[Agency]) -> list[RowKey]:
    """Every (agency, item) the sheet should have, sorted by agency then item number."""
    return [RowKey(a.code, i.code) for a in sorted(agencies, key=lambda a: a.code) for i in catalog.items]


def sort_key(key: RowKey) -> tuple[str, int]:
    return key.agency, int(key.item[1:])


# Excel's limit on a cell's text (Google's is 50,000 and refuses the whole batch for one cell over
# it): a URL cell showing a label over 200 links was read as 66,799 characters of links, and no
# row of any agency got its verdict, on every run.
CELL_CHARS = 32_767


def capped(text: str, limit: int = CELL_CHARS) -> str:
    """`text`, cut to `limit` characters with "…" when longer.

    >>> capped("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[:limit - 1] + "…"


def worker_values(verdict: Verdict, tz: ZoneInfo) -> dict[str, str]:
    """The worker's cells for a verdict, all text (never a formula, never a number), none longer
    than a cell may hold (`capped`)."""
    def when(dt: datetime | None) -> str:
        return thai_datetime(dt.astimezone(tz)) if dt else ""

    texts = {
        "status": verdict.status.label_th,
        "reasons": ", ".join(verdict.reasons),
        "http_status": str(verdict.http_status) if verdict.http_status else "",
        "final_url": verdict.final_url or "",
        "checked_at": when(verdict.checked_at),
        "first_submitted_at": when(verdict.first_submitted_at),
        "detail": verdict.detail,
        "checked_url": verdict.url_text,
    }
    return {key: capped(text) for key, text in texts.items()}


def stale_formula(url_letter: str, checked_letter: str, row: int = 2, formulas: bool | str = False) -> str:
    """True where the URL cell no longer holds the text the verdict judged (both backends'
    conditional formatting; EXACT, since `<>` ignores case and URL paths do not). With `formulas`
    (Google Sheets), a URL cell holding a formula is compared by its formula's text, which is what
    the worker reads and writes in the checked cell: `=HYPERLINK("…","โครงสร้าง")` shows its label,
    and its current verdict was greyed as pending on every run."""
    # A no-break space (pasted from a web page) is one more space the worker's reading strips at
    # the ends and TRIM does not: such a cell showed as pending forever, its verdict current.
    url = f"${url_letter}{row}"
    if formulas:  # in an .xlsx these functions are stored as _xlfn.* (`formulas="_xlfn."`), as Excel does
        p = formulas if isinstance(formulas, str) else ""
        url = f"IF({p}ISFORMULA({url}),{p}FORMULATEXT({url}),{url})"
    return (f'NOT(EXACT(TRIM(CLEAN(SUBSTITUTE({url},CHAR(160)," "))),'
            f'TRIM(CLEAN(SUBSTITUTE(${checked_letter}{row},CHAR(160)," ")))))')


def judged_another_url(row: SubmissionRow) -> bool:
    """Whether the verdict the sheet shows for `row` is about another URL than its URL cell's, so the
    sheet greys it as pending (`stale_formula`): the two cells as read (`read_submissions`), where a
    label over its link reads as the link and a =HYPERLINK formula as its text in both, as the
    worker judged and wrote them. False without a checked-URL column (the sheet has no rule then).

    >>> judged_another_url(SubmissionRow(RowKey("a", "O1"), "https://a.go.th/o1", previous_checked_url="https://a.go.th/x"))
    True
    """
    return row.previous_checked_url is not None and as_rule_reads(row.previous_checked_url) != as_rule_reads(row.url_text)


def as_rule_reads(text: str) -> str:
    r"""`text` as the stale rule compares it (`stale_formula`): no-break spaces as spaces, the
    characters 0-31 (CLEAN) taken out, spaces trimmed at the ends and squeezed between words
    (TRIM). The worker compared exactly and counted as not yet checked a row the sheet showed as
    current (a space doubled inside a cell's label or between two links).

    >>> as_rule_reads(" https://a.go.th/o1\u00a0 ข้อมูล\n")
    'https://a.go.th/o1 ข้อมูล'
    """
    return re.sub(" +", " ", re.sub("[\x00-\x1f]", "", text.replace("\u00a0", " "))).strip(" ")
