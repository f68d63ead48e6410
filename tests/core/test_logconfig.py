"""``mozlog_config()``: a dictConfig that gives mozlog JSON on stdout, summary included."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest

from dockerflow.logging import mozlog_config, request_id_context

from .conftest import strict_loads

TOUCHED = ("", "request.summary", "myservice")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """dictConfig rewires the root logger: put back what the test run had."""
    saved = {
        name: (
            logging.getLogger(name).handlers[:],
            logging.getLogger(name).level,
            logging.getLogger(name).propagate,
        )
        for name in TOUCHED
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def lines(stream: io.StringIO) -> list[dict]:
    return [strict_loads(line) for line in stream.getvalue().splitlines()]


def test_summary_and_service_records_are_mozlog_lines() -> None:
    stream = io.StringIO()
    logging.config.dictConfig(mozlog_config("myservice", stream=stream))
    token = request_id_context.set("rid-123")
    try:
        logging.getLogger("request.summary").info("", extra={"path": "/", "errno": 0})
        logging.getLogger("myservice").info("hello %s", "world")
    finally:
        request_id_context.reset(token)
    summary, hello = lines(stream)
    assert summary["Type"] == "request.summary"
    assert summary["Logger"] == "myservice"
    assert summary["Fields"] == {"path": "/", "errno": 0, "rid": "rid-123"}
    assert hello["Type"] == "myservice"
    assert hello["Fields"] == {"msg": "hello world", "rid": "rid-123"}


def test_level_filters_everything_but_the_summary() -> None:
    stream = io.StringIO()
    logging.config.dictConfig(mozlog_config(level="WARNING", stream=stream))
    logging.getLogger("myservice").info("dropped")
    logging.getLogger("myservice").warning("kept")
    logging.getLogger("request.summary").info("", extra={"errno": 0})
    out = lines(stream)
    assert [(r["Type"], r["Severity"]) for r in out] == [
        ("myservice", 4),
        ("request.summary", 6),
    ]
    assert {r["Logger"] for r in out} == {"Dockerflow"}


def test_default_stream_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(mozlog_config("myservice"))
    logging.getLogger("request.summary").info("", extra={"errno": 0})
    captured = capsys.readouterr()
    (line,) = captured.out.splitlines()
    assert strict_loads(line)["Type"] == "request.summary"
    assert captured.err == ""


def test_each_call_returns_a_fresh_dict() -> None:
    first = mozlog_config()
    first["loggers"]["myservice"] = {"level": "DEBUG"}
    first["handlers"]["mozlog"]["filters"].append("other")
    second = mozlog_config()
    assert "myservice" not in second["loggers"]
    assert second["handlers"]["mozlog"]["filters"] == ["request_id"]


def test_existing_loggers_stay_enabled() -> None:
    before = logging.getLogger("myservice.already.there")
    logging.config.dictConfig(mozlog_config(stream=io.StringIO()))
    assert before.disabled is False
