"""Fixtures for the core tests: records, a formatter, and strict JSON parsing."""

from __future__ import annotations

import json
import logging
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
