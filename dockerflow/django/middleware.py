"""The seed's ``dockerflow.django.middleware`` path for the same middleware.

``"dockerflow.django.middleware.DockerflowMiddleware"`` in MIDDLEWARE works.
"""

from __future__ import annotations

from ..middleware import DockerflowMiddleware

__all__ = ["DockerflowMiddleware"]
