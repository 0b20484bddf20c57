# Jiance — every set-up step a fresh machine needs lives here.
# `make demo` serves the platform with demo data on SQLite; `make test` runs every test.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced
export UV_PYTHON := $(BIN)/python
export UV_PYTHON_DOWNLOADS := never
export DJANGO_SETTINGS_MODULE ?= jiance.settings

.PHONY: demo demo-testday test serve venv system-deps lint typecheck bench clean-demo prod prod-smoke

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --locked --all-groups -q
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the project needs: Chromium for Playwright, a CJK font for PDFs, poppler for PDF checks,
# gettext for makemessages (the compiled English .mo is committed, so running needs no gettext).
system-deps:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$$need fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || need="$$need fonts-wqy-microhei"; \
	command -v pdftoppm >/dev/null || need="$$need poppler-utils"; \
	command -v msgfmt >/dev/null || need="$$need gettext"; \
	if [ -n "$$need" ]; then \
	  echo "installing:$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	fi

# The demo always runs on SQLite (var/jiance.sqlite3): built once, reused afterwards.
# A background-job worker (`jiance worker`, the database queue) runs beside the server and stops with it.
demo: venv system-deps
	DATABASE_URL= $(BIN)/jiance demo
	DATABASE_URL= JIANCE_DEBUG=0 $(BIN)/jiance worker --sole --interval 2 --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DATABASE_URL= JIANCE_DEBUG=0 $(BIN)/jiance serve --addr 127.0.0.1:8000

# The test-day demo (var/testday.sqlite3): the second test day at 10:30, the clock running from there.
TESTDAY_DB := sqlite:///$(CURDIR)/var/testday.sqlite3
demo-testday: venv system-deps
	DATABASE_URL=$(TESTDAY_DB) $(BIN)/jiance demo --phase testday
	DATABASE_URL=$(TESTDAY_DB) JIANCE_DEBUG=0 $(BIN)/jiance worker --sole --interval 2 --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DATABASE_URL=$(TESTDAY_DB) JIANCE_DEBUG=0 $(BIN)/jiance serve --addr 127.0.0.1:8000 --test-day 2 10:30

# The production server (gunicorn, WhiteNoise, production settings): the environment of
# docs/deployment.md must be set (JIANCE_ENV=production, keys, hosts, DATABASE_URL).
prod: venv
	$(BIN)/jiance serve --production --addr $${JIANCE_BIND:-127.0.0.1:8000}

# CI: the production server on DATABASE_URL (a throwaway SQLite file when unset) with demo data,
# logged into and walked through its navigation (deploy/smoke.py); CI adds the restore drill
# (SMOKE_ARGS=--restore-drill: backup, restore into a new database, the same pages).
SMOKE_ARGS ?=
prod-smoke: venv
	$(BIN)/python deploy/smoke.py $(SMOKE_ARGS)

# One worker per core (pytest-xdist; each worker has its own test database), a file per worker at a time.
PYTEST_ARGS ?= -n auto --dist loadfile
test: venv system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy jiance_core jiance

bench: venv
	for b in bench/*.py; do $(BIN)/python $$b; done

# Production settings must pass Django's deployment checks (throwaway keys, never used anywhere).
deploy-check: venv
	JIANCE_ENV=production JIANCE_ALLOWED_HOSTS=jiance.example.cn \
	JIANCE_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	JIANCE_FIELD_KEY="$$($(BIN)/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING
