"""The seed's ``dockerflow.django.urls``: the same patterns and namespace.

``include("dockerflow.django.urls", namespace="dockerflow")`` keeps working.
"""

from __future__ import annotations

from ..urls import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
