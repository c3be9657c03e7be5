# The two commands of the README: `make run` and `make test`. Everything else is a step.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
# The newest Python >= 3.11 on the machine.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& { echo $$p; break; }; done)
ENV    := set -a; [ -f .data/services.env ] && . .data/services.env; set +a;
PORT   ?= 8000
# Every step sees it: the demo's printed URLs and the settings' links carry the port.
export PORT

.PHONY: help install services migrate demo run test lint format bench bench-provisioning \
	bench-queues bench-search bench-bookings bench-search-scale bench-backend-memory bench-pages \
	bench-scale graphql-schema database-docs stop clean

help:
	@echo "make run    set everything up and serve the platform with demo data (PORT=8000)"
	@echo "make test   set everything up and run the whole test suite"
	@echo "make lint | format | stop | clean"
	@echo "make bench   every ratio of the speed goals in one run (~30 min); writes docs/benchmarks.md"
	@echo "             (one at a time: bench-provisioning, -queues, -search, -search-scale, -bookings,"
	@echo "             -backend-memory (1,000 marketplaces, ~30 min), -pages)"
	@echo "make bench-scale   1,000 marketplaces: provisioning paths and migrating them (~20 min)"
	@echo "make graphql-schema   rewrite schema.graphql after changing the GraphQL schema"
	@echo "make database-docs    rewrite docs/database.md's ERDs after changing models or migrations"

# Development installs both locks: the runtime one and, on top, the test and lint tools.
$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed

# PostgreSQL and Redis: the configured ones, else private ones under .data/.
services: install
	$(PY) deploy/local_services.py up

# Public first, then only the marketplace schemas behind the code, in parallel (docs/operations.md).
migrate: services
	$(ENV) $(PY) manage.py migrate_all_schemas --noinput
	$(ENV) $(PY) manage.py setup_platform

demo: migrate
	$(ENV) $(PY) manage.py seed_demo

run: demo
	$(ENV) PORT=$(PORT) deploy/run-dev.sh

# Browser tests need a Chromium and the alert rules' check promtool: found on the machine,
# else Debian's packages installed when we are root, else the run says plainly what was
# skipped (CI sets REQUIRE_BROWSER_TESTS=1, which makes a missing browser a failure instead).
test: services
	-$(PY) -m tests.support.debian_tools
	$(ENV) DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

# ruff, and import-linter's contracts in pyproject.toml (the layers of docs/architecture.md).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every row of issue 16's table in one run, next to its baseline and goal, with the machine's
# load; rewrites docs/benchmarks.md's results section (BENCH_QUICK=1: a smoke run on tiny data).
bench: services
	$(ENV) $(PY) bench/run_all.py

# Rewrites schema.graphql from the GraphQL schema (a test fails while it is stale).
graphql-schema: install
	$(ENV) $(PY) manage.py export_graphql_schema

# Rewrites docs/database.md's ERDs and index inventory (a test fails while they are stale).
database-docs: migrate
	$(ENV) $(PY) manage.py export_database_docs

bench-provisioning: migrate
	$(ENV) $(PY) bench/provisioning.py

# The idle marketplace's wait behind a backlog, and worker throughput over 1 to 1,000 queues.
bench-queues: services
	$(ENV) $(PY) bench/queues.py --throughput

bench-search: services
	$(ENV) $(PY) bench/search.py

bench-bookings: services
	$(ENV) $(PY) bench/bookings.py

# The first page of each search ordering and filter at 1,000 and at 100,000 listings.
bench-search-scale: services
	$(ENV) $(PY) bench/search_scale.py

# Backend memory and latency with 1,000 marketplaces served round-robin by one connection
# (make bench runs it with 200).
bench-backend-memory: services
	$(ENV) $(PY) bench/backend_memory.py --tenants 1000

# Storefront pages vs the JSON API for the same data, and the results page's weight.
bench-pages: services
	$(ENV) $(PY) bench/pages.py

bench-scale: services
	$(ENV) $(PY) bench/tenants_scale.py --tenants 1000

stop:
	-$(PY) deploy/local_services.py down

clean: stop
	rm -rf $(VENV) .data staticfiles media .pytest_cache .ruff_cache
