"""The direct path's questions, one table row each: which loggers, handler
classes, formatters and handlers it writes for. Anything it does not know for
sure is a "no", and the record takes ``Logger.handle``."""

from __future__ import annotations

import io
import logging
import logging.handlers
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockerflow import direct
from dockerflow.logging import (
    JsonLogFormatter,
    MozlogFormatter,
    MozlogHandler,
    RequestIdLogFilter,
)

RID = {"rid": "r1"}


class Subclass(JsonLogFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return "custom"


class OwnStream(logging.StreamHandler):  # type: ignore[type-arg]
    pass


def stream(formatter: Any = None, **attrs: Any) -> logging.Handler:
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonLogFormatter() if formatter is None else formatter)
    for name, value in attrs.items():
        setattr(handler, name, value)
    return handler


def filtered(*filters: Any) -> logging.Handler:
    handler = stream()
    for f in filters:
        handler.addFilter(f)
    return handler


HANDLERS: list[tuple[str, Callable[[Path], logging.Handler], dict[str, Any], bool]] = [
    ("stream + ours", lambda tmp: stream(), RID, True),
    ("stream + MozlogFormatter", lambda tmp: stream(MozlogFormatter()), RID, True),
    ("MozlogHandler", lambda tmp: MozlogHandler(io.StringIO()), RID, True),
    (
        "FileHandler",
        lambda tmp: stream_of(logging.FileHandler(tmp / "a.log")),
        RID,
        True,
    ),
    (
        "FileHandler, not open yet",
        lambda tmp: stream_of(logging.FileHandler(tmp / "a.log", delay=True)),
        RID,
        False,
    ),
    (
        "request-id filter, rid given",
        lambda tmp: filtered(RequestIdLogFilter()),
        RID,
        True,
    ),
    (
        "request-id filter, no rid",
        lambda tmp: filtered(RequestIdLogFilter()),
        {},
        False,
    ),
    ("another filter", lambda tmp: filtered(logging.Filter("x")), RID, False),
    ("a callable filter", lambda tmp: filtered(lambda r: True), RID, False),
    ("stdlib formatter", lambda tmp: stream(logging.Formatter()), RID, False),
    (
        "no formatter",
        lambda tmp: stream(formatter=False, formatter_none=True),
        RID,
        False,
    ),
    ("subclass of our formatter", lambda tmp: stream(Subclass()), RID, False),
    ("handler subclass", lambda tmp: stream_of(OwnStream(io.StringIO())), RID, False),
    ("emit set on the handler", lambda tmp: stream(emit=print), RID, False),
    ("format set on the handler", lambda tmp: stream(format=str), RID, False),
    ("flush set on the handler", lambda tmp: stream(flush=print), RID, False),
    ("NullHandler", lambda tmp: logging.NullHandler(), RID, False),
]


def stream_of(handler: logging.Handler) -> logging.Handler:
    handler.setFormatter(JsonLogFormatter())
    return handler


@pytest.mark.parametrize(
    ("build", "fields", "plain"),
    [row[1:] for row in HANDLERS],
    ids=[row[0] for row in HANDLERS],
)
def test_plain_handler(
    build: Callable[[Path], logging.Handler],
    fields: dict[str, Any],
    plain: bool,
    tmp_path: Path,
) -> None:
    handler = build(tmp_path)
    if getattr(handler, "formatter_none", False):
        handler.formatter = None
    try:
        assert direct.plain_handler(handler, fields) is plain
    finally:
        handler.close()


@pytest.mark.parametrize(
    ("formatter", "plain"),
    [
        (JsonLogFormatter(), True),
        (MozlogFormatter(), True),
        (Subclass(), False),
        (logging.Formatter(), False),
        (None, False),
    ],
    ids=["ours", "mozlog", "subclass", "stdlib", "none"],
)
def test_plain_formatter(formatter: Any, plain: bool) -> None:
    assert direct.plain_formatter(formatter) is plain


def test_a_formatter_method_set_on_the_object_is_not_plain() -> None:
    formatter = JsonLogFormatter()
    formatter.encode_line = lambda *a: "custom"  # type: ignore[method-assign]
    assert not direct.plain_formatter(formatter)


@pytest.mark.parametrize(
    ("kind", "plain"),
    [
        (logging.StreamHandler, True),
        (logging.FileHandler, True),
        (MozlogHandler, True),
        (OwnStream, False),
        (logging.NullHandler, False),
        (logging.handlers.WatchedFileHandler, False),
    ],
)
def test_plain_handler_class(kind: type[logging.Handler], plain: bool) -> None:
    assert direct.plain_handler_class(kind) is plain


@pytest.mark.parametrize(
    "replaced", ["handle", "filter", "format", "flush", "acquire", "release", "emit"]
)
def test_a_method_replaced_on_the_class_is_not_plain(
    replaced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = logging.FileHandler
    monkeypatch.setattr(kind, replaced, lambda self, *a: None)
    assert not direct.plain_handler_class(kind)


def test_a_replaced_stream_emit_is_not_plain_for_stream_and_file_handlers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unless the emit guard wrapped it (test_direct.test_patched_stream_emit);
    MozlogHandler writes its lines itself."""
    monkeypatch.setattr(logging.StreamHandler, "emit", lambda self, record: None)
    assert not direct.plain_handler_class(logging.StreamHandler)
    assert not direct.plain_handler_class(logging.FileHandler)
    assert direct.plain_handler_class(MozlogHandler)


def _logger(**attrs: Any) -> logging.Logger:
    logger = logging.Logger("table")
    for name, value in attrs.items():
        setattr(logger, name, value)
    return logger


class OwnLogger(logging.Logger):
    pass


@pytest.mark.parametrize(
    ("logger", "fields", "plain"),
    [
        (_logger(), RID, True),
        (_logger(disabled=True), RID, False),
        (_logger(filters=[logging.Filter()]), RID, False),
        (_logger(handle=print), RID, False),
        (_logger(callHandlers=print), RID, False),
        (OwnLogger("table"), RID, False),
        (_logger(), {"message": "x"}, False),
        (_logger(), {"logger_name": "x"}, False),
        (_logger(), {"lineno": 1}, False),
    ],
    ids=[
        "plain",
        "disabled",
        "filter",
        "handle-on-object",
        "callHandlers-on-object",
        "subclass",
        "reserved-message",
        "reserved-logger_name",
        "reserved-lineno",
    ],
)
def test_plain_logger(
    logger: logging.Logger, fields: dict[str, Any], plain: bool
) -> None:
    assert direct.plain_logger(logger, fields) is plain


def test_a_record_factory_is_not_plain() -> None:
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(lambda *a, **k: factory(*a, **k))
    try:
        assert not direct.plain_logger(_logger(), RID)
    finally:
        logging.setLogRecordFactory(factory)
    assert direct.plain_logger(_logger(), RID)
