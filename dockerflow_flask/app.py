"""The Flask extension: Dockerflow's endpoints, request.summary and checks for an app.

It translates Flask's requests, config and signals into calls on the shared
core (:mod:`dockerflow.flows`, :mod:`dockerflow.scope`) and back.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Iterable
from typing import Any

import flask
from werkzeug.exceptions import InternalServerError

from dockerflow.checks import HeartbeatResult
from dockerflow.endpoints import ENDPOINTS, HEARTBEAT, Endpoint
from dockerflow.extension import DockerflowExtension
from dockerflow.flows import EndpointRequest
from dockerflow.options import Options, apply_defaults, read_options_cached
from dockerflow.replies import Reply
from dockerflow.requestid import accept_request_id
from dockerflow.scope import RequestScope, environ_key
from dockerflow.version import get_version

from . import checks as builtin_checks
from .signals import heartbeat_failed, heartbeat_passed
from .state import DockerflowState, current_user, in_app_context, user_id

#: Whether Flask-Login is there to ask for the user id; python-dockerflow's
#: switch, which tests may patch (read on every request).
has_flask_login = current_user is not None

logger = logging.getLogger("dockerflow.flask")

# What this extension keeps on flask.g during a request.
_SCOPE = "_dockerflow_scope"

# Every method gets to the view, so that the ones we refuse get a JSON 405.
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


class HeartbeatFailure(InternalServerError):
    """Raised by ``/__heartbeat__`` with the failing response attached.

    The extension's handler returns that response; an app may register its
    own handler for this class to change it.
    """


class Dockerflow(DockerflowExtension):
    """The Dockerflow Flask extension.

    ``Dockerflow(app)``, or ``dockerflow = Dockerflow()`` then
    ``dockerflow.init_app(app)`` in an application factory. ``db``
    (Flask-SQLAlchemy), ``redis`` (a redis-py client or Flask-Redis) and
    ``migrate`` (Flask-Migrate) add the built-in checks. ``silenced_checks``
    lists message IDs to ignore. ``version_path`` is where ``version.json``
    lives, by default the parent of the app's root path.

    The heartbeat runs the checks of ``dockerflow.checks.register`` (the
    module-level registry) and this extension's own, which win on a name clash.
    """

    def __init__(
        self,
        app: flask.Flask | None = None,
        db: Any = None,
        redis: Any = None,
        migrate: Any = None,
        silenced_checks: Iterable[str] | None = None,
        version_path: str | os.PathLike[str] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(logger, silenced_checks, version_path, get_version)
        for check, obj in (
            (builtin_checks.check_database_connected, db),
            (builtin_checks.check_redis_connected, redis),
            (builtin_checks.check_migrations_applied, migrate),
        ):
            if obj is not None:
                self.add_builtin(check, obj)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask) -> None:
        """Add the endpoints, request hooks and config defaults to ``app``, once."""
        if "dockerflow" in app.extensions:
            raise RuntimeError(
                f"Dockerflow is already set up on the Flask app {app.name!r}: "
                "call init_app (or Dockerflow(app)) once per app."
            )
        apply_defaults(app.config)
        # A bad value fails at startup, not on a request.
        read_options_cached(app.config)
        root = self.version_path
        if root is None:
            root = os.path.dirname(app.root_path)
        app.extensions["dockerflow"] = DockerflowState(self, os.fspath(root))
        self.warn_if_no_version_file(root)
        bp = flask.Blueprint("dockerflow", __name__)
        for endpoint in ENDPOINTS:
            view = functools.partial(self._serve, endpoint)
            for rule in endpoint.paths:
                bp.add_url_rule(
                    rule, endpoint.name, view, methods=_METHODS,
                    provide_automatic_options=False,
                )  # fmt: skip
        bp.before_app_request(self._before_request)
        bp.after_app_request(self._after_request)
        bp.teardown_app_request(self._teardown_request)
        bp.app_errorhandler(HeartbeatFailure)(lambda error: error.get_response())
        app.register_blueprint(bp)
        # Weakly, with the app as sender: the app's state keeps this alive.
        flask.got_request_exception.connect(self._got_request_exception, app)

    # -- the request scope and request.summary -----------------------------

    def _options(self) -> Options:
        """The app's options, parsed again only when its config changed."""
        return read_options_cached(flask.current_app.config)

    def _before_request(self) -> None:
        g = flask.g._get_current_object()  # type: ignore[attr-defined]
        options = self._options()  # once per request: kept on the scope
        chosen = accept_request_id(g.get("request_id"))  # the app set one
        # Read from the WSGI environ, not parsed headers: a header sent twice
        # arrives joined by a comma, never part of a safe id, so it is replaced.
        environ = flask.request.environ
        given = chosen or environ.get(environ_key(options.request_id_header))
        scope = RequestScope(given, options)
        # Straight into g's attributes: g.__setattr__ is a Python call each.
        attrs = vars(g)
        attrs[_SCOPE] = scope
        # python-dockerflow's names for the id and the start time.
        attrs["request_id"] = attrs["_request_id"] = scope.rid
        attrs["_start_timestamp"] = time.time()

    def _after_request(self, response: flask.Response) -> flask.Response:
        g = flask.g._get_current_object()  # type: ignore[attr-defined]
        scope: RequestScope | None = getattr(g, _SCOPE, None)
        if scope is not None:
            options = scope.options or self._options()
            response.headers[options.request_id_header] = scope.rid
            self._log(scope, self.summary_extra(status=response.status_code))
        return response

    def _got_request_exception(
        self, sender: flask.Flask, exception: BaseException, **extra: Any
    ) -> None:
        scope: RequestScope | None = flask.g.get(_SCOPE)
        if scope is not None:
            self._log(scope, self.summary_extra(raised=True), exception)

    def _log(
        self, scope: RequestScope, fields: dict[str, Any], exc: Any = None
    ) -> None:
        options = scope.options or self._options()
        scope.summary(
            fields,
            exc,
            skip_probes=options.skip_probes,
            logger=self.summary_logger,
            direct=options.direct_write,
        )

    def _teardown_request(self, exc: BaseException | None) -> None:
        scope: RequestScope | None = flask.g.pop(_SCOPE, None)
        if scope is not None:
            scope.close()

    def user_id(self) -> str | None:
        """The current Flask-Login user's ID, or None; never raises."""
        return user_id(self.logger) if has_flask_login else None

    def summary_extra(
        self, status: int | None = None, raised: bool = False
    ) -> dict[str, Any]:
        """The fields of the current request's ``request.summary`` record."""
        # The objects behind the proxies: each proxy access has a cost.
        request = flask.request._get_current_object()  # type: ignore[attr-defined]
        g = flask.g._get_current_object()  # type: ignore[attr-defined]
        scope = getattr(g, _SCOPE, None) or RequestScope()
        options = scope.options or self._options()
        querystring = None
        if options.log_querystring and request.query_string:
            querystring = request.query_string.decode("utf-8", "replace")
        environ = request.environ
        return scope.fields(
            method=request.method,
            path=request.path,
            agent=environ.get("HTTP_USER_AGENT", ""),  # as headers.get()
            lang=environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            uid=self.user_id(),
            # An app that removed the start time gets a record without "t".
            timed="_start_timestamp" in vars(g),
            status=status,
            raised=raised,
            querystring=querystring,
        )

    # -- views --------------------------------------------------------------

    def run_checks(self, app: flask.Flask | None = None) -> HeartbeatResult:
        """Run ``app``'s checks (default: the current app's) as the heartbeat does."""
        app = app or flask.current_app._get_current_object()  # type: ignore[attr-defined]
        return self._run(app, read_options_cached(app.config))

    def _run(self, app: flask.Flask, options: Options) -> HeartbeatResult:
        wrap = functools.partial(in_app_context, app)
        return self.engine.run(**self.run_options(options, (self.registry, app), wrap))

    def _serve(self, endpoint: Endpoint) -> flask.Response:
        reply: Reply = endpoint.flow(_Request(self, self._options()))
        content = reply.content(flask.request.method)
        response = flask.Response(content, reply.status, dict(reply.headers))
        if endpoint is HEARTBEAT and reply.status >= 500:
            raise HeartbeatFailure(response=response)
        return response


class _Request(EndpointRequest):
    """A Flask request, as the core's endpoint flows ask about it."""

    def __init__(self, extension: Dockerflow, options: Options) -> None:
        super().__init__(flask.request.method, options)
        self.extension = extension
        self.app: flask.Flask = flask.current_app._get_current_object()  # type: ignore[attr-defined]
        self.root: str = self.app.extensions["dockerflow"].version_path

    def header(self, name: str) -> str | None:
        return flask.request.headers.get(name)

    def debug(self) -> bool:
        return self.app.debug

    def load_version(self) -> Any:
        return self.extension.version_loader()(self.root)

    def version_file(self) -> str | None:
        return self.extension.version_file(self.root)

    def run_checks(self) -> HeartbeatResult:
        return self.extension._run(self.app, self.options)

    def send(self, passed: bool, result: HeartbeatResult) -> None:
        signal = heartbeat_passed if passed else heartbeat_failed
        signal.send(self.app, level=result.level, result=result)
