"""The Dockerflow Sanic extension: routes, middleware and signals on the shared core.

It only translates Sanic's request, config and signal idioms into calls on
:mod:`dockerflow.flows` and :mod:`dockerflow.scope`, and the replies back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse, HTTPResponse

from dockerflow.checks import HeartbeatResult, is_async_check
from dockerflow.emitguard import install_emit_guard
from dockerflow.endpoints import ENDPOINTS, Endpoint
from dockerflow.extension import DockerflowExtension
from dockerflow.flows import EndpointRequest
from dockerflow.options import Options, apply_defaults, read_options_cached
from dockerflow.replies import Reply
from dockerflow.requestid import only_value
from dockerflow.scope import RequestScope
from dockerflow.version import get_version_async

from . import checks, signals
from .conf import is_debug

#: Every method the endpoints answer, so the others get a JSON 405 from us
#: rather than Sanic's own error page.
ROUTE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Runs our request middleware before the app's and our response middleware
# after them, so the request id is set early and the logged status is final.
MIDDLEWARE_PRIORITY = 1000


class Dockerflow(DockerflowExtension):
    """The Dockerflow Sanic extension.

    ``Dockerflow(app)``, or ``dockerflow = Dockerflow()`` and later
    ``dockerflow.init_app(app)`` in an application factory.

    :param app: the Sanic app to set up now, or None.
    :param redis: a redis.asyncio client, a blocking ``redis.Redis`` or a
        ``sanic_redis.SanicRedis``; adds a Redis check to the heartbeat.
    :param silenced_checks: message IDs the heartbeat ignores.
    :param version_path: the directory holding ``version.json``.

    The heartbeat runs the checks of ``dockerflow.checks.register`` (the
    module-level registry) and this extension's own, which win on a name clash.
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
        log = logging.getLogger("dockerflow.sanic")
        super().__init__(log, silenced_checks, version_path, get_version_async)
        self.redis = redis
        if redis is not None and not checks.is_sanic_redis(redis):
            # A SanicRedis client only exists on app.ctx, so init_app adds it.
            check: Any = checks.check_redis_connected
            if checks.is_sync_redis(redis):
                check = checks.check_redis_connected_sync
            self.add_builtin(check, redis)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Sanic) -> None:
        """Add the Dockerflow routes, middleware and signals to ``app``."""
        apply_defaults(app.config)
        install_emit_guard()  # Sanic's command loads tracerite, which patches emit
        for endpoint in ENDPOINTS:
            app.add_route(
                self._view(endpoint),
                endpoint.path,
                methods=ROUTE_METHODS,
                name=f"dockerflow.{endpoint.name}",
                strict_slashes=False,
            )
        app.register_middleware(self._open, "request", priority=MIDDLEWARE_PRIORITY)
        app.register_middleware(self._close, "response", priority=MIDDLEWARE_PRIORITY)
        # A signal observes exceptions without taking the place of the app's
        # own exception handlers, which a catch-all app.exception would.
        app.signal("http.lifecycle.exception")(self._observe_exception)
        for event in signals.EVENTS:
            # Declared so that dispatching with no receiver neither raises
            # nor warns, and app.event() can wait on them.
            app.add_signal(None, event)
        app.register_listener(self._validate_config, "before_server_start")
        if checks.is_sanic_redis(self.redis):
            self.add_builtin(checks.check_redis_connected, self.redis, app)
        app.ctx.dockerflow = self

    async def _validate_config(self, app: Sanic, *_: Any) -> None:
        read_options_cached(app.config)  # a bad value stops the server from starting
        self.warn_if_no_version_file(self.version_path)

    @staticmethod
    def _options(request: Request) -> Options:
        """The app's options, parsed again only when its config changed."""
        return read_options_cached(request.app.config)

    # -- the request scope and request.summary ------------------------------

    def _open(self, request: Request) -> None:
        ctx = request.ctx
        if getattr(ctx, "dockerflow_scope", None) is None:
            options = self._options(request)  # once per request: kept on the scope
            given = only_value(request.headers, options.request_id_header)
            scope = ctx.dockerflow_scope = RequestScope(given, options)
            # python-dockerflow's names for the id and the arrival time.
            ctx.id = scope.rid
            ctx.start_timestamp = time.time()

    async def _observe_exception(
        self, request: Request, exception: BaseException, **_: Any
    ) -> None:
        request.ctx.dockerflow_exception = exception

    def _close(self, request: Request, response: BaseHTTPResponse) -> None:
        scope: RequestScope | None = getattr(request.ctx, "dockerflow_scope", None)
        if scope is None or scope.logged:
            return
        request.ctx.dockerflow_status = response.status
        options = scope.options or self._options(request)
        response.headers[options.request_id_header] = scope.rid
        scope.summary(
            self.summary_extra(request),
            self._raised(request),
            skip_probes=options.skip_probes,
            logger=self.summary_logger,
            direct=options.direct_write,
        )
        scope.close()

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
        ctx = request.ctx
        scope: RequestScope = getattr(ctx, "dockerflow_scope", None) or RequestScope()
        log_querystring = (scope.options or self._options(request)).log_querystring
        return scope.fields(
            method=request.method,
            path=request.path,
            agent=request.headers.get("User-Agent", ""),
            lang=request.headers.get("Accept-Language", ""),
            status=getattr(ctx, "dockerflow_status", None),
            raised=self._raised(request) is not None,
            querystring=request.query_string if log_querystring else None,
            # An app that removed the start time gets a record without "t".
            timed=hasattr(ctx, "start_timestamp"),
        )

    # -- views --------------------------------------------------------------

    def _view(self, endpoint: Endpoint) -> Any:
        async def view(request: Request) -> HTTPResponse:
            asked = _Request(self, request, self._options(request))
            reply: Reply = await endpoint.flow_async(asked)
            headers = dict(reply.headers)
            content_type = headers.pop("Content-Type", "application/json")
            return HTTPResponse(
                reply.content(request.method),
                status=reply.status,
                headers=headers,
                content_type=content_type,
            )

        return view


class _Request(EndpointRequest):
    """A Sanic request, as the core's endpoint flows ask about it."""

    def __init__(
        self, extension: Dockerflow, request: Request, options: Options
    ) -> None:
        super().__init__(request.method, options)
        self.extension = extension
        self.request = request

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def debug(self) -> bool:
        return is_debug(self.request.app)

    def load_version(self) -> Any:
        callback, root = self.extension.version_loader(), self.extension.version_path
        if is_async_check(callback):
            return callback(root)
        # A plain function reads files: keep it off the event loop.
        return asyncio.to_thread(callback, root)

    def version_file(self) -> str | None:
        return self.extension.version_file(self.extension.version_path)

    def run_checks(self) -> Any:
        extension = self.extension
        run_options = extension.run_options(
            self.options, extension.registry, lambda fn: fn
        )
        return extension.engine.run_async(**run_options)

    async def send(self, passed: bool, result: HeartbeatResult) -> None:
        event = signals.HEARTBEAT_PASSED if passed else signals.HEARTBEAT_FAILED
        context = {"level": result.level, "result": result}
        task = await self.request.app.dispatch(event, context=context)
        if isinstance(task, asyncio.Future):  # dispatched in the background
            task.add_done_callback(self._receiver_failed)

    def _receiver_failed(self, task: asyncio.Future) -> None:
        # Sanic itself reports a receiver's exception only in debug mode.
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            self.extension.logger.error(
                "A heartbeat signal receiver raised", exc_info=exc
            )
