"""The mozlog formatter: envelope, configuration paths and request ids."""

from __future__ import annotations

import email.message
import io
import logging
import logging.config
import os
import socket
import sys
import textwrap
import uuid
from collections.abc import Mapping
from pathlib import Path

import pytest

from dockerflow.logging import (
    REQUEST_ID_MAX_LENGTH,
    JsonLogFormatter,
    MozlogFormatter,
    MozlogHandler,
    RequestIdLogFilter,
    get_or_generate_request_id,
    request_id_context,
    safer_format_traceback,
    validate_request_id,
)

from .conftest import make_record, strict_loads


def test_envelope(formatter: JsonLogFormatter) -> None:
    record = make_record(
        "user %s logged in", ("bob",), name="myproject.auth", level=logging.WARNING
    )
    out = strict_loads(formatter.format(record))
    assert list(out) == [
        "Timestamp",
        "Type",
        "Logger",
        "Hostname",
        "EnvVersion",
        "Severity",
        "Pid",
        "Fields",
    ]
    assert out["Timestamp"] == int(record.created * 1e9)
    assert isinstance(out["Timestamp"], int)
    assert out["Type"] == "myproject.auth"
    assert out["Logger"] == "tests"
    assert out["Hostname"] == socket.gethostname()
    assert out["EnvVersion"] == "2.0"
    assert out["Severity"] == 4
    assert out["Pid"] == os.getpid()
    assert out["Fields"] == {"msg": "user bob logged in"}


@pytest.mark.parametrize(
    ("level", "severity"),
    [(50, 2), (40, 3), (30, 4), (20, 6), (10, 7), (5, 7), (35, 7), (0, 7)],
)
def test_severity(formatter: JsonLogFormatter, level: int, severity: int) -> None:
    assert (
        strict_loads(formatter.format(make_record(level=level)))["Severity"] == severity
    )


def test_extras_go_into_fields_and_empty_message_is_left_out(
    formatter: JsonLogFormatter,
) -> None:
    record = make_record("", errno=0, path="/x", t=12, uid="")
    assert strict_loads(formatter.format(record))["Fields"] == {
        "errno": 0,
        "path": "/x",
        "t": 12,
        "uid": "",
    }


def test_another_formatters_message_and_asctime_are_not_fields(
    formatter: JsonLogFormatter,
) -> None:
    record = make_record("hi", path="/x")
    logging.Formatter("%(asctime)s %(message)s").format(record)
    assert strict_loads(formatter.format(record))["Fields"] == {
        "path": "/x",
        "msg": "hi",
    }


def test_record_subclass_takes_the_general_path(formatter: JsonLogFormatter) -> None:
    class Custom(logging.LogRecord):
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.early = "set before the standard attributes"
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    record = Custom("n", logging.INFO, __file__, 1, "m", (), None)
    fields = strict_loads(formatter.format(record))["Fields"]
    assert fields == {"early": "set before the standard attributes", "msg": "m"}


def test_exception_fields(formatter: JsonLogFormatter) -> None:
    try:
        raise ValueError("bad\ninput")
    except ValueError:
        record = make_record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    fields = strict_loads(formatter.format(record))["Fields"]
    assert fields["msg"] == "failed"
    assert fields["error"] == "ValueError('bad\\ninput')"
    assert fields["traceback"].startswith("Uncaught exception:\n  File ")
    assert "raise ValueError" in fields["traceback"]
    assert fields["traceback"].endswith(
        "<class 'ValueError'>\nValueError('bad\\ninput')\n"
    )


def test_safer_format_traceback_escapes_the_value() -> None:
    try:
        raise RuntimeError("line1\r\nline2\x1b[31m")
    except RuntimeError:
        text = safer_format_traceback(*sys.exc_info())
    last = text.splitlines()[-1]
    assert last == "RuntimeError('line1\\r\\nline2\\x1b[31m')"


