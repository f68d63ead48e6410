"""Fixtures for the core tests: records, a formatter, strict JSON, logging state."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from dockerflow.logging import JsonLogFormatter


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def strict_loads(line: str) -> Any:
    """Parse ``line`` as RFC 8259 JSON: one line, no NaN or Infinity."""
    assert "\n" not in line and "\r" not in line, line
    return json.loads(line, parse_constant=_reject_constant)


def make_record(
    msg: Any = "hello",
    args: Any = (),
    level: int = logging.INFO,
    name: str = "myproject",
    exc_info: Any = None,
    **extra: Any,
) -> logging.LogRecord:
    record = logging.getLogger(name).makeRecord(
        name, level, __file__, 10, msg, args, exc_info, extra=extra or None
    )
    return record


@pytest.fixture
def formatter() -> JsonLogFormatter:
    return JsonLogFormatter(logger_name="tests")


@pytest.fixture
def logging_state() -> Iterator[None]:
    """Put back every logger's level, handlers and flags after a test that
    configures logging (dictConfig, fileConfig) for the whole process."""
    manager = logging.Logger.manager
    loggers = [logging.getLogger()] + [
        v for v in manager.loggerDict.values() if isinstance(v, logging.Logger)
    ]
    saved = [
        (logger, logger.level, list(logger.handlers), logger.propagate, logger.disabled)
        for logger in loggers
    ]
    known = set(manager.loggerDict)
    yield
    for logger, level, handlers, propagate, disabled in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate, logger.disabled = propagate, disabled
    for name in set(manager.loggerDict) - known:
        made = manager.loggerDict[name]
        if isinstance(made, logging.Logger):
            made.handlers.clear()
            made.setLevel(logging.NOTSET)
            made.propagate, made.disabled = True, False
