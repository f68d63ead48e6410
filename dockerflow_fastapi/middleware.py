"""python-dockerflow's two ASGI middlewares, on the core's request scope:
``RequestIdMiddleware`` gives each request its validated id (on every log
record made during it, and echoed in the response), and
``MozlogRequestSummaryLogger`` logs its one ``request.summary`` record.

Add the summary logger first, so the request id middleware wraps it::

    app.add_middleware(MozlogRequestSummaryLogger)
    app.add_middleware(RequestIdMiddleware)
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from dockerflow.endpoints import PROBE_PATHS
from dockerflow.logging import MozlogHandler
from dockerflow.scope import RequestScope
from dockerflow.summary import log_summary, summary_fields, summary_logger

from .conf import options_for

__all__ = ["MozlogRequestSummaryLogger", "RequestIdMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Where RequestIdMiddleware leaves the request's scope for the summary.
SCOPE_KEY = "dockerflow.scope"


def _header(scope: Scope, name: bytes) -> bytes | None:
    """The header's value when it was sent once; a repeated one counts as none."""
    found = None
    for key, value in scope["headers"]:
        if key.lower() == name:
            if found is not None:
                return None
            found = value
    return found


class RequestIdMiddleware:
    """Tags the request with the client's ``X-Request-ID`` when it is safe
    (the header named by ``DOCKERFLOW_REQUEST_ID_HEADER_NAME``), else a new
    UUID4, and sends it back in the same header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        options = options_for(scope.get("app"))
        name = options.request_id_header
        given = _header(scope, name.lower().encode("latin-1"))
        request = scope[SCOPE_KEY] = RequestScope(given, options)
        echoed = (name.encode("latin-1"), request.rid.encode("ascii"))

        async def echo(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        try:
            await self.app(scope, receive, echo)
        finally:
            request.close()


class _Stdout(MozlogHandler):
    """A MozlogHandler on whatever ``sys.stdout`` is when it writes."""

    stream = property(lambda self: sys.stdout, lambda self, value: None)  # type: ignore[assignment]


class MozlogRequestSummaryLogger:
    """Logs one ``request.summary`` per HTTP request, with ``code``, ``rid``
    (None without RequestIdMiddleware, as in python-dockerflow) and ``t``.

    With no ``logger``, records go to ``request.summary``, which writes them
    to stdout as mozlog JSON unless logging already gave it a handler.
    """

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        if logger is None:
            logger = summary_logger
            if not logger.handlers:
                logger.addHandler(_Stdout())
            if logger.level == logging.NOTSET:
                logger.setLevel(logging.INFO)
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status: int | None = None

        async def seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, seen)
        except Exception as exc:
            self.summary(scope, started, status, exc)
            raise
        self.summary(scope, started, status, None)

    def summary(
        self, scope: Scope, started: float, status: int | None, exc: Exception | None
    ) -> None:
        """Log the request's record: ERROR with the traceback if it raised
        before a response (or with one of 5xx), else INFO."""
        request: RequestScope | None = scope.get(SCOPE_KEY)
        options = options_for(scope.get("app")) if request is None else request.options
        if options is None or (options.skip_probes and scope["path"] in PROBE_PATHS):
            return
        agent = lang = b""
        for key, value in scope["headers"]:
            key = key.lower()
            if key == b"user-agent":
                agent = value
            elif key == b"accept-language":
                lang = value
        raised = exc is not None and (status is None or status >= 500)
        fields = summary_fields(
            rid=None if request is None else request.rid,
            started=started if request is None else request.started,
            method=scope["method"],
            path=scope["path"],
            agent=agent.decode("latin-1"),
            lang=lang.decode("latin-1"),
            status=status,
            raised=raised,
            querystring=scope["query_string"].decode("latin-1")
            if options.log_querystring
            else None,
        )
        fields.setdefault("rid", None)
        log_summary(fields, exc if raised else None, self.logger)
