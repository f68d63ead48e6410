"""Lets INSTALLED_APPS list the seed's ``"dockerflow.django"``.

The config's name is ``"dockerflow"``, so Django loads that same app.
"""

from __future__ import annotations

from ..apps import DockerflowConfig

__all__ = ["DockerflowConfig"]
