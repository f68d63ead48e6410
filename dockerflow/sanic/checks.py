"""python-dockerflow's ``dockerflow.sanic.checks`` module, kept for existing projects.

The check is :mod:`dockerflow_sanic.checks`'s; the message classes and levels
are the core's (:mod:`dockerflow.checks.messages`), the same objects.
"""

from __future__ import annotations

from dockerflow.checks import messages as _core
from dockerflow.checks.messages import *  # noqa: F403
from dockerflow_sanic.checks import check_redis_connected

# Spelled so that type checkers see every name this module exports.
__all__ = ["check_redis_connected"]
__all__ += _core.__all__
