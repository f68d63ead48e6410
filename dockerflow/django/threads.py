"""Sync database work from async code, without leaving connections behind.

Under ASGI each request's sync code runs on a thread of its own, where nothing
else would ever close a connection that thread opened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections


def _open_aliases() -> set[str]:
    return {alias for alias in connections if connections[alias].connection is not None}


def closing_sync_to_async(func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """``func`` on a worker thread, closing the connections it opened there.

    Connections that were already open (a thread shared with other code,
    such as a test's) are left alone.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        already = _open_aliases()
        try:
            return func(*args, **kwargs)
        finally:
            for alias in _open_aliases() - already:
                connections[alias].close()

    return sync_to_async(call)
