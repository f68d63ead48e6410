"""Dockerflow for Sanic: the version and heartbeat endpoints, request.summary logging.

``Dockerflow`` is the extension; ``checks`` holds the built-in checks and
the message classes, ``signals`` the heartbeat events it dispatches.
"""

from __future__ import annotations

from . import checks, signals
from .app import Dockerflow

__all__ = ["Dockerflow", "checks", "signals"]
