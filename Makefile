# The targets the README tells people to run. Each one installs what is
# missing first (scripts/setup.sh), so every target works on a fresh Debian 12.
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
SRC := eid portal monespace_cli tui be_identifiers
PYTEST_ARGS ?=

.PHONY: help setup demo test lint check test-postgres bench i18n completions clean

help:
	@echo "make demo           set up, start the sandbox portal and a virtual eID card, run the tour"
	@echo "make test           set up, lint (ruff, mypy, import contracts) and run the whole test suite"
	@echo "make test-postgres  the portal suite against a throw-away PostgreSQL 15 cluster"
	@echo "make bench          run the benchmarks and print their tables"

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh

lint: setup
	$(VENV)/bin/ruff check $(SRC) tests bench scripts
	$(VENV)/bin/ruff format --check $(SRC) tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_import_cycles.py

test: lint
	@bash scripts/pytest.sh -n 2 $(PYTEST_ARGS)

test-postgres: setup
	@WITH_POSTGRES=1 bash scripts/setup.sh
	@url=$$(bash scripts/postgres.sh start) && \
	  MONESPACE_TEST_POSTGRES_URL=$$url bash scripts/pytest.sh -n 2 -m postgres tests/portal tests/client $(PYTEST_ARGS); \
	  rc=$$?; bash scripts/postgres.sh stop; exit $$rc

bench: setup
	@bash scripts/bench.sh

completions: setup
	$(PY) -m monespace_cli.completions_gen completions

i18n: setup
	$(PY) -m monespace_cli.i18n_compile

clean:
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
