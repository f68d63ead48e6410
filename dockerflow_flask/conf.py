"""The Flask extension's DOCKERFLOW_* config keys, parsed by the shared core.

Defaults go into ``app.config`` only where a key is unset; values are read
per request, so changing ``app.config`` after ``init_app`` takes effect.
"""

from __future__ import annotations

from dockerflow.options import DEFAULTS, apply_defaults
from dockerflow.options import Options as Settings
from dockerflow.options import read_options as read

__all__ = ["DEFAULTS", "Settings", "apply_defaults", "read"]
