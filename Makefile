# The two commands a fresh clone needs: `make demo` and `make test`. Each creates or reuses
# .venv and installs what it needs (again only when pyproject.toml changed).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORE_STAMP := $(VENV)/.stamp-core
API_STAMP  := $(VENV)/.stamp-api
DEV_STAMP  := $(VENV)/.stamp-dev

CHROMIUM := /usr/bin/chromium
PROMETHEUS := /usr/bin/prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck unit bench clean help dashboard dashboard-schema dashboard-test

help:
	@echo "make demo   - install and run the demo (bundled real data, paper broker, SQLite)"
	@echo "make test   - install dev tools and run lint, type checks, import contracts, tests"
	@echo "make bench  - throughput benchmarks (see bench/README.md)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tradebot needs Python >= 3.11; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(CORE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# torch first and pinned: 2.13.0 is a CPU wheel on this machine's disk; an unpinned torch
# (pulled by the dev extra's torch>=2.13) would download a multi-GB CUDA build.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(CORE_STAMP) $(API_STAMP)

$(API_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[api]'
	@touch $@ $(CORE_STAMP)

demo: $(CORE_STAMP) dashboard
	$(BIN)/tradebot demo
	@echo "the dashboard is built: run $(BIN)/tradebot serve and open http://localhost:8000"

# The dashboard (dashboard/): npm packages from the lock file, the API client's types
# generated from the server's own OpenAPI document (a route or field the API no longer has
# fails the type check), then the build `tradebot serve` serves (dashboard/dist).
DASH := dashboard
NPM_STAMP := $(DASH)/node_modules/.stamp

$(NPM_STAMP): $(DASH)/package-lock.json
	@command -v npm >/dev/null || { echo "the dashboard needs Node.js >= 20.19 and npm: apt-get install nodejs npm"; exit 1; }
	cd $(DASH) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

dashboard-schema: $(API_STAMP) $(NPM_STAMP)
	$(BIN)/tradebot openapi --out $(DASH)/src/api/openapi.json
	cd $(DASH) && npm run --silent gen:api

dashboard: dashboard-schema
	cd $(DASH) && npm run --silent build

dashboard-test: dashboard-schema
	cd $(DASH) && npm run --silent typecheck && npm test --silent

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

# The browser tests open the HTML report in headless Chromium (Debian's package).
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium >/dev/null

# The metrics tests run promtool on deploy/prometheus/ and scrape a paper replay with a real
# Prometheus (Debian's package; the tests start their own on a free port, so a packaged
# service that started on :9090 is stopped).
$(PROMETHEUS):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq prometheus >/dev/null
	-$(SUDO) service prometheus stop >/dev/null 2>&1

unit: $(DEV_STAMP) $(CHROMIUM) $(PROMETHEUS) dashboard
	$(BIN)/pytest

test: lint typecheck dashboard-test unit

bench: $(DEV_STAMP)
	$(BIN)/python bench/bench_throughput.py

clean:
	rm -rf $(VENV) .tradebot .mypy_cache .ruff_cache .pytest_cache $(DASH)/node_modules $(DASH)/dist
