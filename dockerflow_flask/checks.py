"""Built-in heartbeat checks for Flask apps: Flask-SQLAlchemy, Flask-Migrate, Redis.

The work is done by :mod:`dockerflow.checks.services`; these take the objects
``Dockerflow(app, db=..., redis=..., migrate=...)`` is given.
"""

from __future__ import annotations

from typing import Any

from dockerflow.checks.services import (
    check_alembic,
    check_database_connected,
    check_redis_connected,
)

__all__ = [
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
]


def check_migrations_applied(migrate: Any) -> list[Any]:
    """Whether the database has every revision of a Flask-Migrate ``Migrate``'s scripts."""
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
    return check_alembic(
        # The directory is passed explicitly for older Flask-Migrate releases.
        lambda: migrate.get_config(directory=migrate.directory),
        lambda: migrate.db.engine,
        opts,
    )
