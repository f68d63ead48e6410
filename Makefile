# One entry point for people and CI. `make run` serves the example project;
# `make test` builds the virtualenvs and runs every check CI runs.

PYTHON ?= python3
VENV := .venv
COMPAT := .venv-compat
# `make run` has a venv of its own with only what the example project needs,
# so a first run doesn't wait for the test and docs toolchain.
RUN_VENV := .venv-run
BIN := $(VENV)/bin
PORT ?= 8000
# Loopback only: HOST=0.0.0.0 make run opens the example project to the network.
HOST ?= 127.0.0.1
PACKAGES := dockerflow dockerflow_flask dockerflow_sanic dockerflow_fastapi
EXTRAS := django,redis,django-redis,metrics,flask,sanic,fastapi,example,test,dev
# The extras `make run` installs: the example project's, and no more.
RUN_EXTRAS := django django-redis metrics example

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run venv browser promtool dist test quick lint typecheck docs pytest pytest-unit pytest-e2e pytest-postgres compat coverage bench upstream clean

$(VENV)/.installed: setup.cfg pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# This project was once installed as "dockerflow", python-dockerflow's
	@# name: a venv from then keeps that editable install beside the new one.
	$(BIN)/python -m pip uninstall -q -y dockerflow 2>/dev/null || true
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e ".[$(EXTRAS)]"
	touch $@

$(COMPAT)/.installed: setup.cfg pyproject.toml requirements/compat.txt
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install -q --upgrade pip
	$(COMPAT)/bin/python -m pip uninstall -q -y dockerflow 2>/dev/null || true
	$(COMPAT)/bin/python -m pip install -q -c requirements/compat.txt -e ".[django,redis,django-redis,metrics,flask,sanic,test]"
	touch $@

# Quiet, and on stderr: stdout of `make run` is the service's mozlog JSON only.
# Only the packages of $(RUN_EXTRAS): the project runs from this
# checkout, so nothing is built. Where this Python's own pip can install into
# another interpreter (pip 22.3+), the venv is made without a pip of its own,
# which saves seeding one.
$(RUN_VENV)/.installed: setup.cfg pyproject.toml requirements/constraints.txt scripts/extras.py
	@echo "make run: installing the example project's packages into $(RUN_VENV)" >&2
	@rm -rf $(RUN_VENV)
	@if $(PYTHON) -m pip --python $(PYTHON) --version >/dev/null 2>&1; then \
	  $(PYTHON) -m venv --without-pip $(RUN_VENV) >&2 && \
	  pip="$(PYTHON) -m pip --python $(RUN_VENV)/bin/python"; \
	else \
	  $(PYTHON) -m venv $(RUN_VENV) >&2 && pip="$(RUN_VENV)/bin/python -m pip"; \
	fi; \
	$(PYTHON) scripts/extras.py $(RUN_EXTRAS) > $(RUN_VENV)/requirements.txt && \
	$$pip install -q --disable-pip-version-check -c requirements/constraints.txt \
	  -r $(RUN_VENV)/requirements.txt >&2
	@touch $@

venv: $(VENV)/.installed

# The browser test drives Debian's chromium through Playwright, which never
# downloads a browser of its own; install the package when it is missing.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

# The metrics test checks /__metrics__ with promtool, from Debian's
# prometheus package (its server is not started); installed when missing.
PROMTOOL := /usr/bin/promtool

promtool: $(PROMTOOL)

$(PROMTOOL):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus

## Serve the example project with gunicorn on $HOST:$PORT (127.0.0.1:8000;
## SQLite, no other service). Setup output and gunicorn's own log go to stderr.
run: $(RUN_VENV)/.installed
	@# migrate and collectstatic don't touch each other's files: run them side by side.
	@$(RUN_VENV)/bin/python manage.py migrate --noinput >&2 & migrate=$$!; \
	$(RUN_VENV)/bin/python manage.py collectstatic --noinput -v 0 >&2 || exit 1; \
	wait $$migrate
	@echo "make run: serving on http://$(HOST):$(PORT)" >&2
	@exec $(RUN_VENV)/bin/gunicorn example_project.wsgi -c python:example_project.gunicorn_conf --bind $(HOST):$(PORT) --log-level info --no-control-socket

