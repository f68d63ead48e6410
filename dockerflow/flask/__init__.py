"""python-dockerflow's ``dockerflow.flask`` import path, kept for existing projects.

Everything here is :mod:`dockerflow_flask`; new code can import that directly.
"""

from __future__ import annotations

import sys

import dockerflow_flask.app as app
from dockerflow_flask import Dockerflow, HeartbeatFailure

from . import checks, signals

# dockerflow.flask.app *is* the extension's module, so patching a name there
# (has_flask_login, say) reaches the extension.
sys.modules[f"{__name__}.app"] = app

__all__ = ["Dockerflow", "HeartbeatFailure", "app", "checks", "signals"]
