"""The short ``"dockerflow.middleware.DockerflowMiddleware"`` spelling, kept working.

It names the Django middleware, ``dockerflow.django.middleware``, loaded on use.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "DockerflowMiddleware":
        from dockerflow.django.middleware import DockerflowMiddleware

        return DockerflowMiddleware
    raise AttributeError(name)
