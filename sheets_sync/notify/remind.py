"""One reminder run: which digests are due now, which of them were not sent yet, and sending
those one by one, each recorded in the ledger before the next one starts.

Never twice the same: an agency digest is keyed by (reminder, agency) and the coordinators'
digest by its day, so a second run the same day sends nothing new, whatever changed in
between; the next scheduled reminder (e.g. 3 days before, after 7 days before) is a new key
and carries the problem list as it is then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Callable, Protocol, Sequence

from sheets_sync.config.settings import Agency, Config, SmtpSettings
from sheets_sync.core.errors import DeliveryError
from sheets_sync.notify import digest as D
from sheets_sync.notify import freshness as fresh
from sheets_sync.notify import schedule as plan
from sheets_sync.notify.ledger import FAILED, SENT, Ledger
from sheets_sync.notify.mailer import (
    MessageRefused,
    SmtpMailer,
    build_message,
    code_text,
    read_password,
)
from sheets_sync.report import summary as S
from sheets_sync.state.history import History
from sheets_sync.state.store import State

log = logging.getLogger(__name__)


class Mailer(Protocol):
    def open(self) -> None: ...
    def send(self, msg) -> dict: ...
    def close(self) -> None: ...


@dataclass
class Result:
    """What a reminder run did (or, dry, would do)."""

    slots: tuple[str, ...] = ()
    digests: list[D.Digest] = field(default_factory=list)  # due and not sent before (dry run: to be sent)
    sent: int = 0
    failed: int = 0
    already_sent: int = 0
    no_address: tuple[str, ...] = ()  # agency codes with problems and no usable address
    error: str = ""  # the run stopped: the server could not be reached or broke off
    refused: list[str] = field(default_factory=list)  # one line per refused message
    # messages not tried again: refused max_attempts times (each "agency: the server's last answer")
    gave_up: list[str] = field(default_factory=list)
    next_reminder: str = ""
    preview: bool = False
    # Due but held back, not sent and not recorded: the results were checked before `since`
    # (today's send_at). Each "agency-code (rows last checked ...)", or "coordinators (...)".
    held: list[str] = field(default_factory=list)
    since: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.failed

    def line(self) -> str:
        """The run in one line (log, status, the CLI)."""
        what = (f"reminders {'/'.join(self.slots) or 'none due'}: {self.sent} sent, {self.failed} failed, "
                f"{self.already_sent} already sent earlier, {len(self.no_address)} agencies without an address")
        if self.error:
            what += f"; stopped: {self.error}"
        elif self.refused:
            what += f"; refused: {self.refused[0]}" + (f" (and {len(self.refused) - 1} more)"
                                                       if len(self.refused) > 1 else "")
        if self.gave_up:
            what += f"; {len(self.gave_up)} not tried again after repeated refusals ({self.gave_up[0]})"
        if self.held:
            what += (f"; {len(self.held)} held until a sync checks their rows after {self.since}: "
                     + ", ".join(self.held[:3]) + (" ..." if len(self.held) > 3 else ""))
        return what


def run(config: Config, state: State, agencies: Sequence[Agency], now: datetime, *,
        mailer_factory: Callable[[], Mailer] | None = None, dry_run: bool = False, to: str | None = None,
        clock: Callable[[], datetime] | None = None) -> Result:
    """Builds the digests due at `now` and sends those not sent yet.

    A digest due now is made only from checks made since today's send_at (see
    notify.freshness): an agency whose rows were not all checked since then, or the coordinators'
    digest when no sync has run since then, is held (`Result.held`): not sent, not recorded, so
    a run after the next sync sends it. dry_run: nothing is sent or recorded; on a day without a
    reminder the digests are shown as they would read now (`preview`, never held). to: every
    digest of today (or the preview) goes to this one address instead, marked as a test, and
    nothing is recorded. `clock` stamps the ledger (default: `now`)."""
    settings = config.settings
    n, tz, catalog = settings.notify, settings.tz, config.catalog
    now = now.astimezone(tz)
    stamp = clock or (lambda: now)
    ledger = Ledger(state)
    result = Result()
    slots = plan.due_slots(now, catalog, n)
    if not slots and (dry_run or to):
        preview = plan.preview_slot(now, catalog)
        slots, result.preview = ([preview] if preview else []), True
    nxt = plan.next_slot(now, catalog, n)
    result.next_reminder = f"{nxt.id} on {nxt.day.isoformat()} from {n.send_at}" if nxt else ""
    result.slots = tuple(s.id for s in slots)
    daily_due = plan.daily_due(now, catalog, n)
    daily = daily_due or (bool(dry_run or to) and bool(n.coordinators or to))
    if not slots and not daily:
        return result  # the worker asks after every run: most of the time nothing is due
    since = plan.send_from(now.date(), n, tz)
    result.since = f"{since:%Y-%m-%d %H:%M}"
    times = fresh.check_times(state, agencies, catalog, tz)
    frame_now = History(state, tz).as_of(now)
    digests, held = _agency_digests(config, slots, frame_now, agencies, now, times, since, result)

    mailer = _LazyMailer(mailer_factory or (lambda: SmtpMailer(n.smtp, read_password(n.smtp, str(
        config.settings_path)))))
    try:
        _deliver(digests, ledger, mailer, result, n.smtp, n.max_attempts, stamp, dry_run, to)
        if daily and not result.error:
            coordinators = _coordinators_digest(config, state, agencies, now, frame_now, digests, held,
                                                fresh.last_sync(times), since if daily_due else None,
                                                bool(dry_run or to), result)
            if coordinators is not None:
                _deliver([coordinators], ledger, mailer, result, n.smtp, n.max_attempts, stamp, dry_run, to)
    finally:
        mailer.close()
    return result


def _agency_digests(config: Config, slots: Sequence[plan.Slot], frame, agencies: Sequence[Agency], now: datetime,
                    times: dict[str, fresh.Checked], since: datetime,
                    result: Result) -> tuple[list[D.Digest], list[D.Sent]]:
    """The agency digests of the slots, and those held back because the agency's rows were not
    all checked since `since` (a preview, on a day without a reminder, is never held: it only
    shows what a reminder would say, with its check time). A check time only moves forward, so
    an agency sent earlier today is never held by a later run."""
    settings, catalog = config.settings, config.catalog
    digests: list[D.Digest] = []
    held: list[D.Sent] = []
    no_address: list[str] = []
    for slot in slots:
        problems = D.problems_by_agency(frame, agencies, catalog, slot.round.deadline, settings.tz)
        for a in agencies:
            mine = problems.get(a.code)
            if not mine or (slot.kind == "after" and not D.missed(mine, slot.round.number)):
                continue
            if not D.valid_addresses(a):
                if a.code not in no_address:
                    no_address.append(a.code)
                continue
            checked = times.get(a.code)
            if slot.kind != "preview" and not fresh.is_fresh(checked, since):
                line = f"{a.code} (rows {fresh.describe(checked.oldest if checked else None, settings.tz)})"
                if line not in result.held:
                    result.held.append(line)
                    held.append(D.Sent(a.code, D.valid_addresses(a), "held",
                                       checked=checked.oldest if checked else None))
                continue
            digests.append(D.agency_digest(a, mine, slot, catalog, settings, now, checked=checked))
    result.no_address = tuple(no_address)
    return digests, held


def _coordinators_digest(config: Config, state: State, agencies: Sequence[Agency], now: datetime, frame_now,
                         digests: Sequence[D.Digest], held: Sequence[D.Sent], synced: datetime | None,
                         since: datetime | None, unrecorded: bool, result: Result) -> D.Digest | None:
    """Today's coordinators' digest, as of the last sync (`synced`); None, held in `result`, when
    it is due (`since`: today's send_at) and no sync has run since then. `unrecorded` (a dry run
    or a test to one address): who this run would e-mail, since the ledger records nothing."""
    settings, catalog, tz = config.settings, config.catalog, config.settings.tz
    if since is not None and (synced is None or synced < since):
        result.held.append(f"coordinators (sheet {fresh.describe(synced, tz)})")
        return None
    upcoming = plan.preview_slot(now, catalog)
    until = upcoming.round.deadline if upcoming else now.date()
    problems = D.problems_by_agency(frame_now, agencies, catalog, until, tz)
    start_of_day = datetime.combine(now.date(), time(0), tzinfo=tz)
    if unrecorded:
        sent = [D.Sent(d.agency, d.to, SENT) for d in digests if d.kind == "agency"]
    else:
        sent = [D.Sent(e.agency, e.recipients, e.state, e.error)
                for e in Ledger(state).agency_messages(start_of_day)]
    yesterday = History(state, tz).as_of(now - timedelta(days=1))
    return D.coordinators_digest(
        f"daily-{now.date().isoformat()}", agencies, catalog, settings, now,
        # Counted as the summary tab counts: a row whose site did not answer for a moment by its last
        # decided status (the mail had agencies drop off track that the tab showed complete).
        S.frame(None, agencies, catalog, frame_now, tz, carry_unknown=True),
        S.frame(None, agencies, catalog, yesterday, tz, carry_unknown=True),
        problems, [*sent, *held], checked=synced)


def _deliver(digests: Sequence[D.Digest], ledger: Ledger, mailer: "_LazyMailer", result: Result,
             smtp: SmtpSettings, max_attempts: int, stamp: Callable[[], datetime], dry_run: bool,
             to: str | None) -> None:
    for d in digests:
        if not d.to and not to:
            continue
        if to:
            d = replace(d, to=(to,), subject=f"[ทดสอบ] {d.subject}", key=f"{d.key}:test:{stamp().isoformat()}",
                        text=f"ข้อความทดสอบ ฉบับจริงจะส่งถึง: {', '.join(d.to) or '(ไม่มี)'}\n\n{d.text}")
        else:
            entry = ledger.get(d.key)
            # Given up on the addresses refused, not on the reminder: an address fixed in the agencies
            # tab (as the run's line says to) is tried the same day.
            if entry is not None and (entry.state == SENT or (entry.state == FAILED and entry.attempts >= max_attempts
                                                              and entry.recipients == d.to)):
                result.already_sent += entry.state == SENT
                if entry.state == FAILED:
                    # said, not dropped: an agency whose address the server refuses hears nothing
                    result.gave_up.append(f"{d.agency or 'coordinators'}: refused {entry.attempts} times "
                                          f"({entry.error or 'no answer kept'})")
                continue
        result.digests.append(d)
        if dry_run:
            continue
        try:
            mailer.ensure_open()
        except DeliveryError as e:  # nothing of this message was marked: it was never attempted
            result.error = str(e)
            return
        msg = build_message(smtp, d.to, d.subject, d.text, d.html, d.key, stamp())
        if not to:
            ledger.begin(d.key, d.kind, d.slot, d.agency, d.to, d.subject, d.fingerprint, stamp())
        try:
            refused = mailer.send(msg)
        except MessageRefused as e:
            result.failed += 1
            result.refused.append(f"{d.agency or 'coordinators'}: {e}")
            log.error("reminder to %s (%s) refused: %s", ", ".join(d.to), d.agency or "coordinators", e)
            if not to:
                ledger.finish(d.key, False, stamp(), str(e))
            continue
        except DeliveryError as e:
            # The connection broke during this message: it may or may not have arrived, and it
            # is not marked sent, so the next run sends it again (same Message-ID).
            if not to:
                ledger.finish(d.key, False, stamp(), str(e))
            result.error = str(e)
            return
        # Taken for some recipients and refused for others: said, so that neither the run's line nor
        # the coordinators' digest names a refused address among those the reminder reached.
        gone = "; ".join(f"{r} {code_text(c, t)}" for r, (c, t) in refused.items())
        if not to:
            ledger.finish(d.key, True, stamp(), gone,
                          tuple(r for r in d.to if r not in refused) if refused else None)
        result.sent += 1
        if refused:
            result.refused.append(f"{d.agency or 'coordinators'}: {gone}")
            log.warning("reminder %s: the server refused %s", d.key, gone)
        log.info("reminder sent to %s: %s", ", ".join(d.to), d.subject)


class _LazyMailer:
    """Connects on the first message only: a run with nothing to send never touches the server.
    A connection that cannot be made is a DeliveryError before anything is marked."""

    def __init__(self, factory: Callable[[], Mailer]) -> None:
        self._factory = factory
        self._mailer: Mailer | None = None

    def ensure_open(self) -> None:
        if self._mailer is None:
            mailer = self._factory()  # reads the password: a ConfigError (exit 2) when it cannot
            mailer.open()
            self._mailer = mailer

    def send(self, msg) -> dict:
        assert self._mailer is not None
        return self._mailer.send(msg) or {}

    def close(self) -> None:
        if self._mailer is not None:
            self._mailer.close()
            self._mailer = None
