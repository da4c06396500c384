"""Worker: one guarded run under a lock, the scheduled loop, clean stops, the status file, logs.
Takes a `Config`; runs the pipeline. May use every stage below; only the CLI uses it."""
