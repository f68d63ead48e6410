"""python-dockerflow's ``dockerflow.sanic.app`` module, kept for existing projects.

The extension itself is :class:`dockerflow_sanic.Dockerflow`.
"""

from __future__ import annotations

from dockerflow_sanic.app import Dockerflow

__all__ = ["Dockerflow"]
