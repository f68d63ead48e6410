"""Built-in FastAPI checks, each the core's probe: Redis (redis.asyncio or redis-py)
and SQLAlchemy. Others use ``dockerflow.checks.register`` and these messages."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from dockerflow.checks import CheckMessage, services
from dockerflow.checks import messages as _core
from dockerflow.checks.messages import *  # noqa: F403
from dockerflow.checks.registry import CheckFn, register_partial

__all__ = ["check_database_connected", "check_redis_connected"]
__all__ += ["register_database", "register_redis", *_core.__all__]


async def check_redis_connected(client: Any) -> list[CheckMessage]:
    """PING Redis with a redis.asyncio client: E004 refused, E010 a Redis
    error, E007 a reply other than PONG; a hung server meets the timeout."""
    return await services.check_redis_connected_async(client)


def check_database_connected(engine: Any) -> list[CheckMessage]:
    """``SELECT 1`` on a SQLAlchemy engine (or anything with ``.engine``),
    on a worker thread: E001 misconfigured, E002 a DB-API error."""
    db = engine if hasattr(engine, "engine") else SimpleNamespace(engine=engine)
    return services.check_database_connected(db)


def register_redis(client: Any) -> CheckFn:
    """Add the Redis check to every heartbeat; a blocking ``redis.Redis``
    is pinged on a worker thread, an asyncio one on the loop."""
    try:
        import redis.asyncio
    except ImportError:  # redis is optional: the check then says to install it
        return register_partial(check_redis_connected, client)
    if isinstance(client, redis.asyncio.Redis):
        return register_partial(check_redis_connected, client)
    return register_partial(services.check_redis_connected, client)


def register_database(engine: Any) -> CheckFn:
    """Add the SQLAlchemy check to every heartbeat."""
    return register_partial(check_database_connected, engine)
