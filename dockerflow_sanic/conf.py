"""The DOCKERFLOW_* keys of a Sanic app's config, parsed by the shared core.

Defaults fill only keys the app left unset; values are read at request time,
so changing ``app.config`` after ``init_app`` takes effect.
"""

from __future__ import annotations

from typing import Any

from dockerflow.options import DEFAULTS, apply_defaults, flag
from dockerflow.options import Options as Settings
from dockerflow.options import read_options as read

__all__ = ["DEFAULTS", "Settings", "apply_defaults", "flag", "is_debug", "read"]


def is_debug(app: Any) -> bool:
    """Whether the app runs in debug mode (``app.debug`` or a DEBUG config key)."""
    return bool(getattr(app, "debug", False)) or flag(app.config.get("DEBUG", False))
