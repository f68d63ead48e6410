"""The ``request.summary`` record: one per request, the same in every framework.

Adapters gather the request's primitives and call ``summary_fields`` and
``log_summary``; nothing here knows about a request object.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import unquote

SUMMARY_LOGGER_NAME = "request.summary"
summary_logger = logging.getLogger(SUMMARY_LOGGER_NAME)


def errno_for(status: int | None, raised: bool = False) -> int:
    """0 for a successful response, the status for an error one, 500 if the view raised."""
    if raised:
        return 500
    if status is not None and status >= 400:
        return int(status)
    return 0


def _uid(uid: Any) -> Any:
    # An int or str id is logged as it is, as python-dockerflow logs it;
    # anything else (a UUID primary key) as its text, not its repr.
    if uid is None:
        return ""
    return uid if isinstance(uid, (str, int)) else str(uid)


def elapsed_ms(started: float) -> int:
    """Whole milliseconds since ``started``, a ``time.perf_counter()`` value."""
    return int((time.perf_counter() - started) * 1000)


def summary_fields(
    *,
    method: str,
    path: str,
    agent: str = "",
    lang: str = "",
    uid: Any = "",
    rid: str | None = None,
    started: float | None = None,
    status: int | None = None,
    raised: bool = False,
    querystring: str | None = None,
) -> dict[str, Any]:
    """The Fields of a request.summary record, in mozlog's order."""
    fields: dict[str, Any] = {"errno": errno_for(status, raised)}
    # The HTTP status sent, as python-dockerflow's ASGI middleware logs it:
    # errno alone can't tell a 302 from a 200.
    code = 500 if status is None and raised else status
    if code is not None:
        fields["code"] = code
    fields |= {
        "agent": agent or "",
        "lang": lang or "",
        "method": method,
        "path": path,
        "uid": _uid(uid),
    }
    if rid is not None:
        fields["rid"] = rid
    if started is not None:
        fields["t"] = elapsed_ms(started)
    if querystring is not None:
        # Readable as python-dockerflow logs it: "q=café", not "q=caf%C3%A9".
        fields["querystring"] = unquote(querystring)
    return fields


def log_summary(
    fields: dict[str, Any],
    exc: BaseException | None = None,
    logger: logging.Logger | None = None,
) -> None:
    """Emit the record: INFO, or ERROR with the traceback when the view raised."""
    target = logger or summary_logger
    level = logging.INFO if exc is None else logging.ERROR
    if not target.isEnabledFor(level):
        return
    try:
        target.handle(_record(target, level, fields, exc))
    except Exception:  # logging must never break a response
        logging.getLogger("dockerflow").exception("Could not log request.summary")


def _record(
    logger: logging.Logger,
    level: int,
    fields: dict[str, Any],
    exc: BaseException | None,
) -> logging.LogRecord:
    """The record Logger.info() or .error() would make, without its stack walk.

    The summary's own keys never clash with a record's attributes, so they
    are added in one update instead of the key-by-key checks of makeRecord;
    a Logger subclass with its own makeRecord, or clashing keys, still get it.
    """
    if exc is None:
        msg: str = ""
        args: tuple[Any, ...] = ()
        exc_info = None
    else:
        msg, args, exc_info = "%s", (exc,), (type(exc), exc, exc.__traceback__)
    if type(logger).makeRecord is not _makeRecord or not _RESERVED.isdisjoint(fields):
        return logger.makeRecord(
            logger.name, level, __file__, _LINE, msg, args, exc_info, _FUNC, fields
        )
    record = logging.getLogRecordFactory()(
        logger.name, level, __file__, _LINE, msg, args, exc_info, _FUNC
    )
    record.__dict__.update(fields)
    return record


# Where the records say they come from, as Logger.info() would have found it.
_FUNC = log_summary.__name__
_LINE = log_summary.__code__.co_firstlineno
_makeRecord = logging.Logger.makeRecord
# What makeRecord refuses to overwrite with an extra.
_RESERVED = frozenset(
    [*logging.LogRecord("", 0, "", 0, "", (), None).__dict__, "message", "asctime"]
)
