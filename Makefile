# Targets a newcomer can guess: `make run` to try the application, `make test`
# before every commit. Everything is installed in .venv from the hashed lock files.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Where the PostgreSQL half of the test suite runs (pytest-django creates and
# drops a test_ database beside this one).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/feminisation
# pytest-xdist workers, each with its own test database (test_…_gw0, gw1…): "auto"
# is one per core, which on two cores makes a run 1.5 to 1.8 times as fast; 0 runs
# the tests in pytest's own process, for --pdb. Not --dist worksteal: a worker must
# run its tests in pytest-django's order, the transactional ones (which empty the
# tables, the groups that migrations create included) after the others.
TEST_WORKERS ?= auto
PYTEST = $(BIN)/pytest -n $(TEST_WORKERS) --dist load
# Compiled modules, and pytest's test modules with their asserts rewritten, are kept
# in __pycache__ (ignored by git) even where the environment sets
# PYTHONDONTWRITEBYTECODE: without them every test process compiles the suite again,
# 7 s of collection instead of 3.5 (each half of `make test` starts two).
export PYTHONDONTWRITEBYTECODE :=
DEMO_EVENTS ?= 400
# `make run`: the demo instance's territories; from 2, demonstration territories of
# real EPCIs beside the seed one (seed_demo --territories), on a database without events.
DEMO_TERRITORIES ?= 1
# `make serve`: gunicorn workers and their threads (see the README, « Mise en production »):
# threaded workers, whose main thread keeps gunicorn told they are alive while a long
# download is sent (a sync worker is killed after --timeout, mid-file).
WEB_CONCURRENCY ?= 3
WEB_THREADS ?= 4
SERVE_ADDRESS ?= 127.0.0.1:8000
BACKUP_DIR ?= backups
# Production settings on plain HTTP at 127.0.0.1 (no TLS proxy in front), with a
# page cache on disk that the workers share (each worker's local memory would not
# see another's invalidation). SECRET_KEY and DATABASE_URL come from the
# environment or .env.
SERVE_ENV := DEBUG=false HTTPS=false CACHE_URL=$${CACHE_URL:-filecache://$(CURDIR)/.serve-cache} \
	SITE_URL=$${SITE_URL:-http://$(SERVE_ADDRESS)}

.PHONY: run serve backup restore test test-fast lint test-sqlite test-postgres format lock venv bench communes

venv: $(BIN)/.installed

$(BIN)/.installed: requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

# Development settings only: DEBUG on and a random key, never committed.
.env:
	@$(PYTHON) -c "import secrets; print('DEBUG=true'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@
	@echo "Fichier .env de développement créé (DEBUG activé)."

run: venv .env
	$(MANAGE) migrate --noinput
	$(MANAGE) load_plan
	$(MANAGE) load_communes
	$(MANAGE) seed_demo --if-empty --events $(DEMO_EVENTS) --territories $(DEMO_TERRITORIES)
	$(MANAGE) create_demo_admin
	$(MANAGE) runserver 127.0.0.1:8000

# The production stack, locally: gunicorn with DEBUG off, against DATABASE_URL.
serve: venv
	$(SERVE_ENV) $(MANAGE) collectstatic --noinput
	$(SERVE_ENV) $(MANAGE) migrate --noinput
	$(SERVE_ENV) $(BIN)/gunicorn feminisation.wsgi --bind $(SERVE_ADDRESS) --workers $(WEB_CONCURRENCY) \
		--worker-class gthread --threads $(WEB_THREADS)

# A dated copy of the database of DATABASE_URL in $(BACKUP_DIR)/ (pg_dump, or
# SQLite's backup API); `make restore FILE=…` puts one back, after confirmation.
backup: venv
	$(MANAGE) backup_database --output-dir $(BACKUP_DIR)

restore: venv
	@test -n "$(FILE)" || { echo "Indiquez la sauvegarde : make restore FILE=$(BACKUP_DIR)/…"; exit 2; }
	$(MANAGE) restore_database "$(FILE)"

# Before every commit: the suite on SQLite, then on PostgreSQL with the browser
# tests (tests/browser, Debian's /usr/bin/chromium): once a run is enough, what
# they check does not depend on the database. The property tests run with the
# "ci" profile of tests/conftest.py when CI=true, else with "dev".
test: lint test-sqlite test-postgres

# The edit–test loop: SQLite, no browser, the property tests' quick profile.
test-fast: venv
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 HYPOTHESIS_PROFILE=dev $(PYTEST) -m "not browser"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

test-sqlite: venv
	@echo "== Tests sur SQLite (sans les tests navigateur, lancés sur PostgreSQL)"
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(PYTEST) -m "not browser"

test-postgres: venv
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_POSTGRES_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== Tests sur PostgreSQL ($(TEST_POSTGRES_URL)), tests navigateur compris"; \
		DATABASE_URL=$(TEST_POSTGRES_URL) $(PYTEST); \
	elif [ "$$CI" = "true" ]; then \
		echo "FAILED: PostgreSQL unreachable at $(TEST_POSTGRES_URL), and CI=true requires it."; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL tests, browser tests included: PostgreSQL unreachable at $(TEST_POSTGRES_URL)."; \
	fi

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refreshes geography/data/communes.csv (every commune of France's departments) and
# the version in SOURCE.md beside it from the npm package of INSEE's communes;
# `COMMUNES_PACKAGE=…@6.0.0` for a given vintage. Needs npm; then commit the file and run load_communes.
COMMUNES_PACKAGE ?= @etalab/decoupage-administratif
communes: venv .env
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		(cd "$$tmp" && npm pack --silent "$(COMMUNES_PACKAGE)" >/dev/null) && \
		tar -xzf "$$tmp"/*.tgz -C "$$tmp" && \
		$(MANAGE) write_communes_file "$$tmp/package"

# Re-pin the dependencies after editing pyproject.toml. WeasyPrint asks for
# fonttools[woff]: its pin keeps the extra (fonttools[woff]==…), without which pip
# 23 refuses the hashed install as soon as a newer fonttools is out.
lock: venv
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 -o requirements-dev.txt
	sed -i 's/^fonttools==/fonttools[woff]==/' requirements.txt requirements-dev.txt

# Benchmarks of issues 7 and 17 (PostgreSQL at 127.0.0.1, Redis for the load test,
# wrk): builds bench_1m/bench_10m once, writes docs/benchmarks.md.
# A fast run: `make bench SIZES=10000 QUICK=1`; other options of bench/run.py go in
# BENCH_ARGS, e.g. BENCH_ARGS="--dashboard-timeout 60 --no-load".
SIZES ?= 1000000,10000000
REPEAT ?= 5
BENCH_ARGS ?=
bench: venv
	$(BIN)/python -m bench.run --sizes $(SIZES) --repeat $(REPEAT) $(if $(QUICK),--quick) $(BENCH_ARGS)
