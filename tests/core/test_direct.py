"""The direct request.summary line: byte for byte the standard path's, or not taken.

Equivalence tests log the same fields twice, through ``write_summary`` and
with it switched off, and compare what real handlers wrote, but the clock.
"""

from __future__ import annotations

import contextvars
import io
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dockerflow import direct, emitguard, summary
from dockerflow.logging import JsonLogFormatter, MozlogHandler, RequestIdLogFilter
from dockerflow.logging import request_id_context as rid_context
from dockerflow.summary import log_summary

from .conftest import strict_loads

FIELDS = summary.summary_fields(method="GET", path="/x", rid="r1", status=200)
ODD = {**FIELDS, "path": '/café/"q"\\\u2028\U0001f600', "agent": "\x00'\"", "ключ": "é"}
#: The usual shape, with "t": encoded by summary.usual_json, not the encoder.
TIMED = summary.summary_fields(
    method="GET", path='/é"', agent="\x00<", rid="r1", status=200, started=0.0
)
_names = itertools.count()


def same(texts: list[str]) -> list[str]:
    return [re.sub(r'"Timestamp":\d+,', "", text) for text in texts]


@pytest.fixture
def logger() -> logging.Logger:
    """A fresh logger outside the registry (as in test_summary): no parent, so
    nothing global changes and pytest attaches no capture handler to it."""
    made = logging.Logger(f"request.summary.test-{next(_names)}")
    made.setLevel(logging.INFO)
    return made


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[logging.Handler]:
    """The handlers the direct path wrote to, in order."""
    seen: list[logging.Handler] = []
    original = direct._write

    def spy(handler: logging.Handler, *args: Any) -> None:
        seen.append(handler)
        original(handler, *args)

    monkeypatch.setattr(direct, "_write", spy)
    return seen


def json_handler(sink: Any, name: str = "svc") -> logging.StreamHandler[Any]:
    handler = logging.StreamHandler(sink)
    handler.setFormatter(JsonLogFormatter(logger_name=name))
    return handler


def mozlog_handler(sink: Any, name: str = "svc") -> MozlogHandler:
    """What dockerflow.logconfig.mozlog_config(name) sets up, built by hand."""
    handler = MozlogHandler(sink, name=name)
    handler.setFormatter(JsonLogFormatter(logger_name=name))
    handler.addFilter(RequestIdLogFilter())
    return handler


def added(sinks: list[Any], log: Callable[[], None]) -> list[str]:
    """What each sink got from ``log()``; a file's bytes, decoded strictly."""

    def read(s: Any) -> str:
        return s.read_bytes().decode("ascii") if isinstance(s, Path) else s.getvalue()

    before = [read(s) for s in sinks]
    log()
    return [read(s)[len(b) :] for s, b in zip(sinks, before, strict=True)]


def both_ways(
    target: logging.Logger,
    sinks: list[Any],
    fields: dict[str, Any],
    mp: pytest.MonkeyPatch,
) -> tuple[list[str], list[str]]:
    """What each sink got from a direct log call, then from a standard one."""
    ours = added(sinks, lambda: log_summary(dict(fields), None, target))
    with mp.context() as m:
        m.setattr(summary, "write_summary", lambda *a: False)
        return ours, added(sinks, lambda: log_summary(dict(fields), None, target))


