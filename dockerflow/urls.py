"""The short ``include("dockerflow.urls")`` spelling, kept working.

It serves the patterns of ``dockerflow.django.urls``, loaded on use.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("urlpatterns", "app_name"):
        from dockerflow.django import urls

        return getattr(urls, name)
    raise AttributeError(name)
