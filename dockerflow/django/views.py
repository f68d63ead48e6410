"""The three Dockerflow views, the seed's names, built on :mod:`dockerflow.endpoints`.

Each turns a framework-neutral ``Reply`` into an ``HttpResponse``; the
``*_async`` twins serve the middleware's async path without blocking the loop.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from dockerflow import endpoints
from dockerflow.checks import HeartbeatResult

from .conf import conf
from .heartbeat import failed_status, run_heartbeat, run_heartbeat_async
from .signals import send_heartbeat_signal

__all__ = [
    "heartbeat",
    "heartbeat_async",
    "lbheartbeat",
    "lbheartbeat_async",
    "version",
    "version_async",
]


def to_response(reply: endpoints.Reply, method: str) -> HttpResponse:
    response = HttpResponse(reply.content(method), status=reply.status)
    for name, value in reply.headers.items():
        response[name] = value
    # Set here because the middleware may answer before CommonMiddleware
    # would; HEAD gets the length GET would have, as HTTP prescribes.
    response["Content-Length"] = str(len(reply.encoded))
    return response


def _version_reply() -> endpoints.Reply:
    callback = conf.VERSION_CALLBACK
    root = conf.BASE_DIR
    try:
        func = import_string(callback) if isinstance(callback, str) else callback
        if root is None:
            raise ImproperlyConfigured("the BASE_DIR setting is not set")
        data = func(os.fspath(root) if isinstance(root, os.PathLike) else root)
    except Exception as exc:
        return endpoints.version_reply(error=exc)
    return endpoints.version_reply(data)


@csrf_exempt  # so other methods get 405, not a CSRF 403
def version(request: HttpRequest) -> HttpResponse:
    """The contents of BASE_DIR/version.json: 404 if missing, 500 if invalid."""
    refused = endpoints.method_not_allowed(request.method or "GET")
    reply = refused or _version_reply()
    return to_response(reply, request.method or "GET")


async def version_async(request: HttpRequest) -> HttpResponse:
    return await sync_to_async(version)(request)


@csrf_exempt
def lbheartbeat(request: HttpRequest) -> HttpResponse:
    """200 for the load balancer: the process is up. Touches no backing service."""
    reply = endpoints.method_not_allowed(request.method or "GET")
    return to_response(reply or endpoints.lbheartbeat_reply(), request.method or "GET")


async def lbheartbeat_async(request: HttpRequest) -> HttpResponse:
    return lbheartbeat(request)  # no I/O: fine on the event loop


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None:
        return user
    # Served by DockerflowMiddleware ahead of the session and auth
    # middleware: look the user up the way they would, only if there is a
    # session cookie to look up.
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key or not apps.is_installed("django.contrib.auth"):
        return None
    from django.contrib.auth import get_user

    store = import_module(settings.SESSION_ENGINE).SessionStore
    request.session = store(session_key)
    return get_user(request)


def _is_staff(request: HttpRequest) -> bool:
    return bool(getattr(_user(request), "is_staff", False))


def _sees_details(request: HttpRequest) -> bool:
    policy = conf.HEARTBEAT_DETAILS
    if endpoints.may_see_details(
        policy,
        debug=conf.DEBUG,
        authorization=request.headers.get("Authorization"),
        token=conf.HEARTBEAT_TOKEN,
    ):
        return True
    # Staff last: it may cost a session and a user query.
    return policy == endpoints.DETAILS_AUTHORIZED and _is_staff(request)


def _heartbeat_response(request: HttpRequest, result: HeartbeatResult) -> HttpResponse:
    send_heartbeat_signal(heartbeat, result)
    reply = endpoints.heartbeat_reply(
        result, details=_sees_details(request), failed_status=failed_status()
    )
    return to_response(reply, request.method or "GET")


@csrf_exempt
def heartbeat(request: HttpRequest) -> HttpResponse:
    """Run DOCKERFLOW_CHECKS; 200 unless one reports an error or worse."""
    refused = endpoints.method_not_allowed(request.method or "GET")
    if refused is not None:
        return to_response(refused, request.method or "GET")
    return _heartbeat_response(request, run_heartbeat())


async def heartbeat_async(request: HttpRequest) -> HttpResponse:
    """:func:`heartbeat` for an event loop: checks run without blocking it."""
    refused = endpoints.method_not_allowed(request.method or "GET")
    if refused is not None:
        return to_response(refused, request.method or "GET")
    result = await run_heartbeat_async()
    # Receivers and the staff lookup may touch the database: not on the loop.
    return await sync_to_async(_heartbeat_response)(request, result)