## Everything CI runs: lint, types, docs, the suite (Django's on
## PostgreSQL), the suite on SQLite and the Sanic end-to-end tests on the
## oldest supported frameworks, and the coverage floor (servers and
## subprocesses included). Django's tests run twice, not four times: new
## Django on PostgreSQL, the oldest on SQLite.
## Two at a time, longest first: the end-to-end suite (its servers mostly
## wait on timeouts) beside the others in turn. Each prints its output when
## it ends; after a failure nothing new starts.
test: venv browser promtool $(COMPAT)/.installed
	rm -f .coverage .coverage.*
	$(MAKE) --no-print-directory -j2 --output-sync=target \
	  pytest-e2e pytest-unit pytest-postgres compat lint typecheck docs
	$(MAKE) --no-print-directory coverage

## The edit-test loop: the core, Flask and Django (SQLite) suites, stopping at
## the first failure, with Hypothesis's fast profile; no end-to-end servers.
quick: venv
	DOCKERFLOW_TEST_DATABASE=sqlite HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -x -q tests/core tests/flask tests/django

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy $(PACKAGES)

docs: venv
	$(BIN)/sphinx-build -n -W --keep-going -q -b html docs docs/_build/html

## The wheel and the sdist of dockerflow-kit, in dist/ (the wheel is built from
## the sdist, so a file missing from the sdist is missing from the wheel too).
dist: venv
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

## The whole SQLite suite in one process (make test runs it in parts, and
## Django's on PostgreSQL and on the oldest Django instead).
pytest: venv browser promtool
	rm -f .coverage .coverage.*
	HYPOTHESIS_PROFILE=ci $(BIN)/coverage run -m pytest

## Everything but the end-to-end servers and Django's tests (pytest-postgres
## runs those, compat again on SQLite).
pytest-unit: venv promtool
	HYPOTHESIS_PROFILE=ci $(BIN)/coverage run -m pytest --ignore=tests/e2e --ignore=tests/django

## The end-to-end suite, its files shared between two processes, each with
## servers of its own.
pytest-e2e: venv browser promtool
	HYPOTHESIS_PROFILE=ci $(BIN)/coverage run -m pytest -n 2 --dist loadfile --durations=15 tests/e2e

pytest-postgres: venv promtool
	DOCKERFLOW_TEST_DATABASE=postgres HYPOTHESIS_PROFILE=ci $(BIN)/coverage run -m pytest --durations=15 tests/django

compat: $(COMPAT)/.installed promtool
	HYPOTHESIS_PROFILE=ci $(COMPAT)/bin/python -m pytest -p no:cacheprovider tests/django tests/flask tests/sanic
	HYPOTHESIS_PROFILE=ci $(COMPAT)/bin/python -m pytest -p no:cacheprovider tests/e2e -k sanic

coverage: venv
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

## The benchmarks in benchmarks/, each printing its side-by-side figures. The
## middleware and hooks benchmarks build .venv-seed with python-dockerflow.
bench: venv
	$(BIN)/python benchmarks/logging_formatter.py
	$(BIN)/python benchmarks/django_middleware.py
	$(BIN)/python benchmarks/flask_hooks.py
	$(BIN)/python benchmarks/fastapi_middleware.py
	$(BIN)/python benchmarks/heartbeat_latency.py
	$(BIN)/python benchmarks/history_storage.py
	$(BIN)/python benchmarks/healthcheck_probe.py
	$(BIN)/python benchmarks/history_api.py
	$(BIN)/python benchmarks/history_admin.py --reuse
	$(BIN)/python benchmarks/metrics_scrape.py --reuse

## python-dockerflow's own test suite (fetched from PyPI) against this checkout.
upstream:
	$(PYTHON) scripts/upstream_suite.py $(UPSTREAM_ARGS)

clean:
	rm -rf $(VENV) $(COMPAT) $(RUN_VENV) dist .venv-seed .venv-upstream .venv-upstream-control docs/_build .coverage .coverage.* .pytest_cache .mypy_cache .ruff_cache
