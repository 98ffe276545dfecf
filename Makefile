# Jiayuan: `make run` serves the app, `make test` runs the whole suite. Both work on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
ARGS ?=
# pytest-xdist workers for make test. 0 (the default) runs everything in one process, without xdist: a worker
# that runs a transactional test (a browser test's flush) before a TestCase class leaves that class without the
# rows the migrations made (docs/ARCHITECTURE.md, "Tests and CI"). "auto" is one per CPU for the suite or a
# folder, none for a few files (tests/conftest.py).
TEST_WORKERS ?= 0
# Debian packages the tests need: a browser, PDF tools, gettext and a CJK font.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0
# On PostgreSQL the backup tests run pg_dump, pg_restore and psql.
ifneq ($(filter postgres%,$(DATABASE_URL)),)
SYSTEM_PACKAGES += postgresql-client
endif
# The database in progress lines, its password masked: never print DATABASE_URL itself.
DATABASE_LABEL = $$($(PY) scripts/database-label $(1))

.PHONY: help run test lint benchmark system-deps messages translations clean

help:
	@echo "make run    install what is missing, migrate, load the demo estate if empty, serve http://$(HOST):$(PORT)"
	@echo "make test   install what is missing and run the whole suite (PostgreSQL when DATABASE_URL is set)"
	@echo "make benchmark   time pages and commands on a throwaway database (ARGS=\"http\" for one section)"

$(VENV)/.created:
	@python=$$(scripts/find-python); \
	echo "==> Creating $(VENV) with $$python ($$("$$python" --version 2>&1))"; \
	"$$python" -m venv --clear $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.runtime: requirements.txt $(VENV)/.created
	@echo "==> Installing runtime packages (requirements.txt)"
	@$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	@echo "==> Installing test packages (requirements-dev.txt)"
	@$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "==> Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing"; echo "Install them: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# make run serves the app as production does (gunicorn, whitenoise, DEBUG off), over plain HTTP
# on this machine: so cookies are not marked Secure and nothing redirects to HTTPS.
# A restart with nothing changed skips every step already done (docs/ARCHITECTURE.md, "Starting fast"):
# collectstatic runs only when a static file or the installed packages changed (a make prerequisite),
# migrate only when the database has unapplied migrations (manage.py prepare), and each step says what it cost.
run: export SECURE_SSL_REDIRECT ?= false
run: export SECURE_COOKIES ?= false
run: export SECURE_HSTS_SECONDS ?= 0
# Printed QR codes and invitation links point at the server make run starts, whatever its port.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.runtime var/secret_key staticfiles/.collected
	@export SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"; \
	$(PY) manage.py prepare; \
	echo "==> Starting the background worker and the schedule (run_scheduled every minute)"; \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	$(PY) manage.py db_worker --no-reload --interval 1 -v0 & \
	while true; do $(PY) manage.py run_scheduled -v0 || true; sleep 60; done & \
	echo "==> Serving http://$(HOST):$(PORT) (Ctrl-C stops)"; \
	$(VENV)/bin/gunicorn estate.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - \
	  --no-control-socket

var/secret_key: | $(VENV)/.runtime
	@mkdir -p var
	@[ -s $@ ] || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# Every file collectstatic reads: the project's static folder and the installed packages' (allauth's).
staticfiles/.collected: $(shell find static -type f 2>/dev/null) $(VENV)/.runtime | var/secret_key
	@echo "==> Collecting static files"; started=$$(date +%s%N); \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" $(PY) manage.py collectstatic --noinput --clear -v0; \
	touch $@; awk "BEGIN { printf \"    %.1f s\\n\", ($$(date +%s%N) - $$started) / 1e9 }"

test: export SECRET_KEY ?= tests-only-secret-key-not-for-production-0123456789
test: export SECURE_SSL_REDIRECT ?= false
test: export SECURE_COOKIES ?= false
test: export DJANGO_ALLOW_ASYNC_UNSAFE ?= true
test: $(VENV)/.dev system-deps messages
	@mkdir -p var test-artifacts
	@echo "==> ruff check"; $(VENV)/bin/ruff check .
	@echo "==> Checking that every model change has its migration"; $(PY) manage.py makemigrations --check --dry-run
	@echo "==> Running the suite on $(call DATABASE_LABEL,SQLite)"
	@$(VENV)/bin/pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope) $(ARGS)

lint: $(VENV)/.dev
	@$(VENV)/bin/ruff check .

# Server-side timings on a throwaway database (bench/benchmark.py); ARGS="http" runs one section.
benchmark: $(VENV)/.runtime messages
	@$(PY) bench/benchmark.py $(ARGS)

messages: $(VENV)/.runtime
	@echo "==> Compiling translations"
	@DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v0

# After adding or changing strings: refresh django.po (file names only, no line numbers, so parallel
# branches merge cleanly), translate what `scripts/po.py missing` lists, then `make messages`.
translations: $(VENV)/.runtime
	@DEBUG=true $(PY) manage.py makemessages -l zh_Hans --add-location=file --ignore=.venv --ignore=tests \
	  --ignore=bench --ignore=scripts --ignore=staticfiles -v0
	@scripts/po.py missing

clean:
	rm -rf $(VENV) staticfiles test-artifacts
