# Lotsen: `make run` sets everything up and serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The PostgreSQL server the suite runs on a second time (trust auth on this machine).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
CSS := src/lotsen/static/lotsen/lotsen.css
VENDOR := src/lotsen/static/vendor
PO_FILES := $(wildcard src/lotsen/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run setup test test-sqlite test-postgres lint format bench demo migrate static clean

run: setup
	$(BIN)/lotsen migrate --no-input
	$(BIN)/lotsen demo --if-empty
	@# The web server, one job worker and the scheduler; Ctrl-C stops all three.
	$(BIN)/lotsen jobs worker & worker=$$!; $(BIN)/lotsen jobs beat & beat=$$!; \
	trap 'kill $$worker $$beat 2>/dev/null' EXIT INT TERM; \
	PORT=$(PORT) $(BIN)/lotsen serve

setup: $(VENV_STAMP) $(CSS) $(MO_FILES) var/static/staticfiles.json

$(VENV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): assets/lotsen.scss $(NODE_STAMP)
	mkdir -p $(dir $(CSS)) $(VENDOR)/govuk $(VENDOR)/htmx
	node_modules/.bin/sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
		assets/lotsen.scss $(CSS)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets $(VENDOR)/govuk/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/

%.mo: %.po $(VENV_STAMP)
	cd src/lotsen && ../../$(BIN)/lotsen compilemessages --locale $(word 1,$(subst /, ,$(patsubst src/lotsen/locale/%,%,$<)))

var/static/staticfiles.json: $(CSS) $(VENV_STAMP) $(shell find src/lotsen/static -type f 2>/dev/null)
	$(BIN)/lotsen collectstatic --no-input --verbosity 0

migrate: setup
	$(BIN)/lotsen migrate --no-input

demo: migrate
	$(BIN)/lotsen demo --if-empty

# Lint (ruff and the import-linter architecture contracts in pyproject.toml), then the
# whole suite on the embedded SQLite database (browser tests included), then again on
# PostgreSQL when a server answers at TEST_DATABASE_URL.
test: setup
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)', dbname='postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		DATABASE_URL=$(TEST_DATABASE_URL) LOTSEN_DB_TESTS_ONLY=1 LOTSEN_CASE_SCENARIOS=150 LOTSEN_ACCESS_SCENARIOS=150 \
			$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS); \
	elif [ -n "$$LOTSEN_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL), and LOTSEN_REQUIRE_POSTGRES is set."; exit 1; \
	else \
		echo "NOTE: PostgreSQL is not reachable at $(TEST_DATABASE_URL): the PostgreSQL run was NOT done."; \
	fi

lint: $(VENV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	@# Only the door writes the access log: every other module reads through privacy/door.py.
	@! grep -rn "access_log_record(" src/lotsen | grep -v "^src/lotsen/privacy/" \
		|| (echo "access_log_record( outside lotsen.privacy: read through privacy/door.py" && false)

format: $(VENV_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var $(VENDOR) src/lotsen/static/lotsen
