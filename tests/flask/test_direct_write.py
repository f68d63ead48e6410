"""DOCKERFLOW_SUMMARY_DIRECT_WRITE through Flask: the same request.summary line
written direct (the default) or through a LogRecord ("false")."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from dockerflow.logging import JsonLogFormatter

from .conftest import MakeApp


@pytest.fixture
def direct_writes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    from dockerflow import direct

    seen: list[bool] = []
    original = direct.write_summary

    def spy(*args: Any) -> bool:
        seen.append(written := original(*args))
        return written

    monkeypatch.setattr("dockerflow.summary.write_summary", spy)
    return seen


@pytest.fixture
def sink() -> Iterator[io.StringIO]:
    """The summary logger the extension logs to, with one handler of its own
    (set aside: pytest's capture handlers, which take the standard path)."""
    logger = logging.getLogger("request.summary")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    yield io.StringIO()
    logger.handlers[:], logger.propagate = saved[0], saved[1]
    logger.setLevel(saved[2])


def own_handler(stream: io.StringIO) -> None:
    logger = logging.getLogger("request.summary")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter(logger_name="svc"))
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)


@pytest.mark.parametrize("path", ["/", "/__lbheartbeat__"])
def test_the_line_is_the_same_with_the_switch_on_and_off(
    make_app: MakeApp, sink: io.StringIO, direct_writes: list[bool], path: str
) -> None:
    on_app, _ = make_app()
    off_app, _ = make_app({"DOCKERFLOW_SUMMARY_DIRECT_WRITE": "false"})
    own_handler(sink)
    headers = {"X-Request-ID": "rid-1", "User-Agent": 'é"'}
    on_app.test_client().get(path, headers=headers)
    off_app.test_client().get(path, headers=headers)
    assert direct_writes == [True]  # off: write_summary is not even asked
    on, off = sink.getvalue().splitlines()
    scrub = re.compile(r'"Timestamp":\d+|"t":\d+')
    assert scrub.sub("", on) == scrub.sub("", off)
