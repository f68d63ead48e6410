"""Built-in heartbeat checks for Flask apps: Flask-SQLAlchemy, Flask-Migrate, Redis.

Each imports its library when it runs, so a missing library is reported as
an error message saying what to install, never as an ImportError.
"""

from __future__ import annotations

import inspect
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
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
    "level_to_text",
]


def _missing(package: str, msg_id: str) -> list[CheckMessage]:
    return [Error(f"{package} is not installed: pip install {package}", id=msg_id)]


def check_database_connected(db: Any) -> list[CheckMessage]:
    """Run ``SELECT 1`` on ``db.engine``.

    ``db`` is a Flask-SQLAlchemy ``SQLAlchemy`` object, or a SQLAlchemy
    ``Engine``. Passed as ``Dockerflow(app, db=db)``, it runs inside the
    app's context.
    """
    try:
        import sqlalchemy
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError
    except ImportError:
        return _missing("SQLAlchemy", health.ERROR_MISCONFIGURED_DATABASE)
    try:
        with db.engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except DBAPIError as exc:
        return [Error(f"DB-API error: {exc}", id=health.ERROR_DB_API_EXCEPTION)]
    except SQLAlchemyError as exc:
        msg = f'Database misconfigured: "{exc}"'
        return [Error(msg, id=health.ERROR_SQLALCHEMY_EXCEPTION)]
    return []


def check_migrations_applied(migrate: Any) -> list[CheckMessage]:
    """Compare the database's Alembic revisions with the migration scripts' heads.

    ``migrate`` is a Flask-Migrate ``Migrate`` object. Unapplied revisions
    are listed oldest first in a ``W001`` warning; a database that can't be
    reached gives ``I001``, since the database check reports that already.
    """
    try:
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:
        return _missing("alembic", health.ERROR_MISCONFIGURED_DATABASE)
    # The directory is passed explicitly for older Flask-Migrate releases.
    script = ScriptDirectory.from_config(
        migrate.get_config(directory=migrate.directory)
    )
    # A project with its own version table must be read from that table.
    configured = (
        getattr(migrate, "alembic_ctx_kwargs", None)
        or getattr(migrate, "configure_args", None)
        or {}
    )
    opts = {
        key: configured[key]
        for key in ("version_table", "version_table_schema")
        if key in configured
    }
    try:
        with migrate.db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=opts)
            db_heads = set(context.get_current_heads())
    except SQLAlchemyError as exc:
        msg = f"Can't connect to database to check migrations: {exc}"
        return [Info(msg, id=health.INFO_CANT_CHECK_MIGRATIONS)]
    if db_heads == set(script.get_heads()):
        return []
    return [
        Warning(
            _unapplied_message(script, db_heads), id=health.WARNING_UNAPPLIED_MIGRATION
        )
    ]


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


def check_redis_connected(client: Any) -> list[CheckMessage]:
    """Send ``PING`` with ``client``: a redis-py client or a Flask-Redis object."""
    try:
        import redis
    except ImportError:
        return _missing("redis", health.ERROR_MISSING_REDIS_CLIENT)
    try:
        result = client.ping()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        msg = f"Could not connect to redis: {exc}"
        return [Error(msg, id=health.ERROR_CANNOT_CONNECT_REDIS)]
    except redis.RedisError as exc:
        return [Error(f'Redis error: "{exc}"', id=health.ERROR_REDIS_EXCEPTION)]
    if inspect.isawaitable(result):
        # An asyncio client's ping() is a coroutine, which is truthy: don't
        # let it pass for a PONG.
        getattr(result, "close", lambda: None)()
        msg = (
            "The Redis client is asynchronous; the Flask check needs a blocking client"
        )
        return [Error(msg, id=health.ERROR_MISCONFIGURED_REDIS)]
    if not result:
        return [Error("Redis ping failed", id=health.ERROR_REDIS_PING_FAILED)]
    return []
