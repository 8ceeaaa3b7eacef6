# Two commands on a fresh machine (Python 3.11+): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test provision lint typecheck unit schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## serve: create .venv, install, and run the API on the embedded store (http://127.0.0.1:8000)
serve: $(STAMP)
	$(BIN)/kg serve

## test: create .venv, install with test extras and the programs the tests run, lint, type-check,
## validate, and run every test
test: $(STAMP) provision lint typecheck unit

## provision: install what the tests run beside Python packages (Virtuoso, Chromium) where root can;
## otherwise say what is missing (those tests are then skipped; under CI=true, failed)
provision:
	$(PYTHON) scripts/provision.py

lint: $(STAMP)
	$(BIN)/ruff check

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 --doctest-modules kg tests

## schema: write the GraphQL SDL to api/schema.graphql
schema: $(STAMP)
	$(BIN)/kg export-schema -o api/schema.graphql

## bench: run the benchmarks at BENCH_SIZES synthetic trials and print their figures
## (the first run builds each corpus and store: 100,000 trials take about 40 GB of disk and an
## hour; `make bench BENCH_SIZES="1000 10000"` for a quicker pass)
BENCH_SIZES ?= 1000 10000 100000
BENCH_UNSIZED := benchmarks/graphql_latency.py benchmarks/serving.py benchmarks/validation_engines.py
bench: $(STAMP)
	@for script in benchmarks/*.py; do \
	  echo "== $$script"; \
	  case " $(BENCH_UNSIZED) " in \
	    *" $$script "*) $(BIN)/python $$script || exit 1 ;; \
	    *) $(BIN)/python $$script $(BENCH_SIZES) || exit 1 ;; \
	  esac; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
