"""Dockerflow for FastAPI: the endpoints as a ``router``, request ids and
request.summary logging as two ASGI middlewares, the built-in ``checks``."""

from __future__ import annotations

from . import checks, middleware, views
from .middleware import MozlogRequestSummaryLogger, RequestIdMiddleware
from .views import router

__all__ = ["MozlogRequestSummaryLogger", "RequestIdMiddleware", "router"]
__all__ += ["checks", "middleware", "views"]