def test_stack_info_is_kept(formatter: JsonLogFormatter) -> None:
    record = make_record("with stack")
    record.stack_info = "Stack (most recent call last):\n  File x"
    assert strict_loads(formatter.format(record))["Fields"]["stack"].startswith("Stack")


def test_json_message_keys_go_into_fields(formatter: JsonLogFormatter) -> None:
    record = make_record(
        '{"action": "login", "path": "from message"}', path="from extra"
    )
    fields = strict_loads(formatter.format(record))["Fields"]
    assert fields == {"path": "from extra", "action": "login"}


@pytest.mark.parametrize(
    "message", ["{not json}", "{}x{", '{"a": 1} trailing}', "[1, 2]"]
)
def test_json_looking_message_that_is_not_an_object_is_kept(
    formatter: JsonLogFormatter, message: str
) -> None:
    assert (
        strict_loads(formatter.format(make_record(message)))["Fields"]["msg"] == message
    )


def test_json_array_message_is_kept(formatter: JsonLogFormatter) -> None:
    record = make_record("{[1]}")
    assert strict_loads(formatter.format(record))["Fields"]["msg"] == "{[1]}"


@pytest.mark.usefixtures("logging_state")
def test_dict_config_with_logger_name(tmp_path: Path) -> None:
    stream = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {
                    "()": "dockerflow.logging.JsonLogFormatter",
                    "logger_name": "myproject",
                }
            },
            "handlers": {
                "s": {
                    "class": "logging.StreamHandler",
                    "formatter": "json",
                    "stream": stream,
                }
            },
            "loggers": {
                "dictcfg": {"handlers": ["s"], "level": "DEBUG", "propagate": False}
            },
        }
    )
    logging.getLogger("dictcfg").info("I am logging in mozlog format now!")
    out = strict_loads(stream.getvalue().strip())
    assert out["Logger"] == "myproject"
    assert out["Fields"]["msg"] == "I am logging in mozlog format now!"


@pytest.mark.usefixtures("logging_state")
def test_file_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = tmp_path / "logging.ini"
    ini.write_text(
        textwrap.dedent(
            """
            [loggers]
            keys = root, inicfg

            [handlers]
            keys = console

            [formatters]
            keys = json

            [logger_root]
            level = WARNING
            handlers =

            [logger_inicfg]
            level = DEBUG
            handlers = console
            qualname = inicfg
            propagate = 0

            [handler_console]
            class = StreamHandler
            level = DEBUG
            args = (sys.stdout,)
            formatter = json

            [formatter_json]
            class = dockerflow.logging.JsonLogFormatter
            """
        )
    )
    logging.config.fileConfig(ini, disable_existing_loggers=False)
    logging.getLogger("inicfg").debug("from an ini file")
    out = strict_loads(capsys.readouterr().out.strip())
    assert out["Logger"] == "Dockerflow"
    assert out["Type"] == "inicfg"
    assert out["Fields"]["msg"] == "from an ini file"


def test_mozlog_handler_writes_with_its_name() -> None:
    stream = io.StringIO()
    handler = MozlogHandler(stream=stream, name="svc")
    assert isinstance(handler.formatter, MozlogFormatter)
    logger = logging.getLogger("mozlog.handler.test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("hello %d", 5)
    finally:
        logger.removeHandler(handler)
    out = strict_loads(stream.getvalue().strip())
    assert (out["Logger"], out["Fields"]["msg"]) == ("svc", "hello 5")


def test_mozlog_handler_defaults_to_stdout() -> None:
    assert MozlogHandler().stream is sys.stdout


def test_request_id_filter_uses_the_context_and_keeps_explicit_ids() -> None:
    flt = RequestIdLogFilter()
    token = request_id_context.set("abc-123")
    try:
        plain = make_record("x")
        assert flt.filter(plain)
        assert plain.rid == "abc-123"  # type: ignore[attr-defined]
        explicit = make_record("x", rid="given")
        flt.filter(explicit)
        assert explicit.rid == "given"  # type: ignore[attr-defined]
    finally:
        request_id_context.reset(token)
    outside = make_record("x")
    flt.filter(outside)
    assert outside.rid is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "4bd4c6a1-8d8a-4b9a-9d5e-3c8a3f7f2a11",
        "a.b_c:d+e/f=g",
        "x" * REQUEST_ID_MAX_LENGTH,
    ],
)
def test_valid_request_ids_are_kept(value: str) -> None:
    assert validate_request_id(value) == value
    assert get_or_generate_request_id({"X-Request-ID": value}) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x" * (REQUEST_ID_MAX_LENGTH + 1),
        "has space",
        "new\nline",
        'quote"',
        "é",
        "<script>",
        None,
        5,
    ],
)
def test_unsafe_request_ids_are_replaced(value: object) -> None:
    assert validate_request_id(value) is None
    generated = get_or_generate_request_id({"X-Request-ID": value})
    assert uuid.UUID(generated).version == 4


