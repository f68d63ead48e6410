"""python-dockerflow's ``dockerflow.flask.checks``: built-in checks and messages.

The check functions are :mod:`dockerflow_flask.checks`'s; the message classes
and levels are the core's (:mod:`dockerflow.checks.messages`), the same objects.
"""

from __future__ import annotations

from dockerflow.checks import messages as _core
from dockerflow.checks.messages import *  # noqa: F403
from dockerflow_flask.checks import (
    check_database_connected,
    check_migrations_applied,
    check_redis_connected,
)

from . import messages

__all__ = [
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
    "messages",
]
# Spelled so that type checkers see every name this module exports.
__all__ += _core.__all__
