# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/settings.yaml
STAMP := $(VENV)/.installed

.PHONY: setup run test docs demo bench clean

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Byte-compiled once here: the service user cannot write the code directory (see the README's VM
# set-up) and PYTHONDONTWRITEBYTECODE may be set, so otherwise every run and every PDF helper
# compiles the whole package again (~0.2 s of CPU per start). Stale files are simply recompiled.
setup: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 sheets_sync >/dev/null

## make run: set up, create or complete the workbook of the catalogue in force (init is safe to repeat:
## it adds what is missing and changes nothing people typed), then one sync of the embedded default
run: setup
	@mkdir -p data
	$(BIN)/sheets-sync --config $(CONFIG) init
	$(BIN)/sheets-sync --config $(CONFIG) sync

## make test: set up, then the whole test suite, one worker process per core (one process took
## 9.5 min on a new 2-core machine, near CI's limit); the long tests are stolen by idle workers
test: setup
	$(BIN)/python -m pytest -n auto --dist worksteal sheets_sync tests

## make docs: regenerate the README's reason table from sheets_sync/core/reasons.py
docs: setup
	$(BIN)/python -m sheets_sync.core.reasons

## make demo: the loopback agency-site farm, a demo workbook (data/demo.xlsx) with every status, one sync
demo: setup
	$(BIN)/python bench/demo.py

## make bench: throughput against the farm, one JSON object per line (never fails on slowness)
bench: setup
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt >&2 \
	  || echo '{"bench": "setup", "error": "requirements-bench.txt could not be installed; tools missing are reported"}'
	@$(BIN)/python bench/run.py
	@if [ -f bench/sheets_api.py ]; then $(BIN)/python bench/sheets_api.py; fi
	@$(BIN)/python bench/feedback.py

clean:
	rm -rf $(VENV) .pytest_cache
