"""Built-in Sanic checks: Redis through redis.asyncio, sanic-redis or redis-py.

Only finding a ``SanicRedis``'s client is Sanic's; the PING is the core's
(:mod:`dockerflow.checks.services`). Custom checks return the messages of
:mod:`dockerflow.checks` (``Error``, ``Warning``...), as python-dockerflow's
``dockerflow.sanic.checks`` also does.
"""

from __future__ import annotations

from typing import Any

from dockerflow import health
from dockerflow.checks import CheckMessage, Error, services

__all__ = [
    "check_redis_connected",
    "check_redis_connected_sync",
    "is_sanic_redis",
    "is_sync_redis",
    "redis_client",
]


def is_sanic_redis(obj: Any) -> bool:
    try:
        from sanic_redis import SanicRedis
    except ImportError:  # pragma: no cover - sanic-redis is optional
        return False
    return isinstance(obj, SanicRedis)


def is_sync_redis(obj: Any) -> bool:
    """Whether ``obj`` is a blocking redis-py client (not a redis.asyncio one)."""
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is optional
        return False
    return isinstance(obj, redis.Redis)


def redis_client(redis: Any, app: Any = None) -> Any:
    """The client behind ``redis``: a client itself, or a SanicRedis's client.

    sanic-redis 0.5 keeps its client on ``.conn``; later versions only put it
    on ``app.ctx`` under the ctx name (by default the config name, lowered).
    Either exists only once the server has started; until then this is None.
    """
    if not is_sanic_redis(redis):
        return redis
    client = getattr(redis, "conn", None)
    if client is None and app is not None:
        attr = getattr(redis, "ctx_name", None) or redis.config_name.lower()
        client = getattr(app.ctx, attr, None)
    return client


async def check_redis_connected(redis: Any, app: Any = None) -> list[CheckMessage]:
    """PING Redis through a redis.asyncio client or a ``SanicRedis``.

    The extension adds this check itself when given ``redis=``; call it
    directly for a client of your own::

        dockerflow.init_check(checks.check_redis_connected, client)

    A refused connection is E004, a Redis error E010, a reply other than
    PONG E007. A hung server is cut off by the heartbeat's check timeout.
    """
    client = redis_client(redis, app)
    if client is None:
        return [
            Error(
                "The SanicRedis client is not connected: has the server started?",
                id=health.ERROR_MISCONFIGURED_REDIS,
            )
        ]
    return await services.check_redis_connected_async(client)


#: The same check for a blocking ``redis.Redis`` client. The extension registers
#: it for blocking clients, so the ping runs on a worker thread.
check_redis_connected_sync = services.check_redis_connected
