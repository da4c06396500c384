"""Notify: e-mail reminders. Takes the config, the history (what the last syncs found), the
agencies as the sheet lists them (with their reminder addresses) and the clock; gives agency
digests and the coordinators' daily digest as e-mail messages, sends them one by one through
SMTP and remembers in the state file what went to whom.

`schedule` (when) and `digest` (data -> messages) are pure; `mailer` is the smtplib edge;
`ledger` is the durable record; `remind` puts them together. May use core, config, state and
report (the summary's definitions: due rounds, on track)."""
