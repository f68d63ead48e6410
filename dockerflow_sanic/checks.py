"""Built-in Sanic checks: Redis through redis.asyncio or sanic-redis.

Also re-exports the check messages and levels, so custom checks can use
``from dockerflow_sanic import checks`` and ``checks.Error(...)``.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import Any

from dockerflow import health
from dockerflow.checks import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    STATUSES,
    WARNING,
    CheckMessage,
    Critical,
    Debug,
    Error,
    Info,
    Warning,
    level_to_text,
)

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "STATUSES",
    "WARNING",
    "CheckMessage",
    "Critical",
    "Debug",
    "Error",
    "Info",
    "Warning",
    "check_redis_connected",
    "check_redis_connected_sync",
    "is_sanic_redis",
    "is_sync_redis",
    "level_to_text",
    "redis_client",
]

# redis-py answers PING with True; raw connections and other clients with PONG.
_PONGS = (True, b"PONG", "PONG")


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


def _outcome(
    result: Any = None, exc: BaseException | None = None
) -> list[CheckMessage]:
    from redis import exceptions

    if exc is None:
        if result in _PONGS:
            return []
        return [
            Error(f"Redis ping failed: {result!r}", id=health.ERROR_REDIS_PING_FAILED)
        ]
    if isinstance(exc, (exceptions.ConnectionError, exceptions.TimeoutError)):
        return [
            Error(
                f"Could not connect to redis: {exc}",
                id=health.ERROR_CANNOT_CONNECT_REDIS,
            )
        ]
    if isinstance(exc, exceptions.RedisError):
        return [Error(f'Redis error: "{exc}"', id=health.ERROR_REDIS_EXCEPTION)]
    raise exc


def _missing_redis() -> list[CheckMessage] | None:
    try:
        import redis  # noqa: F401
    except ImportError:  # pragma: no cover - redis is optional
        return [
            Error(
                "The Redis check needs redis-py: pip install redis",
                id=health.ERROR_MISSING_REDIS_CLIENT,
            )
        ]
    return None


async def check_redis_connected(redis: Any, app: Any = None) -> list[CheckMessage]:
    """PING Redis through a redis.asyncio client or a ``SanicRedis``.

    The extension adds this check itself when given ``redis=``; call it
    directly for a client of your own::

        dockerflow.init_check(checks.check_redis_connected, client)

    A refused connection is E004, a Redis error E010, a reply other than
    PONG E007. A hung server is cut off by the heartbeat's check timeout.
    """
    missing = _missing_redis()
    if missing:  # pragma: no cover - redis is optional
        return missing
    client = redis_client(redis, app)
    if client is None:
        return [
            Error(
                "The SanicRedis client is not connected: has the server started?",
                id=health.ERROR_MISCONFIGURED_REDIS,
            )
        ]
    try:
        result = client.ping()
        if isawaitable(result):
            result = await result
    except Exception as exc:
        return _outcome(exc=exc)
    return _outcome(result)


def check_redis_connected_sync(redis: Any) -> list[CheckMessage]:
    """The same check for a blocking ``redis.Redis`` client.

    The extension registers this one for blocking clients, so the ping runs
    on a worker thread instead of stalling the event loop.
    """
    try:
        result = redis.ping()
    except Exception as exc:
        return _outcome(exc=exc)
    return _outcome(result)
