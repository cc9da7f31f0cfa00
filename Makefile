# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# `make run` installs what running needs (requirements.lock); `make test` adds the test, lint
# and browser tools (requirements-dev.lock). Both pinned exactly.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_PORT ?= 3000

.PHONY: venv dev-venv run test ui sql evidence bench bench-plot lint reset clean-warehouse eval

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(PY) -m pip install -q -r requirements-dev.lock
	touch $(DEV_STAMP)

venv: $(STAMP)

dev-venv: $(DEV_STAMP)

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

## Materialise every asset from $ESG_LANDING_DIR into $ESG_WAREHOUSE and print a summary.
run: venv $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m orchestration.cli run

## The Dagster UI and daemon on 127.0.0.1:$DAGSTER_PORT (runs, schedules, sensors persist in $DAGSTER_HOME).
ui: venv $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m orchestration.ui

## The published warehouse, read-only (safe during a refresh).
sql: venv
	$(PY) -m orchestration.sql

## Where a published fact was printed: a PNG of its PDF page region, the row highlighted (path printed).
evidence: venv
	$(PY) -m orchestration.evidence "$(ISSUER)" "$(YEAR)" "$(METRIC)" $(if $(BREAKDOWN),--breakdown "$(BREAKDOWN)")

## Pipeline vs bare-DuckDB baseline on REPORTS synthetic reports (speed goals live here, not in
## tests); the last line is JSON. BENCH_RESULTS=file appends it there; bench-plot draws them.
## BENCH_FLOOR=1 also runs the refresh without Dagster's asset events (no_asset_events_s).
## BENCH_PDF=1 writes the report texts as PDFs and times parsing against pdftotext -layout.
bench: venv
	$(PY) -m orchestration.bench --reports $(or $(REPORTS),100) \
		$(if $(BENCH_RESULTS),--results $(BENCH_RESULTS)) $(if $(filter 1 yes true,$(BENCH_FLOOR)),--event-floor) \
		$(if $(filter 1 yes true,$(BENCH_PDF)),--pdf)

bench-plot: dev-venv
	$(PY) -m orchestration.bench plot bench/results.jsonl bench/scaling.png

## Score the mart against hand-checked values: CORPUS (default ../shared/corpus) holds landing/
## and gold*.csv; EVAL_ONLY=txt|pdf scores one kind of document; the last line is JSON.
eval: venv
	$(PY) -m orchestration.eval $(if $(CORPUS),--corpus $(CORPUS)) $(if $(EVAL_ONLY),--only $(EVAL_ONLY)) \
		$(if $(EVAL_KEEP),--keep $(EVAL_KEEP))

## Lint, format check, then the whole test suite.
test: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Remove $ESG_WAREHOUSE and its state (its report partitions and sensor memory in
## $DAGSTER_HOME, its working file, its GX results), after listing what goes.
reset: venv
	$(PY) -m orchestration.reset

clean-warehouse: reset
