"""State: the SQLite state file, and the history of every status and URL change kept in it.
Takes verdicts and results to remember; gives back history and cached rows. May use `core`, `config`."""