def build(
    config: str, logger: logging.Logger, tmp: Path
) -> tuple[logging.Logger, list[Any]]:
    """The logger to log to, and the sinks of the handlers it reaches."""
    near, far = io.StringIO(), io.StringIO()
    if config == "file":
        logger.addHandler(logging.FileHandler(tmp / "app.log", encoding="utf-8"))
        logger.handlers[0].setFormatter(JsonLogFormatter(logger_name="svc"))
        return logger, [tmp / "app.log"]
    if config.endswith("-then-plain") or config.startswith("plain-then"):
        # One handler on a child logger, one on the parent it propagates to.
        child = logging.Logger(f"{logger.name}.child")
        child.parent = logger
        mozlog, plain = mozlog_handler, json_handler
        first, then = (
            (mozlog, plain) if config.startswith("mozlog") else (plain, mozlog)
        )
        child.addHandler(first(near, "stamped" if first is mozlog else "own"))
        logger.addHandler(then(far, "stamped" if then is mozlog else "own"))
        return child, [near, far]
    if config == "level-above-info":
        logger.addHandler(json_handler(far))
        logger.handlers[0].setLevel(logging.WARNING)
    logger.addHandler(
        mozlog_handler(near) if config == "mozlog" else json_handler(near)
    )
    handler = logger.handlers[-1]
    if config == "terminator":
        handler.terminator = "\r\n;\n"  # type: ignore[attr-defined]
    elif config == "instance-emit":  # replaced on this one handler only
        handler.emit = lambda record: near.write("custom\n")  # type: ignore[method-assign,assignment]
    elif config == "instance-format":
        handler.format = lambda record: "custom"  # type: ignore[method-assign]
    elif config == "formatter-instance-format":
        handler.formatter.format = lambda record: "custom"  # type: ignore[method-assign,union-attr]
    elif config == "instance-handle-filter":  # writes a mark, lets it through
        handler.filter = lambda record: near.write("seen ") or True  # type: ignore[method-assign,assignment,return-value]
    return logger, [far, near] if config == "level-above-info" else [near]


