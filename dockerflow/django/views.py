"""The Dockerflow views, one per row of the core's endpoint table, at the seed's
names: each reads the Django request and settings into the
:class:`~dockerflow.flows.EndpointRequest` its row's flow asks, and returns
the reply as an HttpResponse.

The ``*_async`` twins serve the middleware's async path without blocking the loop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from dockerflow import flows
from dockerflow.checks import HeartbeatResult
from dockerflow.details import token_matches
from dockerflow.endpoints import (
    ENDPOINTS,
    ERROR,
    HEARTBEAT,
    LBHEARTBEAT,
    VERSION,
    Endpoint,
)
from dockerflow.flows import EndpointRequest
from dockerflow.replies import Reply
from dockerflow.scope import environ_key
from dockerflow.version import get_version, loader_for, looked_at

from .conf import DEFAULT_VERSION_CALLBACK, conf
from .heartbeat import database_answers, run_heartbeat, run_heartbeat_async
from .signals import send_heartbeat_signal
from .threads import closing_sync_to_async

logger = logging.getLogger("dockerflow")

__all__ = [
    "error",
    "heartbeat",
    "heartbeat_async",
    "lbheartbeat",
    "lbheartbeat_async",
    "metrics",
    "version",
    "version_async",
]


def to_response(reply: Reply, method: str) -> HttpResponse:
    return HttpResponse(**_response_arguments(reply, method))


def _response_arguments(reply: Reply, method: str) -> dict[str, Any]:
    """What HttpResponse() is given for ``reply``: all its headers at once."""
    headers = dict(reply.headers)
    # Set here because the middleware may answer before CommonMiddleware
    # would; HEAD gets the length GET would have, as HTTP prescribes.
    headers["Content-Length"] = str(len(reply.encoded))
    return {
        "content": reply.content(method),
        "status": reply.status,
        "content_type": headers.pop("Content-Type", None),
        "headers": headers,
    }


#: /__lbheartbeat__'s answer never changes: the arguments of its response to
#: GET and HEAD are worked out once (each request still gets its own response).
_LBHEARTBEAT = {
    m: _response_arguments(flows.lbheartbeat(m), m) for m in ("GET", "HEAD")
}


def _load_version() -> Any:
    callback = conf.VERSION_CALLBACK
    func = import_string(callback) if isinstance(callback, str) else callback
    func = loader_for(func)  # the default one: encoded once per file change
    root = conf.BASE_DIR
    if root is None:
        raise ImproperlyConfigured("the BASE_DIR setting is not set")
    return func(os.fspath(root) if isinstance(root, os.PathLike) else root)


def _version_path() -> str | None:
    """The file the default callback reads, for the 404 to name."""
    root = conf.BASE_DIR
    if root is None or conf.VERSION_CALLBACK not in (
        DEFAULT_VERSION_CALLBACK,
        get_version,
    ):
        return None
    return looked_at(get_version, root)


def _session_key(request: HttpRequest) -> str | None:
    if not apps.is_installed("django.contrib.auth"):
        return None
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None:
        return user
    # Served by DockerflowMiddleware ahead of the session and auth
    # middleware: look the user up the way they would.
    from django.contrib.auth import get_user

    store = import_module(settings.SESSION_ENGINE).SessionStore
    request.session = store(_session_key(request))
    return get_user(request)


def _is_staff(request: HttpRequest, result: HeartbeatResult | None = None) -> bool:
    if getattr(request, "user", None) is None and _session_key(request) is None:
        return False  # nobody to look up
    if not database_answers(result):
        # Loading the session and the user would fail on this database, or
        # hold the worker until a socket gives up: the caller is anonymous.
        return False
    return bool(getattr(_user(request), "is_staff", False))


class _Request(EndpointRequest):
    """A Django request, as the core's endpoint flows ask about it."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request.method or "GET", conf.options)
        self.request = request
        self.is_staff = functools.partial(_is_staff, request)

    def header(self, name: str) -> str | None:
        value: str | None = self.request.META.get(environ_key(name))
        return value

    def debug(self) -> bool:
        return bool(conf.DEBUG)

    def load_version(self) -> Any:
        return _load_version()

    def version_file(self) -> str | None:
        return _version_path()

    def run_checks(self) -> Any:
        return run_heartbeat()

    def send(self, passed: bool, result: HeartbeatResult) -> Any:
        send_heartbeat_signal(heartbeat, result)


