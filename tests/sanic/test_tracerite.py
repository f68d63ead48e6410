"""Our lines stay JSON under tracerite, which Sanic's ``sanic`` command loads,
while tracerite still draws for the app's other handlers."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
import tracerite
from sanic import Sanic

from dockerflow import emitguard
from dockerflow.logging import JsonLogFormatter
from dockerflow_sanic import Dockerflow


@pytest.fixture
def tracerite_loaded() -> Iterator[None]:
    tracerite.load(hooks=False, suppressions=False)
    try:
        # The extension installs the emit guard, as a service's app does.
        Dockerflow(Sanic(f"tracerite{id(object())}"))
        yield
    finally:
        tracerite.unload()
        emitguard.installed[0] = False
        emitguard.last_seen[0] = None


def test_the_extension_installs_the_emit_guard() -> None:
    emitguard.installed[0] = False
    try:
        JsonLogFormatter()
        assert not emitguard.installed[0]
        Dockerflow(Sanic("tracerite_guard"))
        assert emitguard.installed[0]
    finally:
        emitguard.installed[0] = False
        emitguard.last_seen[0] = None


@pytest.mark.usefixtures("tracerite_loaded")
def test_seed_setup_stays_one_json_object_per_line() -> None:
    ours, theirs = io.StringIO(), io.StringIO()
    # The seed's documented setup: a plain StreamHandler with the formatter.
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {"()": JsonLogFormatter, "logger_name": "app"},
                "plain": {"format": "%(message)s"},
            },
            "handlers": {
                "json": {
                    "class": "logging.StreamHandler",
                    "formatter": "json",
                    "stream": ours,
                },
                "plain": {
                    "class": "logging.StreamHandler",
                    "formatter": "plain",
                    "stream": theirs,
                },
            },
            "loggers": {
                "tests.tracerite": {"handlers": ["json", "plain"], "propagate": False}
            },
        }
    )
    logger = logging.getLogger("tests.tracerite")
    try:
        try:
            raise RuntimeError("the view broke")
        except RuntimeError:
            logger.exception("request.summary")
    finally:
        for handler in logger.handlers[:]:
            logger.removeHandler(handler)
    (line,) = ours.getvalue().splitlines()
    assert "╭" not in line
    fields = json.loads(line)["Fields"]
    assert fields["error"] == "RuntimeError('the view broke')"
    assert "raise RuntimeError" in fields["traceback"]
    assert "RuntimeError" in theirs.getvalue() and "╭" in theirs.getvalue()


def test_unloading_tracerite_restores_the_standard_emit() -> None:
    stdlib_emit = logging.StreamHandler.emit
    tracerite.load(hooks=False, suppressions=False)
    emitguard.install_emit_guard()  # wraps tracerite's emit
    assert logging.StreamHandler.emit is not stdlib_emit
    tracerite.unload()
    emitguard.installed[0] = False
    assert logging.StreamHandler.emit is stdlib_emit
