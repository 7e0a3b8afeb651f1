# RaaS entry points. `make` alone lists them.
PYTHON ?= python3.11
VENV ?= .venv
RAAS_HOME ?= $(CURDIR)/var
BIND ?= 127.0.0.1:8000
PERSONS ?= 1000000
SIZES ?= 100000,1000000
LINES ?= 10000000
export RAAS_HOME

PY := $(VENV)/bin/python
RAAS := $(VENV)/bin/raas
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test test-pg test-reliability lint bench bench-storage bench-search bench-batch bench-flows bench-routing wsdl clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(INSTALLED): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "raas needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

run: $(INSTALLED) ## start the SOAP services on an embedded PostgreSQL with demo data (BIND=host:port)
	$(RAAS) db upgrade
	@test -s $(RAAS_HOME)/demo-credentials || $(RAAS) demo
	@printf 'Demo credentials (username, password), from %s:\n' $(RAAS_HOME)/demo-credentials; cat $(RAAS_HOME)/demo-credentials
	$(RAAS) serve --bind $(BIND)

test: $(INSTALLED) ## run the test suite (embedded PostgreSQL; RAAS_TEST_DATABASE_URL=... for another)
	$(PY) -m pytest -q

test-pg: $(INSTALLED) ## the test suite against the PostgreSQL on 127.0.0.1:5432
	RAAS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test $(PY) -m pytest -q

lint: $(INSTALLED) ## ruff check, ruff format --check, and the import contracts (lint-imports)
	@echo "ruff check; ruff format --check; lint-imports (the layers' import rule in pyproject.toml)"
	$(VENV)/bin/ruff check register tests bench
	$(VENV)/bin/ruff format --check register tests bench
	$(VENV)/bin/lint-imports

bench: $(INSTALLED) ## benchmarks: figures and their ratio to ceilings measured in the same run
	$(PY) -m bench.register

bench-storage: $(INSTALLED) ## bytes per person, line and audit row, extrapolated (docs/OPERATIONS.md)
	$(PY) -m bench.storage

bench-search: $(INSTALLED) ## phonetic search recall and latency over SOAP (PERSONS=100000 for a quick run)
	$(PY) -m bench.search --persons $(PERSONS) --reuse

bench-batch: $(INSTALLED) ## nightly batch: records/s and peak memory against lxml xmlfile alone (SIZES=100000,1000000)
	$(PY) -m bench.batch --sizes $(SIZES) --one-tenant

bench-flows: $(INSTALLED) ## raas flow ingest: records/s and peak memory at 100k and 1M records, beside a COPY ceiling
	$(PY) -m bench.flows

bench-routing: $(INSTALLED) ## RoutingService findHolders p95 over SOAP with LINES lines (default 10M; built once, kept) beside the spyne echo
	$(PY) -m bench.routing --lines $(LINES) --reuse

wsdl: $(INSTALLED) ## rewrite wsdl/*.wsdl from the code (then review the diff)
	$(PY) -m register.soap.wsdl wsdl

clean: ## remove the virtual environment and the embedded database (var/)
	rm -rf $(VENV) var

test-reliability: $(INSTALLED) ## load, fault and fuzzing tests (minutes; figures in var/reliability.json, docs/RELIABILITY.md)
	$(PY) -m pytest -q -s -m reliability tests/reliability
