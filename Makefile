# Two commands for a new machine: `make run` (demo on SQLite) and `make test` (full suite
# on PostgreSQL + Redis). Everything they need is installed by the targets below.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The test suite runs on the machine's real services; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/icon
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
# pytest-xdist processes: one a core. Each gets its own test database (test_<name>_gw0, ...)
# and its own Celery queue and Redis key prefix (tests/conftest.py). PYTEST_WORKERS=0 runs
# the suite in a single process; PYTEST_ARGS adds arguments (a path, -k, -x, ...).
PYTEST_WORKERS ?= auto
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run demo-code test lint worker beat bench hardening venv sysdeps services messages lock clean

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

# System packages: gettext (translations), poppler-utils (pdftotext in tests), Chromium
# (browser tests, never downloaded by Playwright), fonts for WeasyPrint.
sysdeps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Start PostgreSQL and Redis when they are not running (as this kind of machine does).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "Starting PostgreSQL"; \
	  $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Starting Redis"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in $$(seq 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done; }

messages: venv
	@command -v msgfmt >/dev/null || $(MAKE) sysdeps
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

run: venv messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting a Celery worker and beat in the background (logs in var/)"; \
	  mkdir -p var; \
	  $(VENV)/bin/celery -A config worker -B -l info --concurrency 2 >var/worker.log 2>&1 & \
	fi
	@echo ""
	@echo "  Open http://127.0.0.1:$(PORT)/ and log in with one of the accounts above."
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The current second-factor code of the demo logins (make run prints the secret too).
demo-code: venv
	@$(PY) manage.py demo_code

worker: venv
	$(VENV)/bin/celery -A config worker -l info

beat: venv
	$(VENV)/bin/celery -A config beat -l info

# Lint rules and format: pyproject.toml [tool.ruff]; the same checks as .pre-commit-config.yaml.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: venv sysdeps services messages lint
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The probes of issue 12, repeated: hostile input on every form and query parameter of
# every role (hypothesis), Redis and SMTP down (outbox), a dead worker's report (lease),
# the Content-Security-Policy on every page type and in the browser, the PDF renderer's
# fetcher, formula injection in every export, hostile uploads. About 3 minutes.
hardening: venv sysdeps services messages
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(PY) -m pytest -p no:xdist -m hardening tests/hardening tests/programme/test_pdf.py $(PYTEST_ARGS)

bench: venv services messages
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/icon_bench} \
	  REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/2} \
	  $(PY) tests/bench/run.py

lock: venv
	(echo "# Pinned versions installed by the Makefile (pip install -r requirements.lock)."; \
	 echo "# Regenerate with: make lock"; $(PY) -m pip freeze | grep -v '^-e') > requirements.lock

clean:
	rm -rf $(VENV) var staticfiles
