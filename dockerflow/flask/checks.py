"""The seed's ``dockerflow.flask.checks`` path for :mod:`dockerflow_flask.checks`.

The built-in checks, and the message classes and levels custom checks use.
"""

from __future__ import annotations

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
from dockerflow_flask.checks import (
    check_database_connected,
    check_migrations_applied,
    check_redis_connected,
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
