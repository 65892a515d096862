# Safeguard: `make run` for a local demo, `make test` for the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON_FOR_VENV := $(shell scripts/find-python 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

# What `make run` switches on: DEBUG, plain HTTP on loopback, SQLite and the embedded
# Celery broker under var/, email written to var/mail/. Nothing here is used in production.
PORT ?= 8000
VAR ?= $(CURDIR)/var
RUN_ENV := SAFEGUARD_VAR_DIR=$(VAR) DJANGO_DEBUG=true DJANGO_HTTPS=false \
	DATABASE_URL=sqlite:///$(VAR)/safeguard.sqlite3 \
	CELERY_BROKER_URL=filesystem:// SAFEGUARD_CACHE_URL=file://$(VAR)/cache \
	DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

# What `make test` uses: the real PostgreSQL and Redis on this machine unless overridden.
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/safeguard
REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DJANGO_SECRET_KEY=test-secret-key-not-for-production-use-0123456789abcdef \
	DJANGO_HTTPS=false DATABASE_URL=$(DATABASE_URL) \
	CELERY_BROKER_URL=$(REDIS_URL) SAFEGUARD_CACHE_URL=locmem://

# Variables a production deployment sets, for `check --deploy`. The checks ask the server
# its version (a generated column's check does), not for any table, so the server's own
# `postgres` database serves: `safeguard` need not exist on a fresh machine.
DEPLOY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
DEPLOY_ENV := DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
	DJANGO_ALLOWED_HOSTS=safeguard.example.org DJANGO_HTTPS=true \
	DATABASE_URL=$(DEPLOY_DATABASE_URL)

.PHONY: help install system-run system-test run test lint check-deploy lock clean faults bench \
	backup restore

help:
	@echo "make run    install, migrate, load reference and demo data, serve on http://127.0.0.1:8000"
	@echo "make test   install and run the whole suite against PostgreSQL and Redis"
	@echo "make lint   ruff and djlint only"
	@echo "make lock   re-pin requirements*.lock from pyproject.toml"
	@echo "make bench  the performance benchmark on a large synthetic organisation (docs/benchmarks.md)"
	@echo "            BENCH_SCALE=10: also measure the pages on ten times the data (its own database)"
	@echo "make backup / make restore BACKUP=...  make run's data (README, Backup and restore)"

$(PY):
	@test -n "$(PYTHON_FOR_VENV)" || { scripts/find-python; exit 1; }
	$(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-dev: $(PY) requirements-dev.lock
	$(PIP) install --quiet --require-virtualenv -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/application.css: node_modules/.installed $(wildcard static/scss/*.scss)
	npm run --silent build:css

install: $(VENV)/.installed-dev static/build/application.css

# Debian packages (scripts/system-packages.txt), installed when missing; elsewhere the script
# stops with the command to run.
system-run:
	@scripts/system-packages run

system-test:
	@scripts/system-packages run test

run: install system-run
	@mkdir -p $(VAR)/mail
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) load_reference_data
	$(RUN_ENV) $(MANAGE) seed_demo
	$(RUN_ENV) $(MANAGE) runstack --port $(PORT)

# The suite runs in TEST_WORKERS pytest-xdist workers (tests/conftest.py gives each its own
# PostgreSQL and Redis database); TEST_WORKERS=0 runs it in one process. `--dist load` hands
# each worker tests in collection order, so every worker keeps pytest-django's order (tests
# that roll back before tests that commit and empty the tables).
TEST_WORKERS ?= 2
test: install system-test
	$(TEST_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)
	$(MAKE) --no-print-directory lint
	$(TEST_ENV) DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint

check-deploy: install
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING

lock: $(PY)
	$(PIP) install --quiet uv
	UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv pip compile pyproject.toml --python-version 3.12 --no-header -o requirements.lock
	UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.12 --no-header -o requirements-dev.lock

# make run's data (SQLite and var/private) into var/backups/, and back; see README "Backup".
backup: install
	$(RUN_ENV) $(MANAGE) backup $(VAR)/backups/$$(date +%Y-%m-%d-%H%M%S)

restore: install
	@test -n "$(BACKUP)" || { echo "make restore BACKUP=var/backups/<folder>"; exit 1; }
	$(RUN_ENV) $(MANAGE) restore $(BACKUP)
	$(RUN_ENV) $(MANAGE) migrate --no-input

clean:
	rm -rf $(VENV) node_modules static/build var

# The reminder engine's fault tests (tests/reliability) at FAULTS_SCALE times their size: more
# deadlines, three SIGKILLs, the refused mail's retries waited for. Prints, for each test and
# in total: deadlines, reminders expected, sent, duplicates, lost. Not part of `make test`.
FAULTS_SCALE ?= 10
faults: install
	$(TEST_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	SAFEGUARD_FAULTS_SCALE=$(FAULTS_SCALE) $(TEST_ENV) $(PY) -m pytest tests/reliability -m integration -s -q $(PYTEST_ARGS)

# The performance benchmark (bench/): makes a large synthetic organisation in its own
# PostgreSQL database once (reused while it holds the right sizes), measures pages, the
# reminder sweep and the case page under load (gunicorn and wrk on loopback), prints the
# table and adds it to docs/benchmarks.md; then bench/phone.py logs a typical concern at
# 390 x 844 in Chromium against a live server on its own database and adds what it asked of
# a thumb (page loads, fields, taps, page heights). Not part of `make test`.
# `make bench BENCH_SCALE=10` also makes (once) and measures an organisation ten times the
# size in a second database beside the first (safeguard_x10_bench), and prints each page's
# p95 there against its p95 at 1x in the same run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/safeguard_bench
BENCH_SCALE ?= 1
PHONE_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/safeguard_phone_bench
BENCH_ENV := DJANGO_SECRET_KEY=bench-secret-key-not-for-production-use-0123456789abcdef \
	DJANGO_HTTPS=false DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1 \
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=memory:// \
	SAFEGUARD_CACHE_URL=locmem:// DJANGO_LOG_LEVEL=WARNING
bench: install
	@scripts/system-packages run bench
	$(BENCH_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(BENCH_ENV) BENCH_SCALE=$(BENCH_SCALE) $(PY) -m bench
	$(BENCH_ENV) DATABASE_URL=$(PHONE_BENCH_DATABASE_URL) $(PY) -m bench.phone
