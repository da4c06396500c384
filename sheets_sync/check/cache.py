"""Check results kept between runs in the state file, and the policy for re-checking.

* a URL not in the cache (new in the sheet, or changed to a new URL) is checked now;
* `broken`, `warning`, `unknown`, `blocked` results are checked again every run, and so is an
  `ok` result for a PDF read only in part (`document_unread`) or judged without its site's
  soft-404 probe, a page's sibling or the home page a rule asked for, which gave no answer this
  time (`CheckResult.unfinished`: stored past its TTL);
* an `ok` result is reused until it is `cache_ttl_hours` old, then checked with a conditional
  GET (If-None-Match / If-Modified-Since): a 304 keeps the cached verdict; a page read with the
  files or frames it shows keeps no validators (its own page unchanged says nothing of them);
* `fresh` reuses nothing (results are still stored, and the last verdict still tells a site
  down for a moment from one that never opened);
* URLs the last run ran out of time for (`stage_timeout`) are checked first, before any other;
* a `checker_offline` result is never stored: the last real verdict stays; nor is a
  `site_not_answering` one (not requested: its site's first requests got no answer), so a URL that
  opened before is still told, next run, from one that never did; nor a `site_maintenance` one
  (the site answered every address with its maintenance notice), nor a `rate_limited` one (a
  429 or 508 after the retries: the site was over its limit just then);
* a URL that opened at its last check and now gets no answer is `unknown`/`not_answering` until
  it has stayed down `outage_confirm_minutes` (check/outages.py);
* when the catalogue's year rules change, results read up to the pages that settled the old
  ones are dropped, once (`ResultCache.align_years`);
* results stored by other checker code (an upgrade: `CHECKER_CODE`, a digest of check/'s source)
  are not reused: each `ok` is asked again in full, once, by the code running now. An upgrade
  that fixed a false "ok" left it on the sheet, stamped with the new run's time, for the TTL;
* a URL the pipeline names in `recheck` (its row showed a problem, e.g. a year the item's rule
  does not accept, which the cache cannot judge: the rule belongs to the row) is checked now,
  conditionally when its cached result is `ok`: the agency's fix (a new file at the same address)
  answers 200 and is read, an unchanged file answers 304 and is not downloaded again.

`CachedChecker.check_many(urls, progress)` has the Checker's signature, so the pipeline uses
either. A state file that fails mid-run only costs the cache: the check goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

from sheets_sync.check import outages
from sheets_sync.check.years import FiscalYear
from sheets_sync.core.models import CheckResult, Status
from sheets_sync.core.redact import redact
from sheets_sync.state.store import State, open_state, register_schema

log = logging.getLogger(__name__)

# check_cache replaces url_cache, whose verdicts had one year's rule baked in (no_fiscal_year) and
# no years: that table is no longer read, so the first run after the upgrade checks every URL once.
register_schema("checker_cache", """
CREATE TABLE IF NOT EXISTS check_cache (
    url           TEXT PRIMARY KEY,
    status        TEXT NOT NULL,
    reasons       TEXT NOT NULL,          -- JSON list of reason codes
    http_status   INTEGER,
    final_url     TEXT,
    redirects     TEXT NOT NULL DEFAULT '[]',
    detail        TEXT NOT NULL DEFAULT '',
    etag          TEXT,
    last_modified TEXT,
    elapsed_ms    INTEGER NOT NULL DEFAULT 0,
    years         TEXT,                   -- JSON list of the years the content shows, or NULL: not read;
                                          -- {"years": [...], "template": [...]} when its template shows others
    checked_at    REAL NOT NULL           -- unix time of the last real check (or 304)
);
""")

# The year sets the cached PDF years were read up to (Checker.pdf_years): a PDF's reading stops
# once its pages settle them, so its years may be those of its first pages only. They judge the
# same rules exactly as the whole text would, but not a rule the catalogue gains later.
register_schema("checker_cache_years", """
CREATE TABLE IF NOT EXISTS check_cache_years (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    sets  TEXT NOT NULL                   -- JSON list of year lists; [] (or no row): every page read
);
""")

# One-time changes made to the cached rows, by name.
register_schema("checker_cache_marks", """
CREATE TABLE IF NOT EXISTS check_cache_marks (
    mark TEXT PRIMARY KEY
);
""")
# Each time the checker learns to read more of an answer, rows stored before keep a reading made
# without it, and a 304 to their validators would keep it for good: each such change drops every
# cached row's validators once (a full GET, once, for each row past its TTL; no verdict changes).
VALIDATOR_MARKS = (
    # A result read with the files or frames its page shows keeps no validators (Checker._classify);
    # rows stored before did, and a 304 for such a page kept a reading its files may have outgrown.
    "no validators for pages read with the files they show",
    # Office files' years are read, the files script viewers draw into a page, a flipbook in a
    # frame is a file shown, and a PDF without a year on its first pages is read on: an Excel
    # file's "ok", a PDF Embedder or AnyFlip page's or a long report's "no 2566", stored before,
    # were read without them.
    "no validators for results read before office files, script viewers, flipbooks and long reports were read",
    # An item page that only links its file from its own content has the file read (check/linked.py):
    # its "no 2566", stored before, was read from its heading alone; an image's "ok" and a CSV's
    # unread years, a page of scanned pictures, a file dated only dd/mm/yy and a list whose year
    # filter's every option was read, stored before, were judged without them.
    "no validators for results read before linked files, pictures, text files, dd/mm/yy dates and drop-downs",
    # The years a site's template shows on every page are not a page's own (check/template.py): an
    # "ok", stored before, may rest on the header's date alone.
    "no validators for results read before the template's years were told from the page's",
    # A query-string site's template is told by the page's sibling (check/sibling.py), and a
    # breadcrumb trail's sections are the site's navigation: an "ok", stored before, may rest on
    # the header's date or the trail's "ITA 2566" alone; and a list a script fills
    # (check/scripted.py) or e-GP's list in a frame made a "no 2566".
    "no validators for results read before siblings, breadcrumb trails, lists scripts fill and e-GP frames",
    # A site's error, a host's page or an intruder's sent with 200 (check/errorpages.py) was a
    # "no 2566" or a "not found", a page whose own files are all "not found" (check/linked.py)
    # a "no 2566" or a look by hand, a PDF sent as text/html and a page that says its data is being
    # prepared an "ok", each stored with the validators of an answer that has not changed since.
    ("no validators for results read before error, hosting, defaced and placeholder pages, missing files and files "
     "sent as pages"),
    # A gambling site's page where the agency's was (check/errorpages.py) was an "ok" by the year
    # its spam names, a page whose Thai a browser shows as gibberish (check/charsets.py) an "ok",
    # a PDF with a password to open it "damaged, upload it again", a page sent on to a home page
    # in one language ("/th/") an "ok" by the home page's news, and a CMS's "record deleted" or
    # "not authorised" notice a "no 2566".
    ("no validators for results read before gambling pages, pages whose named character set is not theirs, "
     "password PDFs, home pages in one language and notices of records gone or not for the visitor"),
    # A web server's 403 or 5xx page sent with 200 (errorpages.status_page) was a "no 2566", a
    # listing of a folder (content.read_html) an "ok" by the times its files were uploaded, and
    # a page linking its file through a download script (content.download_script) or a link's
    # script a "no 2566", a page whose only 2566 was a telephone number's last group an "ok", and
    # bytes a browser shows as gibberish (content.binary_page) a "no 2566", a redirect to the
    # site's not-found page by its name (content.redirected_to_not_found) an "ok", and a page
    # whose year was only its file link's text (content.years_beside_file_links) an "ok".
    ("no validators for results read before servers' status pages sent with 200, folder listings, "
     "download scripts, links' scripts, telephone numbers, binary pages, redirects to not-found pages and "
     "years only in files' links"),
    # Zero-width spaces inside a year or a notice's words (template.text_of), "รอ อัพเดท" and the
    # status words of placeholder.py, a 500 page on a site whose not-found page dies too, more
    # download scripts' names, months without their inner dot, "ไม่พบข้อมูล" under a dated
    # heading, a login box in a page-wide form, a footer's fatal error under a file, a PDF drawn
    # by PDFObject, files behind postbacks and a Thai file name in a Windows-874 page's link: each
    # was a "no 2566", an "ok" or a "broken" that a 304 would have kept.
    ("no validators for results read before invisible characters, update notices, pages sent with 500 "
     "everywhere, viewfile scripts, dotless months, no-data headings, page-wide forms, footer errors, "
     "PDFObject, postbacks, links' queries in a page's encoding and subfolder sites' home pages"),
    # A "<" before a space read as text (template.text_of), a list of yearly files read from this
    # year's (check/linked.py), a plan's period with its year words, a visitor counter, an amount
    # or a telephone number in Thai digits (years.years_in), a workbook's sheet names, an archive
    # storing a PDF, an error or a bare "file not found" sent as the file (content.failed_pdf,
    # content.bare_not_found): each was a "no 2566", an "ok" or a look by hand that a 304 would
    # have kept.
    ("no validators for results read before text with '<', yearly files' lists, periods with year words, "
     "counts, amounts, Thai telephone digits, sheet names, archives, errors sent as PDFs and bare not-found answers"),
)



def _code_digest(folder: Path = Path(__file__).parent) -> str:
    """A digest of the checker's source (every .py file of check/): what made a cached result."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


