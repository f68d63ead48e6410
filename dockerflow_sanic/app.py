"""The Dockerflow Sanic extension: routes, middleware and signals on the shared core.

It only translates Sanic's request, config and signal idioms into calls on
``dockerflow.endpoints``, ``dockerflow.checks`` and ``dockerflow.summary``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from inspect import isawaitable
from typing import Any

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse, HTTPResponse

from dockerflow.checks import CheckRegistry, HeartbeatEngine, is_async_check
from dockerflow.endpoints import (
    Reply,
    heartbeat_reply,
    lbheartbeat_reply,
    may_see_details,
    method_not_allowed,
    version_reply,
)
from dockerflow.logging import get_or_generate_request_id, request_id_context
from dockerflow.summary import log_summary, summary_fields
from dockerflow.version import VersionFileError, get_version_async

from . import checks, conf, signals

#: Every method the endpoints answer, so the others get a JSON 405 from us
#: rather than Sanic's own error page.
ROUTE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Runs our request middleware before the app's and our response middleware
# after them, so the request id is set early and the logged status is final.
MIDDLEWARE_PRIORITY = 1000


class Dockerflow:
    """The Dockerflow Sanic extension.

    ``Dockerflow(app)``, or ``dockerflow = Dockerflow()`` and later
    ``dockerflow.init_app(app)`` in an application factory.

    :param app: the Sanic app to set up now, or None.
    :param redis: a redis.asyncio client, a blocking ``redis.Redis`` or a
        ``sanic_redis.SanicRedis``; adds a Redis check to the heartbeat.
    :param silenced_checks: message IDs the heartbeat ignores.
    :param version_path: the directory holding ``version.json``.
    """

    def __init__(
        self,
        app: Sanic | None = None,
        redis: Any = None,
        silenced_checks: list[str] | None = None,
        version_path: str = ".",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self.logger = logging.getLogger("dockerflow.sanic")
        self.summary_logger = logging.getLogger("request.summary")
        self.registry = CheckRegistry()
        self.engine = HeartbeatEngine()
        self.silenced_checks = list(silenced_checks or [])
        self.version_path = version_path
        self._version_callback: Callable[[Any], Any] = get_version_async
        self.redis = redis
        if redis is not None and not checks.is_sanic_redis(redis):
            # A SanicRedis client only exists on app.ctx, so init_app adds it.
            check = checks.check_redis_connected
            if checks.is_sync_redis(redis):
                check = checks.check_redis_connected_sync  # type: ignore[assignment]
            self.registry.register_partial(check, redis, name="check_redis_connected")
        if app is not None:
            self.init_app(app)

    @property
    def checks(self) -> dict[str, Callable[[], Any]]:
        """The registered checks by name, in registration order."""
        return self.registry.get_checks()

    # -- setup --------------------------------------------------------------

    def init_app(self, app: Sanic) -> None:
        """Add the Dockerflow routes, middleware and signals to ``app``."""
        conf.apply_defaults(app.config)
        for path, name, view in (
            ("/__version__", "version", self._version_view),
            ("/__heartbeat__", "heartbeat", self._heartbeat_view),
            ("/__lbheartbeat__", "lbheartbeat", self._lbheartbeat_view),
        ):
            app.add_route(
                view,
                path,
                methods=ROUTE_METHODS,
                name=f"dockerflow.{name}",
                strict_slashes=False,
            )
        app.register_middleware(
            self._request_middleware, "request", priority=MIDDLEWARE_PRIORITY
        )
        app.register_middleware(
            self._response_middleware, "response", priority=MIDDLEWARE_PRIORITY
        )
        # A signal observes exceptions without taking the place of the app's
        # own exception handlers, which a catch-all app.exception would.
        app.signal("http.lifecycle.exception")(self._observe_exception)
        for event in signals.EVENTS:
            # Declared so that dispatching with no receiver neither raises
            # nor warns, and app.event() can wait on them.
            app.add_signal(None, event)
        app.register_listener(self._validate_config, "before_server_start")
        if checks.is_sanic_redis(self.redis):
            self.registry.register_partial(
                checks.check_redis_connected,
                self.redis,
                app,
                name="check_redis_connected",
            )
        app.ctx.dockerflow = self

    async def _validate_config(self, app: Sanic, *_: Any) -> None:
        conf.read(app.config)  # a bad value stops the server from starting

    def check(
        self,
        func: Callable[[], Any] | None = None,
        name: str | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """Register ``func``, sync or async, as a heartbeat check.

        Usable bare (``@dockerflow.check``) or with arguments
        (``@dockerflow.check(name="storage", timeout=1)``).
        """
        if func is None:
            return functools.partial(self.check, name=name, timeout=timeout)
        return self.registry.register(func, name=name, timeout=timeout)

    def init_check(self, check: Callable[[Any], Any], obj: Any) -> Callable[[], Any]:
        """Register ``check`` called with ``obj``, e.g. a client to ping."""
        return self.registry.init_check(check, obj)

    def version_callback(self, func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Use ``func(version_path)``, sync or async, to load the version data.

        It returns a dict, or None when there is no version information. A
        sync ``func`` runs on a worker thread, so it may read files.
        """
        self._version_callback = func
        return func

    @staticmethod
    def _settings(request: Request) -> conf.Settings:
        """The app's settings, parsed once per request."""
        settings = getattr(request.ctx, "dockerflow_settings", None)
        if settings is None:
            settings = request.ctx.dockerflow_settings = conf.read(request.app.config)
        return settings  # type: ignore[no-any-return]

    # -- request.summary ----------------------------------------------------

    def _request_middleware(self, request: Request) -> None:
        ctx = request.ctx
        if hasattr(ctx, "dockerflow_started"):
            return
        settings = self._settings(request)
        ctx.dockerflow_started = time.perf_counter()
        ctx.id = get_or_generate_request_id(request.headers, settings.request_id_header)
        ctx.dockerflow_rid_token = request_id_context.set(ctx.id)

    async def _observe_exception(
        self, request: Request, exception: BaseException, **_: Any
    ) -> None:
        request.ctx.dockerflow_exception = exception

    def _response_middleware(
        self, request: Request, response: BaseHTTPResponse
    ) -> None:
        ctx = request.ctx
        if getattr(ctx, "dockerflow_logged", False):
            return
        ctx.dockerflow_logged = True
        ctx.dockerflow_status = response.status
        rid = getattr(ctx, "id", None)
        if rid is not None:
            response.headers[self._settings(request).request_id_header] = rid
        log_summary(
            self.summary_extra(request), self._raised(request), self.summary_logger
        )
        token = getattr(ctx, "dockerflow_rid_token", None)
        if token is not None:
            # ValueError: set in another context, so there is nothing to undo.
            with contextlib.suppress(ValueError):
                request_id_context.reset(token)

    @staticmethod
    def _raised(request: Request) -> BaseException | None:
        """The request's exception if it ended in a server error.

        A 404 for an unknown URL, or an exception the app's own handler
        turned into a 4xx response, is not a server error.
        """
        exc = getattr(request.ctx, "dockerflow_exception", None)
        status = getattr(request.ctx, "dockerflow_status", None)
        return exc if exc is not None and (status is None or status >= 500) else None

    def summary_extra(self, request: Request) -> dict[str, Any]:
        """The fields of this request's request.summary record.

        Override to add fields; call it from a response middleware or later.
        """
        settings = self._settings(request)
        ctx = request.ctx
        return summary_fields(
            method=request.method,
            path=request.path,
            agent=request.headers.get("User-Agent", ""),
            lang=request.headers.get("Accept-Language", ""),
            rid=getattr(ctx, "id", None),
            started=getattr(ctx, "dockerflow_started", None),
            status=getattr(ctx, "dockerflow_status", None),
            raised=self._raised(request) is not None,
            querystring=request.query_string if settings.log_querystring else None,
        )

    # -- views --------------------------------------------------------------

    @staticmethod
    def _respond(request: Request, reply: Reply) -> HTTPResponse:
        headers = dict(reply.headers)
        content_type = headers.pop("Content-Type", "application/json")
        return HTTPResponse(
            reply.content(request.method),
            status=reply.status,
            headers=headers,
            content_type=content_type,
        )

    async def _load_version(self) -> Any:
        callback = self._version_callback
        if is_async_check(callback):
            return await callback(self.version_path)
        # A plain function reads files: keep it off the event loop.
        data = await asyncio.to_thread(callback, self.version_path)
        return await data if isawaitable(data) else data

    async def _version_view(self, request: Request) -> HTTPResponse:
        reply = method_not_allowed(request.method)
        if reply is None:
            try:
                data = await self._load_version()
            except Exception as exc:
                log = (
                    self.logger.warning
                    if isinstance(exc, VersionFileError)
                    else self.logger.exception
                )
                log("Could not load version information: %s", exc)
                reply = version_reply(error=exc)
            else:
                reply = version_reply(data)
        return self._respond(request, reply)

    async def _lbheartbeat_view(self, request: Request) -> HTTPResponse:
        return self._respond(
            request, method_not_allowed(request.method) or lbheartbeat_reply()
        )

    async def _heartbeat_view(self, request: Request) -> HTTPResponse:
        denied = method_not_allowed(request.method)
        if denied is not None:
            return self._respond(request, denied)
        settings = self._settings(request)
        result = await self.engine.run_async(
            self.registry.get_checks().items(),
            silenced=self.silenced_checks,
            timeout=settings.timeout,
            timeouts=self.registry.timeouts,
            cache_ttl=settings.cache_seconds,
        )
        event = signals.HEARTBEAT_PASSED if result.passed else signals.HEARTBEAT_FAILED
        await request.app.dispatch(
            event, context={"level": result.level, "result": result}
        )
        details = may_see_details(
            settings.details,
            debug=conf.is_debug(request.app),
            authorization=request.headers.get("Authorization"),
            token=settings.token,
        )
        reply = heartbeat_reply(
            result, details=details, failed_status=settings.failed_status
        )
        return self._respond(request, reply)
