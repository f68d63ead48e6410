"""DOCKERFLOW_SUMMARY_DIRECT_WRITE: the same request.summary line through
Django, written direct (the default) or through a LogRecord (False)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from dockerflow import direct
from dockerflow.logging import JsonLogFormatter


@contextlib.contextmanager
def own_handler() -> Iterator[io.StringIO]:
    """request.summary to a StreamHandler of its own, as in production; for the
    test's duration, pytest's capture handlers (not ones the direct path
    writes for) are set aside."""
    logger = logging.getLogger("request.summary")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter(logger_name="svc"))
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.handlers[:], logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])


@pytest.fixture
def direct_writes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    original = direct.write_summary

    def spy(*args: Any) -> bool:
        written = original(*args)
        seen.append(written)
        return written

    monkeypatch.setattr("dockerflow.summary.write_summary", spy)
    return seen


def comparable(line: str) -> dict[str, Any]:
    record = json.loads(line)
    record.pop("Timestamp")
    record["Fields"].pop("t")
    return record


@pytest.mark.parametrize("path", ["/hello", "/__lbheartbeat__", "/__version__"])
def test_the_line_is_the_same_with_the_switch_on_and_off(
    client: Client, direct_writes: list[Any], path: str
) -> None:
    headers = {"HTTP_X_REQUEST_ID": "rid-1", "HTTP_USER_AGENT": 'é"\x00'}
    with own_handler() as sink:
        client.get(path, **headers)
        with override_settings(DOCKERFLOW_SUMMARY_DIRECT_WRITE=False):
            client.get(path, **headers)
    assert direct_writes == [True]  # off: write_summary is not even asked
    on, off = sink.getvalue().splitlines()
    assert comparable(on) == comparable(off)
    # Byte for byte but the clock and the duration.
    scrub = re.compile(r'"Timestamp":\d+|"t":\d+')
    assert scrub.sub("", on) == scrub.sub("", off)
