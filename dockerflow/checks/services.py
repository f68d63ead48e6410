"""Checks of backing services that any framework's app can use: SQLAlchemy,
Alembic and Redis, each probed by one function here (Redis twice: blocking and
asyncio). Adapters only find the client and call these.

Each imports its library when it runs, so a missing library is an error
message saying what to install (``missing()``), never an ImportError.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from .. import health
from .messages import Error, Info, Warning
from .workers import current_timeout

#: redis-py answers PING with True; raw connections and other clients with PONG.
PONGS = (True, b"PONG", "PONG")


def missing(package: str, msg_id: str, extra: str | None = None) -> list[Any]:
    """The error of a check whose library is not installed: the one wording
    for every framework, naming the dockerflow-kit ``extra`` that brings it."""
    msg = f"{package} is not installed: pip install {package}"
    if extra is not None:
        msg += f" (the {extra} extra of dockerflow-kit brings it)"
    return [Error(msg, id=msg_id)]


def check_database_connected(db: Any) -> list[Any]:
    """Run ``SELECT 1`` on ``db.engine``: a Flask-SQLAlchemy object, or anything
    with a SQLAlchemy ``engine`` attribute."""
    try:
        import sqlalchemy
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError
    except ImportError:
        return missing("SQLAlchemy", health.ERROR_MISCONFIGURED_DATABASE)
    try:
        _select_one(db.engine, sqlalchemy.text, DBAPIError)
    except DBAPIError as exc:
        return [Error(f"DB-API error: {exc}", id=health.ERROR_DB_API_EXCEPTION)]
    except SQLAlchemyError as exc:
        msg = f'Database misconfigured: "{exc}"'
        return [Error(msg, id=health.ERROR_SQLALCHEMY_EXCEPTION)]
    return []


def _select_one(engine: Any, text: Any, dbapi_error: type[Exception]) -> None:
    """``SELECT 1``, tried again once when the pool handed out a connection
    the server had dropped (it restarted, or hung and was cut off): SQLAlchemy
    then discards every pooled connection that old, so the second try gets a
    fresh one, and a database that is back passes on the first probe."""
    for last in (False, True):
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except dbapi_error as exc:
            if last or not getattr(exc, "connection_invalidated", False):
                raise


def check_alembic(
    script_config: Callable[[], Any], engine: Callable[[], Any], opts: dict[str, Any]
) -> list[Any]:
    """Compare the database's Alembic revisions with the migration scripts' heads.

    ``script_config`` and ``engine`` give the Alembic ``Config`` and the
    SQLAlchemy engine when called (only once Alembic is known to be there).

    Unapplied revisions are listed oldest first in a ``W001`` warning; a
    database that can't be reached gives ``I001``, since the database check
    reports that already. ``opts`` may name the ``version_table``.
    """
    try:
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:
        return missing("alembic", health.ERROR_MISCONFIGURED_DATABASE)
    script = ScriptDirectory.from_config(script_config())
    try:
        with engine().connect() as connection:
            context = MigrationContext.configure(connection, opts=opts)
            db_heads = set(context.get_current_heads())
    except SQLAlchemyError as exc:
        return [cant_check_migrations(str(exc))]
    if db_heads == set(script.get_heads()):
        return []
    return [
        Warning(
            _unapplied_message(script, db_heads), id=health.WARNING_UNAPPLIED_MIGRATION
        )
    ]


def cant_check_migrations(reason: str) -> Any:
    """I001, in the words of every framework's migrations check: the database
    check reports an unreachable database already."""
    msg = f"Can't connect to database to check migrations: {reason}"
    return Info(msg, id=health.INFO_CANT_CHECK_MIGRATIONS)


def _unapplied_message(script: Any, db_heads: set[str]) -> str:
    try:
        revisions = script.iterate_revisions("heads", tuple(db_heads) or "base")
        unapplied = [revision.revision for revision in revisions]
    except Exception:
        # The database is at a revision the scripts don't know (a branch
        # not deployed here, or a downgrade): name both sides instead.
        at = ", ".join(sorted(db_heads))
        heads = ", ".join(sorted(script.get_heads()))
        return f"Database is at {at}, which the migrations ({heads}) don't include"
    return f"Unapplied migrations found: {', '.join(reversed(unapplied))}"


def redis_messages(result: Any = None, exc: BaseException | None = None) -> list[Any]:
    """The messages for a PING's answer, or for the exception it raised.

    An exception that is not redis-py's is raised again: it is a bug, and
    the engine reports it as one (E011).
    """
    from redis import exceptions

    if exc is None:
        if result in PONGS:
            return []
        return [
            Error(f"Redis ping failed: {result!r}", id=health.ERROR_REDIS_PING_FAILED)
        ]
    if isinstance(exc, (exceptions.ConnectionError, exceptions.TimeoutError)):
        return [cannot_connect_redis(str(exc))]
    if isinstance(exc, exceptions.RedisError):
        return [Error(f'Redis error: "{exc}"', id=health.ERROR_REDIS_EXCEPTION)]
    raise exc


def cannot_connect_redis(reason: str) -> Any:
    """E004, in the words of every framework's Redis check."""
    return Error(
        f"Could not connect to redis: {reason}", id=health.ERROR_CANNOT_CONNECT_REDIS
    )


