"""python-dockerflow's ``dockerflow.flask`` import path, kept for existing projects.

Everything here is :mod:`dockerflow_flask`; new code can import that directly.
"""

from __future__ import annotations

from dockerflow_flask import Dockerflow, HeartbeatFailure

from . import checks, signals

__all__ = ["Dockerflow", "HeartbeatFailure", "checks", "signals"]
