"""The ``request.summary`` line, written without a LogRecord when logging is
configured the usual way.

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
``Logger.callHandlers``; tracerite ``StreamHandler.emit``, which
:mod:`dockerflow.emitguard` accounts for).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .emitguard import guard_stream_emit, last_seen
from .logging import (
    JsonLogFormatter,
    MozlogFormatter,
    MozlogHandler,
    RequestIdLogFilter,
)
from .records import RESERVED, current_pid, record_time

__all__ = ["write_summary"]

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
#: Handler types whose emit is (or, for StreamHandler, is kept by the emit
#: guard) "write the formatted line and the terminator, then flush".
_EMITS = {
    _StreamHandler: None,
    _FileHandler: _FileHandler.emit,
    MozlogHandler: MozlogHandler.emit,
}
_UNKNOWN = object()  # a handler type not in _EMITS
_NOT_EXTRAS = RESERVED | {"logger_name"}
# The same methods replaced on one object rather than its class.
_LOGGER_OWN = frozenset(["handle", "callHandlers", "filter"])
_HANDLER_OWN = frozenset(
    ["handle", "filter", "emit", "format", "flush", "acquire", "release"]
)
_FORMATTER_OWN = frozenset(["format", "encode_line", "_fields", "_head"])


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
    if (
        type(logger) is not _Logger
        or _Logger.handle is not _logger_handle
        or _Logger.callHandlers is not _call_handlers
        or logger.filters
        or logger.disabled
        or not _LOGGER_OWN.isdisjoint(logger.__dict__)
        or _factory() is not _LogRecord
        or not logging.logProcesses
        or not _NOT_EXTRAS.isdisjoint(fields)
    ):
        return False
    if _StreamHandler.emit is not last_seen[0]:
        guard_stream_emit(JsonLogFormatter)
    stops = _stops(logger, levelno, fields)
    if stops is None:
        return False
    created = record_time()
    name = logger.name
    process = current_pid()
    if len(stops) == 1:  # the usual case: one handler, one line
        handler, stamped = stops[0]
        try:
            line = handler.formatter.encode_line(  # type: ignore[union-attr]
                name, levelno, process, stamped, created, fields, fields_json
            )
        except Exception:  # format() would sanitise it: the standard path does
            return False
        _write(handler, line, fields, stamped, make_record)
        return True
    lines: dict[tuple[int, Any], str] = {}
    try:  # every line first: on a failure, nothing is written yet
        for handler, stamped in stops:
            formatter: Any = handler.formatter
            key = (id(formatter), stamped)
            if key not in lines:
                lines[key] = formatter.encode_line(
                    name, levelno, process, stamped, created, fields, fields_json
                )
    except Exception:
        return False
    for handler, stamped in stops:
        line = lines[id(handler.formatter), stamped]
        _write(handler, line, fields, stamped, make_record)
    return True


def _stops(
    logger: logging.Logger, levelno: int, fields: dict[str, Any]
) -> list[tuple[logging.Handler, Any]] | None:
    """callHandlers' walk: each handler the record reaches, with the name a
    MozlogHandler on the way stamped on the record; None if one of them is
    not plain, or if there is none at all (``logging.lastResort``'s business).

    Plain: it writes exactly ``formatter.format(record)`` plus its terminator,
    through methods nobody replaced on its class or on it, and its only
    filter, if any, is the request-id one, which leaves a record that has a
    ``rid`` as it is.
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
            kind = type(handler)
            emit = _EMITS.get(kind, _UNKNOWN)
            formatter = handler.formatter
            formatter_type: Any = type(formatter)
            if (
                emit is _UNKNOWN
                or (emit is not None and kind.emit is not emit)
                or kind.handle is not _handle
                or kind.filter is not _filter
                or kind.format is not _format
                or kind.flush is not _flush
                or kind.acquire is not _acquire
                or kind.release is not _release
                or formatter_type not in _FORMATTERS
                or formatter_type.format is not _json_format
                or not _HANDLER_OWN.isdisjoint(handler.__dict__)
                or not _FORMATTER_OWN.isdisjoint(formatter.__dict__)
                or getattr(handler, "stream", None) is None  # a FileHandler not open
            ):
                return None
            if handler.filters and not _request_id_filters_only(handler, fields):
                return None
            if kind is MozlogHandler:
                stamped = handler.logger_name
            stops.append((handler, stamped))
        current = current.parent if current.propagate else None
    return stops if found else None


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
