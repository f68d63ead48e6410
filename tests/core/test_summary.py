"""log_summary's records: what Logger.info() would make, made without its stack walk."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dockerflow import summary
from dockerflow.logging import JsonLogFormatter


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def logger_with(handler: logging.Handler, cls: type = logging.Logger) -> Any:
    logger = cls("request.summary")  # not in the registry: nothing global changes
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger


FIELDS = summary.summary_fields(method="GET", path="/x", rid="r1", status=200)


def test_record_matches_logger_info() -> None:
    keep = Keep()
    logger = logger_with(keep)
    summary.log_summary(dict(FIELDS), logger=logger)
    logger.info("", extra=dict(FIELDS))
    ours, theirs = keep.records
    volatile = {"created", "msecs", "relativeCreated", "pathname", "filename"}
    volatile |= {"module", "lineno", "funcName"}
    assert list(ours.__dict__) == list(theirs.__dict__)
    for key in ours.__dict__.keys() - volatile:
        assert getattr(ours, key) == getattr(theirs, key), key
    # The extras come last: the formatter slices them off in that order.
    assert list(ours.__dict__)[-len(FIELDS) :] == list(FIELDS)
    assert (ours.funcName, ours.module) == ("log_summary", "summary")


def test_error_record_carries_the_exception() -> None:
    keep = Keep()
    try:
        raise ValueError("boom")
    except ValueError as exc:
        summary.log_summary(dict(FIELDS), exc, logger=logger_with(keep))
        raised = exc
    (record,) = keep.records
    assert (record.levelno, record.getMessage()) == (logging.ERROR, "boom")
    assert record.exc_info is not None and record.exc_info[1] is raised


def test_below_the_level_nothing_is_made() -> None:
    keep = Keep()
    logger = logger_with(keep)
    logger.setLevel(logging.WARNING)
    summary.log_summary(dict(FIELDS), logger=logger)
    assert keep.records == []


@pytest.fixture
def record_factory() -> Iterator[list[str]]:
    made: list[str] = []
    default = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made.append(args[0])
        return default(*args, **kwargs)

    logging.setLogRecordFactory(factory)
    yield made
    logging.setLogRecordFactory(default)


def test_custom_record_factory_is_used(record_factory: list[str]) -> None:
    keep = Keep()
    summary.log_summary(dict(FIELDS), logger=logger_with(keep))
    assert record_factory == ["request.summary"]
    assert keep.records[0].rid == "r1"  # type: ignore[attr-defined]


def test_logger_subclass_makerecord_is_used() -> None:
    class Tagging(logging.Logger):
        def makeRecord(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
            record = super().makeRecord(*args, **kwargs)
            record.tagged = True
            return record

    keep = Keep()
    summary.log_summary(dict(FIELDS), logger=logger_with(keep, Tagging))
    assert keep.records[0].tagged is True  # type: ignore[attr-defined]
    assert keep.records[0].path == "/x"  # type: ignore[attr-defined]


def test_clashing_key_is_refused_not_written(caplog: pytest.LogCaptureFixture) -> None:
    keep = Keep()
    with caplog.at_level(logging.ERROR, logger="dockerflow"):
        summary.log_summary({**FIELDS, "msg": "forged"}, logger=logger_with(keep))
    assert keep.records == []
    assert [r.getMessage() for r in caplog.records] == ["Could not log request.summary"]


def test_clock_fields_agree_as_logrecord_makes_them() -> None:
    keep = Keep()
    before = time.time()
    summary.log_summary(dict(FIELDS), logger=logger_with(keep))
    after = time.time()
    (record,) = keep.records
    assert before <= record.created <= after
    assert record.msecs == int((record.created - int(record.created)) * 1000) + 0.0
    reference = logging.LogRecord("x", logging.INFO, "x.py", 1, "", (), None)
    started = reference.created - reference.relativeCreated / 1000
    assert record.relativeCreated == pytest.approx(
        (record.created - started) * 1000, abs=1e-3
    )


def test_thread_and_process_are_the_callers() -> None:
    keep = Keep()
    logger = logger_with(keep)
    worker = threading.Thread(
        target=summary.log_summary,
        args=(dict(FIELDS),),
        kwargs={"logger": logger},
        name="summary-worker",
    )
    worker.start()
    worker.join()
    (record,) = keep.records
    assert (record.threadName, record.thread) == ("summary-worker", worker.ident)
    assert record.process == os.getpid()
    assert record.processName == multiprocessing.current_process().name


def test_logging_switches_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging, "logThreads", False)
    keep = Keep()
    summary.log_summary(dict(FIELDS), logger=logger_with(keep))
    assert (keep.records[0].thread, keep.records[0].threadName) == (None, None)


# usual_json: the summary's usual Fields, encoded without the encoder's machinery.

ODD_TEXT = [
    "",
    "plain",
    'quote " and backslash \\',
    "control \x00\x01\x1f\x7f tab\t newline\n",
    "é ü 漢字 🚀",
    "lone surrogate \ud800 end",
    "</script><!--",
]


def usual(**changes: Any) -> dict[str, Any]:
    fields = summary.summary_fields(
        method="GET",
        path="/__lbheartbeat__",
        agent="ELB-HealthChecker/2.0",
        lang="en",
        uid="",
        rid="r-1",
        started=time.perf_counter(),
        status=200,
    )
    fields.update(changes)
    return fields


def encoded_by_formatter(fields: dict[str, Any]) -> str:
    return "".join(JsonLogFormatter()._iterencode(fields, 0))


@pytest.mark.parametrize("text", ODD_TEXT)
def test_usual_json_is_what_the_formatter_writes(text: str) -> None:
    for fields in (
        usual(agent=text, lang=text, method=text, path=text, rid=text, uid=text),
        usual(uid=10**30, errno=-5, code=599, t=0),
    ):
        assert list(fields) == list(summary._USUAL)
        assert summary.usual_json(fields) == encoded_by_formatter(fields)


@pytest.mark.parametrize(
    "fields",
    [
        usual(uid=True),  # a bool is an int, and JSON writes it otherwise
        usual(uid=None),
        usual(t=1.5),
        usual(code=None),
        usual(agent=b"bytes"),
        usual(querystring="a=1"),
        {k: v for k, v in usual().items() if k != "rid"},
        dict(reversed(list(usual().items()))),
    ],
    ids=["bool", "none", "float", "no-code", "bytes", "extra", "no-rid", "order"],
)
def test_usual_json_declines_anything_else(fields: dict[str, Any]) -> None:
    assert summary.usual_json(fields) is None
