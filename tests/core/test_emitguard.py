"""A patched ``StreamHandler.emit`` can't break our lines, and still serves others.

The patch here behaves like tracerite's: it draws around records with an
exception and swaps ``emit`` back to the original while it writes.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockerflow import emitguard
from dockerflow.emitguard import guard_stream_emit, install_emit_guard
from dockerflow.logging import JsonLogFormatter

from .conftest import make_record, strict_loads

STDLIB_EMIT = logging.StreamHandler.emit


def install_drawing_patch() -> None:
    """What tracerite.load() does to StreamHandler.emit."""
    original = logging.StreamHandler.emit

    def drawing_emit(self: logging.StreamHandler[Any], record: Any) -> None:
        if not record.exc_info:
            return original(self, record)
        exc_info, record.exc_info = record.exc_info, None
        try:
            msg = self.format(record)
        finally:
            record.exc_info = exc_info
        current = logging.StreamHandler.emit
        type.__setattr__(logging.StreamHandler, "emit", original)
        try:
            self.stream.write(f"╭ {msg}\n│ {exc_info[1]!r}\n╰\n")
        finally:
            type.__setattr__(logging.StreamHandler, "emit", current)

    type.__setattr__(logging.StreamHandler, "emit", drawing_emit)


@pytest.fixture
def restore_emit() -> Iterator[None]:
    yield
    type.__setattr__(logging.StreamHandler, "emit", STDLIB_EMIT)
    emitguard.installed[0] = False
    emitguard.last_seen[0] = None


def error_record() -> logging.LogRecord:
    try:
        raise ValueError("the view broke")
    except ValueError:
        return make_record(
            "request.summary", level=logging.ERROR, exc_info=sys.exc_info()
        )


def handle(handler: logging.Handler, record: logging.LogRecord) -> None:
    handler.handle(record)
    handler.flush()


@pytest.mark.usefixtures("restore_emit")
def test_stdlib_emit_left_alone_when_nothing_patched_it() -> None:
    install_emit_guard()
    JsonLogFormatter()
    assert logging.StreamHandler.emit is STDLIB_EMIT


@pytest.mark.usefixtures("restore_emit")
def test_building_or_using_a_formatter_installs_nothing() -> None:
    """Only install_emit_guard() (the Sanic extension calls it) wraps emit."""
    install_drawing_patch()
    drawing = logging.StreamHandler.emit
    handler = logging.StreamHandler(sink := io.StringIO())
    handler.setFormatter(JsonLogFormatter())
    handle(handler, error_record())
    guard_stream_emit(JsonLogFormatter)
    assert logging.StreamHandler.emit is drawing
    assert sink.getvalue().startswith("╭ ")
    install_emit_guard()
    assert logging.StreamHandler.emit is not drawing
    handle(handler, error_record())
    strict_loads(sink.getvalue().splitlines()[-1])


@pytest.mark.usefixtures("restore_emit")
@pytest.mark.parametrize("patched_first", [True, False], ids=["before", "after"])
def test_our_lines_stay_whole_and_other_handlers_keep_the_patch(
    patched_first: bool,
) -> None:
    # "before": the patch was loaded before logging was configured (Sanic's
    # command line); "after": it comes later, and the formatter notices.
    if patched_first:
        install_drawing_patch()
    install_emit_guard()
    ours, theirs = io.StringIO(), io.StringIO()
    json_handler = logging.StreamHandler(ours)
    json_handler.setFormatter(JsonLogFormatter(logger_name="app"))
    plain_handler = logging.StreamHandler(theirs)
    plain_handler.setFormatter(logging.Formatter("%(message)s"))
    if not patched_first:
        install_drawing_patch()
        handle(json_handler, make_record("first record after the patch"))
    for _ in range(3):
        handle(json_handler, error_record())
        handle(plain_handler, error_record())
    lines = ours.getvalue().splitlines()
    records = [strict_loads(line) for line in lines]
    errors = [r for r in records if r["Fields"].get("error")]
    assert len(errors) == 3
    assert all("raise ValueError" in r["Fields"]["traceback"] for r in errors)
    assert theirs.getvalue().count("╭ request.summary") == 3


@pytest.mark.usefixtures("restore_emit")
def test_any_stream_handler_class_carrying_our_formatter(tmp_path: Path) -> None:
    install_drawing_patch()
    install_emit_guard()
    handler = logging.FileHandler(tmp_path / "app.log", encoding="utf-8")
    handler.setFormatter(JsonLogFormatter())
    try:
        handle(handler, error_record())
    finally:
        handler.close()
    (line,) = (tmp_path / "app.log").read_text().splitlines()
    assert strict_loads(line)["Fields"]["error"] == "ValueError('the view broke')"


@pytest.mark.usefixtures("restore_emit")
def test_wrapped_once_however_often_it_is_asked() -> None:
    install_drawing_patch()
    install_emit_guard()
    wrapped = logging.StreamHandler.emit
    for _ in range(3):
        JsonLogFormatter()
        guard_stream_emit(JsonLogFormatter)
        install_emit_guard()
    assert logging.StreamHandler.emit is wrapped


@pytest.mark.usefixtures("restore_emit")
def test_broken_stream_is_reported_as_logging_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    install_drawing_patch()
    install_emit_guard()
    handler = logging.StreamHandler(Broken())
    handler.setFormatter(JsonLogFormatter())
    handle(handler, error_record())
    assert "disk full" in capsys.readouterr().err
