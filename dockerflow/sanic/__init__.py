"""python-dockerflow's ``dockerflow.sanic`` import path, kept for existing projects.

Everything lives in :mod:`dockerflow_sanic`; this package only re-exports it.
"""

from __future__ import annotations

from dockerflow_sanic import Dockerflow, signals

from . import checks

__all__ = ["Dockerflow", "checks", "signals"]