def test_request_id_header_is_matched_case_insensitively() -> None:
    assert get_or_generate_request_id({"x-request-id": "lower"}) == "lower"
    assert get_or_generate_request_id({"X-REQUEST-ID": "upper"}) == "upper"
    assert get_or_generate_request_id({"x-trace": "t1"}, header_name="X-Trace") == "t1"


def test_request_id_bytes() -> None:
    assert validate_request_id(b"abc") == "abc"
    assert validate_request_id(b"\xff") is None


def test_mozlog_handler_ignores_patches_to_stream_handler_emit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def decorate(self: logging.StreamHandler, record: logging.LogRecord) -> None:  # type: ignore[type-arg]
        self.stream.write("╭── drawn traceback ──╮\n")

    monkeypatch.setattr(logging.StreamHandler, "emit", decorate)
    stream = io.StringIO()
    handler = MozlogHandler(stream=stream)
    try:
        raise ValueError("x")
    except ValueError:
        handler.handle(
            make_record("boom", level=logging.ERROR, exc_info=sys.exc_info())
        )
    out = strict_loads(stream.getvalue().strip())
    assert "raise ValueError" in out["Fields"]["traceback"]


def test_mozlog_handler_reports_a_broken_stream(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    handler = MozlogHandler(stream=Broken())
    handler.handle(make_record("x"))
    assert "disk full" in capsys.readouterr().err


class MultiHeaders(dict[str, list[str]]):
    """Headers kept apart per field, as multidict (Sanic) keeps them."""

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        values = self.getall(name) if name in self else None
        return values[0] if values else default

    def getall(self, name: str) -> list[str]:
        return self[name]


@pytest.mark.parametrize(
    ("headers", "kept"),
    [
        ({"X-Request-ID": " padded\t"}, "padded"),
        ({"X-Request-ID": b" padded "}, "padded"),
        (MultiHeaders({"X-Request-ID": [" once "]}), "once"),
        ({"X-Request-ID": "first,second"}, None),  # a WSGI server joined two
        ({"X-Request-ID": "first, second"}, None),
        (MultiHeaders({"X-Request-ID": ["first", "second"]}), None),
        (MultiHeaders({"X-Request-ID": ["same", "same"]}), None),
        (MultiHeaders({"Other": ["x"]}), None),
        ({"X-Request-ID": "   "}, None),
    ],
)
def test_one_request_id_rule_for_padding_and_repeats(
    headers: Mapping[str, object], kept: str | None
) -> None:
    rid = get_or_generate_request_id(headers)
    if kept is None:
        assert uuid.UUID(rid).version == 4
    else:
        assert rid == kept


def test_repeated_request_id_in_an_email_style_mapping() -> None:
    message = email.message.Message()
    message["X-Request-ID"] = "first"
    assert get_or_generate_request_id(message) == "first"  # type: ignore[arg-type]
    message["X-Request-ID"] = "second"
    assert uuid.UUID(get_or_generate_request_id(message)).version == 4  # type: ignore[arg-type]
