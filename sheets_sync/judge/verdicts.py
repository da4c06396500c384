"""Turning validation and check results into one verdict per row. Pure.

A row may hold several URLs: each is judged, and the row shows the worst, with every
reason and a Thai note that says what to fix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Mapping, Sequence

from sheets_sync.check import readings
from sheets_sync.check import years as Y
from sheets_sync.collect.cells import Candidate, Submission
from sheets_sync.config.settings import YearRule
from sheets_sync.core import reasons as R
from sheets_sync.core.models import CheckResult, Status, SubmissionRow, Verdict, worst


def judge_candidate(candidate: Candidate, result: CheckResult | None,
                    rule: YearRule | None = None) -> tuple[Status, tuple[str, ...]]:
    """Status and reasons of one URL: the worse of what validation and the checker found, and
    `no_fiscal_year` when the years its content shows do not fit the item's year `rule`
    (no rule: the year is not judged), `year_only_in_template` when only its site's template
    shows a year that fits."""
    codes = list(candidate.reasons)
    statuses = [R.status_of(candidate.reasons)]
    if candidate.valid:
        if result is None:
            statuses.append(Status.UNKNOWN)
            codes.append("check_failed")
        else:
            statuses.append(result.status)
            # An item without a year rule has nothing of its content judged: "its text could not
            # be read, look by hand" tells its agency nothing (an org chart's picture, a scan).
            unjudged = R.YEAR_LOOKS if rule is not None and not rule.checked else ()
            codes.extend(c for c in result.reasons if c not in codes and c not in unjudged)
            if rule is not None and not Y.fits(result.years, rule):
                # (fits() passes unread years, None, so here they were read)
                shown = Y.fits((*result.years, *result.template_years), rule)
                code = "year_only_in_template" if shown else "no_fiscal_year"
                statuses.append(R.REASONS[code].status)
                codes.append(code)
    return worst(statuses), tuple(codes)


def note_th(codes, rule: YearRule | None = None) -> str:
    """The Thai note for reason `codes` as the sheet writes it, the year notes naming `rule`'s
    years: the reminder e-mail, the ITAS list and `sheets-sync check` say the same."""
    return R.note_th(codes, Y.note_values(rule) if rule is not None else None)


def judge_rows(rows: Sequence[SubmissionRow], submissions: Sequence[Submission],
               results: Mapping[str, CheckResult], now: datetime, catalog) -> tuple[Verdict, ...]:
    """`judge_row` for each row, by its item's year rule in `catalog` (config.Catalog): the one
    way a sync and a watch pass judge, so a verdict never changes with the path that made it."""
    return tuple(judge_row(r, s, results, now, catalog.year_rule(r.key.item)) for r, s in zip(rows, submissions))


def judge_row(row: SubmissionRow, submission: Submission, results: Mapping[str, CheckResult],
              now: datetime, rule: YearRule | None = None) -> Verdict:
    """The verdict for one row; `rule` is its item's year rule.

    `first_submitted_at` keeps the earliest time a URL was seen in the row (from the sheet),
    or becomes `now` the first time the row has text.
    """
    if not submission.candidates:
        return Verdict(key=row.key, url_text=row.url_text, status=Status.EMPTY,
                       first_submitted_at=row.first_submitted_at)
    judged = []
    for c in submission.candidates:
        c = readings.chosen(c, results)  # a cell read two ways: the reading that opens
        result = results.get(c.url) if c.url else None
        status, codes = judge_candidate(c, result, rule)
        judged.append((c, result, status, codes))
    status = worst(s for _, _, s, _ in judged)
    codes: list[str] = []
    for _, _, _, cs in judged:
        codes.extend(x for x in cs if x not in codes)
    # The worst URL speaks for the row's HTTP columns.
    _, lead, _, _ = max(judged, key=lambda j: j[2].severity)
    note = note_th(codes, rule)
    if len(judged) > 1 and note:
        lines = [f"{c.url or c.raw}: {s.label_th}" for c, _, s, _ in judged]
        note = note + "\n\nแต่ละลิงก์:\n" + "\n".join(lines)
    details = []
    for c, result, s, cs in judged:
        if result is not None and result.detail:
            details.append(result.detail if len(judged) == 1 else f"{c.url}: {result.detail}")
        elif not c.valid:
            details.append(f"{c.raw[:80]}: {', '.join(cs)}")
    return Verdict(
        key=row.key,
        url_text=row.url_text,
        status=status,
        reasons=tuple(codes),
        http_status=lead.http_status if lead else None,
        final_url=lead.final_url if lead and lead.final_url != lead.url else None,
        checked_at=now,
        first_submitted_at=row.first_submitted_at or now,
        note_th=note,
        detail="; ".join(details)[:500],
    )
