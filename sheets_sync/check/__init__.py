"""Check: the network. URLs become `CheckResult`s (reachable, plausible), behind a private-address
guard, with per-host limits, retries, deadlines, a cache and offline detection. A bad URL is a result,
never an exception. May use `core`, `config`, `state`."""
