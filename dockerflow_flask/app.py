"""The Flask extension: Dockerflow's endpoints, request.summary and checks for an app.

It translates Flask's requests, config and signals into calls on the shared
core; the engine, payloads and log records are built in ``dockerflow``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

import flask
from werkzeug.exceptions import InternalServerError

from dockerflow import endpoints, summary
from dockerflow.checks import CheckRegistry, HeartbeatEngine, HeartbeatResult
from dockerflow.checks.engine import CheckFn
from dockerflow.logging import (
    get_or_generate_request_id,
    request_id_context,
    validate_request_id,
)
from dockerflow.version import get_version

from . import checks as builtin_checks
from . import conf
from .signals import heartbeat_failed, heartbeat_passed
from .state import DockerflowState

try:
    from flask_login import current_user
except ImportError:  # pragma: no cover - Flask-Login is optional
    current_user = None

logger = logging.getLogger("dockerflow.flask")

# What this extension keeps on flask.g during a request.
_RID = "_dockerflow_request_id"
_STARTED = "_dockerflow_started"
_TOKEN = "_dockerflow_rid_token"
_LOGGED = "_dockerflow_logged"
_SETTINGS = "_dockerflow_settings"

# Every method gets to the view, so that the ones we refuse get a JSON 405.
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


class HeartbeatFailure(InternalServerError):
    """Raised by ``/__heartbeat__`` with the failing response attached.

    The extension's handler returns that response; an app may register its
    own handler for this class to change it.
    """


class Dockerflow:
    """The Dockerflow Flask extension.

    ``Dockerflow(app)``, or ``dockerflow = Dockerflow()`` then
    ``dockerflow.init_app(app)`` in an application factory. ``db``
    (Flask-SQLAlchemy), ``redis`` (a redis-py client or Flask-Redis) and
    ``migrate`` (Flask-Migrate) add the built-in checks. ``silenced_checks``
    lists message IDs to ignore. ``version_path`` is where ``version.json``
    lives, by default the parent of the app's root path.
    """

    def __init__(
        self,
        app: flask.Flask | None = None,
        db: Any = None,
        redis: Any = None,
        migrate: Any = None,
        silenced_checks: Iterable[str] | None = None,
        version_path: str | os.PathLike[str] | None = None,
    ) -> None:
        #: The checks of every app this extension is initialised with.
        self.registry = CheckRegistry()
        self.engine = HeartbeatEngine()
        self.silenced_checks = list(silenced_checks or ())
        self.version_path = version_path
        self.logger = logger
        self.summary_logger = summary.summary_logger
        self._version_callback: Callable[[Any], Any] = get_version
        if db is not None:
            self.init_check(builtin_checks.check_database_connected, db)
        if redis is not None:
            self.init_check(builtin_checks.check_redis_connected, redis)
        if migrate is not None:
            self.init_check(builtin_checks.check_migrations_applied, migrate)
        if app is not None:
            self.init_app(app)

    @property
    def checks(self) -> dict[str, CheckFn]:
        """The registered checks by name, in order."""
        return self.registry.get_checks()

    def init_app(self, app: flask.Flask) -> None:
        """Add the endpoints, request hooks and config defaults to ``app``."""
        conf.apply_defaults(app.config)
        conf.read(app.config)  # a bad value fails at startup, not on a request
        root = self.version_path
        if root is None:
            root = os.path.dirname(app.root_path)
        app.extensions["dockerflow"] = DockerflowState(self, os.fspath(root))
        app.register_blueprint(self._blueprint())
        # Connected weakly with the app as sender: the app's state keeps this
        # extension alive exactly as long as the app.
        flask.got_request_exception.connect(self._got_request_exception, app)

    def _blueprint(self) -> flask.Blueprint:
        # A fresh blueprint per app: a registered one can't take new rules.
        bp = flask.Blueprint("dockerflow", __name__)
        views = (
            ("/__version__", "version", self._version_view),
            ("/__heartbeat__", "heartbeat", self._heartbeat_view),
            ("/__lbheartbeat__", "lbheartbeat", self._lbheartbeat_view),
        )
        for path, endpoint, view in views:
            for rule in (path, path + "/"):
                bp.add_url_rule(
                    rule,
                    endpoint,
                    view,
                    methods=_METHODS,
                    provide_automatic_options=False,
                )
        bp.before_app_request(self._before_request)
        bp.after_app_request(self._after_request)
        bp.teardown_app_request(self._teardown_request)
        bp.app_errorhandler(HeartbeatFailure)(self._heartbeat_exception_handler)
        return bp

    # -- registering checks and callbacks -------------------------------

    def check(
        self,
        func: CheckFn | None = None,
        name: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Register a check: ``@dockerflow.check`` or ``@dockerflow.check(name=...)``.

        ``timeout`` overrides ``DOCKERFLOW_CHECK_TIMEOUT`` for this check.
        """
        return self.registry.register(func, name=name, timeout=timeout)

    def init_check(self, check: Callable[[Any], Any], obj: Any) -> CheckFn:
        """Register ``check(obj)`` under ``check``'s name, e.g. a built-in check."""
        self.logger.debug(
            "Adding extension check %s", getattr(check, "__name__", check)
        )
        return self.registry.init_check(check, obj)

    def version_callback(self, func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Use ``func(version_path)`` instead of ``get_version`` for ``/__version__``.

        It returns the version dict, or None when there is none (a 404).
        """
        self._version_callback = func
        return func

    # -- request.summary --------------------------------------------------

    def _settings(self) -> conf.Settings:
        """The app's settings, parsed once per request."""
        settings = flask.g.get(_SETTINGS)
        if settings is None:
            settings = conf.read(flask.current_app.config)
            setattr(flask.g, _SETTINGS, settings)
        return settings  # type: ignore[no-any-return]

    def _before_request(self) -> None:
        g = flask.g
        header = self._settings().request_id_header
        rid = get_or_generate_request_id(flask.request.headers, header)  # type: ignore[arg-type]
        existing = g.get("request_id")
        if existing is None:
            g.request_id = rid
        elif validate_request_id(existing):
            rid = existing  # the app chose it: log and echo the same one
        setattr(g, _RID, rid)
        setattr(g, _STARTED, time.perf_counter())
        setattr(g, _TOKEN, request_id_context.set(rid))

    def _after_request(self, response: flask.Response) -> flask.Response:
        rid = flask.g.get(_RID)
        if rid is not None:
            response.headers[self._settings().request_id_header] = rid
        if not flask.g.get(_LOGGED):
            setattr(flask.g, _LOGGED, True)
            summary.log_summary(self.summary_extra(status=response.status_code))
        return response

    def _got_request_exception(
        self, sender: flask.Flask, exception: BaseException, **extra: Any
    ) -> None:
        if flask.g.get(_LOGGED):
            return
        setattr(flask.g, _LOGGED, True)
        summary.log_summary(self.summary_extra(raised=True), exc=exception)

    def _teardown_request(self, exc: BaseException | None) -> None:
        token = flask.g.pop(_TOKEN, None)
        if token is not None:
            try:
                request_id_context.reset(token)
            except ValueError:  # pragma: no cover - set in another context
                request_id_context.set(None)

    def user_id(self) -> str | None:
        """The current Flask-Login user's ID, or None; never raises."""
        if current_user is None or not hasattr(flask.current_app, "login_manager"):
            return None
        try:
            authenticated = current_user.is_authenticated
            if callable(authenticated):  # Flask-Login before 0.3 used methods
                authenticated = authenticated()
            return current_user.get_id() if authenticated else None
        except Exception:
            # Loading the user can fail (a broken session or database);
            # the summary must still be logged.
            self.logger.debug("Could not get the user id", exc_info=True)
            return None

    def summary_extra(
        self, status: int | None = None, raised: bool = False
    ) -> dict[str, Any]:
        """The fields of the current request's ``request.summary`` record."""
        request = flask.request
        querystring = None
        if self._settings().log_querystring and request.query_string:
            querystring = request.query_string.decode("utf-8", "replace")
        return summary.summary_fields(
            method=request.method,
            path=request.path,
            agent=request.headers.get("User-Agent", ""),
            lang=request.headers.get("Accept-Language", ""),
            uid=self.user_id(),
            rid=flask.g.get(_RID),
            started=flask.g.get(_STARTED),
            status=status,
            raised=raised,
            querystring=querystring,
        )

    # -- views --------------------------------------------------------------

    @staticmethod
    def _response(reply: endpoints.Reply) -> flask.Response:
        method = flask.request.method
        return flask.Response(
            reply.content(method), status=reply.status, headers=dict(reply.headers)
        )

    def _version_view(self) -> flask.Response:
        refused = endpoints.method_not_allowed(flask.request.method)
        if refused is not None:
            return self._response(refused)
        state: DockerflowState = flask.current_app.extensions["dockerflow"]
        try:
            data = self._version_callback(state.version_path)
        except Exception as exc:
            self.logger.exception("Could not load the version information")
            return self._response(endpoints.version_reply(error=exc))
        return self._response(endpoints.version_reply(data))

    def _lbheartbeat_view(self) -> flask.Response:
        refused = endpoints.method_not_allowed(flask.request.method)
        return self._response(refused or endpoints.lbheartbeat_reply())

    def run_checks(self, app: flask.Flask | None = None) -> HeartbeatResult:
        """Run ``app``'s checks (default: the current app's) as the heartbeat does."""
        app = app or flask.current_app._get_current_object()  # type: ignore[attr-defined]
        return self._run(app, conf.read(app.config))

    def _run(self, app: flask.Flask, settings: conf.Settings) -> HeartbeatResult:
        state: DockerflowState = app.extensions["dockerflow"]
        return self.engine.run(
            state.checks(app),
            silenced=self.silenced_checks,
            timeout=settings.timeout,
            timeouts=self.registry.timeouts,
            cache_ttl=settings.cache_seconds,
        )

    def _heartbeat_view(self) -> flask.Response:
        request = flask.request
        refused = endpoints.method_not_allowed(request.method)
        if refused is not None:
            return self._response(refused)
        app = flask.current_app._get_current_object()  # type: ignore[attr-defined]
        settings = self._settings()
        result = self._run(app, settings)
        signal = heartbeat_passed if result.passed else heartbeat_failed
        signal.send(app, level=result.level, result=result)
        details = endpoints.may_see_details(
            settings.details,
            debug=app.debug,
            authorization=request.headers.get("Authorization"),
            token=settings.token,
        )
        reply = endpoints.heartbeat_reply(
            result, details=details, failed_status=settings.failed_status
        )
        response = self._response(reply)
        if not result.passed:
            raise HeartbeatFailure(response=response)
        return response

    @staticmethod
    def _heartbeat_exception_handler(error: HeartbeatFailure) -> Any:
        return error.get_response()
