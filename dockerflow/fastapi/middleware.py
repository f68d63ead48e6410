"""python-dockerflow's ``dockerflow.fastapi.middleware`` module: the two ASGI
middlewares of :mod:`dockerflow_fastapi.middleware`, the same classes.
"""

from __future__ import annotations

from dockerflow_fastapi.middleware import (
    MozlogRequestSummaryLogger,
    RequestIdMiddleware,
)

__all__ = ["MozlogRequestSummaryLogger", "RequestIdMiddleware"]
