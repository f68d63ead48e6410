"""How the Sanic extension reads a Sanic app's config beyond the DOCKERFLOW_* table.

The DOCKERFLOW_* keys themselves are parsed by :mod:`dockerflow.options`.
"""

from __future__ import annotations

from typing import Any

from dockerflow.options import flag

__all__ = ["is_debug"]


def is_debug(app: Any) -> bool:
    """Whether the app runs in debug mode (``app.debug`` or a DEBUG config key)."""
    return bool(getattr(app, "debug", False)) or flag(app.config.get("DEBUG", False))
