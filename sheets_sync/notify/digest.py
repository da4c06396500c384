"""What the reminders say: pure functions from the history's frame, the catalogue, the agencies
and the moment to e-mail contents (Thai subject, plain text and HTML). Nothing here sends.

An agency's open problems are its rows that are broken, invalid, blocked or warning (any round),
and its rows still empty in a round whose deadline is the reminder's deadline or earlier. Rows
the checker could not check (unknown) are left out: there is nothing the agency can do about them.
A reminder counts only the rows to fix for its deadline; warnings and early rows of later rounds
are listed apart, uncounted (`Groups`).
The Thai notes are the sheet's own (core.reasons), so the e-mail and the sheet never disagree.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping, Sequence

import pandas as pd

from sheets_sync.config.settings import Agency, Catalog, Settings, deliverable
from sheets_sync.core.models import Status
from sheets_sync.core.thai import days_left, thai_date, thai_datetime
from sheets_sync.judge import verdicts as judge
from sheets_sync.notify.freshness import Checked
from sheets_sync.notify.schedule import Slot
from sheets_sync.report import summary as S

PROBLEM_STATUSES = (Status.BROKEN.value, Status.INVALID.value, Status.BLOCKED.value, Status.WARNING.value)
EMPTY_NOTE = "ยังไม่ได้ส่ง URL ของข้อนี้ ให้วาง URL ของหน้าที่เผยแพร่ข้อมูลข้อนี้ในคอลัมน์ URL"
FONT_STACK = '"Sarabun", "TH Sarabun New", "Leelawadee UI", Tahoma, "Noto Sans Thai", sans-serif'
STATUS_COLOURS = {"broken": "#FFCDD2", "invalid": "#FFAB91", "blocked": "#D1C4E9", "warning": "#FFF59D",
                  "empty": "#EEEEEE"}


@dataclass(frozen=True)
class Problem:
    """One row an agency should fix: the item, what is wrong and how to fix it."""

    item: str
    title: str
    round: int
    deadline: date
    status: Status
    reasons: tuple[str, ...]
    url: str
    note: str  # Thai: the sheet's note for these reasons, or how to fill an empty row


@dataclass(frozen=True)
class Digest:
    """One e-mail, before it is an e-mail: who, what, and the key the ledger remembers it by."""

    key: str  # stable: the same reminder to the same agency is the same key on every run
    kind: str  # agency | coordinators
    slot: str
    agency: str  # agency code, "" for the coordinators' digest
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    fingerprint: str  # of the problem list: tells whether it changed since the last reminder
    problems: int = 0  # items to fix for the reminder's deadline (what the subject counts)
    advisory: int = 0  # listed but not counted: warnings, and failing items of later rounds sent early

    def line(self) -> str:
        """One line for `remind --dry-run`."""
        what = (f"{self.problems} item(s) to fix" + (f", {self.advisory} to look at" if self.advisory else "")
                if self.kind == "agency" else "coordinators' digest")
        return f"{', '.join(self.to) or '(no address)'} | {self.subject} | {what}"


# ---------------------------------------------------------------- problems
def problems_by_agency(history: pd.DataFrame, agencies: Sequence[Agency], catalog: Catalog, until: date,
                       tz) -> dict[str, list[Problem]]:
    """Agency code -> its open problems (see the module's docstring), in item order. `history`:
    `History.as_of(now)`; `until`: empty rows count in rounds whose deadline is on or before it."""
    df = S.frame(None, agencies, catalog, history, tz)
    if history is not None and len(history):
        extra = history[["agency", "item", "url_text", "reasons"]]
        df = df.merge(extra, on=["agency", "item"], how="left")
    else:
        df["url_text"], df["reasons"] = "", ""
    out: dict[str, list[Problem]] = {}
    for row in df.sort_values(["agency", "number"]).itertuples(index=False):
        status = row.status
        empty_due = status == Status.EMPTY.value and row.deadline <= until
        if status not in PROBLEM_STATUSES and not empty_due:
            continue
        codes = tuple(c for c in str(row.reasons or "").split(",") if c) if isinstance(row.reasons, str) else ()
        note = EMPTY_NOTE if status == Status.EMPTY.value else (
            judge.note_th(codes, catalog.year_rule(row.item)) or Status(status).label_th)
        item = catalog.item(row.item)
        out.setdefault(row.agency, []).append(Problem(
            item=row.item, title=item.title if item else "", round=int(row.round), deadline=row.deadline,
            status=Status(status), reasons=codes, url=row.url_text if isinstance(row.url_text, str) else "",
            note=note))
    return out


def missed(problems: Sequence[Problem], round_number: int) -> bool:
    """Whether an agency missed a round: an item of it is still empty or failing (a warning passes)."""
    return any(p.round == round_number and p.status is not Status.WARNING for p in problems)


def fingerprint(problems: Sequence[Problem]) -> str:
    text = "\n".join(f"{p.item}|{p.status.value}|{','.join(p.reasons)}|{p.url}" for p in problems)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def valid_addresses(agency: Agency) -> tuple[str, ...]:
    out: list[str] = []
    for address in map(deliverable, agency.reminder_emails):
        if address and address.lower() not in (o.lower() for o in out):
            out.append(address)
    return tuple(out)


def sheet_link(settings: Settings, agency_code: str = "") -> str:
    """The link in the e-mails: `notify.sheet_url` ({agency} becomes the code), else the Google
    Sheet of `backend.spreadsheet`; "" when there is none (the xlsx on the coordinators' disk)."""
    url = settings.notify.sheet_url.strip()
    if url:
        return url.replace("{agency}", agency_code)
    sheet = settings.backend.spreadsheet.strip()
    if settings.backend.kind == "gsheets" and sheet:
        return sheet if sheet.startswith("https://") else f"https://docs.google.com/spreadsheets/d/{sheet}/edit"
    return ""


def _tag(catalog: Catalog) -> str:
    return f"[ITA {catalog.year} {catalog.province.name_th}]"


def _contact_lines(catalog: Catalog) -> tuple[str, ...]:
    """How to reach the province's team, from the catalogue's contacts (issue 13 adds them to the
    catalogue: LINE Open Chat name, phones, other lines); none while a catalogue has no contacts."""
    contacts = getattr(catalog, "contacts", None)
    if contacts is None:
        return ()
    ask = []
    if getattr(contacts, "line_open_chat", ""):
        ask.append(f"LINE Open Chat \"{contacts.line_open_chat}\"")
    if getattr(contacts, "phones", ()):
        ask.append("โทร " + " หรือ ".join(contacts.phones))
    return ((f"สอบถาม: {' หรือ '.join(ask)}",) if ask else ()) + tuple(getattr(contacts, "other", ()))


# ---------------------------------------------------------------- agency digest
@dataclass(frozen=True)
class Groups:
    """An agency's problems as a reminder tells them.

    to_fix: empty or failing rows of the rounds due by the reminder's deadline (this round and
    earlier ones): the only rows counted in the subject and the lead. early: failing rows of later
    rounds, sent before their round (worth fixing now, not yet due). to_review: warnings, which
    passed the preliminary check (ผ่านเบื้องต้น) by the tool's own definition, so never counted
    as failures."""

    to_fix: tuple[Problem, ...]
    early: tuple[Problem, ...]
    to_review: tuple[Problem, ...]


def group(problems: Sequence[Problem], deadline: date) -> Groups:
    """Splits an agency's problems for a reminder about `deadline` (see Groups)."""
    failing = [p for p in problems if p.status is not Status.WARNING]
    return Groups(to_fix=tuple(p for p in failing if p.deadline <= deadline),
                  early=tuple(p for p in failing if p.deadline > deadline),
                  to_review=tuple(p for p in problems if p.status is Status.WARNING))


def _sections(g: Groups) -> list[tuple[str, str, tuple[Problem, ...]]]:
    """(heading, last column's heading, rows) of each non-empty group, in reading order."""
    return [(title, column, rows) for title, column, rows in (
        (f"ข้อที่ต้องแก้ไขหรือยังไม่ได้ส่ง ({len(g.to_fix)} ข้อ)", "สิ่งที่ต้องแก้ไข", g.to_fix),
        (f"ข้อของรอบถัดไปที่ส่งล่วงหน้าแต่ยังไม่ผ่านการตรวจเบื้องต้น ({len(g.early)} ข้อ ยังไม่ถึงกำหนดส่ง "
         f"แก้ไขได้ตั้งแต่ตอนนี้)", "สิ่งที่ต้องแก้ไข", g.early),
        (f"ควรตรวจ ({len(g.to_review)} ข้อ): ผ่านการตรวจเบื้องต้นแล้ว ไม่นับเป็นข้อที่ต้องแก้ไข "
         f"แต่ควรตรวจตามคำแนะนำ", "คำแนะนำ", g.to_review),
    ) if rows]


def _counts(g: Groups) -> str:
    """The subject's counts: "มี 2 ข้อต้องแก้ไข และ 1 ข้อควรตรวจ"."""
    parts = [f"{n} {what}" for n, what in ((len(g.to_fix), "ข้อต้องแก้ไข"),
                                           (len(g.early), "ข้อที่ส่งล่วงหน้ายังไม่ผ่าน"),
                                           (len(g.to_review), "ข้อควรตรวจ")) if n]
    if len(parts) > 1:
        parts = [" ".join(parts[:-1]) + " และ " + parts[-1]]
    return "มี " + (parts[0] if parts else "0 ข้อต้องแก้ไข")


def _lead(slot: Slot, g: Groups, now: datetime) -> tuple[str, str]:
    """(the subject's "when", the e-mail's first sentence) for the slot."""
    rnd = slot.round
    deadline, long = thai_date(rnd.deadline), thai_date(rnd.deadline, long=True)
    n = len(g.to_fix)
    if slot.kind == "after":
        return (f"เลยกำหนดส่งรอบที่ {rnd.number} ({deadline}) แล้ว",
                f"กำหนดส่ง URL รอบที่ {rnd.number} สิ้นสุดเมื่อ {long} ระบบพบว่ายังมีข้อที่ยังไม่ส่งหรือยังไม่ผ่าน"
                f"การตรวจเบื้องต้น {n} ข้อ ขอให้แก้ไขโดยเร็ว แล้วแจ้งผู้ประสานงานจังหวัด")
    left = days_left(rnd.deadline, now.date())
    found = (f"ระบบตรวจ URL พบ {n} ข้อที่ต้องแก้ไขหรือยังไม่ได้ส่ง ดังนี้" if n else
             "ข้อที่ต้องส่งภายในกำหนดนี้ส่งครบและผ่านการตรวจเบื้องต้นแล้ว มีข้อที่ควรดูเพิ่มเติมดังนี้")
    return (f"{left} ถึงกำหนดส่งรอบที่ {rnd.number} ({deadline})",
            f"กำหนดส่ง URL รอบที่ {rnd.number} คือ {long} ({left}) {found}")


def _text_rows(problems: Sequence[Problem]) -> list[str]:
    lines = []
    for i, p in enumerate(problems, start=1):
        lines.append(f"{i}. {p.item} {p.title} (รอบที่ {p.round} กำหนดส่ง {thai_date(p.deadline)}): "
                     f"{p.status.label_th}")
        if p.url:
            lines.append(f"   URL: {p.url}")
        lines += [f"   {line}" for line in p.note.splitlines()]
    return lines


def _html_table(problems: Sequence[Problem], last_column: str) -> str:
    rows = []
    for p in problems:
        url = (f'<br><a href="{html.escape(p.url)}" style="color:#1a5fb4;word-break:break-all">'
               f'{html.escape(p.url)}</a>' if p.url.startswith(("http://", "https://")) else
               f"<br><span style=\"color:#555\">{html.escape(p.url)}</span>" if p.url else "")
        colour = STATUS_COLOURS.get(p.status.value, "#FFFFFF")
        note = "<br>".join(html.escape(line) for line in p.note.splitlines())
        rows.append(
            f'<tr><td style="{_TD}white-space:nowrap"><b>{html.escape(p.item)}</b></td>'
            f'<td style="{_TD}">{html.escape(p.title)}{url}</td>'
            f'<td style="{_TD}white-space:nowrap">{p.round} ({html.escape(thai_date(p.deadline))})</td>'
            f'<td style="{_TD}background:{colour};white-space:nowrap">{html.escape(p.status.label_th)}</td>'
            f'<td style="{_TD}">{note}</td></tr>')
    head = "".join(f'<th style="{_TH}">{html.escape(h)}</th>' for h in (*_HEAD, last_column))
    return (f'<table style="border-collapse:collapse;width:100%;font-size:14px">'
            f'<tr>{head}</tr>{"".join(rows)}</table>')


def checked_line(checked: Checked | None) -> str:
    """When the results the e-mail gives were checked (never the time it is sent: a reader who
    fixed a link after that check must be able to tell the e-mail predates the fix)."""
    if checked is None:
        return "ระบบยังไม่ได้ตรวจข้อมูลของหน่วยงานนี้"
    oldest, newest = thai_datetime(checked.oldest), thai_datetime(checked.newest)
    if oldest == newest:
        return f"ข้อมูลจากผลการตรวจของระบบเมื่อ {oldest} น."
    return f"ข้อมูลจากผลการตรวจของระบบระหว่าง {oldest} น. ถึง {newest} น."


def agency_digest(agency: Agency, problems: Sequence[Problem], slot: Slot, catalog: Catalog, settings: Settings,
                  now: datetime, checked: Checked | None = None) -> Digest:
    """The e-mail to one agency: what it must fix for the slot's deadline (counted), then failing
    items of later rounds and the warnings (each in its own section, not counted), the link, the
    days left and when its rows were checked (`checked`, from the history)."""
    g = group(problems, slot.round.deadline)
    when, lead = _lead(slot, g, now)
    subject = f"{_tag(catalog)} {agency.name}: {when} {_counts(g)}"
    # The agency's own filter view when init made one: it opens on just its 43 rows.
    link = agency.view_link if agency.view_link.startswith("https://") else sheet_link(settings, agency.code)
    where = (f"แก้ไขได้ที่ชีตส่ง URL: {link}" if link else
             "แก้ไขได้ในไฟล์ชีตส่ง URL ของจังหวัด แท็บ \"ส่ง URL\"")
    where += f" (กรองคอลัมน์รหัสหน่วยงาน = {agency.code})"
    checked_text = checked_line(checked)
    sections = _sections(g)
    text_lines = [f"เรียน {agency.name}", "", lead]
    for title, _, rows in sections:
        text_lines += ["", title, *_text_rows(rows)]
    text_lines += ["", where, checked_text, "", *_contact_lines(catalog), _footer(catalog)]
    body = "\n".join(text_lines).replace("\n\n\n", "\n\n")

    button = (f'<p><a href="{html.escape(link)}" style="display:inline-block;background:#1a5fb4;color:#fff;'
              f'padding:8px 18px;border-radius:4px;text-decoration:none">เปิดชีตส่ง URL ของหน่วยงาน</a></p>'
              if link else "")
    tables = [f'<h3 style="margin:14px 0 4px 0;font-size:16px">{html.escape(title)}</h3>{_html_table(rows, column)}'
              for title, column, rows in sections]
    page = _page(subject, [
        f"<p>เรียน {html.escape(agency.name)}</p>",
        f'<p style="font-size:16px"><b>{html.escape(lead)}</b></p>',
        *tables, button,
        f"<p>{html.escape(where)}</p>",
        f'<p style="color:#555">{html.escape(checked_text)}</p>',
    ], catalog)
    # The deadline is part of the key: a round whose deadline the catalogue moves gets the reminders
    # of its new date (its 'r2-7d' is another day's message, about another date), not "already sent".
    key = f"agency:{slot.id}:{slot.round.deadline.isoformat()}:{agency.code}"
    return Digest(key=key, kind="agency", slot=slot.id, agency=agency.code,
                  to=valid_addresses(agency), subject=subject, text=body, html=page,
                  fingerprint=fingerprint(problems), problems=len(g.to_fix),
                  advisory=len(g.early) + len(g.to_review))


_HEAD = ("ข้อ", "หัวข้อ / URL ที่ส่ง", "รอบ (กำหนดส่ง)", "สถานะ")
_TD = "border:1px solid #bbb;padding:6px 8px;vertical-align:top;"
_TH = "border:1px solid #bbb;padding:6px 8px;background:#ddebf7;text-align:left;"


def _footer(catalog: Catalog) -> str:
    return (f"อีเมลนี้ส่งโดยระบบตรวจ URL แบบวัด OIT ITA ปี พ.ศ. {catalog.year} {catalog.province.title} (sheets-sync) "
            f"โดยอัตโนมัติ หากแก้ไขแล้ว ระบบจะตรวจซ้ำในรอบถัดไป ไม่ต้องตอบกลับอีเมลนี้")


def _page(title: str, parts: Sequence[str], catalog: Catalog) -> str:
    contacts = "".join(f"<p>{html.escape(c)}</p>" for c in _contact_lines(catalog))
    return (f'<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body style="margin:0;padding:16px;background:#f4f6f8">'
            f'<div style="max-width:860px;margin:0 auto;background:#fff;padding:20px 24px;border-radius:6px;'
            f"font-family:{FONT_STACK.replace(chr(34), chr(39))};font-size:15px;line-height:1.6;color:#111\">"
            f'<div style="color:#1a5fb4;font-weight:bold">{html.escape(_tag(catalog))}</div>'
            + "".join(parts) + contacts +
            f'<p style="color:#777;font-size:12px;border-top:1px solid #ddd;padding-top:8px">'
            f"{html.escape(_footer(catalog))}</p></div></body></html>")


# ---------------------------------------------------------------- coordinators' digest
@dataclass(frozen=True)
class Sent:
    """An agency digest the ledger says went out (or failed) today, or one this run held back
    because the agency's rows were not all checked since the reminders' time, for the coordinators."""

    agency: str
    recipients: tuple[str, ...]
    state: str  # sent | failed | held
    error: str = ""
    checked: datetime | None = None  # held: the oldest check of the agency's rows (None: never checked)


def unusable(agency: Agency) -> tuple[str, ...]:
    """The agency's addresses no mail can be sent to (a Thai mailbox name, a typo), as typed."""
    return tuple(a for a in agency.reminder_emails if deliverable(a) is None)


def _sent_line(s: Sent, names: Mapping[str, str], left_out: Sequence[str] = ()) -> str:
    who = f"{names.get(s.agency, s.agency)} ({s.agency})"
    # Left out beside a usable one, the address was dropped without a word and never fixed.
    skipped = f" (ไม่ได้ส่งถึงอีเมลที่ไม่ถูกต้อง: {', '.join(left_out)})" if left_out else ""
    if s.state == "held":
        last = f"ตรวจล่าสุด {thai_datetime(s.checked)} น." if s.checked else "ระบบยังไม่เคยตรวจ"
        return (f"{who}: ยังไม่ได้ส่ง เพราะบางข้อยังไม่ได้ตรวจใหม่หลังเวลาแจ้งเตือน ({last}) จะส่งเมื่อระบบตรวจครบ"
                + skipped)
    if s.state == "sent":  # a sent message's error: the addresses the server refused beside those it took
        return f"{who} ถึง {', '.join(s.recipients)}" + (f" (ส่งไม่ถึง {s.error})" if s.error else "") + skipped
    return f"{who} ถึง {', '.join(s.recipients)} (ส่งไม่สำเร็จ: {s.error})" + skipped


def coordinators_digest(day_id: str, agencies: Sequence[Agency], catalog: Catalog, settings: Settings,
                        now: datetime, today: pd.DataFrame, yesterday: pd.DataFrame,
                        problems: Mapping[str, Sequence[Problem]], sent: Sequence[Sent],
                        checked: datetime | None = None) -> Digest:
    """The daily e-mail to the coordinators: on track against the target, what changed since
    yesterday, the agencies that failed last year and are still behind, who was e-mailed today
    (or held back) and which agencies with problems have no usable address.

    today / yesterday: `frame`s of the history now and 24 hours earlier; checked: the last sync's
    time (what the digest states as its data's time)."""
    tz = settings.tz
    names = {a.code: a.name for a in agencies}
    track = S.on_track(today, agencies, catalog, now, tz)
    n_track = sum(track.values())
    target, expected = settings.target_agencies, settings.expected_agencies
    valid_now = today.groupby("agency")["valid"].sum() if len(today) else pd.Series(dtype=int)
    valid_then = yesterday.groupby("agency")["valid"].sum() if len(yesterday) else pd.Series(dtype=int)
    changes = []
    for a in agencies:
        delta = int(valid_now.get(a.code, 0)) - int(valid_then.get(a.code, 0))
        if delta:
            changes.append((a, delta))
    newly_bad = _newly_failing(today, yesterday)
    behind = [a for a in S.order_agencies(agencies) if a.failed_2565 and not track.get(a.code)]
    no_address = [a for a in agencies if problems.get(a.code) and not valid_addresses(a)]
    left_out = {a.code: unusable(a) for a in agencies}
    upcoming = [r for r in catalog.rounds if r.deadline >= now.date()]
    next_line = (f"กำหนดส่งถัดไป: รอบที่ {upcoming[0].number} {thai_date(upcoming[0].deadline)} "
                 f"({days_left(upcoming[0].deadline, now.date())})" if upcoming else "ครบกำหนดส่งทุกรอบแล้ว")
    subject = (f"{_tag(catalog)} สรุปประจำวัน {thai_date(now.date())}: ผ่านครบ {n_track} แห่ง "
               f"จากเป้าหมาย {target} แห่ง")

    sections: list[tuple[str, list[str]]] = [
        ("ภาพรวม", [f"หน่วยงานที่ส่งและผ่านครบทุกข้อของรอบที่ถึงกำหนดแล้ว: {n_track} จาก {len(agencies)} แห่ง "
                   f"(เป้าหมาย {target} จาก {expected} แห่ง"
                   + (", ถึงเป้าหมายแล้ว)" if n_track >= target else f", ยังขาด {target - n_track} แห่ง)"),
                   next_line]),
        ("เปลี่ยนแปลงจากเมื่อวาน (จำนวนข้อที่ผ่านเบื้องต้น)",
         [f"{names.get(a.code, a.code)} ({a.code}): {'+' if d > 0 else ''}{d} ข้อ" for a, d in changes]
         or ["ไม่มีการเปลี่ยนแปลง"]),
        ("ข้อที่เพิ่งพบปัญหาตั้งแต่เมื่อวาน",
         [f"{names.get(code, code)} ({code}) {item}: {Status(st).label_th}" for code, item, st in newly_bad]
         or ["ไม่มี"]),
        (f"หน่วยงานที่ไม่ผ่านการประเมินปี {catalog.previous_year} และยังส่งไม่ครบ",
         [f"{a.name} ({a.code}) คะแนน {catalog.previous_year}: {a.score_2565:.2f}, "
          f"ข้อที่ต้องแก้ไข {len(problems.get(a.code, ()))} ข้อ"
          for a in behind] or ["ไม่มี ทุกหน่วยงานในกลุ่มนี้ส่งครบแล้ว"]),
        ("ส่งอีเมลแจ้งเตือนหน่วยงานวันนี้", [_sent_line(s, names, left_out.get(s.agency, ())) for s in sent]
         or ["ไม่มี"]),
        ("หน่วยงานที่มีข้อต้องแก้ไขแต่ไม่มีอีเมลที่ใช้ได้ (โปรดติดต่อทางโทรศัพท์ หรือเพิ่มอีเมลในแท็บหน่วยงาน)",
         [f"{a.name} ({a.code}): {len(problems[a.code])} ข้อ"
          + (f" (อีเมลไม่ถูกต้อง: {', '.join(a.reminder_emails)})" if a.reminder_emails else "")
          for a in no_address] or ["ไม่มี"]),
    ]
    link = sheet_link(settings)
    heading = "สรุปประจำวันสำหรับผู้ประสานงาน " + (f"จากผลการตรวจของระบบเมื่อ {thai_datetime(checked)} น."
                                                  if checked else "(ระบบยังไม่มีผลการตรวจ)")
    text = "\n".join([heading, ""]
                     + [f"{title}\n" + "\n".join(f"- {line}" for line in lines) + "\n" for title, lines in sections]
                     + ([f"ชีตส่ง URL: {link}"] if link else []) + ["", _footer(catalog)])
    parts = [f"<p>{html.escape(heading)}</p>"]
    for title, lines in sections:
        parts.append(f'<h3 style="margin:14px 0 4px 0;font-size:16px">{html.escape(title)}</h3><ul>'
                     + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
    if link:
        parts.append(f'<p><a href="{html.escape(link)}">เปิดชีตส่ง URL</a></p>')
    key_text = "|".join(f"{s.agency}:{s.state}" for s in sent) + f"|{n_track}|" + ",".join(a.code for a in no_address)
    return Digest(key=f"coordinators:{day_id}", kind="coordinators", slot=day_id, agency="",
                  to=tuple(settings.notify.coordinators), subject=subject, text=text,
                  html=_page(subject, parts, catalog),
                  fingerprint=hashlib.sha256(key_text.encode("utf-8")).hexdigest()[:16])


def _newly_failing(today: pd.DataFrame, yesterday: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(agency, item, status now) of rows that are a problem now and were not yesterday."""
    if not len(today):
        return []
    now = today[today["problem"]][["agency", "item", "status", "number"]]
    if len(yesterday):
        before = set(zip(yesterday.loc[yesterday["problem"], "agency"], yesterday.loc[yesterday["problem"], "item"]))
    else:
        before = set()
    now = now.sort_values(["agency", "number"])
    return [(a, i, s) for a, i, s in zip(now["agency"], now["item"], now["status"]) if (a, i) not in before]
