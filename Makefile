# OpenDeal. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OPENDEAL := $(BIN)/opendeal
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run in parallel on every core; PYTEST_ARGS adds more, e.g. PYTEST_ARGS="-k pledge".
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

opendeal/core/static/opendeal/opendeal.css: node_modules/.installed opendeal/core/sass/opendeal.scss
	npm run --silent build

.PHONY: install
install: $(VENV)/.installed node_modules/.installed opendeal/core/static/opendeal/opendeal.css ## Create .venv and install Python and front-end dependencies

.PHONY: demo
demo: install ## Set up the demo borough on SQLite under var/ and serve it on http://127.0.0.1:8000
	mkdir -p var
	DEBUG=1 $(OPENDEAL) migrate --verbosity 0
	DEBUG=1 $(OPENDEAL) demo
	DEBUG=1 $(OPENDEAL) runserver $(HOST):$(PORT)

.PHONY: lint
lint: install ## Ruff, template formatting, migrations and Django's checks
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $$(find opendeal -name '*.html' -path '*/templates/*')
	$(OPENDEAL) makemigrations --check --dry-run --verbosity 0
	$(OPENDEAL) check --fail-level WARNING

.PHONY: test
test: lint ## The whole suite: lint, then every test (browser tests included) on the configured database
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

.PHONY: test-fast
test-fast: install ## Every test except the browser tests, without lint
	$(BIN)/pytest -n auto -m "not browser" $(PYTEST_ARGS)

.PHONY: format
format: install ## Format Python and templates in place
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml $$(find opendeal -name '*.html' -path '*/templates/*')

.PHONY: bench
bench: install ## Run the benchmarks in bench/ and print their figures
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

.PHONY: clean
clean: ## Remove the virtualenv, node modules and the local database
	rm -rf $(VENV) node_modules var
