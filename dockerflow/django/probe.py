"""``/__lbheartbeat__`` as the middleware serves it: the service's most frequent
request, answered with a copy of the view's own response.

The answer never changes, so it is made once per method by
:func:`dockerflow.django.views.lbheartbeat` and then copied: a copy skips
``HttpResponse.__init__`` and the header checks, most of what the probe
would otherwise cost. Only a response whose attributes are all known
(fresh containers, immutable values) is copied; any other Django makes the
middleware call the view every time.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import ResponseHeaders

from . import views

__all__ = ["lbheartbeat", "lbheartbeat_async"]

_new = object.__new__
_new_cookies = dict.__new__
_IMMUTABLE = (type(None), bool, int, float, str, bytes)
#: The attributes that each copy gets fresh, and what they must hold.
_FRESH = {"headers", "cookies", "_resource_closers", "_container"}


class _Copier:
    """Fresh copies of one response, as its constructor would make them."""

    def __init__(self, response: HttpResponse) -> None:
        self.attrs = dict(response.__dict__)
        self.store = dict(response.headers._store)
        self.content = list(response._container)  # type: ignore[attr-defined]
        self.copyable = _copyable(response)

    def __call__(self) -> HttpResponse:
        headers: Any = _new(ResponseHeaders)
        headers.__dict__ = {"_store": self.store.copy()}
        attrs = self.attrs.copy()
        attrs["headers"] = headers
        attrs["cookies"] = _new_cookies(SimpleCookie)  # SimpleCookie(), less __init__
        attrs["_resource_closers"] = []
        attrs["_container"] = self.content.copy()
        copy: HttpResponse = _new(HttpResponse)
        copy.__dict__ = attrs
        return copy


def _copyable(response: HttpResponse) -> bool:
    attrs = response.__dict__
    headers = response.headers
    return (
        type(response) is HttpResponse
        and type(headers) is ResponseHeaders
        and set(headers.__dict__) == {"_store"}
        and set(attrs) >= _FRESH
        and type(attrs["cookies"]) is SimpleCookie
        and not attrs["cookies"]
        and attrs["_resource_closers"] == []
        and type(attrs["_container"]) is list
        and all(type(chunk) is bytes for chunk in attrs["_container"])
        and all(
            type(value) in _IMMUTABLE
            for name, value in attrs.items()
            if name not in _FRESH
        )
    )


_copiers: dict[str, _Copier] = {}


def lbheartbeat(request: HttpRequest) -> HttpResponse:
    """What :func:`views.lbheartbeat` answers, copied from its first answer
    to each of GET and HEAD; other methods get the view's 405."""
    method = request.method
    if method != "GET" and method != "HEAD":
        return views.lbheartbeat(request)
    copier = _copiers.get(method)
    if copier is None:
        copier = _copiers[method] = _Copier(views.lbheartbeat(request))
    return copier() if copier.copyable else views.lbheartbeat(request)


async def lbheartbeat_async(request: HttpRequest) -> HttpResponse:
    return lbheartbeat(request)  # no I/O: fine on the event loop
