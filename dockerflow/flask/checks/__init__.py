"""python-dockerflow's ``dockerflow.flask.checks``: built-in checks and messages.

The check functions are :mod:`dockerflow_flask.checks`'s; the message classes
and levels are the core's (:mod:`dockerflow.checks.messages`), the same objects.
"""

from __future__ import annotations

from dockerflow_flask.checks import (
    check_database_connected,
    check_migrations_applied,
    check_redis_connected,
)

from . import messages
from .messages import *  # noqa: F403

__all__ = [
    *messages.__all__,
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
    "messages",
]
