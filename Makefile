# The two commands a fresh clone needs: `make demo` and `make test`. Each creates or reuses
# .venv and installs what it needs (again only when pyproject.toml changed).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORE_STAMP := $(VENV)/.stamp-core
DEV_STAMP  := $(VENV)/.stamp-dev

CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck unit bench clean help

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
	@touch $@ $(CORE_STAMP)

demo: $(CORE_STAMP)
	$(BIN)/tradebot demo

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

unit: $(DEV_STAMP) $(CHROMIUM)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(DEV_STAMP)
	$(BIN)/python bench/bench_throughput.py

clean:
	rm -rf $(VENV) .tradebot .mypy_cache .ruff_cache .pytest_cache
