"""Dockerflow for Flask: ``Dockerflow(app)`` adds endpoints, checks, request.summary.

Only Flask is required; SQLAlchemy, Alembic, redis and Flask-Login are used
when installed and when the app passes the objects they check.
"""

from __future__ import annotations

from . import checks, signals
from .app import Dockerflow, HeartbeatFailure
from .state import DockerflowState

__all__ = ["Dockerflow", "DockerflowState", "HeartbeatFailure", "checks", "signals"]
