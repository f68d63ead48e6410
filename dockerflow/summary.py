"""The ``request.summary`` record: one per request, the same in every framework.

Adapters gather the request's primitives and call ``RequestScope.fields``
(or ``summary_fields``) and ``log_summary``; nothing here knows about a
request object.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _string  # type: ignore[attr-defined]
from typing import Any
from urllib.parse import unquote

from .direct import write_summary

SUMMARY_LOGGER_NAME = "request.summary"
summary_logger = logging.getLogger(SUMMARY_LOGGER_NAME)
_perf_counter = time.perf_counter


def errno_for(status: int | None, raised: bool = False) -> int:
    """0 for a successful response, the status for an error one, 500 if the view raised."""
    if raised:
        return 500
    if status is not None and status >= 400:
        return int(status)
    return 0


class SummaryFields:
    """What makes a request's ``request.summary`` Fields from its id and
    arrival time: the base of :class:`~dockerflow.scope.RequestScope`, so
    that the list of fields is written once, here, and every adapter (Django's
    hot path included) makes them in one call.
    """

    __slots__ = ()
    #: The request id, or None for a record without ``rid``.
    rid: str | None
    #: The ``time.perf_counter()`` of the request's arrival, or None.
    started: float | None

    def fields(
        self,
        *,
        method: str,
        path: str,
        agent: str = "",
        lang: str = "",
        uid: Any = "",
        status: int | None = None,
        raised: bool = False,
        querystring: str | None = None,
        timed: bool = True,
    ) -> dict[str, Any]:
        """The Fields of the request's record, in mozlog's order; without
        ``t`` when not ``timed`` (the app removed the arrival time)."""
        # An int or str id is logged as it is, as python-dockerflow logs it;
        # anything else (a UUID primary key) as its text, not its repr.
        if uid is None:
            uid = ""
        elif type(uid) is not str and type(uid) is not int:
            uid = uid if isinstance(uid, (str, int)) else str(uid)
        # The HTTP status sent, as python-dockerflow's ASGI middleware logs it:
        # errno alone can't tell a 302 from a 200.
        code = 500 if status is None and raised else status
        fields: dict[str, Any] = {
            "errno": errno_for(status, raised),
            "code": code,
            "agent": agent or "",
            "lang": lang or "",
            "method": method,
            "path": path,
            "uid": uid,
        }
        if code is None:  # no response (a test calling process_response bare)
            del fields["code"]
        rid, started = self.rid, self.started
        if rid is not None:
            fields["rid"] = rid
        if started is not None and timed:  # whole milliseconds since then
            fields["t"] = int((_perf_counter() - started) * 1000)
        if querystring is not None:
            # Readable as python-dockerflow logs it: "q=café", not "q=caf%C3%A9".
            fields["querystring"] = unquote(querystring)
        return fields


class _Given(SummaryFields):
    __slots__ = ("rid", "started")

    def __init__(self, rid: str | None, started: float | None) -> None:
        self.rid = rid
        self.started = started


def summary_fields(
    *, rid: str | None = None, started: float | None = None, **request: Any
) -> dict[str, Any]:
    """The Fields of a request.summary record, in mozlog's order, from the
    keywords of :meth:`~dockerflow.summary.SummaryFields.fields` (``method``, ``path``, ``agent``,
    ``lang``, ``uid``, ``status``, ``raised``, ``querystring``).

    ``started`` is the ``time.perf_counter()`` of the request's arrival.
    """
    return _Given(rid, started).fields(**request)


_USUAL = ("errno", "code", "agent", "lang", "method", "path", "uid", "rid", "t")


def usual_json(fields: dict[str, Any]) -> str | None:
    """``fields`` as JSON, byte for byte what the formatter's C encoder
    writes, when they have the usual keys (in that order) with their usual
    types; None otherwise. The summary's usual shape is known, so its JSON
    is one f-string: the encoder's general machinery costs more.
    """
    if tuple(fields) != _USUAL:
        return None
    errno, code, agent, lang, method, path, uid, rid, t = fields.values()
    if type(uid) is str:
        uid = _string(uid)
    elif type(uid) is not int:
        return None
    if type(errno) is not int or type(code) is not int or type(t) is not int:
        return None
    try:  # the strings: _string refuses anything else, as this must
        return (
            f'{{"errno":{errno},"code":{code},"agent":{_string(agent)},'
            f'"lang":{_string(lang)},"method":{_string(method)},'
            f'"path":{_string(path)},"uid":{uid},"rid":{_string(rid)},"t":{t}}}'
        )
    except TypeError:
        return None


def log_summary(
    fields: dict[str, Any],
    exc: BaseException | None = None,
    logger: logging.Logger | None = None,
    *,
    direct: bool = True,
) -> None:
    """Emit the record: INFO, or ERROR with the traceback when the view raised.

    ``direct`` (``DOCKERFLOW_SUMMARY_DIRECT_WRITE``) lets an INFO line be
    written without a LogRecord where that writes the same bytes (see
    ``dockerflow.direct``); False always takes ``Logger.handle``.
    """
    target = logger or summary_logger
    level = logging.INFO if exc is None else logging.ERROR
    if not target.isEnabledFor(level):
        return
    try:
        if exc is None:
            make = _makers.get(target) or _maker(target)
            if direct and write_summary(
                target, level, fields, make, usual_json(fields)
            ):
                return
            record = make(fields)
        else:
            record = target.makeRecord(
                target.name,
                level,
                __file__,
                _LINE,
                "%s",
                (exc,),
                (type(exc), exc, exc.__traceback__),
                _FUNC,
                fields,
            )
        target.handle(record)
    except Exception:  # logging must never break a response
        logging.getLogger("dockerflow").exception("Could not log request.summary")


def _maker(target: logging.Logger) -> Callable[[dict[str, Any]], logging.LogRecord]:
    """What ``target.info("", extra=fields)`` from log_summary would make."""

    def make(fields: dict[str, Any]) -> logging.LogRecord:
        return target.makeRecord(
            target.name, logging.INFO, __file__, _LINE, "", (), None, _FUNC, fields
        )

    if len(_makers) < 64:  # loggers are few, and live as long as the process
        _makers[target] = make
    return make


# Where the records say they come from, as Logger.info() would have found it.
_FUNC = log_summary.__name__
_LINE = log_summary.__code__.co_firstlineno
_makers: dict[logging.Logger, Callable[[dict[str, Any]], logging.LogRecord]] = {}
