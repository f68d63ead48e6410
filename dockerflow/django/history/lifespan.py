"""An ASGI wrapper that drains the history's writer at lifespan shutdown.

Django's ASGI handler speaks no lifespan protocol, and uvicorn ends a
worker stopped by SIGTERM by raising the signal again, so ``atexit`` never
runs there: this is how an ASGI worker stores its last runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["draining"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def draining(app: ASGIApp) -> ASGIApp:
    """``app`` (Django's ASGI application), answering the lifespan protocol:
    startup completes at once, shutdown after ``history.drain()`` (bounded)."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                from . import drain

                await asyncio.to_thread(drain)
                await send({"type": "lifespan.shutdown.complete"})
                return

    return application
