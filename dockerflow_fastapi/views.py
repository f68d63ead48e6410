"""The Dockerflow endpoints as a FastAPI ``router``: a route per row of
:data:`dockerflow.endpoints.ENDPOINTS`, answered by its core flow. ``get_version``
is looked up on each call, so ``dockerflow.fastapi.views.get_version`` can be replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from dockerflow.checks import HeartbeatResult, is_async_check
from dockerflow.checks.registry import default_engine, default_registry
from dockerflow.endpoints import ENDPOINTS, Endpoint
from dockerflow.flows import EndpointRequest
from dockerflow.options import Options
from dockerflow.version import get_version, loader_for, looked_at

from .conf import options_for, version_root

__all__ = ["get_version", "heartbeat_receivers", "router"]

#: Every method the endpoints answer, so the others get a JSON 405 from the
#: flows rather than FastAPI's own ``{"detail": ...}``.
ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

#: FastAPI has no signals: each is called with ``(passed, result)`` after a
#: heartbeat run, and may be a coroutine function.
heartbeat_receivers: list[Callable[[bool, HeartbeatResult], Any]] = []


class FastAPIRequest(EndpointRequest):
    """A Starlette request, as the core's endpoint flows ask about it."""

    def __init__(self, request: Request, options: Options) -> None:
        super().__init__(request.method, options)
        self.request = request

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def debug(self) -> bool:
        return bool(getattr(self.request.app, "debug", False))

    def load_version(self) -> Awaitable[Any]:
        callback, root = loader_for(get_version), version_root(self.request.app)
        if is_async_check(callback):
            return callback(root)  # type: ignore[no-any-return]
        # A plain function reads files: keep it off the event loop.
        return asyncio.to_thread(callback, root)

    def version_file(self) -> str | None:
        return looked_at(get_version, version_root(self.request.app))

    def run_checks(self) -> Awaitable[HeartbeatResult]:
        state = getattr(self.request.app, "state", None)
        silenced = getattr(state, "DOCKERFLOW_SILENCED_CHECKS", None) or ()
        return default_engine.run_async(
            default_registry.get_checks().items(),
            silenced=silenced,
            timeout=self.options.timeout,
            timeouts=default_registry.timeouts,
            cache_ttl=self.options.cache_seconds,
            scope=default_registry,
        )

    async def send(self, passed: bool, result: HeartbeatResult) -> None:
        for receiver in list(heartbeat_receivers):
            outcome = receiver(passed, result)
            if asyncio.iscoroutine(outcome):
                await outcome


def view_for(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def view(request: Request) -> Response:
        asked = FastAPIRequest(request, options_for(request.app))
        reply = await endpoint.flow_async(asked)
        headers = dict(reply.headers)
        media_type = headers.pop("Content-Type", "application/json")
        body, status = reply.content(request.method), reply.status
        return Response(body, status, headers, media_type)

    view.__name__ = endpoint.name
    return view


#: The Dockerflow endpoints: ``app.include_router(router)``. One entry per
#: endpoint in the OpenAPI schema: the path with the slash is left out.
router = APIRouter(
    tags=["Dockerflow"],
    routes=[  # type: ignore[arg-type]
        APIRoute(
            path,
            view_for(endpoint),
            methods=ROUTE_METHODS,
            name=f"dockerflow.{endpoint.name}",
            include_in_schema=path == endpoint.path,
        )
        for endpoint in ENDPOINTS
        for path in endpoint.paths
    ],
)