CHECKER_CODE = _code_digest()
_CODE_MARK = "checker code "  # check_cache_marks holds one such mark: the code the cached rows came from

# Results that say nothing of the URL, only of this run: the last real result stays.
NOT_STORED = frozenset({"checker_offline", "site_not_answering", "site_maintenance", "rate_limited"})

_COLUMNS = ("url", "status", "reasons", "http_status", "final_url", "redirects", "detail", "etag",
            "last_modified", "elapsed_ms", "years", "checked_at")


@dataclass(frozen=True)
class Entry:
    result: CheckResult
    checked_at: float


class ResultCache:
    """The check_cache table."""

    def __init__(self, state: State, code: str = CHECKER_CODE) -> None:
        self.state = state
        self._forget_old_validators()
        self._age_results_of_other_code(code)

    def _age_results_of_other_code(self, code: str) -> None:
        """Once per checker code: every cached row made by other code is made past its TTL and
        loses its validators, so each `ok` is asked again in full (a 304 would keep the old code's
        reading). The rows stay: a site down for a moment is still told from one that never opened."""
        try:
            have = [m for (m,) in self.state.db.execute(
                "SELECT mark FROM check_cache_marks WHERE mark LIKE ?", (_CODE_MARK + "%",))]
            if have == [_CODE_MARK + code]:
                return
            with self.state.transaction() as db:
                changed = db.execute("UPDATE check_cache SET etag = NULL, last_modified = NULL, checked_at = 0").rowcount
                db.execute("DELETE FROM check_cache_marks WHERE mark LIKE ?", (_CODE_MARK + "%",))
                db.execute("INSERT INTO check_cache_marks (mark) VALUES (?)", (_CODE_MARK + code,))
            if changed:
                log.info("cache: the checker's code changed since %d stored results were made; each is checked again",
                         changed)
        except sqlite3.Error as e:
            log.warning("could not update the cached results (%s); they are used as they are", e)

    def _forget_old_validators(self) -> None:
        """Drops the validators of every cached row once per mark of VALIDATOR_MARKS the state
        file has not had yet. Costs a full GET, once, for each ok row past its TTL; changes no verdict."""
        try:
            done = {m for (m,) in self.state.db.execute("SELECT mark FROM check_cache_marks")}
            if done.issuperset(VALIDATOR_MARKS):
                return
            with self.state.transaction() as db:
                db.execute("UPDATE check_cache SET etag = NULL, last_modified = NULL")
                db.executemany("INSERT OR IGNORE INTO check_cache_marks (mark) VALUES (?)",
                               [(m,) for m in VALIDATOR_MARKS])
        except sqlite3.Error as e:
            log.warning("could not update the cached results (%s); they are used as they are", e)

    def load(self, urls: Iterable[str]) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        for row in self.state.rows_by_url(f"SELECT {', '.join(_COLUMNS)} FROM check_cache WHERE url IN", urls):
            rec = dict(zip(_COLUMNS, row))
            try:
                result = CheckResult(
                    url=rec["url"], status=Status(rec["status"]), reasons=tuple(json.loads(rec["reasons"])),
                    http_status=rec["http_status"], final_url=rec["final_url"],
                    redirects=tuple(json.loads(rec["redirects"])), detail=rec["detail"], etag=rec["etag"],
                    last_modified=rec["last_modified"], elapsed_ms=rec["elapsed_ms"],
                    **_years(rec["years"]))
            except (ValueError, TypeError, KeyError):
                continue  # a row we cannot read is a row we check again
            out[rec["url"]] = Entry(result, float(rec["checked_at"]))
        return out

    def align_years(self, sets: tuple[tuple[int, ...], ...]) -> bool:
        """Makes the cached years fit to be judged by the rules of `sets` (Checker.pdf_years).
        Results read with other sets are dropped (True), so every URL is checked again once: a
        PDF may have been read only up to a page that settled rules no longer in force. Results
        read to the last page (no sets, as before this table) stay; so do those read with the
        same sets."""
        wanted = json.dumps([list(s) for s in sets])
        row = self.state.db.execute("SELECT sets FROM check_cache_years WHERE id = 1").fetchone()
        had = row[0] if row else "[]"
        if had == wanted:
            return False
        with self.state.transaction() as db:
            if had != "[]":
                db.execute("DELETE FROM check_cache")
            db.execute("INSERT OR REPLACE INTO check_cache_years (id, sets) VALUES (1, ?)", (wanted,))
        return had != "[]"

    def store(self, results: Iterable[CheckResult], at: float) -> None:
        """Stores the results (their error text redacted, like every error text in the state file).
        An `unfinished` one (judged without a request of its site's that gave no answer this time)
        is stored as already past its TTL, as a result of other code is: asked again next run, in
        full (it keeps no validators), while the site's other results are reused as ever."""
        rows = [(r.url, r.status.value, json.dumps(list(r.reasons)), r.http_status, r.final_url,
                 json.dumps(list(r.redirects)), redact(r.detail), r.etag, r.last_modified, r.elapsed_ms,
                 _years_json(r), 0.0 if r.unfinished else at)
                for r in results if NOT_STORED.isdisjoint(r.reasons)]
        with self.state.transaction() as db:
            db.executemany(f"INSERT OR REPLACE INTO check_cache ({', '.join(_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(_COLUMNS))})", rows)


