"""python-dockerflow's ``dockerflow.flask.app`` path for :mod:`dockerflow_flask.app`.

Kept so existing imports of the extension and its exception keep working.
"""

from __future__ import annotations

from dockerflow_flask.app import Dockerflow, DockerflowState, HeartbeatFailure

__all__ = ["Dockerflow", "DockerflowState", "HeartbeatFailure"]
