"""python-dockerflow's two ASGI middlewares on the core's request scope:
``RequestIdMiddleware`` (the validated id, on every record and echoed) and
``MozlogRequestSummaryLogger`` (one ``request.summary``). Add the summary
logger first, so the request id middleware, added last, wraps it.
"""

from __future__ import annotations

import logging
import sys
import time
from functools import partial
from operator import countOf, itemgetter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dockerflow.endpoints import PROBE_PATHS
from dockerflow.extension import warn_if_no_version_file
from dockerflow.logging import JsonLogFormatter, MozlogHandler
from dockerflow.scope import RequestScope
from dockerflow.summary import log_summary, summary_fields, summary_logger

from .conf import options_for, read, version_root

LOG = "dockerflow.fastapi"  # the logger of startup warnings

__all__ = ["MozlogRequestSummaryLogger", "RequestIdMiddleware"]

#: Where RequestIdMiddleware leaves the request's scope and the status sent.
SCOPE_KEY, STATUS_KEY = "dockerflow.scope", "dockerflow.status"

_NAME = itemgetter(0)


def _only(scope: Scope, key: bytes) -> bytes | None:
    """The value of header ``key`` when it was sent once (in C: no loop here)."""
    value = dict(scope["headers"]).get(key)
    if value is not None and countOf(map(_NAME, scope["headers"]), key) != 1:
        return None  # sent twice: none
    return value


class RequestIdMiddleware:
    """Tags the request with the client's ``X-Request-ID`` when it is safe
    (the header named by ``DOCKERFLOW_REQUEST_ID_HEADER_NAME``), else a new
    UUID4, and sends it back in the same header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                try:  # a bad DOCKERFLOW_* value stops the server from starting
                    read(scope.get("app"))
                except ValueError as exc:
                    await receive()
                    failed = "lifespan.startup.failed"
                    await send({"type": failed, "message": str(exc)})
                    return None
                app = scope.get("app")
                warn_if_no_version_file(version_root(app), LOG, "set APP_DIR")
            return await self.app(scope, receive, send)
        options = options_for(scope.get("app"))
        name = options.request_id_header
        key = name.lower().encode("latin-1")
        request = scope[SCOPE_KEY] = RequestScope(_only(scope, key), options)
        echoed = (name.encode("latin-1"), request.rid.encode("ascii"))
        started = False

        async def echo(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started, scope[STATUS_KEY] = True, message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        try:
            await self.app(scope, receive, echo)
        except Exception:
            # The server's 500 would go out past us, without the id; the
            # exception still goes on up, to the server's error log.
            if not started and not getattr(scope.get("app"), "debug", False):
                await _server_error(echo)
            raise
        finally:
            request.close()


async def _server_error(send: Send) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": b"Internal Server Error"})


class _Stdout(MozlogHandler):
    """A MozlogHandler on whatever ``sys.stdout`` is when it writes."""

    stream = property(lambda self: sys.stdout, lambda self, value: None)  # type: ignore[assignment]


def _reaches_mozlog(logger: logging.Logger | None) -> bool:
    while logger is not None:
        if any(isinstance(h.formatter, JsonLogFormatter) for h in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False


class MozlogRequestSummaryLogger:
    """Logs one ``request.summary`` per HTTP request (``rid`` None without
    RequestIdMiddleware, as in python-dockerflow). With no ``logger``, to
    ``request.summary``, given a stdout handler unless one with a mozlog
    formatter (``mozlog_config()``) already gets its records."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        if logger is None:
            logger = summary_logger
            if not _reaches_mozlog(logger):
                logger.addHandler(_Stdout())
            if logger.level == logging.NOTSET:
                logger.setLevel(logging.INFO)
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, forward = time.perf_counter(), send
        if SCOPE_KEY not in scope:  # no RequestIdMiddleware around to see it

            async def forward(message: Message) -> None:  # type: ignore[misc]
                if message["type"] == "http.response.start":
                    scope[STATUS_KEY] = message["status"]
                await send(message)

        try:
            await self.app(scope, receive, forward)
        except Exception as exc:
            self.summary(scope, started, scope.get(STATUS_KEY), exc)
            raise
        self.summary(scope, started, scope.get(STATUS_KEY), None)

    def summary(
        self, scope: Scope, started: float, status: int | None, exc: Exception | None
    ) -> None:
        """ERROR, with the traceback, if the app raised and sent no status under 500."""
        request: RequestScope | None = scope.get(SCOPE_KEY)
        options = options_for(scope.get("app")) if request is None else request.options
        if options is None or (options.skip_probes and scope["path"] in PROBE_PATHS):
            return
        raised = exc is not None and (status is None or status >= 500)
        if not self.logger.isEnabledFor(logging.ERROR if raised else logging.INFO):
            return
        make = request.fields if request else partial(summary_fields, started=started)
        raw = scope["headers"]  # reversed: a header sent twice logs its first value
        headers = dict(reversed(raw if type(raw) is list else list(raw)))
        query = scope["query_string"] if options.log_querystring else None
        fields = make(
            method=scope["method"],
            path=scope["path"],
            agent=headers.get(b"user-agent", b"").decode("latin-1"),
            lang=headers.get(b"accept-language", b"").decode("latin-1"),
            status=status,
            raised=raised,
            querystring=None if query is None else query.decode("latin-1"),
        )
        fields.setdefault("rid", None)
        exc = exc if raised else None
        log_summary(fields, exc, self.logger, direct=options.direct_write)