class CachedChecker:
    """Wraps a Checker with the cache and the re-check policy above."""

    def __init__(self, checker, state: State, fresh: bool = False, ttl_hours: float | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.checker = checker
        self.cache = ResultCache(state)
        self.fresh = fresh
        hours = checker.settings.cache_ttl_hours if ttl_hours is None else ttl_hours
        self.ttl_s = hours * 3600
        self.now = now
        self.reused = 0  # URLs answered from the cache in the last check_many, without a request

    @property
    def settings(self):
        return self.checker.settings

    def __enter__(self) -> "CachedChecker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.checker.close()

    def check(self, url: str) -> CheckResult:
        return self.check_many([url])[url]

    def plan(self, urls: Iterable[str], recheck: Iterable[str] = ()
             ) -> tuple[dict[str, CheckResult], list[str], dict[str, tuple], dict[str, Entry]]:
        """(results reused as they are, URLs to check, validators for conditional GETs, cache entries)."""
        unique = list(dict.fromkeys(urls))
        recheck = set(recheck)
        try:
            if self.cache.align_years(getattr(self.checker, "pdf_years", ())):
                log.info("cache: the catalogue's year rules changed; every URL is checked again")
            # Loaded with --fresh too: nothing is reused, but a site down for a moment is still
            # told from one that never opened (check/outages.py).
            entries = self.cache.load(unique)
        except sqlite3.Error as e:
            log.warning("state file unreadable (%s); checking every URL", e)
            entries = {}
        now = self.now()
        reuse: dict[str, CheckResult] = {}
        check: list[str] = []
        validators: dict[str, tuple] = {}
        late: list[str] = []  # the last run's check stage ran out of time before these
        for url in unique:
            entry = None if self.fresh else entries.get(url)
            if entry is not None and "stage_timeout" in entry.result.reasons:
                late.append(url)
            elif entry is None or entry.result.status is not Status.OK or _unfinished(entry):
                check.append(url)
            elif now - entry.checked_at < self.ttl_s and url not in recheck:
                reuse[url] = entry.result
            else:
                # Past its TTL, or its row showed a problem (another year, say): asked again,
                # conditionally. A file the agency replaced answers 200 and is read anew; one
                # left as it was answers 304 and keeps its reading (a 30 MB report of last year
                # is not downloaded again every run).
                check.append(url)
                if entry.result.etag or entry.result.last_modified:
                    validators[url] = (entry.result.etag, entry.result.last_modified)
        return reuse, late + check, validators, entries

    def check_many(self, urls: Iterable[str], progress: Callable[[int, int], None] | None = None,
                   recheck: Iterable[str] = ()) -> dict[str, CheckResult]:
        """`recheck`: URLs to check now even when a fresh ok result is cached."""
        reuse, to_check, validators, entries = self.plan(urls, recheck)
        total, base = len(reuse) + len(to_check), len(reuse)
        self.reused = base
        log.info("cache: %d URLs fresh (not requested), %d to check (%d conditionally)",
                 base, len(to_check), len(validators))
        if progress and base:
            progress(base, total)
        inner = (lambda done, _n: progress(base + done, total)) if progress else None
        checked = self.checker.check_many(to_check, progress=inner, validators=validators) if to_check else {}
        new: dict[str, CheckResult] = {}
        for url, r in checked.items():
            if r.http_status == 304 and url in entries and r.status is Status.OK:
                cached = entries[url].result
                r = replace(cached, elapsed_ms=r.elapsed_ms, detail=cached.detail or "HTTP 304 not modified")
            new[url] = r
        # A site down for a moment is not "broken" until it has stayed down (check/outages.py).
        new = outages.confirm(self.cache.state, new, {u: e.result for u, e in entries.items()}, self.now(),
                              60 * self.settings.outage_confirm_minutes)
        try:
            self.cache.store(new.values(), self.now())
        except sqlite3.Error as e:
            log.warning("could not save check results to the state file (%s); next run checks them again", e)
        return {**reuse, **new}


def _unfinished(entry: Entry) -> bool:
    """An ok verdict the checker could not finish (a large PDF read in part): checked every run."""
    return "document_unread" in entry.result.reasons


class _OwnedStateChecker(CachedChecker):
    def close(self) -> None:
        try:
            super().close()
        finally:
            self.cache.state.close()


def open_cached(checker, state_path: str, fresh: bool = False):
    """`checker` behind the cache in the state file at `state_path` (opened here, closed by
    close(); a corrupt or missing file is rebuilt by State, never fatal)."""
    state = open_state(state_path)
    return checker if state is None else _OwnedStateChecker(checker, state, fresh=fresh)


def _years(stored: str | None) -> dict:
    """CheckResult's `years` and `template_years` from the years column (`_years_json`)."""
    if stored is None:
        return {"years": None}
    value = json.loads(stored)
    if isinstance(value, dict):
        fiscal = set(value.get("fiscal", ()))
        return {"years": tuple(FiscalYear(y) if y in fiscal else int(y) for y in value["years"]),
                "template_years": tuple(int(y) for y in value.get("template", ()))}
    return {"years": tuple(int(y) for y in value)}


def _years_json(result: CheckResult) -> str | None:
    """The years column of `result`: a list, or with its template's years or the years it names as
    fiscal years (years.FiscalYear) an object (read by `_years`; a row older code cannot read is
    one it checks again)."""
    if result.years is None:
        return None
    fiscal = [int(y) for y in result.years if isinstance(y, FiscalYear)]
    if result.template_years or fiscal:
        stored = {"years": [int(y) for y in result.years], "template": list(result.template_years)}
        if fiscal:
            stored["fiscal"] = fiscal
        return json.dumps(stored)
    return json.dumps(list(result.years))