class _AsyncRequest(_Request):
    """The same on an event loop: file reads, checks, receivers and the staff
    lookup (which may touch the database) run off the loop."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        staff = closing_sync_to_async(_is_staff)
        self.is_staff = lambda result: staff(request, result)

    def load_version(self) -> Any:
        return asyncio.to_thread(_load_version)

    def run_checks(self) -> Any:
        return run_heartbeat_async()

    def send(self, passed: bool, result: HeartbeatResult) -> Any:
        return closing_sync_to_async(send_heartbeat_signal)(heartbeat, result)


def view_of(endpoint: Endpoint) -> Callable[[HttpRequest], HttpResponse]:
    """The Django view of one row of :data:`dockerflow.endpoints.ENDPOINTS`."""

    @csrf_exempt  # so other methods get 405, not a CSRF 403
    def view(request: HttpRequest) -> HttpResponse:
        asked = _Request(request)
        return to_response(endpoint.flow(asked), asked.method)

    view.__name__ = view.__qualname__ = endpoint.name
    return view


def async_view_of(
    endpoint: Endpoint,
) -> Callable[[HttpRequest], Awaitable[HttpResponse]]:
    """:func:`view_of` for the middleware's async path."""

    async def view(request: HttpRequest) -> HttpResponse:
        asked = _AsyncRequest(request)
        return to_response(await endpoint.flow_async(asked), asked.method)

    view.__name__ = view.__qualname__ = f"{endpoint.name}_async"
    return view


#: The views of each row of :data:`dockerflow.endpoints.ENDPOINTS`, sync
#: and async, by name: a new row is served with no code here.
VIEWS = {row.name: (view_of(row), async_view_of(row)) for row in ENDPOINTS}


@csrf_exempt
def lbheartbeat(request: HttpRequest) -> HttpResponse:
    """200 for the load balancer: the process is up. Touches no backing service.

    The service's most frequent request, answered without reading the
    options or building an :class:`~dockerflow.flows.EndpointRequest`.
    """
    method = request.method or "GET"
    arguments = _LBHEARTBEAT.get(method)
    if arguments is not None:
        return HttpResponse(**arguments)
    return to_response(flows.lbheartbeat(method), method)


async def lbheartbeat_async(request: HttpRequest) -> HttpResponse:
    return lbheartbeat(request)  # no I/O: fine on the event loop


VIEWS[LBHEARTBEAT.name] = (lbheartbeat, lbheartbeat_async)


# The seed's names. version: BASE_DIR/version.json, 404 if missing, 500 if
# invalid. heartbeat: DOCKERFLOW_CHECKS, 200 unless one reports an error or
# worse. error: raises on purpose, to test error reporting (Sentry) end to
# end, with DOCKERFLOW_ERROR_ENDPOINT on, for callers who may see details.
@csrf_exempt  # so other methods get 405, not a CSRF 403
def metrics(request: HttpRequest) -> HttpResponse:
    """``/__metrics__``: the heartbeat history for Prometheus (docs/metrics.rst).

    200 whenever the history can be read, failing checks or not: the status
    is in the series. Django-only, so it is not a row of the endpoint table.
    """
    if conf.METRICS_ENDPOINT is not True:
        raise Http404("DOCKERFLOW_METRICS_ENDPOINT is off")
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    token = conf.METRICS_TOKEN
    if token and not token_matches(request.headers.get("Authorization"), token):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    try:
        from .history.exposition import exposition
        from .history.metrics import snapshot
    except ImportError:
        return _unavailable("prometheus_client is not installed")
    try:
        found = snapshot()
    except DatabaseError as exc:
        # The driver's words can name the database's host: they go to the
        # log, and the scraper gets one line with the error's type.
        logger.warning("/__metrics__: the heartbeat history could not be read: %s", exc)
        return _unavailable(
            f"the heartbeat history could not be read ({type(exc).__name__})"
        )
    body, content_type = exposition(found, request.headers.get("Accept"))
    return HttpResponse(
        body if request.method == "GET" else b"",
        content_type=content_type,
        headers={"Cache-Control": "no-store", "Content-Length": str(len(body))},
    )


def _unavailable(reason: str) -> HttpResponse:
    return HttpResponse(
        f"/__metrics__: {reason}\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )


version, version_async = VIEWS[VERSION.name]
heartbeat, heartbeat_async = VIEWS[HEARTBEAT.name]
error = VIEWS[ERROR.name][0]
