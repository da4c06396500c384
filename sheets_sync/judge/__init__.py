"""Judge: pure. Validation and check results become one verdict per row (the worst URL of the cell)
with a Thai note. May use `core`, `config`, `collect`."""
