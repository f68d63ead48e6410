"""Lets INSTALLED_APPS keep the short ``"dockerflow"``: it loads the same app as
``"dockerflow.django"``, whose config Django finds here, looked up lazily.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Django's app loading reads this module's classes; importing the
    # config only then keeps the core free of Django for everyone else.
    if name == "DockerflowConfig":
        from dockerflow.django.apps import DockerflowConfig

        return DockerflowConfig
    raise AttributeError(name)


def __dir__() -> list[str]:
    return ["DockerflowConfig"]
