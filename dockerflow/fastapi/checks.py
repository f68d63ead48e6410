"""The ``dockerflow.fastapi.checks`` path: :mod:`dockerflow_fastapi.checks`'s
built-in checks and the core's message classes, the same objects.
"""

from __future__ import annotations

from dockerflow.checks import messages as _core
from dockerflow.checks.messages import *  # noqa: F403
from dockerflow_fastapi.checks import (
    check_database_connected,
    check_redis_connected,
    register_database,
    register_redis,
)

__all__ = [
    "check_database_connected",
    "check_redis_connected",
    "register_database",
    "register_redis",
]
__all__ += _core.__all__
