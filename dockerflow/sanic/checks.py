"""python-dockerflow's ``dockerflow.sanic.checks`` module, kept for existing projects.

The checks and message classes live in :mod:`dockerflow_sanic.checks`.
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
from dockerflow_sanic.checks import (
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
    "check_redis_connected",
    "level_to_text",
]
