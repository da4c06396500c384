"""Sheet: reading and writing the shared sheet (.xlsx, Google Sheets, in-memory) through one protocol,
and the layout rules they share. Takes verdicts and summaries; gives back submission rows.
May use `core`, `config`, `state`."""
