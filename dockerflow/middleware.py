"""DockerflowMiddleware: one ``request.summary`` record per request, the request id,
and, when it comes first in MIDDLEWARE, the three endpoints themselves.

Serving the endpoints before any other middleware means load balancers that
probe by IP meet no ALLOWED_HOSTS rejection and no APPEND_SLASH or HTTPS redirect.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import ResponseHeaders
from django.utils.functional import LazyObject, empty

from . import endpoints, views
from .conf import RequestSettings, conf
from .logging import new_request_id, request_id_context, validate_request_id
from .summary import log_summary, summary_fields

__all__ = ["DockerflowMiddleware"]

MIDDLEWARE_PATHS = frozenset(
    (
        "dockerflow.middleware.DockerflowMiddleware",
        "dockerflow.django.middleware.DockerflowMiddleware",
    )
)
_SYNC_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "version": views.version,
    "heartbeat": views.heartbeat,
}
_ASYNC_VIEWS = {
    "version": views.version_async,
    "heartbeat": views.heartbeat_async,
}


_PROBE_BODY = endpoints.lbheartbeat_reply().encoded
_PROBE_LENGTH = str(len(_PROBE_BODY))
_PROBE_CONTENT_TYPE = endpoints.HEADERS["Content-Type"]
_PROBE_HEADERS = [(k, v) for k, v in endpoints.HEADERS.items() if k != "Content-Type"]


def _lbheartbeat(request: HttpRequest) -> HttpResponse:
    """The view's answer, built from constants: load balancers ask several
    times a second on every replica, so this is the service's most frequent
    request. Other methods take the view's 405 path."""
    method = request.method
    if method != "GET" and method != "HEAD":
        return views.lbheartbeat(request)
    response = HttpResponse(
        _PROBE_BODY if method == "GET" else b"", content_type=_PROBE_CONTENT_TYPE
    )
    for name, value in _PROBE_HEADERS:
        response[name] = value
    response["Content-Length"] = _PROBE_LENGTH
    return response


def _echo(response: HttpResponse, scope: RequestSettings, rid: str) -> None:
    """Send the request id back in the response's header.

    ``response[name] = rid`` re-checks the name and the value for their
    charsets and newlines on every request. The name was checked once, when
    the settings were read, and ``rid`` passed ``validate_request_id``, so
    when the headers are Django's own mapping the entry is stored directly.
    """
    headers = response.headers
    if scope.request_id_store_key and type(headers) is ResponseHeaders:
        headers._store[scope.request_id_store_key] = (scope.request_id_header, rid)
    else:
        response[scope.request_id_header] = rid


def _uid(request: HttpRequest) -> str:
    """The user's id if something already loaded the user, else "".

    Loading it here would cost a session and a user query on requests
    that never needed them.
    """
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, LazyObject) and user._wrapped is empty):
        return ""
    if not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "pk", "") or "")


class DockerflowMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
        self.serves_endpoints = bool(middleware) and middleware[0] in MIDDLEWARE_PATHS

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        endpoint, started, token, scope = self._begin(request)
        try:
            if endpoint is None:
                response = self.get_response(request)
            elif endpoint == "lbheartbeat":
                response = _lbheartbeat(request)
            else:
                response = _SYNC_VIEWS[endpoint](request)
            return self._finish(request, response, started, scope)
        finally:
            request_id_context.reset(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        endpoint, started, token, scope = self._begin(request)
        try:
            if endpoint == "lbheartbeat":
                response = _lbheartbeat(request)  # no I/O: fine on the event loop
            elif endpoint is not None:
                response = await _ASYNC_VIEWS[endpoint](request)
            else:
                get_response: Callable[..., Awaitable[Any]] = self.get_response
                response = await get_response(request)
            return self._finish(request, response, started, scope)
        finally:
            request_id_context.reset(token)

    def _begin(self, request: HttpRequest) -> tuple[str | None, float, Any, Any]:
        started = time.perf_counter()
        scope = conf.per_request
        rid = validate_request_id(request.META.get(scope.request_id_meta_key))
        if rid is None:
            rid = new_request_id()
        request._id = rid  # type: ignore[attr-defined]  # the seed's attribute
        token = request_id_context.set(rid)
        path = request.path_info
        endpoint = (
            endpoints.endpoint_for(path)
            if self.serves_endpoints and path in endpoints.PATHS
            else None
        )
        return endpoint, started, token, scope

    def _finish(
        self,
        request: HttpRequest,
        response: HttpResponse,
        started: float,
        scope: RequestSettings,
    ) -> HttpResponse:
        rid = request._id  # type: ignore[attr-defined]
        _echo(response, scope, rid)
        if scope.skip_probes and request.path_info in endpoints.PATHS:
            return response
        exc = getattr(request, "_dockerflow_exception", None)
        meta = request.META
        fields = summary_fields(
            method=request.method or "",
            path=request.path,
            agent=meta.get("HTTP_USER_AGENT", ""),
            lang=meta.get("HTTP_ACCEPT_LANGUAGE", ""),
            uid=_uid(request),
            rid=rid,
            started=started,
            status=response.status_code,
            raised=exc is not None,
            querystring=meta.get("QUERY_STRING", "") if scope.log_querystring else None,
        )
        log_summary(fields, exc)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Django turns the exception into a 500 response before it reaches
        # __call__; remember it so the record says the view raised.
        request._dockerflow_exception = exception  # type: ignore[attr-defined]
