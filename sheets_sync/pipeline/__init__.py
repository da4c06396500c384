"""Pipeline: one sync. Read the sheet, collect, check, judge, write verdicts back by key, remember,
summarise; and `init`, which lays the sheet out. May use every stage above; used by `worker`, `importing` and the CLI."""
