# One entry point for people and CI. `make run` serves the example project;
# `make test` builds the virtualenvs and runs every check CI runs.

PYTHON ?= python3
VENV := .venv
COMPAT := .venv-compat
BIN := $(VENV)/bin
PORT ?= 8000
PACKAGES := dockerflow dockerflow_flask dockerflow_sanic
EXTRAS := django,redis,flask,sanic,example,test,dev

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run venv test lint typecheck docs pytest pytest-postgres compat coverage bench clean

$(VENV)/.installed: setup.cfg pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e ".[$(EXTRAS)]"
	touch $@

$(COMPAT)/.installed: setup.cfg pyproject.toml requirements/compat.txt
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install -q --upgrade pip
	$(COMPAT)/bin/python -m pip install -q -c requirements/compat.txt -e ".[django,redis,flask,sanic,test]"
	touch $@

venv: $(VENV)/.installed

## Serve the example project with gunicorn on $PORT (SQLite, no other service).
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn example_project.wsgi --bind 0.0.0.0:$(PORT) --log-level info

## Everything CI runs: lint, types, docs, the suite (SQLite then PostgreSQL),
## the suite and the Sanic end-to-end tests on the oldest supported
## frameworks, and the coverage floor (servers and subprocesses included).
test: lint typecheck docs pytest pytest-postgres compat coverage

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy $(PACKAGES)

docs: venv
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

pytest: venv
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest

pytest-postgres: venv
	DOCKERFLOW_TEST_DATABASE=postgres $(BIN)/coverage run -m pytest tests/django

compat: $(COMPAT)/.installed
	$(COMPAT)/bin/python -m pytest -p no:cacheprovider tests/django tests/flask tests/sanic
	$(COMPAT)/bin/python -m pytest -p no:cacheprovider tests/e2e -k sanic

coverage: venv
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

## The benchmarks in benchmarks/, each printing its side-by-side figures.
bench: venv
	$(BIN)/python benchmarks/logging_formatter.py
	$(BIN)/python benchmarks/django_middleware.py
	$(BIN)/python benchmarks/heartbeat_latency.py

clean:
	rm -rf $(VENV) $(COMPAT) docs/_build .coverage .coverage.* .pytest_cache .mypy_cache .ruff_cache
