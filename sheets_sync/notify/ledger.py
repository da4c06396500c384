"""What was sent to whom, kept in the state file (table `notify_message`), one row per message.

Every message is recorded on its own, in its own committed transaction, around its send:
`begin` marks it `sending` before the SMTP transaction, `sent` or `failed` after it. So a
process killed in the middle of a batch leaves every message before it `sent` (never sent
again) and at most one `sending`: that one is sent again on restart, under the same
Message-ID, so a mail system that saw it once treats it as the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sheets_sync.state.store import State, register_schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS notify_message (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    slot TEXT NOT NULL,
    agency TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    fingerprint TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS notify_message_sent ON notify_message (kind, sent_at);
"""
register_schema("notify", SCHEMA)

SENDING, SENT, FAILED = "sending", "sent", "failed"


def _t(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str
    slot: str
    agency: str
    recipients: tuple[str, ...]
    subject: str
    fingerprint: str
    state: str
    attempts: int
    error: str
    updated_at: str
    sent_at: str | None


class Ledger:
    """The `notify_message` table on an open State (the caller owns the connection)."""

    def __init__(self, state: State) -> None:
        self.state = state

    def get(self, key: str) -> Entry | None:
        row = self.state.db.execute(
            "SELECT key, kind, slot, agency, recipients, subject, fingerprint, state, attempts, error, updated_at, "
            "sent_at FROM notify_message WHERE key=?", (key,)).fetchone()
        return _entry(row) if row else None

    def begin(self, key: str, kind: str, slot: str, agency: str, recipients: tuple[str, ...], subject: str,
              fingerprint: str, at: datetime) -> None:
        """Marks a message as being sent, committed before the SMTP transaction starts. Attempts are
        counted per recipients: other addresses (fixed in the agencies tab) start again at one."""
        with self.state.transaction() as db:
            db.execute(
                "INSERT INTO notify_message (key, kind, slot, agency, recipients, subject, fingerprint, state, "
                "attempts, updated_at) VALUES (?,?,?,?,?,?,?,?,1,?) ON CONFLICT(key) DO UPDATE SET "
                "attempts=CASE WHEN notify_message.recipients = excluded.recipients "
                "THEN notify_message.attempts + 1 ELSE 1 END, "
                "recipients=excluded.recipients, subject=excluded.subject, fingerprint=excluded.fingerprint, "
                "state=excluded.state, updated_at=excluded.updated_at",
                (key, kind, slot, agency, ",".join(recipients), subject, fingerprint, SENDING, _t(at)))

    def finish(self, key: str, ok: bool, at: datetime, error: str = "",
               recipients: tuple[str, ...] | None = None) -> None:
        """Records the outcome of a message's send, committed at once. `recipients`: those the server
        took it for, when it refused others (their refusals are then the `error` of a sent message)."""
        with self.state.transaction() as db:
            db.execute("UPDATE notify_message SET state=?, error=?, updated_at=?, sent_at=? WHERE key=?",
                       (SENT if ok else FAILED, error[:300], _t(at), _t(at) if ok else None, key))
            if recipients is not None:
                db.execute("UPDATE notify_message SET recipients=? WHERE key=?", (",".join(recipients), key))

    def agency_messages(self, since: datetime) -> list[Entry]:
        """Agency digests sent or failed since `since`, oldest first (for the coordinators)."""
        rows = self.state.db.execute(
            "SELECT key, kind, slot, agency, recipients, subject, fingerprint, state, attempts, error, updated_at, "
            "sent_at FROM notify_message WHERE kind='agency' AND state IN (?, ?) AND updated_at >= ? "
            "ORDER BY updated_at, key", (SENT, FAILED, _t(since)))
        return [_entry(r) for r in rows]

    def counts(self) -> dict[str, int]:
        return dict(self.state.db.execute("SELECT state, count(*) FROM notify_message GROUP BY state").fetchall())


def _entry(row) -> Entry:
    key, kind, slot, agency, recipients, subject, fp, state, attempts, error, updated, sent = row
    return Entry(key, kind, slot, agency, tuple(r for r in recipients.split(",") if r), subject, fp, state,
                 attempts, error, updated, sent)