#: How much longer than its check's timeout a PING may wait: long enough
#: that the heartbeat reports a hung Redis as a timeout, short enough that
#: the attempt has ended before the next probe would start another.
PING_SLACK = 1.5


def ping_redis(redis: Any, client: Any, timeout: float | None = None) -> Any:
    """PING over a connection of its own, whose socket timeouts end the
    attempt soon after the running check's timeout (``timeout`` outside a
    check), whatever the client's are: redis-py waits 5 s by default, older
    releases forever. ``redis`` is the redis-py module.

    Pools we can't copy (sentinel, cluster) are pinged as configured.
    """
    limit = current_timeout() or timeout
    pool: Any = getattr(client, "connection_pool", None)
    if limit is None or type(pool) not in (
        redis.ConnectionPool,
        redis.BlockingConnectionPool,
    ):
        return client.ping()
    options = dict(pool.connection_kwargs)
    for key in ("socket_timeout", "socket_connect_timeout"):
        options[key] = min(options.get(key) or math.inf, PING_SLACK * limit)
    connection = pool.connection_class(**options)
    try:
        connection.send_command("PING")
        return connection.read_response()
    finally:
        connection.disconnect()


def redis_missing(extra: str | None = None) -> list[Any]:
    """E005 when redis-py can't be imported, else no message."""
    try:
        import redis  # noqa: F401
    except ImportError:
        return missing("redis", health.ERROR_MISSING_REDIS_CLIENT, extra)
    return []


def check_redis_connected(client: Any, timeout: float | None = None) -> list[Any]:
    """Send ``PING`` with a blocking client: redis-py's, or a Flask-Redis object.

    ``timeout`` bounds the PING when this runs outside a heartbeat check
    (``manage.py check``, say); inside one, the check's own timeout does.
    """
    absent = redis_missing()
    if absent:
        return absent
    import redis

    try:
        result = ping_redis(redis, client, timeout)
    except Exception as exc:
        return redis_messages(exc=exc)
    if inspect.isawaitable(result):
        # An asyncio client's ping() is a coroutine, which is truthy: don't
        # let it pass for a PONG.
        getattr(result, "close", lambda: None)()
        msg = "The Redis client is asynchronous; this check needs a blocking client"
        return [Error(msg, id=health.ERROR_MISCONFIGURED_REDIS)]
    return redis_messages(result)


async def check_redis_connected_async(client: Any) -> list[Any]:
    """Send ``PING`` with a redis.asyncio client (a blocking one works too,
    on the event loop). A hung Redis is cut off by the check's timeout,
    which cancels the await."""
    absent = redis_missing()
    if absent:
        return absent
    from redis.exceptions import ConnectionError

    # The client's pool may hand out a connection the server reset (Redis
    # restarted, or the network dropped it): redis-py raises ConnectionError,
    # or uvloop's RuntimeError about a closed transport, and disconnects it.
    # One more PING, on a fresh connection, tells whether Redis is back. A
    # refused connection fails both at once; a hung one meets the timeout.
    for last in (False, True):
        try:
            result = client.ping()
            if inspect.isawaitable(result):
                result = await result
        except (ConnectionError, OSError, RuntimeError) as exc:
            if last:
                return redis_messages(exc=exc)
        except Exception as exc:
            return redis_messages(exc=exc)
        else:
            return redis_messages(result)
    raise AssertionError("unreachable")
