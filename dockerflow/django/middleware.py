"""DockerflowMiddleware: one ``request.summary`` record per request, the request id,
and, when it comes first in MIDDLEWARE, the three endpoints themselves.

Serving the endpoints before any other middleware means load balancers that
probe by IP meet no ALLOWED_HOSTS rejection and no APPEND_SLASH or HTTPS
redirect. The request's scope (id, timer, summary) is the core's
:class:`~dockerflow.scope.RequestScope`; this module only reads Django's request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.http.response import ResponseHeaders
from django.utils.functional import LazyObject, empty

from dockerflow.endpoints import ENDPOINTS, ERROR, LBHEARTBEAT
from dockerflow.options import Options
from dockerflow.scope import RequestScope, environ_key
from dockerflow.summary import summary_logger

from . import probe, views
from .conf import conf

__all__ = ["DockerflowMiddleware"]

_SCOPE = "_dockerflow_scope"
#: The exception process_exception saw, kept until the response says what
#: Django made of it.
_RAISED = "_dockerflow_raised"


_time = time.time


# The endpoints the middleware serves itself: every row of the table but
# /__error__, which only the URLconf serves (see urls.py), and the load
# balancer's probe as probe.py answers it.
_VIEWS = dict(views.VIEWS)
_VIEWS[LBHEARTBEAT.name] = (probe.lbheartbeat, probe.lbheartbeat_async)
del _VIEWS[ERROR.name]
#: Each of those endpoints' views, sync and async, by request.path_info.
_BY_PATH = {
    path: _VIEWS[row.name]
    for row in ENDPOINTS
    if row.name in _VIEWS
    for path in row.paths
}
_SYNC_VIEWS = {path: pair[0] for path, pair in _BY_PATH.items()}
_ASYNC_VIEWS = {path: pair[1] for path, pair in _BY_PATH.items()}


_STORE_KEYS: dict[str, str] = {}


def _echo(response: HttpResponse, header: str, rid: str) -> None:
    """``response[header] = rid``, less the per-request charset and newline
    checks: the name is checked once, and rid passed validate_request_id."""
    key = _STORE_KEYS.get(header)
    if key is None:
        # "" if __setitem__ would have to convert or refuse the name.
        safe = header.isascii() and "\n" not in header and "\r" not in header
        key = _STORE_KEYS[header] = header.lower() if safe else ""
    headers = response.headers
    if key and type(headers) is ResponseHeaders:
        headers._store[key] = (header, rid)
    else:
        response[header] = rid


class DockerflowMiddleware:
    """Works as new-style middleware, sync or async, and also answers to the
    ``process_request``/``process_response`` calls of python-dockerflow's
    ``MiddlewareMixin`` version, which projects' tests make directly.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        #: The logger of the request.summary records (python-dockerflow's attribute).
        self.summary_logger = summary_logger
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        options = conf.options
        scope = self._open(request, options)
        # Wherever it stands in MIDDLEWARE, as python-dockerflow's does; first
        # is best, ahead of ALLOWED_HOSTS and redirects (see the Django docs).
        view = _SYNC_VIEWS.get(request.path_info)
        response = self.get_response(request) if view is None else view(request)
        return self._close(request, scope, response, options)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        options = conf.options
        scope = self._open(request, options)
        view = _ASYNC_VIEWS.get(request.path_info)
        if view is not None:
            response = await view(request)
        else:
            get_response: Callable[..., Awaitable[Any]] = self.get_response
            response = await get_response(request)
        return self._close(request, scope, response, options)

    def _open(self, request: HttpRequest, options: Options) -> RequestScope:
        """Open the request's scope."""
        meta_key = environ_key(options.request_id_header)
        scope = RequestScope(request.META.get(meta_key))
        # Set on the instance's dict: HttpRequest has no __setattr__ to go through.
        attrs = request.__dict__
        attrs[_SCOPE] = scope
        # python-dockerflow's names for the id and the arrival time.
        attrs["_id"] = scope.rid
        attrs["_start_timestamp"] = _time()
        return scope

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        """Start the request's scope; answer it here if it is a Dockerflow endpoint."""
        self._open(request, conf.options)
        view = _SYNC_VIEWS.get(request.path_info)
        return None if view is None else view(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponse | None = None
    ) -> HttpResponse | None:
        """Echo the request id and log the request's summary, once."""
        scope: RequestScope | None = getattr(request, _SCOPE, None)
        options = conf.options
        if scope is None:  # process_request never ran (a test calling us directly)
            scope = self._open(request, options)
        return self._close(request, scope, response, options)

    def _close(
        self,
        request: HttpRequest,
        scope: RequestScope,
        response: Any,
        options: Options,
    ) -> HttpResponse | None:
        if response is not None:
            _echo(response, options.request_id_header, scope.rid)
            status = response.status_code
        else:
            status = None
        exc = request.__dict__.pop(_RAISED, None)
        if status is not None and status < 500:
            # Http404, PermissionDenied, SuspiciousOperation: Django answered
            # a refusal, not a server error, and the record says what it sent.
            exc = None
        self._summary(request, scope, status, exc, options)
        # Django logs about the response (404s, 500s) after the middleware
        # returns: the request id stays set until the server closes it.
        closers = getattr(response, "_resource_closers", None)
        if closers is not None:
            closers.append(scope.close)
        else:
            scope.close()
        return response

    def _summary(
        self,
        request: HttpRequest,
        scope: RequestScope,
        status: int | None,
        exc: BaseException | None,
        options: Options,
    ) -> None:
        if scope.logged:
            return
        meta = request.META
        attrs = request.__dict__
        # The user's id if something already loaded the user: loading it here
        # would cost a session and a user query on requests that never needed it.
        user = attrs.get("user")
        uid = (
            getattr(user, "pk", "") or ""  # the pk itself, as python-dockerflow logs it
            if user is not None
            and not (isinstance(user, LazyObject) and user._wrapped is empty)
            and getattr(user, "is_authenticated", False)
            else ""
        )
        fields = scope.fields(
            method=request.method or "",
            path=request.path,
            agent=meta.get("HTTP_USER_AGENT", ""),
            lang=meta.get("HTTP_ACCEPT_LANGUAGE", ""),
            uid=uid,
            # An app that removed the arrival time gets a record without "t".
            timed="_start_timestamp" in attrs,
            status=status,
            raised=exc is not None,
            querystring=meta.get("QUERY_STRING", "")
            if options.log_querystring
            else None,
        )
        scope.summary(
            fields, exc, skip_probes=options.skip_probes, logger=self.summary_logger
        )

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Keep the exception for the summary, which the response then logs:
        an error with its traceback if Django answered 5xx (or nothing), at
        INFO with the status if it answered a refusal (404, 403, 400)."""
        request.__dict__[_RAISED] = exception