@pytest.mark.parametrize(
    ("config", "fields", "direct_writes", "lines"),
    [
        ("stream", FIELDS, 1, [1]),
        ("file", FIELDS, 1, [1]),
        ("mozlog", FIELDS, 1, [1]),
        ("mozlog-then-plain", FIELDS, 2, [1, 1]),
        ("plain-then-mozlog", FIELDS, 2, [1, 1]),
        ("level-above-info", FIELDS, 1, [0, 1]),
        ("terminator", FIELDS, 1, [1]),
        ("stream", ODD, 1, [1]),
        ("stream", TIMED, 1, [1]),
        ("mozlog-then-plain", TIMED, 2, [1, 1]),
        ("stream", {**FIELDS, "uid": object()}, 1, [1]),  # its repr
        ("stream", {**FIELDS, "t": float("nan")}, 0, [1]),  # sanitised
        # A method replaced on one object, not its class: the standard path.
        *[(config, FIELDS, 0, [1]) for config in
          ("instance-emit", "instance-format", "formatter-instance-format",
           "instance-handle-filter")],
    ],
    ids=["stream", "file", "mozlog", "mozlog-then-plain", "plain-then-mozlog",
         "level-above-info", "terminator", "odd-characters", "usual", "usual-two", "object", "nan",
         "instance-emit", "instance-format", "formatter-instance-format",
         "instance-handle-filter"],
)  # fmt: skip
def test_direct_line_is_the_standard_line(
    config: str,
    fields: dict[str, Any],
    direct_writes: int,
    lines: list[int],
    logger: logging.Logger,
    tmp_path: Path,
    writes: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same bytes on every sink but the clock; direct once per handler reached.
    A MozlogHandler's name, stamped on the record, is the Logger of later lines."""
    target, sinks = build(config, logger, tmp_path)
    try:
        ours, standard = both_ways(target, sinks, fields, monkeypatch)
    finally:
        for handler in target.handlers + logger.handlers:
            handler.close()
    assert len(writes) == direct_writes
    assert same(ours) == same(standard)
    if "instance" in config:  # the replacement's output: not a JSON line
        assert "custom" in ours[0] or "seen " in ours[0]
        return
    terminator = target.handlers[0].terminator  # type: ignore[attr-defined]
    assert [text.count(terminator) for text in ours] == lines
    names = [strict_loads(text[: -len(terminator)])["Logger"] for text in ours if text]
    expected = {
        "mozlog-then-plain": ["stamped"] * 2,
        "plain-then-mozlog": ["own", "stamped"],
    }
    assert names == expected.get(config, ["svc"])


# Fallbacks: nothing written directly, and the configuration has its effect.


class Tagging(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.tag = "filtered"
        return True


class Marked(JsonLogFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record) + " #marked"


class Mine(logging.StreamHandler):  # type: ignore[type-arg]
    """A subclass overriding nothing."""


def configure(case: str, logger: logging.Logger, mp: pytest.MonkeyPatch) -> io.StringIO:
    sink = io.StringIO()
    handler = Mine(sink) if case == "handler-subclass" else json_handler(sink)
    if case == "handler-subclass":
        handler.setFormatter(JsonLogFormatter(logger_name="svc"))
    elif case == "handler-filter":
        handler.addFilter(Tagging())
    elif case == "request-id-filter":
        handler.addFilter(RequestIdLogFilter())
    elif case == "json-formatter-subclass":
        handler.setFormatter(Marked(logger_name="svc"))
    elif case == "plain-formatter":
        handler.setFormatter(logging.Formatter("%(levelname)s %(method)s %(path)s"))
    elif case == "logger-filter":
        logger.addFilter(lambda record: False)
    elif case == "record-factory":
        default = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = default(*args, **kwargs)
            record.made_by = "factory"
            return record

        logging.setLogRecordFactory(factory)  # restore_factory puts it back
    elif case == "call-handlers-wrapped":  # as sentry-sdk does
        call_handlers = logging.Logger.callHandlers

        def wrapper(self: logging.Logger, record: logging.LogRecord) -> None:
            record.seen_by = "wrapper"
            call_handlers(self, record)

        mp.setattr(logging.Logger, "callHandlers", wrapper)
    elif case == "logger-instance-call-handlers":  # on this one logger only
        own = logger.callHandlers

        def marking(record: logging.LogRecord) -> None:
            record.seen_by = "instance"
            own(record)

        logger.callHandlers = marking  # type: ignore[method-assign]
    if case == "no-handler-anywhere":  # logging.lastResort's business
        mp.setattr(logging, "lastResort", handler)
    else:
        logger.addHandler(handler)
    return sink


@pytest.fixture
def restore_factory() -> Iterator[None]:
    default = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(default)


LINE = r'\{"Timestamp":\d+,"Type":"request\.summary\.test-\d+","Logger":"svc",.*'


FALLBACKS = [
    ("handler-filter", LINE + r'"rid":"r1","tag":"filtered"\}\}\n'),
    ("request-id-filter", LINE + r'"uid":"","rid":"ctx-rid"\}\}\n'),
    ("json-formatter-subclass", LINE + r'"rid":"r1"\}\} #marked\n'),
    ("plain-formatter", r"INFO GET /x\n"),
    ("handler-subclass", LINE + r'"rid":"r1"\}\}\n'),
    ("logger-filter", ""),
    ("record-factory", LINE + r'"Fields":\{"made_by":"factory",.*"rid":"r1"\}\}\n'),
    ("call-handlers-wrapped", LINE + r'"rid":"r1","seen_by":"wrapper"\}\}\n'),
    ("logger-instance-call-handlers", LINE + r'"rid":"r1","seen_by":"instance"\}\}\n'),
    ("no-handler-anywhere", LINE + r'"rid":"r1"\}\}\n'),
    ("error-record", LINE + r'"Severity":3,.*"rid":"r1","msg":"broke","error":"ValueError\(\'broke\'\)",'
     r'"traceback":".*raise exc.*"\}\}\n'),
]  # fmt: skip


def raised(exc: Exception) -> Exception:
    """``exc``, raised and caught: it carries a traceback."""
    try:
        raise exc
    except Exception as caught:
        return caught


@pytest.mark.parametrize(("case", "expected"), FALLBACKS, ids=[c for c, _ in FALLBACKS])
@pytest.mark.usefixtures("restore_factory")
def test_anything_else_gets_a_real_record(
    case: str,
    expected: str,
    logger: logging.Logger,
    writes: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another filter (or ours, with no rid to keep), formatter (even a subclass
    of ours), handler class, record factory, a wrapped Logger.callHandlers, no
    handler at all or an ERROR summary: a real record is made and handled,
    and what the configuration does shows in the line."""
    sink = configure(case, logger, monkeypatch)
    fields = dict(FIELDS)
    if case == "request-id-filter":
        del fields["rid"]
    exc = raised(ValueError("broke")) if case == "error-record" else None
    context = contextvars.copy_context()
    context.run(rid_context.set, "ctx-rid")
    context.run(log_summary, fields, exc, logger)
    assert writes == []
    assert re.fullmatch(expected, sink.getvalue())


@pytest.fixture
def restore_emit() -> Iterator[None]:
    stdlib = logging.StreamHandler.emit
    yield
    type.__setattr__(logging.StreamHandler, "emit", stdlib)
    emitguard.last_seen[0] = None
    emitguard.installed[0] = False


@pytest.mark.usefixtures("restore_emit")
@pytest.mark.parametrize("guarded", [True, False], ids=["guarded", "unguarded"])
def test_patched_stream_emit(
    guarded: bool,
    logger: logging.Logger,
    writes: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With StreamHandler.emit replaced (tracerite) and the emit guard
    installed, our lines stay bare, so they still go direct and equal the
    standard ones, while other handlers still go through the replacement.
    Without the guard, the replacement sees every record: no direct line."""
    calls: list[str] = []
    original = logging.StreamHandler.emit

    def patched(self: logging.StreamHandler[Any], record: logging.LogRecord) -> None:
        calls.append(record.name)
        self.stream.write("patched: ")
        original(self, record)

    type.__setattr__(logging.StreamHandler, "emit", patched)
    if guarded:
        emitguard.install_emit_guard()
    logger.addHandler(json_handler(sink := io.StringIO()))
    ours, standard = both_ways(logger, [sink], FIELDS, monkeypatch)
    assert same(ours) == same(standard)
    if not guarded:
        assert (writes, calls) == ([], [logger.name, logger.name])
        assert ours[0].startswith("patched: {")
        return
    assert (len(writes), calls) == (1, [])
    strict_loads(ours[0].strip())
    other = logging.StreamHandler(theirs := io.StringIO())
    other.setFormatter(logging.Formatter("%(path)s"))
    other.handle(logging.makeLogRecord({"name": "other", "path": "/y"}))
    assert (calls, theirs.getvalue()) == (["other"], "patched: /y\n")


def test_delayed_file_opens_on_the_standard_path(
    logger: logging.Logger, tmp_path: Path, writes: list[Any]
) -> None:
    """A FileHandler(delay=True) has no stream yet: the standard path opens it."""
    handler = logging.FileHandler(tmp_path / "app.log", delay=True)
    handler.setFormatter(JsonLogFormatter())
    logger.addHandler(handler)
    try:
        log_summary(dict(FIELDS), None, logger)
        assert writes == [] and handler.stream is not None
        log_summary(dict(FIELDS), None, logger)  # open now: direct
        assert writes == [handler]
    finally:
        handler.close()
    first, second = same((tmp_path / "app.log").read_text().splitlines())
    assert first == second


def test_failing_stream_is_reported_and_others_still_write(
    logger: logging.Logger,
    writes: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A failed write goes to handleError with a LogRecord, as emit's would; the
    call doesn't raise and the next handler still gets its line."""

    class Broken:
        def write(self, text: str) -> int:
            raise OSError("disk full")

    reported: list[logging.LogRecord] = []
    handle_error = logging.Handler.handleError

    def spy(self: logging.Handler, record: logging.LogRecord) -> None:
        reported.append(record)
        handle_error(self, record)

    monkeypatch.setattr(logging.Handler, "handleError", spy)
    monkeypatch.setattr(logging, "raiseExceptions", True)
    logger.addHandler(json_handler(Broken()))
    logger.addHandler(json_handler(healthy := io.StringIO()))
    ours, standard = both_ways(logger, [healthy], FIELDS, monkeypatch)
    err = capsys.readouterr().err
    assert len(writes) == 2  # the direct call's two handlers
    assert [(type(r), r.levelno, r.__dict__["path"]) for r in reported] == [
        (logging.LogRecord, logging.INFO, "/x")
    ] * 2
    assert err.count("--- Logging error ---") == err.count("OSError: disk full") == 2
    assert err.count("Message: ''\nArguments: ()") == 2
    assert same(ours) == same(standard) != [""]


# The route each logger's records take is remembered; any change to what
# decided it is seen on the next record.


class Flushing(logging.StreamHandler):  # type: ignore[type-arg]
    def flush(self) -> None:
        self.stream.write("[flushed]")


def change(case: str, target: logging.Logger, handler: Any, second: Any) -> None:
    if case == "formatter":
        handler.setFormatter(logging.Formatter("%(method)s %(path)s"))
    elif case == "level":
        handler.setLevel(logging.WARNING)
    elif case == "handler-added":
        target.addHandler(json_handler(second, "added"))
    elif case == "filter-added":
        handler.addFilter(Tagging())
    elif case == "stream":
        handler.setStream(second)  # type: ignore[attr-defined]
    elif case == "propagation":
        target.propagate = False
    elif case == "class":
        handler.__class__ = Flushing
    elif case == "class-method":
        original = logging.StreamHandler.flush

        def flush(self: logging.StreamHandler[Any]) -> None:
            self.stream.write("[patched]")
            original(self)

        logging.StreamHandler.flush = flush  # type: ignore[method-assign,assignment]


CHANGES = [
    ("formatter", ["GET /x\n", ""], 0),
    ("level", ["", ""], 0),
    ("handler-added", ["{", "{"], 2),
    ("filter-added", ['{"Timestamp"', ""], 0),
    ("stream", ["", "{"], 1),
    ("propagation", ["", ""], 0),
    ("class", ['{"Timestamp"', ""], 0),
    ("class-method", ['{"Timestamp"', ""], 0),
]


@pytest.mark.parametrize(
    ("case", "starts", "direct_writes"), CHANGES, ids=[c[0] for c in CHANGES]
)
def test_a_change_after_the_first_record_is_seen(
    case: str,
    starts: list[str],
    direct_writes: int,
    logger: logging.Logger,
    writes: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first record goes direct; after the change, the next one goes
    where, and as, the standard path would send it."""
    first, second = io.StringIO(), io.StringIO()
    if case == "propagation":  # the handler sits on the parent
        child = logging.Logger(f"{logger.name}.child")
        child.parent = logger
        logger.addHandler(json_handler(first))
        target = child
    else:
        logger.addHandler(json_handler(first))
        target = logger
    monkeypatch.setattr(logging.StreamHandler, "flush", logging.StreamHandler.flush)
    log_summary(dict(FIELDS), None, target)
    assert len(writes) == 1 and first.getvalue().startswith("{")
    del writes[:]
    change(case, target, logger.handlers[0], second)
    got = added([first, second], lambda: log_summary(dict(FIELDS), None, target))
    assert [
        text[: len(start)] for text, start in zip(got, starts, strict=True)
    ] == starts
    assert [bool(text) for text in got] == [bool(start) for start in starts]
    assert len(writes) == direct_writes
    if case == "filter-added":
        assert '"tag":"filtered"' in got[0]
    if case in ("class", "class-method"):
        assert "[flushed]" in got[0] or "[patched]" in got[0]


@pytest.mark.parametrize("config", ["plain", "mozlog", "file", "mozlog-then-plain"])
@pytest.mark.parametrize("fields", [FIELDS, ODD, TIMED], ids=["usual", "odd", "timed"])
def test_the_switch_off_writes_the_same_bytes_through_a_record(
    config: str,
    fields: dict[str, Any],
    logger: logging.Logger,
    writes: list[Any],
    tmp_path: Path,
) -> None:
    """DOCKERFLOW_SUMMARY_DIRECT_WRITE: on, the line goes direct; off, it is
    a LogRecord through Logger.handle; the bytes are the same either way."""
    target, sinks = build(config, logger, tmp_path)
    try:
        on = added(sinks, lambda: log_summary(dict(fields), None, target))
        assert writes
        written = len(writes)
        off = added(
            sinks, lambda: log_summary(dict(fields), None, target, direct=False)
        )
    finally:
        for handler in logger.handlers:
            handler.close()
    assert len(writes) == written  # nothing direct with the switch off
    assert same(on) == same(off)
    for text in on:
        strict_loads(text.strip())
