"""The three Dockerflow views, at the seed's names: each reads the request and
settings into one call on :mod:`dockerflow.flows` and returns its reply.

The ``*_async`` twins serve the middleware's async path without blocking the loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from dockerflow import flows
from dockerflow.checks import HeartbeatResult
from dockerflow.endpoints import Reply
from dockerflow.version import get_version, loader_for, looked_at

from .conf import DEFAULT_VERSION_CALLBACK, conf
from .heartbeat import database_answers, run_heartbeat, run_heartbeat_async
from .signals import send_heartbeat_signal
from .threads import closing_sync_to_async

__all__ = [
    "error",
    "heartbeat",
    "heartbeat_async",
    "lbheartbeat",
    "lbheartbeat_async",
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


def _method(request: HttpRequest) -> str:
    return request.method or "GET"


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


@csrf_exempt  # so other methods get 405, not a CSRF 403
def version(request: HttpRequest) -> HttpResponse:
    """The contents of BASE_DIR/version.json: 404 if missing, 500 if invalid."""
    method = _method(request)
    return to_response(flows.version(method, _load_version, _version_path()), method)


async def version_async(request: HttpRequest) -> HttpResponse:
    method = _method(request)
    load = lambda: asyncio.to_thread(_load_version)  # noqa: E731
    reply = await flows.version_async(method, load, _version_path())
    return to_response(reply, method)


@csrf_exempt
def lbheartbeat(request: HttpRequest) -> HttpResponse:
    """200 for the load balancer: the process is up. Touches no backing service."""
    method = _method(request)
    arguments = _LBHEARTBEAT.get(method)
    if arguments is not None:
        return HttpResponse(**arguments)
    return to_response(flows.lbheartbeat(method), method)


async def lbheartbeat_async(request: HttpRequest) -> HttpResponse:
    return lbheartbeat(request)  # no I/O: fine on the event loop


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


def _caller(request: HttpRequest) -> flows.Caller:
    return flows.Caller(
        authorization=request.META.get("HTTP_AUTHORIZATION"),
        debug=conf.DEBUG,
        is_staff=functools.partial(_is_staff, request),
    )


def _notify(result: HeartbeatResult) -> None:
    send_heartbeat_signal(heartbeat, result)


@csrf_exempt
def error(request: HttpRequest) -> HttpResponse:
    """Raise on purpose, to test error reporting (Sentry) end to end: only with
    DOCKERFLOW_ERROR_ENDPOINT on, and for callers who may see heartbeat details."""
    method = _method(request)
    return to_response(flows.error(method, _caller(request), conf.options), method)


@csrf_exempt
def heartbeat(request: HttpRequest) -> HttpResponse:
    """Run DOCKERFLOW_CHECKS; 200 unless one reports an error or worse."""
    method = _method(request)
    reply = flows.heartbeat(
        method, _caller(request), conf.options, run_heartbeat, _notify
    )
    return to_response(reply, method)


async def heartbeat_async(request: HttpRequest) -> HttpResponse:
    """:func:`heartbeat` for an event loop: checks run without blocking it."""
    method = _method(request)
    # Receivers and the staff lookup may touch the database: not on the loop.
    staff = closing_sync_to_async(_is_staff)
    caller = dataclasses.replace(
        _caller(request), is_staff=lambda result: staff(request, result)
    )
    reply = await flows.heartbeat_async(
        method,
        caller,
        conf.options,
        run_heartbeat_async,
        closing_sync_to_async(_notify),
    )
    return to_response(reply, method)
