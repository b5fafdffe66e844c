# Pantau: `make run` serves a demo on http://127.0.0.1:8000 (DEBUG off, as in production),
# `make dev` the same demo with DEBUG on (Django's runserver: reloads code, shows tracebacks),
# `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run dev test install lint typecheck check bandit bench audit clean schemathesis messages messages-compile bench-site bench-duckdb

# Create .venv with a Python >= 3.12 found by running the candidates (see scripts/find-python),
# then install the project with its pinned dependencies. Re-done only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		py=$$(PYTHON=$(PYTHON) scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: export DEBUG := 0
dev: export DEBUG := 1
# The worker runs in a loop that starts it again if it exits. The worker and the server each
# get a process group of their own (set -m), so Ctrl-C reaches only make and this shell, which
# sends SIGTERM to both and waits for them: a SIGINT to every process at once reached granian's
# own worker processes behind its back ("unexpected exit of worker", a segmentation fault).
run dev: $(STAMP)
	$(BIN)/pantau migrate --noinput
	$(BIN)/pantau setup
	$(BIN)/pantau demo load
	@echo "Starting the worker and the server on http://127.0.0.1:$(PORT) (DEBUG=$$DEBUG; Ctrl-C stops both)"
	@set -m; \
	stop() { trap '' INT TERM; kill -TERM $$worker $$server 2>/dev/null; wait; }; \
	trap 'stop; exit 0' INT TERM; \
	( trap 'kill -TERM $$pid 2>/dev/null; wait $$pid; exit 0' TERM; \
	  while :; do \
	    $(BIN)/pantau worker & pid=$$!; wait $$pid; \
	    echo "The worker exited (status $$?); starting it again in 5 s" >&2; sleep 5; \
	  done ) & worker=$$!; \
	$(if $(filter dev,$@),$(BIN)/pantau runserver 127.0.0.1:$(PORT),PORT=$(PORT) $(BIN)/pantau serve) & server=$$!; \
	set +m; \
	wait $$server; status=$$?; stop; exit $$status

# The suite runs in parallel, one process per core (pytest-xdist).
test: $(STAMP)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy pantau config

check: $(STAMP)
	$(BIN)/pantau check
	$(BIN)/pantau makemigrations --check --dry-run
	PANTAU_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=pantau.example.org \
		$(BIN)/pantau check --deploy --fail-level WARNING

# Security lint of the code (not tests, not migrations; see [tool.bandit] in pyproject.toml).
# Every finding is fixed or justified in place with `# nosec <ID>` and the reason above it.
bandit: $(STAMP)
	$(BIN)/bandit -q -r pantau config -c pyproject.toml

# The API fuzzed against its OpenAPI document (scripts/schemathesis): every check, anonymous and
# with a Secretariat read-only token, on a throwaway SQLite database with the demo data.
schemathesis: $(STAMP)
	BIN=$(BIN) scripts/schemathesis

# Known vulnerabilities in the installed dependencies. pip-audit needs network access (to PyPI
# and its advisory database), so it is not part of CI (.ci/run): run it where a network is
# available, e.g. before a release or on a schedule.
audit: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-audit && $(BIN)/pip-audit

# Performance figures (bench/README.md): SCALE=small (minutes) or SCALE=full (the real size);
# SQLite and PostgreSQL (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432).
SCALE ?= small
bench: $(STAMP)
	$(BIN)/python -m bench.run --scale $(SCALE)

# The site's figures (api with wrk, pages in Chromium, review, search): bench/README.md.
bench-site: $(STAMP)
	$(BIN)/python -m bench.site

# For information: the aggregate as a scan in DuckDB, SQLite and PostgreSQL (bench/README.md).
bench-duckdb: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.duckdb_compare --stored $(or $(STORED),1000000)

clean:
	rm -rf $(VENV) var/test-*

# The project's Bahasa Indonesia catalogue (pantau/locale; docs/i18n.md): collect the strings
# (apps with a catalogue of their own are left to it), then compile after translating.
# The compiled .mo files are committed; `messages-compile` rebuilds every catalogue's .mo.
I18N_OWN_APPS := programmes cultivation treatment cooperation
messages: $(STAMP)
	cd pantau && ../$(BIN)/python ../manage.py makemessages -l id -d django --no-obsolete \
		$(foreach a,$(I18N_OWN_APPS),--ignore '$(a)/*' --ignore 'templates/$(a)/*') \
		--ignore '*/tests/*' --ignore 'static/*' --ignore conftest.py
	msgattrib --untranslated pantau/locale/id/LC_MESSAGES/django.po | grep -c '^msgid' || true

messages-compile:
	for po in $$(find pantau -path '*/locale/*/LC_MESSAGES/*.po'); do \
		msgfmt --check -o $${po%.po}.mo $$po || exit 1; done
