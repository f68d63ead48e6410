"""The ``request.summary`` line, written without a LogRecord when logging is
configured the usual way; ``DOCKERFLOW_SUMMARY_DIRECT_WRITE = False`` turns it off.

A record logged through ``Logger.handle`` passes ``callHandlers``, each
``Handler.handle``, ``emit``, ``format`` and ``flush``: for a service's
most frequent record, more than the rest of the middleware. When every
handler the record would reach is a standard stream or file handler (or
:class:`~dockerflow.logging.MozlogHandler`) with a Dockerflow JSON formatter,
the line each one would write is known without making the record, and
:func:`write_summary` writes it, under the handler's lock, as ``emit`` would.

Anything else takes the standard path, unchanged: another handler, formatter
or filter anywhere on the way, a custom record factory, a ``Logger``
subclass, or any of those methods replaced (Sentry replaces
``Logger.callHandlers``; tracerite ``StreamHandler.emit``, unless
:func:`dockerflow.emitguard.install_emit_guard` keeps our lines out of it).
Only public names of :mod:`logging` are read.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from .emitguard import (
    STDLIB_EMIT,
    guard_stream_emit,
    installed,
    last_seen,
    whole_lines,
)
from .logging import (
    JsonLogFormatter,
    MozlogFormatter,
    MozlogHandler,
    RequestIdLogFilter,
)

__all__ = ["RESERVED", "write_summary"]

_Logger = logging.Logger
_Handler = logging.Handler
_StreamHandler = logging.StreamHandler
_FileHandler = logging.FileHandler
_LogRecord = logging.LogRecord
_factory = logging.getLogRecordFactory

# What a record passes through on the standard path; replaced, they send it there.
_logger_handle = _Logger.handle
_call_handlers = _Logger.callHandlers
_handle = _Handler.handle
_format = _Handler.format
_flush = _StreamHandler.flush
_acquire = _Handler.acquire
_release = _Handler.release
_filter = _Handler.filter
_rid_filter = RequestIdLogFilter.filter
_json_format = JsonLogFormatter.format
_FORMATTERS = (JsonLogFormatter, MozlogFormatter)
_file_emit = _FileHandler.emit  # StreamHandler.emit, after opening the file
_mozlog_emit = MozlogHandler.emit  # written out, whatever StreamHandler.emit is
#: What makeRecord refuses to overwrite with an extra.
RESERVED = frozenset(
    [*vars(_LogRecord("", 0, "", 0, "", (), None)), "message", "asctime"]
)
_NOT_EXTRAS = RESERVED | {"logger_name"}
# The same methods replaced on one object rather than its class.
_LOGGER_OWN = frozenset(["handle", "callHandlers", "filter"])
_HANDLER_OWN = frozenset(
    ["handle", "filter", "emit", "format", "flush", "acquire", "release"]
)
_FORMATTER_OWN = frozenset(["format", "encode_line", "_fields", "_head"])
_time = time.time

# os.getpid() is a system call: the pid only changes in a forked child,
# which os.fork() tells.
_pid = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _pid.__setitem__(0, os.getpid()))


def write_summary(
    logger: logging.Logger,
    levelno: int,
    fields: dict[str, Any],
    make_record: Callable[[dict[str, Any]], logging.LogRecord],
    fields_json: str | None = None,
) -> bool:
    """Write the lines ``logger`` would write for a record at ``levelno`` with
    no message and ``fields`` as its extras; False, having written nothing,
    when they are not known for sure. The caller checked ``isEnabledFor``;
    ``make_record`` makes that record, for a handler whose write failed;
    ``fields_json``, if given, is ``fields`` as our formatters encode them.
    """
    if not plain_logger(logger, fields):
        return False
    if installed[0] and _StreamHandler.emit is not last_seen[0]:
        guard_stream_emit(JsonLogFormatter)
    stops = _stops(logger, levelno, fields)
    if stops is None:
        return False
    if len(stops) == 1:  # the usual case: one handler, one line
        handler, stamped = stops[0]
        formatter: Any = handler.formatter
        try:
            line = formatter.encode_line(
                logger.name, levelno, _pid[0], stamped, _time(), fields, fields_json
            )
        except Exception:  # format() would sanitise it: the standard path does
            return False
        _write(handler, line, fields, stamped, make_record)
        return True
    head = (logger.name, levelno, _pid[0])
    lines = _lines(stops, head, fields, fields_json)
    if lines is None:
        return False
    for (handler, stamped), line in zip(stops, lines, strict=True):
        _write(handler, line, fields, stamped, make_record)
    return True


def _lines(
    stops: list[tuple[logging.Handler, Any]],
    head: tuple[str, int, int],
    fields: dict[str, Any],
    fields_json: str | None,
) -> list[str] | None:
    """Each stop's line, every one made before any is written; None if one
    fails (format() would sanitise it: the standard path does)."""
    created = _time()
    made: dict[tuple[int, Any], str] = {}
    try:
        for handler, stamped in stops:
            formatter: Any = handler.formatter
            key = (id(formatter), stamped)
            if key not in made:
                made[key] = formatter.encode_line(
                    *head, stamped, created, fields, fields_json
                )
    except Exception:
        return None
    return [made[id(handler.formatter), stamped] for handler, stamped in stops]


def plain_logger(logger: logging.Logger, fields: dict[str, Any]) -> bool:
    """Whether ``logger`` hands a record with ``fields`` as extras to its
    handlers as ``Logger.handle`` does, with records made the standard way."""
    return not (
        type(logger) is not _Logger
        or _Logger.handle is not _logger_handle
        or _Logger.callHandlers is not _call_handlers
        or logger.filters
        or logger.disabled
        or not _LOGGER_OWN.isdisjoint(vars(logger))
        or _factory() is not _LogRecord
        or not logging.logProcesses
        or not _NOT_EXTRAS.isdisjoint(fields)
    )


def _stops(
    logger: logging.Logger, levelno: int, fields: dict[str, Any]
) -> list[tuple[logging.Handler, Any]] | None:
    """callHandlers' walk: each handler the record reaches, with the name a
    MozlogHandler on the way stamped on the record; None if one of them is
    not plain (see :func:`plain_handler`), or if there is none at all
    (``logging.lastResort``'s business).
    """
    stops = []
    stamped = None
    found = False
    current: Any = logger
    while current:
        for handler in current.handlers:
            found = True
            if levelno < handler.level:
                continue
            if not plain_handler(handler, fields):
                return None
            if type(handler) is MozlogHandler:
                stamped = handler.logger_name
            stops.append((handler, stamped))
        current = current.parent if current.propagate else None
    return stops if found else None


def plain_handler(handler: logging.Handler, fields: dict[str, Any]) -> bool:
    """Whether ``handler`` writes exactly ``formatter.format(record)`` plus its
    terminator, through methods nobody replaced on its class or on it, to a
    stream that is open, and its only filter, if any, is the request-id
    one, which leaves a record that has a ``rid`` as it is."""
    return (
        plain_handler_class(type(handler))
        and plain_formatter(handler.formatter)
        and _HANDLER_OWN.isdisjoint(vars(handler))
        and getattr(handler, "stream", None) is not None  # a FileHandler not open
        and (not handler.filters or _request_id_filters_only(handler, fields))
    )


def plain_handler_class(kind: type[logging.Handler]) -> bool:
    """A class whose emit is "write the formatted line and the terminator,
    then flush", and whose other methods on the record's way are logging's
    own. A replaced ``StreamHandler.emit`` counts only if it is the guard's
    (see :mod:`dockerflow.emitguard`)."""
    if kind is MozlogHandler:
        emits = kind.emit is _mozlog_emit
    elif kind is _FileHandler:
        emits = kind.emit is _file_emit and (
            _StreamHandler.emit is STDLIB_EMIT or whole_lines(_StreamHandler.emit)
        )
    elif kind is _StreamHandler:
        emits = kind.emit is STDLIB_EMIT or whole_lines(kind.emit)
    else:
        return False
    # Spelled out, not looped over: this runs for every summary line.
    return (
        emits
        and kind.handle is _handle
        and kind.filter is _filter
        and kind.format is _format
        and kind.flush is _flush
        and kind.acquire is _acquire
        and kind.release is _release
    )


def plain_formatter(formatter: logging.Formatter | None) -> bool:
    """One of our JSON formatters, its ``format`` replaced nowhere."""
    kind: Any = type(formatter)
    return (
        kind in _FORMATTERS
        and kind.format is _json_format
        and _FORMATTER_OWN.isdisjoint(vars(formatter))
    )


def _request_id_filters_only(handler: logging.Handler, fields: dict[str, Any]) -> bool:
    return fields.get("rid") is not None and all(
        type(f) is RequestIdLogFilter and type(f).filter is _rid_filter
        for f in handler.filters
    )


def _write(
    handler: logging.Handler,
    line: str,
    fields: dict[str, Any],
    stamped: Any,
    make_record: Callable[[dict[str, Any]], logging.LogRecord],
) -> None:
    """``Handler.handle`` then ``emit`` for a line already formatted."""
    lock = handler.lock
    if lock:
        lock.acquire()
    try:
        stream = handler.stream  # type: ignore[attr-defined]
        if stream is None:  # closed meanwhile: FileHandler.emit reopens it
            handler.handle(_record(fields, stamped, make_record))
            return
        try:
            stream.write(line + handler.terminator)  # type: ignore[attr-defined]
            if stream and hasattr(stream, "flush"):  # as StreamHandler.flush
                stream.flush()
        except RecursionError:  # pragma: no cover - as logging itself does
            raise
        except Exception:
            handler.handleError(_record(fields, stamped, make_record))
    finally:
        if lock:
            lock.release()


def _record(
    fields: dict[str, Any],
    stamped: Any,
    make_record: Callable[[dict[str, Any]], logging.LogRecord],
) -> logging.LogRecord:
    """The record the standard path would have handed this handler."""
    record = make_record(fields)
    if stamped is not None:
        record.logger_name = stamped
    return record
