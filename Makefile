# RaaS entry points. `make` alone lists them.
# Python: the newest supported one found (3.13, 3.12, then 3.11; on PATH, else among pyenv's
# versions), unless PYTHON=... chooses. The virtual environment follows it.
ifndef PYTHON
PYTHON := $(shell for v in 3.13 3.12 3.11; do \
    for p in python$$v $$(pyenv root 2>/dev/null)/versions/$$v*/bin/python$$v; do \
        "$$p" -c '' 2>/dev/null && { echo "$$p"; exit 0; }; \
    done; done)
endif
PYVER := $(shell "$(PYTHON)" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV ?= .venv
RAAS_HOME ?= $(CURDIR)/var
BIND ?= 127.0.0.1:8000
PERSONS ?= 1000000
SIZES ?= 100000,1000000
LINES ?= 10000000
export RAAS_HOME

PY := $(VENV)/bin/python
RAAS := $(VENV)/bin/raas
INSTALLED := $(VENV)/.installed-$(PYVER)

.DEFAULT_GOAL := help
.PHONY: help run test smoke python test-pg test-reliability test-ha bench-ha ha-packages lint bench bench-storage bench-search bench-batch bench-flows bench-routing requirements wsdl clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(INSTALLED): pyproject.toml constraints.txt
	@case "$(PYVER)" in 3.11|3.12|3.13) ;; \
	    "") echo "raas needs Python 3.11, 3.12 or 3.13: $(if $(PYTHON),$(PYTHON) does not run,none of python3.13 python3.12 python3.11 runs here); install one, or set PYTHON=/path/to/python3.x"; exit 1;; \
	    *) echo "raas runs on Python 3.11 to 3.13, not $(PYVER) ($(PYTHON)); set PYTHON=/path/to/python3.x"; exit 1;; esac
	@echo "Python $(PYVER) ($(PYTHON)) in $(VENV)"
	@# a venv of another Python is replaced; one of this Python is only updated (a running server may use it)
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PYVER)".split("."))))'; then \
	    echo "replacing $(VENV), made with another Python"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[demo,test,lint]'
	@command -v xmlsec1 >/dev/null || apt-get install -y -q xmlsec1 >/dev/null || { apt-get update -q && apt-get install -y -q xmlsec1; } \
	  || { echo "the tests need Debian's xmlsec1 (apt-get install xmlsec1, as root)"; exit 1; }
	@touch $@

run: $(INSTALLED) ## start the SOAP services on an embedded PostgreSQL with demo data (BIND=host:port)
	$(RAAS) db upgrade
	@test -s $(RAAS_HOME)/demo-credentials || $(RAAS) demo
	@printf 'Demo credentials (username, password), from %s:\n' $(RAAS_HOME)/demo-credentials; cat $(RAAS_HOME)/demo-credentials
	$(RAAS) serve --bind $(BIND)

test: $(INSTALLED) ## run the test suite (embedded PostgreSQL; RAAS_TEST_DATABASE_URL=... for another)
	$(PY) -m pytest -q

smoke: $(INSTALLED) ## a quick run of the suite's core (CI runs it on a second Python: make smoke PYTHON=... VENV=.venv-smoke)
	$(PY) -m pytest -q tests/unit tests/test_layers.py tests/integration/test_register_merge.py \
	    tests/integration/test_source_feed.py tests/integration/batch/test_files.py tests/e2e/test_golden.py

python: ## print the Python make uses (the newest supported one found, or PYTHON=...)
	@echo $(PYTHON)

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

requirements: $(INSTALLED) ## the image's hash-checked pins (deploy/requirements.txt, deploy/build-requirements.txt), from constraints.txt
	@test "$(PYVER)" = 3.13 || { echo "the image runs Python 3.13: make requirements PYTHON=/path/to/python3.13"; exit 1; }
	$(PY) -m pip install --quiet -c constraints.txt pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	    --constraint constraints.txt --output-file deploy/requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	    --output-file deploy/build-requirements.txt deploy/build-requirements.in

wsdl: $(INSTALLED) ## rewrite wsdl/*.wsdl from the code (then review the diff)
	$(PY) -m register.soap.wsdl wsdl

clean: ## remove the virtual environment and the embedded database (var/)
	rm -rf $(VENV) var

test-reliability: $(INSTALLED) ## load, fault and fuzzing tests (minutes; figures in var/reliability.json, docs/RELIABILITY.md)
	$(PY) -m pytest -q -s -m reliability tests/reliability

ha-packages:
	@test -x /usr/bin/patroni -a -x /usr/bin/etcd -a -x /usr/lib/postgresql/15/bin/pg_rewind || { \
	  test "$$(id -u)" = 0 || { echo "the HA targets install Debian's patroni, etcd-server and postgresql-15: run them as root"; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q patroni etcd-server postgresql-15 postgresql-contrib; }

test-ha: $(INSTALLED) ha-packages ## failovers of a 3-node Patroni cluster under load (root; installs patroni, etcd-server; figures in var/ha.json)
	$(PY) -m pytest -q -s -m ha --basetemp=$${HA_BASETEMP:-/tmp/raas-ha-pytest} tests/ha

bench-ha: $(INSTALLED) ha-packages ## make bench's register and list phases on the Patroni cluster, with and without DATABASE_READ_URL (var/ha-bench.json)
	$(PY) -m tests.ha.bench
