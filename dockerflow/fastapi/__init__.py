"""python-dockerflow's ``dockerflow.fastapi`` import path, kept for existing projects.

Everything here is :mod:`dockerflow_fastapi`; new code can import that directly.
"""

from __future__ import annotations

import sys

import dockerflow_fastapi.views as views
from dockerflow_fastapi import router

from . import checks, middleware

# dockerflow.fastapi.views *is* the adapter's module, so patching a name
# there (get_version, say) reaches the endpoints.
sys.modules[f"{__name__}.views"] = views

__all__ = ["checks", "middleware", "router", "views"]
