"""Report: the summary tab, round snapshots and the governor's report, built with pandas from the
history. Takes history and verdicts; gives tables and documents. May use every stage below `pipeline`."""
